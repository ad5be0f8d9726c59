/* SPDX-License-Identifier: MIT */
/*
 * Logging in and out (RFC 5804 §2.1 AUTHENTICATE, §2.14
 * UNAUTHENTICATE). The SASL exchange runs in authd: sieved relays the
 * base64 steps as ManageSieve strings and never sees a secret, and
 * waits authd's throttle delay before it answers a failure. Once
 * logged in, the user's account (looked up in authd) tells where the
 * scripts are. Client responses are untrusted and never logged.
 */
#include "sieved.h"

#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "core/log.h"
#include "ipc/auth_client.h"
#include "server/server.h"
#include "store/store_jail.h"

void
sieved_auth_mechanisms(struct sieved_session *s, struct buf *out)
{
	struct err err;

	if (auth_client_mechanisms(
	        s->sd->auth, "sieve", s->tls != NULL, out, &err) != 0) {
		log_warning("authd: %s", err.text);
		buf_reset(out);
	}
}

/* authd's throttle, capped in case its reply is out of bounds. */
static void
sieved_auth_delay(unsigned delay_ms)
{
	struct timespec ts;

	if (delay_ms == 0)
		return;
	if (delay_ms > AUTH_DELAY_MAX_MS)
		delay_ms = AUTH_DELAY_MAX_MS;
	ts.tv_sec = delay_ms / 1000;
	ts.tv_nsec = (long)(delay_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		continue;
}

/* authd is gone: inside the jail it cannot be reached again. */
static void
sieved_auth_unreachable(struct sieved_session *s, const struct err *err)
{
	sieved_reply_temp(s, err);
	server_stop(s->sd->srv);
}

/* The logged-in user's script store. 0, or -1 answered. */
static int
sieved_auth_store(struct sieved_session *s, const char *user)
{
	struct sieve_store_limits lim = {
	    .max_scripts = (size_t)s->conf->sieve_max_scripts,
	    .max_size = (size_t)s->conf->sieve_max_script_size};
	struct auth_account acct;
	const char *root;
	struct err err;
	int rc;

	rc = auth_client_lookup(s->sd->auth, user, &acct, s->arena, &err);
	if (rc == 0)
		err_set(&err, ERR_TEMP, "", "account %s vanished", user);
	if (rc <= 0) {
		sieved_auth_unreachable(s, &err);
		return -1;
	}
	if (store_jail_root(acct.store, s->conf->mail_store_directory,
	        s->sd->jailed, acct.address, s->arena, &root, &err) != 0) {
		sieved_reply_temp(s, &err);
		return -1;
	}
	s->store = sieve_store_new(root, &lim);
	s->user = arena_strdup(s->arena, acct.address);
	return 0;
}

/* Relay one challenge; the client's answer into *response. 1, 0, -1. */
static int
sieved_auth_challenge(
    struct sieved_session *s, const char *challenge, const char **response)
{
	struct managesieve_cmd line;
	int rc;

	sieved_reply_string(s, challenge, strlen(challenge));
	stream_write(&s->io, "\r\n", 2);
	if ((rc = sieved_session_read(s, false, &line)) != 1)
		return rc;
	if (line.nargs != 1 || line.args[0].type != MANAGESIEVE_ARG_STRING ||
	    memchr(line.args[0].data, '\0', line.args[0].len) != NULL) {
		sieved_reply(s, "NO", NULL, "Expected one string");
		sieved_session_error(s);
		return -1;
	}
	*response = line.args[0].data;
	return 1;
}

/* Run the exchange from authd's first reply to the end. */
static void
sieved_auth_exchange(struct sieved_session *s, struct auth_login_reply *reply)
{
	const char *response;
	struct err err;

	while (reply->status == AUTH_LOGIN_CONTINUE) {
		if (sieved_auth_challenge(s, reply->challenge, &response) !=
		    1) {
			auth_client_sasl_abort(s->sd->auth, reply->id);
			return;
		}
		if (strcmp(response, "*") == 0) {
			auth_client_sasl_abort(s->sd->auth, reply->id);
			sieved_reply(s, "NO", NULL, "Authentication cancelled");
			return;
		}
		if (auth_client_sasl_step(s->sd->auth, reply->id, response,
		        reply, s->cmd_arena, &err) != 0) {
			sieved_auth_unreachable(s, &err);
			return;
		}
	}
	sieved_auth_delay(reply->delay_ms);
	if (reply->status == AUTH_LOGIN_OK) {
		if (sieved_auth_store(s, reply->user) == 0) {
			log_info("[%s]: login: user=%s", s->addr, s->user);
			sieved_reply(s, "OK", NULL, "Logged in");
		}
		return;
	}
	if (reply->status == AUTH_LOGIN_TEMPFAIL) {
		sieved_reply(s, "NO", "TRYLATER", "Try again later");
		return;
	}
	log_info("[%s]: authentication failed", s->addr);
	sieved_reply(s, "NO", NULL, "Authentication failed");
	sieved_session_error(s);
}

void
sieved_auth_authenticate(
    struct sieved_session *s, const struct managesieve_cmd *cmd)
{
	struct auth_login_ctx ctx = {
	    .service = "sieve", .client_addr = s->addr, .tls = s->tls != NULL};
	struct auth_login_reply reply;
	struct err err;

	if (sieved_tls_refused(s))
		return;
	if (memchr(cmd->args[0].data, '\0', cmd->args[0].len) != NULL ||
	    (cmd->nargs > 1 &&
	        memchr(cmd->args[1].data, '\0', cmd->args[1].len) != NULL)) {
		sieved_reply(s, "NO", NULL, "Bad argument");
		sieved_session_error(s);
		return;
	}
	if (auth_client_sasl_start(s->sd->auth, &ctx, cmd->args[0].data,
	        cmd->nargs > 1 ? cmd->args[1].data : NULL, &reply, s->cmd_arena,
	        &err) != 0) {
		sieved_auth_unreachable(s, &err);
		return;
	}
	sieved_auth_exchange(s, &reply);
}

void
sieved_auth_unauthenticate(struct sieved_session *s)
{
	/* RFC 5804 §2.14.1: back to the state right after the greeting. */
	log_info("[%s]: logout: user=%s", s->addr, s->user);
	sieve_store_free(&s->store);
	s->user = NULL;
	sieved_reply(s, "OK", NULL, "Unauthenticate completed");
}

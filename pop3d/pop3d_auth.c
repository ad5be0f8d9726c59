/* SPDX-License-Identifier: MIT */
/*
 * Logging in: USER/PASS and APOP (RFC 1939 §7), AUTH with an optional
 * initial response (RFC 5034), all decided by authd (ipc/auth_client.h)
 * so pop3d never sees a stored secret. Failures carry RFC 3206 codes:
 * [AUTH] for credentials, [SYS/TEMP] when authd is unreachable or
 * throttles, [IN-USE] when another POP3 session holds the maildrop.
 * authd's throttle delay is served here, before the reply. Passwords
 * and SASL payloads are never logged.
 */
#include "pop3d.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "server/server.h"

/* The longest throttle delay honoured, so a bad reply cannot park us. */
#define POP3D_AUTH_DELAY_MAX_MS (10 * 60 * 1000)

int
pop3d_auth_mechs(struct pop3d_session *s, struct buf *sasl_out,
    bool *apop_out, struct err *err)
{
	struct buf all;
	const char *p;
	size_t len;

	buf_init(&all);
	buf_reset(sasl_out);
	*apop_out = false;
	if (auth_client_mechanisms(
	        s->pd->auth, "pop3", s->tls != NULL, &all, err) != 0) {
		buf_deinit(&all);
		return -1;
	}
	/* APOP shares pop3d_auth_mechanisms but is no SASL mechanism. */
	for (p = all.data; *p != '\0'; p += strspn(p, " ")) {
		len = strcspn(p, " ");
		if (len == 4 && strncasecmp(p, "APOP", 4) == 0) {
			*apop_out = true;
		} else {
			if (sasl_out->len > 0)
				buf_putc(sasl_out, ' ');
			buf_append(sasl_out, p, len);
		}
		p += len;
	}
	buf_deinit(&all);
	return 0;
}

bool
pop3d_auth_listed(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncasecmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

void
pop3d_auth_banner_timestamp(struct pop3d_session *s)
{
	struct buf mechs;
	struct err err;
	struct timespec ts;
	bool apop;

	s->timestamp[0] = '\0';
	buf_init(&mechs);
	/* RFC 1939 §7: a timestamp only when APOP can be used. */
	if (pop3d_auth_mechs(s, &mechs, &apop, &err) == 0 && apop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		(void)snprintf(s->timestamp, sizeof(s->timestamp),
		    "<%ld.%ld.%ld@%s>", (long)getpid(), (long)ts.tv_sec,
		    (long)ts.tv_nsec, s->conf->myhostname);
	}
	buf_deinit(&mechs);
}

/* authd is out of reach: in the mail store chroot it stays so. */
static void
pop3d_auth_unreachable(struct pop3d_session *s, const struct err *err)
{
	log_warning("authd: %s", err->text);
	pop3d_err(s, "SYS/TEMP", "Authentication service unavailable, try "
	                         "again later");
	if (s->pd->jailed) {
		/* A fresh process connects before its chroot. */
		server_stop(s->pd->srv);
		s->done = true;
	}
}

static void
pop3d_auth_delay(unsigned delay_ms)
{
	struct timespec ts;

	if (delay_ms == 0)
		return;
	if (delay_ms > POP3D_AUTH_DELAY_MAX_MS)
		delay_ms = POP3D_AUTH_DELAY_MAX_MS;
	ts.tv_sec = delay_ms / 1000;
	ts.tv_nsec = (long)(delay_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Open the maildrop of the user authd accepted; reply either way. */
static void
pop3d_auth_login(struct pop3d_session *s, const char *user)
{
	struct err err;
	int rc;

	s->user = arena_strdup(s->arena, user);
	rc = pop3d_mailbox_open(s, &err);
	if (rc == 1) {
		log_info("user=<%s>: mailbox in use, rip=%s", s->user, s->addr);
		pop3d_err(s, "IN-USE", "Mailbox is locked by another POP3 "
		                       "session");
	} else if (rc < 0) {
		log_warning("user=<%s>: %s", s->user, err.text);
		pop3d_err(s, err_is_temp(&err) ? "SYS/TEMP" : "SYS/PERM",
		    "Cannot open the mailbox");
	} else {
		log_info("login: user=<%s>, method=%s, rip=%s%s", s->user,
		    s->method, s->addr, s->tls != NULL ? ", TLS" : "");
		s->state = POP3D_TRANSACTION;
		pop3d_ok(s, "Logged in, %zu messages", s->nmsgs);
		return;
	}
	pop3d_mailbox_close(s);
	s->user = NULL;
}

/* The end of any login: rc and reply from an auth_client call. */
static void
pop3d_auth_finish(struct pop3d_session *s, int rc,
    const struct auth_login_reply *reply, const struct err *err)
{
	if (rc != 0) {
		pop3d_auth_unreachable(s, err);
		return;
	}
	pop3d_auth_delay(reply->delay_ms);
	switch (reply->status) {
	case AUTH_LOGIN_OK:
		pop3d_auth_login(s, reply->user);
		break;
	case AUTH_LOGIN_TEMPFAIL:
		log_info("authentication deferred: method=%s, rip=%s",
		    s->method, s->addr);
		pop3d_err(s, "SYS/TEMP", "Temporary authentication failure, "
		                         "try again later");
		break;
	default:
		log_info("authentication failed: method=%s, rip=%s", s->method,
		    s->addr);
		pop3d_err(s, "AUTH", "Authentication failed");
		break;
	}
}

/* The mechanisms of this connection; false after a reply. */
static bool
pop3d_auth_sasl_mechs(struct pop3d_session *s, struct buf *mechs)
{
	struct err err;
	bool apop;

	if (pop3d_auth_mechs(s, mechs, &apop, &err) == 0)
		return true;
	pop3d_auth_unreachable(s, &err);
	return false;
}

void
pop3d_auth_user(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct buf mechs;
	bool ok;

	buf_init(&mechs);
	if (!pop3d_auth_sasl_mechs(s, &mechs)) {
		buf_deinit(&mechs);
		return;
	}
	/* authd leaves PLAIN out where plaintext logins are refused. */
	ok = pop3d_auth_listed(mechs.data, "PLAIN");
	buf_deinit(&mechs);
	if (!ok) {
		pop3d_err(s, "AUTH", "Plaintext authentication disallowed on "
		                     "non-secure connections, use STLS");
		return;
	}
	s->user_arg = arena_strdup(s->arena, cmd->arg[0]);
	pop3d_ok(s, "Send your password");
}

void
pop3d_auth_pass(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct auth_login_ctx ctx;
	struct auth_login_reply reply;
	struct err err;
	const char *user = s->user_arg;
	int rc;

	if (user == NULL) {
		pop3d_err(s, NULL, "No user name given (USER first)");
		return;
	}
	s->user_arg = NULL;
	s->method = "USER";
	pop3d_session_login_ctx(s, &ctx);
	rc = auth_client_password(s->pd->auth, &ctx, user, cmd->arg[0], &reply,
	    s->cmd_arena, &err);
	explicit_bzero(cmd->arg[0], strlen(cmd->arg[0]));
	pop3d_auth_finish(s, rc, &reply, &err);
}

void
pop3d_auth_apop(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct auth_login_ctx ctx;
	struct auth_login_reply reply;
	struct err err;
	int rc;

	if (s->timestamp[0] == '\0') {
		pop3d_err(s, NULL, "APOP is not enabled");
		return;
	}
	s->user_arg = NULL;
	s->method = "APOP";
	pop3d_session_login_ctx(s, &ctx);
	rc = auth_client_apop(s->pd->auth, &ctx, cmd->arg[0], s->timestamp,
	    cmd->arg[1], &reply, s->cmd_arena, &err);
	pop3d_auth_finish(s, rc, &reply, &err);
}

/* AUTH without arguments: the mechanisms, as many clients expect. */
static void
pop3d_auth_list(struct pop3d_session *s, const char *mechs)
{
	const char *p;
	size_t len;

	pop3d_ok(s, "Mechanisms follow");
	for (p = mechs; *p != '\0'; p += strspn(p, " ")) {
		len = strcspn(p, " ");
		buf_append(&s->io.out, p, len);
		buf_puts(&s->io.out, "\r\n");
		p += len;
	}
	buf_puts(&s->io.out, ".\r\n");
}

/*
 * The continuation rounds (RFC 5034 §4): "+ challenge", a base64 line
 * back, "*" cancels. 0 with the final reply, -1 when authd could not be
 * reached (err), 1 when the exchange ended without a result (a reply
 * or a lost connection is already dealt with).
 */
static int
pop3d_auth_rounds(struct pop3d_session *s, struct auth_login_reply *reply,
    struct err *err)
{
	const char *line, *id;
	size_t len;
	int r;

	while (reply->status == AUTH_LOGIN_CONTINUE) {
		id = arena_strdup(s->arena, reply->id);
		buf_printf(&s->io.out, "+ %s\r\n", reply->challenge);
		r = pop3d_session_read_line(s, &line, &len);
		if (r <= 0 || (len == 1 && line[0] == '*')) {
			auth_client_sasl_abort(s->pd->auth, id);
			if (r == 0)
				pop3d_err(s, NULL, "Line too long");
			else if (r > 0)
				pop3d_err(s, NULL, "Authentication aborted");
			return 1;
		}
		if (auth_client_sasl_step(s->pd->auth, id,
		        arena_strndup(s->cmd_arena, line, len), reply,
		        s->cmd_arena, err) != 0)
			return -1;
	}
	return 0;
}

void
pop3d_auth_sasl(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	struct auth_login_ctx ctx;
	struct auth_login_reply reply;
	struct err err;
	struct buf mechs;
	const char *initial = NULL;
	bool offered;
	int rc;

	buf_init(&mechs);
	if (!pop3d_auth_sasl_mechs(s, &mechs)) {
		buf_deinit(&mechs);
		return;
	}
	if (cmd->nargs == 0)
		pop3d_auth_list(s, mechs.data);
	offered = cmd->nargs > 0 && pop3d_auth_listed(mechs.data, cmd->arg[0]);
	buf_deinit(&mechs);
	if (cmd->nargs == 0)
		return;
	if (!offered) {
		pop3d_err(s, NULL, "Unsupported authentication mechanism");
		return;
	}
	s->user_arg = NULL;
	s->method = arena_strdup(s->arena, cmd->arg[0]);
	/* RFC 5034 §4: "=" is an empty initial response. */
	if (cmd->nargs == 2)
		initial = strcmp(cmd->arg[1], "=") == 0 ? "" : cmd->arg[1];
	pop3d_session_login_ctx(s, &ctx);
	rc = auth_client_sasl_start(s->pd->auth, &ctx, cmd->arg[0], initial,
	    &reply, s->cmd_arena, &err);
	if (rc == 0)
		rc = pop3d_auth_rounds(s, &reply, &err);
	if (rc != 1)
		pop3d_auth_finish(s, rc, &reply, &err);
}

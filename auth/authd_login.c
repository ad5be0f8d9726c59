/* SPDX-License-Identifier: MIT */
/*
 * authd's login requests (ipc/auth_client.h): the mechanism list, SASL
 * exchanges, plain password checks and APOP, with the policy around
 * them -- the throttle (authd_throttle.c), the account checks
 * (authd_policy.c) -- and their log lines: failures at notice naming
 * service, user, client and reason, successes at info. Requests come
 * from the protocol daemons but carry client data: every field is
 * bounded and checked, and the reply never says why a login failed.
 */
#include "authd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authd_throttle.h"
#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "server/server.h"
#include "userdb/userdb.h"

/* One login attempt, for the log lines and the throttle. */
struct authd_login_try {
	const struct authd_service *svc;
	struct auth_login_ctx ctx;
	const char *method; /* the mechanism, "password" or "APOP" */
	const char *user; /* as canonical as known; "" when none */
};

static void
authd_login_reply(struct ipc_msg *reply, enum auth_login_status status,
    const char *user, uint64_t delay_ms)
{
	struct auth_login_reply r = {
	    .status = status,
	    .user = user,
	    .delay_ms = (unsigned)(delay_ms < AUTH_DELAY_MAX_MS
	            ? delay_ms
	            : AUTH_DELAY_MAX_MS),
	};

	auth_login_reply_encode(&r, reply);
}

/* Client text for a log line. */
static const char *
authd_login_shown(const char *s, char *buf, size_t size)
{
	return log_escape(s, strlen(s), 64, buf, size);
}

static void
authd_login_failed(struct authd *ad, const struct authd_login_try *t,
    const char *reason, bool counted, struct ipc_msg *reply)
{
	uint64_t delay = 0;
	char user[300], addr[300];

	if (counted)
		delay = authd_throttle_failure(ad->throttle,
		    t->ctx.client_addr, t->user, event_now_ms());
	log_notice("%s login failed: user=<%s>, client=%s, method=%s, "
	           "reason=%s",
	    t->svc->name, authd_login_shown(t->user, user, sizeof(user)),
	    authd_login_shown(t->ctx.client_addr, addr, sizeof(addr)),
	    t->method, reason);
	authd_login_reply(reply, AUTH_LOGIN_FAIL, NULL, delay);
}

static void
authd_login_tempfail(const struct authd_login_try *t, const char *reason,
    uint64_t delay, struct ipc_msg *reply)
{
	char user[300], addr[300];

	log_notice("%s login refused for now: user=<%s>, client=%s, "
	           "method=%s, reason=%s",
	    t->svc->name, authd_login_shown(t->user, user, sizeof(user)),
	    authd_login_shown(t->ctx.client_addr, addr, sizeof(addr)),
	    t->method, reason);
	authd_login_reply(reply, AUTH_LOGIN_TEMPFAIL, NULL, delay);
}

/* Credentials were right: may the account log in here? */
static void
authd_login_ok(struct authd *ad, const struct authd_login_try *t,
    struct arena *arena, struct ipc_msg *reply)
{
	struct userdb_user u;
	const char *refusal;
	char addr[300];
	struct err err;
	uint64_t delay;
	int rc;

	rc = authd_db_get(ad, t->user, &u, arena, &err);
	if (rc <= 0) {
		authd_login_tempfail(t, rc < 0 ? err.text : "user vanished", 0,
		    reply);
		return;
	}
	refusal = authd_policy_user(&u, t->svc);
	userdb_user_wipe(&u);
	if (refusal != NULL) {
		authd_login_failed(ad, t, refusal, true, reply);
		return;
	}
	delay = authd_throttle_success(
	    ad->throttle, t->ctx.client_addr, t->user, event_now_ms());
	log_info("%s login: user=<%s>, client=%s, method=%s", t->svc->name,
	    t->user, authd_login_shown(t->ctx.client_addr, addr, sizeof(addr)),
	    t->method);
	authd_login_reply(reply, AUTH_LOGIN_OK, t->user, delay);
}

/* Refuse a client address over the failure limit; true if refused. */
static bool
authd_login_blocked(
    struct authd *ad, const struct authd_login_try *t, struct ipc_msg *reply)
{
	if (!authd_throttle_blocked(
	        ad->throttle, t->ctx.client_addr, event_now_ms()))
		return false;
	authd_login_tempfail(t, "too many failed logins from the client",
	    (uint64_t)server_conf(ad->srv)->auth_failure_max_delay * 1000,
	    reply);
	return true;
}

/* A bounded string attribute without NUL bytes. */
static int
authd_login_str(struct ipc_reader *rd, const char *name, bool required,
    size_t max, const char **out, struct err *err)
{
	size_t len;
	int rc = ipc_get_bytes(rd, name, required, out, &len, err);

	if (rc > 0 && (len > max || memchr(*out, '\0', len) != NULL))
		return err_set(err, ERR_PERM, "", "bad attribute %s", name);
	return rc;
}

/* The context of a login request; NULL svc when refused (reply set). */
static const struct authd_service *
authd_login_ctx(struct ipc_reader *rd, struct auth_login_ctx *ctx,
    struct arena *arena, struct ipc_msg *reply)
{
	const struct authd_service *svc;
	struct err err;

	if (auth_login_ctx_decode(rd, ctx, arena, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return NULL;
	}
	if ((svc = authd_policy_service(ctx->service)) == NULL)
		authd_req_refuse("unknown service", reply);
	return svc;
}

static void
authd_login_mechs(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	const struct authd_service *svc;
	const char *service;
	long long tls;
	struct buf mechs;
	struct err err;

	(void)logins;
	(void)arena;
	if (ipc_get_str(rd, "service", true, &service, &err) < 0 ||
	    ipc_get_num(rd, "tls", true, 0, 1, &tls, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	if ((svc = authd_policy_service(service)) == NULL) {
		authd_req_refuse("unknown service", reply);
		return;
	}
	buf_init(&mechs);
	authd_policy_mechs(ad, svc, tls != 0, &mechs);
	ipc_msg_add_str(reply, "status", AUTH_STATUS_OK);
	ipc_msg_add_str(reply, "mechs", mechs.data);
	buf_deinit(&mechs);
}

/* The end of a SASL step: log, throttle, answer. */
static void
authd_login_sasl_result(struct authd *ad, struct authd_login_try *t,
    const struct authd_sasl_result *res, const char *id, struct arena *arena,
    struct ipc_msg *reply)
{
	struct auth_login_reply r = {.status = AUTH_LOGIN_CONTINUE};

	t->user = res->user;
	switch (res->status) {
	case AUTH_LOGIN_CONTINUE:
		r.id = id;
		r.challenge = res->challenge;
		auth_login_reply_encode(&r, reply);
		break;
	case AUTH_LOGIN_OK:
		authd_login_ok(ad, t, arena, reply);
		break;
	case AUTH_LOGIN_FAIL:
		authd_login_failed(ad, t, res->reason, true, reply);
		break;
	default:
		authd_login_tempfail(t, res->reason, 0, reply);
		break;
	}
}

static void
authd_login_sasl_start(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	struct authd_login_try t = {.user = ""};
	struct authd_sasl_result res;
	const char *mech, *initial = NULL, *id = NULL;
	struct err err;

	if ((t.svc = authd_login_ctx(rd, &t.ctx, arena, reply)) == NULL)
		return;
	if (authd_login_str(rd, "mech", true, 32, &mech, &err) < 0 ||
	    authd_login_str(rd, "initial", false, AUTH_SASL_B64_MAX, &initial,
	        &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	t.method = mech;
	if (authd_login_blocked(ad, &t, reply))
		return;
	if (!authd_policy_mech_ok(ad, t.svc, t.ctx.tls, mech) ||
	    strcasecmp(mech, "APOP") == 0) {
		/* Not a guess at a password: not counted. */
		authd_login_failed(ad, &t, "mechanism not offered here", false,
		    reply);
		return;
	}
	authd_sasl_start(
	    ad, logins, &t.ctx, t.svc, mech, initial, &res, &id, arena);
	authd_login_sasl_result(ad, &t, &res, id, arena, reply);
}

static void
authd_login_sasl_step(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	struct authd_login_try t = {.user = ""};
	struct authd_sasl_result res;
	const char *id, *response;
	struct err err;

	if (authd_login_str(rd, "id", true, 32, &id, &err) < 0 ||
	    authd_login_str(rd, "response", true, AUTH_SASL_B64_MAX, &response,
	        &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	if (!authd_sasl_step(
	        ad, logins, id, response, &t.ctx, &t.method, &res, arena)) {
		/* Timed out or never opened: the daemon answers a failure. */
		log_info("login step for unknown exchange %s", id);
		authd_login_reply(reply, AUTH_LOGIN_FAIL, NULL, 0);
		return;
	}
	t.svc = authd_policy_service(t.ctx.service);
	authd_login_sasl_result(ad, &t, &res, id, arena, reply);
}

static void
authd_login_sasl_abort(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	const char *id;
	struct err err;

	(void)ad;
	(void)arena;
	if (authd_login_str(rd, "id", true, 32, &id, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	authd_sasl_abort(logins, id);
	ipc_msg_add_str(reply, "status", AUTH_STATUS_OK);
}

/*
 * Check a password or an APOP digest against the user's record, then
 * answer. apop_ts NULL: secret is a password for the crypt(3) hash.
 */
static void
authd_login_check(struct authd *ad, struct authd_login_try *t,
    const char *secret, const char *apop_ts, struct arena *arena,
    struct ipc_msg *reply)
{
	struct userdb_user u;
	struct err err;
	bool ok;
	int rc;

	if (authd_login_blocked(ad, t, reply))
		return;
	rc = authd_db_get(ad, t->user, &u, arena, &err);
	if (rc < 0) {
		authd_login_tempfail(t, err.text, 0, reply);
		return;
	}
	if (rc == 0) {
		authd_login_failed(ad, t, "no such user", true, reply);
		return;
	}
	t->user = u.address;
	if (apop_ts == NULL)
		ok = userdb_password_verify(u.password_hash, secret);
	else
		ok = authd_policy_secret_ok(&u, "APOP") &&
		    authd_apop_verify(apop_ts, u.secret, secret);
	userdb_user_wipe(&u);
	if (!ok)
		authd_login_failed(ad, t,
		    apop_ts == NULL ? "wrong password"
		                    : "wrong digest, or no stored secret",
		    true, reply);
	else
		authd_login_ok(ad, t, arena, reply);
}

static void
authd_login_password(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	struct authd_login_try t = {.method = "password"};
	const char *password;
	struct err err;

	(void)logins;
	if ((t.svc = authd_login_ctx(rd, &t.ctx, arena, reply)) == NULL)
		return;
	if (authd_login_str(rd, "user", true, USERDB_ADDRESS_MAX, &t.user,
	        &err) < 0 ||
	    authd_login_str(rd, "password", true, USERDB_FIELD_MAX, &password,
	        &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	if (!authd_policy_plaintext_ok(ad, t.ctx.tls)) {
		authd_login_failed(ad, &t, "plaintext password without TLS",
		    false, reply);
		return;
	}
	authd_login_check(ad, &t, password, NULL, arena, reply);
}

static void
authd_login_apop(struct authd *ad, struct authd_logins *logins,
    struct ipc_reader *rd, struct arena *arena, struct ipc_msg *reply)
{
	struct authd_login_try t = {.method = "APOP"};
	const char *timestamp, *digest;
	struct err err;

	(void)logins;
	if ((t.svc = authd_login_ctx(rd, &t.ctx, arena, reply)) == NULL)
		return;
	if (authd_login_str(rd, "user", true, USERDB_ADDRESS_MAX, &t.user,
	        &err) < 0 ||
	    authd_login_str(rd, "timestamp", true, 512, &timestamp, &err) < 0 ||
	    authd_login_str(rd, "digest", true, 64, &digest, &err) < 0 ||
	    ipc_reader_done(rd, &err) < 0) {
		authd_req_refuse(err.text, reply);
		return;
	}
	if (!authd_policy_mech_ok(ad, t.svc, t.ctx.tls, "APOP")) {
		authd_login_failed(
		    ad, &t, "APOP not enabled for the service", false, reply);
		return;
	}
	authd_login_check(ad, &t, digest, timestamp, arena, reply);
}

static const struct {
	const char *verb;
	void (*fn)(struct authd *, struct authd_logins *, struct ipc_reader *,
	    struct arena *, struct ipc_msg *);
} authd_login_requests[] = {
    {AUTH_REQ_MECHS, authd_login_mechs},
    {AUTH_REQ_SASL_START, authd_login_sasl_start},
    {AUTH_REQ_SASL_STEP, authd_login_sasl_step},
    {AUTH_REQ_SASL_ABORT, authd_login_sasl_abort},
    {AUTH_REQ_PASSWORD, authd_login_password},
    {AUTH_REQ_APOP, authd_login_apop},
};

bool
authd_login_handle(struct authd *ad, struct authd_logins *logins,
    const char *verb, struct ipc_reader *rd, struct ipc_msg *reply)
{
	struct arena *arena;
	size_t i;

	for (i = 0; i < sizeof(authd_login_requests) /
	         sizeof(authd_login_requests[0]);
	     i++) {
		if (strcmp(verb, authd_login_requests[i].verb) != 0)
			continue;
		arena = arena_new();
		authd_login_requests[i].fn(ad, logins, rd, arena, reply);
		arena_free(&arena);
		return true;
	}
	return false;
}

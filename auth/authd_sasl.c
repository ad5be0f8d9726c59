/* SPDX-License-Identifier: MIT */
/*
 * SASL exchanges through Cyrus SASL (libsasl2). The library is confined
 * to what we configure: options come from our callback (mech_list is
 * what authd supports; per-service lists are applied before an
 * exchange starts), no configuration or password file is ever read, only
 * the PLAIN, LOGIN, CRAM-MD5 and SCRAM plugins load, and the only user
 * store is authd_backend.c. Exchanges live per client connection, are
 * named by an id, and are dropped after authd_timeout without a step.
 * Client data arrives as base64 from the protocol daemons: hostile.
 */
#include "authd_sasl_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/server.h"

/* The mechanisms Cyrus may offer at all; AUTHD_SASL_PLUGINS load them. */
#define AUTHD_SASL_MECH_LIST "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"
static const char *const authd_sasl_plugins[] = {
    "libplain.", "liblogin.", "libcrammd5.", "libscram."};

static int
authd_sasl_getopt(void *context, const char *plugin, const char *option,
    const char **result, unsigned *len)
{
	static const struct {
		const char *name, *value;
	} opts[] = {
	    {"mech_list", AUTHD_SASL_MECH_LIST},
	    {"auxprop_plugin", AUTHD_AUXPROP_NAME},
	    {"pwcheck_method", "auxprop"},
	    {"canon_user_plugin", "INTERNAL"},
	};
	size_t i;

	(void)context;
	(void)plugin;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(option, opts[i].name) == 0) {
			*result = opts[i].value;
			if (len != NULL)
				*len = (unsigned)strlen(opts[i].value);
			return SASL_OK;
		}
	}
	return SASL_FAIL;
}

/* Cyrus's messages may quote client data: escaped, errors only above
 * debug. */
static int
authd_sasl_log(void *context, int level, const char *message)
{
	char shown[256];

	(void)context;
	log_escape(message, strlen(message), 200, shown, sizeof(shown));
	if (level <= SASL_LOG_ERR)
		log_warning("sasl: %s", shown);
	else
		log_debug("sasl: %s", shown);
	return SASL_OK;
}

static int
authd_sasl_verifyfile(void *context, const char *file, sasl_verify_type_t type)
{
	const char *base = strrchr(file, '/');
	size_t i;

	(void)context;
	base = base != NULL ? base + 1 : file;
	if (type != SASL_VRFY_PLUGIN)
		return SASL_CONTINUE;
	for (i = 0; i < sizeof(authd_sasl_plugins) / sizeof(authd_sasl_plugins[0]);
	     i++)
		if (strncmp(base, authd_sasl_plugins[i],
		        strlen(authd_sasl_plugins[i])) == 0)
			return SASL_OK;
	return SASL_CONTINUE;
}

void
authd_sasl_init(struct authd *ad)
{
	sasl_callback_t *cbs = xcalloc(4, sizeof(*cbs));
	int rc;

	cbs[0] = (sasl_callback_t){
	    SASL_CB_GETOPT, AUTHD_SASL_PROC(authd_sasl_getopt), ad};
	cbs[1] = (sasl_callback_t){
	    SASL_CB_LOG, AUTHD_SASL_PROC(authd_sasl_log), ad};
	/*
	 * No SASL_CB_GETCONFPATH: verifyfile refuses every configuration
	 * file, wherever Cyrus would look, so the path never matters (and
	 * libsasl2 2.1.28 leaks the string that callback must allocate).
	 */
	cbs[2] = (sasl_callback_t){
	    SASL_CB_VERIFYFILE, AUTHD_SASL_PROC(authd_sasl_verifyfile), ad};
	cbs[3] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};
	ad->sasl_cbs = cbs;
	if ((rc = authd_backend_auxprop_init()) != SASL_OK)
		log_fatal("sasl: cannot add the users database plugin: %s",
		    sasl_errstring(rc, NULL, NULL));
	if ((rc = sasl_server_init(cbs, "postern-authd")) != SASL_OK)
		log_fatal("sasl: cannot initialise: %s",
		    sasl_errstring(rc, NULL, NULL));
	ad->sasl_ready = true;
}

void
authd_sasl_done(struct authd *ad)
{
	if (ad->sasl_ready)
		sasl_server_done();
	ad->sasl_ready = false;
	free(ad->sasl_cbs);
	ad->sasl_cbs = NULL;
}

static void
authd_sasl_free(struct authd_exch *ex)
{
	event_timer_cancel(server_loop(ex->ad->srv), ex->timer);
	if (ex->conn != NULL)
		sasl_dispose(&ex->conn);
	explicit_bzero(ex, sizeof(*ex));
	free(ex);
}

/* Take ex out of its connection's list. */
static void
authd_sasl_unlink(struct authd_exch *ex)
{
	struct authd_exch **pp;

	for (pp = &ex->owner->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == ex) {
			*pp = ex->next;
			ex->owner->count--;
			return;
		}
	}
}

static void
authd_sasl_expire(struct event_loop *loop, void *ctx)
{
	struct authd_exch *ex = ctx;

	(void)loop;
	ex->timer = 0;
	log_info("%s login exchange %s from %s timed out", ex->svc->name,
	    ex->mech, ex->client_addr);
	authd_sasl_unlink(ex);
	authd_sasl_free(ex);
}

/* Decode base64 client data into a fresh buffer (wiped and freed by the
 * caller). NULL when it is no base64. */
static char *
authd_sasl_decode(const char *b64, unsigned *len_out)
{
	size_t inlen = strlen(b64);
	unsigned cap = (unsigned)(inlen / 4 * 3 + 4);
	char *out;

	if (inlen > AUTH_SASL_B64_MAX)
		return NULL;
	out = xmalloc(cap);
	if (sasl_decode64(b64, (unsigned)inlen, out, cap, len_out) != SASL_OK) {
		free(out);
		return NULL;
	}
	return out;
}

/* Map Cyrus's answer to a login result. */
static void
authd_sasl_outcome(struct authd_exch *ex, int rc, const char *out,
    unsigned outlen, struct authd_sasl_result *res, struct arena *arena)
{
	const void *user = NULL;
	unsigned cap = (outlen + 2) / 3 * 4 + 1, len;
	char *b64;

	memset(res, 0, sizeof(*res));
	res->user = arena_strdup(arena, ex->user);
	if (ex->db_trouble) {
		res->status = AUTH_LOGIN_TEMPFAIL;
		res->reason = "users database unavailable";
	} else if (rc == SASL_CONTINUE) {
		b64 = arena_alloc(arena, cap);
		if (sasl_encode64(out, outlen, b64, cap, &len) != SASL_OK) {
			res->status = AUTH_LOGIN_TEMPFAIL;
			res->reason = "cannot encode the challenge";
			return;
		}
		res->status = AUTH_LOGIN_CONTINUE;
		res->challenge = b64;
	} else if (rc == SASL_OK &&
	    sasl_getprop(ex->conn, SASL_USERNAME, &user) == SASL_OK &&
	    user != NULL) {
		res->status = AUTH_LOGIN_OK;
		res->user = arena_strdup(arena, user);
	} else if (rc == SASL_TRYAGAIN || rc == SASL_UNAVAIL ||
	    rc == SASL_NOMEM || rc == SASL_OK) {
		res->status = AUTH_LOGIN_TEMPFAIL;
		res->reason = sasl_errstring(rc, NULL, NULL);
	} else {
		res->status = AUTH_LOGIN_FAIL;
		res->reason = rc == SASL_NOUSER && authd_policy_secret_mech(ex->mech)
		    ? "no such user, or no stored secret"
		    : sasl_errstring(rc, NULL, NULL);
	}
}

/* Run one step (start when first) with base64 client data or NULL. */
static void
authd_sasl_run(struct authd_exch *ex, bool first, const char *b64,
    struct authd_sasl_result *res, struct arena *arena)
{
	const char *out = NULL;
	unsigned inlen = 0, outlen = 0;
	char *in = NULL;
	int rc;

	if (b64 != NULL && (in = authd_sasl_decode(b64, &inlen)) == NULL) {
		memset(res, 0, sizeof(*res));
		res->status = AUTH_LOGIN_FAIL;
		res->user = arena_strdup(arena, ex->user);
		res->reason = "malformed base64";
		return;
	}
	if (first)
		rc = sasl_server_start(ex->conn, ex->mech, in, inlen, &out, &outlen);
	else
		rc = sasl_server_step(ex->conn, in != NULL ? in : "", inlen, &out,
		    &outlen);
	if (in != NULL) {
		explicit_bzero(in, inlen);
		free(in);
	}
	authd_sasl_outcome(ex, rc, out, outlen, res, arena);
}

/* A new exchange with its Cyrus connection; NULL when Cyrus refuses. */
static struct authd_exch *
authd_sasl_new(struct authd *ad, struct authd_logins *logins,
    const struct auth_login_ctx *ctx, const struct authd_service *svc,
    const char *mech)
{
	sasl_security_properties_t sec = {
	    .security_flags = SASL_SEC_NOANONYMOUS};
	struct authd_exch *ex = xcalloc(1, sizeof(*ex));
	size_t i;

	ex->ad = ad;
	ex->owner = logins;
	ex->svc = svc;
	ex->tls = ctx->tls;
	snprintf(ex->client_addr, sizeof(ex->client_addr), "%s",
	    ctx->client_addr);
	for (i = 0; mech[i] != '\0' && i + 1 < sizeof(ex->mech); i++)
		ex->mech[i] = (char)(mech[i] >= 'a' && mech[i] <= 'z'
		        ? mech[i] - 'a' + 'A'
		        : mech[i]);
	snprintf(ex->id, sizeof(ex->id), "%llu",
	    (unsigned long long)++logins->next_id);
	authd_backend_callbacks(ex, ex->cbs);
	/* No security layer: TLS protects the session, SASL only proves
	 * who the client is. */
	if (sasl_server_new(svc->name, server_conf(ad->srv)->myhostname, NULL,
	        NULL, NULL, ex->cbs, 0, &ex->conn) != SASL_OK ||
	    sasl_setprop(ex->conn, SASL_SEC_PROPS, &sec) != SASL_OK) {
		authd_sasl_free(ex);
		return NULL;
	}
	return ex;
}

/* Keep an unfinished exchange open; free a finished one. */
static void
authd_sasl_keep(struct authd_exch *ex, const struct authd_sasl_result *res)
{
	struct event_loop *loop = server_loop(ex->ad->srv);

	if (res->status != AUTH_LOGIN_CONTINUE) {
		authd_sasl_free(ex);
		return;
	}
	event_timer_cancel(loop, ex->timer);
	ex->timer = event_timer_add(
	    loop, (uint64_t)ex->ad->timeout_ms, authd_sasl_expire, ex);
	ex->next = ex->owner->head;
	ex->owner->head = ex;
	ex->owner->count++;
}

void
authd_sasl_start(struct authd *ad, struct authd_logins *logins,
    const struct auth_login_ctx *ctx, const struct authd_service *svc,
    const char *mech, const char *initial, struct authd_sasl_result *res,
    const char **id_out, struct arena *arena)
{
	struct authd_exch *ex = NULL;

	memset(res, 0, sizeof(*res));
	res->user = "";
	res->status = AUTH_LOGIN_TEMPFAIL;
	if (logins->count >= AUTHD_EXCH_MAX) {
		res->reason = "too many open exchanges on one connection";
		return;
	}
	if ((ex = authd_sasl_new(ad, logins, ctx, svc, mech)) == NULL) {
		res->reason = "cannot start a SASL exchange";
		return;
	}
	authd_sasl_run(ex, true, initial, res, arena);
	*id_out = arena_strdup(arena, ex->id);
	authd_sasl_keep(ex, res);
}

static struct authd_exch *
authd_sasl_find(struct authd_logins *logins, const char *id)
{
	struct authd_exch *ex;

	for (ex = logins->head; ex != NULL; ex = ex->next)
		if (strcmp(ex->id, id) == 0)
			return ex;
	return NULL;
}

bool
authd_sasl_step(struct authd *ad, struct authd_logins *logins,
    const char *id, const char *response, struct auth_login_ctx *ctx_out,
    const char **mech_out, struct authd_sasl_result *res, struct arena *arena)
{
	struct authd_exch *ex = authd_sasl_find(logins, id);

	(void)ad;
	if (ex == NULL)
		return false;
	authd_sasl_unlink(ex);
	ctx_out->service = ex->svc->name;
	ctx_out->client_addr = arena_strdup(arena, ex->client_addr);
	ctx_out->tls = ex->tls;
	*mech_out = arena_strdup(arena, ex->mech);
	authd_sasl_run(ex, false, response, res, arena);
	authd_sasl_keep(ex, res);
	return true;
}

void
authd_sasl_abort(struct authd_logins *logins, const char *id)
{
	struct authd_exch *ex = authd_sasl_find(logins, id);

	if (ex != NULL) {
		authd_sasl_unlink(ex);
		authd_sasl_free(ex);
	}
}

void
authd_sasl_close_all(struct authd_logins *logins)
{
	struct authd_exch *ex;

	while ((ex = logins->head) != NULL) {
		logins->head = ex->next;
		authd_sasl_free(ex);
	}
	logins->count = 0;
}

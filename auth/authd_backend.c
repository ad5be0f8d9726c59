/* SPDX-License-Identifier: MIT */
/*
 * Cyrus SASL's view of the users database, in process: the callbacks
 * an exchange registers (user name canonicalisation, plaintext password
 * checks against the crypt(3) hash) and an auxprop plugin that gives
 * CRAM-MD5 and SCRAM-SHA-256 the user's stored plaintext-equivalent
 * secret as userPassword. Names and passwords come from clients.
 */
#include "authd_sasl_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/log.h"

/* Lower-case in[0..len) into out (size > len). False when unusable. */
static bool
authd_backend_name(const char *in, unsigned len, char *out)
{
	unsigned i;

	if (len == 0 || len > USERDB_ADDRESS_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch <= ' ' || ch >= 0x7f)
			return false;
		out[i] = (char)tolower(ch);
	}
	out[len] = '\0';
	return true;
}

/*
 * SASL_CB_CANON_USER: logins name any of a user's addresses in any
 * case; Cyrus and the logs see the primary address. A name no user has
 * stays as typed (lower case) and fails later as "no such user".
 */
static int
authd_backend_canon(sasl_conn_t *conn, void *context, const char *in,
    unsigned inlen, unsigned flags, const char *realm, char *out,
    unsigned out_max, unsigned *out_len)
{
	struct authd_exch *ex = context;
	char name[USERDB_ADDRESS_MAX + 1];
	struct userdb_user u;
	struct arena *arena;
	struct err err;
	size_t len;
	int rc;

	(void)conn;
	(void)realm;
	if (!authd_backend_name(in, inlen, name))
		return SASL_BADPROT;
	arena = arena_new();
	rc = authd_db_get(ex->ad, name, &u, arena, &err);
	if (rc < 0) {
		log_warning("users database: %s", err.text);
		ex->db_trouble = true;
	} else if (rc > 0) {
		snprintf(name, sizeof(name), "%s", u.address);
		userdb_user_wipe(&u);
	}
	arena_free(&arena);
	if (rc < 0)
		return SASL_UNAVAIL;
	len = strlen(name);
	if (len >= out_max)
		return SASL_BUFOVER;
	memcpy(out, name, len + 1);
	*out_len = (unsigned)len;
	if (flags & SASL_CU_AUTHID)
		memcpy(ex->user, name, len + 1);
	return SASL_OK;
}

/* SASL_CB_SERVER_USERDB_CHECKPASS: PLAIN and LOGIN. */
/* The user's record for a Cyrus callback: SASL_OK with *u filled (in
 * arena), SASL_NOUSER, or SASL_UNAVAIL when the database failed. */
static int
authd_backend_user(struct authd_exch *ex, const char *name,
    struct userdb_user *u, struct arena *arena)
{
	struct err err;
	int rc = authd_db_get(ex->ad, name, u, arena, &err);

	if (rc < 0) {
		log_warning("users database: %s", err.text);
		ex->db_trouble = true;
		return SASL_UNAVAIL;
	}
	return rc == 0 ? SASL_NOUSER : SASL_OK;
}

static int
authd_backend_checkpass(sasl_conn_t *conn, void *context, const char *user,
    const char *pass, unsigned passlen, struct propctx *propctx)
{
	struct authd_exch *ex = context;
	struct userdb_user u;
	struct arena *arena;
	char *copy;
	int result;

	(void)conn;
	(void)propctx;
	if (passlen == 0 || passlen > USERDB_FIELD_MAX ||
	    memchr(pass, '\0', passlen) != NULL)
		return SASL_BADAUTH;
	arena = arena_new();
	result = authd_backend_user(ex, user, &u, arena);
	if (result == SASL_OK) {
		copy = arena_strndup(arena, pass, passlen);
		result = userdb_password_verify(u.password_hash, copy)
		    ? SASL_OK
		    : SASL_BADAUTH;
		explicit_bzero(copy, passlen);
		userdb_user_wipe(&u);
	}
	arena_free(&arena);
	return result;
}

void
authd_backend_callbacks(struct authd_exch *ex, struct sasl_callback *cbs)
{
	cbs[0].id = SASL_CB_CANON_USER;
	cbs[0].proc = AUTHD_SASL_PROC(authd_backend_canon);
	cbs[0].context = ex;
	cbs[1].id = SASL_CB_SERVER_USERDB_CHECKPASS;
	cbs[1].proc = AUTHD_SASL_PROC(authd_backend_checkpass);
	cbs[1].context = ex;
	cbs[2].id = SASL_CB_LIST_END;
	cbs[2].proc = NULL;
	cbs[2].context = NULL;
}

/*
 * The exchange a plugin call belongs to: the context of its canon_user
 * callback (plugins get no context of their own), or NULL.
 */
static struct authd_exch *
authd_backend_exch(sasl_server_params_t *sparams)
{
	sasl_callback_ft proc = NULL;
	void *context = NULL;

	if (sparams->utils->getcallback(sparams->utils->conn,
	        SASL_CB_CANON_USER, &proc, &context) != SASL_OK ||
	    proc != AUTHD_SASL_PROC(authd_backend_canon))
		return NULL;
	return context;
}

/* Give Cyrus the user's secret, when the user has one for this mech. */
static int
authd_backend_secret(struct authd_exch *ex, sasl_server_params_t *sparams,
    const char *prop, const char *user, unsigned ulen)
{
	char name[USERDB_ADDRESS_MAX + 1];
	struct userdb_user u;
	struct arena *arena;
	int result;

	if (!authd_backend_name(user, ulen, name))
		return SASL_NOUSER;
	arena = arena_new();
	result = authd_backend_user(ex, name, &u, arena);
	if (result == SASL_OK) {
		if (authd_policy_secret_ok(&u, ex->mech))
			sparams->utils->prop_set(sparams->propctx, prop,
			    u.secret, (int)strlen(u.secret));
		userdb_user_wipe(&u);
	}
	arena_free(&arena);
	return result;
}

/*
 * Only the authentication identity's userPassword ("*userPassword"),
 * and only for mechanisms that need a secret: for PLAIN and LOGIN it
 * stays unset, so Cyrus's own fallback after a failed password check
 * finds nothing to compare with.
 */
static int
authd_backend_lookup(void *glob_context, sasl_server_params_t *sparams,
    unsigned flags, const char *user, unsigned ulen)
{
	static const char prop[] = SASL_AUX_PASSWORD;
	const struct propval *pv;
	struct authd_exch *ex = authd_backend_exch(sparams);

	(void)glob_context;
	if (ex == NULL || (flags & SASL_AUXPROP_AUTHZID) ||
	    !authd_policy_secret_mech(ex->mech))
		return SASL_OK;
	for (pv = sparams->utils->prop_get(sparams->propctx);
	     pv != NULL && pv->name != NULL; pv++) {
		if (strcmp(pv->name, prop) != 0)
			continue;
		if (pv->values != NULL && !(flags & SASL_AUXPROP_OVERRIDE))
			return SASL_OK;
		if (pv->values != NULL)
			sparams->utils->prop_erase(sparams->propctx, prop);
		return authd_backend_secret(ex, sparams, prop, user, ulen);
	}
	return SASL_OK;
}

/* Cyrus wants a writable plugin record; it is never written. */
static char authd_backend_plug_name[] = AUTHD_AUXPROP_NAME;
static sasl_auxprop_plug_t authd_backend_plug = {
    .auxprop_lookup = authd_backend_lookup,
    .name = authd_backend_plug_name,
};

static int
authd_backend_plug_init(const sasl_utils_t *utils, int max_version,
    int *out_version, sasl_auxprop_plug_t **plug, const char *plugname)
{
	(void)utils;
	(void)plugname;
	if (max_version < SASL_AUXPROP_PLUG_VERSION)
		return SASL_BADVERS;
	*out_version = SASL_AUXPROP_PLUG_VERSION;
	*plug = &authd_backend_plug;
	return SASL_OK;
}

int
authd_backend_auxprop_init(void)
{
	return sasl_auxprop_add_plugin(
	    AUTHD_AUXPROP_NAME, authd_backend_plug_init);
}

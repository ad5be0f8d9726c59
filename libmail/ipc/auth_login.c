/* SPDX-License-Identifier: MIT */
/*
 * The wire form of logins between the protocol daemons and authd: the
 * login context every request carries and the login reply. Shared by
 * both sides so the attribute names live in one place. Decoding treats
 * the frame as hostile: every field is bounded and checked.
 */
#include "ipc/auth_client.h"

#include <string.h>

/* Longest service name, client address, exchange id and user name. */
#define AUTH_LOGIN_SERVICE_MAX 16
#define AUTH_LOGIN_ADDR_MAX 64
#define AUTH_LOGIN_ID_MAX 32
#define AUTH_LOGIN_USER_MAX 255

static const char *const auth_login_status_names[] = {
    [AUTH_LOGIN_CONTINUE] = AUTH_STATUS_CONTINUE,
    [AUTH_LOGIN_OK] = AUTH_STATUS_OK,
    [AUTH_LOGIN_FAIL] = AUTH_STATUS_FAIL,
    [AUTH_LOGIN_TEMPFAIL] = AUTH_STATUS_TEMPFAIL,
};

void
auth_login_ctx_encode(const struct auth_login_ctx *ctx, struct ipc_msg *out)
{
	ipc_msg_add_str(out, "service", ctx->service);
	ipc_msg_add_str(
	    out, "client_addr", ctx->client_addr != NULL ? ctx->client_addr : "");
	ipc_msg_add_num(out, "tls", ctx->tls ? 1 : 0);
}

/*
 * A printable string attribute of at most max bytes (may be empty),
 * copied into arena. Base64 and addresses never need more.
 */
static int
auth_login_get_token(struct ipc_reader *rd, const char *name, bool required,
    size_t max, const char **out, struct arena *arena, struct err *err)
{
	const char *v;
	size_t len, i;
	int rc;

	rc = ipc_get_bytes(rd, name, required, &v, &len, err);
	if (rc <= 0)
		return rc;
	if (len > max)
		return err_set(err, ERR_TEMP, "4.3.0", "attribute %s too long",
		    name);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "attribute %s is not printable", name);
	*out = arena_strndup(arena, v, len);
	return 1;
}

int
auth_login_ctx_decode(struct ipc_reader *rd, struct auth_login_ctx *out,
    struct arena *arena, struct err *err)
{
	long long tls;

	memset(out, 0, sizeof(*out));
	if (auth_login_get_token(rd, "service", true, AUTH_LOGIN_SERVICE_MAX,
	        &out->service, arena, err) < 0 ||
	    auth_login_get_token(rd, "client_addr", true, AUTH_LOGIN_ADDR_MAX,
	        &out->client_addr, arena, err) < 0 ||
	    ipc_get_num(rd, "tls", true, 0, 1, &tls, err) < 0) {
		err->kind = ERR_TEMP;
		return -1;
	}
	out->tls = tls != 0;
	return 0;
}

void
auth_login_reply_encode(
    const struct auth_login_reply *reply, struct ipc_msg *out)
{
	ipc_msg_add_str(out, "status", auth_login_status_names[reply->status]);
	if (reply->status == AUTH_LOGIN_CONTINUE) {
		ipc_msg_add_str(out, "id", reply->id);
		ipc_msg_add_str(out, "challenge", reply->challenge);
	} else if (reply->status == AUTH_LOGIN_OK)
		ipc_msg_add_str(out, "user", reply->user);
	ipc_msg_add_num(out, "delay_ms", reply->delay_ms);
}

/* The fields a status needs, after status itself has been read. */
static int
auth_login_reply_fields(struct ipc_reader *rd, struct auth_login_reply *out,
    struct arena *arena, struct err *err)
{
	long long delay = 0;

	if (out->status == AUTH_LOGIN_CONTINUE &&
	    (auth_login_get_token(rd, "id", true, AUTH_LOGIN_ID_MAX, &out->id,
	         arena, err) < 0 ||
	        auth_login_get_token(rd, "challenge", true,
	            AUTH_SASL_B64_MAX, &out->challenge, arena,
	            err) < 0))
		return -1;
	if (out->status == AUTH_LOGIN_OK &&
	    auth_login_get_token(rd, "user", true, AUTH_LOGIN_USER_MAX,
	        &out->user, arena, err) < 0)
		return -1;
	if (ipc_get_num(rd, "delay_ms", false, 0, AUTH_DELAY_MAX_MS, &delay,
	        err) < 0)
		return -1;
	out->delay_ms = (unsigned)delay;
	return ipc_reader_done(rd, err);
}

int
auth_login_reply_decode(struct ipc_reader *rd, struct auth_login_reply *out,
    struct arena *arena, struct err *err)
{
	const char *status, *reason = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (ipc_get_str(rd, "status", true, &status, err) < 0)
		goto bad;
	if (strcmp(status, AUTH_STATUS_ERROR) == 0) {
		(void)ipc_get_str(rd, "reason", false, &reason, err);
		return err_set(err, ERR_TEMP, "4.3.0", "authd: %s",
		    reason != NULL ? reason : "request refused");
	}
	for (i = 0; i < sizeof(auth_login_status_names) /
	         sizeof(auth_login_status_names[0]);
	     i++)
		if (strcmp(status, auth_login_status_names[i]) == 0)
			break;
	if (i == sizeof(auth_login_status_names) /
	        sizeof(auth_login_status_names[0])) {
		err_set(err, ERR_TEMP, "4.3.0", "unknown status");
		goto bad;
	}
	out->status = (enum auth_login_status)i;
	if (auth_login_reply_fields(rd, out, arena, err) < 0)
		goto bad;
	return 0;
bad:
	err->kind = ERR_TEMP;
	err_prefix(err, "bad login reply from authd");
	return -1;
}

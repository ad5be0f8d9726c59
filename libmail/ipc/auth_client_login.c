/* SPDX-License-Identifier: MIT */
/*
 * The login half of the authd client stub, for smtpd, imapd, pop3d and
 * sieved: mechanism lists, SASL exchanges relayed step by step, plain
 * password checks and APOP. Calls block for at most the client's
 * time-out per I/O; authd itself never sleeps, its throttle comes back
 * as delay_ms for the caller to honour.
 */
#include "ipc/auth_client.h"

#include <string.h>

#include "ipc/auth_client_impl.h"

/* Send msg (finished here) and decode the login reply. 0 or -1. */
static int
auth_client_login_call(struct auth_client *ac, struct ipc_msg *msg,
    bool retry, struct auth_login_reply *reply, struct arena *arena,
    struct err *err)
{
	struct ipc_reader rd;
	int rc;

	ipc_msg_finish(msg);
	ipc_reader_init(&rd);
	rc = auth_client_call(ac, msg, retry, &rd, err);
	if (rc == 0)
		rc = auth_login_reply_decode(&rd, reply, arena, err);
	ipc_reader_deinit(&rd);
	/* The request may hold a password or a SASL response. */
	explicit_bzero(msg->buf.data, msg->buf.len);
	ipc_msg_deinit(msg);
	return rc;
}

int
auth_client_mechanisms(struct auth_client *ac, const char *service,
    bool tls, struct buf *out, struct err *err)
{
	struct ipc_msg msg;
	struct ipc_reader rd;
	const char *status, *mechs;
	int rc;

	buf_reset(out);
	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_MECHS);
	ipc_msg_add_str(&msg, "service", service);
	ipc_msg_add_num(&msg, "tls", tls ? 1 : 0);
	ipc_msg_finish(&msg);
	rc = auth_client_call(ac, &msg, true, &rd, err);
	if (rc == 0 &&
	    (ipc_get_str(&rd, "status", true, &status, err) < 0 ||
	        strcmp(status, AUTH_STATUS_OK) != 0 ||
	        ipc_get_str(&rd, "mechs", true, &mechs, err) < 0 ||
	        ipc_reader_done(&rd, err) < 0)) {
		err_set(err, ERR_TEMP, "4.3.0",
		    "authd did not answer the mechanism list");
		rc = -1;
	}
	if (rc == 0)
		buf_set(out, mechs);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
	return rc;
}

int
auth_client_sasl_start(struct auth_client *ac,
    const struct auth_login_ctx *ctx, const char *mech, const char *initial,
    struct auth_login_reply *reply, struct arena *arena, struct err *err)
{
	struct ipc_msg msg;

	ipc_msg_init(&msg);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_SASL_START);
	auth_login_ctx_encode(ctx, &msg);
	ipc_msg_add_str(&msg, "mech", mech);
	if (initial != NULL)
		ipc_msg_add_str(&msg, "initial", initial);
	return auth_client_login_call(ac, &msg, true, reply, arena, err);
}

int
auth_client_sasl_step(struct auth_client *ac, const char *id,
    const char *response, struct auth_login_reply *reply,
    struct arena *arena, struct err *err)
{
	struct ipc_msg msg;

	ipc_msg_init(&msg);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_SASL_STEP);
	ipc_msg_add_str(&msg, "id", id);
	ipc_msg_add_str(&msg, "response", response);
	/* The exchange lived on the connection: a new one cannot go on. */
	return auth_client_login_call(ac, &msg, false, reply, arena, err);
}

void
auth_client_sasl_abort(struct auth_client *ac, const char *id)
{
	struct ipc_msg msg;
	struct ipc_reader rd;
	struct err err;

	/* Without a connection the exchange is gone already. */
	if (ac->fd < 0)
		return;
	ipc_msg_init(&msg);
	ipc_reader_init(&rd);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_SASL_ABORT);
	ipc_msg_add_str(&msg, "id", id);
	ipc_msg_finish(&msg);
	/* The answer only keeps the stream in step; a failure leaves authd
	 * to drop the exchange at authd_timeout. */
	(void)auth_client_call(ac, &msg, false, &rd, &err);
	ipc_reader_deinit(&rd);
	ipc_msg_deinit(&msg);
}

int
auth_client_password(struct auth_client *ac,
    const struct auth_login_ctx *ctx, const char *user, const char *password,
    struct auth_login_reply *reply, struct arena *arena, struct err *err)
{
	struct ipc_msg msg;

	ipc_msg_init(&msg);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_PASSWORD);
	auth_login_ctx_encode(ctx, &msg);
	ipc_msg_add_str(&msg, "user", user);
	ipc_msg_add_str(&msg, "password", password);
	return auth_client_login_call(ac, &msg, true, reply, arena, err);
}

int
auth_client_apop(struct auth_client *ac, const struct auth_login_ctx *ctx,
    const char *user, const char *timestamp, const char *digest,
    struct auth_login_reply *reply, struct arena *arena, struct err *err)
{
	struct ipc_msg msg;

	ipc_msg_init(&msg);
	ipc_msg_add_str(&msg, "req", AUTH_REQ_APOP);
	auth_login_ctx_encode(ctx, &msg);
	ipc_msg_add_str(&msg, "user", user);
	ipc_msg_add_str(&msg, "timestamp", timestamp);
	ipc_msg_add_str(&msg, "digest", digest);
	return auth_client_login_call(ac, &msg, true, reply, arena, err);
}

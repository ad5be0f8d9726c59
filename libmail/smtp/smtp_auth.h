/* SPDX-License-Identifier: MIT */
/*
 * The SMTP AUTH exchange (RFC 4954) as a pure state machine, for smtpd:
 * it decides whether an AUTH command may start, checks each response
 * line the client sends after a 334 challenge, and turns authd's
 * answers into replies. The caller does the I/O: it relays START and
 * STEP to authd (ipc/auth_client.h), sends replies and challenges, and
 * reads lines. Client lines are raw network data and secrets: nothing
 * here logs or keeps them beyond the borrowed pointers it hands back.
 */
#ifndef SMTP_SMTP_AUTH_H
#define SMTP_SMTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "ipc/auth_client.h"
#include "smtp/smtp_cmd.h"

/* What the session knows when the client sends AUTH. */
struct smtp_auth_ctx {
	bool enabled; /* AUTH is offered on this connection now */
	bool esmtp; /* the client greeted with EHLO */
	bool authenticated; /* an earlier AUTH succeeded */
	bool in_txn; /* a MAIL transaction is open */
	/* Offered now, space-separated; "" none, NULL authd cannot say. */
	const char *mechs;
	/* Offered once TLS is on, when it is not yet; NULL otherwise. */
	const char *tls_mechs;
};

enum smtp_auth_state {
	SMTP_AUTH_IDLE, /* no exchange */
	SMTP_AUTH_AUTHD, /* waiting for authd's answer */
	SMTP_AUTH_CLIENT, /* 334 sent: waiting for the client's line */
};

/* The exchange; zero it (or reuse it) before smtp_auth_begin. */
struct smtp_auth {
	enum smtp_auth_state state;
	bool started; /* authd holds an exchange (abort it on cancel) */
};

enum smtp_auth_do {
	SMTP_AUTH_DO_REPLY, /* send the reply; the exchange is over */
	SMTP_AUTH_DO_START, /* ask authd to start mech with response */
	SMTP_AUTH_DO_STEP, /* relay response to authd */
	SMTP_AUTH_DO_CHALLENGE, /* send "334 text", then read one line */
	SMTP_AUTH_DO_ABORT, /* abort authd's exchange, then send the reply */
	SMTP_AUTH_DO_OK, /* authenticated: send the (235) reply */
};

/* The next thing to do; strings are borrowed (see each function). */
struct smtp_auth_next {
	enum smtp_auth_do what;
	int code; /* REPLY, ABORT, OK: the reply code */
	const char *dsn; /* its enhanced status code (static) */
	const char *text; /* the reply text; CHALLENGE: base64 */
	const char *mech; /* START: upper-case mechanism name */
	/* START: base64, "" for "=", NULL when none was sent; STEP. */
	const char *response;
};

/*
 * A parsed AUTH command (cmd->verb is SMTP_CMD_AUTH) against ctx:
 * REPLY with 503 5.5.1 (not enabled, no EHLO, already authenticated,
 * inside a transaction), 454 4.7.0 (no mechanism list), 504 5.5.4
 * (mechanism not offered), 538 5.7.11 (offered only over TLS), 501
 * 5.5.2 (initial response not base64); or
 * START, with strings borrowed from cmd. a must be IDLE.
 */
void smtp_auth_begin(struct smtp_auth *a, const struct smtp_auth_ctx *ctx,
    const struct smtp_cmd *cmd, struct smtp_auth_next *next);
/*
 * authd's answer to START or STEP; reply NULL when authd could not be
 * asked (ABORT with 454 4.7.0 if it held an exchange, else REPLY).
 * CHALLENGE (text borrowed from reply), OK (235 2.7.0; the caller keeps
 * reply->user), or REPLY 535 5.7.8 / 454 4.7.0. A challenge that is not
 * base64 is authd's fault: ABORT with 454. a must be in state AUTHD.
 */
void smtp_auth_answer(struct smtp_auth *a, const struct auth_login_reply *reply,
    struct smtp_auth_next *next);
/*
 * One line from the client after a challenge (line end removed; len
 * bytes; too_long when it was over the caller's line limit and its text
 * is gone): STEP with response copied into arena, or ABORT (REPLY when
 * authd holds nothing) with 501 5.7.0 ("*" cancels, RFC 4954 §4), 501
 * 5.5.2 (not base64) or 500 5.5.6 (too long). a must be in state CLIENT.
 */
void smtp_auth_response(struct smtp_auth *a, const char *line, size_t len,
    bool too_long, struct smtp_auth_next *next, struct arena *arena);

/* True when in[0..len) is base64 (RFC 4648 §4, padded), "" included. */
bool smtp_auth_is_base64(const char *in, size_t len);
/* True when mech is a word of the space-separated list (any case). */
bool smtp_auth_mech_listed(const char *list, const char *mech);
/* Append the challenge line "334 <b64>\r\n" to out (never cut). */
void smtp_auth_challenge(struct buf *out, const char *b64);

#endif

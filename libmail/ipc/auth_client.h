/* SPDX-License-Identifier: MIT */
/*
 * The client stub for authd, the only process that opens the users
 * database. Over queue_directory/public/auth (service "auth", version
 * 1.0). This part answers account lookups without secrets, for smtpd
 * (recipient checks, quota at RCPT) and local (mailbox, quota, forwards,
 * Sieve script), and runs logins for smtpd, imapd, pop3d and sieved:
 * SASL exchanges whose base64 steps the protocol daemon relays without
 * ever seeing a secret, plain user/password checks (IMAP LOGIN, POP3
 * USER/PASS) and APOP.
 */
#ifndef IPC_AUTH_CLIENT_H
#define IPC_AUTH_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "ipc/ipc_msg.h"

#define AUTH_SERVICE "auth"
#define AUTH_VERSION_MAJOR 1
#define AUTH_VERSION_MINOR 0
/*
 * Below queue_directory (chrooted clients see it as /public/auth). In
 * public/ because local and imapd run as mail_store_owner, which cannot
 * enter private/; public/ admits mail_owner and the postdrop group only,
 * and authd itself answers only the mail system's users (docs/authd.md).
 */
#define AUTH_SOCKET "public/auth"

/*
 * The wire protocol, for authd's side. A request is req=lookup
 * address=<text>; the reply is status=ok with the account attributes
 * (auth_account_encode), status=notfound, status=tempfail reason=...
 * (the database is unavailable), or status=error reason=... (a request
 * authd refused; the connection stays usable unless it was unframeable).
 */
#define AUTH_REQ_LOOKUP "lookup"
#define AUTH_STATUS_OK "ok"
#define AUTH_STATUS_NOTFOUND "notfound"
#define AUTH_STATUS_TEMPFAIL "tempfail"
#define AUTH_STATUS_ERROR "error"

/*
 * Logins (docs/authd.md). Every login request carries the context
 * attributes service=, client_addr= and tls=0|1 (auth_login_ctx_encode).
 *   req=mechs service= tls=            -> status=ok mechs="PLAIN LOGIN"
 *   req=sasl_start <ctx> mech= [initial=<base64>]
 *   req=sasl_step id= response=<base64>
 *   req=sasl_abort id=                 -> status=ok
 *   req=password <ctx> user= password=
 *   req=apop <ctx> user= timestamp= digest=
 * A login reply (auth_login_reply_encode) is status=continue id=
 * challenge=, status=ok user=, status=fail or status=tempfail, each with
 * delay_ms=; status=error reason= for a request authd refused.
 */
#define AUTH_REQ_MECHS "mechs"
#define AUTH_REQ_SASL_START "sasl_start"
#define AUTH_REQ_SASL_STEP "sasl_step"
#define AUTH_REQ_SASL_ABORT "sasl_abort"
#define AUTH_REQ_PASSWORD "password"
#define AUTH_REQ_APOP "apop"
#define AUTH_STATUS_CONTINUE "continue"
#define AUTH_STATUS_FAIL "fail"
/*
 * The longest base64 SASL data (initial response, response, challenge)
 * either side accepts; daemons may refuse longer client lines at once.
 */
#define AUTH_SASL_B64_MAX 16384
/* The longest throttle delay a reply may ask for, in milliseconds. */
#define AUTH_DELAY_MAX_MS (10 * 60 * 1000)

struct auth_client;

/* What a lookup tells, never a secret. Strings live in the arena given. */
struct auth_account {
	const char *address; /* primary address, lowercased */
	bool mail_enabled;
	const char *protocols; /* "imap,pop3,smtp,sieve" */
	uint64_t quota; /* bytes; 0 = no quota */
	const char *store; /* mailbox location, "" = default */
	const char *forwards; /* comma-separated, "" = none */
	bool keep_copy;
	const char *sieve_script; /* active script name, "" = none */
};

/*
 * Connect lazily to socket_path on first use; reconnect once if the
 * connection broke. Caller owns the client.
 */
struct auth_client *auth_client_new(const char *socket_path, int timeout_ms);
void auth_client_free(struct auth_client **acp);
/*
 * Look an address up (any of a user's addresses). 1 found, 0 no such
 * user, -1 temporary failure (authd unreachable: callers answer 4xx).
 */
int auth_client_lookup(struct auth_client *ac, const char *address,
    struct auth_account *out, struct arena *arena, struct err *err);

/*
 * authd's side: append status=ok and the fields of acct to out (which
 * the caller has reset and will finish). Never fails.
 */
void auth_account_encode(const struct auth_account *acct, struct ipc_msg *out);
/*
 * Read the fields of a status=ok reply into out, strings copied into
 * arena; checks that nothing required is missing. 0, or -1 with err
 * (ERR_TEMP: a reply we cannot use is authd's trouble, not the user's).
 */
int auth_account_decode(struct ipc_reader *rd, struct auth_account *out,
    struct arena *arena, struct err *err);

/* ---- Logins ---- */

/* Who is asking: the protocol service and the connection it serves. */
struct auth_login_ctx {
	const char *service; /* "smtp", "imap", "pop3", "sieve" */
	const char *client_addr; /* the remote IP address, for throttling */
	bool tls; /* the connection is encrypted */
};

enum auth_login_status {
	AUTH_LOGIN_CONTINUE, /* send challenge to the client, relay its answer */
	AUTH_LOGIN_OK, /* authenticated as user */
	AUTH_LOGIN_FAIL, /* wrong credentials, no such user, not allowed */
	AUTH_LOGIN_TEMPFAIL, /* try later: throttled, or authd trouble */
};

/*
 * authd's answer to a login step. Failures carry no detail for the
 * client: authd logs the reason, the daemon answers its protocol's
 * generic failure. delay_ms is the throttle: the daemon waits that long
 * before it answers the client (a timer in event-driven daemons), so
 * authd itself never blocks.
 */
struct auth_login_reply {
	enum auth_login_status status;
	const char *id; /* CONTINUE: names the exchange for the next step */
	const char *challenge; /* CONTINUE: base64, may be "" */
	const char *user; /* OK: the account's primary address */
	unsigned delay_ms;
};

/*
 * The mechanisms to offer for service, space-separated in out (reset
 * here; "" when none): per-service configuration, without plaintext
 * ones when !tls and allow_plaintext_auth = no. 0, or -1 (ERR_TEMP).
 */
int auth_client_mechanisms(struct auth_client *ac, const char *service,
    bool tls, struct buf *out, struct err *err);
/*
 * Start a SASL exchange with mech. initial is the client's initial
 * response in base64 (SASL-IR; "" for an empty one, "=" on the wire), or
 * NULL when it sent none. Then auth_client_sasl_step with reply->id
 * and the client's base64 answer while status is CONTINUE;
 * auth_client_sasl_abort when the client cancels ("*"). Several
 * exchanges may be open on one client at once (an event-driven daemon
 * serves many sessions); authd drops exchanges idle past authd_timeout.
 * 0 with *reply filled (strings in arena), or -1 when authd cannot be
 * reached (answer the client a temporary failure).
 */
int auth_client_sasl_start(struct auth_client *ac,
    const struct auth_login_ctx *ctx, const char *mech, const char *initial,
    struct auth_login_reply *reply, struct arena *arena, struct err *err);
int auth_client_sasl_step(struct auth_client *ac, const char *id,
    const char *response, struct auth_login_reply *reply,
    struct arena *arena, struct err *err);
void auth_client_sasl_abort(struct auth_client *ac, const char *id);
/*
 * A plaintext user/password check (IMAP LOGIN, POP3 USER/PASS): the same
 * rules as PLAIN. Never CONTINUE. 0 or -1 as above.
 */
int auth_client_password(struct auth_client *ac,
    const struct auth_login_ctx *ctx, const char *user, const char *password,
    struct auth_login_reply *reply, struct arena *arena, struct err *err);
/*
 * APOP (RFC 1939 section 7): digest is the client's 32 hex digits of
 * MD5(timestamp secret). Only for users with a stored secret, and only
 * when pop3d_auth_mechanisms lists APOP. 0 or -1 as above.
 */
int auth_client_apop(struct auth_client *ac, const struct auth_login_ctx *ctx,
    const char *user, const char *timestamp, const char *digest,
    struct auth_login_reply *reply, struct arena *arena, struct err *err);

/*
 * The wire form of logins, for both sides. Encoders append to out (which
 * the caller has reset and will finish) and never fail. Decoders read a
 * decoded frame from an untrusted peer, copy strings into arena and fail
 * (-1, err filled, ERR_TEMP: a reply we cannot use is authd's trouble,
 * not the user's) on a missing, malformed or out-of-range attribute;
 * neither calls ipc_reader_done.
 */
void auth_login_ctx_encode(
    const struct auth_login_ctx *ctx, struct ipc_msg *out);
int auth_login_ctx_decode(struct ipc_reader *rd, struct auth_login_ctx *out,
    struct arena *arena, struct err *err);
void auth_login_reply_encode(
    const struct auth_login_reply *reply, struct ipc_msg *out);
/*
 * A whole login reply, status first; status=error becomes -1 with
 * authd's reason. Checks that nothing required was left unread.
 */
int auth_login_reply_decode(struct ipc_reader *rd,
    struct auth_login_reply *out, struct arena *arena, struct err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * authd's private header: the service state shared by its files. authd
 * runs as auth_owner, is not chrooted, holds the users database open
 * read-only and answers many clients in one event loop. Every client is
 * hostile until proved otherwise: requests are validated and refused
 * with status=error, and a broken client never stops the service.
 */
#ifndef AUTH_AUTHD_H
#define AUTH_AUTHD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/err.h"
#include "ipc/auth_client.h"
#include "ipc/ipc_msg.h"

struct authd_exch;
struct authd_throttle;
struct sasl_callback;
struct conf;
struct server;
struct userdb;
struct userdb_user;

/* Requests are short (an address, a SASL step of at most
 * AUTH_SASL_B64_MAX base64 bytes); a frame bigger than this is abuse. */
#define AUTHD_FRAME_MAX (32 * 1024)
/* Replies a client leaves unread before authd stops reading from it. */
#define AUTHD_OUT_MAX (256 * 1024)
/* Users whose processes may ask: root, mail_owner, mail_store_owner
 * and authd's own user. */
#define AUTHD_PEERS_MAX 4

struct authd {
	struct server *srv;
	const struct conf *conf;
	struct userdb *db; /* NULL until the file exists */
	bool db_missing_logged;
	uid_t peers[AUTHD_PEERS_MAX];
	size_t npeers;
	int timeout_ms; /* authd_timeout */
	struct authd_throttle *throttle;
	bool sasl_ready; /* Cyrus SASL initialised */
	struct sasl_callback *sasl_cbs; /* Cyrus's global callbacks */
};

/* The logins one client connection has open (SASL exchanges by id). */
struct authd_logins {
	struct authd_exch *head;
	size_t count;
	uint64_t next_id;
};
/* Open exchanges per connection; one more is refused. */
#define AUTHD_EXCH_MAX 4096

/* One protocol service that logs in through authd. */
struct authd_service {
	const char *name; /* "smtp", "imap", "pop3", "sieve" */
	unsigned proto; /* enum userdb_proto bit */
};

/* ---- authd_conn.c: one client connection in the event loop ---- */

/* SERVER_EVENT on_client hook. */
void authd_conn_accept(struct server *srv, int fd);

/* ---- authd_req.c: requests, validated, to reply frames ---- */

/*
 * Answer one decoded frame into reply (reset by the caller, finished
 * here). *hello_done says whether the handshake happened; the first
 * frame must be the hello. logins holds the connection's SASL
 * exchanges. Returns false when the connection must be closed after the
 * reply is sent (a failed handshake).
 */
bool authd_req_handle(struct authd *ad, struct ipc_reader *rd, bool *hello_done,
    struct authd_logins *logins, struct ipc_msg *reply);
/* The reply for a frame that did not decode: status=error. */
void authd_req_refuse(const char *reason, struct ipc_msg *reply);

/* ---- authd_db.c: the users database ---- */

/*
 * Open user_database read-only, or note that it does not exist yet (a
 * later lookup tries again). Fatal only for a path that cannot work.
 */
void authd_db_open(struct authd *ad);
void authd_db_close(struct authd *ad);
/*
 * Look address up: 1 found (acct filled, strings in arena, no secret),
 * 0 no such user (also: no database yet), -1 with err (ERR_TEMP).
 */
int authd_db_lookup(struct authd *ad, const char *address,
    struct auth_account *acct, struct arena *arena, struct err *err);
/*
 * The whole record of the user owning address, secrets included, into
 * u (strings in arena; the caller wipes u with userdb_user_wipe before
 * freeing arena). 1, 0 or -1 (ERR_TEMP) as authd_db_lookup.
 */
int authd_db_get(struct authd *ad, const char *address, struct userdb_user *u,
    struct arena *arena, struct err *err);

/* ---- authd_peer.c: who may connect ---- */

/* Fill ad->peers from the service users in the configuration. */
void authd_peer_init(struct authd *ad);
/* True when the process at the other end of fd may use authd. */
bool authd_peer_allowed(const struct authd *ad, int fd);

/* ---- authd_policy.c: services, mechanisms and who may log in ---- */

/* The service named name, or NULL when there is none. */
const struct authd_service *authd_policy_service(const char *name);
/*
 * The mechanisms offered for svc, space-separated and upper case, into
 * out (reset here): the service's list, only names authd supports,
 * without PLAIN and LOGIN when !tls and allow_plaintext_auth = no.
 * APOP is listed (pop3 only) for pop3d to strip.
 */
void authd_policy_mechs(const struct authd *ad,
    const struct authd_service *svc, bool tls, struct buf *out);
/* True when mech (any case) is in the list authd_policy_mechs gives. */
bool authd_policy_mech_ok(const struct authd *ad,
    const struct authd_service *svc, bool tls, const char *mech);
/* True when plaintext passwords may be sent over this connection. */
bool authd_policy_plaintext_ok(const struct authd *ad, bool tls);
/*
 * May user u log in to svc? NULL when yes, else the reason for the log
 * ("mail disabled", "no imap access").
 */
const char *authd_policy_user(
    const struct userdb_user *u, const struct authd_service *svc);
/* True for the mechanisms that need a stored secret (CRAM-MD5,
 * SCRAM-SHA-256, APOP). */
bool authd_policy_secret_mech(const char *mech);
/* True when u has a stored secret that mech (upper case) may use. */
bool authd_policy_secret_ok(const struct userdb_user *u, const char *mech);

/* ---- authd_sasl.c: Cyrus SASL exchanges ---- */

/* The outcome of one exchange step, for authd_login.c. */
struct authd_sasl_result {
	enum auth_login_status status;
	const char *challenge; /* CONTINUE: base64, in the arena given */
	const char *user; /* OK: canonical user; FAIL: the one tried or "" */
	const char *reason; /* FAIL/TEMPFAIL: for the log */
};

/* Initialise Cyrus SASL for the process; fatal when it cannot start. */
void authd_sasl_init(struct authd *ad);
void authd_sasl_done(struct authd *ad);
/*
 * Start an exchange for ctx with mech (already checked against the
 * service's list); initial is the base64 initial response or NULL. A
 * CONTINUE result leaves the exchange open in logins under *id_out;
 * every other result closes it. Never blocks on the network.
 */
void authd_sasl_start(struct authd *ad, struct authd_logins *logins,
    const struct auth_login_ctx *ctx, const struct authd_service *svc,
    const char *mech, const char *initial, struct authd_sasl_result *res,
    const char **id_out, struct arena *arena);
/*
 * The next step of exchange id. *ctx_out is filled from the exchange
 * (strings in arena) for the caller's log lines and throttle; false
 * when no such exchange is open (res untouched).
 */
bool authd_sasl_step(struct authd *ad, struct authd_logins *logins,
    const char *id, const char *response, struct auth_login_ctx *ctx_out,
    const char **mech_out, struct authd_sasl_result *res,
    struct arena *arena);
/* Drop exchange id, if open. */
void authd_sasl_abort(struct authd_logins *logins, const char *id);
/* Drop every exchange of a closing connection. */
void authd_sasl_close_all(struct authd_logins *logins);

/* ---- authd_backend.c: Cyrus SASL's view of the users database ---- */

/*
 * The name of authd's in-process auxprop plugin, and its registration
 * (sasl_auxprop_add_plugin). The plugin hands Cyrus a user's stored
 * secret as userPassword, only to CRAM-MD5 and SCRAM-SHA-256 exchanges
 * and only when the user allows that mechanism.
 */
#define AUTHD_AUXPROP_NAME "postern"
int authd_backend_auxprop_init(void);
/*
 * Per-exchange callbacks (context: the exchange): canonical user names
 * (lower case, additional address -> primary) and plaintext password
 * checks against the crypt(3) hash. cbs must hold 3 entries.
 */
void authd_backend_callbacks(struct authd_exch *ex, struct sasl_callback *cbs);

/* ---- authd_login.c: the login requests ---- */

/* True when verb is a login request; then reply is filled. */
bool authd_login_handle(struct authd *ad, struct authd_logins *logins,
    const char *verb, struct ipc_reader *rd, struct ipc_msg *reply);

/* ---- authd_apop.c: APOP (RFC 1939 section 7) ---- */

/*
 * True when digest is the hex MD5 of timestamp followed by secret
 * (either case of hex digits), compared in constant time.
 */
bool authd_apop_verify(
    const char *timestamp, const char *secret, const char *digest);

#endif

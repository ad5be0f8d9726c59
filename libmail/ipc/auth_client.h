/* SPDX-License-Identifier: MIT */
/*
 * The client stub for authd, the only process that opens the users
 * database. Over queue_directory/public/auth (service "auth", version
 * 1.0). This part answers account lookups without secrets, for smtpd
 * (recipient checks, quota at RCPT) and local (mailbox, quota, forwards,
 * Sieve script); password checks and SASL exchanges come with the
 * authentication work.
 */
#ifndef IPC_AUTH_CLIENT_H
#define IPC_AUTH_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
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

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The client stub for authd, the only process that opens the users
 * database. Over queue_directory/private/auth (service "auth", version
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

#define AUTH_SERVICE		"auth"
#define AUTH_VERSION_MAJOR	1
#define AUTH_VERSION_MINOR	0
/* Below queue_directory (chrooted clients see it as /private/auth). */
#define AUTH_SOCKET		"private/auth"

struct auth_client;

/* What a lookup tells, never a secret. Strings live in the arena given. */
struct auth_account {
	const char *address;	/* primary address, lowercased */
	bool mail_enabled;
	const char *protocols;	/* "imap,pop3,smtp,sieve" */
	uint64_t quota;		/* bytes; 0 = no quota */
	const char *store;	/* mailbox location, "" = default */
	const char *forwards;	/* comma-separated, "" = none */
	bool keep_copy;
	const char *sieve_script;	/* active script name, "" = none */
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

#endif

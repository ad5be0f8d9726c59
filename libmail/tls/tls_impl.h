/* SPDX-License-Identifier: MIT */
/*
 * Internals of libmail/tls, shared by its .c files only: the context and
 * session structs, file identities for reload checks, the session ticket
 * key store and the OpenSSL error-queue helper.
 */
#ifndef TLS_TLS_IMPL_H
#define TLS_TLS_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/ssl.h>

#include "core/err.h"
#include "tls/tls.h"

/* What stat(2) said about a file when it was loaded. */
struct tls_file_id {
	bool known;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* The files a server context was built from, in tls_ctx.files[]. */
enum tls_ctx_file {
	TLS_CTX_FILE_CERT,
	TLS_CTX_FILE_KEY,
	TLS_CTX_FILE_CHAIN,
	TLS_CTX_NFILES,
};

struct tls_ticket;

struct tls_ctx {
	bool server;
	enum tls_level level;
	char *service;
	SSL_CTX *ssl; /* current; each SSL holds its own ref */
	int min_version, max_version;
	long long session_timeout;
	char *paths[TLS_CTX_NFILES]; /* NULL: not configured */
	struct tls_file_id ids[TLS_CTX_NFILES];
	struct tls_ticket *tickets; /* NULL: OpenSSL's per-ctx keys */
	char *ca_file, *ca_path; /* client */
};

struct tls_session {
	struct tls_ctx *ctx; /* borrowed */
	SSL *ssl;
	int fd;
	bool server;
	char *servername; /* client: SNI and name to match */
	SSL_SESSION *resume; /* client: last resumable session */
	struct err err; /* last failure */
};

/* ---- tls_err.c ---- */

/*
 * Fill err with "<fmt text>: <OpenSSL errors>" (or just the text when
 * the queue is empty) and clear the thread's error queue. -1.
 */
int tls_err_set(struct err *err, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- tls_session.c ---- */

/* Client contexts' new-session callback: keeps the newest resumable
 * session in the tls_session (SSL app data). 1 when it took sess. */
int tls_session_new_cb(SSL *ssl, SSL_SESSION *sess);

/* ---- tls_file.c ---- */

/* Identify path now; false when it cannot be stat()ed. */
bool tls_file_id_get(const char *path, struct tls_file_id *id_out);
/* True when path is reachable and differs from id. */
bool tls_file_id_changed(const char *path, const struct tls_file_id *id);

/* ---- tls_ticket.c: session ticket keys shared through a file ---- */

/*
 * Load the ticket key file, creating it (0600, random) when missing.
 * NULL with err.
 */
struct tls_ticket *tls_ticket_open(const char *path, struct err *err);
/* Reload a replaced key file, keeping the old key for decryption. 1
 * reloaded, 0 unchanged or unreachable, -1 with err (bad file). */
int tls_ticket_check(struct tls_ticket *t, struct err *err);
/* Make sc encrypt and decrypt tickets with t's keys (t must outlive
 * sc's sessions). 0, or -1 with err. */
int tls_ticket_install(struct tls_ticket *t, SSL_CTX *sc, struct err *err);
void tls_ticket_free(struct tls_ticket **tp);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * TLS for every protocol daemon (smtpd STARTTLS/smtps, imapd, pop3d,
 * sieved) and for the SMTP client, over OpenSSL 3. A struct tls_ctx is
 * the per-process, per-service setup (certificate, versions, session
 * tickets); a struct tls_session is one connection. Sessions plug into
 * core/stream.h. Everything read from the peer is untrusted; errors are
 * returned in struct err with OpenSSL's error queue in the text.
 */
#ifndef TLS_TLS_H
#define TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

struct conf;
struct stream;
struct tls_ctx;
struct tls_session;

/* A security level, as main.cf spells it (*_tls_security_level). */
enum tls_level {
	TLS_LEVEL_NONE, /* "none": no TLS */
	TLS_LEVEL_MAY, /* "may": offered (server) or used when
	                * offered, certificate not checked (client) */
	TLS_LEVEL_ENCRYPT, /* "encrypt": required, unauthenticated */
	TLS_LEVEL_VERIFY, /* "verify", client only: required, and the
	                   * server certificate must verify and match
	                   * the expected name */
};

/* A server context's settings; strings are borrowed (and copied by
 * tls_ctx_server_new). */
struct tls_server_config {
	const char *service; /* "smtpd": session id context, messages */
	enum tls_level level; /* the daemon's policy; the ctx ignores it */
	bool wrappermode; /* TLS from the first byte (smtps, imaps) */
	const char *cert_file; /* PEM certificate, may be followed by its
	                        * chain */
	const char *key_file; /* PEM private key */
	const char *chain_file; /* PEM intermediates; NULL or "": none */
	const char *protocols; /* see tls_parse_protocols; NULL or "":
	                        * TLSv1.2 and up */
	const char *ticket_key_file; /* shared ticket key; NULL or "":
	                              * tickets only within this process */
	long long session_timeout; /* seconds; 0: no resumption */
};

/* A client context's settings; strings are borrowed (and copied). */
struct tls_client_config {
	enum tls_level level; /* VERIFY checks the certificate and name */
	const char *protocols; /* as for the server */
	const char *ca_file; /* PEM trust anchors; NULL or "" */
	const char *ca_path; /* hashed directory; NULL or "" (both empty:
	                      * the system's default trust store) */
};

/* ---- tls_parse.c: pure parsers for main.cf values ---- */

/*
 * Parse a protocol list into an OpenSSL version range: ">=TLSv1.2",
 * "<=TLSv1.3", a list of versions to allow ("TLSv1.2 TLSv1.3") or to
 * exclude ("!SSLv3, !TLSv1, !TLSv1.1"), separated by commas and/or
 * white space; names are SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3. The
 * result must be one contiguous range. "" (or only white space) means
 * ">=TLSv1.2". *min_out and *max_out get TLS1_2_VERSION etc., 0 for no
 * bound. 0, or -1 with err (ERR_PERM) naming the bad item. Pure.
 */
int tls_parse_protocols(
    const char *text, int *min_out, int *max_out, struct err *err);
/*
 * Parse a security level: "none", "may", "encrypt", and for a client
 * also "verify" (case-insensitive). "" means none. 0, or -1 with err
 * (ERR_PERM). Pure.
 */
int tls_parse_level(
    const char *text, bool client, enum tls_level *out, struct err *err);

/* ---- tls_conf.c: settings from main.cf ---- */

/*
 * Fill a server config for service ("smtpd", "imapd", "pop3d",
 * "sieved") from <service>_tls_security_level, _cert_file, _key_file,
 * _chain_file, _protocols and _wrappermode, falling back to the
 * instance's tls_* parameter (or off) for one the service lacks, plus
 * tls_session_ticket_key_file and tls_session_cache_timeout. Strings
 * are borrowed from conf. 0, or -1 with err naming the parameter.
 */
int tls_conf_server(const struct conf *conf, const char *service,
    struct tls_server_config *out, struct err *err);
/* The same for a client ("smtp": smtp_tls_security_level, _CAfile,
 * _CApath, _protocols). */
int tls_conf_client(const struct conf *conf, const char *service,
    struct tls_client_config *out, struct err *err);

/* ---- tls_ctx.c: per-process setup ---- */

/*
 * Build a server context: load certificate, chain and key (and check
 * that they match), set the version range, and set up resumption with
 * session tickets (RFC 5077, RFC 8446 §4.6.1) encrypted with the key in
 * ticket_key_file, so any process of the service resumes a session any
 * other made. The key file is created (0600, 80 random bytes) when
 * missing. Call it before dropping privileges: key files are usually
 * readable only by root. Caller frees with tls_ctx_free(), after every
 * session made from it. NULL with err (ERR_PERM for bad settings or
 * files, ERR_TEMP for I/O). Blocks on disk I/O.
 */
struct tls_ctx *tls_ctx_server_new(
    const struct tls_server_config *cfg, struct err *err);
/* A client context: version range, trust anchors, verification. */
struct tls_ctx *tls_ctx_client_new(
    const struct tls_client_config *cfg, struct err *err);
/*
 * Call when a session is about to start: if the certificate, key or
 * chain file was replaced or changed on disk (device, inode, size,
 * mtime), rebuild the context from the files; if the ticket key file
 * changed, load the new key and keep the previous one for decrypting
 * older tickets. 1 something was reloaded, 0 nothing changed (also when
 * a file cannot be reached, e.g. after chroot: the loaded copy stays),
 * -1 the new files do not load (err says why; the running context
 * stays, and the next call tries again). Sessions already made are not
 * affected. Client contexts: always 0. Blocks on stat(2) and reads.
 */
int tls_ctx_check(struct tls_ctx *ctx, struct err *err);
void tls_ctx_free(struct tls_ctx **ctxp);

/* ---- tls_session.c: one connection ---- */

/*
 * A server session on the connected socket fd (made non-blocking; not
 * closed by the session). ctx is borrowed and must outlive it. NULL
 * with err on a library failure.
 */
struct tls_session *tls_session_server_new(
    struct tls_ctx *ctx, int fd, struct err *err);
/*
 * A client session. servername (copied; NULL: none) is sent as SNI and,
 * at TLS_LEVEL_VERIFY, must match the server's certificate (RFC 6125).
 */
struct tls_session *tls_session_client_new(
    struct tls_ctx *ctx, int fd, const char *servername, struct err *err);
/* Free the session (no close_notify: see tls_session_shutdown). */
void tls_session_free(struct tls_session **sp);
/*
 * One non-blocking handshake step, for event-driven callers: 1 done; 0
 * wait until fd is ready for *want_out (POLLIN/POLLOUT) and call
 * again; -1 failed, with err (ERR_TEMP, "TLS handshake failed: ...").
 */
int tls_session_handshake_step(
    struct tls_session *s, short *want_out, struct err *err);
/* The whole handshake within timeout_ms. 0, or -1 with err (a timeout
 * says "timed out"). Blocks. */
int tls_session_handshake(
    struct tls_session *s, int timeout_ms, struct err *err);
/*
 * Read and write application data after the handshake, returning what
 * read(2) and write(2) return: bytes (a write may be partial), 0 from
 * read at the end of the stream (close_notify or a plain EOF), -1 with
 * errno EAGAIN and *want_out (POLLIN/POLLOUT) set when fd must become
 * ready, or -1 with errno EIO/ECONNRESET/EPIPE on failure (reason in
 * tls_session_error). After EAGAIN a write must be retried with the
 * same bytes. Writing to a vanished peer raises SIGPIPE unless it is
 * ignored (the server skeleton ignores it). Never blocks.
 */
ssize_t tls_session_read(
    struct tls_session *s, void *p, size_t n, short *want_out);
ssize_t tls_session_write(
    struct tls_session *s, const void *p, size_t n, short *want_out);
/* Why the last handshake, read or write failed; borrowed. */
const struct err *tls_session_error(const struct tls_session *s);
/* Send close_notify if the socket takes it at once; never blocks. */
void tls_session_shutdown(struct tls_session *s);

/* ---- tls_session_info.c: what was negotiated (after handshake) ---- */

/* True when the handshake resumed an earlier session. */
bool tls_session_reused(const struct tls_session *s);
/* "TLSv1.3" and "TLS_AES_256_GCM_SHA384"; static strings. */
const char *tls_session_protocol(const struct tls_session *s);
const char *tls_session_cipher(const struct tls_session *s);
/*
 * Append, as Postfix logs it and as Received: headers carry it,
 * "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)" (bits
 * used / bits of the algorithm) to out.
 */
void tls_session_describe(const struct tls_session *s, struct buf *out);
/* Server: the name the client asked for (SNI), borrowed until the
 * session is freed; NULL if none. */
const char *tls_session_servername(const struct tls_session *s);
/*
 * The Postfix word for the peer's authentication, for log lines
 * ("Anonymous TLS connection established from ..."): "Anonymous" (no
 * certificate: every server session), "Untrusted" (chain not
 * verified), "Trusted" (chain verified, name not matched), "Verified"
 * (chain verified and servername matched). Static strings.
 */
const char *tls_session_trust(const struct tls_session *s);
/*
 * Client: append the last resumable session (DER) to out for a later
 * tls_session_import(); 1 written, 0 none yet (TLS 1.3 tickets arrive
 * after the handshake, with the first read).
 */
int tls_session_export(const struct tls_session *s, struct buf *out);
/* Client, before the handshake: offer a session exported earlier. 0, or
 * -1 with err when the bytes do not decode. */
int tls_session_import(
    struct tls_session *s, const void *der, size_t len, struct err *err);

/* ---- tls_stream.c: TLS under a core/stream ---- */

/*
 * Start TLS on st with session s (STARTTLS after its 220/OK reply, or
 * at connect in wrapper mode): send queued output, throw away every
 * buffered input byte (CVE-2011-0411: they came in plaintext; their
 * count goes to *discarded_out, may be NULL), run the handshake within
 * st->timeout_ms, then route the stream's I/O through s. s is borrowed
 * until the stream is deinitialised or switched back. 0, or -1 with
 * err: the connection must then be closed. Blocks.
 */
int tls_stream_start(struct stream *st, struct tls_session *s,
    size_t *discarded_out, struct err *err);

#endif

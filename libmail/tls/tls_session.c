/* SPDX-License-Identifier: MIT */
/*
 * One TLS connection: the handshake (step by step for event loops, or
 * whole with a deadline), then reads and writes that behave like
 * read(2)/write(2) on a non-blocking socket, so the session plugs into
 * a core/stream or an event loop. Everything read is untrusted peer
 * data; failures never abort, they end the connection.
 */
#include "tls/tls_impl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/event.h"
#include "core/log.h"
#include "core/stream.h"
#include "core/xmalloc.h"

static struct tls_session *
tls_session_make(struct tls_ctx *ctx, int fd, bool server, struct err *err)
{
	struct tls_session *s;
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & O_NONBLOCK) == 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	s = xcalloc(1, sizeof(*s));
	s->ctx = ctx;
	s->fd = fd;
	s->server = server;
	if ((s->ssl = SSL_new(ctx->ssl)) == NULL || !SSL_set_fd(s->ssl, fd) ||
	    !SSL_set_app_data(s->ssl, s)) {
		tls_err_set(err, ERR_TEMP, "cannot create a TLS session");
		tls_session_free(&s);
		return NULL;
	}
	if (server)
		SSL_set_accept_state(s->ssl);
	else
		SSL_set_connect_state(s->ssl);
	return s;
}

struct tls_session *
tls_session_server_new(struct tls_ctx *ctx, int fd, struct err *err)
{
	if (!ctx->server)
		PANIC("%s: a client context", __func__);
	return tls_session_make(ctx, fd, true, err);
}

/* RFC 6066 §3: SNI carries a host name, never an address literal. */
static bool
tls_session_is_ip(const char *name)
{
	unsigned char a[16];

	return inet_pton(AF_INET, name, a) == 1 ||
	    inet_pton(AF_INET6, name, a) == 1;
}

struct tls_session *
tls_session_client_new(
    struct tls_ctx *ctx, int fd, const char *servername, struct err *err)
{
	struct tls_session *s;

	if (ctx->server)
		PANIC("%s: a server context", __func__);
	if ((s = tls_session_make(ctx, fd, false, err)) == NULL)
		return NULL;
	if (servername == NULL || *servername == '\0')
		return s;
	s->servername = xstrdup(servername);
	if ((!tls_session_is_ip(servername) &&
	        !SSL_set_tlsext_host_name(s->ssl, servername)) ||
	    (ctx->level == TLS_LEVEL_VERIFY &&
	        !SSL_set1_host(s->ssl, servername))) {
		tls_err_set(
		    err, ERR_TEMP, "bad TLS server name \"%.64s\"", servername);
		tls_session_free(&s);
	}
	return s;
}

void
tls_session_free(struct tls_session **sp)
{
	struct tls_session *s = *sp;

	if (s == NULL)
		return;
	SSL_free(s->ssl);
	SSL_SESSION_free(s->resume);
	free(s->servername);
	free(s);
	*sp = NULL;
}

/* Record why the handshake failed, with the verification result when
 * that is what failed. */
static void
tls_session_hs_fail(struct tls_session *s, int r, int errnum)
{
	long v = SSL_get_verify_result(s->ssl);

	if (SSL_get_error(s->ssl, r) == SSL_ERROR_SYSCALL && errnum != 0)
		tls_err_set(&s->err, ERR_TEMP, "TLS handshake failed: %s",
		    strerror(errnum));
	else if (!s->server && v != X509_V_OK)
		tls_err_set(&s->err, ERR_TEMP,
		    "TLS handshake failed: certificate verification: %s",
		    X509_verify_cert_error_string(v));
	else
		tls_err_set(&s->err, ERR_TEMP, "TLS handshake failed");
}

int
tls_session_handshake_step(
    struct tls_session *s, short *want_out, struct err *err)
{
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(s->ssl);
	e = errno;
	if (r == 1)
		return 1;
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*want_out = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want_out = POLLOUT;
		return 0;
	default:
		tls_session_hs_fail(s, r, e);
		if (err != NULL)
			*err = s->err;
		return -1;
	}
}

int
tls_session_handshake(struct tls_session *s, int timeout_ms, struct err *err)
{
	uint64_t deadline = event_now_ms() + (uint64_t)timeout_ms;
	short want = POLLIN;
	int r;

	while ((r = tls_session_handshake_step(s, &want, err)) == 0) {
		if (stream_wait_fd(s->fd, want, deadline) != 0) {
			err_set(&s->err, ERR_TEMP, "4.4.2",
			    "TLS handshake failed: %s",
			    errno == ETIMEDOUT ? "timed out" : strerror(errno));
			if (err != NULL)
				*err = s->err;
			return -1;
		}
	}
	return r > 0 ? 0 : -1;
}

/* After a read or write returned r <= 0: map to read(2)'s results. */
static ssize_t
tls_session_io_fail(
    struct tls_session *s, int r, int errnum, bool reading, short *want_out)
{
	switch (SSL_get_error(s->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*want_out = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want_out = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		if (reading)
			return 0;
		errnum = EPIPE;
		break;
	case SSL_ERROR_SYSCALL:
		if (errnum == 0 && reading)
			return 0;
		if (errnum == 0)
			errnum = EPIPE;
		break;
	default:
		errnum = EIO;
		break;
	}
	tls_err_set(&s->err, ERR_TEMP, "TLS %s failed%s%s",
	    reading ? "read" : "write", errnum != EIO ? ": " : "",
	    errnum != EIO ? strerror(errnum) : "");
	errno = errnum;
	return -1;
}

ssize_t
tls_session_read(struct tls_session *s, void *p, size_t n, short *want_out)
{
	size_t got = 0;
	int r, e;

	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_read_ex(s->ssl, p, n, &got);
	e = errno;
	if (r == 1)
		return (ssize_t)got;
	return tls_session_io_fail(s, r, e, true, want_out);
}

ssize_t
tls_session_write(
    struct tls_session *s, const void *p, size_t n, short *want_out)
{
	size_t done = 0;
	int r, e;

	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_write_ex(s->ssl, p, n, &done);
	e = errno;
	if (r == 1)
		return (ssize_t)done;
	return tls_session_io_fail(s, r, e, false, want_out);
}

const struct err *
tls_session_error(const struct tls_session *s)
{
	return &s->err;
}

void
tls_session_shutdown(struct tls_session *s)
{
	if (SSL_is_init_finished(s->ssl))
		(void)SSL_shutdown(s->ssl);
	ERR_clear_error();
}

int
tls_session_new_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_session *s = SSL_get_app_data(ssl);

	if (s == NULL || !SSL_SESSION_is_resumable(sess))
		return 0;
	SSL_SESSION_free(s->resume);
	s->resume = sess;
	return 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * What a TLS handshake negotiated, for log lines, Received: headers and
 * policy: protocol, cipher, resumption, SNI, how far the peer was
 * authenticated; and the client's saved sessions for resumption.
 */
#include "tls/tls_impl.h"

#include <limits.h>

#include <openssl/x509v3.h>

bool
tls_session_reused(const struct tls_session *s)
{
	return SSL_session_reused(s->ssl) == 1;
}

const char *
tls_session_protocol(const struct tls_session *s)
{
	return SSL_get_version(s->ssl);
}

const char *
tls_session_cipher(const struct tls_session *s)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(s->ssl);

	return c != NULL ? SSL_CIPHER_get_name(c) : "NONE";
}

void
tls_session_describe(const struct tls_session *s, struct buf *out)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(s->ssl);
	int alg_bits = 0, use_bits = 0;

	if (c != NULL)
		use_bits = SSL_CIPHER_get_bits(c, &alg_bits);
	buf_printf(out, "%s with cipher %s (%d/%d bits)",
	    tls_session_protocol(s), tls_session_cipher(s), use_bits, alg_bits);
}

const char *
tls_session_servername(const struct tls_session *s)
{
	if (!s->server)
		return s->servername;
	return SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name);
}

const char *
tls_session_trust(const struct tls_session *s)
{
	X509 *peer = SSL_get0_peer_certificate(s->ssl);

	if (peer == NULL)
		return "Anonymous";
	if (SSL_get_verify_result(s->ssl) != X509_V_OK)
		return "Untrusted";
	/* RFC 6125: the name must be in the certificate (SAN, then CN). */
	if (s->servername != NULL &&
	    X509_check_host(peer, s->servername, 0, 0, NULL) == 1)
		return "Verified";
	return "Trusted";
}

int
tls_session_export(const struct tls_session *s, struct buf *out)
{
	SSL_SESSION *sess = s->resume;
	unsigned char *p;
	int len;

	/* A resumed TLS 1.2 session may come without a new ticket: the
	 * one offered stays good. */
	if (sess == NULL && !s->server)
		sess = SSL_get0_session(s->ssl);
	if (sess == NULL || !SSL_SESSION_is_resumable(sess) ||
	    (len = i2d_SSL_SESSION(sess, NULL)) <= 0)
		return 0;
	buf_reserve(out, (size_t)len);
	p = (unsigned char *)out->data + out->len;
	if (i2d_SSL_SESSION(sess, &p) != len)
		return 0;
	out->len += (size_t)len;
	out->data[out->len] = '\0';
	return 1;
}

int
tls_session_import(
    struct tls_session *s, const void *der, size_t len, struct err *err)
{
	const unsigned char *p = der;
	SSL_SESSION *sess;
	int ok;

	if (len > (size_t)LONG_MAX ||
	    (sess = d2i_SSL_SESSION(NULL, &p, (long)len)) == NULL)
		return tls_err_set(err, ERR_TEMP, "bad saved TLS session");
	ok = SSL_set_session(s->ssl, sess);
	SSL_SESSION_free(sess);
	if (!ok)
		return tls_err_set(err, ERR_TEMP, "cannot offer TLS session");
	return 0;
}

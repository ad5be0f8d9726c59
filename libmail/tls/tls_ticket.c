/* SPDX-License-Identifier: MIT */
/*
 * Session ticket keys shared through one file, so that every process of
 * a service (and every later one) can resume a session another made: a
 * single-client daemon serves a few clients and exits, and its next
 * client is likely to reach a different process. The file holds 80
 * random bytes: a 16-byte key name, a 32-byte HMAC-SHA256 key and a
 * 32-byte AES-256-CBC key (the layout of RFC 5077 §4's recommended
 * ticket construction). The key is a secret: 0600, wiped on free.
 */
#include "tls/tls_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/xmalloc.h"

#define TLS_TICKET_NAME_LEN 16
#define TLS_TICKET_SECRET_LEN 32
#define TLS_TICKET_FILE_LEN (TLS_TICKET_NAME_LEN + 2 * TLS_TICKET_SECRET_LEN)

struct tls_ticket_key {
	unsigned char name[TLS_TICKET_NAME_LEN];
	unsigned char hmac[TLS_TICKET_SECRET_LEN];
	unsigned char aes[TLS_TICKET_SECRET_LEN];
};

struct tls_ticket {
	char *path;
	struct tls_file_id id;
	struct tls_ticket_key cur;
	struct tls_ticket_key prev; /* decrypts tickets of the last key */
	bool have_prev;
};

/* Read the key file into key_out; 0 or -1 with err. */
static int
tls_ticket_read(const char *path, struct tls_ticket_key *key_out,
    struct tls_file_id *id_out, struct err *err)
{
	unsigned char raw[TLS_TICKET_FILE_LEN];
	struct stat sb;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(err, ERR_TEMP, "4.7.0", "open %s: %s", path,
		    strerror(errno));
	n = fstat(fd, &sb) == 0 && sb.st_size == TLS_TICKET_FILE_LEN
	    ? read(fd, raw, sizeof(raw))
	    : -2;
	e = errno;
	(void)close(fd);
	if (n == -2 || (n >= 0 && (size_t)n != sizeof(raw)))
		return err_set(err, ERR_PERM, "5.7.0",
		    "%s: not a ticket key file (want exactly %d bytes)", path,
		    TLS_TICKET_FILE_LEN);
	if (n < 0)
		return err_set(
		    err, ERR_TEMP, "4.7.0", "read %s: %s", path, strerror(e));
	memcpy(key_out->name, raw, TLS_TICKET_NAME_LEN);
	memcpy(key_out->hmac, raw + TLS_TICKET_NAME_LEN, TLS_TICKET_SECRET_LEN);
	memcpy(key_out->aes, raw + TLS_TICKET_NAME_LEN + TLS_TICKET_SECRET_LEN,
	    TLS_TICKET_SECRET_LEN);
	explicit_bzero(raw, sizeof(raw));
	(void)tls_file_id_get(path, id_out);
	return 0;
}

/*
 * Create the key file when it is missing. Processes of several services
 * may start at once: each writes a private temporary file and link()s
 * it into place, so exactly one key wins and all of them read it.
 */
static int
tls_ticket_create(const char *path, struct err *err)
{
	unsigned char raw[TLS_TICKET_FILE_LEN];
	char tmp[4096];
	int fd, n, rc = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return err_set(
		    err, ERR_PERM, "5.7.0", "%s: path too long", path);
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return tls_err_set(
		    err, ERR_TEMP, "no random bytes for %s", path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw) ||
	    fsync(fd) != 0)
		rc = err_set(err, ERR_TEMP, "4.7.0", "create %s: %s", tmp,
		    strerror(errno));
	explicit_bzero(raw, sizeof(raw));
	if (fd >= 0)
		(void)close(fd);
	if (rc == 0 && link(tmp, path) != 0 && errno != EEXIST)
		rc = err_set(err, ERR_TEMP, "4.7.0", "link %s: %s", path,
		    strerror(errno));
	(void)unlink(tmp);
	return rc;
}

struct tls_ticket *
tls_ticket_open(const char *path, struct err *err)
{
	struct tls_ticket *t;

	if (access(path, F_OK) != 0 && errno == ENOENT &&
	    tls_ticket_create(path, err) != 0)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	if (tls_ticket_read(path, &t->cur, &t->id, err) != 0) {
		tls_ticket_free(&t);
		return NULL;
	}
	return t;
}

int
tls_ticket_check(struct tls_ticket *t, struct err *err)
{
	struct tls_ticket_key key;
	struct tls_file_id id;

	if (!tls_file_id_changed(t->path, &t->id))
		return 0;
	if (tls_ticket_read(t->path, &key, &id, err) != 0)
		return -1;
	t->id = id;
	if (memcmp(key.name, t->cur.name, TLS_TICKET_NAME_LEN) == 0) {
		explicit_bzero(&key, sizeof(key));
		return 0; /* touched, not replaced */
	}
	t->prev = t->cur;
	t->have_prev = true;
	t->cur = key;
	explicit_bzero(&key, sizeof(key));
	return 1;
}

/*
 * OpenSSL's ticket callback: enc 1 encrypts a new ticket with the
 * current key; enc 0 finds the key a presented ticket names. Returns 2
 * (decrypt with it, then issue a fresh ticket), 1 (encrypt with it), 0
 * (unknown key: full handshake) or -1 (failure). Every resumption gets
 * a fresh ticket: a TLS 1.3 client uses each ticket once (RFC 8446
 * §C.4), and a ticket made under the previous key is replaced.
 */
static int
tls_ticket_cb(SSL *ssl, unsigned char *key_name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls_ticket *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const struct tls_ticket_key *k = &t->cur;
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	int rc = 1;

	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (enc) {
		if (RAND_bytes(
		        iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1)
			return -1;
		memcpy(key_name, k->name, TLS_TICKET_NAME_LEN);
		if (!EVP_EncryptInit_ex(
		        cctx, EVP_aes_256_cbc(), NULL, k->aes, iv))
			return -1;
	} else {
		if (memcmp(key_name, t->cur.name, TLS_TICKET_NAME_LEN) != 0) {
			if (!t->have_prev ||
			    memcmp(key_name, t->prev.name,
			        TLS_TICKET_NAME_LEN) != 0)
				return 0;
			k = &t->prev;
		}
		rc = 2;
		if (!EVP_DecryptInit_ex(
		        cctx, EVP_aes_256_cbc(), NULL, k->aes, iv))
			return -1;
	}
	if (!EVP_MAC_init(hctx, k->hmac, TLS_TICKET_SECRET_LEN, params))
		return -1;
	return rc;
}

int
tls_ticket_install(struct tls_ticket *t, SSL_CTX *sc, struct err *err)
{
	if (!SSL_CTX_set_app_data(sc, t) ||
	    !SSL_CTX_set_tlsext_ticket_key_evp_cb(sc, tls_ticket_cb))
		return tls_err_set(err, ERR_TEMP, "cannot set ticket keys");
	return 0;
}

void
tls_ticket_free(struct tls_ticket **tp)
{
	struct tls_ticket *t = *tp;

	if (t == NULL)
		return;
	free(t->path);
	explicit_bzero(t, sizeof(*t));
	free(t);
	*tp = NULL;
}

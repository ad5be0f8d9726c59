/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the TLS unit tests: a scratch directory, self-signed
 * certificates made with the OpenSSL API, and driving a server and a
 * client session against each other over a socketpair in one thread.
 */
#ifndef TESTS_UNIT_TEST_TLS_UTIL_H
#define TESTS_UNIT_TEST_TLS_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"

#include "t.h"

/* A scratch directory; tt_dir_free removes it with its files. */
static inline char *
tt_dir_new(void)
{
	char tmpl[] = "/tmp/test_tls.XXXXXX";
	char *d = mkdtemp(tmpl);

	if (d == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	return strdup(d);
}

static inline void
tt_dir_free(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static inline char *
tt_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		exit(2);
	return p;
}

/* Write text to path through a temporary file renamed into place, as
 * an admin (or certbot) replaces a file. */
static inline void
tt_write_bio(const char *path, BIO *bio)
{
	char tmp[512];
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fp = fopen(tmp, "w");
	if (fp == NULL || fwrite(data, 1, (size_t)len, fp) != (size_t)len ||
	    fclose(fp) != 0 || rename(tmp, path) != 0) {
		perror(tmp);
		exit(2);
	}
}

/*
 * A self-signed certificate for name (subjectAltName DNS:name, CN name)
 * and its EC P-256 key, written to cert_path and key_path (either may
 * be NULL to skip it).
 */
static inline void
tt_make_cert(const char *name, const char *cert_path, const char *key_path)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *subj;
	X509_EXTENSION *ext;
	char san[300];
	BIO *bio;

	snprintf(san, sizeof(san), "DNS:%s", name);
	subj = X509_get_subject_name(x);
	if (key == NULL || x == NULL || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), random() & 0xffff) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -60) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    !X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	        (const unsigned char *)name, -1, -1, 0) ||
	    !X509_set_issuer_name(x, subj) || !X509_set_pubkey(x, key) ||
	    (ext = X509V3_EXT_conf_nid(
	         NULL, NULL, NID_subject_alt_name, san)) == NULL ||
	    !X509_add_ext(x, ext, -1) || !X509_sign(x, key, EVP_sha256())) {
		fprintf(stderr, "cannot make a certificate\n");
		exit(2);
	}
	X509_EXTENSION_free(ext);
	if (cert_path != NULL) {
		bio = BIO_new(BIO_s_mem());
		PEM_write_bio_X509(bio, x);
		tt_write_bio(cert_path, bio);
		BIO_free(bio);
	}
	if (key_path != NULL) {
		bio = BIO_new(BIO_s_mem());
		PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
		tt_write_bio(key_path, bio);
		BIO_free(bio);
	}
	X509_free(x);
	EVP_PKEY_free(key);
}

static inline void
tt_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		perror("socketpair");
		exit(2);
	}
}

/*
 * Run both handshakes, one step each in turn, until both end (or a
 * step limit is hit). 0 when both succeeded; -1 otherwise, with each
 * side's failure in its err.
 */
static inline int
tt_handshake(struct tls_session *srv, struct tls_session *cli, struct err *serr,
    struct err *cerr)
{
	int rs = 0, rc = 0, i;
	short want;

	err_clear(serr);
	err_clear(cerr);
	for (i = 0; i < 200 && (rs == 0 || rc == 0); i++) {
		if (rs == 0)
			rs = tls_session_handshake_step(srv, &want, serr);
		if (rc == 0)
			rc = tls_session_handshake_step(cli, &want, cerr);
		if (rs < 0 && rc < 0)
			break;
	}
	return rs == 1 && rc == 1 ? 0 : -1;
}

/* Send text one way and read it back on the other side; true if it
 * arrived whole. Also lets a TLS 1.3 client take the server's tickets. */
static inline bool
tt_transfer(struct tls_session *from, struct tls_session *to, const char *text)
{
	size_t len = strlen(text), got = 0;
	char in[256];
	short want;
	ssize_t n;
	int i;

	if (tls_session_write(from, text, len, &want) != (ssize_t)len)
		return false;
	for (i = 0; i < 100 && got < len; i++) {
		n = tls_session_read(to, in + got, sizeof(in) - got, &want);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0 || errno != EAGAIN)
			return false;
	}
	return got == len && memcmp(in, text, len) == 0;
}

#endif

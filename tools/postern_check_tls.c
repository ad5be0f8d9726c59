/* SPDX-License-Identifier: MIT */
/*
 * postern check: the TLS certificate and key named by tls_cert_file and
 * tls_key_file. Both must load, belong together and the certificate
 * must be valid now; a key others can read is an error, since anyone
 * holding it can impersonate the server.
 */
#include "postern_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf/conf.h"

/* Days before expiry from which a warning is given. */
#define POSTERN_CHECK_TLS_WARN_DAYS 30

static FILE *
postern_check_tls_open(struct postern_check *ck, const char *param,
    const char *path)
{
	FILE *fp = fopen(path, "re");

	if (fp == NULL)
		postern_check_error(ck, "%s = %s: %s", param, path,
		    strerror(errno));
	return fp;
}

static void
postern_check_tls_dates(struct postern_check *ck, const char *path, X509 *x)
{
	int days = 0, secs = 0;

	if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0)
		postern_check_error(ck, "%s: the certificate is not valid yet",
		    path);
	else if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		postern_check_error(ck, "%s: the certificate has expired",
		    path);
	else if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) &&
	    days < POSTERN_CHECK_TLS_WARN_DAYS)
		postern_check_warning(ck, "%s: the certificate expires in %d "
		    "days", path, days);
}

static X509 *
postern_check_tls_cert(struct postern_check *ck, const char *path)
{
	X509 *x;
	FILE *fp;

	if ((fp = postern_check_tls_open(ck, "tls_cert_file", path)) == NULL)
		return NULL;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL)
		postern_check_error(ck, "tls_cert_file = %s: no PEM "
		    "certificate in the file", path);
	else
		postern_check_tls_dates(ck, path, x);
	return x;
}

static EVP_PKEY *
postern_check_tls_key(struct postern_check *ck, const char *path)
{
	struct stat st;
	EVP_PKEY *key;
	FILE *fp;

	if ((fp = postern_check_tls_open(ck, "tls_key_file", path)) == NULL)
		return NULL;
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 0077) != 0)
		postern_check_error(ck, "tls_key_file = %s: mode %04o lets "
		    "others read the private key (chmod 600)", path,
		    (unsigned)(st.st_mode & 07777));
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL)
		postern_check_error(ck, "tls_key_file = %s: no PEM private key "
		    "in the file (an encrypted key cannot be used)", path);
	return key;
}

void
postern_check_tls(struct postern_check *ck)
{
	const char *cert = ck->conf->tls_cert_file;
	const char *keyfile = ck->conf->tls_key_file;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;

	if (cert[0] == '\0' && keyfile[0] == '\0')
		return;
	if (cert[0] == '\0' || keyfile[0] == '\0') {
		postern_check_error(ck, "tls_cert_file and tls_key_file must "
		    "be set together");
		return;
	}
	x = postern_check_tls_cert(ck, cert);
	key = postern_check_tls_key(ck, keyfile);
	if (x != NULL && key != NULL && X509_check_private_key(x, key) != 1)
		postern_check_error(ck, "tls_key_file = %s does not belong to "
		    "the certificate in %s", keyfile, cert);
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(x);
}

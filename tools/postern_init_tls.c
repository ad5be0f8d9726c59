/* SPDX-License-Identifier: MIT */
/*
 * postern init: a self-signed server certificate so every TLS service
 * works from the first start. EC P-256 key, SHA-256 signature, ten
 * years, subjectAltName DNS:<myhostname> (RFC 6125: clients match the
 * SAN, not the CN). Replace it with a CA-issued one for production.
 */
#include "postern_init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define POSTERN_TLS_DAYS 3650

static int
postern_tls_fail(struct err *err, const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	ERR_clear_error();
	return err_set(err, ERR_PERM, "", "TLS certificate: %s: %s", what,
	    buf);
}

static int
postern_tls_add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A random positive 127-bit serial (RFC 5280 4.1.2.2: at most 20 octets). */
static int
postern_tls_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ANY,
	    BN_RAND_BOTTOM_ANY) && BN_to_ASN1_INTEGER(bn,
	    X509_get_serialNumber(x)) != NULL;

	BN_free(bn);
	return ok ? 0 : -1;
}

static int
postern_tls_fill(X509 *x, EVP_PKEY *key, const char *hostname,
    struct err *err)
{
	X509_NAME *name = X509_get_subject_name(x);
	char san[300];
	int rc;

	if (!X509_set_version(x, 2) || postern_tls_serial(x) != 0 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), POSTERN_TLS_DAYS, 0,
	    NULL) == NULL || !X509_set_pubkey(x, key))
		return postern_tls_fail(err, "fields");
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"Postern", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)hostname, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		return postern_tls_fail(err, "name");
	if (snprintf(san, sizeof(san), "DNS:%s", hostname) >=
	    (int)sizeof(san))
		return err_set(err, ERR_PERM, "", "TLS certificate: host name "
		    "too long");
	rc = postern_tls_add_ext(x, NID_subject_alt_name, san);
	if (rc != 0 ||
	    postern_tls_add_ext(x, NID_basic_constraints, "critical,CA:TRUE")
	    != 0 ||
	    postern_tls_add_ext(x, NID_subject_key_identifier, "hash") != 0 ||
	    postern_tls_add_ext(x, NID_ext_key_usage, "serverAuth") != 0)
		return postern_tls_fail(err, "extensions");
	if (X509_sign(x, key, EVP_sha256()) == 0)
		return postern_tls_fail(err, "signing");
	return 0;
}

/* Write PEM through a new file of the given mode (never overwriting). */
static int
postern_tls_write(const char *path, mode_t mode, X509 *x, EVP_PKEY *key,
    struct err *err)
{
	FILE *fp;
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		err_set(err, ERR_PERM, "", "create %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = x != NULL ? PEM_write_X509(fp, x)
	    : PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok)
		return err_set(err, ERR_PERM, "", "write %s failed", path);
	return 0;
}

int
postern_init_tls(const struct postern_init *init, struct err *err)
{
	EVP_PKEY *key;
	X509 *x = NULL;
	int rc = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL)
		return postern_tls_fail(err, "key generation");
	if ((x = X509_new()) == NULL)
		postern_tls_fail(err, "memory");
	else if (postern_tls_fill(x, key, init->hostname, err) == 0 &&
	    postern_tls_write(postern_init_fs(init, init->key_file), 0600,
	    NULL, key, err) == 0 &&
	    postern_tls_write(postern_init_fs(init, init->cert_file), 0644,
	    x, NULL, err) == 0)
		rc = 0;
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Password hashes: crypt(3) strings from libcrypt. New hashes are
 * yescrypt, or SHA-512 crypt where yescrypt is missing; any scheme
 * libcrypt knows still verifies, so hashes imported from another system
 * keep working. Candidates come from clients (through authd): untrusted.
 */
#include "userdb/userdb.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Strongest first: yescrypt, then SHA-512 crypt. */
static const char *const userdb_password_schemes[] = {"$y$", "$6$"};

static char *
userdb_password_gensalt(void)
{
	size_t i;
	char *setting;

	for (i = 0; i < sizeof(userdb_password_schemes) /
	         sizeof(userdb_password_schemes[0]);
	     i++) {
		/* count 0: libcrypt's default cost; NULL: OS randomness. */
		setting =
		    crypt_gensalt_ra(userdb_password_schemes[i], 0, NULL, 0);
		if (setting != NULL)
			return setting;
	}
	return NULL;
}

/* crypt_ra() into a fresh scratch area, wiped and freed before return. */
static int
userdb_password_crypt(const char *phrase, const char *setting, struct buf *out)
{
	void *data = NULL;
	int size = 0;
	const char *res;
	int rc = -1;

	res = crypt_ra(phrase, setting, &data, &size);
	/* Some versions return a "*" failure token instead of NULL. */
	if (res != NULL && res[0] != '*') {
		buf_set(out, res);
		rc = 0;
	}
	if (data != NULL) {
		explicit_bzero(data, (size_t)size);
		free(data);
	}
	return rc;
}

int
userdb_password_hash(
    const char *password, struct buf *hash_out, struct err *err)
{
	char *setting;
	int rc;

	if (password[0] == '\0')
		return err_set(err, ERR_PERM, "5.7.0", "empty password");
	if (strlen(password) >= CRYPT_MAX_PASSPHRASE_SIZE)
		return err_set(err, ERR_PERM, "5.7.0",
		    "password longer than %d bytes",
		    CRYPT_MAX_PASSPHRASE_SIZE - 1);
	if ((setting = userdb_password_gensalt()) == NULL)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "cannot make a password salt: %s", strerror(errno));
	rc = userdb_password_crypt(password, setting, hash_out);
	free(setting);
	if (rc < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "cannot hash the password: %s", strerror(errno));
	return 0;
}

bool
userdb_password_verify(const char *hash, const char *candidate)
{
	struct buf got;
	unsigned char diff = 0;
	size_t len, i;
	bool ok;

	/* "" = no password set; "!" and "*" prefixes are locked accounts. */
	if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*')
		return false;
	if (strlen(candidate) >= CRYPT_MAX_PASSPHRASE_SIZE)
		return false;
	buf_init(&got);
	if (userdb_password_crypt(candidate, hash, &got) < 0) {
		buf_deinit(&got);
		return false;
	}
	/*
	 * The length of a hash for a given setting is public; the bytes
	 * are compared without an early exit so timing reveals nothing.
	 */
	len = strlen(hash);
	ok = got.len == len;
	for (i = 0; ok && i < len; i++)
		diff |= (unsigned char)(got.data[i] ^ hash[i]);
	ok = ok && diff == 0;
	explicit_bzero(got.data, got.len);
	buf_deinit(&got);
	return ok;
}

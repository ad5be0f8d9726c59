/* SPDX-License-Identifier: MIT */
/*
 * Address syntax for the users database: the simple local@domain form
 * an administrator types (RFC 5321 dot-atom local part, a host name as
 * domain), lowercased so every lookup matches whatever case the client
 * used. Input is the administrator's or a client's text; pure.
 */
#include "userdb/userdb.h"

#include <string.h>

/* ASCII only, whatever the locale: addresses are compared bytewise. */
static bool
userdb_address_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 section 3.2.3 atext. */
static bool
userdb_address_atext(unsigned char c)
{
	return c != '\0' &&
	    (userdb_address_alnum(c) ||
	        strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A dot-atom: atext runs separated by single dots. */
static bool
userdb_address_local_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > USERDB_LOCAL_MAX || s[0] == '.' ||
	    s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!userdb_address_atext(c)) {
			return false;
		}
	}
	return true;
}

/* RFC 1035 section 2.3.1 labels: letters, digits, inner hyphens. */
static bool
userdb_address_domain_ok(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253 || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (userdb_address_alnum(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return s[len - 1] != '-';
}

int
userdb_address_normalize(const char *text, struct buf *out, struct err *err)
{
	const char *at = strrchr(text, '@');
	size_t len = strlen(text), i;

	if (at == NULL)
		return err_set(
		    err, ERR_PERM, "5.1.3", "address must be local@domain");
	if (len > USERDB_ADDRESS_MAX)
		return err_set(err, ERR_PERM, "5.1.3",
		    "address longer than %d bytes", USERDB_ADDRESS_MAX);
	if (!userdb_address_local_ok(text, (size_t)(at - text)))
		return err_set(
		    err, ERR_PERM, "5.1.3", "bad local part in address");
	if (!userdb_address_domain_ok(at + 1, len - (size_t)(at - text) - 1))
		return err_set(err, ERR_PERM, "5.1.3", "bad domain in address");
	buf_reset(out);
	for (i = 0; i < len; i++) {
		char c = text[i];

		buf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
	return 0;
}

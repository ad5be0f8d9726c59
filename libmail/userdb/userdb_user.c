/* SPDX-License-Identifier: MIT */
/*
 * User records in memory: defaults, address lists, the checks a record
 * must pass before it is stored, protocol names, and wiping secrets.
 * Used by authd and the postern CLI; input is the administrator's text.
 */
#include "userdb/userdb.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	unsigned bit;
} userdb_user_protos[] = {
    {"imap", USERDB_PROTO_IMAP},
    {"pop3", USERDB_PROTO_POP3},
    {"smtp", USERDB_PROTO_SMTP},
    {"sieve", USERDB_PROTO_SIEVE},
};

#define USERDB_USER_NPROTOS                                                    \
	(sizeof(userdb_user_protos) / sizeof(userdb_user_protos[0]))

void
userdb_user_init(struct userdb_user *u, const char *address)
{
	memset(u, 0, sizeof(*u));
	u->address = address;
	u->password_hash = "";
	u->mail_enabled = true;
	u->protocols = USERDB_PROTO_ALL;
	u->store = "";
	u->sieve_script = "";
	u->secret = "";
	u->secret_for = USERDB_SECRET_ALL;
}

int
userdb_user_list_add(
    struct arena *arena, const char ***list, size_t *n, const char *item)
{
	const char **grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcasecmp((*list)[i], item) == 0)
			return -1;
	/* Arena memory is not freed: copy into a fresh array each time. */
	grown = arena_alloc(arena, (*n + 1) * sizeof(*grown));
	if (*n > 0)
		memcpy(grown, *list, *n * sizeof(*grown));
	grown[*n] = arena_strdup(arena, item);
	*list = grown;
	(*n)++;
	return 0;
}

int
userdb_user_list_del(const char **list, size_t *n, const char *item)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcasecmp(list[i], item) == 0) {
			memmove(&list[i], &list[i + 1],
			    (*n - i - 1) * sizeof(*list));
			(*n)--;
			return 1;
		}
	}
	return 0;
}

bool
userdb_user_has_address(const struct userdb_user *u, const char *address)
{
	size_t i;

	if (strcasecmp(u->address, address) == 0)
		return true;
	for (i = 0; i < u->naliases; i++)
		if (strcasecmp(u->aliases[i], address) == 0)
			return true;
	return false;
}

/* Printable ASCII only: these strings end up in paths and log lines. */
static bool
userdb_user_printable(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* A stored address must already be in normalized (lowercase) form. */
static int
userdb_user_check_address(const char *what, const char *address, bool lowercase,
    struct buf *tmp, struct err *err)
{
	if (userdb_address_normalize(address, tmp, err) < 0) {
		err_prefix(err, "%s", what);
		return -1;
	}
	if (lowercase && strcmp(tmp->data, address) != 0)
		return err_set(err, ERR_PERM, "5.1.3",
		    "%s: address is not in lowercase form", what);
	return 0;
}

static int
userdb_user_check_lists(
    const struct userdb_user *u, struct buf *tmp, struct err *err)
{
	size_t i, j;

	if (u->naliases > USERDB_LIST_MAX || u->nforwards > USERDB_LIST_MAX)
		return err_set(err, ERR_PERM, "5.3.4",
		    "more than %d additional addresses or forwards",
		    USERDB_LIST_MAX);
	for (i = 0; i < u->naliases; i++) {
		if (userdb_user_check_address("additional address",
		        u->aliases[i], true, tmp, err) < 0)
			return -1;
		if (strcmp(u->aliases[i], u->address) == 0)
			return err_set(err, ERR_PERM, "5.1.0",
			    "%s is already the user's primary address",
			    u->aliases[i]);
		for (j = 0; j < i; j++)
			if (strcmp(u->aliases[i], u->aliases[j]) == 0)
				return err_set(err, ERR_PERM, "5.1.0",
				    "additional address %s given twice",
				    u->aliases[i]);
	}
	for (i = 0; i < u->nforwards; i++)
		if (userdb_user_check_address(
		        "forward address", u->forwards[i], false, tmp, err) < 0)
			return -1;
	return 0;
}

static int
userdb_user_check_fields(const struct userdb_user *u, struct err *err)
{
	if (u->quota < 0)
		return err_set(err, ERR_PERM, "5.3.4", "negative quota");
	if ((u->protocols & ~USERDB_PROTO_ALL) != 0)
		return err_set(err, ERR_PERM, "5.3.4", "unknown protocol bits");
	if (!userdb_user_printable(u->password_hash, USERDB_FIELD_MAX))
		return err_set(
		    err, ERR_PERM, "5.3.4", "malformed password hash");
	if (strlen(u->secret) > USERDB_FIELD_MAX)
		return err_set(err, ERR_PERM, "5.3.4", "secret too long");
	if (!userdb_user_printable(u->store, USERDB_FIELD_MAX) ||
	    (u->store[0] != '\0' && u->store[0] != '/'))
		return err_set(err, ERR_PERM, "5.3.4",
		    "store location must be an absolute path");
	/* A script name becomes a file name in the user's Sieve directory. */
	if (!userdb_user_printable(u->sieve_script, 255) ||
	    strchr(u->sieve_script, '/') != NULL || u->sieve_script[0] == '.')
		return err_set(err, ERR_PERM, "5.3.4", "bad Sieve script name");
	return 0;
}

int
userdb_user_check(const struct userdb_user *u, struct err *err)
{
	struct buf tmp;
	int rc;

	buf_init(&tmp);
	rc = userdb_user_check_address("address", u->address, true, &tmp, err);
	if (rc == 0)
		rc = userdb_user_check_lists(u, &tmp, err);
	if (rc == 0)
		rc = userdb_user_check_fields(u, err);
	buf_deinit(&tmp);
	return rc;
}

void
userdb_user_wipe(struct userdb_user *u)
{
	if (u->password_hash[0] != '\0')
		explicit_bzero(
		    (char *)u->password_hash, strlen(u->password_hash));
	if (u->secret[0] != '\0')
		explicit_bzero((char *)u->secret, strlen(u->secret));
}

static int
userdb_user_proto_bit(const char *name, size_t len, unsigned *bit_out)
{
	size_t i;

	for (i = 0; i < USERDB_USER_NPROTOS; i++) {
		if (strlen(userdb_user_protos[i].name) == len &&
		    strncasecmp(userdb_user_protos[i].name, name, len) == 0) {
			*bit_out = userdb_user_protos[i].bit;
			return 0;
		}
	}
	if (len == 3 && strncasecmp(name, "all", 3) == 0) {
		*bit_out = USERDB_PROTO_ALL;
		return 0;
	}
	if (len == 4 && strncasecmp(name, "none", 4) == 0) {
		*bit_out = 0;
		return 0;
	}
	return -1;
}

int
userdb_user_protocols_parse(
    const char *text, unsigned *bits_out, struct err *err)
{
	const char *p = text;
	unsigned bits = 0, bit;
	size_t len;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		if (userdb_user_proto_bit(p, len, &bit) < 0)
			return err_set(err, ERR_PERM, "5.3.4",
			    "unknown protocol \"%.*s\" (use imap, pop3, smtp, "
			    "sieve, all or none)",
			    (int)(len > 32 ? 32 : len), p);
		bits |= bit;
		p += len;
	}
	*bits_out = bits;
	return 0;
}

void
userdb_user_protocols_format(unsigned bits, struct buf *out)
{
	size_t i;
	bool first = true;

	buf_reset(out);
	for (i = 0; i < USERDB_USER_NPROTOS; i++) {
		if (bits & userdb_user_protos[i].bit) {
			buf_printf(out, "%s%s", first ? "" : ",",
			    userdb_user_protos[i].name);
			first = false;
		}
	}
	if (first)
		buf_puts(out, "none");
}

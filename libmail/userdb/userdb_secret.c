/* SPDX-License-Identifier: MIT */
/*
 * Which mechanisms a user's plaintext-equivalent secret may serve
 * (postern user set --secret-for; authd checks it before handing the
 * secret to CRAM-MD5, SCRAM-SHA-256 or APOP). Input is the
 * administrator's option text or a stored record: pure parsing.
 */
#include "userdb/userdb.h"

#include <strings.h>

#include "conf/conf.h"

static const struct {
	const char *name;
	unsigned bit;
} userdb_secret_mechs[] = {
    {"cram-md5", USERDB_SECRET_CRAM_MD5},
    {"apop", USERDB_SECRET_APOP},
    {"scram-sha-256", USERDB_SECRET_SCRAM_SHA_256},
};
#define USERDB_SECRET_NMECHS                                                   \
	(sizeof(userdb_secret_mechs) / sizeof(userdb_secret_mechs[0]))

unsigned
userdb_secret_mech_bit(const char *mech)
{
	size_t i;

	for (i = 0; i < USERDB_SECRET_NMECHS; i++)
		if (strcasecmp(mech, userdb_secret_mechs[i].name) == 0)
			return userdb_secret_mechs[i].bit;
	return 0;
}

int
userdb_secret_for_parse(const char *text, unsigned *bits_out, struct err *err)
{
	const char *cursor = text;
	struct buf item;
	unsigned bits = 0, bit;
	int rc = 0;

	buf_init(&item);
	while (rc == 0 && conf_list_next(&cursor, &item)) {
		if (strcasecmp(item.data, "all") == 0)
			bit = USERDB_SECRET_ALL;
		else if (strcasecmp(item.data, "none") == 0)
			bit = 0;
		else if ((bit = userdb_secret_mech_bit(item.data)) == 0)
			rc = err_set(err, ERR_PERM, "5.3.4",
			    "unknown mechanism \"%.32s\" (use cram-md5, apop, "
			    "scram-sha-256, all or none)",
			    item.data);
		bits |= bit;
	}
	buf_deinit(&item);
	if (rc == 0)
		*bits_out = bits;
	return rc;
}

void
userdb_secret_for_format(unsigned bits, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < USERDB_SECRET_NMECHS; i++)
		if (bits & userdb_secret_mechs[i].bit)
			buf_printf(out, "%s%s", out->len > 0 ? "," : "",
			    userdb_secret_mechs[i].name);
	if (out->len == 0)
		buf_puts(out, "none");
}

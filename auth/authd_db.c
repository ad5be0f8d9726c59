/* SPDX-License-Identifier: MIT */
/*
 * authd's hold on the users database: opened read-only after the
 * privilege drop (the file belongs to auth_owner, mode 0600), and
 * tolerated missing, because an instance may run before its first
 * "postern user add"; the next lookup opens it. A lookup answers the
 * account fields only: the password hash and the plaintext-equivalent
 * secret are wiped before the record's memory is released and never
 * reach a reply.
 */
#include "authd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/buf.h"
#include "core/log.h"
#include "userdb/userdb.h"

/* Try to open; 1 open, 0 no file yet, -1 with err. */
static int
authd_db_try(struct authd *ad, struct err *err)
{
	const char *path = ad->conf->user_database;

	if (ad->db != NULL)
		return 1;
	errno = 0;
	ad->db = userdb_open(path, USERDB_READ, err);
	if (ad->db != NULL) {
		log_info("users database %s open", path);
		ad->db_missing_logged = false;
		return 1;
	}
	if (errno == ENOENT) {
		if (!ad->db_missing_logged)
			log_info("users database %s does not exist yet: "
			         "every lookup answers \"no such user\"",
			    path);
		ad->db_missing_logged = true;
		return 0;
	}
	return -1;
}

void
authd_db_open(struct authd *ad)
{
	struct err err;

	if (ad->conf->user_database[0] != '/')
		log_fatal("user_database must be an absolute path: \"%s\"",
		    ad->conf->user_database);
	if (authd_db_try(ad, &err) < 0)
		log_warning(
		    "users database: %s (lookups will be retried)", err.text);
}

void
authd_db_close(struct authd *ad)
{
	userdb_close(&ad->db);
}

/* Join the forward addresses with commas, in arena. */
static const char *
authd_db_join(const char **list, size_t n, struct arena *arena)
{
	struct buf b;
	const char *s;
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", list[i]);
	s = arena_strdup(arena, b.data);
	buf_deinit(&b);
	return s;
}

int
authd_db_get(struct authd *ad, const char *address, struct userdb_user *u,
    struct arena *arena, struct err *err)
{
	int rc;

	if ((rc = authd_db_try(ad, err)) <= 0) {
		if (rc < 0)
			err->kind = ERR_TEMP;
		return rc;
	}
	rc = userdb_get(ad->db, address, arena, u, err);
	/* A corrupt record is the admin's problem, not the sender's or
	 * the user's: mail waits and logins fail temporarily. */
	if (rc < 0)
		err->kind = ERR_TEMP;
	return rc;
}

int
authd_db_lookup(struct authd *ad, const char *address,
    struct auth_account *acct, struct arena *arena, struct err *err)
{
	struct userdb_user u;
	struct buf protos;
	int rc;

	if ((rc = authd_db_get(ad, address, &u, arena, err)) <= 0)
		return rc;
	memset(acct, 0, sizeof(*acct));
	buf_init(&protos);
	userdb_user_protocols_format(u.protocols, &protos);
	acct->address = u.address;
	acct->mail_enabled = u.mail_enabled;
	acct->protocols = arena_strdup(arena, protos.data);
	acct->quota = u.quota > 0 ? (uint64_t)u.quota : 0;
	acct->store = u.store;
	acct->forwards = authd_db_join(u.forwards, u.nforwards, arena);
	acct->keep_copy = u.keep_copy;
	acct->sieve_script = u.sieve_script;
	buf_deinit(&protos);
	userdb_user_wipe(&u);
	return 1;
}

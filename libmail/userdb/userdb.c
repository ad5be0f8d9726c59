/* SPDX-License-Identifier: MIT */
/*
 * The users database on LMDB, through the one wrapper (db/db_lmdb.h).
 * Two kinds of keys share the file: "u:<primary>" holds a user's record
 * and "a:<address>" maps every address of a user (the primary one
 * included) to the primary address, so a lookup by any address costs
 * two gets and an address can belong to one user only. Opened by authd
 * and the postern CLI; trusts the file (it is ours, mode 0600).
 */
#include "userdb/userdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xmalloc.h"
#include "db/db_lmdb.h"

/* "u:" or "a:" plus an address. */
#define USERDB_KEY_MAX (2 + USERDB_ADDRESS_MAX)

struct userdb {
	struct db_lmdb *db;
};

struct userdb_key {
	char data[USERDB_KEY_MAX + 1];
	size_t len;
};

/*
 * Build "<kind>:<address>" with the address lowercased, as stored.
 * false when the address is too long to have been stored at all.
 */
static bool
userdb_key(struct userdb_key *key, char kind, const char *address, size_t len)
{
	size_t i;

	if (len == 0 || len > USERDB_ADDRESS_MAX)
		return false;
	key->data[0] = kind;
	key->data[1] = ':';
	for (i = 0; i < len; i++) {
		char c = address[i];

		key->data[2 + i] =
		    c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	key->len = 2 + len;
	key->data[key->len] = '\0';
	return true;
}

struct userdb *
userdb_open(const char *path, enum userdb_mode mode, struct err *err)
{
	struct db_lmdb_opts opts = {.mode = 0600};
	struct userdb *udb;
	struct db_lmdb *db;
	struct stat st;

	if (mode == USERDB_READ) {
		if (stat(path, &st) < 0 && errno == ENOENT) {
			err_set(err, ERR_PERM, "5.3.0",
			    "no users database at %s", path);
			errno = ENOENT;
			return NULL;
		}
		opts.flags = DB_LMDB_RDONLY;
	} else {
		opts.flags = DB_LMDB_CREATE;
	}
	if ((db = db_lmdb_open(path, &opts, err)) == NULL)
		return NULL;
	udb = xcalloc(1, sizeof(*udb));
	udb->db = db;
	return udb;
}

void
userdb_close(struct userdb **dbp)
{
	if (*dbp == NULL)
		return;
	db_lmdb_close(&(*dbp)->db);
	free(*dbp);
	*dbp = NULL;
}

const char *
userdb_path(const struct userdb *db)
{
	return db_lmdb_path(db->db);
}

/*
 * The primary address owning address, into key as "u:<primary>".
 * 1, 0 or -1.
 */
static int
userdb_resolve(struct db_lmdb_txn *txn, const char *address,
    struct userdb_key *ukey, struct err *err)
{
	struct userdb_key akey;
	struct db_lmdb_val val;
	int rc;

	if (!userdb_key(&akey, 'a', address, strlen(address)))
		return 0;
	if ((rc = db_lmdb_get(txn, akey.data, akey.len, &val, err)) <= 0)
		return rc;
	if (!userdb_key(ukey, 'u', val.data, val.len))
		return err_set(err, ERR_PERM, "5.3.0",
		    "users database: bad index entry for %s", address);
	return 1;
}

/* Fetch and decode the record at ukey; a dangling index is damage. */
static int
userdb_fetch(struct db_lmdb_txn *txn, const struct userdb_key *ukey,
    struct arena *arena, struct userdb_user *user_out, struct err *err)
{
	struct db_lmdb_val val;
	int rc;

	if ((rc = db_lmdb_get(txn, ukey->data, ukey->len, &val, err)) < 0)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_PERM, "5.3.0",
		    "users database: index names missing user %s",
		    ukey->data + 2);
	if (userdb_record_decode(val.data, val.len, arena, user_out, err) < 0) {
		err_prefix(err, "users database: %s", ukey->data + 2);
		return -1;
	}
	return 1;
}

struct userdb_get_ctx {
	const char *address;
	struct arena *arena;
	struct userdb_user *user;
};

static int
userdb_get_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct userdb_get_ctx *ctx = vctx;
	struct userdb_key ukey;
	int rc;

	if ((rc = userdb_resolve(txn, ctx->address, &ukey, err)) <= 0)
		return rc;
	return userdb_fetch(txn, &ukey, ctx->arena, ctx->user, err);
}

int
userdb_get(struct userdb *db, const char *address, struct arena *arena,
    struct userdb_user *user_out, struct err *err)
{
	struct userdb_get_ctx ctx = {address, arena, user_out};

	return db_lmdb_read(db->db, userdb_get_txn, &ctx, err);
}

struct userdb_put_ctx {
	const struct userdb_user *user;
	enum userdb_put_how how;
	const struct buf *record;
};

/* address must be free, or already belong to primary. */
static int
userdb_put_claim(struct db_lmdb_txn *txn, const char *address,
    const char *primary, struct err *err)
{
	struct userdb_key akey;
	struct db_lmdb_val val;
	int rc;

	if (!userdb_key(&akey, 'a', address, strlen(address)))
		return err_set(err, ERR_PERM, "5.1.3", "address too long");
	if ((rc = db_lmdb_get(txn, akey.data, akey.len, &val, err)) < 0)
		return -1;
	if (rc == 1 &&
	    (val.len != strlen(primary) ||
	        memcmp(val.data, primary, val.len) != 0))
		return err_set(err, ERR_PERM, "5.1.0",
		    "address %s already belongs to user %.*s", address,
		    (int)(val.len > USERDB_ADDRESS_MAX ? USERDB_ADDRESS_MAX
		                                       : val.len),
		    (const char *)val.data);
	return db_lmdb_put(
	    txn, akey.data, akey.len, primary, strlen(primary), err);
}

/*
 * Remove every "a:" entry pointing at primary except those u keeps
 * (u NULL: all). A sweep rather than the old record's list, so even a
 * damaged record can be deleted or replaced cleanly.
 */
static int
userdb_release(struct db_lmdb_txn *txn, const char *primary,
    const struct userdb_user *u, struct err *err)
{
	struct db_lmdb_cursor *c;
	struct db_lmdb_val key, val;
	size_t plen = strlen(primary);
	char addr[USERDB_ADDRESS_MAX + 1];
	int rc;

	if ((c = db_lmdb_cursor_open(txn, "a:", 2, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(c, &key, &val, err)) == 1) {
		if (val.len != plen || memcmp(val.data, primary, plen) != 0 ||
		    key.len - 2 > USERDB_ADDRESS_MAX)
			continue;
		memcpy(addr, (const char *)key.data + 2, key.len - 2);
		addr[key.len - 2] = '\0';
		if (u != NULL && userdb_user_has_address(u, addr))
			continue;
		if (db_lmdb_cursor_del(c, err) < 0) {
			rc = -1;
			break;
		}
	}
	db_lmdb_cursor_close(&c);
	return rc;
}

static int
userdb_put_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct userdb_put_ctx *ctx = vctx;
	const struct userdb_user *u = ctx->user;
	struct userdb_key ukey;
	struct db_lmdb_val val;
	size_t i;
	int rc;

	userdb_key(&ukey, 'u', u->address, strlen(u->address));
	if ((rc = db_lmdb_get(txn, ukey.data, ukey.len, &val, err)) < 0)
		return -1;
	if (rc == 1 && ctx->how == USERDB_PUT_ADD)
		return err_set(err, ERR_PERM, "5.1.0", "user %s already exists",
		    u->address);
	if (rc == 0 && ctx->how == USERDB_PUT_REPLACE)
		return err_set(
		    err, ERR_PERM, "5.1.1", "no user %s", u->address);
	if (rc == 1 && userdb_release(txn, u->address, u, err) < 0)
		return -1;
	if (userdb_put_claim(txn, u->address, u->address, err) < 0)
		return -1;
	for (i = 0; i < u->naliases; i++)
		if (userdb_put_claim(txn, u->aliases[i], u->address, err) < 0)
			return -1;
	if (db_lmdb_put(txn, ukey.data, ukey.len, ctx->record->data,
	        ctx->record->len, err) < 0)
		return -1;
	return 0;
}

int
userdb_put(struct userdb *db, const struct userdb_user *u,
    enum userdb_put_how how, struct err *err)
{
	struct userdb_put_ctx ctx;
	struct buf record;
	int rc;

	if (userdb_user_check(u, err) < 0)
		return -1;
	buf_init(&record);
	userdb_record_encode(u, &record);
	ctx = (struct userdb_put_ctx){u, how, &record};
	rc = db_lmdb_write(db->db, userdb_put_txn, &ctx, err);
	explicit_bzero(record.data, record.len);
	buf_deinit(&record);
	return rc < 0 ? -1 : 0;
}

static int
userdb_delete_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	const char *address = vctx;
	struct userdb_key ukey;
	int rc;

	if (!userdb_key(&ukey, 'u', address, strlen(address)))
		return 0;
	if ((rc = db_lmdb_del(txn, ukey.data, ukey.len, err)) <= 0)
		return rc;
	if (userdb_release(txn, ukey.data + 2, NULL, err) < 0)
		return -1;
	return 1;
}

int
userdb_delete(struct userdb *db, const char *address, struct err *err)
{
	return db_lmdb_write(db->db, userdb_delete_txn, (void *)address, err);
}

struct userdb_passwd_ctx {
	const char *address;
	const char *hash;
	struct arena *arena;
};

static int
userdb_passwd_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct userdb_passwd_ctx *ctx = vctx;
	struct userdb_user u;
	struct userdb_key ukey;
	struct buf record;
	int rc;

	/* The body may run again after a recoverable error: start clean. */
	arena_reset(ctx->arena);
	if ((rc = userdb_resolve(txn, ctx->address, &ukey, err)) <= 0)
		return rc;
	if (userdb_fetch(txn, &ukey, ctx->arena, &u, err) < 0)
		return -1;
	userdb_user_wipe(&u);
	u.password_hash = ctx->hash;
	/* A stored plaintext equivalent was the old password: drop it. */
	u.secret = "";
	buf_init(&record);
	userdb_record_encode(&u, &record);
	rc =
	    db_lmdb_put(txn, ukey.data, ukey.len, record.data, record.len, err);
	explicit_bzero(record.data, record.len);
	buf_deinit(&record);
	return rc < 0 ? -1 : 1;
}

int
userdb_set_password(struct userdb *db, const char *address,
    const char *password, struct err *err)
{
	struct userdb_passwd_ctx ctx = {.address = address};
	struct buf hash;
	int rc;

	buf_init(&hash);
	/* Hash before the write lock: it takes a while on purpose. */
	if (userdb_password_hash(password, &hash, err) < 0) {
		buf_deinit(&hash);
		return -1;
	}
	ctx.hash = hash.data;
	ctx.arena = arena_new();
	rc = db_lmdb_write(db->db, userdb_passwd_txn, &ctx, err);
	arena_free(&ctx.arena);
	buf_deinit(&hash);
	return rc;
}

struct userdb_iter_ctx {
	userdb_iter_fn *fn;
	void *fn_ctx;
	struct arena *arena;
};

static int
userdb_iter_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct userdb_iter_ctx *ctx = vctx;
	struct db_lmdb_cursor *c;
	struct db_lmdb_val key, val;
	struct userdb_user u;
	int rc = 0, stop = 0;
	size_t n;

	if ((c = db_lmdb_cursor_open(txn, "u:", 2, err)) == NULL)
		return -1;
	while (
	    stop == 0 && (rc = db_lmdb_cursor_next(c, &key, &val, err)) == 1) {
		arena_reset(ctx->arena);
		if (userdb_record_decode(
		        val.data, val.len, ctx->arena, &u, err) < 0) {
			n = key.len - 2;
			err_prefix(err, "users database: %.*s",
			    (int)(n > USERDB_ADDRESS_MAX ? USERDB_ADDRESS_MAX
			                                 : n),
			    (const char *)key.data + 2);
			rc = -1;
			break;
		}
		stop = ctx->fn(&u, ctx->fn_ctx);
		userdb_user_wipe(&u);
	}
	db_lmdb_cursor_close(&c);
	if (stop < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "user iteration stopped by its caller");
	if (stop > 0)
		return stop;
	return rc < 0 ? -1 : 0;
}

int
userdb_iterate(
    struct userdb *db, userdb_iter_fn *fn, void *ctx, struct err *err)
{
	struct userdb_iter_ctx ictx = {fn, ctx, arena_new()};
	int rc;

	rc = db_lmdb_read(db->db, userdb_iter_txn, &ictx, err);
	arena_free(&ictx.arena);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * The LMDB wrapper. Recoverable LMDB errors are remembered in the
 * transaction where they happen and handled in one loop, db_lmdb_run():
 * abort, repair the environment (grow the map, adopt another process's
 * map size, clear dead readers), run the caller's body again. Trusts the
 * database file; callers trust nothing else from us but struct err.
 */
#include "db/db_lmdb.h"

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "db/db_lmdb_impl.h"

#define DB_LMDB_DEFAULT_MAP ((size_t)1 << 20)
#define DB_LMDB_DEFAULT_MAX ((size_t)16 << 30)
/* Doubling from 4 KiB to 16 GiB takes 22 steps; a few more for races. */
#define DB_LMDB_RETRY_MAX 32

bool
db_lmdb_recoverable(int rc)
{
	return rc == MDB_MAP_FULL || rc == MDB_MAP_RESIZED ||
	    rc == MDB_READERS_FULL;
}

int
db_lmdb_fail(struct db_lmdb *db, struct db_lmdb_txn *txn, int rc,
    const char *what, struct err *err)
{
	if (txn != NULL && txn->recover_rc == 0 && db_lmdb_recoverable(rc))
		txn->recover_rc = rc;
	return err_set(err, ERR_TEMP, "4.3.0", "%s: %s: %s", db->path, what,
	    mdb_strerror(rc));
}

static void
db_lmdb_refresh_size(struct db_lmdb *db)
{
	MDB_envinfo info;

	if (mdb_env_info(db->env, &info) == 0)
		db->map_size = info.me_mapsize;
}

/*
 * Repair the environment after a recoverable error, with no transaction
 * of ours active (mdb_env_set_mapsize requires that). 0: try again.
 */
static int
db_lmdb_recover(struct db_lmdb *db, int rc, struct err *err)
{
	size_t grown;
	int dead = 0;

	switch (rc) {
	case MDB_MAP_FULL:
		if (db->map_size >= db->map_max)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "%s: database reached its size limit (%zu bytes)",
			    db->path, db->map_max);
		grown = db->map_size > db->map_max / 2 ? db->map_max
		                                       : db->map_size * 2;
		if ((rc = mdb_env_set_mapsize(db->env, grown)) != 0)
			break;
		db_lmdb_refresh_size(db);
		return 0;
	case MDB_MAP_RESIZED:
		/* Another process grew the file: adopt its size. */
		if ((rc = mdb_env_set_mapsize(db->env, 0)) != 0)
			break;
		db_lmdb_refresh_size(db);
		return 0;
	case MDB_READERS_FULL:
		/* Slots of crashed processes are the only ones we can free. */
		if ((rc = mdb_reader_check(db->env, &dead)) != 0)
			break;
		if (dead > 0)
			return 0;
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: reader table full", db->path);
	default:
		break;
	}
	return db_lmdb_fail(db, NULL, rc, "recovery", err);
}

/* One attempt: begin, body, commit or abort. Sets *rc_out on failure. */
static int
db_lmdb_attempt(struct db_lmdb *db, bool write, db_lmdb_txn_fn *fn, void *ctx,
    int *rc_out, struct err *err)
{
	struct db_lmdb_txn t = {.db = db, .write = write};
	int ret, rc;

	*rc_out = 0;
	rc = mdb_txn_begin(db->env, NULL, write ? 0 : MDB_RDONLY, &t.txn);
	if (rc != 0) {
		*rc_out = rc;
		return db_lmdb_fail(db, NULL, rc, "begin transaction", err);
	}
	ret = fn(&t, ctx, err);
	db_lmdb_cursor_close_all(&t);
	if (t.recover_rc != 0) {
		/* The body may have ignored the failure; LMDB did not. */
		mdb_txn_abort(t.txn);
		*rc_out = t.recover_rc;
		return -1;
	}
	if (ret < 0 || !write) {
		mdb_txn_abort(t.txn);
		return ret;
	}
	if ((rc = mdb_txn_commit(t.txn)) != 0) {
		*rc_out = rc;
		return db_lmdb_fail(db, NULL, rc, "commit", err);
	}
	return ret;
}

static int
db_lmdb_run(struct db_lmdb *db, bool write, db_lmdb_txn_fn *fn, void *ctx,
    struct err *err)
{
	int attempt, ret, rc;

	if (write && (db->flags & DB_LMDB_RDONLY))
		PANIC("%s: write transaction on read-only %s", __func__,
		    db->path);
	for (attempt = 0; attempt < DB_LMDB_RETRY_MAX; attempt++) {
		ret = db_lmdb_attempt(db, write, fn, ctx, &rc, err);
		if (rc == 0 || !db_lmdb_recoverable(rc))
			return ret;
		if (db_lmdb_recover(db, rc, err) != 0)
			return -1;
	}
	return err_set(err, ERR_TEMP, "4.3.0", "%s: gave up after %d retries",
	    db->path, attempt);
}

int
db_lmdb_read(struct db_lmdb *db, db_lmdb_txn_fn *fn, void *ctx, struct err *err)
{
	return db_lmdb_run(db, false, fn, ctx, err);
}

int
db_lmdb_write(
    struct db_lmdb *db, db_lmdb_txn_fn *fn, void *ctx, struct err *err)
{
	return db_lmdb_run(db, true, fn, ctx, err);
}

static int
db_lmdb_open_dbi(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct db_lmdb *db = ctx;
	int rc;

	if ((rc = mdb_dbi_open(txn->txn, NULL, 0, &db->dbi)) != 0)
		return db_lmdb_fail(db, txn, rc, "open", err);
	return 0;
}

static int
db_lmdb_env_open(struct db_lmdb *db, unsigned mode, struct err *err)
{
	unsigned envflags = MDB_NOSUBDIR | MDB_NOTLS;
	struct stat st;
	int rc;

	if ((db->flags & DB_LMDB_CREATE) == 0 && stat(db->path, &st) != 0)
		return err_set(err, ERR_TEMP, "4.3.0", "%s: %s", db->path,
		    strerror(errno));
	if (db->flags & DB_LMDB_RDONLY)
		envflags |= MDB_RDONLY;
	if (db->flags & DB_LMDB_NOLOCK)
		envflags |= MDB_NOLOCK;
	if (db->flags & DB_LMDB_NOSYNC)
		envflags |= MDB_NOSYNC;
	if ((rc = mdb_env_create(&db->env)) != 0)
		return db_lmdb_fail(db, NULL, rc, "create environment", err);
	if ((rc = mdb_env_set_mapsize(db->env, db->map_size)) != 0 ||
	    (rc = mdb_env_open(db->env, db->path, envflags, (mode_t)mode)) !=
	        0) {
		/* LMDB wants the handle closed even after a failed open. */
		mdb_env_close(db->env);
		db->env = NULL;
		return db_lmdb_fail(db, NULL, rc, "open", err);
	}
	/* An existing file may be bigger than what we asked for. */
	db_lmdb_refresh_size(db);
	return 0;
}

struct db_lmdb *
db_lmdb_open(const char *path, const struct db_lmdb_opts *opts, struct err *err)
{
	struct db_lmdb *db = xcalloc(1, sizeof(*db));
	unsigned mode = 0600;

	db->path = xstrdup(path);
	db->pid = getpid();
	db->map_size = DB_LMDB_DEFAULT_MAP;
	db->map_max = DB_LMDB_DEFAULT_MAX;
	if (opts != NULL) {
		db->flags = opts->flags;
		if (opts->mode != 0)
			mode = opts->mode;
		if (opts->map_size != 0)
			db->map_size = opts->map_size;
		if (opts->map_max != 0)
			db->map_max = opts->map_max;
	}
	if (db->map_max < db->map_size)
		db->map_max = db->map_size;
	if (db_lmdb_env_open(db, mode, err) != 0 ||
	    db_lmdb_run(db, false, db_lmdb_open_dbi, db, err) != 0) {
		db_lmdb_close(&db);
		return NULL;
	}
	return db;
}

void
db_lmdb_close(struct db_lmdb **dbp)
{
	struct db_lmdb *db = *dbp;

	if (db == NULL)
		return;
	/* In a forked child, LMDB's close would free the parent's slots. */
	if (db->env != NULL && db->pid == getpid())
		mdb_env_close(db->env);
	free(db->path);
	free(db);
	*dbp = NULL;
}

const char *
db_lmdb_path(const struct db_lmdb *db)
{
	return db->path;
}

size_t
db_lmdb_key_max(const struct db_lmdb *db)
{
	return (size_t)mdb_env_get_maxkeysize(db->env);
}

int
db_lmdb_sync(struct db_lmdb *db, struct err *err)
{
	int rc;

	if ((rc = mdb_env_sync(db->env, 1)) != 0)
		return db_lmdb_fail(db, NULL, rc, "sync", err);
	return 0;
}

static void
db_lmdb_need_write(const struct db_lmdb_txn *txn, const char *func)
{
	if (!txn->write)
		PANIC("%s: write in a read transaction on %s", func,
		    txn->db->path);
}

static int
db_lmdb_check_key(const struct db_lmdb_txn *txn, size_t klen, struct err *err)
{
	size_t max = db_lmdb_key_max(txn->db);

	if (klen == 0)
		return err_set(
		    err, ERR_PERM, "5.3.0", "%s: empty key", txn->db->path);
	if (klen > max)
		return err_set(err, ERR_PERM, "5.3.0",
		    "%s: key of %zu bytes is longer than %zu", txn->db->path,
		    klen, max);
	return 0;
}

int
db_lmdb_get(struct db_lmdb_txn *txn, const void *key, size_t klen,
    struct db_lmdb_val *val_out, struct err *err)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key}, v;
	int rc;

	/* A key LMDB cannot hold cannot be there. */
	if (klen == 0 || klen > db_lmdb_key_max(txn->db))
		return 0;
	rc = mdb_get(txn->txn, txn->db->dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_lmdb_fail(txn->db, txn, rc, "get", err);
	val_out->data = v.mv_data;
	val_out->len = v.mv_size;
	return 1;
}

static int
db_lmdb_store(struct db_lmdb_txn *txn, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags, struct err *err)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	MDB_val v = {.mv_size = vlen, .mv_data = (void *)val};
	int rc;

	if (db_lmdb_check_key(txn, klen, err) != 0)
		return -1;
	rc = mdb_put(txn->txn, txn->db->dbi, &k, &v, flags);
	if (rc == MDB_KEYEXIST)
		return 0;
	if (rc != 0)
		return db_lmdb_fail(txn->db, txn, rc, "put", err);
	return 1;
}

int
db_lmdb_put(struct db_lmdb_txn *txn, const void *key, size_t klen,
    const void *val, size_t vlen, struct err *err)
{
	db_lmdb_need_write(txn, __func__);
	return db_lmdb_store(txn, key, klen, val, vlen, 0, err) < 0 ? -1 : 0;
}

int
db_lmdb_add(struct db_lmdb_txn *txn, const void *key, size_t klen,
    const void *val, size_t vlen, struct err *err)
{
	db_lmdb_need_write(txn, __func__);
	return db_lmdb_store(txn, key, klen, val, vlen, MDB_NOOVERWRITE, err);
}

int
db_lmdb_del(
    struct db_lmdb_txn *txn, const void *key, size_t klen, struct err *err)
{
	MDB_val k = {.mv_size = klen, .mv_data = (void *)key};
	int rc;

	db_lmdb_need_write(txn, __func__);
	if (klen == 0 || klen > db_lmdb_key_max(txn->db))
		return 0;
	rc = mdb_del(txn->txn, txn->db->dbi, &k, NULL);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return db_lmdb_fail(txn->db, txn, rc, "delete", err);
	return 1;
}

struct db_lmdb_lookup_ctx {
	struct db_lmdb_val key;
	struct buf *value_out;
};

static int
db_lmdb_lookup_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct db_lmdb_lookup_ctx *lc = ctx;
	struct db_lmdb_val v;
	int found;

	found = db_lmdb_get(txn, lc->key.data, lc->key.len, &v, err);
	if (found == 1) {
		buf_reset(lc->value_out);
		buf_append(lc->value_out, v.data, v.len);
	}
	return found;
}

int
db_lmdb_lookup(struct db_lmdb *db, const void *key, size_t klen,
    struct buf *value_out, struct err *err)
{
	struct db_lmdb_lookup_ctx lc = {
	    .key = {.data = key, .len = klen},
	    .value_out = value_out,
	};

	return db_lmdb_read(db, db_lmdb_lookup_body, &lc, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * The one LMDB wrapper: every LMDB user (lmdb: maps, the users database,
 * the mailbox index) goes through it. It hides MDB_val and recovers, in
 * this one place, from a full map (grow, re-run the write), a map grown
 * by another process (adopt its size, retry) and a full reader table
 * (clear dead readers, retry). Callers see 0/-1 or 1/0/-1 and struct err;
 * ERR_TEMP for anything that may work later. Used by smtpd, local,
 * authd, imapd and the postern CLI; trusts the database file it opens.
 */
#ifndef DB_DB_LMDB_H
#define DB_DB_LMDB_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Processes and threads. A struct db_lmdb belongs to the process that
 * opened it: open it after fork(), never before, in every process that
 * uses it. A child that inherited one must not use it; db_lmdb_close()
 * there only releases our memory (LMDB's own close would clear the
 * parent's reader slots). LMDB's descriptors are close-on-exec. The
 * environment is opened with MDB_NOTLS, so read slots belong to
 * transactions, not threads; still, a struct db_lmdb is for one thread,
 * and its transactions never nest (no db_lmdb_read() inside
 * db_lmdb_write() on the same database).
 */
struct db_lmdb;
struct db_lmdb_txn;
struct db_lmdb_cursor;

/*
 * A borrowed byte string. Read from the database, it lives until the
 * transaction ends and must not be written to.
 */
struct db_lmdb_val {
	const void *data;
	size_t len;
};

enum db_lmdb_flag {
	DB_LMDB_RDONLY = 1u << 0, /* only db_lmdb_read(); file must exist */
	DB_LMDB_CREATE = 1u << 1, /* create the file (mode) if missing */
	/*
	 * No lock file and no reader table: only for files that are never
	 * written while others read them, i.e. built aside and renamed into
	 * place (lmdb: maps). Otherwise LMDB keeps path + "-lock" beside it.
	 */
	DB_LMDB_NOLOCK = 1u << 2,
	/* Commits do not fsync; call db_lmdb_sync() when it matters. */
	DB_LMDB_NOSYNC = 1u << 3,
};

struct db_lmdb_opts {
	unsigned flags; /* enum db_lmdb_flag bits */
	unsigned mode; /* permissions when created; 0 means 0600 */
	size_t map_size; /* initial map size; 0 means 1 MiB */
	size_t map_max; /* growth stops here; 0 means 16 GiB */
};

/*
 * Open the single-file (MDB_NOSUBDIR) environment at path. opts may be
 * NULL (read-write, no create, defaults). Returns NULL with err filled,
 * ERR_TEMP (missing file, permissions, a corrupt or foreign file: mail
 * defers rather than bounces). Caller owns the result. Blocks on disk.
 */
struct db_lmdb *db_lmdb_open(
    const char *path, const struct db_lmdb_opts *opts, struct err *err);
/* Close and free; *dbp becomes NULL; NULL is a no-op. Not inside a txn. */
void db_lmdb_close(struct db_lmdb **dbp);
/* The path given to db_lmdb_open(); borrowed until db_lmdb_close(). */
const char *db_lmdb_path(const struct db_lmdb *db);
/* The longest key db_lmdb_put() accepts (LMDB's build limit, 511). */
size_t db_lmdb_key_max(const struct db_lmdb *db);
/* Flush to disk (for DB_LMDB_NOSYNC). 0 or -1 (ERR_TEMP). Blocks. */
int db_lmdb_sync(struct db_lmdb *db, struct err *err);

/*
 * A transaction body. Return a value >= 0 to commit (write) or finish
 * (read): db_lmdb_read()/db_lmdb_write() return that value, so a lookup
 * can return 1 or 0. Return -1 with err filled to abort. The body may
 * run more than once: after a recoverable LMDB error all it did is
 * discarded and it runs again from the start, so it must keep its
 * effects inside the transaction (or reset its ctx at entry).
 */
typedef int db_lmdb_txn_fn(struct db_lmdb_txn *txn, void *ctx, struct err *err);

/*
 * Run fn inside a read (db_lmdb_read) or write (db_lmdb_write)
 * transaction, recovering from MDB_MAP_FULL (map grown up to map_max,
 * fn re-run), MDB_MAP_RESIZED and MDB_READERS_FULL. Returns fn's value,
 * or -1 with err: fn's own, or ERR_TEMP for LMDB and system failures.
 * LMDB serialises writers across processes, so db_lmdb_write() blocks
 * while another process writes. Values borrowed from the transaction
 * are invalid once these return.
 */
int db_lmdb_read(
    struct db_lmdb *db, db_lmdb_txn_fn *fn, void *ctx, struct err *err);
int db_lmdb_write(
    struct db_lmdb *db, db_lmdb_txn_fn *fn, void *ctx, struct err *err);

/*
 * Inside a transaction. db_lmdb_get: 1 found (val_out borrowed until the
 * transaction ends), 0 not found, -1. db_lmdb_put: insert or replace, 0
 * or -1 (ERR_PERM for an empty or too long key). db_lmdb_add: insert
 * only if absent; 1 added, 0 already there (left unchanged), -1.
 * db_lmdb_del: 1 deleted, 0 absent, -1. A write inside a read
 * transaction is a bug (PANIC).
 */
int db_lmdb_get(struct db_lmdb_txn *txn, const void *key, size_t klen,
    struct db_lmdb_val *val_out, struct err *err);
int db_lmdb_put(struct db_lmdb_txn *txn, const void *key, size_t klen,
    const void *val, size_t vlen, struct err *err);
int db_lmdb_add(struct db_lmdb_txn *txn, const void *key, size_t klen,
    const void *val, size_t vlen, struct err *err);
int db_lmdb_del(
    struct db_lmdb_txn *txn, const void *key, size_t klen, struct err *err);

/*
 * Ordered iteration (keys compare as bytes) over the keys that start
 * with prefix (plen 0: all keys). The cursor belongs to txn and is
 * closed with it if not before. NULL with err on failure.
 */
struct db_lmdb_cursor *db_lmdb_cursor_open(
    struct db_lmdb_txn *txn, const void *prefix, size_t plen, struct err *err);
/*
 * Next entry: 1 with key_out and val_out (borrowed until the
 * transaction ends; val_out may be NULL), 0 past the last key with the
 * prefix, -1.
 */
int db_lmdb_cursor_next(struct db_lmdb_cursor *c, struct db_lmdb_val *key_out,
    struct db_lmdb_val *val_out, struct err *err);
/*
 * Make the next db_lmdb_cursor_next() return the first key >= key that
 * still has the prefix. 0 or -1.
 */
int db_lmdb_cursor_seek(
    struct db_lmdb_cursor *c, const void *key, size_t klen, struct err *err);
/* Delete the entry db_lmdb_cursor_next() last returned (write txn). 0/-1. */
int db_lmdb_cursor_del(struct db_lmdb_cursor *c, struct err *err);
/* Close early; *cp becomes NULL; NULL is a no-op. */
void db_lmdb_cursor_close(struct db_lmdb_cursor **cp);

/*
 * One-shot lookup in its own read transaction, the value copied into
 * value_out (replacing its contents). 1, 0 or -1.
 */
int db_lmdb_lookup(struct db_lmdb *db, const void *key, size_t klen,
    struct buf *value_out, struct err *err);

#endif

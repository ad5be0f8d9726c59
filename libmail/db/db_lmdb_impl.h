/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by db_lmdb.c (environments, transactions, records)
 * and db_lmdb_cursor.c. Only those two files include this header.
 */
#ifndef DB_DB_LMDB_IMPL_H
#define DB_DB_LMDB_IMPL_H

#include <lmdb.h>
#include <stdbool.h>
#include <sys/types.h>

#include "db/db_lmdb.h"

struct db_lmdb {
	MDB_env *env;
	MDB_dbi dbi;
	char *path;
	unsigned flags;
	size_t map_size; /* what the environment maps now */
	size_t map_max;
	pid_t pid; /* the process that opened it (fork rule) */
};

struct db_lmdb_txn {
	struct db_lmdb *db;
	MDB_txn *txn;
	bool write;
	int recover_rc; /* first recoverable LMDB error, or 0 */
	struct db_lmdb_cursor *cursors; /* open cursors, closed at the end */
};

/* MDB_MAP_FULL, MDB_MAP_RESIZED or MDB_READERS_FULL. */
bool db_lmdb_recoverable(int rc);
/*
 * Fill err (ERR_TEMP) for an LMDB or errno code rc and, when txn is not
 * NULL and rc is recoverable, remember it there so the transaction is
 * retried. Returns -1.
 */
int db_lmdb_fail(struct db_lmdb *db, struct db_lmdb_txn *txn, int rc,
    const char *what, struct err *err);
/* Close every cursor still open in txn (before it ends). */
void db_lmdb_cursor_close_all(struct db_lmdb_txn *txn);

#endif

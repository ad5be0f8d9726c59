/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/db: the LMDB wrapper's records, cursors and its
 * recovery from a full map, a map grown by another process and a reader
 * table full of dead processes.
 */
#include "db/db_lmdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xmalloc.h"

#include "t.h"

static char t_dir[64];

static const char *
t_path(const char *name)
{
	static char path[128];

	if (t_dir[0] == '\0') {
		snprintf(t_dir, sizeof(t_dir), "/tmp/postern-test-db.XXXXXX");
		if (mkdtemp(t_dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", t_dir, name);
	unlink(path);
	return path;
}

static struct db_lmdb *
t_open(const char *name, size_t map_size, size_t map_max)
{
	struct db_lmdb_opts o = {.flags = DB_LMDB_CREATE,
	    .mode = 0600,
	    .map_size = map_size,
	    .map_max = map_max};
	char lock[160];
	struct err err;
	struct db_lmdb *db;
	const char *path = t_path(name);

	snprintf(lock, sizeof(lock), "%s-lock", path);
	unlink(lock);
	db = db_lmdb_open(path, &o, &err);
	if (!T_CHECK(db != NULL))
		fprintf(stderr, "  %s\n", err.text);
	return db;
}

struct t_kv {
	const char *key;
	const char *val;
	int runs; /* how often the body ran */
	size_t count; /* records to write (growth tests) */
	size_t vlen;
};

static int
t_put_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct t_kv *kv = ctx;

	kv->runs++;
	if (db_lmdb_put(txn, kv->key, strlen(kv->key), kv->val, strlen(kv->val),
	        err) != 0)
		return -1;
	/* Embedded NUL in key and value. */
	return db_lmdb_put(txn, "n\0l", 3, "v\0w", 3, err);
}

static void
db_put_get_del(void)
{
	struct db_lmdb *db = t_open("basic.lmdb", 0, 0);
	struct t_kv kv = {.key = "alice", .val = "one"};
	struct buf b;
	struct err err;

	if (db == NULL)
		return;
	buf_init(&b);
	T_EQ_INT(db_lmdb_write(db, t_put_body, &kv, &err), 0);
	T_EQ_INT(kv.runs, 1);
	T_EQ_INT(db_lmdb_lookup(db, "alice", 5, &b, &err), 1);
	T_EQ_STR(b.data, "one");
	T_EQ_INT(db_lmdb_lookup(db, "n\0l", 3, &b, &err), 1);
	T_CHECK(b.len == 3 && memcmp(b.data, "v\0w", 3) == 0);
	T_EQ_INT(db_lmdb_lookup(db, "n", 1, &b, &err), 0);
	T_EQ_INT(db_lmdb_lookup(db, "", 0, &b, &err), 0);
	kv.val = "two";
	T_EQ_INT(db_lmdb_write(db, t_put_body, &kv, &err), 0);
	T_EQ_INT(db_lmdb_lookup(db, "alice", 5, &b, &err), 1);
	T_EQ_STR(b.data, "two");
	T_EQ_STR(db_lmdb_path(db), t_path("basic.lmdb"));
	T_EQ_INT(db_lmdb_key_max(db), 511);
	T_EQ_INT(db_lmdb_sync(db, &err), 0);
	buf_deinit(&b);
	db_lmdb_close(&db);
	T_CHECK(db == NULL);
	db_lmdb_close(&db);
}

static int
t_add_del_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	int *step = ctx;

	(void)step;
	if (db_lmdb_add(txn, "k", 1, "first", 5, err) != 1 ||
	    db_lmdb_add(txn, "k", 1, "second", 6, err) != 0 ||
	    db_lmdb_del(txn, "absent", 6, err) != 0 ||
	    db_lmdb_add(txn, "gone", 4, "x", 1, err) != 1 ||
	    db_lmdb_del(txn, "gone", 4, err) != 1)
		return err_set(err, ERR_PERM, "", "unexpected result");
	return 7;
}

static void
db_add_keeps_first_and_returns_body_value(void)
{
	struct db_lmdb *db = t_open("add.lmdb", 0, 0);
	struct buf b;
	struct err err;
	int step = 0;

	if (db == NULL)
		return;
	buf_init(&b);
	T_EQ_INT(db_lmdb_write(db, t_add_del_body, &step, &err), 7);
	T_EQ_INT(db_lmdb_lookup(db, "k", 1, &b, &err), 1);
	T_EQ_STR(b.data, "first");
	T_EQ_INT(db_lmdb_lookup(db, "gone", 4, &b, &err), 0);
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static int
t_abort_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	(void)ctx;
	if (db_lmdb_put(txn, "aborted", 7, "x", 1, err) != 0)
		return -1;
	return err_set(err, ERR_PERM, "5.0.0", "changed my mind");
}

static int
t_bad_key_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	static const char big[600];
	size_t len = *(size_t *)ctx;

	return db_lmdb_put(txn, big, len, "v", 1, err);
}

static void
db_abort_and_bad_keys(void)
{
	static const struct {
		size_t klen;
		int want;
	} cases[] = {
	    {0, -1}, /* empty key */
	    {511, 0}, /* the maximum */
	    {512, -1}, /* one past it */
	    {600, -1},
	};
	struct db_lmdb *db = t_open("abort.lmdb", 0, 0);
	struct buf b;
	struct err err;
	size_t i, len;

	if (db == NULL)
		return;
	buf_init(&b);
	T_EQ_INT(db_lmdb_write(db, t_abort_body, NULL, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_STR(err.text, "changed my mind");
	T_EQ_INT(db_lmdb_lookup(db, "aborted", 7, &b, &err), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].klen;
		err.kind = ERR_NONE;
		T_EQ_INT(db_lmdb_write(db, t_bad_key_body, &len, &err),
		    cases[i].want);
		if (cases[i].want < 0)
			T_EQ_INT(err.kind, ERR_PERM);
	}
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static void
db_open_missing(void)
{
	struct db_lmdb_opts ro = {.flags = DB_LMDB_RDONLY};
	struct db_lmdb_opts rw = {.flags = 0};
	struct err err;
	const char *path = t_path("missing.lmdb");

	T_CHECK(db_lmdb_open(path, &ro, &err) == NULL);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(strstr(err.text, "missing.lmdb") != NULL);
	T_CHECK(db_lmdb_open(path, &rw, &err) == NULL);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(access(path, F_OK) != 0);
}

static int
t_fill_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct t_kv *kv = ctx;
	char key[32], *val = xcalloc(1, kv->vlen);
	size_t i;
	int rc = 0;

	kv->runs++;
	for (i = 0; i < kv->count && rc == 0; i++) {
		snprintf(key, sizeof(key), "%s%06zu", kv->key, i);
		memset(val, 'a' + (int)(i % 26), kv->vlen);
		rc = db_lmdb_put(txn, key, strlen(key), val, kv->vlen, err);
	}
	free(val);
	return rc;
}

static void
db_map_grows_and_reruns(void)
{
	/* 64 KiB initial map, ~2 MiB written in one transaction. */
	struct db_lmdb *db = t_open("grow.lmdb", 64 << 10, 0);
	struct t_kv kv = {.key = "k", .count = 2000, .vlen = 1000};
	struct buf b;
	struct err err;

	if (db == NULL)
		return;
	buf_init(&b);
	T_EQ_INT(db_lmdb_write(db, t_fill_body, &kv, &err), 0);
	T_CHECK(kv.runs > 1);
	T_EQ_INT(db_lmdb_lookup(db, "k001999", 7, &b, &err), 1);
	T_EQ_INT(b.len, 1000);
	T_EQ_INT(b.data[0], 'a' + 1999 % 26);
	/* Many small transactions grow it again. */
	kv.key = "s";
	kv.count = 1;
	kv.vlen = 100000;
	for (int i = 0; i < 40; i++) {
		kv.key = i % 2 ? "s" : "t";
		kv.vlen = 100000 + (size_t)i;
		if (!T_EQ_INT(db_lmdb_write(db, t_fill_body, &kv, &err), 0))
			fprintf(stderr, "  %s\n", err.text);
	}
	T_EQ_INT(db_lmdb_lookup(db, "t000000", 7, &b, &err), 1);
	T_EQ_INT(b.len, 100038);
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static void
db_map_limit_is_temporary(void)
{
	struct db_lmdb *db = t_open("limit.lmdb", 64 << 10, 256 << 10);
	struct t_kv kv = {.key = "k", .count = 1000, .vlen = 1000};
	struct buf b;
	struct err err;

	if (db == NULL)
		return;
	buf_init(&b);
	T_EQ_INT(db_lmdb_write(db, t_fill_body, &kv, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(strstr(err.text, "size limit") != NULL);
	/* Nothing of the failed transaction is visible; the db still works. */
	T_EQ_INT(db_lmdb_lookup(db, "k000000", 7, &b, &err), 0);
	kv.count = 10;
	T_EQ_INT(db_lmdb_write(db, t_fill_body, &kv, &err), 0);
	T_EQ_INT(db_lmdb_lookup(db, "k000009", 7, &b, &err), 1);
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static void
db_adopts_map_grown_by_other_process(void)
{
	struct db_lmdb *db = t_open("resized.lmdb", 64 << 10, 0);
	struct db_lmdb_opts o = {.map_size = 64 << 10};
	struct t_kv kv = {.key = "c", .count = 3000, .vlen = 1000};
	struct buf b;
	struct err err;
	int status = -1;
	pid_t pid;

	if (db == NULL)
		return;
	buf_init(&b);
	/* The child opens its own handle after fork(), as the header says. */
	if ((pid = fork()) == 0) {
		struct db_lmdb *cdb = db_lmdb_open(db_lmdb_path(db), &o, &err);

		_exit(cdb == NULL ||
		    db_lmdb_write(cdb, t_fill_body, &kv, &err) != 0);
	}
	T_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_EQ_INT(status, 0);
	/* Our map is still 64 KiB: LMDB says MAP_RESIZED; we adopt it. */
	T_EQ_INT(db_lmdb_lookup(db, "c002999", 7, &b, &err), 1);
	T_EQ_INT(b.len, 1000);
	kv.key = "p";
	kv.count = 10;
	T_EQ_INT(db_lmdb_write(db, t_fill_body, &kv, &err), 0);
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static int
t_die_in_read(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	(void)txn;
	(void)ctx;
	(void)err;
	_exit(0); /* leave the reader slot taken by a dead process */
}

static void
db_clears_dead_readers(void)
{
	struct db_lmdb *db = t_open("readers.lmdb", 0, 0);
	struct db_lmdb_opts o = {.flags = 0};
	struct buf b;
	struct err err;
	int i, status, failed = 0;
	pid_t pid;

	if (db == NULL)
		return;
	buf_init(&b);
	/* LMDB's default reader table has 126 slots; fill them all. */
	for (i = 0; i < 130; i++) {
		if ((pid = fork()) == 0) {
			struct db_lmdb *cdb =
			    db_lmdb_open(db_lmdb_path(db), &o, &err);

			if (cdb != NULL)
				(void)db_lmdb_read(
				    cdb, t_die_in_read, NULL, &err);
			_exit(1);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			failed++;
	}
	T_EQ_INT(failed, 0);
	T_EQ_INT(db_lmdb_lookup(db, "x", 1, &b, &err), 0);
	buf_deinit(&b);
	db_lmdb_close(&db);
}

static int
t_cursor_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	static const char *keys[] = {
	    "a", "user:bob", "user:alice", "user:carol", "users", "v", "user:"};
	struct buf *seen = ctx;
	struct db_lmdb_cursor *c;
	struct db_lmdb_val k, v;
	size_t i;
	int rc;

	buf_reset(seen);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (db_lmdb_put(txn, keys[i], strlen(keys[i]), "1", 1, err) !=
		    0)
			return -1;
	if ((c = db_lmdb_cursor_open(txn, "user:", 5, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(c, &k, &v, err)) == 1) {
		buf_append(seen, k.data, k.len);
		buf_putc(seen, ' ');
		if (k.len == 10 && memcmp(k.data, "user:alice", 10) == 0 &&
		    db_lmdb_cursor_del(c, err) != 0)
			return -1;
	}
	if (rc < 0 || db_lmdb_cursor_seek(c, "user:c", 6, err) != 0 ||
	    db_lmdb_cursor_next(c, &k, NULL, err) != 1)
		return -1;
	buf_putc(seen, '|');
	buf_append(seen, k.data, k.len);
	/* Seeking before the prefix starts at the prefix. */
	if (db_lmdb_cursor_seek(c, "a", 1, err) != 0 ||
	    db_lmdb_cursor_next(c, &k, NULL, err) != 1)
		return -1;
	buf_putc(seen, '|');
	buf_append(seen, k.data, k.len);
	/* Left open on purpose: the transaction closes it. */
	return db_lmdb_get(txn, "user:alice", 10, &v, err);
}

static int
t_count_body(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct db_lmdb_cursor *c = db_lmdb_cursor_open(txn, NULL, 0, err);
	struct db_lmdb_val k;
	int n = 0, rc;

	(void)ctx;
	if (c == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(c, &k, NULL, err)) == 1)
		n++;
	db_lmdb_cursor_close(&c);
	T_CHECK(c == NULL);
	return rc < 0 ? -1 : n;
}

static void
db_cursor_prefix_seek_delete(void)
{
	struct db_lmdb *db = t_open("cursor.lmdb", 0, 0);
	struct buf seen;
	struct err err;

	if (db == NULL)
		return;
	buf_init(&seen);
	T_EQ_INT(db_lmdb_write(db, t_cursor_body, &seen, &err), 0);
	T_EQ_STR(seen.data,
	    "user: user:alice user:bob user:carol |user:carol|user:");
	T_EQ_INT(db_lmdb_read(db, t_count_body, NULL, &err), 6);
	buf_deinit(&seen);
	db_lmdb_close(&db);
}

static void
t_cleanup(void)
{
	char cmd[128];

	if (t_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", t_dir);
	}
}

T_MAIN(T_CASE(db_put_get_del),
    T_CASE(db_add_keeps_first_and_returns_body_value),
    T_CASE(db_abort_and_bad_keys), T_CASE(db_open_missing),
    T_CASE(db_map_grows_and_reruns), T_CASE(db_map_limit_is_temporary),
    T_CASE(db_adopts_map_grown_by_other_process),
    T_CASE(db_clears_dead_readers), T_CASE(db_cursor_prefix_seek_delete),
    T_CASE(t_cleanup))

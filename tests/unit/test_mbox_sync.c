/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for folder sync and snapshots: files added, removed and
 * renamed behind the index's back, an index deleted, overwritten with
 * garbage or holding a damaged record (rebuilt with a greater
 * UIDVALIDITY), and the time to sync and list a large folder
 * (printed, not asserted).
 */
#include "store/mbox_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db_lmdb.h"
#include "store/maildir.h"
#include "store/mbox_index.h"
#include "store/mbox_index_impl.h"
#include "store/mbox_view.h"

#include "t.h"
#include "test_mbox_util.h"

static const char text[] = "From: a@example.org\n\nhello\n";

/* A root with n messages delivered and appended to INBOX. */
static char *
root_with(int n, struct mbox_index **ix_out)
{
	char *root = tmb_make_root();
	struct maildir_name_uniq u;
	struct buf name;
	struct err err;
	uint32_t uid;
	int i;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	if (mbox_index_open(root, ix_out, &err) < 0)
		exit(1);
	for (i = 0; i < n; i++)
		if (tmb_deliver(root, NULL, &u, text, 0, &name, &err) < 0 ||
		    mbox_index_append(*ix_out, NULL, name.data, &uid, &err) < 0)
			exit(1);
	buf_deinit(&name);
	return root;
}

static const struct mbox_index_msg *
view_uid(const struct mbox_view *v, uint32_t uid)
{
	size_t i;

	return mbox_view_find(v, uid, &i) == 1 ? mbox_view_msg(v, i) : NULL;
}

static void
sync_adds_foreign_files(void)
{
	struct mbox_index *ix;
	char *root = root_with(2, &ix);
	const struct mbox_index_msg *m;
	struct mbox_sync_stats s;
	struct mbox_view *v = NULL;
	struct err err;

	T_EQ_INT(
	    tmb_put_file(root, "new", "1600000000.M1P1Q1.other,S=5", "12345"),
	    0);
	T_EQ_INT(
	    tmb_put_file(root, "cur", "1600000001.M1P1Q1.other:2,RS", "abc"),
	    0);
	T_EQ_INT(tmb_put_file(root, "new", ".hidden", "x"), 0);
	T_EQ_INT(mbox_sync_folder(ix, NULL, &s, &err), 0);
	T_EQ_INT(s.added, 2);
	T_EQ_INT(s.removed, 0);
	T_EQ_INT(s.changed, 0);
	T_CHECK(!s.rebuilt);
	T_EQ_INT(mbox_view_open(ix, "INBOX", &v, &err), 0);
	T_EQ_INT(mbox_view_count(v), 4);
	T_EQ_INT(mbox_view_status(v)->uidnext, 5);
	T_EQ_INT(mbox_view_status(v)->unseen, 3);
	m = view_uid(v, 3);
	T_CHECK(
	    m != NULL && strcmp(m->name, "1600000000.M1P1Q1.other,S=5") == 0);
	T_CHECK(m != NULL && !m->in_cur && m->size == 5);
	m = view_uid(v, 4);
	T_CHECK(m != NULL && m->in_cur && m->size == 3);
	T_CHECK(
	    m != NULL && m->flags == (MBOX_INDEX_ANSWERED | MBOX_INDEX_SEEN));
	T_CHECK(view_uid(v, 5) == NULL);
	mbox_view_free(&v);
	T_CHECK(v == NULL);
	/* Nothing changed: nothing to do. */
	T_EQ_INT(mbox_sync_folder(ix, "", &s, &err), 0);
	T_EQ_INT(s.added + s.removed + s.changed, 0);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

static void
sync_drops_missing_files(void)
{
	struct mbox_index *ix;
	char *root = root_with(3, &ix);
	struct mbox_index_status st;
	struct mbox_sync_stats s;
	struct mbox_view *v = NULL;
	struct buf path;
	struct err err;
	uint64_t modseq;

	buf_init(&path);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), 0);
	modseq = mbox_view_status(v)->highestmodseq;
	mbox_view_path(v, 1, &path); /* UID 2 */
	T_EQ_INT(unlink(path.data), 0);
	mbox_view_free(&v);
	T_EQ_INT(mbox_sync_folder(ix, NULL, &s, &err), 0);
	T_EQ_INT(s.removed, 1);
	T_EQ_INT(s.added, 0);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), 0);
	T_EQ_INT(mbox_view_count(v), 2);
	T_CHECK(view_uid(v, 2) == NULL);
	T_CHECK(view_uid(v, 3) != NULL);
	T_CHECK(mbox_view_status(v)->highestmodseq > modseq);
	mbox_view_free(&v);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(st.messages, 2);
	T_EQ_INT(st.bytes, 2 * (sizeof(text) - 1));
	mbox_index_close(&ix);
	buf_deinit(&path);
	tmb_drop_root(root);
}

static void
sync_picks_up_renames(void)
{
	struct mbox_index *ix;
	char *root = root_with(2, &ix);
	const struct mbox_index_msg *m;
	struct mbox_sync_stats s;
	struct mbox_view *v = NULL;
	struct buf from, to;
	struct err err;
	uint64_t modseq1, modseq2;

	buf_init(&from);
	buf_init(&to);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), 0);
	modseq1 = mbox_view_msg(v, 0)->modseq;
	modseq2 = mbox_view_msg(v, 1)->modseq;
	/* mutt reads message 1: new/X -> cur/X:2,S */
	mbox_view_path(v, 0, &from);
	buf_printf(&to, "%s/cur/%s:2,S", root, mbox_view_msg(v, 0)->name);
	T_EQ_INT(rename(from.data, to.data), 0);
	/* Another tool only moves message 2 to cur/, flags unchanged. */
	buf_reset(&from);
	buf_reset(&to);
	mbox_view_path(v, 1, &from);
	buf_printf(&to, "%s/cur/%s:2,", root, mbox_view_msg(v, 1)->name);
	T_EQ_INT(rename(from.data, to.data), 0);
	mbox_view_free(&v);
	T_EQ_INT(mbox_sync_folder(ix, NULL, &s, &err), 0);
	T_EQ_INT(s.changed, 2);
	T_EQ_INT(s.added + s.removed, 0);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), 0);
	m = view_uid(v, 1);
	T_CHECK(m != NULL && m->flags == MBOX_INDEX_SEEN && m->in_cur);
	T_CHECK(m != NULL && m->modseq > modseq1);
	m = view_uid(v, 2);
	T_CHECK(m != NULL && m->flags == 0 && m->in_cur);
	T_CHECK(m != NULL && m->modseq == modseq2);
	T_EQ_INT(mbox_view_status(v)->unseen, 1);
	/* And our own STORE works on the renamed file. */
	buf_reset(&from);
	mbox_view_path(v, 0, &from);
	T_CHECK(access(from.data, F_OK) == 0);
	mbox_view_free(&v);
	mbox_index_close(&ix);
	buf_deinit(&from);
	buf_deinit(&to);
	tmb_drop_root(root);
}

/* Close, let damage happen, reopen, sync: a rebuild, greater UIDV. */
static void
check_rebuilt(
    struct mbox_index **ixp, const char *root, uint32_t old_uidv, size_t count)
{
	struct mbox_sync_stats s;
	struct mbox_view *v = NULL;
	struct err err;

	T_EQ_INT(mbox_index_open(root, ixp, &err), 0);
	if (*ixp == NULL)
		return;
	T_EQ_INT(mbox_sync_folder(*ixp, NULL, &s, &err), 0);
	T_CHECK(s.rebuilt);
	T_EQ_INT(s.added, count);
	T_EQ_INT(mbox_view_open(*ixp, NULL, &v, &err), 0);
	T_EQ_INT(mbox_view_count(v), count);
	T_CHECK(mbox_view_status(v)->uidvalidity > old_uidv);
	T_EQ_INT(mbox_view_status(v)->uidnext, count + 1);
	mbox_view_free(&v);
	mbox_index_close(ixp);
}

static void
rebuild_deleted_index(void)
{
	struct mbox_index *ix;
	char *root = root_with(3, &ix);
	struct mbox_index_status st;
	struct buf path;
	struct err err;

	buf_init(&path);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	mbox_index_close(&ix);
	buf_printf(&path, "%s/%s", root, MBOX_INDEX_FILE);
	T_EQ_INT(unlink(path.data), 0);
	buf_puts(&path, "-lock");
	unlink(path.data);
	check_rebuilt(&ix, root, st.uidvalidity, 3);
	buf_deinit(&path);
	tmb_drop_root(root);
}

static void
rebuild_garbage_index(void)
{
	struct mbox_index *ix;
	char *root = root_with(2, &ix);
	struct mbox_index_status st;
	struct buf path, junk;
	struct err err;
	int i;

	buf_init(&path);
	buf_init(&junk);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	mbox_index_close(&ix);
	buf_printf(&path, "%s/%s", root, MBOX_INDEX_FILE);
	T_EQ_INT(unlink(path.data), 0);
	for (i = 0; i < 2000; i++)
		buf_puts(&junk, "not an lmdb file ");
	T_EQ_INT(tmb_put_file(root, ".", MBOX_INDEX_FILE, junk.data), 0);
	check_rebuilt(&ix, root, st.uidvalidity, 2);
	T_CHECK(tmb_exists(root, ".", MBOX_INDEX_FILE ".broken"));
	buf_deinit(&path);
	buf_deinit(&junk);
	tmb_drop_root(root);
}

struct put_ctx {
	const struct mbox_index_key *k;
	const struct buf *val;
};

static int
put_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct put_ctx *c = vctx;

	return db_lmdb_put(
	    txn, c->k->b, c->k->len, c->val->data, c->val->len, err);
}

/* Replace one record of the index behind its back. */
static int
write_record(struct db_lmdb *db, const struct mbox_index_key *k,
    const struct buf *val, struct err *err)
{
	struct put_ctx c = {.k = k, .val = val};

	return db_lmdb_write(db, put_txn, &c, err);
}

static void
rebuild_damaged_record(void)
{
	struct mbox_index *ix;
	char *root = root_with(2, &ix);
	struct mbox_index_status st;
	struct mbox_index_key k;
	struct mbox_view *v = NULL;
	struct db_lmdb *db;
	struct buf path;
	struct err err;

	buf_init(&path);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	mbox_index_close(&ix);
	/* INBOX is folder id 1; overwrite the record of UID 2. */
	buf_printf(&path, "%s/%s", root, MBOX_INDEX_FILE);
	db = db_lmdb_open(path.data, NULL, &err);
	T_CHECK(db != NULL);
	mbox_index_key_msg(&k, 1, 2);
	T_CHECK(db != NULL && db_lmdb_lookup(db, k.b, k.len, &path, &err) == 1);
	if (db != NULL) {
		struct buf bad;

		buf_init(&bad);
		buf_puts(&bad, "\x09garbage");
		T_EQ_INT(write_record(db, &k, &bad, &err), 0);
		buf_deinit(&bad);
	}
	db_lmdb_close(&db);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	mbox_index_close(&ix);
	check_rebuilt(&ix, root, st.uidvalidity, 2);
	buf_deinit(&path);
	tmb_drop_root(root);
}

static void
sync_missing_folder(void)
{
	struct mbox_index *ix;
	char *root = root_with(0, &ix);
	struct mbox_view *v = NULL;
	struct err err;

	T_EQ_INT(mbox_sync_folder(ix, "No.Such", NULL, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(mbox_sync_folder(ix, "../etc", NULL, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	/* A folder never indexed has an empty view. */
	T_EQ_INT(mbox_view_open(ix, "No.Such", &v, &err), 0);
	T_EQ_INT(mbox_view_count(v), 0);
	T_EQ_INT(mbox_view_status(v)->uidvalidity, 0);
	mbox_view_free(&v);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A large folder: 10,000 messages by default, so the suite stays quick
 * under sanitizers; POSTERN_TEST_MESSAGES=100000 gives the size.
 * Times are printed, never asserted.
 */
static void
listing_many(void)
{
	const char *env = getenv("POSTERN_TEST_MESSAGES");
	const int N = env != NULL && atoi(env) > 0 ? atoi(env) : 10000;
	struct mbox_index *ix;
	char *root = root_with(0, &ix);
	struct mbox_sync_stats s;
	struct mbox_view *v = NULL;
	struct timespec t0;
	char name[96];
	struct err err;
	int i, bad = 0;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "1700%06d.M%dP1Q%d.bulk,S=4:2,%s",
		    i, i, i, i % 3 == 0 ? "S" : "");
		bad += tmb_put_file(root, "cur", name, "body") < 0;
	}
	T_EQ_INT(bad, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_EQ_INT(mbox_sync_folder(ix, NULL, &s, &err), 0);
	printf("  sync of %d new files: %.3f s\n", N, seconds_since(&t0));
	T_EQ_INT(s.added, N);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_EQ_INT(mbox_sync_folder(ix, NULL, &s, &err), 0);
	printf("  sync of %d unchanged files: %.3f s\n", N, seconds_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_EQ_INT(mbox_view_open(ix, NULL, &v, &err), 0);
	printf("  view of %d messages: %.3f s\n", N, seconds_since(&t0));
	T_EQ_INT(mbox_view_count(v), N);
	T_EQ_INT(mbox_view_status(v)->unseen, N - (N + 2) / 3);
	T_EQ_INT(mbox_view_msg(v, N - 1)->uid, N);
	mbox_view_free(&v);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

T_MAIN(T_CASE(sync_adds_foreign_files), T_CASE(sync_drops_missing_files),
    T_CASE(sync_picks_up_renames), T_CASE(rebuild_deleted_index),
    T_CASE(rebuild_garbage_index), T_CASE(rebuild_damaged_record),
    T_CASE(sync_missing_folder), T_CASE(listing_many))

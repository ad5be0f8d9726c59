/* SPDX-License-Identifier: MIT */
/*
 * Folder snapshots (mbox_view.h): one read transaction, one cursor pass
 * over the folder's message records, which LMDB keeps in UID order
 * because the UID is big-endian in the key. Names are copied into the
 * view's arena so the snapshot outlives the transaction.
 */
#include "store/mbox_view.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "store/mbox_index_impl.h"

struct mbox_view {
	struct mbox_index *ix;
	char *folder;
	struct mbox_index_status st;
	struct mbox_index_msg *msgs;
	size_t n, cap;
	struct arena *a;
};

static void
mbox_view_push(
    struct mbox_view *v, const struct mbox_index_msg *m, size_t name_len)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->msgs = xreallocarray(v->msgs, v->cap, sizeof(*v->msgs));
	}
	v->msgs[v->n] = *m;
	v->msgs[v->n].name = arena_strndup(v->a, m->name, name_len);
	v->n++;
}

static int
mbox_view_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_view *v = vctx;
	struct mbox_index_key k;
	struct db_lmdb_cursor *cur;
	struct db_lmdb_val key, val;
	struct mbox_index_msg m;
	size_t nlen;
	uint32_t id;
	int rc;

	v->n = 0;
	arena_reset(v->a);
	memset(&v->st, 0, sizeof(v->st));
	if ((rc = mbox_index_folder_id(txn, v->folder, false, &id, err)) <= 0)
		return rc;
	if ((rc = mbox_index_state_get(txn, id, &v->st, err)) <= 0)
		return rc;
	mbox_index_key_msgs(&k, id);
	if ((cur = db_lmdb_cursor_open(txn, k.b, k.len, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(cur, &key, &val, err)) == 1) {
		if (key.len != 9 ||
		    mbox_index_msg_decode(val.data, val.len,
		        mbox_index_key_uid(key.data, key.len), &m, &nlen) < 0) {
			rc = err_set(err, ERR_TEMP, "4.3.0",
			    "mailbox index: damaged message record");
			break;
		}
		mbox_view_push(v, &m, nlen);
	}
	db_lmdb_cursor_close(&cur);
	return rc;
}

int
mbox_view_open(struct mbox_index *ix, const char *folder,
    struct mbox_view **view_out, struct err *err)
{
	struct mbox_view *v = xcalloc(1, sizeof(*v));

	v->ix = ix;
	v->folder = xstrdup(mbox_index_folder_norm(folder));
	v->a = arena_new();
	if (db_lmdb_read(ix->db, mbox_view_txn, v, err) < 0) {
		mbox_view_free(&v);
		return -1;
	}
	*view_out = v;
	return 0;
}

void
mbox_view_free(struct mbox_view **viewp)
{
	struct mbox_view *v = *viewp;

	if (v == NULL)
		return;
	arena_free(&v->a);
	free(v->msgs);
	free(v->folder);
	free(v);
	*viewp = NULL;
}

const struct mbox_index_status *
mbox_view_status(const struct mbox_view *v)
{
	return &v->st;
}

size_t
mbox_view_count(const struct mbox_view *v)
{
	return v->n;
}

const struct mbox_index_msg *
mbox_view_msg(const struct mbox_view *v, size_t i)
{
	if (i >= v->n)
		PANIC("%s: message %zu of %zu", __func__, i, v->n);
	return &v->msgs[i];
}

int
mbox_view_find(const struct mbox_view *v, uint32_t uid, size_t *i_out)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->msgs[mid].uid == uid) {
			*i_out = mid;
			return 1;
		}
		if (v->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void
mbox_view_path(const struct mbox_view *v, size_t i, struct buf *out)
{
	const struct mbox_index_msg *m = mbox_view_msg(v, i);

	mbox_index_file_path(
	    v->ix, v->folder, m->in_cur, m->name, strlen(m->name), out);
}

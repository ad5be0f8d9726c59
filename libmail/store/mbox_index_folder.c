/* SPDX-License-Identifier: MIT */
/*
 * Folder-level changes of the mailbox index (mbox_index.h): forgetting
 * a deleted folder and moving a renamed folder's state. A folder's
 * records are keyed by a folder id, not by its name, so a rename moves
 * only the name entries and UIDs and UIDVALIDITY survive it. Called by
 * mbox_folder.c after the directories changed.
 */
#include "store/mbox_index.h"

#include <stdlib.h>
#include <string.h>

#include "core/byteorder.h"
#include "core/xmalloc.h"
#include "store/maildir.h"
#include "store/mbox_index_impl.h"

struct mbox_index_folder_ctx {
	const char *from;
	const char *to;
};

static int
mbox_index_folder_drop_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_folder_ctx *c = vctx;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->from, false, &id, err)) <= 0)
		return rc;
	return mbox_index_folder_forget(txn, c->from, id, err);
}

int
mbox_index_folder_drop(
    struct mbox_index *ix, const char *folder, struct err *err)
{
	struct mbox_index_folder_ctx c = {
	    .from = mbox_index_folder_norm(folder)};

	return db_lmdb_write(ix->db, mbox_index_folder_drop_txn, &c, err) < 0
	    ? -1
	    : 0;
}

/* Give id the name to (dropping what had it) and remove the old name. */
static int
mbox_index_folder_move(struct db_lmdb_txn *txn, const char *from,
    const char *to, uint32_t id, struct err *err)
{
	struct mbox_index_key k;
	unsigned char idb[4];
	uint32_t old;
	int rc;

	if (strlen(to) > MBOX_INDEX_FOLDER_MAX)
		return err_set(err, ERR_PERM, "5.2.0", "folder name too long");
	if ((rc = mbox_index_folder_id(txn, to, false, &old, err)) < 0)
		return -1;
	if (rc == 1 && mbox_index_folder_forget(txn, to, old, err) < 0)
		return -1;
	byteorder_put_be32(idb, id);
	mbox_index_key_name(&k, to);
	if (db_lmdb_put(txn, k.b, k.len, idb, sizeof(idb), err) < 0)
		return -1;
	mbox_index_key_name(&k, from);
	return db_lmdb_del(txn, k.b, k.len, err) < 0 ? -1 : 0;
}

struct mbox_index_folder_child {
	char *suffix; /* the name after "from" */
	uint32_t id;
};

/* Collect the subfolders "from.*" before any of them moves. */
static int
mbox_index_folder_children(struct db_lmdb_txn *txn, const char *from,
    struct mbox_index_folder_child **list_out, size_t *n_out, struct err *err)
{
	struct mbox_index_folder_child *list = NULL;
	struct db_lmdb_cursor *cur;
	struct db_lmdb_val key, val;
	struct mbox_index_key k;
	size_t n = 0, flen = strlen(from);
	int rc;

	mbox_index_key_name(&k, from);
	k.b[k.len++] = '.';
	if ((cur = db_lmdb_cursor_open(txn, k.b, k.len, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(cur, &key, &val, err)) == 1) {
		if (val.len != 4)
			continue;
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n].suffix = xstrndup(
		    (const char *)key.data + 1 + flen, key.len - 1 - flen);
		list[n].id = byteorder_get_be32(val.data);
		n++;
	}
	db_lmdb_cursor_close(&cur);
	*list_out = list;
	*n_out = n;
	return rc;
}

static int
mbox_index_folder_rename_txn(
    struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_folder_ctx *c = vctx;
	struct mbox_index_folder_child *kids = NULL;
	struct buf from, to;
	size_t i, n = 0;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_children(txn, c->from, &kids, &n, err)) < 0)
		goto out;
	if ((rc = mbox_index_folder_id(txn, c->from, false, &id, err)) == 1)
		rc = mbox_index_folder_move(txn, c->from, c->to, id, err);
	buf_init(&from);
	buf_init(&to);
	for (i = 0; i < n && rc >= 0; i++) {
		buf_reset(&from);
		buf_printf(&from, "%s%s", c->from, kids[i].suffix);
		buf_reset(&to);
		buf_printf(&to, "%s%s", c->to, kids[i].suffix);
		rc = mbox_index_folder_move(
		    txn, from.data, to.data, kids[i].id, err);
	}
	buf_deinit(&from);
	buf_deinit(&to);
out:
	for (i = 0; i < n; i++)
		free(kids[i].suffix);
	free(kids);
	return rc < 0 ? -1 : 0;
}

int
mbox_index_folder_rename(
    struct mbox_index *ix, const char *from, const char *to, struct err *err)
{
	struct mbox_index_folder_ctx c = {.from = mbox_index_folder_norm(from),
	    .to = mbox_index_folder_norm(to)};

	struct buf dir;
	int rc;

	if (c.from[0] == '\0' || c.to[0] == '\0')
		return err_set(err, ERR_PERM, "5.2.0",
		    "INBOX cannot be renamed or replaced");
	/* The new name becomes a path later: check it like any folder. */
	buf_init(&dir);
	rc = maildir_folder_path("", c.to, &dir, err);
	buf_deinit(&dir);
	if (rc < 0)
		return -1;
	return db_lmdb_write(ix->db, mbox_index_folder_rename_txn, &c, err) < 0
	    ? -1
	    : 0;
}

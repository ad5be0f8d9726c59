/* SPDX-License-Identifier: MIT */
/*
 * Changes imapd and pop3d make to messages: IMAP STORE (flags written
 * into the file name, where other Maildir tools read them, and into the
 * index with a new MODSEQ) and EXPUNGE / POP3 DELE+QUIT. File and
 * record change inside one write transaction, so a process that syncs
 * afterwards sees both; a crash between them leaves a file name newer
 * than its record, which the next sync adopts (the files are the truth).
 */
#include "store/mbox_index.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/mbox_index_impl.h"

struct mbox_index_store_ctx {
	struct mbox_index *ix;
	const char *folder;
	enum mbox_index_store_op op;
	uint64_t flags;
	uint64_t unchangedsince;
	struct mbox_index_store_item *items;
	const uint32_t *uids;
	size_t n;
	size_t done;
};

/* Read message uid of folder id into m, its name copied into name. */
static int
mbox_index_store_get(struct db_lmdb_txn *txn, uint32_t id, uint32_t uid,
    struct mbox_index_msg *m, struct buf *name, struct err *err)
{
	struct mbox_index_key k;
	struct db_lmdb_val v;
	size_t nlen;
	int rc;

	mbox_index_key_msg(&k, id, uid);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) <= 0)
		return rc;
	if (mbox_index_msg_decode(v.data, v.len, uid, m, &nlen) < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "mailbox index: damaged message record (uid %lu)",
		    (unsigned long)uid);
	buf_reset(name);
	buf_append(name, m->name, nlen);
	m->name = name->data;
	return 1;
}

static uint64_t
mbox_index_store_apply(
    enum mbox_index_store_op op, uint64_t old, uint64_t flags)
{
	switch (op) {
	case MBOX_INDEX_STORE_SET:
		return flags;
	case MBOX_INDEX_STORE_ADD:
		return old | flags;
	case MBOX_INDEX_STORE_REMOVE:
		return old & ~flags;
	}
	return old;
}

/*
 * Rename m's file to cur/<base>:2,<flags>; new_name gets the name.
 * 1 renamed, 0 the file is gone, -1. A rerun of the transaction finds
 * the file already renamed: that counts as renamed.
 */
static int
mbox_index_store_rename(struct mbox_index_store_ctx *c,
    const struct mbox_index_msg *m, uint64_t flags, struct buf *new_name,
    struct err *err)
{
	struct buf from, to;
	int rc = 1;

	buf_init(&from);
	buf_init(&to);
	buf_reset(new_name);
	maildir_name_info_format(m->name,
	    mbox_index_base_len(m->name, strlen(m->name)), flags, new_name);
	mbox_index_file_path(
	    c->ix, c->folder, m->in_cur, m->name, strlen(m->name), &from);
	mbox_index_file_path(
	    c->ix, c->folder, true, new_name->data, new_name->len, &to);
	if (rename(from.data, to.data) < 0) {
		if (errno != ENOENT)
			rc = err_set(err, ERR_TEMP, "4.3.0", "rename %s: %s",
			    from.data, strerror(errno));
		else
			rc = access(to.data, F_OK) == 0 ? 1 : 0;
	}
	buf_deinit(&from);
	buf_deinit(&to);
	return rc;
}

/* One STORE item; updates st. 0 or -1. */
static int
mbox_index_store_one(struct db_lmdb_txn *txn, struct mbox_index_store_ctx *c,
    uint32_t id, struct mbox_index_status *st, struct mbox_index_store_item *it,
    struct buf *name, struct buf *new_name, struct err *err)
{
	struct mbox_index_msg m, nm;
	int rc;

	it->result = 0;
	if ((rc = mbox_index_store_get(txn, id, it->uid, &m, name, err)) <= 0)
		return rc;
	it->flags = m.flags;
	it->modseq = m.modseq;
	if (c->unchangedsince != 0 && m.modseq > c->unchangedsince) {
		it->result = 2;
		return 0;
	}
	nm = m;
	nm.flags = mbox_index_store_apply(c->op, m.flags, c->flags);
	if (nm.flags == m.flags) {
		it->result = 1;
		return 0;
	}
	if ((rc = mbox_index_store_rename(c, &m, nm.flags, new_name, err)) <= 0)
		return rc;
	nm.name = new_name->data;
	nm.in_cur = true;
	nm.modseq = ++st->highestmodseq;
	if (mbox_index_msg_put(txn, id, st, &m, &nm, err) < 0)
		return -1;
	it->result = 1;
	it->flags = nm.flags;
	it->modseq = nm.modseq;
	return 0;
}

static int
mbox_index_store_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_store_ctx *c = vctx;
	struct mbox_index_status st;
	struct buf name, new_name;
	uint32_t id;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++)
		c->items[i].result = 0;
	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	if ((rc = mbox_index_state_get(txn, id, &st, err)) <= 0)
		return rc;
	buf_init(&name);
	buf_init(&new_name);
	for (i = 0; i < c->n && rc >= 0; i++)
		rc = mbox_index_store_one(
		    txn, c, id, &st, &c->items[i], &name, &new_name, err);
	buf_deinit(&name);
	buf_deinit(&new_name);
	if (rc < 0)
		return -1;
	return mbox_index_state_put(txn, id, &st, err);
}

int
mbox_index_store(struct mbox_index *ix, const char *folder,
    enum mbox_index_store_op op, uint64_t flags, uint64_t unchangedsince,
    struct mbox_index_store_item *items, size_t n, struct err *err)
{
	struct mbox_index_store_ctx c = {.ix = ix,
	    .folder = mbox_index_folder_norm(folder),
	    .op = op,
	    .flags = flags,
	    .unchangedsince = unchangedsince,
	    .items = items,
	    .n = n};

	return db_lmdb_write(ix->db, mbox_index_store_txn, &c, err) < 0 ? -1
	                                                                : 0;
}

static int
mbox_index_expunge_one(struct db_lmdb_txn *txn, struct mbox_index_store_ctx *c,
    uint32_t id, struct mbox_index_status *st, uint32_t uid, struct buf *name,
    struct err *err)
{
	struct mbox_index_msg m;
	struct buf path;
	int rc;

	if ((rc = mbox_index_store_get(txn, id, uid, &m, name, err)) <= 0)
		return rc;
	buf_init(&path);
	mbox_index_file_path(
	    c->ix, c->folder, m.in_cur, m.name, strlen(m.name), &path);
	/* Gone already (a rerun, or another tool): the record goes too. */
	if (unlink(path.data) < 0 && errno != ENOENT)
		rc = err_set(err, ERR_TEMP, "4.3.0", "unlink %s: %s", path.data,
		    strerror(errno));
	buf_deinit(&path);
	if (rc < 0 || mbox_index_msg_del(txn, id, st, &m, err) < 0)
		return -1;
	c->done++;
	return 0;
}

static int
mbox_index_expunge_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_store_ctx *c = vctx;
	struct mbox_index_status st;
	struct buf name;
	uint32_t id;
	size_t i;
	int rc;

	c->done = 0;
	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	if ((rc = mbox_index_state_get(txn, id, &st, err)) <= 0)
		return rc;
	buf_init(&name);
	for (i = 0; i < c->n && rc >= 0; i++)
		rc = mbox_index_expunge_one(
		    txn, c, id, &st, c->uids[i], &name, err);
	buf_deinit(&name);
	if (rc < 0)
		return -1;
	return mbox_index_state_put(txn, id, &st, err);
}

int
mbox_index_expunge(struct mbox_index *ix, const char *folder,
    const uint32_t *uids, size_t n, size_t *done_out, struct err *err)
{
	struct mbox_index_store_ctx c = {.ix = ix,
	    .folder = mbox_index_folder_norm(folder),
	    .uids = uids,
	    .n = n};

	if (db_lmdb_write(ix->db, mbox_index_expunge_txn, &c, err) < 0)
		return -1;
	if (done_out != NULL)
		*done_out = c.done;
	return 0;
}

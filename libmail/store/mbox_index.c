/* SPDX-License-Identifier: MIT */
/*
 * The mailbox index (mbox_index.h): opening it beside the Maildir++
 * root, local delivery's append, status and lookups, cached blobs and
 * the folder-level index changes. Runs in local, imapd and pop3d as
 * the mail store owner; trusts the index file only as far as its
 * records decode, and treats message file names as untrusted.
 */
#include "store/mbox_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/byteorder.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "store/maildir.h"
#include "store/mbox_index_impl.h"

/*
 * An index that LMDB refuses as not being a (sound) LMDB file, although
 * it is there and ours. Only these LMDB verdicts count: a transient
 * failure (descriptors, memory, a full reader table) must never cost
 * every folder its UIDVALIDITY. db_lmdb reports LMDB's own error names.
 */
static bool
mbox_index_unreadable(const char *path, const struct err *err)
{
	static const char *const fatal[] = {"MDB_INVALID", "MDB_CORRUPTED",
	    "MDB_VERSION_MISMATCH", "MDB_PAGE_NOTFOUND"};
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (strstr(err->text, fatal[i]) != NULL)
			break;
	if (i == sizeof(fatal) / sizeof(fatal[0]))
		return false;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static struct db_lmdb *
mbox_index_db_open(const char *path, struct err *err)
{
	struct db_lmdb_opts opts = {
	    .flags = DB_LMDB_CREATE, .mode = 0600, .map_size = 64u << 20};
	struct db_lmdb *db = db_lmdb_open(path, &opts, err);
	struct buf aside;

	if (db != NULL || !mbox_index_unreadable(path, err))
		return db;
	/* The files are the truth: start over and let sync rebuild. */
	log_warning("%s: cannot use the mailbox index (%s); moving it aside "
	            "and rebuilding it",
	    path, err->text);
	buf_init(&aside);
	buf_printf(&aside, "%s.broken", path);
	if (rename(path, aside.data) == 0) {
		buf_reset(&aside);
		buf_printf(&aside, "%s-lock", path);
		unlink(aside.data);
		db = db_lmdb_open(path, &opts, err);
	}
	buf_deinit(&aside);
	return db;
}

int
mbox_index_open(const char *root, struct mbox_index **ix_out, struct err *err)
{
	struct mbox_index *ix;
	struct buf path;
	struct stat st;

	if (stat(root, &st) < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", root, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: not a directory", root);
	buf_init(&path);
	buf_printf(&path, "%s/%s", root, MBOX_INDEX_FILE);
	ix = xcalloc(1, sizeof(*ix));
	ix->root = xstrdup(root);
	ix->db = mbox_index_db_open(path.data, err);
	buf_deinit(&path);
	if (ix->db == NULL) {
		mbox_index_close(&ix);
		return -1;
	}
	*ix_out = ix;
	return 0;
}

void
mbox_index_close(struct mbox_index **ixp)
{
	struct mbox_index *ix = *ixp;

	if (ix == NULL)
		return;
	db_lmdb_close(&ix->db);
	free(ix->root);
	free(ix);
	*ixp = NULL;
}

const char *
mbox_index_root(const struct mbox_index *ix)
{
	return ix->root;
}

struct mbox_index_append_ctx {
	struct mbox_index *ix;
	const char *folder;
	struct mbox_index_msg msg;
	uint32_t uid;
};

static int
mbox_index_append_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_append_ctx *c = vctx;
	struct mbox_index_status st;
	struct mbox_index_key k;
	struct db_lmdb_val v;
	uint32_t id;
	int rc;

	if (mbox_index_folder_id(txn, c->folder, true, &id, err) < 0)
		return -1;
	if ((rc = mbox_index_state_get(txn, id, &st, err)) < 0)
		return -1;
	if (rc == 0 && mbox_index_state_new(c->ix, &st, err) < 0)
		return -1;
	mbox_index_key_base(&k, id, c->msg.name,
	    mbox_index_base_len(c->msg.name, strlen(c->msg.name)));
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) < 0)
		return -1;
	if (rc == 1 && v.len == 4) {
		c->uid = byteorder_get_be32(v.data); /* a sync was first */
		return 0;
	}
	if (st.uidnext == UINT32_MAX)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "folder out of UIDs; it will be renumbered");
	c->msg.uid = c->uid = st.uidnext++;
	c->msg.modseq = ++st.highestmodseq;
	if (mbox_index_msg_put(txn, id, &st, NULL, &c->msg, err) < 0)
		return -1;
	return mbox_index_state_put(txn, id, &st, err);
}

/* Check name and find its file: new/ unless it has an info suffix. */
static int
mbox_index_append_file(struct mbox_index *ix, const char *folder,
    const char *name, struct mbox_index_msg *m, struct err *err)
{
	size_t len = strlen(name);
	struct buf path;
	struct stat st;
	int rc;

	if (len == 0 || name[0] == '.' || strchr(name, '/') != NULL ||
	    mbox_index_base_len(name, len) > MBOX_INDEX_BASE_MAX)
		return err_set(err, ERR_PERM, "5.2.0",
		    "unusable message file name for the index");
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->in_cur = memchr(name, ':', len) != NULL;
	if (maildir_name_info_parse(name, len, &len, &m->flags) < 0)
		m->flags = 0;
	buf_init(&path);
	mbox_index_file_path(ix, folder, m->in_cur, name, strlen(name), &path);
	rc = stat(path.data, &st);
	if (rc < 0 && errno == ENOENT) {
		m->in_cur = !m->in_cur;
		buf_reset(&path);
		mbox_index_file_path(
		    ix, folder, m->in_cur, name, strlen(name), &path);
		rc = stat(path.data, &st);
	}
	if (rc < 0)
		err_set(err, errno == ENOENT ? ERR_PERM : ERR_TEMP,
		    errno == ENOENT ? "5.2.0" : "4.3.0", "%s: %s", name,
		    strerror(errno));
	else
		mbox_index_msg_sizes(name, strlen(name), &st, m);
	buf_deinit(&path);
	return rc < 0 ? -1 : 0;
}

int
mbox_index_append(struct mbox_index *ix, const char *folder, const char *name,
    uint32_t *uid_out, struct err *err)
{
	struct mbox_index_append_ctx c = {.ix = ix};
	struct buf dir;
	int rc;

	c.folder = mbox_index_folder_norm(folder);
	buf_init(&dir);
	rc = maildir_folder_path(ix->root, c.folder, &dir, err);
	buf_deinit(&dir);
	if (rc < 0 ||
	    mbox_index_append_file(ix, c.folder, name, &c.msg, err) < 0)
		return -1;
	if (db_lmdb_write(ix->db, mbox_index_append_txn, &c, err) < 0)
		return -1;
	*uid_out = c.uid;
	return 0;
}

struct mbox_index_read_ctx {
	const char *folder;
	uint32_t uid;
	unsigned kind;
	struct mbox_index_status *st;
	struct mbox_index_msg *msg;
	struct buf *out;
	const void *blob;
	size_t blob_len;
};

static int
mbox_index_status_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_read_ctx *c = vctx;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	return mbox_index_state_get(txn, id, c->st, err);
}

int
mbox_index_status(struct mbox_index *ix, const char *folder,
    struct mbox_index_status *st_out, struct err *err)
{
	struct mbox_index_read_ctx c = {
	    .folder = mbox_index_folder_norm(folder), .st = st_out};

	memset(st_out, 0, sizeof(*st_out));
	return db_lmdb_read(ix->db, mbox_index_status_txn, &c, err);
}

struct mbox_index_usage_ctx {
	uint64_t bytes;
	uint64_t messages;
};

static int
mbox_index_usage_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_usage_ctx *c = vctx;
	struct db_lmdb_cursor *cur;
	struct db_lmdb_val key, val;
	struct mbox_index_status st;
	int rc;

	c->bytes = c->messages = 0;
	if ((cur = db_lmdb_cursor_open(txn, "S", 1, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(cur, &key, &val, err)) == 1) {
		if (mbox_index_state_decode(val.data, val.len, &st) < 0)
			continue; /* sync rebuilds it; do not fail quota */
		c->bytes += st.bytes;
		c->messages += st.messages;
	}
	db_lmdb_cursor_close(&cur);
	return rc;
}

int
mbox_index_usage(struct mbox_index *ix, uint64_t *bytes_out,
    uint64_t *messages_out, struct err *err)
{
	struct mbox_index_usage_ctx c;

	if (db_lmdb_read(ix->db, mbox_index_usage_txn, &c, err) < 0)
		return -1;
	*bytes_out = c.bytes;
	*messages_out = c.messages;
	return 0;
}

static int
mbox_index_lookup_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_read_ctx *c = vctx;
	struct mbox_index_key k;
	struct db_lmdb_val v;
	size_t nlen;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	mbox_index_key_msg(&k, id, c->uid);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) <= 0)
		return rc;
	if (mbox_index_msg_decode(v.data, v.len, c->uid, c->msg, &nlen) < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "mailbox index: damaged message record");
	buf_reset(c->out);
	buf_append(c->out, c->msg->name, nlen);
	c->msg->name = c->out->data;
	return 1;
}

int
mbox_index_lookup(struct mbox_index *ix, const char *folder, uint32_t uid,
    struct mbox_index_msg *msg_out, struct buf *name_out, struct err *err)
{
	struct mbox_index_read_ctx c = {
	    .folder = mbox_index_folder_norm(folder),
	    .uid = uid,
	    .msg = msg_out,
	    .out = name_out};

	return db_lmdb_read(ix->db, mbox_index_lookup_txn, &c, err);
}

static int
mbox_index_cache_set_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_read_ctx *c = vctx;
	struct mbox_index_key k;
	struct db_lmdb_val v;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	mbox_index_key_msg(&k, id, c->uid);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) <= 0)
		return rc;
	mbox_index_key_cache(&k, id, c->uid, c->kind);
	if (db_lmdb_put(txn, k.b, k.len, c->blob, c->blob_len, err) < 0)
		return -1;
	return 1;
}

int
mbox_index_cache_set(struct mbox_index *ix, const char *folder, uint32_t uid,
    enum mbox_index_cache_kind kind, const void *data, size_t len,
    struct err *err)
{
	struct mbox_index_read_ctx c = {
	    .folder = mbox_index_folder_norm(folder),
	    .uid = uid,
	    .kind = kind,
	    .blob = data,
	    .blob_len = len};

	if (kind == 0 || kind > 255)
		PANIC("%s: bad cache kind %d", __func__, (int)kind);
	return db_lmdb_write(ix->db, mbox_index_cache_set_txn, &c, err);
}

static int
mbox_index_cache_get_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_index_read_ctx *c = vctx;
	struct mbox_index_key k;
	struct db_lmdb_val v;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	mbox_index_key_cache(&k, id, c->uid, c->kind);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) <= 0)
		return rc;
	buf_reset(c->out);
	buf_append(c->out, v.data, v.len);
	return 1;
}

int
mbox_index_cache_get(struct mbox_index *ix, const char *folder, uint32_t uid,
    enum mbox_index_cache_kind kind, struct buf *out, struct err *err)
{
	struct mbox_index_read_ctx c = {
	    .folder = mbox_index_folder_norm(folder),
	    .uid = uid,
	    .kind = kind,
	    .out = out};

	if (kind == 0 || kind > 255)
		PANIC("%s: bad cache kind %d", __func__, (int)kind);
	return db_lmdb_read(ix->db, mbox_index_cache_get_txn, &c, err);
}

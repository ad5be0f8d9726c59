/* SPDX-License-Identifier: MIT */
/*
 * Folder sync (mbox_sync.h). The directories are read outside any
 * transaction (a scan of 100,000 names must not hold the writer lock);
 * the differences are applied in one write transaction, and every file
 * it would add or drop is checked again there, because a delivery or
 * an expunge by another process may have happened since the scan.
 * File names come from any Maildir tool and are untrusted.
 */
#include "store/mbox_sync.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/xmalloc.h"
#include "store/maildir.h"
#include "store/mbox_index_impl.h"

/* One file of a scan. */
struct mbox_sync_file {
	const char *name; /* in the scan's arena */
	size_t base_len;
	uint64_t flags;
	bool in_cur;
	bool matched; /* has a record */
};

/* new/ and cur/ of one folder, sorted by base name. */
struct mbox_sync_scan {
	struct arena *a;
	struct mbox_sync_file *files;
	size_t n, cap;
	size_t skipped;
};

/* A record that sync changes: a rename (file set) or a drop (NULL). */
struct mbox_sync_change {
	struct mbox_index_msg old; /* name in the context's arena */
	const struct mbox_sync_file *file;
};

struct mbox_sync_ctx {
	struct mbox_index *ix;
	const char *folder;
	const char *dir;
	struct mbox_sync_scan *scan;
	struct arena *a; /* per transaction run */
	struct mbox_sync_change *changes;
	size_t nchanges, capchanges;
	struct mbox_sync_stats stats;
	bool damaged;
};

static int
mbox_sync_file_cmp(const void *va, const void *vb)
{
	const struct mbox_sync_file *a = va, *b = vb;
	size_t n = a->base_len < b->base_len ? a->base_len : b->base_len;
	int rc = memcmp(a->name, b->name, n);

	if (rc != 0)
		return rc;
	if (a->base_len != b->base_len)
		return a->base_len < b->base_len ? -1 : 1;
	/* The same base twice: cur/ first, the one that is kept. */
	return (int)b->in_cur - (int)a->in_cur;
}

static void
mbox_sync_scan_add(struct mbox_sync_scan *s, const char *name, bool in_cur)
{
	size_t len = strlen(name), base_len;
	struct mbox_sync_file *f;
	uint64_t flags;

	if (maildir_name_info_parse(name, len, &base_len, &flags) < 0)
		flags = 0; /* an info we do not understand: keep the name */
	if (base_len == 0 || base_len > MBOX_INDEX_BASE_MAX) {
		s->skipped++;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->files = xreallocarray(s->files, s->cap, sizeof(*s->files));
	}
	f = &s->files[s->n++];
	f->name = arena_strndup(s->a, name, len);
	f->base_len = base_len;
	f->flags = flags;
	f->in_cur = in_cur;
	f->matched = false;
}

static int
mbox_sync_scan_dir(
    struct mbox_sync_scan *s, const char *dir, bool in_cur, struct err *err)
{
	struct buf path;
	struct dirent *de;
	DIR *d;
	int rc;

	buf_init(&path);
	buf_printf(&path, "%s/%s", dir, in_cur ? "cur" : "new");
	d = opendir(path.data);
	if (d == NULL) {
		rc = errno == ENOENT ? 0
		                     : err_set(err, ERR_TEMP, "4.3.0", "%s: %s",
		                           path.data, strerror(errno));
		buf_deinit(&path);
		return rc;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		mbox_sync_scan_add(s, de->d_name, in_cur);
	}
	rc = errno != 0 ? err_set(err, ERR_TEMP, "4.3.0", "%s: %s", path.data,
	                      strerror(errno))
	                : 0;
	closedir(d);
	buf_deinit(&path);
	return rc;
}

/* Read new/ then cur/: a file moved between the two is seen in cur/. */
static int
mbox_sync_scan_run(struct mbox_sync_scan *s, const char *dir, struct err *err)
{
	size_t i, o;

	s->a = arena_new();
	if (mbox_sync_scan_dir(s, dir, false, err) < 0 ||
	    mbox_sync_scan_dir(s, dir, true, err) < 0)
		return -1;
	if (s->n > 0)
		qsort(s->files, s->n, sizeof(*s->files), mbox_sync_file_cmp);
	for (i = o = 0; i < s->n; i++) {
		if (o > 0 && s->files[o - 1].base_len == s->files[i].base_len &&
		    memcmp(s->files[o - 1].name, s->files[i].name,
		        s->files[i].base_len) == 0)
			continue; /* same message twice: keep the cur/ one */
		s->files[o++] = s->files[i];
	}
	s->n = o;
	return 0;
}

static void
mbox_sync_scan_free(struct mbox_sync_scan *s)
{
	arena_free(&s->a);
	free(s->files);
	memset(s, 0, sizeof(*s));
}

static struct mbox_sync_file *
mbox_sync_scan_find(struct mbox_sync_scan *s, const char *name, size_t len)
{
	size_t base_len = mbox_index_base_len(name, len), lo = 0, hi = s->n;

	/* Bases are unique after the scan: compare them alone. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct mbox_sync_file *f = &s->files[mid];
		size_t n = base_len < f->base_len ? base_len : f->base_len;
		int rc = memcmp(name, f->name, n);

		if (rc == 0 && base_len != f->base_len)
			rc = base_len < f->base_len ? -1 : 1;
		if (rc == 0)
			return f;
		if (rc < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
mbox_sync_change_add(struct mbox_sync_ctx *c, const struct mbox_index_msg *m,
    size_t name_len, const struct mbox_sync_file *f)
{
	struct mbox_sync_change *ch;

	if (c->nchanges == c->capchanges) {
		c->capchanges = c->capchanges ? c->capchanges * 2 : 64;
		c->changes = xreallocarray(
		    c->changes, c->capchanges, sizeof(*c->changes));
	}
	ch = &c->changes[c->nchanges++];
	ch->old = *m;
	ch->old.name = arena_strndup(c->a, m->name, name_len);
	ch->file = f;
}

/* Does a record's name differ from the file found for it? */
static bool
mbox_sync_differs(
    const struct mbox_index_msg *m, size_t len, const struct mbox_sync_file *f)
{
	return m->in_cur != f->in_cur || strlen(f->name) != len ||
	    memcmp(f->name, m->name, len) != 0;
}

/* One cursor pass over the folder's records: match them to files. */
static int
mbox_sync_match(struct db_lmdb_txn *txn, struct mbox_sync_ctx *c, uint32_t id,
    const struct mbox_index_status *st, struct err *err)
{
	struct mbox_index_key k;
	struct db_lmdb_cursor *cur;
	struct db_lmdb_val key, val;
	struct mbox_index_msg m;
	struct mbox_sync_file *f;
	size_t nlen;
	uint32_t uid;
	int rc;

	mbox_index_key_msgs(&k, id);
	if ((cur = db_lmdb_cursor_open(txn, k.b, k.len, err)) == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(cur, &key, &val, err)) == 1) {
		uid = key.len == 9 ? mbox_index_key_uid(key.data, key.len) : 0;
		if (uid == 0 || uid >= st->uidnext ||
		    mbox_index_msg_decode(val.data, val.len, uid, &m, &nlen) <
		        0) {
			c->damaged = true;
			rc = err_set(err, ERR_TEMP, "4.3.0",
			    "mailbox index: damaged message record");
			break;
		}
		f = mbox_sync_scan_find(c->scan, m.name, nlen);
		if (f != NULL)
			f->matched = true;
		if (f == NULL || mbox_sync_differs(&m, nlen, f))
			mbox_sync_change_add(c, &m, nlen, f);
	}
	db_lmdb_cursor_close(&cur);
	return rc;
}

static bool
mbox_sync_exists(struct mbox_sync_ctx *c, bool in_cur, const char *name)
{
	struct buf path;
	struct stat st;
	bool ok;

	buf_init(&path);
	mbox_index_file_path(
	    c->ix, c->folder, in_cur, name, strlen(name), &path);
	ok = stat(path.data, &st) == 0;
	buf_deinit(&path);
	return ok;
}

/*
 * Check each change against the disk again, now that this transaction
 * holds the writer lock. A record whose file is still at its recorded
 * name is left alone: the file was delivered, or renamed by a STORE,
 * after the scan, and the record is the newer one. A file that is at
 * neither its recorded nor its scanned name was renamed while we
 * scanned (readdir() can miss an entry renamed meanwhile): it is looked
 * up in a second scan and dropped only if that misses it too.
 */
static int
mbox_sync_verify(
    struct mbox_sync_ctx *c, struct mbox_sync_scan *again, struct err *err)
{
	struct mbox_sync_change *ch;
	size_t i;
	bool scanned = false;

	for (i = 0; i < c->nchanges; i++) {
		ch = &c->changes[i];
		if (ch->file != NULL &&
		    mbox_sync_exists(c, ch->file->in_cur, ch->file->name))
			continue;
		if (mbox_sync_exists(c, ch->old.in_cur, ch->old.name)) {
			ch->old.uid = 0; /* nothing to do */
			continue;
		}
		if (!scanned) {
			if (mbox_sync_scan_run(again, c->dir, err) < 0)
				return -1;
			scanned = true;
		}
		ch->file = mbox_sync_scan_find(
		    again, ch->old.name, strlen(ch->old.name));
	}
	return 0;
}

/* Apply renames and drops. 0 or -1. */
static int
mbox_sync_apply(struct db_lmdb_txn *txn, struct mbox_sync_ctx *c, uint32_t id,
    struct mbox_index_status *st, struct err *err)
{
	struct mbox_index_msg nm;
	struct mbox_sync_change *ch;
	size_t i;

	for (i = 0; i < c->nchanges; i++) {
		ch = &c->changes[i];
		if (ch->old.uid == 0)
			continue;
		if (ch->file == NULL) {
			if (mbox_index_msg_del(txn, id, st, &ch->old, err) < 0)
				return -1;
			c->stats.removed++;
			continue;
		}
		nm = ch->old;
		nm.name = ch->file->name;
		nm.in_cur = ch->file->in_cur;
		nm.flags = ch->file->flags;
		if (nm.flags != ch->old.flags)
			nm.modseq = ++st->highestmodseq;
		if (mbox_index_msg_put(txn, id, st, &ch->old, &nm, err) < 0)
			return -1;
		c->stats.changed++;
	}
	return 0;
}

/* Give the files no record knows new UIDs, in name (arrival) order. */
static int
mbox_sync_add_new(struct db_lmdb_txn *txn, struct mbox_sync_ctx *c, uint32_t id,
    struct mbox_index_status *st, struct err *err)
{
	struct mbox_index_msg m;
	struct buf path;
	struct stat sb;
	size_t i;
	int rc = 0;

	buf_init(&path);
	for (i = 0; i < c->scan->n && rc == 0; i++) {
		const struct mbox_sync_file *f = &c->scan->files[i];

		if (f->matched)
			continue;
		buf_reset(&path);
		mbox_index_file_path(c->ix, c->folder, f->in_cur, f->name,
		    strlen(f->name), &path);
		/* Gone since the scan: expunged or renamed; not ours now. */
		if (stat(path.data, &sb) < 0)
			continue;
		if (st->uidnext == UINT32_MAX) {
			c->damaged = true; /* renumber with a new UIDVALIDITY */
			rc = err_set(err, ERR_TEMP, "4.3.0", "out of UIDs");
			break;
		}
		memset(&m, 0, sizeof(m));
		m.uid = st->uidnext++;
		m.modseq = ++st->highestmodseq;
		m.flags = f->flags;
		m.in_cur = f->in_cur;
		m.name = f->name;
		mbox_index_msg_sizes(f->name, strlen(f->name), &sb, &m);
		rc = mbox_index_msg_put(txn, id, st, NULL, &m, err);
		c->stats.added++;
	}
	buf_deinit(&path);
	return rc;
}

static int
mbox_sync_state(struct db_lmdb_txn *txn, struct mbox_sync_ctx *c, uint32_t id,
    struct mbox_index_status *st, struct err *err)
{
	struct mbox_index_key k;
	struct db_lmdb_val v;
	int rc;

	mbox_index_key_state(&k, id);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) < 0)
		return -1;
	if (rc == 1 && mbox_index_state_decode(v.data, v.len, st) == 0)
		return 0;
	if (rc == 1) {
		c->damaged = true;
		return err_set(err, ERR_TEMP, "4.3.0",
		    "mailbox index: damaged folder state");
	}
	c->stats.rebuilt = true;
	return mbox_index_state_new(c->ix, st, err);
}

static int
mbox_sync_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_sync_ctx *c = vctx;
	struct mbox_sync_scan again = {0};
	struct mbox_index_status st;
	uint32_t id;
	size_t i;
	int rc = -1;

	/* The body may run again after LMDB recovery: start clean. */
	memset(&c->stats, 0, sizeof(c->stats));
	c->stats.skipped = c->scan->skipped;
	c->nchanges = 0;
	arena_reset(c->a);
	for (i = 0; i < c->scan->n; i++)
		c->scan->files[i].matched = false;
	if (mbox_index_folder_id(txn, c->folder, true, &id, err) < 0 ||
	    mbox_sync_state(txn, c, id, &st, err) < 0 ||
	    mbox_sync_match(txn, c, id, &st, err) < 0)
		return -1;
	if (mbox_sync_verify(c, &again, err) == 0 &&
	    mbox_sync_apply(txn, c, id, &st, err) == 0 &&
	    mbox_sync_add_new(txn, c, id, &st, err) == 0)
		rc = mbox_index_state_put(txn, id, &st, err);
	mbox_sync_scan_free(&again);
	return rc;
}

static int
mbox_sync_forget_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_sync_ctx *c = vctx;
	uint32_t id;
	int rc;

	if ((rc = mbox_index_folder_id(txn, c->folder, false, &id, err)) <= 0)
		return rc;
	return mbox_index_folder_forget(txn, c->folder, id, err);
}

static int
mbox_sync_run(struct mbox_sync_ctx *c, struct err *err)
{
	struct db_lmdb *db = c->ix->db;
	int rc;

	rc = db_lmdb_write(db, mbox_sync_txn, c, err);
	if (rc < 0 && c->damaged) {
		/* Rebuild the folder from its files: new UIDVALIDITY. */
		c->damaged = false;
		if (db_lmdb_write(db, mbox_sync_forget_txn, c, err) < 0)
			return -1;
		rc = db_lmdb_write(db, mbox_sync_txn, c, err);
		c->stats.rebuilt = true;
	}
	return rc < 0 ? -1 : 0;
}

int
mbox_sync_folder(struct mbox_index *ix, const char *folder,
    struct mbox_sync_stats *stats_out, struct err *err)
{
	struct mbox_sync_scan scan = {0};
	struct mbox_sync_ctx c = {.ix = ix, .scan = &scan};
	struct buf dir;
	struct stat st;
	int rc;

	c.folder = mbox_index_folder_norm(folder);
	buf_init(&dir);
	if ((rc = maildir_folder_path(ix->root, c.folder, &dir, err)) == 0 &&
	    strlen(c.folder) > MBOX_INDEX_FOLDER_MAX)
		rc = err_set(err, ERR_PERM, "5.2.0", "folder name too long");
	if (rc == 0 && (stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set(
		    err, ERR_PERM, "5.2.0", "%s: no such folder", dir.data);
	c.dir = dir.data;
	if (rc == 0)
		rc = mbox_sync_scan_run(&scan, dir.data, err);
	if (rc == 0) {
		c.a = arena_new();
		rc = mbox_sync_run(&c, err);
		arena_free(&c.a);
	}
	if (rc == 0 && stats_out != NULL)
		*stats_out = c.stats;
	free(c.changes);
	mbox_sync_scan_free(&scan);
	buf_deinit(&dir);
	return rc;
}

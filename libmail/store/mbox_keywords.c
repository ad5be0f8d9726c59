/* SPDX-License-Identifier: MIT */
/*
 * Keyword names of a folder (mbox_keywords.h). The file may have been
 * written by Dovecot or by hand, so the parser accepts only what it can
 * show to an IMAP client and skips the rest. Changes are made under the
 * index's write lock and land with one rename, so readers never see a
 * half-written file.
 */
#include "store/mbox_keywords.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "store/maildir.h"
#include "store/mbox_index_impl.h"

/* RFC 3501 9: ATOM-CHAR is any CHAR but atom-specials. */
static bool
mbox_keywords_atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){%*\"\\]", c) == NULL;
}

static bool
mbox_keywords_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MBOX_KEYWORDS_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!mbox_keywords_atom_char((unsigned char)s[i]))
			return false;
	return true;
}

static int
mbox_keywords_find_len(
    const struct mbox_keywords *kw, const char *name, size_t len)
{
	int i;

	for (i = 0; i < MBOX_KEYWORDS_MAX; i++)
		if (kw->names[i] != NULL && strlen(kw->names[i]) == len &&
		    strncasecmp(kw->names[i], name, len) == 0)
			return i;
	return -1;
}

/* One line without its LF; 0 taken, -1 skipped. */
static int
mbox_keywords_line(
    const char *p, size_t len, struct arena *a, struct mbox_keywords *kw)
{
	size_t i = 0;
	unsigned slot = 0;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len == 0)
		return 0; /* blank lines are harmless */
	while (i < len && i < 3 && p[i] >= '0' && p[i] <= '9')
		slot = slot * 10 + (unsigned)(p[i++] - '0');
	if (i == 0 || i >= len || p[i] != ' ' || slot >= MBOX_KEYWORDS_MAX ||
	    (i > 1 && p[0] == '0'))
		return -1;
	i++;
	if (!mbox_keywords_atom(p + i, len - i) || kw->names[slot] != NULL ||
	    mbox_keywords_find_len(kw, p + i, len - i) >= 0)
		return -1;
	kw->names[slot] = arena_strndup(a, p + i, len - i);
	return 0;
}

int
mbox_keywords_parse(
    const char *data, size_t len, struct arena *a, struct mbox_keywords *kw_out)
{
	const char *p = data, *end = data + len, *nl;

	memset(kw_out, 0, sizeof(*kw_out));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (mbox_keywords_line(p, (size_t)(nl - p), a, kw_out) < 0)
			kw_out->skipped++;
		p = nl + 1;
	}
	return 0;
}

int
mbox_keywords_find(const struct mbox_keywords *kw, const char *name)
{
	return mbox_keywords_find_len(kw, name, strlen(name));
}

/* Path of file in folder's directory; -1 for a bad folder name. */
static int
mbox_keywords_path(struct mbox_index *ix, const char *folder, const char *file,
    struct buf *out, struct err *err)
{
	if (maildir_folder_path(ix->root, folder, out, err) < 0)
		return -1;
	buf_printf(out, "/%s", file);
	return 0;
}

/* Read the whole file into out; a missing one is empty. 0 or -1. */
static int
mbox_keywords_read(const char *path, struct buf *out, struct err *err)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? 0
		                       : err_set(err, ERR_TEMP, "4.3.0",
		                             "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && out->len < 65536)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	if (n < 0)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(errno));
	return 0;
}

int
mbox_keywords_load(struct mbox_index *ix, const char *folder, struct arena *a,
    struct mbox_keywords *kw_out, struct err *err)
{
	struct buf path, data;
	int rc;

	buf_init(&path);
	buf_init(&data);
	rc = mbox_keywords_path(
	    ix, mbox_index_folder_norm(folder), MBOX_KEYWORDS_FILE, &path, err);
	if (rc == 0)
		rc = mbox_keywords_read(path.data, &data, err);
	if (rc == 0)
		mbox_keywords_parse(data.data, data.len, a, kw_out);
	buf_deinit(&path);
	buf_deinit(&data);
	return rc;
}

/* Write data as the folder's file: temporary file, fsync, rename. */
static int
mbox_keywords_write(const char *path, const struct buf *data, struct err *err)
{
	struct buf tmp;
	int fd, rc = 0;

	buf_init(&tmp);
	buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data->data, data->len) != (ssize_t)data->len ||
	    fsync(fd) < 0 || rename(tmp.data, path) < 0)
		rc = err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp.data);
	buf_deinit(&tmp);
	return rc;
}

static int
mbox_keywords_save(struct mbox_index *ix, const char *folder,
    const struct mbox_keywords *kw, struct err *err)
{
	struct buf path, data;
	int i, rc;

	buf_init(&path);
	buf_init(&data);
	for (i = 0; i < MBOX_KEYWORDS_MAX; i++)
		if (kw->names[i] != NULL)
			buf_printf(&data, "%d %s\n", i, kw->names[i]);
	rc = mbox_keywords_path(ix, folder, MBOX_KEYWORDS_FILE, &path, err);
	if (rc == 0)
		rc = mbox_keywords_write(path.data, &data, err);
	buf_deinit(&path);
	buf_deinit(&data);
	return rc;
}

struct mbox_keywords_ctx {
	struct mbox_index *ix;
	const char *folder;
	const char *name;
	int slot;
};

static int
mbox_keywords_add_txn(struct db_lmdb_txn *txn, void *vctx, struct err *err)
{
	struct mbox_keywords_ctx *c = vctx;
	struct arena *a = arena_new();
	struct mbox_keywords kw;
	int i, rc;

	(void)txn; /* held only for its cross-process writer lock */
	c->slot = -1;
	rc = mbox_keywords_load(c->ix, c->folder, a, &kw, err);
	if (rc == 0 && (c->slot = mbox_keywords_find(&kw, c->name)) < 0) {
		for (i = 0; i < MBOX_KEYWORDS_MAX && kw.names[i] != NULL; i++)
			;
		if (i < MBOX_KEYWORDS_MAX) {
			kw.names[i] = c->name;
			if ((rc = mbox_keywords_save(
			         c->ix, c->folder, &kw, err)) == 0)
				c->slot = i;
		}
	}
	arena_free(&a);
	return rc;
}

int
mbox_keywords_add(struct mbox_index *ix, const char *folder, const char *name,
    uint64_t *bit_out, struct err *err)
{
	struct mbox_keywords_ctx c = {
	    .ix = ix, .folder = mbox_index_folder_norm(folder), .name = name};

	if (!mbox_keywords_atom(name, strlen(name)))
		return err_set(err, ERR_PERM, "5.5.4", "bad keyword");
	if (db_lmdb_write(ix->db, mbox_keywords_add_txn, &c, err) < 0)
		return -1;
	if (c.slot < 0)
		return 0;
	*bit_out = mbox_keywords_bit((unsigned)c.slot);
	return 1;
}

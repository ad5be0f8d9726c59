/* SPDX-License-Identifier: MIT */
/*
 * IMAP RENAME over Maildir++ (mbox_folder.h): the folder and all its
 * subfolders are separate ".from*" directories in the root, so each is
 * renamed, after every target was checked to be free, and the index
 * state follows them so UIDs survive (RFC 3501 6.3.5).
 */
#include "store/mbox_folder.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xmalloc.h"
#include "store/maildir.h"

/* The directories to move: "" for the folder itself, ".X" for kids. */
struct mbox_folder_moves {
	char **suffix;
	size_t n;
};

static void
mbox_folder_moves_add(struct mbox_folder_moves *m, const char *suffix)
{
	m->suffix = xreallocarray(m->suffix, m->n + 1, sizeof(*m->suffix));
	m->suffix[m->n++] = xstrdup(suffix);
}

static void
mbox_folder_moves_free(struct mbox_folder_moves *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->suffix[i]);
	free(m->suffix);
}

static int
mbox_folder_rename_collect(const char *root, const char *from,
    struct mbox_folder_moves *m, struct err *err)
{
	size_t flen = strlen(from);
	struct dirent *de;
	struct stat st;
	struct buf path;
	DIR *d;

	buf_init(&path);
	buf_printf(&path, "%s/.%s", root, from);
	if (stat(path.data, &st) == 0 && S_ISDIR(st.st_mode))
		mbox_folder_moves_add(m, "");
	buf_deinit(&path);
	if ((d = opendir(root)) == NULL)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", root, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' &&
		    strncmp(de->d_name + 1, from, flen) == 0 &&
		    de->d_name[1 + flen] == '.')
			mbox_folder_moves_add(m, de->d_name + 1 + flen);
	closedir(d);
	return 0;
}

/* Every target must be free and short enough before anything moves. */
static int
mbox_folder_rename_check(const char *root, const char *to,
    const struct mbox_folder_moves *m, struct err *err)
{
	struct buf path;
	struct stat st;
	size_t i;
	int rc = 0;

	buf_init(&path);
	for (i = 0; i < m->n && rc == 0; i++) {
		if (strlen(to) + strlen(m->suffix[i]) > MBOX_INDEX_FOLDER_MAX)
			rc = err_set(err, ERR_PERM, "5.2.0",
			    "bad mailbox name: too long");
		buf_reset(&path);
		buf_printf(&path, "%s/.%s%s", root, to, m->suffix[i]);
		if (rc == 0 && lstat(path.data, &st) == 0)
			rc = err_set(
			    err, ERR_PERM, "5.2.0", "mailbox already exists");
	}
	buf_deinit(&path);
	return rc;
}

static int
mbox_folder_rename_dirs(const char *root, const char *from, const char *to,
    const struct mbox_folder_moves *m, struct err *err)
{
	struct buf src, dst;
	size_t i;
	int rc = 0;

	buf_init(&src);
	buf_init(&dst);
	for (i = 0; i < m->n && rc == 0; i++) {
		buf_reset(&src);
		buf_printf(&src, "%s/.%s%s", root, from, m->suffix[i]);
		buf_reset(&dst);
		buf_printf(&dst, "%s/.%s%s", root, to, m->suffix[i]);
		if (rename(src.data, dst.data) < 0)
			rc = err_set(err, ERR_TEMP, "4.3.0", "rename %s: %s",
			    src.data, strerror(errno));
	}
	buf_deinit(&src);
	buf_deinit(&dst);
	return rc;
}

int
mbox_folder_rename(const char *root, struct mbox_index *ix, const char *from,
    const char *to, struct err *err)
{
	struct mbox_folder_moves m = {0};
	struct buf f, t;
	size_t flen;
	int rc;

	buf_init(&f);
	buf_init(&t);
	rc = mbox_folder_from_imap(from, &f, err);
	if (rc == 0)
		rc = mbox_folder_from_imap(to, &t, err);
	flen = f.len;
	if (rc == 0 && (f.len == 0 || t.len == 0))
		rc = err_set(err, ERR_PERM, "5.2.0",
		    "INBOX cannot be renamed or replaced");
	else if (rc == 0 && strncmp(t.data, f.data, flen) == 0 &&
	    (t.data[flen] == '\0' || t.data[flen] == '.'))
		rc = err_set(err, ERR_PERM, "5.2.0",
		    "a mailbox cannot be renamed under itself");
	if (rc == 0)
		rc = mbox_folder_rename_collect(root, f.data, &m, err);
	if (rc == 0 && m.n > 0 &&
	    (rc = mbox_folder_rename_check(root, t.data, &m, err)) == 0 &&
	    (rc = mbox_folder_rename_dirs(root, f.data, t.data, &m, err)) == 0)
		rc = 1;
	if (rc == 1 && ix != NULL &&
	    mbox_index_folder_rename(ix, f.data, t.data, err) < 0)
		rc = -1;
	mbox_folder_moves_free(&m);
	buf_deinit(&f);
	buf_deinit(&t);
	return rc;
}

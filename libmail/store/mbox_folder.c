/* SPDX-License-Identifier: MIT */
/*
 * Maildir++ folders as IMAP mailboxes (mbox_folder.h). The directory
 * layout is flat: every folder, however deep, is one ".A.B" directory
 * in the root, so a parent needs no directory and a rename must move
 * every ".from.*" directory too. IMAP names are untrusted client input;
 * directory names may come from other Maildir tools.
 */
#include "store/mbox_folder.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "store/maildir.h"

static const struct {
	const char *name;
	const char *attr;
} mbox_folder_specials[] = {
    {"Drafts", "\\Drafts"},
    {"Sent", "\\Sent"},
    {"Archive", "\\Archive"},
    {"Junk", "\\Junk"},
    {"Trash", "\\Trash"},
};

static int
mbox_folder_bad(struct err *err, const char *why)
{
	return err_set(err, ERR_PERM, "5.2.0", "bad mailbox name: %s", why);
}

int
mbox_folder_from_imap(const char *imap, struct buf *out, struct err *err)
{
	size_t start = out->len, i;
	unsigned char c;

	if (strcasecmp(imap, "INBOX") == 0)
		return 0;
	/* RFC 3501 5.1: "INBOX" is case-insensitive, also as a parent. */
	if (strncasecmp(imap, "INBOX/", 6) == 0) {
		buf_puts(out, "INBOX.");
		imap += 6;
	}
	for (i = 0; imap[i] != '\0'; i++) {
		c = (unsigned char)imap[i];
		if (c < 0x20 || c == 0x7f)
			return mbox_folder_bad(err, "control character");
		if (c == MBOX_FOLDER_SEP) {
			if (i == 0 || imap[i + 1] == '\0' ||
			    imap[i + 1] == MBOX_FOLDER_SEP)
				return mbox_folder_bad(err, "empty level");
			buf_putc(out, '.');
		} else if (c == '.')
			buf_puts(out, "\\2e");
		else if (c == '\\')
			buf_puts(out, "\\5c");
		else
			buf_putc(out, (char)c);
	}
	if (out->len == start || out->data[out->len - 1] == '.')
		return mbox_folder_bad(err, "empty level");
	if (out->len - start > MBOX_INDEX_FOLDER_MAX)
		return mbox_folder_bad(err, "too long");
	return 0;
}

int
mbox_folder_to_imap(const char *folder, struct buf *out)
{
	size_t i;

	if (folder[0] == '\0') {
		buf_puts(out, "INBOX");
		return 0;
	}
	for (i = 0; folder[i] != '\0'; i++) {
		if (folder[i] == '.') {
			if (i == 0 || folder[i + 1] == '.' ||
			    folder[i + 1] == '\0')
				return -1;
			buf_putc(out, MBOX_FOLDER_SEP);
		} else if (strncmp(folder + i, "\\2e", 3) == 0) {
			buf_putc(out, '.');
			i += 2;
		} else if (strncmp(folder + i, "\\5c", 3) == 0) {
			buf_putc(out, '\\');
			i += 2;
		} else
			buf_putc(out, folder[i]);
	}
	return 0;
}

const char *
mbox_folder_special_use(const char *imap)
{
	size_t i;

	for (i = 0;
	     i < sizeof(mbox_folder_specials) / sizeof(mbox_folder_specials[0]);
	     i++)
		if (strcmp(imap, mbox_folder_specials[i].name) == 0)
			return mbox_folder_specials[i].attr;
	return NULL;
}

static int
mbox_folder_entry_cmp(const void *va, const void *vb)
{
	const struct mbox_folder_entry *a = va, *b = vb;

	if (a->folder[0] == '\0' || b->folder[0] == '\0')
		return (b->folder[0] == '\0') - (a->folder[0] == '\0');
	return strcmp(a->imap, b->imap);
}

/* Is root/name a directory (following a symlink, as Maildir++ allows)? */
static bool
mbox_folder_is_dir(const char *root, const char *name)
{
	struct buf path;
	struct stat st;
	bool ok;

	buf_init(&path);
	buf_printf(&path, "%s/%s", root, name);
	ok = stat(path.data, &st) == 0 && S_ISDIR(st.st_mode);
	buf_deinit(&path);
	return ok;
}

static void
mbox_folder_push(struct arena *a, struct mbox_folder_entry **list, size_t *n,
    size_t *cap, const char *folder, const char *imap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*list = xreallocarray(*list, *cap, sizeof(**list));
	}
	(*list)[*n].folder = arena_strdup(a, folder);
	(*list)[*n].imap = arena_strdup(a, imap);
	(*list)[*n].special_use = mbox_folder_special_use(imap);
	(*n)++;
}

int
mbox_folder_list(const char *root, struct arena *a,
    struct mbox_folder_entry **list_out, size_t *n_out, struct err *err)
{
	struct mbox_folder_entry *list = NULL, *copy;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct buf imap;
	DIR *d;

	if ((d = opendir(root)) == NULL)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", root, strerror(errno));
	buf_init(&imap);
	mbox_folder_push(a, &list, &n, &cap, "", "INBOX");
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;

		if (name[0] != '.' || name[1] == '\0' ||
		    strcmp(name, "..") == 0)
			continue;
		buf_reset(&imap);
		if (mbox_folder_to_imap(name + 1, &imap) < 0 ||
		    !mbox_folder_is_dir(root, name))
			continue;
		mbox_folder_push(a, &list, &n, &cap, name + 1, imap.data);
	}
	closedir(d);
	buf_deinit(&imap);
	qsort(list, n, sizeof(*list), mbox_folder_entry_cmp);
	copy = arena_alloc(a, n * sizeof(*copy));
	memcpy(copy, list, n * sizeof(*copy));
	free(list);
	*list_out = copy;
	*n_out = n;
	return 0;
}

/* The directory of an IMAP name; *folder_out gets its Maildir++ name. */
static int
mbox_folder_dir(const char *root, const char *imap, struct buf *folder_out,
    struct buf *dir_out, struct err *err)
{
	if (mbox_folder_from_imap(imap, folder_out, err) < 0)
		return -1;
	return maildir_folder_path(root, folder_out->data, dir_out, err);
}

static bool
mbox_folder_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
mbox_folder_create(const char *root, const char *imap, struct err *err)
{
	struct buf folder, dir;
	int rc;

	buf_init(&folder);
	buf_init(&dir);
	rc = mbox_folder_dir(root, imap, &folder, &dir, err);
	if (rc == 0 && !mbox_folder_exists(dir.data))
		rc = maildir_folder_create(root, folder.data, err) < 0 ? -1 : 1;
	buf_deinit(&folder);
	buf_deinit(&dir);
	return rc;
}

static int
mbox_folder_rm_one(
    const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
mbox_folder_delete(
    const char *root, struct mbox_index *ix, const char *imap, struct err *err)
{
	struct buf folder, dir, aside;
	struct timespec ts;
	int rc;

	buf_init(&folder);
	buf_init(&dir);
	buf_init(&aside);
	rc = mbox_folder_dir(root, imap, &folder, &dir, err);
	if (rc == 0 && folder.len == 0)
		rc = err_set(err, ERR_PERM, "5.2.0", "INBOX cannot be deleted");
	else if (rc == 0 && !mbox_folder_exists(dir.data))
		rc = 0;
	else if (rc == 0 && (rc = maildir_create(root, err)) == 0) {
		/* One rename makes it vanish for every reader at once. */
		clock_gettime(CLOCK_REALTIME, &ts);
		buf_printf(&aside, "%s/tmp/.deleted.%ld.%ld.%ld", root,
		    (long)getpid(), (long)ts.tv_sec, ts.tv_nsec);
		if (rename(dir.data, aside.data) < 0)
			rc = err_set(err, ERR_TEMP, "4.3.0", "rename %s: %s",
			    dir.data, strerror(errno));
		else {
			nftw(aside.data, mbox_folder_rm_one, 16,
			    FTW_DEPTH | FTW_PHYS);
			rc = 1;
		}
	}
	if (rc == 1 && ix != NULL &&
	    mbox_index_folder_drop(ix, folder.data, err) < 0)
		rc = -1;
	buf_deinit(&folder);
	buf_deinit(&dir);
	buf_deinit(&aside);
	return rc;
}

int
mbox_folder_create_special(const char *root, struct err *err)
{
	size_t i;

	for (i = 0;
	     i < sizeof(mbox_folder_specials) / sizeof(mbox_folder_specials[0]);
	     i++)
		if (mbox_folder_create(
		        root, mbox_folder_specials[i].name, err) < 0)
			return -1;
	return 0;
}

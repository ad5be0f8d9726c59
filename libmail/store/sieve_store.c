/* SPDX-License-Identifier: MIT */
/*
 * Reading a user's Sieve script store (store/sieve_store.h): names,
 * listings, the active link, script texts and the space checks. Used
 * by sieved, local delivery and postern; script names come from the
 * network and are checked before they reach a path.
 */
#include "store/sieve_store.h"
#include "store/sieve_store_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "msg/utf8.h"

struct sieve_store *
sieve_store_new(const char *root, const struct sieve_store_limits *lim)
{
	struct sieve_store *st = xcalloc(1, sizeof(*st));
	struct buf dir;

	buf_init(&dir);
	buf_printf(&dir, "%s/sieve", root);
	st->root = xstrdup(root);
	st->dir = buf_detach(&dir);
	buf_deinit(&dir);
	st->lim = *lim;
	return st;
}

void
sieve_store_free(struct sieve_store **stp)
{
	struct sieve_store *st = *stp;

	if (st == NULL)
		return;
	free(st->root);
	free(st->dir);
	free(st);
	*stp = NULL;
}

enum sieve_store_status
sieve_store_io_error(
    struct err *err, int errnum, const char *op, const char *path)
{
	err_set(
	    err, ERR_TEMP, "4.3.0", "%s %s: %s", op, path, strerror(errnum));
	return SIEVE_STORE_FAIL;
}

bool
sieve_store_name_valid(const char *name)
{
	size_t len = strlen(name), i;
	const unsigned char *p = (const unsigned char *)name;

	if (len == 0 || len > SIEVE_STORE_NAME_MAX || name[0] == '.' ||
	    !utf8_valid(name, len))
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '/')
			return false;
		/* U+0080..U+009F (C1 controls) are C2 80..C2 9F. */
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return false;
		/* U+2028 and U+2029 are E2 80 A8 and E2 80 A9. */
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			return false;
	}
	return true;
}

void
sieve_store_path(
    const struct sieve_store *st, const char *name, struct buf *out)
{
	buf_reset(out);
	buf_printf(out, "%s/%s%s", st->dir, name, SIEVE_STORE_SUFFIX);
}

/* The script name a directory entry stands for, or NULL. */
static const char *
sieve_store_entry_name(const char *file, struct buf *name)
{
	size_t len = strlen(file), slen = strlen(SIEVE_STORE_SUFFIX);

	if (len <= slen || strcmp(file + len - slen, SIEVE_STORE_SUFFIX) != 0)
		return NULL;
	buf_reset(name);
	buf_append(name, file, len - slen);
	return sieve_store_name_valid(name->data) ? name->data : NULL;
}

static int
sieve_store_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sieve_store_entry *)a)->name,
	    ((const struct sieve_store_entry *)b)->name);
}

/* Append every script name to the arena list. */
static int
sieve_store_scan(struct sieve_store *st, struct arena *arena,
    struct sieve_store_entry **list_out, size_t *n_out, struct err *err)
{
	struct sieve_store_entry *list = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct buf name;
	DIR *d;

	*list_out = NULL;
	*n_out = 0;
	if ((d = opendir(st->dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		sieve_store_io_error(err, errno, "opendir", st->dir);
		return -1;
	}
	buf_init(&name);
	while ((de = readdir(d)) != NULL) {
		if (sieve_store_entry_name(de->d_name, &name) == NULL)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = arena_alloc(arena, cap * sizeof(*grown));
			if (n > 0)
				memcpy(grown, list, n * sizeof(*grown));
			list = grown;
		}
		list[n].name = arena_strdup(arena, name.data);
		list[n++].active = false;
	}
	closedir(d);
	buf_deinit(&name);
	if (n > 1)
		qsort(list, n, sizeof(*list), sieve_store_entry_cmp);
	*list_out = list;
	*n_out = n;
	return 0;
}

int
sieve_store_list(struct sieve_store *st, struct arena *arena,
    struct sieve_store_entry **list_out, size_t *n_out, struct err *err)
{
	struct buf active;
	size_t i;
	int rc;

	if (sieve_store_scan(st, arena, list_out, n_out, err) != 0)
		return -1;
	buf_init(&active);
	rc = sieve_store_active(st, &active, err);
	for (i = 0; rc == 1 && i < *n_out; i++)
		if (strcmp((*list_out)[i].name, active.data) == 0)
			(*list_out)[i].active = true;
	buf_deinit(&active);
	return rc < 0 ? -1 : 0;
}

int
sieve_store_count(struct sieve_store *st, size_t *n_out, struct err *err)
{
	struct arena *a = arena_new();
	struct sieve_store_entry *list;
	int rc = sieve_store_scan(st, a, &list, n_out, err);

	arena_free(&a);
	return rc;
}

int
sieve_store_exists(struct sieve_store *st, const char *name, struct err *err)
{
	struct stat sb;
	struct buf path;
	int rc = 1;

	buf_init(&path);
	sieve_store_path(st, name, &path);
	if (lstat(path.data, &sb) != 0) {
		rc = 0;
		if (errno != ENOENT && errno != ENOTDIR) {
			sieve_store_io_error(err, errno, "stat", path.data);
			rc = -1;
		}
	} else if (!S_ISREG(sb.st_mode)) {
		rc = 0;
	}
	buf_deinit(&path);
	return rc;
}

int
sieve_store_active(
    struct sieve_store *st, struct buf *name_out, struct err *err)
{
	char target[SIEVE_STORE_NAME_MAX + 16];
	struct buf link;
	ssize_t n;
	int rc = 0;

	buf_init(&link);
	buf_printf(&link, "%s/%s", st->dir, SIEVE_STORE_ACTIVE_LINK);
	n = readlink(link.data, target, sizeof(target) - 1);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			sieve_store_io_error(err, errno, "readlink", link.data);
			rc = -1;
		}
	} else if ((size_t)n < sizeof(target) - 1) {
		target[n] = '\0';
		/* A link we did not write, or a dangling one: no script. */
		if (sieve_store_entry_name(target, name_out) != NULL)
			rc = sieve_store_exists(st, name_out->data, err);
	}
	buf_deinit(&link);
	return rc;
}

enum sieve_store_status
sieve_store_get(struct sieve_store *st, const char *name, struct buf *text_out,
    struct err *err)
{
	enum sieve_store_status rc = SIEVE_STORE_OK;
	struct buf path;
	char chunk[8192];
	ssize_t n;
	int fd;

	if (!sieve_store_name_valid(name))
		return SIEVE_STORE_BADNAME;
	buf_init(&path);
	buf_reset(text_out);
	sieve_store_path(st, name, &path);
	fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT || errno == ENOTDIR
		    ? SIEVE_STORE_NONEXISTENT
		    : sieve_store_io_error(err, errno, "open", path.data);
		buf_deinit(&path);
		return rc;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(text_out, chunk, (size_t)n);
	if (n < 0)
		rc = sieve_store_io_error(err, errno, "read", path.data);
	close(fd);
	buf_deinit(&path);
	return rc;
}

enum sieve_store_status
sieve_store_havespace(
    struct sieve_store *st, const char *name, size_t size, struct err *err)
{
	size_t n;
	int exists;

	if (!sieve_store_name_valid(name))
		return SIEVE_STORE_BADNAME;
	if (st->lim.max_size != 0 && size > st->lim.max_size) {
		err_set(err, ERR_PERM, "5.2.3",
		    "script is %zu octets, the limit is %zu", size,
		    st->lim.max_size);
		return SIEVE_STORE_MAXSIZE;
	}
	if (st->lim.max_scripts == 0)
		return SIEVE_STORE_OK;
	if ((exists = sieve_store_exists(st, name, err)) < 0 ||
	    (exists == 0 && sieve_store_count(st, &n, err) != 0))
		return SIEVE_STORE_FAIL;
	if (exists == 0 && n >= st->lim.max_scripts) {
		err_set(err, ERR_PERM, "5.2.2", "at most %zu scripts allowed",
		    st->lim.max_scripts);
		return SIEVE_STORE_MAXSCRIPTS;
	}
	return SIEVE_STORE_OK;
}

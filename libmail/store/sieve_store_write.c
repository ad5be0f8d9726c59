/* SPDX-License-Identifier: MIT */
/*
 * Changing a user's Sieve script store (store/sieve_store.h): store,
 * delete, rename and (de)activate. Every change is one rename(2) or
 * unlink(2), so a reader (local delivery) sees the old state or the
 * new one, never a partial script or a missing active link.
 */
#include "store/sieve_store.h"
#include "store/sieve_store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/maildir.h"

/* The maildir (parents included) and its sieve directory. */
static enum sieve_store_status
sieve_store_mkdir(struct sieve_store *st, struct err *err)
{
	if (maildir_create(st->root, err) != 0)
		return SIEVE_STORE_FAIL;
	if (mkdir(st->dir, 0700) != 0 && errno != EEXIST)
		return sieve_store_io_error(err, errno, "mkdir", st->dir);
	return SIEVE_STORE_OK;
}

/* A fresh temporary name in the sieve directory (dot: never listed). */
static void
sieve_store_tmp(struct sieve_store *st, struct buf *out)
{
	buf_reset(out);
	buf_printf(
	    out, "%s/.tmp.%ld.%u", st->dir, (long)getpid(), st->tmp_seq++);
}

/* Make the last rename in the directory durable. */
static enum sieve_store_status
sieve_store_sync_dir(struct sieve_store *st, struct err *err)
{
	int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 ? fsync(fd) : -1;
	int errnum = errno;

	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return sieve_store_io_error(err, errnum, "fsync", st->dir);
	return SIEVE_STORE_OK;
}

/* Write text to the new file tmp, durably. */
static enum sieve_store_status
sieve_store_write_file(
    const char *tmp, const char *text, size_t len, struct err *err)
{
	int fd = open(
	    tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return sieve_store_io_error(err, errno, "create", tmp);
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off < len || fsync(fd) != 0) {
		sieve_store_io_error(err, errno, "write", tmp);
		close(fd);
		unlink(tmp);
		return SIEVE_STORE_FAIL;
	}
	if (close(fd) != 0) {
		unlink(tmp);
		return sieve_store_io_error(err, errno, "close", tmp);
	}
	return SIEVE_STORE_OK;
}

enum sieve_store_status
sieve_store_put(struct sieve_store *st, const char *name, const char *text,
    size_t len, struct err *err)
{
	enum sieve_store_status rc;
	struct buf tmp, path;

	if ((rc = sieve_store_havespace(st, name, len, err)) !=
	        SIEVE_STORE_OK ||
	    (rc = sieve_store_mkdir(st, err)) != SIEVE_STORE_OK)
		return rc;
	buf_init(&tmp);
	buf_init(&path);
	sieve_store_tmp(st, &tmp);
	sieve_store_path(st, name, &path);
	if ((rc = sieve_store_write_file(tmp.data, text, len, err)) ==
	    SIEVE_STORE_OK) {
		if (rename(tmp.data, path.data) != 0) {
			rc = sieve_store_io_error(
			    err, errno, "rename", path.data);
			unlink(tmp.data);
		} else {
			rc = sieve_store_sync_dir(st, err);
		}
	}
	buf_deinit(&tmp);
	buf_deinit(&path);
	return rc;
}

/* Is name the active script? 1, 0, -1 with err. */
static int
sieve_store_is_active(struct sieve_store *st, const char *name, struct err *err)
{
	struct buf active;
	int rc;

	buf_init(&active);
	rc = sieve_store_active(st, &active, err);
	if (rc == 1)
		rc = strcmp(active.data, name) == 0;
	buf_deinit(&active);
	return rc;
}

/* Check that name is valid and exists. */
static enum sieve_store_status
sieve_store_need(struct sieve_store *st, const char *name, struct err *err)
{
	int rc;

	if (!sieve_store_name_valid(name))
		return SIEVE_STORE_BADNAME;
	if ((rc = sieve_store_exists(st, name, err)) < 0)
		return SIEVE_STORE_FAIL;
	return rc == 0 ? SIEVE_STORE_NONEXISTENT : SIEVE_STORE_OK;
}

enum sieve_store_status
sieve_store_delete(struct sieve_store *st, const char *name, struct err *err)
{
	enum sieve_store_status rc;
	struct buf path;
	int active;

	if ((rc = sieve_store_need(st, name, err)) != SIEVE_STORE_OK)
		return rc;
	if ((active = sieve_store_is_active(st, name, err)) != 0)
		return active < 0 ? SIEVE_STORE_FAIL : SIEVE_STORE_ACTIVE;
	buf_init(&path);
	sieve_store_path(st, name, &path);
	if (unlink(path.data) != 0)
		rc = errno == ENOENT
		    ? SIEVE_STORE_NONEXISTENT
		    : sieve_store_io_error(err, errno, "unlink", path.data);
	else
		rc = sieve_store_sync_dir(st, err);
	buf_deinit(&path);
	return rc;
}

/* Point the active link at name's file, replacing it atomically. */
static enum sieve_store_status
sieve_store_link(struct sieve_store *st, const char *name, struct err *err)
{
	enum sieve_store_status rc;
	struct buf tmp, target, link;

	buf_init(&tmp);
	buf_init(&target);
	buf_init(&link);
	sieve_store_tmp(st, &tmp);
	buf_printf(&target, "%s%s", name, SIEVE_STORE_SUFFIX);
	buf_printf(&link, "%s/%s", st->dir, SIEVE_STORE_ACTIVE_LINK);
	if (symlink(target.data, tmp.data) != 0) {
		rc = sieve_store_io_error(err, errno, "symlink", tmp.data);
	} else if (rename(tmp.data, link.data) != 0) {
		rc = sieve_store_io_error(err, errno, "rename", link.data);
		unlink(tmp.data);
	} else {
		rc = sieve_store_sync_dir(st, err);
	}
	buf_deinit(&tmp);
	buf_deinit(&target);
	buf_deinit(&link);
	return rc;
}

enum sieve_store_status
sieve_store_activate(struct sieve_store *st, const char *name, struct err *err)
{
	enum sieve_store_status rc;
	struct buf link;

	if (name != NULL && name[0] != '\0') {
		if ((rc = sieve_store_need(st, name, err)) != SIEVE_STORE_OK)
			return rc;
		return sieve_store_link(st, name, err);
	}
	buf_init(&link);
	buf_printf(&link, "%s/%s", st->dir, SIEVE_STORE_ACTIVE_LINK);
	rc = SIEVE_STORE_OK;
	if (unlink(link.data) == 0)
		rc = sieve_store_sync_dir(st, err);
	else if (errno != ENOENT && errno != ENOTDIR)
		rc = sieve_store_io_error(err, errno, "unlink", link.data);
	buf_deinit(&link);
	return rc;
}

enum sieve_store_status
sieve_store_rename(
    struct sieve_store *st, const char *from, const char *to, struct err *err)
{
	enum sieve_store_status rc;
	struct buf src, dst;
	int active, exists;

	if ((rc = sieve_store_need(st, from, err)) != SIEVE_STORE_OK)
		return rc;
	if (!sieve_store_name_valid(to))
		return SIEVE_STORE_BADNAME;
	if ((exists = sieve_store_exists(st, to, err)) != 0)
		return exists < 0 ? SIEVE_STORE_FAIL : SIEVE_STORE_EXISTS;
	if ((active = sieve_store_is_active(st, from, err)) < 0)
		return SIEVE_STORE_FAIL;
	buf_init(&src);
	buf_init(&dst);
	sieve_store_path(st, from, &src);
	sieve_store_path(st, to, &dst);
	/* link + unlink, not rename: never replace a script raced in. */
	if (link(src.data, dst.data) != 0) {
		rc = errno == EEXIST
		    ? SIEVE_STORE_EXISTS
		    : sieve_store_io_error(err, errno, "link", dst.data);
	} else if (active &&
	    (rc = sieve_store_link(st, to, err)) != SIEVE_STORE_OK) {
		unlink(dst.data);
	} else if (unlink(src.data) != 0) {
		rc = sieve_store_io_error(err, errno, "unlink", src.data);
	} else {
		rc = sieve_store_sync_dir(st, err);
	}
	buf_deinit(&src);
	buf_deinit(&dst);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Reading and atomically replacing configuration files. An edit must
 * never leave a half-written main.cf behind: a daemon restarting at that
 * moment would refuse to start, or worse, start with part of a setting.
 */
#include "conf/conf_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"

static int
conf_file_errno(struct err *err, int errnum, const char *path, const char *what)
{
	bool temp = errnum != ENOENT && errnum != EACCES && errnum != EISDIR &&
	    errnum != ENOTDIR && errnum != EFBIG;

	return err_set(err, temp ? ERR_TEMP : ERR_PERM,
	    temp ? "4.3.5" : "5.3.5", "%s: %s: %s", path, what,
	    strerror(errnum));
}

int
conf_file_read(const char *path, struct buf *out, struct err *err)
{
	char chunk[8192];
	ssize_t n;
	int fd, saved;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return conf_file_errno(err, errno, path, "cannot open");
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > CONF_FILE_MAX) {
			close(fd);
			return conf_file_errno(err, EFBIG, path, "cannot read");
		}
		buf_append(out, chunk, (size_t)n);
	}
	saved = errno;
	close(fd);
	if (n < 0)
		return conf_file_errno(err, saved, path, "cannot read");
	return 1;
}

static int
conf_file_write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Give the new file the old one's mode and owner, or 0644 when new. */
static int
conf_file_match(int fd, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? fchmod(fd, 0644) : -1;
	if (fchmod(fd, st.st_mode & 07777) < 0)
		return -1;
	if (st.st_uid != geteuid() || st.st_gid != getegid())
		return fchown(fd, st.st_uid, st.st_gid);
	return 0;
}

static int
conf_file_sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = -1;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int
conf_file_replace(
    const char *path, const char *data, size_t len, struct err *err)
{
	char *tmp = xasprintf("%s.tmpXXXXXX", path);
	const char *what = "cannot create temporary file";
	int fd, saved;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		goto fail;
	what = "cannot write temporary file";
	if (conf_file_match(fd, path) < 0 ||
	    conf_file_write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail_unlink;
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	fd = -1;
	what = "cannot rename temporary file";
	if (rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	if (conf_file_sync_dir(path) < 0)
		return conf_file_errno(
		    err, errno, path, "cannot sync directory");
	return 0;

fail_unlink:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	free(tmp);
	return conf_file_errno(err, saved, path, what);
}

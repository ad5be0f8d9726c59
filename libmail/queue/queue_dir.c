/* SPDX-License-Identifier: MIT */
/*
 * Queue directory handle and whole-file operations (queue_dir.h). Names
 * come from our own writers or from readdir(3); anything that is not a
 * queue id is left alone (or, for stale temporary files, removed).
 */
#include "queue/queue_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "queue/queue_id.h"

struct queue_dir {
	int root_fd;
	int sub_fd[QUEUE_NSUB];
};

static const char *const queue_dir_names[QUEUE_NSUB] = {
    "maildrop",
    "incoming",
    "active",
    "deferred",
    "hold",
    "corrupt",
};

const char *
queue_dir_sub_name(enum queue_sub sub)
{
	return (unsigned)sub < QUEUE_NSUB ? queue_dir_names[sub] : "?";
}

int
queue_dir_sub_parse(const char *name, enum queue_sub *sub_out)
{
	int i;

	for (i = 0; i < QUEUE_NSUB; i++)
		if (strcmp(name, queue_dir_names[i]) == 0) {
			*sub_out = (enum queue_sub)i;
			return 0;
		}
	return -1;
}

int
queue_dir_io_error(struct err *err, int errnum, const char *what)
{
	if (errnum == ENOSPC || errnum == EDQUOT)
		return err_set(err, ERR_TEMP, "4.3.1",
		    "insufficient system storage: %s: %s", what,
		    strerror(errnum));
	return err_set(err, ERR_TEMP, "4.3.0", "queue file %s: %s", what,
	    strerror(errnum));
}

int
queue_dir_open(const char *path, struct queue_dir **qd_out, struct err *err)
{
	struct queue_dir *qd;
	int fd, i;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "open queue directory %s: %s", path, strerror(errno));
	qd = xcalloc(1, sizeof(*qd));
	qd->root_fd = fd;
	for (i = 0; i < QUEUE_NSUB; i++)
		qd->sub_fd[i] = -1;
	*qd_out = qd;
	return 0;
}

void
queue_dir_close(struct queue_dir **qdp)
{
	struct queue_dir *qd = *qdp;
	int i;

	if (qd == NULL)
		return;
	for (i = 0; i < QUEUE_NSUB; i++)
		if (qd->sub_fd[i] >= 0)
			close(qd->sub_fd[i]);
	close(qd->root_fd);
	free(qd);
	*qdp = NULL;
}

int
queue_dir_fd(struct queue_dir *qd, enum queue_sub sub, struct err *err)
{
	int fd;

	if ((unsigned)sub >= QUEUE_NSUB)
		return err_set(err, ERR_TEMP, "4.3.0", "bad queue subdir");
	if (qd->sub_fd[sub] >= 0)
		return qd->sub_fd[sub];
	fd = openat(qd->root_fd, queue_dir_names[sub],
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* A postdrop member (sendmail, local forwarding) may write into
	 * maildrop/ (0730) but not read it: a path descriptor still
	 * serves openat and renameat (queue_writer syncs with syncfs). */
	if (fd < 0 && errno == EACCES)
		fd = openat(qd->root_fd, queue_dir_names[sub],
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "open %s: %s",
		    queue_dir_names[sub], strerror(errno));
	qd->sub_fd[sub] = fd;
	return fd;
}

int
queue_dir_sync(struct queue_dir *qd, enum queue_sub sub, struct err *err)
{
	int fd = queue_dir_fd(qd, sub, err);

	if (fd < 0)
		return -1;
	if (fsync(fd) < 0)
		return queue_dir_io_error(err, errno, "directory fsync");
	return 0;
}

/* A clash of ids must never lose a file by replacing it. */
int
queue_dir_rename_noreplace(
    int from_fd, const char *from, int to_fd, const char *to)
{
	if (renameat2(from_fd, from, to_fd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* File system without RENAME_NOREPLACE: link(2) refuses to replace. */
	if (linkat(from_fd, from, to_fd, to, 0) < 0)
		return -1;
	if (unlinkat(from_fd, from, 0) < 0) {
		int saved = errno;

		(void)unlinkat(to_fd, to, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

int
queue_dir_move(struct queue_dir *qd, const char *id, enum queue_sub from,
    enum queue_sub to, bool sync, struct err *err)
{
	int from_fd, to_fd;

	if (!queue_id_valid(id))
		return err_set(err, ERR_TEMP, "4.3.0", "bad queue id");
	if ((from_fd = queue_dir_fd(qd, from, err)) < 0 ||
	    (to_fd = queue_dir_fd(qd, to, err)) < 0)
		return -1;
	if (queue_dir_rename_noreplace(from_fd, id, to_fd, id) < 0) {
		if (errno == ENOENT)
			return 0;
		return queue_dir_io_error(err, errno, "rename");
	}
	if (sync &&
	    (queue_dir_sync(qd, to, err) < 0 ||
	        queue_dir_sync(qd, from, err) < 0))
		return -1;
	return 1;
}

int
queue_dir_remove(
    struct queue_dir *qd, enum queue_sub sub, const char *id, struct err *err)
{
	int fd;

	if (!queue_id_valid(id))
		return err_set(err, ERR_TEMP, "4.3.0", "bad queue id");
	if ((fd = queue_dir_fd(qd, sub, err)) < 0)
		return -1;
	if (unlinkat(fd, id, 0) < 0) {
		if (errno == ENOENT)
			return 0;
		return queue_dir_io_error(err, errno, "unlink");
	}
	return 1;
}

/* A fresh DIR stream on sub, leaving the cached descriptor alone. */
static DIR *
queue_dir_opendir(struct queue_dir *qd, enum queue_sub sub, struct err *err)
{
	int fd, dfd;
	DIR *dir;

	if ((fd = queue_dir_fd(qd, sub, err)) < 0)
		return NULL;
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = fdopendir(dfd)) == NULL) {
		queue_dir_io_error(err, errno, "opendir");
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	return dir;
}

int
queue_dir_scan(struct queue_dir *qd, enum queue_sub sub, queue_dir_scan_fn *fn,
    void *ctx, struct err *err)
{
	struct dirent *de;
	DIR *dir;
	int rc = 0;

	if ((dir = queue_dir_opendir(qd, sub, err)) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(dir)) != NULL)
		if (queue_id_valid(de->d_name))
			rc = fn(de->d_name, ctx);
	closedir(dir);
	return rc;
}

int
queue_dir_clean_temp(struct queue_dir *qd, enum queue_sub sub,
    int64_t older_than, unsigned *removed_out, struct err *err)
{
	size_t plen = strlen(QUEUE_DIR_TEMP_PREFIX);
	struct dirent *de;
	struct stat st;
	DIR *dir;

	*removed_out = 0;
	if ((dir = queue_dir_opendir(qd, sub, err)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, QUEUE_DIR_TEMP_PREFIX, plen) != 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) <
		        0 ||
		    (int64_t)st.st_mtime >= older_than)
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) == 0)
			(*removed_out)++;
	}
	closedir(dir);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * One master per instance: queue_directory/pid/master.pid holds our pid
 * under an fcntl write lock for as long as we run, so a second master on
 * the same instance is refused and the lock dies with the process.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/master_proto.h"

/* The holder's pid, from the lock itself or else the file's text. */
static long
master_lock_holder(int fd)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char text[32];
	ssize_t n;

	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		return (long)fl.l_pid;
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

int
master_lock_acquire(struct master *m, const char *queue_dir, struct err *err)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char *dir, text[32];
	int fd, n;

	dir = xasprintf("%s/pid", queue_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err_set(
		    err, ERR_TEMP, "", "mkdir %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	m->pid_path = xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
	fd = open(m->pid_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "", "open %s: %s", m->pid_path,
		    strerror(errno));
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			err_set(err, ERR_TEMP, "",
			    "the Postern master is "
			    "already running (pid %ld)",
			    master_lock_holder(fd));
		else
			err_set(err, ERR_TEMP, "", "lock %s: %s", m->pid_path,
			    strerror(errno));
		close(fd);
		free(m->pid_path);
		m->pid_path = NULL;
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n)
		log_warning_errno(errno, "write %s", m->pid_path);
	m->lock_fd = fd;
	return 0;
}

void
master_lock_release(struct master *m)
{
	if (m->lock_fd < 0)
		return;
	/* Unlink while still holding the lock, so no one sees a stale pid. */
	(void)unlink(m->pid_path);
	close(m->lock_fd);
	m->lock_fd = -1;
	free(m->pid_path);
	m->pid_path = NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * The shared group committer (queue_commit.h). The mapped file holds
 * two native-order counters that mean nothing after a reboot: it is
 * shared memory that happens to have a name in the queue (so it works
 * inside the chroot), not data. A zeroed or stale file is safe; one
 * whose "completed" is ahead of "started" is repaired, never trusted.
 */
#include "queue/queue_commit.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "queue/queue_dir.h"

/* Cross-process atomics need lock-free ones: no hidden mutex in libc. */
static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics not lock-free");

struct queue_commit_shared {
	_Atomic unsigned long long started; /* fsyncs begun */
	_Atomic unsigned long long completed; /* number of last one done */
};

#define QUEUE_COMMIT_FILE_SIZE 4096
static_assert(sizeof(struct queue_commit_shared) <= QUEUE_COMMIT_FILE_SIZE,
    "commit file too small");

struct queue_commit {
	int dir_fd; /* borrowed */
	int fd; /* the .commit file, for flock */
	struct queue_commit_shared *sh;
};

int
queue_commit_open(int dir_fd, struct queue_commit **c_out, struct err *err)
{
	struct queue_commit *c;
	struct stat st;
	void *map;
	int fd;

	fd = openat(dir_fd, QUEUE_COMMIT_FILE,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return queue_dir_io_error(
		    err, errno, "open " QUEUE_COMMIT_FILE);
	if (fstat(fd, &st) < 0 ||
	    (st.st_size < QUEUE_COMMIT_FILE_SIZE &&
	        ftruncate(fd, QUEUE_COMMIT_FILE_SIZE) < 0)) {
		int saved = errno;

		close(fd);
		return queue_dir_io_error(
		    err, saved, "size " QUEUE_COMMIT_FILE);
	}
	map = mmap(NULL, QUEUE_COMMIT_FILE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		int saved = errno;

		close(fd);
		return queue_dir_io_error(
		    err, saved, "mmap " QUEUE_COMMIT_FILE);
	}
	c = xcalloc(1, sizeof(*c));
	c->dir_fd = dir_fd;
	c->fd = fd;
	c->sh = map;
	*c_out = c;
	return 0;
}

void
queue_commit_close(struct queue_commit **cp)
{
	struct queue_commit *c = *cp;

	if (c == NULL)
		return;
	munmap(c->sh, QUEUE_COMMIT_FILE_SIZE);
	close(c->fd);
	free(c);
	*cp = NULL;
}

uint64_t
queue_commit_ticket(struct queue_commit *c)
{
	return atomic_load(&c->sh->started);
}

static int
queue_commit_lock(int fd, int op)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
queue_commit_wait(
    struct queue_commit *c, uint64_t ticket, bool *led_out, struct err *err)
{
	unsigned long long started, done, mine;

	if (led_out != NULL)
		*led_out = false;
	if (queue_commit_lock(c->fd, LOCK_EX) < 0)
		return queue_dir_io_error(
		    err, errno, "lock " QUEUE_COMMIT_FILE);
	/* fsyncs are numbered 1, 2, ... and run one at a time, under the
	 * lock. Fsync number n began after the ticket was taken iff
	 * n > ticket; "completed" only ever holds such a number. */
	started = atomic_load(&c->sh->started);
	done = atomic_load(&c->sh->completed);
	if (done > started) {
		/* Garbage in the file: forget it and sync ourselves. */
		atomic_store(&c->sh->completed, started);
		done = started;
	}
	if (done > ticket && ticket <= started) {
		(void)queue_commit_lock(c->fd, LOCK_UN);
		return 0;
	}
	mine = atomic_fetch_add(&c->sh->started, 1) + 1;
	if (fsync(c->dir_fd) < 0) {
		int saved = errno;

		(void)queue_commit_lock(c->fd, LOCK_UN);
		return queue_dir_io_error(err, saved, "directory fsync");
	}
	atomic_store(&c->sh->completed, mine);
	(void)queue_commit_lock(c->fd, LOCK_UN);
	if (led_out != NULL)
		*led_out = true;
	return 0;
}

bool
queue_commit_is_for(const struct queue_commit *c, int dir_fd)
{
	struct stat a, b;

	return fstat(c->dir_fd, &a) == 0 && fstat(dir_fd, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
queue_commit_sync(struct queue_commit *c, bool *led_out, struct err *err)
{
	return queue_commit_wait(c, queue_commit_ticket(c), led_out, err);
}

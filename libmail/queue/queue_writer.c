/* SPDX-License-Identifier: MIT */
/*
 * Queue file writer (queue_writer.h). The order of the steps in commit
 * is the crash-safety argument of docs/queue.md: data and header are on
 * disk before the name appears, and the name is on disk before the
 * caller may say 250.
 */
#include "queue/queue_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "queue/queue_hdr.h"
#include "queue/queue_id.h"
#include "queue/queue_rec.h"

#define QUEUE_WRITER_FLUSH (64 * 1024)

enum queue_writer_state {
	QUEUE_WRITER_OPEN, /* waiting for the envelope */
	QUEUE_WRITER_CONTENT, /* envelope written, content flowing */
	QUEUE_WRITER_FAILED,
	QUEUE_WRITER_RENAMED, /* visible under its id, not yet synced */
	QUEUE_WRITER_COMMITTED,
};

/* Where the header/body boundary search stands. */
enum queue_writer_scan {
	QUEUE_WRITER_SCAN_BOL, /* at the start of a line */
	QUEUE_WRITER_SCAN_CR, /* a CR at the start of a line */
	QUEUE_WRITER_SCAN_MID, /* inside a line */
	QUEUE_WRITER_SCAN_DONE,
};

struct queue_writer {
	struct queue_dir *qd; /* borrowed */
	enum queue_sub sub;
	int dir_fd; /* borrowed from qd */
	int fd;
	enum queue_writer_state state;
	enum queue_writer_scan scan;
	char tmp_name[64];
	char id[QUEUE_ID_SIZE];
	uint64_t sec;
	uint32_t usec;
	struct queue_hdr hdr;
	uint64_t body_offset;
	struct buf out; /* bytes not yet written */
};

static int
queue_writer_create(struct queue_writer *w, struct err *err)
{
	mode_t mode = w->sub == QUEUE_MAILDROP ? 0644 : 0600;
	uint64_t rnd;
	int n, tries;

	for (tries = 0; tries < 10; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return queue_dir_io_error(err, errno, "getrandom");
		n = snprintf(w->tmp_name, sizeof(w->tmp_name),
		    QUEUE_DIR_TEMP_PREFIX "%ld.%016" PRIx64, (long)getpid(),
		    rnd);
		if (n < 0 || (size_t)n >= sizeof(w->tmp_name))
			PANIC("%s: temporary name", __func__);
		w->fd = openat(w->dir_fd, w->tmp_name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (w->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	/* Not ours: free must not unlink whatever has this name. */
	w->tmp_name[0] = '\0';
	return queue_dir_io_error(err, errno, "create");
}

int
queue_writer_open(struct queue_dir *qd, enum queue_sub sub,
    struct queue_writer **w_out, struct err *err)
{
	struct queue_writer *w;
	struct timespec ts;
	struct stat st;

	if (sub != QUEUE_INCOMING && sub != QUEUE_MAILDROP)
		PANIC("%s: writing into %s", __func__, queue_dir_sub_name(sub));
	w = xcalloc(1, sizeof(*w));
	w->qd = qd;
	w->sub = sub;
	w->fd = -1;
	buf_init(&w->out);
	*w_out = w;
	if ((w->dir_fd = queue_dir_fd(qd, sub, err)) < 0 ||
	    queue_writer_create(w, err) < 0)
		goto fail;
	/* The id's time is taken after the inode exists, so (barring clock
	 * steps) a reused inode comes with a later time than its previous
	 * owner's, and ids stay unique in the logs, not only on disk. */
	if (fstat(w->fd, &st) < 0 || clock_gettime(CLOCK_REALTIME, &ts) < 0) {
		queue_dir_io_error(err, errno, "fstat");
		goto fail;
	}
	w->sec = (uint64_t)ts.tv_sec;
	w->usec = (uint32_t)(ts.tv_nsec / 1000);
	if (queue_id_make(w->sec, w->usec, (uint64_t)st.st_ino, w->id) < 0) {
		err_set(err, ERR_TEMP, "4.3.0", "clock out of range");
		goto fail;
	}
	return 0;
fail:
	queue_writer_free(w_out);
	return -1;
}

const char *
queue_writer_id(const struct queue_writer *w)
{
	return w->id;
}

void
queue_writer_arrival(
    const struct queue_writer *w, uint64_t *sec_out, uint32_t *usec_out)
{
	*sec_out = w->sec;
	*usec_out = w->usec;
}

uint64_t
queue_writer_size(const struct queue_writer *w)
{
	return w->hdr.content_len;
}

/* Write out all buffered bytes at the current file offset. */
static int
queue_writer_flush(struct queue_writer *w, struct err *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < w->out.len) {
		n = write(w->fd, w->out.data + off, w->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->state = QUEUE_WRITER_FAILED;
			return queue_dir_io_error(err, errno, "write");
		}
		off += (size_t)n;
	}
	buf_reset(&w->out);
	return 0;
}

int
queue_writer_envelope(
    struct queue_writer *w, const struct queue_env *env, struct err *err)
{
	static const unsigned char zero_hdr[QUEUE_HDR_LEN];
	struct queue_env copy = *env;
	size_t start;

	if (w->state != QUEUE_WRITER_OPEN)
		PANIC("%s: called in state %d", __func__, (int)w->state);
	if (copy.arrival_sec == 0) {
		copy.arrival_sec = w->sec;
		copy.arrival_usec = w->usec;
	}
	/* The real header is written at commit, when the sizes are known. */
	buf_append(&w->out, zero_hdr, sizeof(zero_hdr));
	start = w->out.len;
	if (queue_env_encode(&copy, &w->out, err) < 0) {
		buf_reset(&w->out);
		return -1;
	}
	if (w->out.len - start > UINT32_MAX) {
		buf_reset(&w->out);
		return err_set(err, ERR_PERM, "5.3.4", "envelope too large");
	}
	w->hdr.env_len = (uint32_t)(w->out.len - start);
	w->hdr.env_crc =
	    queue_rec_crc32(0, w->out.data + start, w->hdr.env_len);
	w->state = QUEUE_WRITER_CONTENT;
	return queue_writer_flush(w, err);
}

/* Find the first empty line (RFC 5322 section 2.1) across chunks. */
static void
queue_writer_scan(struct queue_writer *w, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && w->scan != QUEUE_WRITER_SCAN_DONE; i++) {
		if (p[i] == '\n' && w->scan != QUEUE_WRITER_SCAN_MID) {
			w->scan = QUEUE_WRITER_SCAN_DONE;
			w->body_offset = w->hdr.content_len + i + 1;
		} else if (p[i] == '\n')
			w->scan = QUEUE_WRITER_SCAN_BOL;
		else if (p[i] == '\r' && w->scan == QUEUE_WRITER_SCAN_BOL)
			w->scan = QUEUE_WRITER_SCAN_CR;
		else
			w->scan = QUEUE_WRITER_SCAN_MID;
	}
}

int
queue_writer_write(
    struct queue_writer *w, const void *data, size_t len, struct err *err)
{
	if (w->state != QUEUE_WRITER_CONTENT)
		PANIC("%s: called in state %d", __func__, (int)w->state);
	queue_writer_scan(w, data, len);
	w->hdr.content_len += len;
	buf_append(&w->out, data, len);
	if (w->out.len >= QUEUE_WRITER_FLUSH)
		return queue_writer_flush(w, err);
	return 0;
}

/* Header, fsync, rename: after this the file is whole under its id. */
static int
queue_writer_finish_file(struct queue_writer *w, struct err *err)
{
	unsigned char hdr[QUEUE_HDR_LEN];
	ssize_t n;

	if (queue_writer_flush(w, err) < 0)
		return -1;
	w->hdr.body_offset = w->scan == QUEUE_WRITER_SCAN_DONE
	    ? w->body_offset
	    : w->hdr.content_len;
	queue_hdr_encode(&w->hdr, hdr);
	do
		n = pwrite(w->fd, hdr, sizeof(hdr), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(hdr))
		return queue_dir_io_error(
		    err, n < 0 ? errno : EIO, "write header");
	if (fsync(w->fd) < 0)
		return queue_dir_io_error(err, errno, "fsync");
	if (queue_dir_rename_noreplace(
	        w->dir_fd, w->tmp_name, w->dir_fd, w->id) < 0)
		return queue_dir_io_error(err, errno, "rename");
	w->state = QUEUE_WRITER_RENAMED;
	return 0;
}

int
queue_writer_commit(
    struct queue_writer *w, struct queue_commit *gc, struct err *err)
{
	if (w->state != QUEUE_WRITER_CONTENT)
		PANIC("%s: called in state %d", __func__, (int)w->state);
	/* Syncing some other directory would acknowledge too early. */
	if (gc != NULL && !queue_commit_is_for(gc, w->dir_fd))
		PANIC("%s: committer of another directory", __func__);
	if (queue_writer_finish_file(w, err) < 0) {
		w->state = QUEUE_WRITER_FAILED;
		return -1;
	}
	/* On failure the state stays RENAMED: free takes the name away. */
	if (gc != NULL) {
		if (queue_commit_sync(gc, NULL, err) < 0)
			return -1;
	} else if (fsync(w->dir_fd) < 0 &&
	    (errno != EBADF || syncfs(w->fd) < 0))
		/* EBADF: a path descriptor of a directory we may not read
		 * (queue_dir_fd); syncing its file system makes the new
		 * name durable all the same. */
		return queue_dir_io_error(err, errno, "directory fsync");
	w->state = QUEUE_WRITER_COMMITTED;
	close(w->fd);
	w->fd = -1;
	return 0;
}

void
queue_writer_free(struct queue_writer **wp)
{
	struct queue_writer *w = *wp;

	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	/* Not acknowledged: the client will retry, so drop our copy. */
	if (w->state == QUEUE_WRITER_RENAMED)
		(void)unlinkat(w->dir_fd, w->id, 0);
	else if (w->state != QUEUE_WRITER_COMMITTED && w->tmp_name[0] != '\0')
		(void)unlinkat(w->dir_fd, w->tmp_name, 0);
	buf_deinit(&w->out);
	free(w);
	*wp = NULL;
}

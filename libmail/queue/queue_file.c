/* SPDX-License-Identifier: MIT */
/*
 * Queue file reader and result marking (queue_file.h). Only the header,
 * envelope and result log are read into memory; content is read on
 * demand with pread(2), so a delivery agent streams a large message.
 */
#include "queue/queue_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "queue/queue_hdr.h"
#include "queue/queue_id.h"
#include "queue/queue_image.h"
#include "queue/queue_log.h"

struct queue_file {
	int fd;
	bool update;
	char id[QUEUE_ID_SIZE];
	struct queue_limits lim;
	struct arena *arena; /* envelope strings and results */
	struct queue_image im;
	uint64_t log_at; /* file offset where the result log starts */
	uint64_t log_end; /* file offset after the last whole frame */
};

static int
queue_file_corrupt(struct err *err, const char *what)
{
	return err_set(err, ERR_PERM, "4.3.0", "corrupt queue file: %s", what);
}

/* 1 when len bytes were read, 0 when the file ended first, -1 on error. */
static int
queue_file_pread_all(int fd, void *p, size_t len, uint64_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (off + got > (uint64_t)LLONG_MAX)
			return 0;
		n = pread(fd, (char *)p + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

/* Read [off, off+len) of the file into b; ERR_PERM if it is cut short. */
static int
queue_file_read_region(struct queue_file *qf, uint64_t off, uint64_t len,
    size_t max, struct buf *b, struct err *err)
{
	int rc;

	if (len > max)
		return queue_file_corrupt(err, "section too large");
	buf_reset(b);
	buf_reserve(b, (size_t)len);
	rc = queue_file_pread_all(qf->fd, b->data, (size_t)len, off);
	if (rc < 0)
		return queue_dir_io_error(err, errno, "read");
	if (rc == 0)
		return queue_file_corrupt(err, "truncated");
	b->len = (size_t)len;
	b->data[b->len] = '\0';
	return 0;
}

static int
queue_file_load(struct queue_file *qf, struct err *err)
{
	unsigned char raw[QUEUE_HDR_LEN];
	struct queue_hdr hdr;
	struct buf env, log;
	struct stat st;
	int rc;

	if (fstat(qf->fd, &st) < 0)
		return queue_dir_io_error(err, errno, "fstat");
	if (!S_ISREG(st.st_mode))
		return queue_file_corrupt(err, "not a regular file");
	if ((rc = queue_file_pread_all(qf->fd, raw, sizeof(raw), 0)) <= 0)
		return rc < 0 ? queue_dir_io_error(err, errno, "read")
		              : queue_file_corrupt(err, "short header");
	if (queue_hdr_parse(raw, sizeof(raw), &hdr, err) < 0)
		return -1;
	qf->log_at = queue_hdr_log_offset(&hdr);
	if ((uint64_t)st.st_size < qf->log_at)
		return queue_file_corrupt(err, "truncated");
	buf_init(&env);
	buf_init(&log);
	rc = -1;
	if (queue_file_read_region(qf, QUEUE_HDR_LEN, hdr.env_len,
	        qf->lim.max_envelope, &env, err) == 0 &&
	    queue_file_read_region(qf, qf->log_at,
	        (uint64_t)st.st_size - qf->log_at, qf->lim.max_log, &log,
	        err) == 0)
		rc = queue_image_parse_sections(&hdr, (uint64_t)st.st_size,
		    env.data, log.data, log.len, &qf->lim, &qf->im, qf->arena,
		    err);
	qf->log_end = qf->log_at + qf->im.log_valid;
	buf_deinit(&env);
	buf_deinit(&log);
	return rc;
}

int
queue_file_open(struct queue_dir *qd, enum queue_sub sub, const char *id,
    bool update, const struct queue_limits *lim, struct queue_file **qf_out,
    struct err *err)
{
	struct queue_file *qf;
	int dir_fd, fd;

	if (!queue_id_valid(id))
		return 0;
	if ((dir_fd = queue_dir_fd(qd, sub, err)) < 0)
		return -1;
	fd = openat(dir_fd, id,
	    (update ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP)
			return queue_file_corrupt(err, "symbolic link");
		return queue_dir_io_error(err, errno, "open");
	}
	qf = xcalloc(1, sizeof(*qf));
	qf->fd = fd;
	qf->update = update;
	memcpy(qf->id, id, strlen(id) + 1);
	qf->lim = *lim;
	qf->arena = arena_new();
	if (queue_file_load(qf, err) < 0) {
		queue_file_close(&qf);
		return -1;
	}
	*qf_out = qf;
	return 1;
}

void
queue_file_close(struct queue_file **qfp)
{
	struct queue_file *qf = *qfp;

	if (qf == NULL)
		return;
	close(qf->fd);
	arena_free(&qf->arena);
	free(qf);
	*qfp = NULL;
}

const char *
queue_file_id(const struct queue_file *qf)
{
	return qf->id;
}

const struct queue_env *
queue_file_env(const struct queue_file *qf)
{
	return &qf->im.env;
}

uint64_t
queue_file_content_size(const struct queue_file *qf)
{
	return qf->im.hdr.content_len;
}

uint64_t
queue_file_body_offset(const struct queue_file *qf)
{
	return qf->im.hdr.body_offset;
}

ssize_t
queue_file_read(
    struct queue_file *qf, uint64_t off, void *buf, size_t len, struct err *err)
{
	uint64_t size = qf->im.hdr.content_len;
	ssize_t n;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	do
		n = pread(qf->fd, buf, len,
		    (off_t)(queue_hdr_content_offset(&qf->im.hdr) + off));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return queue_dir_io_error(err, errno, "read");
	if (n == 0)
		return queue_file_corrupt(err, "content cut short");
	return n;
}

/*
 * Apply frames appended since log_end. With trim (only under the
 * exclusive lock, when no one else can be mid-append) a torn tail left
 * by a crashed marker is cut off so the next frame follows a whole one.
 */
static int
queue_file_catch_up(struct queue_file *qf, bool trim, struct err *err)
{
	struct stat st;
	struct buf tail;
	size_t valid;
	int rc;

	if (fstat(qf->fd, &st) < 0)
		return queue_dir_io_error(err, errno, "fstat");
	if ((uint64_t)st.st_size < qf->log_end)
		return queue_file_corrupt(err, "result log shrank");
	if ((uint64_t)st.st_size == qf->log_end)
		return 0;
	buf_init(&tail);
	rc = queue_file_read_region(qf, qf->log_end,
	    (uint64_t)st.st_size - qf->log_end, qf->lim.max_log, &tail, err);
	if (rc == 0)
		rc = queue_log_apply(
		    tail.data, tail.len, &qf->im.env, qf->arena, &valid, err);
	if (rc == 0) {
		qf->log_end += valid;
		if (trim && valid < tail.len &&
		    ftruncate(qf->fd, (off_t)qf->log_end) < 0)
			rc = queue_dir_io_error(err, errno, "truncate");
	}
	buf_deinit(&tail);
	return rc;
}

int
queue_file_refresh(struct queue_file *qf, struct err *err)
{
	return queue_file_catch_up(qf, false, err);
}

static int
queue_file_append(
    struct queue_file *qf, const struct buf *frame, struct err *err)
{
	size_t off = 0, valid;
	ssize_t n;

	while (off < frame->len) {
		n = pwrite(qf->fd, frame->data + off, frame->len - off,
		    (off_t)(qf->log_end + off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			/* Leave no half frame for the next marker to trim. */
			(void)ftruncate(qf->fd, (off_t)qf->log_end);
			return queue_dir_io_error(err, saved, "write result");
		}
		off += (size_t)n;
	}
	if (fdatasync(qf->fd) < 0)
		return queue_dir_io_error(err, errno, "fdatasync");
	if (queue_log_apply(frame->data, frame->len, &qf->im.env, qf->arena,
	        &valid, err) < 0 ||
	    valid != frame->len)
		PANIC("%s: own frame does not parse", __func__);
	qf->log_end += frame->len;
	return 0;
}

int
queue_file_mark(struct queue_file *qf, size_t idx, enum queue_rcpt_state state,
    const char *dsn, const char *reason, struct err *err)
{
	struct buf frame;
	int rc;

	if (!qf->update)
		PANIC("%s: %s opened read-only", __func__, qf->id);
	if (idx >= qf->im.env.nrcpt || state == QUEUE_RCPT_PENDING ||
	    (unsigned)state > QUEUE_RCPT_BOUNCED)
		PANIC("%s: recipient %zu, state %d", __func__, idx, (int)state);
	while (flock(qf->fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return queue_dir_io_error(err, errno, "lock");
	buf_init(&frame);
	queue_log_encode(&frame, idx, state, (uint64_t)time(NULL), dsn, reason);
	rc = queue_file_catch_up(qf, true, err);
	if (rc == 0)
		rc = queue_file_append(qf, &frame, err);
	(void)flock(qf->fd, LOCK_UN);
	buf_deinit(&frame);
	return rc;
}

bool
queue_file_finished(const struct queue_file *qf)
{
	size_t i;

	for (i = 0; i < qf->im.env.nrcpt; i++)
		if (qf->im.env.rcpts[i].state != QUEUE_RCPT_DONE &&
		    qf->im.env.rcpts[i].state != QUEUE_RCPT_BOUNCED)
			return false;
	return true;
}

/* SPDX-License-Identifier: MIT */
/*
 * Buffered line and byte I/O with deadlines over one connected
 * descriptor, plain or through a layer such as TLS. Used by every
 * single-client protocol daemon; input is raw network data.
 */
#include "core/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"

/* Read in pieces of this size; a message streams through them. */
#define STREAM_READ_CHUNK (64 * 1024)

static ssize_t
stream_plain_read(void *ctx, int fd, void *p, size_t n, short *want_out)
{
	ssize_t r = read(fd, p, n);

	(void)ctx;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		*want_out = POLLIN;
	return r;
}

static ssize_t
stream_plain_write(void *ctx, int fd, const void *p, size_t n, short *want_out)
{
	/* MSG_NOSIGNAL: a vanished peer is an EPIPE, not a SIGPIPE. */
	ssize_t r = send(fd, p, n, MSG_NOSIGNAL);

	(void)ctx;
	if (r < 0 && errno == ENOTSOCK)
		r = write(fd, p, n);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		*want_out = POLLOUT;
	return r;
}

static const struct stream_ops stream_plain_ops = {
    .read = stream_plain_read,
    .write = stream_plain_write,
};

void
stream_init(struct stream *st, int fd, int timeout_ms)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & O_NONBLOCK) == 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	st->timeout_ms = timeout_ms;
	st->ops = &stream_plain_ops;
	buf_init(&st->in);
	buf_init(&st->out);
}

void
stream_deinit(struct stream *st)
{
	buf_deinit(&st->in);
	buf_deinit(&st->out);
	st->ops = &stream_plain_ops;
	st->ops_ctx = NULL;
}

void
stream_set_ops(struct stream *st, const struct stream_ops *ops, void *ctx)
{
	st->ops = ops != NULL ? ops : &stream_plain_ops;
	st->ops_ctx = ops != NULL ? ctx : NULL;
}

int
stream_wait_fd(int fd, short want, uint64_t deadline_ms)
{
	struct pollfd pfd = {.fd = fd, .events = want};
	uint64_t now;
	int r;

	for (;;) {
		now = event_now_ms();
		if (now >= deadline_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&pfd, 1, (int)(deadline_ms - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int
stream_fill(struct stream *st)
{
	uint64_t deadline = event_now_ms() + (uint64_t)st->timeout_ms;
	short want = POLLIN;
	ssize_t n;

	/* Drop what was consumed before growing the buffer. */
	if (st->in_off > 0) {
		buf_consume(&st->in, st->in_off);
		st->in_off = 0;
	}
	buf_reserve(&st->in, STREAM_READ_CHUNK);
	for (;;) {
		n = st->ops->read(st->ops_ctx, st->fd, st->in.data + st->in.len,
		    STREAM_READ_CHUNK, &want);
		if (n > 0) {
			st->in.len += (size_t)n;
			st->in.data[st->in.len] = '\0';
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (stream_wait_fd(st->fd, want, deadline) != 0)
			return -1;
	}
}

/* Discard mode: drop input up to and including the next LF. */
static bool
stream_skip_long(struct stream *st)
{
	const char *p = st->in.data + st->in_off;
	size_t avail = st->in.len - st->in_off;
	const char *lf = memchr(p, '\n', avail);

	if (lf == NULL) {
		st->in_off = st->in.len;
		return false;
	}
	st->in_off += (size_t)(lf - p) + 1;
	st->discarding = false;
	return true;
}

int
stream_line(struct stream *st, size_t max, const char **line_out,
    size_t *len_out, bool *too_long_out)
{
	const char *p, *lf;
	size_t avail, len;

	*too_long_out = false;
	if (!st->discarding) {
		p = st->in.data + st->in_off;
		avail = st->in.len - st->in_off;
		lf = memchr(p, '\n', avail < max ? avail : max);
		if (lf != NULL) {
			len = (size_t)(lf - p);
			st->in_off += len + 1;
			if (len > 0 && p[len - 1] == '\r')
				len--;
			*line_out = p;
			*len_out = len;
			return 1;
		}
		if (avail < max)
			return 0;
		/* Too long: never parse its tail as a line of its own. */
		st->discarding = true;
	}
	if (!stream_skip_long(st))
		return 0;
	*line_out = "";
	*len_out = 0;
	*too_long_out = true;
	return 1;
}

const char *
stream_peek(const struct stream *st, size_t *len_out)
{
	*len_out = st->in.len - st->in_off;
	return st->in.data + st->in_off;
}

void
stream_consume(struct stream *st, size_t n)
{
	if (n > st->in.len - st->in_off)
		PANIC("%s: %zu past the buffer", __func__, n);
	st->in_off += n;
}

size_t
stream_discard_input(struct stream *st)
{
	size_t n = st->in.len - st->in_off;

	buf_reset(&st->in);
	st->in_off = 0;
	st->discarding = false;
	return n;
}

void
stream_write(struct stream *st, const void *p, size_t n)
{
	buf_append(&st->out, p, n);
}

void
stream_printf(struct stream *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&st->out, fmt, ap);
	va_end(ap);
}

int
stream_flush(struct stream *st)
{
	uint64_t deadline = event_now_ms() + (uint64_t)st->timeout_ms;
	short want = POLLOUT;
	size_t off = 0;
	ssize_t n;
	int rc = 0;

	while (off < st->out.len) {
		n = st->ops->write(st->ops_ctx, st->fd, st->out.data + off,
		    st->out.len - off, &want);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    stream_wait_fd(st->fd, want, deadline) == 0)
			continue;
		if (n == 0)
			errno = EPIPE;
		rc = -1;
		break;
	}
	buf_reset(&st->out);
	return rc;
}

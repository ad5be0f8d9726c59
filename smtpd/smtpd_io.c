/* SPDX-License-Identifier: MIT */
/*
 * smtpd's client I/O: an input buffer that yields command lines and
 * raw message bytes, an output buffer for replies (sent when the client
 * has nothing more queued, RFC 2920), and a deadline on every read and
 * write (smtpd_timeout). Input is raw network data; the stream behind
 * it is plain TCP now and TLS later (struct smtpd_stream).
 */
#include "smtpd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"

/* Read in pieces of this size; a message streams through them. */
#define SMTPD_IO_READ (64 * 1024)

static ssize_t
smtpd_stream_plain_read(struct smtpd_stream *st, void *p, size_t n)
{
	ssize_t r = read(st->fd, p, n);

	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		st->want = POLLIN;
	return r;
}

static ssize_t
smtpd_stream_plain_write(struct smtpd_stream *st, const void *p, size_t n)
{
	ssize_t r = write(st->fd, p, n);

	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		st->want = POLLOUT;
	return r;
}

void
smtpd_stream_plain(struct smtpd_stream *st, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	/* Non-blocking, so poll() alone decides how long we wait. */
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	st->read = smtpd_stream_plain_read;
	st->write = smtpd_stream_plain_write;
}

void
smtpd_io_init(struct smtpd_io *io, struct smtpd_stream *st, int timeout_ms)
{
	memset(io, 0, sizeof(*io));
	io->stream = st;
	io->timeout_ms = timeout_ms;
	buf_init(&io->in);
	buf_init(&io->out);
}

void
smtpd_io_deinit(struct smtpd_io *io)
{
	buf_deinit(&io->in);
	buf_deinit(&io->out);
}

/* Wait until the stream may make progress; -1 ETIMEDOUT at deadline. */
static int
smtpd_io_wait(struct smtpd_io *io, uint64_t deadline)
{
	struct pollfd pfd = {.fd = io->stream->fd, .events = io->stream->want};
	uint64_t now;
	int r;

	for (;;) {
		now = event_now_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int
smtpd_io_fill(struct smtpd_io *io)
{
	uint64_t deadline = event_now_ms() + (uint64_t)io->timeout_ms;
	ssize_t n;

	/* Drop what was consumed before growing the buffer. */
	if (io->in_off > 0) {
		buf_consume(&io->in, io->in_off);
		io->in_off = 0;
	}
	buf_reserve(&io->in, SMTPD_IO_READ);
	for (;;) {
		n = io->stream->read(
		    io->stream, io->in.data + io->in.len, SMTPD_IO_READ);
		if (n > 0) {
			io->in.len += (size_t)n;
			io->in.data[io->in.len] = '\0';
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (smtpd_io_wait(io, deadline) != 0)
			return -1;
	}
}

/* Discard mode: drop input up to and including the next LF. */
static int
smtpd_io_discard(struct smtpd_io *io)
{
	const char *p = io->in.data + io->in_off;
	size_t avail = io->in.len - io->in_off;
	const char *lf = memchr(p, '\n', avail);

	if (lf == NULL) {
		io->in_off = io->in.len;
		return 0;
	}
	io->in_off += (size_t)(lf - p) + 1;
	io->discarding = false;
	return 1;
}

int
smtpd_io_line(struct smtpd_io *io, size_t max, const char **line_out,
    size_t *len_out, bool *too_long_out)
{
	const char *p, *lf;
	size_t avail, len;

	*too_long_out = false;
	if (io->discarding) {
		if (smtpd_io_discard(io) == 0)
			return 0;
		*line_out = "";
		*len_out = 0;
		*too_long_out = true;
		return 1;
	}
	p = io->in.data + io->in_off;
	avail = io->in.len - io->in_off;
	lf = memchr(p, '\n', avail < max ? avail : max);
	if (lf == NULL) {
		if (avail < max)
			return 0;
		/* RFC 5321 §4.5.3.1.4: too long; never parse its tail. */
		io->discarding = true;
		return smtpd_io_line(io, max, line_out, len_out, too_long_out);
	}
	len = (size_t)(lf - p);
	io->in_off += len + 1;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	*line_out = p;
	*len_out = len;
	return 1;
}

const char *
smtpd_io_peek(const struct smtpd_io *io, size_t *len_out)
{
	*len_out = io->in.len - io->in_off;
	return io->in.data + io->in_off;
}

void
smtpd_io_consume(struct smtpd_io *io, size_t n)
{
	if (n > io->in.len - io->in_off)
		PANIC("%s: %zu past the buffer", __func__, n);
	io->in_off += n;
}

int
smtpd_io_flush(struct smtpd_io *io)
{
	uint64_t deadline = event_now_ms() + (uint64_t)io->timeout_ms;
	size_t off = 0;
	ssize_t n;
	int rc = 0;

	while (off < io->out.len) {
		n = io->stream->write(
		    io->stream, io->out.data + off, io->out.len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    smtpd_io_wait(io, deadline) == 0)
			continue;
		rc = -1;
		break;
	}
	buf_reset(&io->out);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * The message a pipe command reads: the lines the flags ask for
 * (From_, Return-Path:, Delivered-To:, X-Original-To:), then the queued
 * content read from the queue file positionally, with each line end
 * made the entry's eol and the line-start quoting of the flags. It goes
 * into an anonymous memory file, so the command sees an ordinary
 * standard input and one message can feed several runs.
 */
#include "pipe.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

#define PIPE_MSG_CHUNK 65536

/* The content converter's state across read chunks. */
struct pipe_msg_conv {
	const struct pipe *p;
	struct buf out;
	bool line_start;
	bool cr; /* a CR was seen and not yet written */
};

static int
pipe_msg_flush(int fd, struct buf *out, struct err *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < out->len) {
		n = write(fd, out->data + off, out->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, ERR_TEMP,
			    errno == ENOSPC ? "4.3.1" : "4.3.0",
			    "write the message for the command: %s",
			    strerror(errno));
		off += (size_t)n;
	}
	buf_reset(out);
	return 0;
}

/* The lines on top, per the flags. */
static void
pipe_msg_top(const struct pipe *p, const struct deliver_request *req,
    const struct pipe_rcpt_view *rv, struct buf *out)
{
	const char *sender = req->env.sender;
	const char *eol = p->args.eol;
	char date[64];
	struct tm tm;
	time_t now;

	if (p->args.flags & PIPE_F_FROM) {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
		buf_printf(out, "From %s  %s%s",
		    sender[0] != '\0' ? sender : "MAILER-DAEMON", date, eol);
	}
	if (p->args.flags & PIPE_F_RETURN_PATH)
		buf_printf(out, "Return-Path: <%s>%s", sender, eol);
	if ((p->args.flags & PIPE_F_DELIVERED_TO) && rv->address != NULL)
		buf_printf(out, "Delivered-To: %s%s", rv->address, eol);
	if ((p->args.flags & PIPE_F_ORIGINAL_TO) && rv->address != NULL)
		buf_printf(out, "X-Original-To: %s%s", rv->original, eol);
}

/* Convert one chunk of content into c->out. */
static void
pipe_msg_convert(struct pipe_msg_conv *c, const char *data, size_t len)
{
	unsigned flags = c->p->args.flags;
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = data[i];

		if (c->cr && ch != '\n')
			buf_putc(&c->out, '\r');
		c->cr = false;
		if (ch == '\r') {
			c->cr = true;
			continue;
		}
		if (ch == '\n') {
			buf_printf(&c->out, "%s", c->p->args.eol);
			c->line_start = true;
			continue;
		}
		if (c->line_start) {
			if (ch == '.' && (flags & PIPE_F_DOT))
				buf_putc(&c->out, '.');
			if (ch == 'F' && (flags & PIPE_F_QUOTE_FROM) &&
			    len - i >= 5 && memcmp(data + i, "From ", 5) == 0)
				buf_putc(&c->out, '>');
		}
		c->line_start = false;
		buf_putc(&c->out, ch);
	}
}

int
pipe_msg_build(const struct pipe *p, const struct deliver_request *req,
    int qfd, const struct pipe_rcpt_view *rv, struct err *err)
{
	struct pipe_msg_conv c = {.p = p, .line_start = true};
	char chunk[PIPE_MSG_CHUNK];
	const char *nl;
	uint64_t off = 0;
	ssize_t n;
	int fd;

	fd = memfd_create("postern-pipe", MFD_CLOEXEC);
	if (fd < 0) {
		err_set(err, ERR_TEMP, "4.3.0", "memfd_create: %s",
		    strerror(errno));
		return -1;
	}
	buf_init(&c.out);
	pipe_msg_top(p, req, rv, &c.out);
	while (off < req->content_size) {
		size_t want = req->content_size - off < sizeof(chunk)
		    ? (size_t)(req->content_size - off)
		    : sizeof(chunk);

		n = pread(qfd, chunk, want, (off_t)(req->content_offset + off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, ERR_TEMP, "4.3.0", "read queue file: %s",
			    n < 0 ? strerror(errno) : "unexpected end");
			goto fail;
		}
		/* End chunks at a line end, so that a line start and the
		 * five bytes ">" quoting looks at are in one chunk. */
		if (off + (uint64_t)n < req->content_size &&
		    (nl = memrchr(chunk, '\n', (size_t)n)) != NULL)
			n = nl - chunk + 1;
		off += (uint64_t)n;
		pipe_msg_convert(&c, chunk, (size_t)n);
		if (c.out.len >= PIPE_MSG_CHUNK && pipe_msg_flush(fd, &c.out, err))
			goto fail;
	}
	if (c.cr)
		buf_putc(&c.out, '\r');
	if (!c.line_start)
		buf_printf(&c.out, "%s", p->args.eol);
	if (p->args.flags & PIPE_F_BLANK)
		buf_printf(&c.out, "%s", p->args.eol);
	if (pipe_msg_flush(fd, &c.out, err) != 0)
		goto fail;
	buf_deinit(&c.out);
	return fd;
fail:
	buf_deinit(&c.out);
	close(fd);
	return -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * The message content on the wire (RFC 5321 section 4.5.2): read from
 * the queue file with positional reads (qmgr shares the open file),
 * every line end made CR LF, a dot doubled at the start of a line, the
 * final "." line. When a server lacks 8BITMIME and the content has
 * 8-bit octets, the content is first converted (smtp/smtp_mime.h); the
 * conversion works on the whole message in memory, which the size
 * limits of the queue bound.
 */
#include "smtp.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "smtp/smtp_mime.h"

#define SMTP_BODY_CHUNK 65536

/* Line state of the dot-stuffer across chunks. */
struct smtp_body_stuffer {
	bool bol; /* at the start of a line */
	bool cr; /* the last octet was CR */
};

static void
smtp_body_stuff(
    struct smtp_body_stuffer *st, const char *p, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (st->bol && p[i] == '.')
			buf_putc(out, '.');
		if (p[i] == '\n') {
			if (!st->cr)
				buf_putc(out, '\r');
			buf_putc(out, '\n');
			st->bol = true;
			st->cr = false;
			continue;
		}
		buf_putc(out, p[i]);
		st->bol = false;
		st->cr = p[i] == '\r';
	}
}

/* Read content bytes [off, off+n) into p. 0, or -1 with err. */
static int
smtp_body_read(const struct smtp_job *job, uint64_t off, char *p, size_t n,
    struct err *err)
{
	ssize_t got;

	while (n > 0) {
		got = pread(
		    job->qfd, p, n, (off_t)(job->req->content_offset + off));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "cannot read the queue file: %s",
			    got < 0 ? strerror(errno) : "short file");
		p += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}

int
smtp_body_has8bit(struct smtp_job *job, bool *out, struct err *err)
{
	char *chunk;
	uint64_t off, size = job->req->content_size;
	size_t n;
	int rc = 0;

	if (!job->scanned) {
		chunk = arena_alloc(job->arena, SMTP_BODY_CHUNK);
		for (off = 0; off < size && !job->has8bit && rc == 0;
		     off += n) {
			n = size - off < SMTP_BODY_CHUNK ? (size_t)(size - off)
			                                 : SMTP_BODY_CHUNK;
			rc = smtp_body_read(job, off, chunk, n, err);
			job->has8bit = rc == 0 && smtp_mime_has8bit(chunk, n);
		}
		job->scanned = rc == 0;
	}
	*out = job->has8bit;
	return rc;
}

/* Stuff data into the stream, flushing every chunk. */
static int
smtp_body_put(struct smtp_sess *s, struct smtp_body_stuffer *st, const char *p,
    size_t n, struct err *err)
{
	long long t = s->job->ag->conf->smtp_data_xfer_timeout;
	size_t k;

	for (; n > 0; p += k, n -= k) {
		k = n < SMTP_BODY_CHUNK ? n : SMTP_BODY_CHUNK;
		smtp_body_stuff(st, p, k, &s->st.out);
		if (s->st.out.len >= SMTP_BODY_CHUNK &&
		    smtp_conn_flush(s, t, err) != 0)
			return -1;
	}
	return 0;
}

/* The converted content, whole. */
static int
smtp_body_converted(
    struct smtp_sess *s, struct smtp_body_stuffer *st, struct err *err)
{
	const struct deliver_request *req = s->job->req;
	struct buf raw, conv;
	int rc;

	buf_init(&raw);
	buf_init(&conv);
	buf_reserve(&raw, (size_t)req->content_size);
	rc =
	    smtp_body_read(s->job, 0, raw.data, (size_t)req->content_size, err);
	if (rc == 0) {
		raw.len = (size_t)req->content_size;
		smtp_mime_to7bit(raw.data, raw.len, &conv);
		rc = smtp_body_put(s, st, conv.data, conv.len, err);
	}
	buf_deinit(&raw);
	buf_deinit(&conv);
	return rc;
}

int
smtp_body_send(struct smtp_sess *s, bool convert, bool empty, struct err *err)
{
	struct smtp_body_stuffer st = {.bol = true};
	uint64_t off, size = s->job->req->content_size;
	char *chunk;
	size_t n;

	s->stage = "end of DATA";
	if (empty)
		size = 0;
	if (convert && smtp_body_converted(s, &st, err) != 0)
		return -1;
	chunk = convert || size == 0
	    ? NULL
	    : arena_alloc(s->job->arena, SMTP_BODY_CHUNK);
	for (off = 0; chunk != NULL && off < size; off += n) {
		n = size - off < SMTP_BODY_CHUNK ? (size_t)(size - off)
		                                 : SMTP_BODY_CHUNK;
		if (smtp_body_read(s->job, off, chunk, n, err) != 0 ||
		    smtp_body_put(s, &st, chunk, n, err) != 0)
			return -1;
	}
	if (!st.bol)
		buf_puts(&s->st.out, "\r\n");
	buf_puts(&s->st.out, ".\r\n");
	return smtp_conn_flush(
	    s, s->job->ag->conf->smtp_data_xfer_timeout, err);
}

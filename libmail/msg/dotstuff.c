/* SPDX-License-Identifier: MIT */
/*
 * The dot-stuffing encoder (msg/dotstuff.h), used by pop3d for RETR and
 * TOP. Input is a stored message, which a user may have crafted: any
 * octet sequence is encoded safely, and a line starting with "." can
 * never end the reply early.
 */
#include "msg/dotstuff.h"

#include <string.h>

void
dotstuff_init(struct dotstuff *d, bool limited, uint64_t body_lines)
{
	memset(d, 0, sizeof(*d));
	d->bol = true;
	d->limited = limited;
	d->lines_left = body_lines;
}

/* A line ended: count it toward the header end and the TOP limit. */
static void
dotstuff_line_end(struct dotstuff *d)
{
	if (!d->in_body) {
		if (d->line_len == 0) {
			d->in_body = true;
			if (d->limited && d->lines_left == 0)
				d->done = true;
		}
	} else if (d->limited && --d->lines_left == 0) {
		d->done = true;
	}
	d->line_len = 0;
	d->bol = true;
}

bool
dotstuff_feed(struct dotstuff *d, const char *p, size_t len, struct buf *out)
{
	const char *end = p + len, *nl, *stop;
	size_t seg;

	while (p < end && !d->done) {
		if (d->cr) {
			/* The held CR was not the start of CR LF. */
			d->cr = false;
			if (*p != '\n') {
				buf_putc(out, '\r');
				d->line_len++;
			}
		}
		/* RFC 1939 §3: a line starting with "." gets another. */
		if (d->bol && *p == '.')
			buf_putc(out, '.');
		d->bol = false;
		nl = memchr(p, '\n', (size_t)(end - p));
		stop = nl != NULL ? nl : end;
		seg = (size_t)(stop - p);
		if (seg > 0 && stop[-1] == '\r') {
			seg--;
			d->cr = nl == NULL;
		}
		buf_append(out, p, seg);
		d->line_len += seg;
		if (nl == NULL)
			break;
		buf_append(out, "\r\n", 2);
		dotstuff_line_end(d);
		p = nl + 1;
	}
	return d->done;
}

void
dotstuff_end(struct dotstuff *d, struct buf *out)
{
	if (!d->done) {
		if (d->cr) {
			buf_putc(out, '\r');
			d->cr = false;
		}
		if (!d->bol)
			buf_append(out, "\r\n", 2);
	}
	buf_append(out, ".\r\n", 3);
	d->done = true;
}

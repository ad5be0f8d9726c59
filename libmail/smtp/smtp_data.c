/* SPDX-License-Identifier: MIT */
/*
 * DATA and BDAT content decoding for smtpd. A small state machine over raw
 * client bytes; runs of ordinary octets are copied in one step. The states
 * that hold back octets (a "." at a line start, a CR) keep them in the
 * state itself, so a split anywhere in the input gives the same result.
 */
#include "smtp/smtp_data.h"

#include <string.h>

#include "core/log.h"

enum smtp_data_state {
	SMTP_DATA_LINE_START, /* at the start of a line */
	SMTP_DATA_TEXT, /* inside a line */
	SMTP_DATA_CR, /* inside a line, a CR held back */
	SMTP_DATA_DOT, /* a "." held back at a line start */
	SMTP_DATA_DOT_CR, /* "." then CR held back at a line start */
};

void
smtp_data_init(struct smtp_data *d, const struct smtp_data_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->opts = *opts;
	d->state = SMTP_DATA_LINE_START;
	/* The DATA command line ended with CR LF. */
	d->prev_crlf = true;
}

/* Account for n octets of stored content and append them unless over size. */
static void
smtp_data_emit(struct smtp_data *d, struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			d->has_8bit = true;
		else if (p[i] == '\0')
			d->has_nul = true;
	}
	d->size += n;
	if (d->opts.size_max > 0 && d->size > d->opts.size_max)
		d->oversize = true;
	if (!d->oversize)
		buf_append(out, p, n);
}

/* Content octets of the current line (not its line end). */
static void
smtp_data_text(struct smtp_data *d, struct buf *out, const char *p, size_t n)
{
	smtp_data_emit(d, out, p, n);
	d->line_len += n;
}

static void
smtp_data_line_end(struct smtp_data *d, struct buf *out, bool crlf)
{
	if (!crlf)
		d->bare_lf++;
	smtp_data_emit(d, out, "\r\n", 2);
	if (d->line_len > SMTP_DATA_LINE_MAX)
		d->long_line = true;
	if (d->line_len == 0 && d->body_offset == 0)
		d->body_offset = d->size;
	d->line_len = 0;
	d->prev_crlf = crlf;
	d->state = SMTP_DATA_LINE_START;
}

/* SMTP_DATA_TEXT: copy the run up to the next CR or LF. */
static size_t
smtp_data_run(struct smtp_data *d, const char *in, size_t len, struct buf *out)
{
	size_t j = 0;

	while (j < len && in[j] != '\r' && in[j] != '\n')
		j++;
	if (j > 0)
		smtp_data_text(d, out, in, j);
	if (j == len)
		return j;
	if (in[j] == '\r')
		d->state = SMTP_DATA_CR;
	else
		smtp_data_line_end(d, out, false);
	return j + 1;
}

/*
 * One step of the state machine at byte c; returns 1 when c was consumed,
 * 0 when it must be looked at again in the new state.
 */
static size_t
smtp_data_step(struct smtp_data *d, char c, struct buf *out)
{
	switch (d->state) {
	case SMTP_DATA_LINE_START:
		d->state = c == '.' ? SMTP_DATA_DOT : SMTP_DATA_TEXT;
		return c == '.';
	case SMTP_DATA_CR:
		if (c == '\n') {
			smtp_data_line_end(d, out, true);
			return 1;
		}
		break; /* a bare CR: content */
	case SMTP_DATA_DOT:
		if (c == '\r') {
			d->state = SMTP_DATA_DOT_CR;
			return 1;
		}
		if (c == '\n') {
			/* "." ended by a bare LF: content, never the end. */
			smtp_data_text(d, out, ".", 1);
			smtp_data_line_end(d, out, false);
			return 1;
		}
		/* RFC 5321 §4.5.2: drop the stuffed dot. */
		d->state = SMTP_DATA_TEXT;
		return 0;
	case SMTP_DATA_DOT_CR:
		if (c == '\n') {
			if (d->prev_crlf) {
				d->done = true;
				return 1;
			}
			/* The line before ended in a bare LF: content. */
			smtp_data_text(d, out, ".", 1);
			smtp_data_line_end(d, out, true);
			return 1;
		}
		/* ".", bare CR, more: the dot was stuffing. */
		break;
	default:
		PANIC("%s: bad state %d", __func__, d->state);
	}
	/* A bare CR is kept as content and is no line end. */
	d->bare_cr++;
	smtp_data_text(d, out, "\r", 1);
	d->state = SMTP_DATA_TEXT;
	return 0;
}

size_t
smtp_data_feed(struct smtp_data *d, const char *in, size_t len, struct buf *out)
{
	size_t i = 0;

	if (d->bdat)
		PANIC("%s: DATA content fed to a BDAT transfer", __func__);
	while (i < len && !d->done) {
		if (d->state == SMTP_DATA_TEXT)
			i += smtp_data_run(d, in + i, len - i, out);
		else
			i += smtp_data_step(d, in[i], out);
	}
	return i;
}

void
smtp_data_chunk(struct smtp_data *d, uint64_t size, bool last)
{
	if (d->done || d->chunk_left > 0 ||
	    (!d->bdat && (d->size > 0 || d->state != SMTP_DATA_LINE_START)))
		PANIC("%s: BDAT chunk out of order or after DATA", __func__);
	d->bdat = true;
	d->chunk_left = size;
	d->chunk_last = last;
	if (size == 0 && last)
		d->done = true;
}

/* Track lines in BDAT content for the flags; the bytes are not changed. */
static void
smtp_data_chunk_scan(struct smtp_data *d, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!d->pending_cr)
				d->bare_lf++;
			if (d->line_len > SMTP_DATA_LINE_MAX)
				d->long_line = true;
			if (d->line_len == 0 && d->body_offset == 0)
				d->body_offset = d->size + i + 1;
			d->line_len = 0;
			d->pending_cr = false;
			continue;
		}
		if (d->pending_cr) {
			d->bare_cr++;
			d->line_len++;
		}
		d->pending_cr = p[i] == '\r';
		if (!d->pending_cr)
			d->line_len++;
	}
}

size_t
smtp_data_feed_chunk(
    struct smtp_data *d, const char *in, size_t len, struct buf *out)
{
	size_t n;

	if (!d->bdat)
		PANIC("%s: no BDAT chunk started", __func__);
	n = d->chunk_left < len ? (size_t)d->chunk_left : len;
	if (n == 0)
		return 0;
	smtp_data_chunk_scan(d, in, n);
	smtp_data_emit(d, out, in, n);
	d->chunk_left -= n;
	if (d->chunk_left == 0 && d->chunk_last) {
		d->done = true;
		if (d->pending_cr)
			d->bare_cr++; /* a CR that no LF followed */
		if (d->line_len > SMTP_DATA_LINE_MAX)
			d->long_line = true;
	}
	return n;
}

int
smtp_data_finish(const struct smtp_data *d, int *code_out, struct err *err)
{
	if (!d->done)
		PANIC("%s: message content not complete", __func__);
	if (d->oversize) {
		*code_out = 552;
		return err_set(
		    err, ERR_PERM, "5.3.4", "Error: message file too big");
	}
	if (d->bare_lf > 0 && d->opts.bare_lf == SMTP_DATA_BARE_LF_REJECT &&
	    !d->opts.binary) {
		*code_out = 550;
		return err_set(
		    err, ERR_PERM, "5.5.2", "Error: bare <LF> received");
	}
	*code_out = 0;
	return 0;
}

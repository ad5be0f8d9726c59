/* SPDX-License-Identifier: MIT */
/*
 * Header section push parser. A field is only complete once the first
 * byte of the next line is known not to be white space (or the input
 * ended), so the parser holds the field's raw bytes until then. Every
 * decision about a line is taken on the same bytes whatever the chunking:
 * the field-name test looks at no more than line_max octets, and a line
 * is buffered up to line_max + 2 octets at most.
 */
#include "msg/header.h"

#include <string.h>

#include "core/log.h"

enum header_state {
	HEADER_S_START, /* at a line start, no field held */
	HEADER_S_LINE, /* reading a line into field */
	HEADER_S_PENDING, /* a complete field held, at a line start */
	HEADER_S_BODY_BUF, /* field holds the first body bytes */
	HEADER_S_BODY,
	HEADER_S_DONE,
	HEADER_S_FAILED,
};

void
header_init(struct header_parser *p, const struct header_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->lim = *lim;
	buf_init(&p->field);
	buf_init(&p->value);
	p->state = HEADER_S_START;
}

void
header_deinit(struct header_parser *p)
{
	buf_deinit(&p->field);
	buf_deinit(&p->value);
}

void
header_feed(struct header_parser *p, const char *data, size_t len)
{
	if (p->in_len > 0 || p->finished)
		PANIC("%s: fed before the last input was used, or after "
		      "the end",
		    __func__);
	p->in = data;
	p->in_len = len;
}

void
header_finish(struct header_parser *p)
{
	p->finished = true;
}

static void
header_consume(struct header_parser *p, size_t n)
{
	p->in += n;
	p->in_len -= n;
}

/* RFC 5322 §3.6.8 ftext: printable US-ASCII except ':'. */
static bool
header_is_ftext(char c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Length of the field name if line starts a field, else 0. */
static size_t
header_name_len(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len && header_is_ftext(s[i]))
		i++;
	if (i == 0)
		return 0;
	n = i;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] == ':' ? n : 0;
}

static size_t
header_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int
header_fail(struct header_parser *p, struct err *err, const char *why)
{
	err_set(&p->err, ERR_PERM, "5.6.0", "%s", why);
	p->state = HEADER_S_FAILED;
	if (err != NULL)
		*err = p->err;
	return -1;
}

static int
header_emit_field(struct header_parser *p, struct header_event *ev)
{
	const char *raw = p->field.data, *colon;
	size_t len = p->field.len, i, skip = 0;

	memset(ev, 0, sizeof(*ev));
	ev->kind = HEADER_EV_FIELD;
	ev->name = raw;
	ev->name_len = header_name_len(raw, header_min(len, p->lim.line_max));
	colon = memchr(raw + ev->name_len, ':', len - ev->name_len);
	buf_reset(&p->value);
	/* RFC 5322 §2.2.3 unfolding: drop each line break, keep the rest. */
	for (i = (size_t)(colon - raw) + 1; i < len; i++) {
		if (raw[i] == '\n' ||
		    (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n'))
			continue;
		buf_putc(&p->value, raw[i]);
	}
	while (skip < p->value.len &&
	    (p->value.data[skip] == ' ' || p->value.data[skip] == '\t'))
		skip++;
	ev->value = p->value.data + skip;
	ev->value_len = p->value.len - skip;
	ev->raw = raw;
	ev->raw_len = len;
	p->clear = true;
	p->state = HEADER_S_START;
	return 1;
}

static int
header_end(
    struct header_parser *p, struct header_event *ev, bool malformed, bool eof)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = HEADER_EV_END;
	ev->malformed = malformed;
	ev->eof = eof;
	if (malformed) {
		p->state = HEADER_S_BODY_BUF;
	} else {
		p->clear = true;
		p->state = eof ? HEADER_S_DONE : HEADER_S_BODY;
	}
	return 1;
}

/* A line over line_max: an error inside a field, else the body starts. */
static int
header_overflow(
    struct header_parser *p, struct header_event *ev, struct err *err)
{
	const char *line = p->field.data + p->line_start;

	if (p->cont || header_name_len(line, p->lim.line_max) > 0)
		return header_fail(p, err, "header line too long");
	return header_end(p, ev, true, false);
}

/*
 * The current line is complete (or the input ended in it). Returns 1 with
 * an event, 0 to go on, -1 on a limit.
 */
static int
header_line_done(
    struct header_parser *p, struct header_event *ev, struct err *err)
{
	const char *line = p->field.data + p->line_start;
	size_t len = p->field.len - p->line_start, content = len;

	if (content > 0 && line[content - 1] == '\n') {
		content--;
		if (content > 0 && line[content - 1] == '\r')
			content--;
	}
	if (content > p->lim.line_max)
		return header_overflow(p, ev, err);
	if (!p->cont && content == 0)
		return header_end(p, ev, false, false);
	if (!p->cont && header_name_len(line, content) == 0)
		return header_end(p, ev, true, false);
	p->size += len;
	if (p->size > p->lim.size_max)
		return header_fail(p, err, "header section too large");
	if (!p->cont && ++p->count > p->lim.count_max)
		return header_fail(p, err, "too many header fields");
	p->state = HEADER_S_PENDING;
	return 0;
}

/* HEADER_S_LINE: take bytes up to the line end, never past line_max + 2. */
static int
header_read_line(
    struct header_parser *p, struct header_event *ev, struct err *err)
{
	size_t cur = p->field.len - p->line_start, room, take, known;
	const char *nl;

	room = p->lim.line_max + 2 - cur;
	take = header_min(p->in_len, room);
	nl = take > 0 ? memchr(p->in, '\n', take) : NULL;
	if (nl != NULL)
		take = (size_t)(nl - p->in) + 1;
	buf_append(&p->field, p->in, take);
	header_consume(p, take);
	if (nl != NULL)
		return header_line_done(p, ev, err);
	cur = p->field.len - p->line_start;
	/* A trailing CR may still turn out to be part of CR LF. */
	known = cur - (cur > 0 && p->field.data[p->field.len - 1] == '\r');
	if (known > p->lim.line_max)
		return header_overflow(p, ev, err);
	if (p->in_len == 0 && p->finished)
		return header_line_done(p, ev, err);
	return p->in_len == 0 ? 2 : 0;
}

static void
header_start_line(struct header_parser *p, bool cont)
{
	p->state = HEADER_S_LINE;
	p->line_start = p->field.len;
	p->cont = cont;
}

int
header_next(struct header_parser *p, struct header_event *ev, struct err *err)
{
	int rc;

	if (p->clear) {
		buf_reset(&p->field);
		p->clear = false;
	}
	for (;;) {
		switch (p->state) {
		case HEADER_S_START:
			if (p->in_len == 0)
				return p->finished
				    ? header_end(p, ev, false, true)
				    : 0;
			header_start_line(p, false);
			break;
		case HEADER_S_LINE:
			if ((rc = header_read_line(p, ev, err)) == 2)
				return 0; /* need more input */
			if (rc != 0)
				return rc;
			break;
		case HEADER_S_PENDING:
			if (p->in_len == 0 && !p->finished)
				return 0;
			if (p->in_len > 0 &&
			    (p->in[0] == ' ' || p->in[0] == '\t')) {
				header_start_line(p, true);
				break;
			}
			return header_emit_field(p, ev);
		case HEADER_S_BODY_BUF:
			memset(ev, 0, sizeof(*ev));
			ev->kind = HEADER_EV_BODY;
			ev->raw = p->field.data;
			ev->raw_len = p->field.len;
			p->clear = true;
			p->state = HEADER_S_BODY;
			return 1;
		case HEADER_S_BODY:
			if (p->in_len == 0) {
				if (p->finished)
					p->state = HEADER_S_DONE;
				return 0;
			}
			memset(ev, 0, sizeof(*ev));
			ev->kind = HEADER_EV_BODY;
			ev->raw = p->in;
			ev->raw_len = p->in_len;
			header_consume(p, p->in_len);
			return 1;
		case HEADER_S_DONE:
			return 0;
		default:
			if (err != NULL)
				*err = p->err;
			return -1;
		}
	}
}

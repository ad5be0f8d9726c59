/* SPDX-License-Identifier: MIT */
/*
 * Writing SMTP replies safely and reading them back. The writer never lets
 * reply text (which may echo client input or map results) break the line
 * structure; the reader accepts what real servers send (a bare "250", an
 * enhanced code on some lines only) and nothing ambiguous.
 */
#include "smtp/smtp_reply.h"

#include <stdarg.h>
#include <string.h>

#include "core/log.h"
#include "msg/utf8.h"

#define SMTP_REPLY_DSN_MAX 11 /* "5.123.123" plus slack */

struct smtp_reply_piece {
	struct smtp_reply_piece *next;
	size_t len;
	char text[];
};

/* Length of one character of text at s: a UTF-8 sequence, or 1. */
static size_t
smtp_reply_char_len(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	n = utf8_seq_len(s, len);
	return n > 0 ? n : 1;
}

static void
smtp_reply_sanitise(struct buf *out, const char *text, size_t len, size_t cap)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		n = smtp_reply_char_len(s + i, len - i);
		if (n > cap)
			break; /* cut at a character boundary */
		cap -= n;
		if (n > 1) {
			buf_append(out, s + i, n);
		} else if (s[i] == '\t' || (s[i] >= 32 && s[i] < 127)) {
			buf_putc(out, (char)s[i]);
		} else {
			/* RFC 5321 textstring: no CR, LF, NUL, 8-bit junk. */
			buf_putc(out, '?');
		}
		i += n;
	}
}

void
smtp_reply_line(struct buf *out, int code, const char *dsn, bool more,
    const char *text, size_t len)
{
	size_t dlen = dsn != NULL ? strlen(dsn) : 0, start = out->len, used;

	if (code < 200 || code > 599 || dlen > SMTP_REPLY_DSN_MAX)
		PANIC("%s: bad reply code %d or status \"%s\"", __func__, code,
		    dsn != NULL ? dsn : "");
	buf_printf(out, "%03d", code);
	if (more)
		buf_putc(out, '-');
	else if (dlen > 0 || len > 0)
		buf_putc(out, ' ');
	if (dlen > 0) {
		buf_append(out, dsn, dlen);
		if (len > 0)
			buf_putc(out, ' ');
	}
	used = out->len - start + 2; /* CRLF */
	smtp_reply_sanitise(out, text, len, SMTP_REPLY_LINE_MAX - used);
	buf_append(out, "\r\n", 2);
}

void
smtp_reply_text(struct buf *out, int code, const char *dsn, const char *text)
{
	const char *nl, *end = text + strlen(text);
	size_t len;

	for (;;) {
		nl = memchr(text, '\n', (size_t)(end - text));
		len = (size_t)((nl != NULL ? nl : end) - text);
		if (len > 0 && text[len - 1] == '\r')
			len--;
		/* A final '\n' does not start one more, empty, line. */
		if (nl == NULL || nl + 1 == end) {
			smtp_reply_line(out, code, dsn, false, text, len);
			return;
		}
		smtp_reply_line(out, code, dsn, true, text, len);
		text = nl + 1;
	}
}

void
smtp_reply_printf(
    struct buf *out, int code, const char *dsn, const char *fmt, ...)
{
	struct buf tmp;
	va_list ap;

	buf_init(&tmp);
	va_start(ap, fmt);
	buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	smtp_reply_text(out, code, dsn, tmp.data);
	buf_deinit(&tmp);
}

void
smtp_reply_err(struct buf *out, int code, const struct err *err, bool enhanced)
{
	smtp_reply_text(out, code,
	    enhanced && err->dsn[0] != '\0' ? err->dsn : NULL, err->text);
}

void
smtp_reply_parser_init(
    struct smtp_reply_parser *p, size_t line_max, size_t lines_max)
{
	memset(p, 0, sizeof(*p));
	p->line_max = line_max;
	p->lines_max = lines_max;
}

static bool
smtp_reply_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of an RFC 3463 status code (class.subject.detail, class the same
 * digit as the reply code's) at the start of s, followed by SP or the end;
 * 0 when there is none.
 */
static size_t
smtp_reply_dsn_len(const char *s, size_t len, char class)
{
	size_t i = 0, part, digits;

	if (len < 5 || s[0] != class || s[1] != '.')
		return 0;
	i = 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; i < len && smtp_reply_digit(s[i]); i++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
		if (part == 0 && (i >= len || s[i++] != '.'))
			return 0;
	}
	return i == len || s[i] == ' ' ? i : 0;
}

static int
smtp_reply_fail(struct err *err, const char *what)
{
	return err_set(
	    err, ERR_TEMP, "4.5.0", "malformed server reply: %s", what);
}

static void
smtp_reply_finish(
    struct smtp_reply_parser *p, struct smtp_reply *out, struct arena *arena)
{
	struct smtp_reply_piece *pc;
	size_t n = 0;

	out->code = p->code;
	memcpy(out->dsn, p->dsn, sizeof(out->dsn));
	out->lines = p->lines;
	out->text = arena_alloc(arena, p->text_len + p->lines);
	for (pc = p->head; pc != NULL; pc = pc->next) {
		if (n > 0)
			out->text[n++] = '\n';
		memcpy(out->text + n, pc->text, pc->len);
		n += pc->len;
	}
	out->text[n] = '\0';
	out->text_len = n;
	smtp_reply_parser_init(p, p->line_max, p->lines_max);
}

int
smtp_reply_parser_line(struct smtp_reply_parser *p, const char *line,
    size_t len, struct smtp_reply *out, struct arena *arena, struct err *err)
{
	struct smtp_reply_piece *pc;
	const char *text;
	size_t tlen, dlen;
	int code;

	if (len > p->line_max)
		return smtp_reply_fail(err, "line too long");
	if (len < 3 || line[0] < '2' || line[0] > '5' ||
	    !smtp_reply_digit(line[1]) || !smtp_reply_digit(line[2]) ||
	    (len > 3 && line[3] != ' ' && line[3] != '-'))
		return smtp_reply_fail(err, "bad reply code");
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (p->lines > 0 && code != p->code)
		return smtp_reply_fail(err, "reply code changed between lines");
	if (p->lines >= p->lines_max)
		return smtp_reply_fail(err, "too many lines");
	text = len > 4 ? line + 4 : line + len;
	tlen = len > 4 ? len - 4 : 0;
	dlen = smtp_reply_dsn_len(text, tlen, line[0]);
	if (p->lines == 0 && dlen > 0 && dlen < sizeof(p->dsn)) {
		memcpy(p->dsn, text, dlen);
		p->dsn[dlen] = '\0';
	}
	/* Later lines repeat the first line's code; drop it there too. */
	if (dlen > 0 && dlen == strlen(p->dsn) &&
	    memcmp(text, p->dsn, dlen) == 0) {
		text += dlen;
		tlen -= dlen;
		if (tlen > 0) {
			text++;
			tlen--;
		}
	}
	pc = arena_alloc(arena, sizeof(*pc) + tlen);
	pc->next = NULL;
	pc->len = tlen;
	memcpy(pc->text, text, tlen);
	if (p->tail != NULL)
		p->tail->next = pc;
	else
		p->head = pc;
	p->tail = pc;
	p->code = code;
	p->lines++;
	p->text_len += tlen;
	if (len > 3 && line[3] == '-')
		return 0;
	smtp_reply_finish(p, out, arena);
	return 1;
}

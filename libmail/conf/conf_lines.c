/* SPDX-License-Identifier: MIT */
/*
 * Splitting main.cf and master.cf text into logical lines. As in
 * Postfix, comment and blank lines between a line and its continuation
 * lines are skipped without ending the logical line, and a '#' that is
 * not the first non-blank character of a line is ordinary text.
 */
#include "conf/conf_lines.h"

#include <string.h>

enum conf_lines_kind {
	CONF_LINES_SKIP, /* blank or comment */
	CONF_LINES_CONT, /* starts with white space */
	CONF_LINES_START, /* starts a logical line */
};

/* One physical line: text[start, start + len), line break excluded. */
struct conf_lines_phys {
	size_t start;
	size_t len;
	size_t next;
};

void
conf_lines_init(struct conf_lines *lx, const char *text, size_t len,
    const char *filename, size_t max)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->lineno = 1;
	lx->max = max;
	lx->filename = filename;
	buf_init(&lx->joined);
}

void
conf_lines_deinit(struct conf_lines *lx)
{
	buf_deinit(&lx->joined);
}

bool
conf_lines_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!conf_lines_name_char(s[i]))
			return false;
	return true;
}

/*
 * A NUL would silently cut a value short and a lone CR is how a file
 * edited on an old Mac looks: both are refused rather than guessed at.
 */
static int
conf_lines_scan(const struct conf_lines *lx, size_t pos, int line,
    struct conf_lines_phys *p, struct err *err)
{
	const char *s = lx->text;
	size_t i;

	for (i = pos; i < lx->len && s[i] != '\n'; i++) {
		if (s[i] == '\0')
			return err_set(err, ERR_PERM, "5.3.5",
			    "%s:%d: NUL byte in text", lx->filename, line);
		if (s[i] == '\r' && (i + 1 >= lx->len || s[i + 1] != '\n'))
			return err_set(err, ERR_PERM, "5.3.5",
			    "%s:%d: carriage return without line feed",
			    lx->filename, line);
	}
	p->start = pos;
	p->len = i - pos;
	if (p->len > 0 && s[i - 1] == '\r')
		p->len--;
	p->next = i < lx->len ? i + 1 : i;
	return 0;
}

static enum conf_lines_kind
conf_lines_kind(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && conf_lines_blank(s[i]))
		i++;
	if (i == len || s[i] == '#')
		return CONF_LINES_SKIP;
	return i > 0 ? CONF_LINES_CONT : CONF_LINES_START;
}

/* Append the trimmed text of p, after a space unless it is the first. */
static int
conf_lines_join(struct conf_lines *lx, const struct conf_lines_phys *p,
    int first_line, struct err *err)
{
	const char *s = lx->text + p->start;
	size_t a = 0, b = p->len;

	while (a < b && conf_lines_blank(s[a]))
		a++;
	while (b > a && conf_lines_blank(s[b - 1]))
		b--;
	if (lx->joined.len + 1 + (b - a) > lx->max)
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s:%d: logical line longer than %zu bytes", lx->filename,
		    first_line, lx->max);
	if (lx->joined.len > 0)
		buf_putc(&lx->joined, ' ');
	buf_append(&lx->joined, s + a, b - a);
	return 0;
}

/* Skip blank and comment lines; leaves lx->pos at a logical line. */
static int
conf_lines_skip(
    struct conf_lines *lx, struct conf_lines_phys *p, struct err *err)
{
	enum conf_lines_kind kind;

	while (lx->pos < lx->len) {
		if (conf_lines_scan(lx, lx->pos, lx->lineno, p, err) < 0)
			return -1;
		kind = conf_lines_kind(lx->text + p->start, p->len);
		if (kind == CONF_LINES_START)
			return 1;
		if (kind == CONF_LINES_CONT)
			return err_set(err, ERR_PERM, "5.3.5",
			    "%s:%d: continuation line with no line before it",
			    lx->filename, lx->lineno);
		lx->pos = p->next;
		lx->lineno++;
	}
	return 0;
}

int
conf_lines_next(struct conf_lines *lx, struct conf_line *out, struct err *err)
{
	struct conf_lines_phys p;
	enum conf_lines_kind kind;
	size_t pos;
	int rc, line;

	if ((rc = conf_lines_skip(lx, &p, err)) <= 0)
		return rc;
	buf_reset(&lx->joined);
	out->line = lx->lineno;
	out->start = p.start;
	if (conf_lines_join(lx, &p, out->line, err) < 0)
		return -1;
	out->end = pos = p.next;
	line = lx->lineno + 1;
	lx->pos = pos;
	lx->lineno = line;
	/* Look past comments for continuation lines; stop at a new line. */
	while (pos < lx->len) {
		if (conf_lines_scan(lx, pos, line, &p, err) < 0)
			return -1;
		kind = conf_lines_kind(lx->text + p.start, p.len);
		if (kind == CONF_LINES_START)
			break;
		if (kind == CONF_LINES_CONT) {
			if (conf_lines_join(lx, &p, out->line, err) < 0)
				return -1;
			out->end = p.next;
			lx->pos = p.next;
			lx->lineno = line + 1;
		}
		pos = p.next;
		line++;
	}
	out->text = lx->joined.data;
	out->len = lx->joined.len;
	return 1;
}

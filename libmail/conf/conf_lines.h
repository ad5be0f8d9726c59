/* SPDX-License-Identifier: MIT */
/*
 * The line layout main.cf and master.cf share: '#' comment lines and
 * blank lines are ignored, a line that starts with white space continues
 * the logical line before it. Used by the main.cf reader, the master.cf
 * parser and the editors; private to libmail/conf. Input is untrusted
 * file text; this code is pure (no I/O, no globals).
 */
#ifndef CONF_CONF_LINES_H
#define CONF_CONF_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct conf_lines {
	const char *text;
	size_t len;
	size_t pos; /* first byte not yet consumed */
	int lineno; /* line number at pos */
	size_t max; /* longest logical line accepted */
	const char *filename; /* for messages */
	struct buf joined;
};

struct conf_line {
	const char *text; /* joined, trimmed; borrowed until next call */
	size_t len;
	int line; /* first physical line */
	size_t start; /* input offset of the first line */
	size_t end; /* just past the last line that belongs to it */
};

/* Borrow text (len bytes) and filename until conf_lines_deinit(). */
void conf_lines_init(struct conf_lines *lx, const char *text, size_t len,
    const char *filename, size_t max);
void conf_lines_deinit(struct conf_lines *lx);
/*
 * The next logical line: continuation lines are joined with one space,
 * white space around each piece removed. Returns 1 with *out filled, 0
 * at the end, -1 with err ("file:line: ...") on a NUL byte, a CR not
 * followed by LF, a logical line longer than max, or a continuation line
 * with nothing to continue.
 */
int conf_lines_next(
    struct conf_lines *lx, struct conf_line *out, struct err *err);

static inline bool
conf_lines_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Characters of a parameter name: letters, digits and '_'. */
static inline bool
conf_lines_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* True if s[0..len) is a non-empty parameter name. */
bool conf_lines_name_ok(const char *s, size_t len);

#endif

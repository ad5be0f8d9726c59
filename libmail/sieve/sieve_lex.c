/* SPDX-License-Identifier: MIT */
/*
 * The Sieve lexer (RFC 5228 §2, §8.1): identifiers, tags, numbers with
 * K/M/G, quoted and multi-line strings, comments and punctuation, each
 * token with its line and column. Strings are decoded into the arena
 * (escapes, dot-stuffing). Input is an untrusted script.
 */
#include "sieve/sieve_impl.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

void
sieve_lex_init(struct sieve_lexer *lx, const char *text, size_t len,
    struct arena *arena)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->line_start = text;
	lx->arena = arena;
}

void
sieve_error_script(struct sieve_error *error, const char *script)
{
	size_t n = strlen(script);

	if (n >= sizeof(error->script))
		n = sizeof(error->script) - 1;
	memcpy(error->script, script, n);
	error->script[n] = '\0';
}

int
sieve_error_vat(struct sieve_error *error, const char *script,
    unsigned line, unsigned column, const char *fmt, va_list ap)
{
	char msg[400];

	if (error == NULL)
		return -1;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); /* cut long reasons */
	error->line = line;
	error->column = column;
	sieve_error_script(error, script ? script : "");
	if (line > 0)
		return err_set(&error->err, ERR_PERM, "5.7.1", "%u:%u: %s",
		    line, column, msg);
	return err_set(&error->err, ERR_PERM, "5.7.1", "%s", msg);
}

int
sieve_error_at(struct sieve_error *error, const char *script, unsigned line,
    unsigned column, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sieve_error_vat(error, script, line, column, fmt, ap);
	va_end(ap);
	return rc;
}

static unsigned
sieve_lex_column(const struct sieve_lexer *lx, const char *at)
{
	return (unsigned)(at - lx->line_start) + 1;
}

static int
sieve_lex_fail(struct sieve_lexer *lx, const char *at,
    struct sieve_error *error, const char *what)
{
	return sieve_error_at(error, NULL, lx->line, sieve_lex_column(lx, at),
	    "%s", what);
}

static void
sieve_lex_newline(struct sieve_lexer *lx, const char *after)
{
	lx->line++;
	lx->line_start = after;
}

/* Skip white space and comments; -1 for an unterminated comment. */
static int
sieve_lex_skip(struct sieve_lexer *lx, struct sieve_error *error)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\n') {
			lx->p++;
			sieve_lex_newline(lx, lx->p);
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->end - lx->p > 1 && lx->p[1] == '*') {
			const char *start = lx->p;
			unsigned line = lx->line;
			const char *ls = lx->line_start;

			for (lx->p += 2; lx->p < lx->end; lx->p++) {
				if (*lx->p == '\n')
					sieve_lex_newline(lx, lx->p + 1);
				if (*lx->p == '*' && lx->end - lx->p > 1 &&
				    lx->p[1] == '/')
					break;
			}
			if (lx->p >= lx->end) {
				lx->line = line;
				lx->line_start = ls;
				return sieve_lex_fail(lx, start, error,
				    "unterminated comment");
			}
			lx->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

static bool
sieve_lex_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
sieve_lex_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
sieve_lex_number(struct sieve_lexer *lx, struct sieve_error *error)
{
	const char *start = lx->p;
	uint64_t v = 0, mul = 1;

	for (; lx->p < lx->end && sieve_lex_digit(*lx->p); lx->p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return sieve_lex_fail(lx, start, error,
			    "number too large");
		v = v * 10 + (uint64_t)(*lx->p - '0');
	}
	if (lx->p < lx->end) {
		switch (*lx->p) {
		case 'K': case 'k': mul = 1024; break;
		case 'M': case 'm': mul = 1024 * 1024; break;
		case 'G': case 'g': mul = 1024 * 1024 * 1024; break;
		default: break;
		}
		if (mul > 1)
			lx->p++;
	}
	if (v > UINT64_MAX / mul)
		return sieve_lex_fail(lx, start, error, "number too large");
	if (lx->p < lx->end && (sieve_lex_alpha(*lx->p) ||
	    sieve_lex_digit(*lx->p)))
		return sieve_lex_fail(lx, start, error, "malformed number");
	lx->tok = SIEVE_TOK_NUMBER;
	lx->number = v * mul;
	return 0;
}

/* RFC 5228 §2.4.2: \x is x for any x; a quoted string may span lines. */
static int
sieve_lex_quoted(struct sieve_lexer *lx, struct sieve_error *error)
{
	const char *start = lx->p;
	unsigned line = lx->line;
	const char *ls = lx->line_start;
	struct buf b;

	buf_init(&b);
	for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
		if (*lx->p == '\\' && lx->end - lx->p > 1)
			lx->p++;
		if (*lx->p == '\n')
			sieve_lex_newline(lx, lx->p + 1);
		buf_putc(&b, *lx->p);
	}
	if (lx->p >= lx->end) {
		buf_deinit(&b);
		lx->line = line;
		lx->line_start = ls;
		return sieve_lex_fail(lx, start, error,
		    "unterminated quoted string");
	}
	lx->p++;
	lx->tok = SIEVE_TOK_STRING;
	lx->text = arena_strndup(lx->arena, b.data, b.len);
	lx->len = b.len;
	buf_deinit(&b);
	return 0;
}

/*
 * RFC 5228 §2.4.2 multi-line: "text:", blanks or a comment, a line end;
 * then lines up to a lone "."; a leading ".." loses one dot.
 */
static int
sieve_lex_multiline(struct sieve_lexer *lx, struct sieve_error *error)
{
	const char *start = lx->p;
	unsigned line = lx->line;
	const char *ls = lx->line_start;
	struct buf b;

	lx->p += 5;
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		lx->p++;
	if (lx->p < lx->end && *lx->p == '#')
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	if (lx->p < lx->end && *lx->p == '\r')
		lx->p++;
	if (lx->p >= lx->end || *lx->p != '\n')
		return sieve_lex_fail(lx, lx->p, error,
		    "expected a line end after text:");
	lx->p++;
	sieve_lex_newline(lx, lx->p);
	buf_init(&b);
	for (;;) {
		const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		const char *content_end;

		if (eol == NULL) {
			buf_deinit(&b);
			lx->line = line;
			lx->line_start = ls;
			return sieve_lex_fail(lx, start, error,
			    "unterminated multi-line string");
		}
		content_end = eol > lx->p && eol[-1] == '\r' ? eol - 1 : eol;
		if (content_end - lx->p == 1 && *lx->p == '.') {
			lx->p = eol + 1;
			sieve_lex_newline(lx, lx->p);
			break;
		}
		if (*lx->p == '.' && lx->p + 1 < eol && lx->p[1] == '.')
			lx->p++;
		buf_append(&b, lx->p, (size_t)(eol + 1 - lx->p));
		lx->p = eol + 1;
		sieve_lex_newline(lx, lx->p);
	}
	lx->tok = SIEVE_TOK_STRING;
	lx->text = arena_strndup(lx->arena, b.data, b.len);
	lx->len = b.len;
	buf_deinit(&b);
	return 0;
}

static int
sieve_lex_word(struct sieve_lexer *lx, enum sieve_tok tok,
    struct sieve_error *error)
{
	const char *start;

	if (tok == SIEVE_TOK_TAG)
		lx->p++;
	start = lx->p;
	if (lx->p >= lx->end || !sieve_lex_alpha(*lx->p))
		return sieve_lex_fail(lx, lx->p, error,
		    "expected an identifier");
	while (lx->p < lx->end && (sieve_lex_alpha(*lx->p) ||
	    sieve_lex_digit(*lx->p)))
		lx->p++;
	lx->tok = tok;
	lx->len = (size_t)(lx->p - start);
	lx->text = arena_strndup(lx->arena, start, lx->len);
	return 0;
}

static enum sieve_tok
sieve_lex_punct(char c)
{
	switch (c) {
	case '[': return SIEVE_TOK_LBRACKET;
	case ']': return SIEVE_TOK_RBRACKET;
	case '(': return SIEVE_TOK_LPAREN;
	case ')': return SIEVE_TOK_RPAREN;
	case ',': return SIEVE_TOK_COMMA;
	case ';': return SIEVE_TOK_SEMI;
	case '{': return SIEVE_TOK_LBRACE;
	case '}': return SIEVE_TOK_RBRACE;
	default: return SIEVE_TOK_EOF;
	}
}

int
sieve_lex_next(struct sieve_lexer *lx, struct sieve_error *error)
{
	enum sieve_tok t;
	char c;

	if (sieve_lex_skip(lx, error) < 0)
		return -1;
	lx->tok_line = lx->line;
	lx->tok_column = sieve_lex_column(lx, lx->p);
	if (lx->p >= lx->end) {
		lx->tok = SIEVE_TOK_EOF;
		return 0;
	}
	c = *lx->p;
	if (c == '"')
		return sieve_lex_quoted(lx, error);
	if (c == ':')
		return sieve_lex_word(lx, SIEVE_TOK_TAG, error);
	if (sieve_lex_digit(c))
		return sieve_lex_number(lx, error);
	if (lx->end - lx->p >= 5 && memcmp(lx->p, "text:", 5) == 0)
		return sieve_lex_multiline(lx, error);
	if (sieve_lex_alpha(c))
		return sieve_lex_word(lx, SIEVE_TOK_IDENT, error);
	t = sieve_lex_punct(c);
	if (t == SIEVE_TOK_EOF) {
		if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
			return sieve_lex_fail(lx, lx->p, error,
			    "unexpected character");
		return sieve_error_at(error, NULL, lx->line,
		    sieve_lex_column(lx, lx->p), "unexpected character '%c'",
		    c);
	}
	lx->p++;
	lx->tok = t;
	return 0;
}

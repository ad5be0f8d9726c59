/* SPDX-License-Identifier: MIT */
/*
 * Tokeniser for one complete IMAP command (RFC 3501 §9, RFC 9051 §9):
 * tag, command name, atoms, quoted strings, literals and nested lists.
 * The reader (imap_parse.c) has already framed the command and checked
 * its size; this file checks the syntax. Input is raw client data.
 */
#include "imap/imap_impl.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct imap_lex {
	const char *p;
	const char *end;
	const struct imap_parse_limits *lim;
	size_t nargs;
	struct arena *a;
	struct err *err;
};

bool
imap_lex_is_tag_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){%*\"\\+", c) == NULL;
}

int
imap_syntax_error(struct err *err, const char *what)
{
	return err_set(err, ERR_PERM, "", "syntax error: %s", what);
}

void *
imap_array_push(struct arena *a, void *arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t ncap = *cap == 0 ? 8 : *cap * 2;
		void *bigger = arena_alloc(a, ncap * sz);

		if (*n > 0)
			memcpy(bigger, arr, *n * sz);
		arr = bigger;
		*cap = ncap;
	}
	memset((char *)arr + *n * sz, 0, sz);
	(*n)++;
	return arr;
}

static bool
imap_lex_at_eol(const struct imap_lex *x)
{
	return x->p < x->end &&
	    (*x->p == '\n' ||
	        (*x->p == '\r' && x->p + 1 < x->end && x->p[1] == '\n'));
}

static int
imap_lex_quoted(struct imap_lex *x, struct imap_arg *arg)
{
	const char *s = ++x->p;
	char *out;
	size_t n = 0;

	/* The reader bounds the line, so the copy is bounded too. */
	while (s < x->end && *s != '"' && *s != '\n')
		s += (*s == '\\' && s + 1 < x->end) ? 2 : 1;
	if (s >= x->end || *s != '"')
		return imap_syntax_error(x->err, "unterminated quoted string");
	out = arena_alloc(x->a, (size_t)(s - x->p) + 1);
	for (; x->p < s; x->p++) {
		unsigned char c = (unsigned char)*x->p;

		if (c == '\\') {
			c = (unsigned char)*++x->p;
			if (c != '"' && c != '\\')
				return imap_syntax_error(
				    x->err, "bad escape in quoted string");
		}
		if (c == '\0' || c == '\r')
			return imap_syntax_error(
			    x->err, "control character in quoted string");
		out[n++] = (char)c;
	}
	out[n] = '\0';
	x->p++;
	arg->type = IMAP_ARG_QUOTED;
	arg->str = out;
	arg->len = n;
	return 0;
}

/* {n} / {n+} / ~{n}, then CRLF, then n octets and the reader's NUL. */
static int
imap_lex_literal(struct imap_lex *x, struct imap_arg *arg)
{
	uint64_t n = 0;
	size_t digits = 0;

	if (*x->p == '~') {
		arg->literal8 = true;
		x->p++;
	}
	x->p++; /* '{' */
	while (x->p < x->end && isdigit((unsigned char)*x->p) && digits < 19) {
		n = n * 10 + (uint64_t)(*x->p++ - '0');
		digits++;
	}
	if (digits == 0)
		return imap_syntax_error(x->err, "bad literal");
	if (x->p < x->end && *x->p == '+')
		x->p++;
	if (x->p >= x->end || *x->p++ != '}' || !imap_lex_at_eol(x))
		return imap_syntax_error(x->err, "bad literal");
	x->p += *x->p == '\r' ? 2 : 1;
	if ((uint64_t)(x->end - x->p) < n + 1)
		return imap_syntax_error(x->err, "truncated literal");
	arg->type = IMAP_ARG_LITERAL;
	arg->str = x->p;
	arg->len = (size_t)n;
	x->p += n + 1;
	return 0;
}

/*
 * An atom, extended as every IMAP server does to carry list wildcards,
 * flags ("\Seen"), sequence sets ("*") and FETCH sections, whose
 * brackets may hold spaces and parentheses: "BODY[HEADER.FIELDS (A B)]".
 */
static int
imap_lex_atom(struct imap_lex *x, struct imap_arg *arg)
{
	const char *s = x->p;
	char *out;

	while (x->p < x->end) {
		unsigned char c = (unsigned char)*x->p;

		if (c == '[') {
			const char *close =
			    memchr(x->p, ']', (size_t)(x->end - x->p));
			const char *lf =
			    memchr(x->p, '\n', (size_t)(x->end - x->p));

			if (close == NULL || (lf != NULL && lf < close))
				return imap_syntax_error(x->err, "missing ']'");
			x->p = close + 1;
			continue;
		}
		if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' ||
		    c == '"' || c == '{')
			break;
		x->p++;
	}
	if (x->p == s)
		return imap_syntax_error(x->err, "unexpected character");
	out = arena_strndup(x->a, s, (size_t)(x->p - s));
	arg->len = (size_t)(x->p - s);
	arg->str = out;
	arg->type = arg->len == 3 && strcasecmp(out, "NIL") == 0
	    ? IMAP_ARG_NIL
	    : IMAP_ARG_ATOM;
	return 0;
}

static int imap_lex_list(struct imap_lex *x, size_t depth, char close,
    struct imap_arg **list_out, size_t *count_out);

static int
imap_lex_arg(struct imap_lex *x, size_t depth, struct imap_arg *arg)
{
	if (++x->nargs > x->lim->args_max)
		return err_set(x->err, ERR_PERM, "LIMIT", "too many arguments");
	switch (*x->p) {
	case '(':
		if (depth >= x->lim->depth_max)
			return err_set(
			    x->err, ERR_PERM, "LIMIT", "lists nested too deep");
		x->p++;
		arg->type = IMAP_ARG_LIST;
		return imap_lex_list(
		    x, depth + 1, ')', &arg->list, &arg->count);
	case '"':
		return imap_lex_quoted(x, arg);
	case '{':
		return imap_lex_literal(x, arg);
	case '~':
		if (x->p + 1 < x->end && x->p[1] == '{')
			return imap_lex_literal(x, arg);
		return imap_lex_atom(x, arg);
	default:
		return imap_lex_atom(x, arg);
	}
}

/*
 * Elements separated by single spaces (runs are tolerated) up to close
 * (')' for a list, '\n' for the command's end).
 */
static int
imap_lex_list(struct imap_lex *x, size_t depth, char close,
    struct imap_arg **list_out, size_t *count_out)
{
	struct imap_arg *list = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		while (x->p < x->end && *x->p == ' ')
			x->p++;
		if (x->p >= x->end)
			return imap_syntax_error(x->err, "unexpected end");
		if (close == ')' && *x->p == ')') {
			x->p++;
			break;
		}
		if (imap_lex_at_eol(x)) {
			if (close == ')')
				return imap_syntax_error(x->err, "missing ')'");
			break;
		}
		if (*x->p == ')')
			return imap_syntax_error(x->err, "unexpected ')'");
		list = imap_array_push(x->a, list, &n, &cap, sizeof(*list));
		if (imap_lex_arg(x, depth, &list[n - 1]) != 0)
			return -1;
		if (x->p < x->end && *x->p != ' ' && *x->p != ')' &&
		    !imap_lex_at_eol(x))
			return imap_syntax_error(x->err, "missing space");
	}
	*list_out = list;
	*count_out = n;
	return 0;
}

static const char *
imap_lex_word(struct imap_lex *x, bool tag)
{
	const char *s = x->p;
	char *out;
	size_t i, n;

	while (x->p < x->end &&
	    (tag ? imap_lex_is_tag_char(*x->p)
	         : isalnum((unsigned char)*x->p) || *x->p == '-' ||
	                *x->p == '_'))
		x->p++;
	n = (size_t)(x->p - s);
	if (n == 0)
		return NULL;
	out = arena_strndup(x->a, s, n);
	if (!tag)
		for (i = 0; i < n; i++)
			out[i] = (char)toupper((unsigned char)out[i]);
	return out;
}

int
imap_lex_command(const char *buf, size_t len,
    const struct imap_parse_limits *lim, struct imap_cmd *out,
    const char **tag_out, struct arena *a, struct err *err)
{
	struct imap_lex x = {
	    .p = buf, .end = buf + len, .lim = lim, .a = a, .err = err};

	memset(out, 0, sizeof(*out));
	*tag_out = NULL;
	out->tag = imap_lex_word(&x, true);
	if (out->tag == NULL || x.p >= x.end || *x.p != ' ')
		return imap_syntax_error(err, "missing or bad tag");
	*tag_out = out->tag;
	x.p++;
	out->name = imap_lex_word(&x, false);
	if (out->name == NULL)
		return imap_syntax_error(err, "missing command");
	if (x.p < x.end && *x.p != ' ' && !imap_lex_at_eol(&x))
		return imap_syntax_error(err, "bad command name");
	if (imap_lex_list(&x, 0, '\n', &out->args, &out->count) != 0)
		return -1;
	x.p += *x.p == '\r' ? 2 : 1;
	if (x.p != x.end)
		return imap_syntax_error(err, "junk after the command");
	return 0;
}

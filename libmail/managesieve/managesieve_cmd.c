/* SPDX-License-Identifier: MIT */
/*
 * The ManageSieve command parser (managesieve/managesieve_cmd.h), used
 * by sieved and its fuzz target. Input is raw network data: nothing is
 * trusted, every length is checked against the limits before use.
 */
#include "managesieve/managesieve_cmd.h"

#include <stdint.h>
#include <string.h>

/* One parse over in[0..len). */
struct managesieve_scan {
	const char *in;
	size_t len;
	size_t pos;
	size_t lit_total; /* literal octets so far (not counted as line) */
	const struct managesieve_limits *lim;
	struct arena *arena;
	struct err *err;
	size_t skip; /* for errors whose skip is not "to the line end" */
	bool fixed_skip;
};

/* Results of the token readers. */
#define MS_MORE 0
#define MS_OK 1
#define MS_ERR (-1)

static int
managesieve_fail(struct managesieve_scan *s, const char *what)
{
	err_set(s->err, ERR_PERM, "", "%s", what);
	return MS_ERR;
}

/* RFC 5804 §4 ATOM-CHAR: printable ASCII but SP " ( ) \ { }. */
static bool
managesieve_atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '(' && c != ')' &&
	    c != '\\' && c != '{' && c != '}';
}

static int
managesieve_atom(struct managesieve_scan *s, struct managesieve_arg *arg)
{
	size_t start = s->pos;
	bool digits = true;
	uint64_t n = 0;

	while (s->pos < s->len &&
	    managesieve_atom_char((unsigned char)s->in[s->pos])) {
		char c = s->in[s->pos++];

		if (c < '0' || c > '9')
			digits = false;
		else if (digits &&
		    (n = n * 10 + (uint64_t)(c - '0')) > UINT32_MAX)
			digits = false;
	}
	if (s->pos == s->len)
		return MS_MORE;
	if (s->pos == start)
		return managesieve_fail(s, "syntax error in argument");
	arg->len = s->pos - start;
	arg->data = arena_strndup(s->arena, s->in + start, arg->len);
	arg->type = digits ? MANAGESIEVE_ARG_NUMBER : MANAGESIEVE_ARG_ATOM;
	arg->number = digits ? (uint32_t)n : 0;
	return MS_OK;
}

static int
managesieve_quoted(struct managesieve_scan *s, struct managesieve_arg *arg)
{
	/* The text is no longer than what is buffered, nor the limit. */
	size_t cap = s->len - s->pos < s->lim->quoted_max ? s->len - s->pos
	                                                  : s->lim->quoted_max;
	char *out = arena_alloc(s->arena, cap + 1);
	size_t n = 0;
	unsigned char c;

	for (s->pos++; s->pos < s->len; s->pos++) {
		c = (unsigned char)s->in[s->pos];
		if (c == '"') {
			s->pos++;
			out[n] = '\0';
			arg->type = MANAGESIEVE_ARG_STRING;
			arg->data = out;
			arg->len = n;
			return MS_OK;
		}
		if (c == '\r' || c == '\n' || c == '\0')
			return managesieve_fail(s,
			    "bad character in quoted "
			    "string");
		if (c == '\\') {
			if (s->pos + 1 == s->len)
				return MS_MORE;
			c = (unsigned char)s->in[++s->pos];
			if (c != '"' && c != '\\')
				return managesieve_fail(
				    s, "bad escape in quoted string");
		}
		if (n == s->lim->quoted_max)
			return managesieve_fail(s, "quoted string too long");
		out[n++] = (char)c;
	}
	return MS_MORE;
}

/* After "{n}" or "{n+}": the line end, then n octets. */
static int
managesieve_literal(struct managesieve_scan *s, struct managesieve_arg *arg)
{
	uint64_t n = 0;
	size_t digits = 0;

	for (s->pos++;
	     s->pos < s->len && s->in[s->pos] >= '0' && s->in[s->pos] <= '9';
	     s->pos++) {
		/* Past 10 digits no skip can be trusted: end the session. */
		if (++digits > 10) {
			s->skip = SIZE_MAX;
			s->fixed_skip = true;
			return managesieve_fail(s, "bad literal length");
		}
		n = n * 10 + (uint64_t)(s->in[s->pos] - '0');
	}
	if (s->pos == s->len)
		return MS_MORE;
	if (digits == 0)
		return managesieve_fail(s, "bad literal length");
	if (s->in[s->pos] == '+' && ++s->pos == s->len)
		return MS_MORE;
	if (s->in[s->pos] != '}')
		return managesieve_fail(s, "bad literal length");
	if (++s->pos == s->len)
		return MS_MORE;
	if (s->in[s->pos] == '\r' && ++s->pos == s->len)
		return MS_MORE;
	if (s->in[s->pos] != '\n')
		return managesieve_fail(s, "literal length not at line end");
	s->pos++;
	if (n > s->lim->literal_max) {
		/* Skip it whole, so its content is never read as commands. */
		s->skip = s->pos + (size_t)n;
		s->fixed_skip = true;
		return managesieve_fail(s, "literal too large");
	}
	if (s->len - s->pos < n)
		return MS_MORE;
	arg->type = MANAGESIEVE_ARG_STRING;
	arg->literal = true;
	arg->len = (size_t)n;
	arg->data = arena_strndup(s->arena, s->in + s->pos, arg->len);
	s->pos += arg->len;
	s->lit_total += arg->len;
	return MS_OK;
}

static int
managesieve_arg(struct managesieve_scan *s, struct managesieve_arg *arg)
{
	memset(arg, 0, sizeof(*arg));
	switch (s->in[s->pos]) {
	case '"':
		return managesieve_quoted(s, arg);
	case '{':
		return managesieve_literal(s, arg);
	default:
		return managesieve_atom(s, arg);
	}
}

/* The line end: 1 found (consumed), 0 need more, -1 something else. */
static int
managesieve_eol(struct managesieve_scan *s)
{
	if (s->in[s->pos] == '\n') {
		s->pos++;
		return MS_OK;
	}
	if (s->in[s->pos] != '\r')
		return MS_ERR;
	if (s->pos + 1 == s->len)
		return MS_MORE;
	if (s->in[s->pos + 1] != '\n')
		return managesieve_fail(s, "CR without LF");
	s->pos += 2;
	return MS_OK;
}

/* The verb and arguments; MS_OK, MS_MORE or MS_ERR. */
static int
managesieve_line(
    struct managesieve_scan *s, bool with_name, struct managesieve_cmd *out)
{
	struct managesieve_arg name;
	size_t i;
	int rc;

	out->args =
	    arena_zalloc(s->arena, (s->lim->args_max + 1) * sizeof(*out->args));
	if (with_name) {
		if ((rc = managesieve_atom(s, &name)) != MS_OK)
			return rc;
		for (i = 0; i < name.len; i++)
			if (name.data[i] >= 'a' && name.data[i] <= 'z')
				((char *)name.data)[i] -= 'a' - 'A';
		out->name = name.data;
	}
	for (;;) {
		if (s->pos == s->len)
			return MS_MORE;
		if ((rc = managesieve_eol(s)) != MS_ERR)
			return rc;
		if (s->err->text[0] != '\0')
			return MS_ERR;
		if (with_name || out->nargs > 0) {
			if (s->in[s->pos] != ' ')
				return managesieve_fail(s, "syntax error");
			s->pos++;
			if (s->pos == s->len)
				return MS_MORE;
		}
		if (out->nargs == s->lim->args_max)
			return managesieve_fail(s, "too many arguments");
		if ((rc = managesieve_arg(s, &out->args[out->nargs])) != MS_OK)
			return rc;
		out->nargs++;
	}
}

int
managesieve_cmd_parse(const char *in, size_t len, bool with_name,
    const struct managesieve_limits *lim, struct managesieve_cmd *out,
    struct arena *arena, size_t *skip_out, bool *eol_out, struct err *err)
{
	struct managesieve_scan s = {
	    .in = in, .len = len, .lim = lim, .arena = arena, .err = err};
	const char *nl;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(err);
	*skip_out = 0;
	*eol_out = false;
	rc = len == 0 ? MS_MORE : managesieve_line(&s, with_name, out);
	if (rc != MS_ERR && s.pos - s.lit_total > lim->line_max) {
		err_set(err, ERR_PERM, "", "line too long");
		rc = MS_ERR;
	}
	if (rc == MS_OK) {
		out->consumed = s.pos;
		return 1;
	}
	if (rc == MS_MORE)
		return 0;
	if (err->text[0] == '\0')
		err_set(err, ERR_PERM, "", "syntax error");
	if (s.fixed_skip) {
		*skip_out = s.skip;
		*eol_out = true;
		return -1;
	}
	/* The rest of the bad line, as far as it is buffered. */
	nl = memchr(in + s.pos, '\n', len - s.pos);
	*skip_out = nl != NULL ? (size_t)(nl - in) + 1 : len;
	*eol_out = nl == NULL;
	return -1;
}

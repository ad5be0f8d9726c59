/* SPDX-License-Identifier: MIT */
/*
 * The Sieve grammar (RFC 5228 §8.2) by recursive descent, and
 * sieve_compile(): each command and test is checked (sieve_check.c) as
 * soon as it is parsed, so the tree that comes out is the program.
 * Input is an untrusted script; nesting and list sizes are bounded.
 */
#include "sieve/sieve.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "sieve/sieve_impl.h"

struct sieve_parser {
	struct sieve_lexer lx;
	struct sieve_check check;
	size_t depth;
};

static int sieve_parse_commands(struct sieve_parser *ps,
    struct sieve_node **first_out, bool in_block);
static int sieve_parse_test(struct sieve_parser *ps,
    struct sieve_node **out);

static int
sieve_parse_fail(struct sieve_parser *ps, const char *what)
{
	return sieve_error_at(ps->check.error, NULL, ps->lx.tok_line,
	    ps->lx.tok_column, "%s", what);
}

static int
sieve_parse_advance(struct sieve_parser *ps)
{
	return sieve_lex_next(&ps->lx, ps->check.error);
}

static int
sieve_parse_enter(struct sieve_parser *ps)
{
	if (++ps->depth > ps->check.lim->nesting_max)
		return sieve_parse_fail(ps, "nesting too deep");
	return 0;
}

static int
sieve_parse_string(struct sieve_parser *ps, struct sieve_str *s)
{
	s->s = ps->lx.text;
	s->len = ps->lx.len;
	if ((ps->check.script->exts & (1u << SIEVE_EXT_ENCODED)) &&
	    sieve_encoded_decode(s, ps->check.script->arena) < 0)
		return sieve_parse_fail(ps,
		    "encoded-character: code point out of range");
	s->vars = (ps->check.script->exts & (1u << SIEVE_EXT_VARIABLES)) &&
	    memmem(s->s, s->len, "${", 2) != NULL;
	return 0;
}

/* string-list = "[" string *("," string) "]" / string */
static int
sieve_parse_strings(struct sieve_parser *ps, struct sieve_arg *a)
{
	struct arena *arena = ps->check.script->arena;
	struct sieve_str *v = NULL;
	size_t n = 0, cap = 0;

	a->kind = SIEVE_ARG_STRINGS;
	a->list = ps->lx.tok == SIEVE_TOK_LBRACKET;
	if (a->list && sieve_parse_advance(ps) < 0)
		return -1;
	for (;;) {
		if (ps->lx.tok != SIEVE_TOK_STRING)
			return sieve_parse_fail(ps, "expected a string");
		if (n == cap) {
			struct sieve_str *nv;

			if (n >= ps->check.lim->strings_max)
				return sieve_parse_fail(ps,
				    "too many strings in a list");
			cap = cap ? cap * 2 : 4;
			nv = arena_alloc(arena, cap * sizeof(*nv));
			if (n > 0)
				memcpy(nv, v, n * sizeof(*nv));
			v = nv;
		}
		if (sieve_parse_string(ps, &v[n++]) < 0)
			return -1;
		if (sieve_parse_advance(ps) < 0)
			return -1;
		if (!a->list || ps->lx.tok == SIEVE_TOK_RBRACKET)
			break;
		if (ps->lx.tok != SIEVE_TOK_COMMA)
			return sieve_parse_fail(ps, "expected ',' or ']'");
		if (sieve_parse_advance(ps) < 0)
			return -1;
	}
	if (a->list && sieve_parse_advance(ps) < 0)
		return -1;
	a->strs = v;
	a->count = n;
	return 0;
}

static int
sieve_parse_arg(struct sieve_parser *ps, struct sieve_arg *a)
{
	memset(a, 0, sizeof(*a));
	a->line = ps->lx.tok_line;
	a->column = ps->lx.tok_column;
	switch (ps->lx.tok) {
	case SIEVE_TOK_NUMBER:
		a->kind = SIEVE_ARG_NUMBER;
		a->number = ps->lx.number;
		return sieve_parse_advance(ps);
	case SIEVE_TOK_TAG:
		a->kind = SIEVE_ARG_TAG;
		a->tag = ps->lx.text;
		return sieve_parse_advance(ps);
	default:
		return sieve_parse_strings(ps, a);
	}
}

static bool
sieve_parse_is_arg(const struct sieve_parser *ps)
{
	return ps->lx.tok == SIEVE_TOK_NUMBER || ps->lx.tok == SIEVE_TOK_TAG ||
	    ps->lx.tok == SIEVE_TOK_STRING || ps->lx.tok == SIEVE_TOK_LBRACKET;
}

/* arguments = *argument [ test / test-list ] */
static int
sieve_parse_args(struct sieve_parser *ps, struct sieve_node *n)
{
	struct arena *arena = ps->check.script->arena;
	size_t cap = 0;

	while (sieve_parse_is_arg(ps)) {
		if (n->arg_count == cap) {
			struct sieve_arg *nv;

			if (n->arg_count >= 64)
				return sieve_parse_fail(ps,
				    "too many arguments");
			cap = cap ? cap * 2 : 4;
			nv = arena_alloc(arena, cap * sizeof(*nv));
			if (n->arg_count > 0)
				memcpy(nv, n->args,
				    n->arg_count * sizeof(*nv));
			n->args = nv;
		}
		if (sieve_parse_arg(ps, &n->args[n->arg_count]) < 0)
			return -1;
		n->arg_count++;
	}
	if (ps->lx.tok == SIEVE_TOK_IDENT) {
		n->tests = arena_alloc(arena, sizeof(*n->tests));
		n->test_count = 1;
		return sieve_parse_test(ps, &n->tests[0]);
	}
	if (ps->lx.tok != SIEVE_TOK_LPAREN)
		return 0;
	if (sieve_parse_enter(ps) < 0)
		return -1;
	cap = 0;
	do {
		if (sieve_parse_advance(ps) < 0)
			return -1;
		if (n->test_count == cap) {
			struct sieve_node **nv;

			if (n->test_count >= ps->check.lim->strings_max)
				return sieve_parse_fail(ps, "too many tests");
			cap = cap ? cap * 2 : 4;
			nv = arena_alloc(arena, cap * sizeof(*nv));
			if (n->test_count > 0)
				memcpy(nv, n->tests,
				    n->test_count * sizeof(*nv));
			n->tests = nv;
		}
		if (sieve_parse_test(ps, &n->tests[n->test_count]) < 0)
			return -1;
		n->test_count++;
	} while (ps->lx.tok == SIEVE_TOK_COMMA);
	if (ps->lx.tok != SIEVE_TOK_RPAREN)
		return sieve_parse_fail(ps, "expected ',' or ')'");
	ps->depth--;
	return sieve_parse_advance(ps);
}

static struct sieve_node *
sieve_parse_node(struct sieve_parser *ps)
{
	struct sieve_node *n = arena_zalloc(ps->check.script->arena,
	    sizeof(*n));

	n->name = ps->lx.text;
	n->line = ps->lx.tok_line;
	n->column = ps->lx.tok_column;
	return n;
}

/* test = identifier arguments */
static int
sieve_parse_test(struct sieve_parser *ps, struct sieve_node **out)
{
	struct sieve_node *n;

	if (ps->lx.tok != SIEVE_TOK_IDENT)
		return sieve_parse_fail(ps, "expected a test");
	if (sieve_parse_enter(ps) < 0)
		return -1;
	n = sieve_parse_node(ps);
	if (sieve_parse_advance(ps) < 0 || sieve_parse_args(ps, n) < 0)
		return -1;
	ps->depth--;
	*out = n;
	return sieve_check_node(&ps->check, n, NULL, true);
}

/* command = identifier arguments (";" / block) */
static int
sieve_parse_command(struct sieve_parser *ps, struct sieve_node *n,
    const struct sieve_node *prev)
{
	/* RFC 5228 §3.2: require only before any other command */
	if (strcasecmp(n->name, "require") != 0)
		ps->check.require_done = true;
	if (sieve_parse_advance(ps) < 0 || sieve_parse_args(ps, n) < 0)
		return -1;
	if (ps->lx.tok == SIEVE_TOK_LBRACE) {
		if (sieve_parse_enter(ps) < 0 || sieve_parse_advance(ps) < 0 ||
		    sieve_parse_commands(ps, &n->block, true) < 0)
			return -1;
		ps->depth--;
		n->has_block = true;
	} else if (ps->lx.tok != SIEVE_TOK_SEMI) {
		return sieve_parse_fail(ps, "expected ';' or '{'");
	}
	if (sieve_parse_advance(ps) < 0)
		return -1;
	return sieve_check_node(&ps->check, n, prev, false);
}

static int
sieve_parse_commands(struct sieve_parser *ps, struct sieve_node **first_out,
    bool in_block)
{
	struct sieve_node *prev = NULL, *n;

	*first_out = NULL;
	for (;;) {
		if (ps->lx.tok == SIEVE_TOK_RBRACE && in_block)
			return 0;
		if (ps->lx.tok == SIEVE_TOK_EOF) {
			if (in_block)
				return sieve_parse_fail(ps,
				    "missing '}' before the end");
			return 0;
		}
		if (ps->lx.tok != SIEVE_TOK_IDENT)
			return sieve_parse_fail(ps, "expected a command");
		n = sieve_parse_node(ps);
		if (sieve_parse_command(ps, n, prev) < 0)
			return -1;
		if (prev == NULL)
			*first_out = n;
		else
			prev->next = n;
		prev = n;
	}
}

struct sieve_script *
sieve_compile(const char *name, const char *text, size_t len,
    const struct sieve_limits *lim, struct sieve_error *error_out)
{
	struct sieve_parser ps;
	struct sieve_script *s = xcalloc(1, sizeof(*s));
	struct sieve_error local;
	struct sieve_error *error = error_out ? error_out : &local;

	memset(error, 0, sizeof(*error));
	s->arena = arena_new();
	s->name = arena_strdup(s->arena, name ? name : "");
	memset(&ps, 0, sizeof(ps));
	ps.check.script = s;
	ps.check.lim = lim;
	ps.check.error = error;
	if (len > lim->script_max) {
		(void)sieve_error_at(error, s->name, 0, 0,
		    "script too large (%zu octets, at most %zu)", len,
		    lim->script_max);
		sieve_script_free(&s);
		return NULL;
	}
	sieve_lex_init(&ps.lx, text, len, s->arena);
	if (sieve_parse_advance(&ps) < 0 ||
	    sieve_parse_commands(&ps, &s->first, false) < 0) {
		sieve_error_script(error, s->name);
		sieve_script_free(&s);
		return NULL;
	}
	return s;
}

void
sieve_script_free(struct sieve_script **sp)
{
	struct sieve_script *s = *sp;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->regex_count; i++)
		pcre2_code_free(s->regexes[i]);
	free(s->regexes);
	arena_free(&s->arena);
	free(s);
	*sp = NULL;
}

const char *
sieve_script_name(const struct sieve_script *s)
{
	return s->name;
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/map/map_source: the logical-line reader, the
 * table and aliases parsers and the alias item splitter, as tables of
 * input, expected output and expected error.
 */
#include "map/map_source.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include "t.h"

enum t_fmt { T_TABLE, T_ALIASES };

struct t_parse_case {
	enum t_fmt fmt;
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *want; /* "key=value|key=value" or NULL on error */
	const char *err; /* expected error text, "src:N: ..." */
};

/* Render entries as "key=value@line|..." for comparison. */
static void
t_render(const struct map_source_entries *e, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < e->n; i++)
		buf_printf(out, "%s%s=%s@%zu", i ? "|" : "", e->v[i].key,
		    e->v[i].value, e->v[i].lineno);
}

static void
t_run_parse(
    const struct t_parse_case *c, size_t n, const struct map_source_limits *lim)
{
	struct arena *arena = arena_new();
	struct buf got;
	struct err err;
	size_t i;
	int rc;

	buf_init(&got);
	for (i = 0; i < n; i++) {
		struct map_source_entries e = {0};
		size_t len = c[i].len ? c[i].len : strlen(c[i].in);

		err_clear(&err);
		rc = c[i].fmt == T_TABLE
		    ? map_source_table_parse(
		          "src", c[i].in, len, lim, arena, &e, &err)
		    : map_source_aliases_parse(
		          "src", c[i].in, len, lim, arena, &e, &err);
		if (c[i].want != NULL) {
			if (!T_EQ_INT(rc, 0))
				fprintf(
				    stderr, "  case %zu: %s\n", i, err.text);
			t_render(&e, &got);
			if (!T_EQ_STR(got.data, c[i].want))
				fprintf(stderr, "  case %zu\n", i);
		} else {
			T_EQ_INT(rc, -1);
			T_EQ_INT(err.kind, ERR_PERM);
			if (!T_EQ_STR(err.text, c[i].err))
				fprintf(stderr, "  case %zu\n", i);
		}
		arena_reset(arena);
	}
	buf_deinit(&got);
	arena_free(&arena);
}

static void
table_parse_cases(void)
{
	static const struct t_parse_case cases[] = {
	    {T_TABLE, "", 0, "", NULL},
	    {T_TABLE, "\n\n   \n# only a comment\n", 0, "", NULL},
	    {T_TABLE, "Alice@Example.COM  OK\n", 0, "alice@example.com=OK@1",
	        NULL},
	    {T_TABLE, "a 1\r\nb\t2 3  \r\n", 0, "a=1@1|b=2 3@2", NULL},
	    /* Continuation keeps the white space, drops the newline. */
	    {T_TABLE, "k first\n  second\n# c\n\tthird\nz 1", 0,
	        "k=first  second\tthird@1|z=1@5", NULL},
	    /* Duplicates are all reported; map_build keeps the first. */
	    {T_TABLE, "d 1\nD 2\n", 0, "d=1@1|d=2@2", NULL},
	    {T_TABLE, "keyonly\n", 0, NULL,
	        "src:1: expected \"key whitespace value\""},
	    {T_TABLE, "a 1\nkey   \n", 0, NULL,
	        "src:2: expected \"key whitespace value\""},
	    {T_TABLE, "  indented 1\n", 0, NULL,
	        "src:1: continuation line with no line to continue"},
	    {T_TABLE, "a 1\nb \0 2\n", 8, NULL, "src:2: NUL byte in line"},
	    {T_TABLE, "a b\r", 0, "a=b@1", NULL},
	    {T_TABLE, "no-newline value", 0, "no-newline=value@1", NULL},
	    /* CR without LF is not a line break. */
	    {T_TABLE, "a b\rc d\n", 0, "a=b\rc d@1", NULL},
	};

	struct map_source_limits lim = map_source_limits_default();

	t_run_parse(cases, sizeof(cases) / sizeof(cases[0]), &lim);
}

static void
table_parse_limits(void)
{
	static const struct t_parse_case cases[] = {
	    {T_TABLE, "0123456789 v", 0, "0123456789=v@1", NULL},
	    {T_TABLE, "x 1\n01234567890 v", 0, NULL,
	        "src:2: key longer than 10 bytes"},
	    /* Exactly line_max, then one past it. */
	    {T_TABLE, "k 1234567890123456789012", 0,
	        "k=1234567890123456789012@1", NULL},
	    {T_TABLE, "k 12345678901234567890123", 0, NULL,
	        "src:1: logical line longer than 24 bytes"},
	    {T_TABLE, "k 1234567890\n 1234567890\n 1", 0, NULL,
	        "src:3: logical line longer than 24 bytes"},
	};
	struct map_source_limits lim = map_source_limits_default();

	lim.key_max = 10;
	lim.line_max = 24;
	t_run_parse(cases, sizeof(cases) / sizeof(cases[0]), &lim);
}

static void
aliases_parse_cases(void)
{
	static const struct t_parse_case cases[] = {
	    {T_ALIASES, "", 0, "", NULL},
	    {T_ALIASES, "Postmaster: root\n", 0, "postmaster=root@1", NULL},
	    {T_ALIASES, "staff: a, b,c ,\n  d@example.com,\n", 0,
	        "staff=a, b, c, d@example.com@1", NULL},
	    {T_ALIASES,
	        "x: \"|/usr/bin/prog -a, -b\", /var/log/x,"
	        " :include:/etc/lists/x\n",
	        0,
	        "x=\"|/usr/bin/prog -a, -b\", /var/log/x, "
	        ":include:/etc/lists/x@1",
	        NULL},
	    {T_ALIASES, "\"Quoted Name\": root\n", 0, "quoted name=root@1",
	        NULL},
	    {T_ALIASES, "q: \"a\\\"b\", \"c\\\\d\"\n", 0,
	        "q=\"a\\\"b\", \"c\\\\d\"@1", NULL},
	    {T_ALIASES, "# comment\nroot: admin\n\nadmin : \"ops\"\n", 0,
	        "root=admin@2|admin=ops@4", NULL},
	    {T_ALIASES, "nocolon root\n", 0, NULL,
	        "src:1: expected \"name: value\""},
	    {T_ALIASES, ": root\n", 0, NULL, "src:1: empty alias name"},
	    {T_ALIASES, "a: b\nempty:\n", 0, NULL,
	        "src:2: no recipients for empty"},
	    {T_ALIASES, "a: , ,\n", 0, NULL, "src:1: no recipients for a"},
	    {T_ALIASES, "a: \"|cmd\n", 0, NULL, "src:1: unterminated quote"},
	    {T_ALIASES, "\"a: b\n", 0, NULL,
	        "src:1: unterminated quote in name"},
	    {T_ALIASES, "a: |\n", 0, NULL, "src:1: empty command"},
	    {T_ALIASES, "a: b, :include:\n", 0, NULL,
	        "src:1: empty include path"},
	    {T_ALIASES, "a: \"\"\n", 0, NULL, "src:1: empty recipient"},
	};
	struct map_source_limits lim = map_source_limits_default();

	t_run_parse(cases, sizeof(cases) / sizeof(cases[0]), &lim);
}

static void
aliases_parse_limits(void)
{
	static const struct t_parse_case cases[] = {
	    {T_ALIASES, "a: 1, 2, 3\n", 0, "a=1, 2, 3@1", NULL},
	    {T_ALIASES, "a: 1, 2, 3, 4\n", 0, NULL, "src:1: more than 3 items"},
	    {T_ALIASES, "abcdef: x\n", 0, NULL,
	        "src:1: alias name longer than 5 bytes"},
	};
	struct map_source_limits lim = map_source_limits_default();

	lim.items_max = 3;
	lim.key_max = 5;
	t_run_parse(cases, sizeof(cases) / sizeof(cases[0]), &lim);
}

static void
aliases_split_classifies_and_round_trips(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *kinds; /* A C F I per item */
		const char *texts; /* items joined by '|' */
	} cases[] = {
	    {"a, b", 2, "AA", "a|b"},
	    {"\"|prog x, y\",/var/f , :INCLUDE:/l", 3, "CFI",
	        "prog x, y|/var/f|/l"},
	    {"Joe \"Q\" User", 1, "A", "Joe Q User"},
	    {"\" spaced \"", 1, "A", " spaced "},
	    {",,,", 0, "", ""},
	    {"", 0, "", ""},
	};
	struct map_source_limits lim = map_source_limits_default();
	struct arena *arena = arena_new();
	struct map_source_alias_item *items;
	struct buf got;
	struct err err;
	size_t i, j, n;

	buf_init(&got);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!T_EQ_INT(map_source_aliases_split(
		                  cases[i].in, &lim, arena, &items, &n, &err),
		        0))
			continue;
		T_EQ_INT(n, cases[i].n);
		buf_reset(&got);
		for (j = 0; j < n; j++)
			buf_putc(&got, "ACFI"[items[j].kind]);
		T_EQ_STR(got.data, cases[i].kinds);
		buf_reset(&got);
		for (j = 0; j < n; j++)
			buf_printf(&got, "%s%s", j ? "|" : "", items[j].text);
		T_EQ_STR(got.data, cases[i].texts);
	}
	T_EQ_INT(
	    map_source_aliases_split("a, \"b", &lim, arena, &items, &n, &err),
	    -1);
	T_EQ_STR(err.text, "unterminated quote");
	buf_deinit(&got);
	arena_free(&arena);
}

/* What map_build stores, split again, gives back the parsed items. */
static void
aliases_stored_value_splits_back(void)
{
	static const char src[] =
	    "list: \"|/bin/x \\\"a\\\" \\\\ b\", \"c,d\"@e, /f g\n";
	struct map_source_limits lim = map_source_limits_default();
	struct arena *arena = arena_new();
	struct map_source_entries e = {0};
	struct map_source_alias_item *items;
	struct err err;
	size_t n = 0;

	T_EQ_INT(map_source_aliases_parse(
	             "src", src, strlen(src), &lim, arena, &e, &err),
	    0);
	if (T_EQ_INT(e.n, 1) &&
	    T_EQ_INT(map_source_aliases_split(
	                 e.v[0].value, &lim, arena, &items, &n, &err),
	        0) &&
	    T_EQ_INT(n, 3)) {
		T_EQ_INT(items[0].kind, MAP_SOURCE_ALIAS_COMMAND);
		T_EQ_STR(items[0].text, "/bin/x \"a\" \\ b");
		T_EQ_STR(items[1].text, "c,d@e");
		T_EQ_INT(items[2].kind, MAP_SOURCE_ALIAS_FILE);
		T_EQ_STR(items[2].text, "/f g");
	}
	arena_free(&arena);
}

T_MAIN(T_CASE(table_parse_cases), T_CASE(table_parse_limits),
    T_CASE(aliases_parse_cases), T_CASE(aliases_parse_limits),
    T_CASE(aliases_split_classifies_and_round_trips),
    T_CASE(aliases_stored_value_splits_back))

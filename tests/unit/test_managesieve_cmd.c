/* SPDX-License-Identifier: MIT */
/* Unit tests for managesieve/managesieve_cmd: commands, strings,
 * literals, limits, error skips, and the same result at every split. */
#include "managesieve/managesieve_cmd.h"

#include <stdint.h>
#include <string.h>

#include "t.h"

static const struct managesieve_limits lim = {
    .line_max = 64, .quoted_max = 16, .literal_max = 32, .args_max = 3};

struct parse_case {
	const char *in;
	bool with_name;
	int rc;
	const char *name; /* rc 1 */
	size_t nargs; /* rc 1 */
	const char *arg0; /* rc 1, when nargs > 0 */
	size_t consumed; /* rc 1; skip for rc -1 */
	bool eol; /* rc -1 */
};

static const struct parse_case parse_cases[] = {
    {"CAPABILITY\r\n", true, 1, "CAPABILITY", 0, NULL, 12, false},
    {"logout\n", true, 1, "LOGOUT", 0, NULL, 7, false},
    {"GETSCRIPT \"a\\\"b\\\\\"\r\n", true, 1, "GETSCRIPT", 1, "a\"b\\", 20,
        false},
    {"PUTSCRIPT \"s\" {5+}\r\nkeep;\r\n", true, 1, "PUTSCRIPT", 2, "s", 27,
        false},
    {"PUTSCRIPT \"s\" {0}\r\n\r\n", true, 1, "PUTSCRIPT", 2, "s", 21, false},
    {"HAVESPACE \"s\" 100\r\n", true, 1, "HAVESPACE", 2, "s", 19, false},
    {"\"AHRlc3QAdGVzdA==\"\r\n", false, 1, NULL, 1, "AHRlc3QAdGVzdA==", 20,
        false},
    {"{2+}\r\n*a\r\n", false, 1, NULL, 1, "*a", 10, false},
    /* incomplete */
    {"", true, 0, NULL, 0, NULL, 0, false},
    {"NOOP", true, 0, NULL, 0, NULL, 0, false},
    {"NOOP\r", true, 0, NULL, 0, NULL, 0, false},
    {"PUTSCRIPT \"s\" {5+}\r\nkee", true, 0, NULL, 0, NULL, 0, false},
    {"GETSCRIPT \"abc", true, 0, NULL, 0, NULL, 0, false},
    /* errors: skip the line */
    {"NOOP  x\r\nNOOP\r\n", true, -1, NULL, 0, NULL, 9, false},
    {"GETSCRIPT \"a\\x\"\r\n", true, -1, NULL, 0, NULL, 17, false},
    {"GETSCRIPT \"0123456789abcdefg\"\r\n", true, -1, NULL, 0, NULL, 31, false},
    {"A 1 2 3 4\r\n", true, -1, NULL, 0, NULL, 11, false},
    {"NOOP\rX\n", true, -1, NULL, 0, NULL, 7, false},
    {"(bad)\r\n", true, -1, NULL, 0, NULL, 7, false},
    {"GETSCRIPT {}\r\n", true, -1, NULL, 0, NULL, 14, false},
    /* a literal over the limit is skipped whole, then the line end */
    {"PUTSCRIPT \"s\" {33+}\r\n", true, -1, NULL, 0, NULL, 21 + 33, true},
    {"PUTSCRIPT \"s\" {12345678901+}\r\n", true, -1, NULL, 0, NULL, SIZE_MAX,
        true},
    /* a line with no end past line_max */
    {"NOOP "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        true, -1, NULL, 0, NULL, 73, true},
};

static void
test_parse(void)
{
	struct arena *a = arena_new();
	struct managesieve_cmd cmd;
	struct err err;
	size_t i, skip;
	bool eol;
	int rc;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];

		rc = managesieve_cmd_parse(c->in, strlen(c->in), c->with_name,
		    &lim, &cmd, a, &skip, &eol, &err);
		if (!T_EQ_INT(rc, c->rc)) {
			printf("  case %zu: %s\n", i, err.text);
			continue;
		}
		if (rc == 1) {
			T_EQ_INT(cmd.consumed, c->consumed);
			T_EQ_INT(cmd.nargs, c->nargs);
			if (c->name != NULL)
				T_EQ_STR(cmd.name, c->name);
			else
				T_CHECK(cmd.name == NULL);
			if (c->arg0 != NULL && cmd.nargs > 0)
				T_EQ_STR(cmd.args[0].data, c->arg0);
		} else if (rc == -1) {
			T_EQ_INT(skip, c->consumed);
			T_EQ_INT(eol, c->eol);
		}
	}
	arena_free(&a);
}

/* A complete command parses only once all of it is there. */
static void
test_splits(void)
{
	static const char in[] =
	    "PUTSCRIPT \"a b\" {12+}\r\nkeep;\r\nstop;\r\n";
	struct arena *a = arena_new();
	struct managesieve_cmd cmd;
	struct err err;
	size_t n, skip;
	bool eol;

	for (n = 0; n < sizeof(in) - 1; n++)
		T_EQ_INT(managesieve_cmd_parse(
		             in, n, true, &lim, &cmd, a, &skip, &eol, &err),
		    0);
	T_EQ_INT(managesieve_cmd_parse(in, sizeof(in) - 1, true, &lim, &cmd, a,
	             &skip, &eol, &err),
	    1);
	T_EQ_INT(cmd.args[1].len, 12);
	T_CHECK(cmd.args[1].literal);
	arena_free(&a);
}

/* Binary literal content keeps its NULs. */
static void
test_binary(void)
{
	static const char in[] = "PUTSCRIPT \"x\" {3+}\r\na\0b\r\n";
	struct arena *a = arena_new();
	struct managesieve_cmd cmd;
	struct err err;
	size_t skip;
	bool eol;

	T_EQ_INT(managesieve_cmd_parse(in, sizeof(in) - 1, true, &lim, &cmd, a,
	             &skip, &eol, &err),
	    1);
	T_EQ_INT(cmd.args[1].len, 3);
	T_CHECK(memcmp(cmd.args[1].data, "a\0b", 3) == 0);
	arena_free(&a);
}

T_MAIN(T_CASE(test_parse), T_CASE(test_splits), T_CASE(test_binary))

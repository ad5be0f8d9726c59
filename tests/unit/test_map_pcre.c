/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for pcre: tables (libmail/map/map_pcre): syntax errors with
 * file:line, flags, negation, if/endif, $n substitution, and a
 * catastrophic pattern that must end as a temporary failure.
 */
#include "map/map_pcre.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

#include "t.h"

static struct map_pcre *
t_parse(const char *text, struct err *err)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_pcre_limits plim = map_pcre_limits_default();

	err_clear(err);
	return map_pcre_parse("t.pcre", text, strlen(text), &lim, &plim, err);
}

static void
pcre_syntax_errors(void)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
	    {"/a(/ x\n",
	        "t.pcre:1: pattern error at offset 2: "
	        "missing closing parenthesis"},
	    {"/ok/ 1\n\n/[z-a]/ 2\n",
	        "t.pcre:3: pattern error at offset "
	        "3: range out of order in character class"},
	    {"/abc x\n", "t.pcre:1: missing closing '/'"},
	    {"abc/ x\n",
	        "t.pcre:1: expected /pattern/ (any "
	        "non-alphanumeric delimiter)"},
	    {"/a/q x\n", "t.pcre:1: unknown flag 'q'"},
	    {"/a/\n", "t.pcre:1: no result after pattern"},
	    {"/(a)/ $2\n", "t.pcre:1: $2 but the pattern has 1 groups"},
	    {"!/(a)/ $1\n",
	        "t.pcre:1: $1 in the result of a negated "
	        "pattern"},
	    {"/a/ cost $x\n",
	        "t.pcre:1: bad $ in result (use $n, ${n}, "
	        "$(n) or $$)"},
	    {"/a/ ${1\n",
	        "t.pcre:1: bad $ in result (use $n, ${n}, "
	        "$(n) or $$)"},
	    {"if /a/\n/b/ 1\n", "t.pcre:1: if without endif"},
	    {"/x/ 0\nif /a/\nif /b/\n/c/ 1\nendif\n",
	        "t.pcre:2: if without endif"},
	    {"/a/ 1\nendif\n", "t.pcre:2: endif without if"},
	    {"if /a/ 1\nendif\n", "t.pcre:1: text after if pattern"},
	    {"if /a/\nendif x\n", "t.pcre:2: text after endif"},
	    {" /a/ 1\n",
	        "t.pcre:1: continuation line with no line to "
	        "continue"},
	};
	struct map_pcre *m;
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = t_parse(cases[i].in, &err);
		T_CHECK(m == NULL);
		T_EQ_INT(err.kind, ERR_PERM);
		if (!T_EQ_STR(err.text, cases[i].err))
			fprintf(stderr, "  case %zu\n", i);
		map_pcre_free(&m);
	}
}

static void
pcre_if_nesting_limit(void)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_pcre_limits plim = map_pcre_limits_default();
	const char *two = "if /a/\nif /b/\n/c/ 1\nendif\nendif\n";
	const char *three = "if /a/\nif /b/\nif /c/\n/d/ 1\nendif\nendif\n"
	                    "endif\n";
	struct map_pcre *m;
	struct err err;

	lim.nest_max = 2;
	m = map_pcre_parse("t", two, strlen(two), &lim, &plim, &err);
	T_CHECK(m != NULL);
	map_pcre_free(&m);
	m = map_pcre_parse("t", three, strlen(three), &lim, &plim, &err);
	T_CHECK(m == NULL);
	T_EQ_STR(err.text, "t:3: if nested deeper than 2");
}

static const char t_table[] =
    "# comment\n"
    "/^(?!owner-)(.*)-outgoing@(.*)/ 550 Use ${1}@${2} instead\n"
    "/^CaseSens$/i exact case\n"
    "/^dollar$/ costs $$5 ($(0))\n"
    "if /@example\\.com$/\n"
    "!/^(postmaster|abuse)@/ not-role\n"
    "/^(.+)@/ role $1\n"
    "endif\n"
    "if !/\\.org$/\n"
    "/^x/ not-org\n"
    "endif\n"
    "~^multi~\n"
    " line\n"
    "/^ab\\/cd$/ slash-escaped\n"
    "/^opt(ional)?(x)?$/ [$1][$2]\n";

static void
pcre_lookups(void)
{
	static const struct {
		const char *key;
		int rc;
		const char *value;
	} cases[] = {
	    {"list-outgoing@host", 1, "550 Use list@host instead"},
	    {"owner-list-outgoing@host", 0, NULL},
	    {"LIST-OUTGOING@HOST", 1, "550 Use LIST@HOST instead"},
	    {"CaseSens", 1, "exact case"},
	    {"casesens", 0, NULL},
	    {"dollar", 1, "costs $5 (dollar)"},
	    {"joe@example.com", 1, "not-role"},
	    {"postmaster@example.com", 1, "role postmaster"},
	    {"Abuse@EXAMPLE.com", 1, "role Abuse"},
	    {"xyz@host.net", 1, "not-org"},
	    {"xyz@host.org", 0, NULL},
	    {"multi", 1, "line"},
	    {"ab/cd", 1, "slash-escaped"},
	    {"opt", 1, "[][]"},
	    {"optx", 1, "[][x]"},
	    {"optionalx", 1, "[ional][x]"},
	    {"", 0, NULL},
	};
	struct map_pcre *m;
	struct buf v;
	struct err err;
	size_t i;
	int rc;

	m = t_parse(t_table, &err);
	if (!T_CHECK(m != NULL)) {
		fprintf(stderr, "  %s\n", err.text);
		return;
	}
	buf_init(&v);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_set(&v, "stale");
		rc = map_pcre_lookup(m, cases[i].key, &v, &err);
		if (!T_EQ_INT(rc, cases[i].rc))
			fprintf(stderr, "  key %s\n", cases[i].key);
		if (rc == 1)
			T_EQ_STR(v.data, cases[i].value);
	}
	buf_deinit(&v);
	map_pcre_free(&m);
	T_CHECK(m == NULL);
}

static void
pcre_empty_table(void)
{
	struct map_pcre *m;
	struct buf v;
	struct err err;

	buf_init(&v);
	m = t_parse("", &err);
	T_CHECK(m != NULL);
	if (m != NULL)
		T_EQ_INT(map_pcre_lookup(m, "anything", &v, &err), 0);
	map_pcre_free(&m);
	m = t_parse("# nothing\n\n", &err);
	T_CHECK(m != NULL);
	map_pcre_free(&m);
	buf_deinit(&v);
}

/* (a+)+$ on "aaaa...!" backtracks exponentially. */
static void
pcre_match_limit_is_temporary(void)
{
	static const char table[] = "/^(a+)+$/ bad\n/./ fallback\n";
	char key[64];
	struct map_pcre *m;
	struct buf v;
	struct err err;

	memset(key, 'a', 40);
	key[40] = '!';
	key[41] = '\0';
	buf_init(&v);
	m = t_parse(table, &err);
	if (!T_CHECK(m != NULL))
		return;
	/* Never "no match", and never the next rule's result. */
	T_EQ_INT(map_pcre_lookup(m, key, &v, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_EQ_STR(err.text, "t.pcre:1: pattern match failed: match limit");
	/* A short subject stays within the limit. */
	T_EQ_INT(map_pcre_lookup(m, "aaaa!", &v, &err), 1);
	T_EQ_STR(v.data, "fallback");
	map_pcre_free(&m);
	buf_deinit(&v);
}

static void
pcre_depth_limit_is_temporary(void)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_pcre_limits plim = map_pcre_limits_default();
	static const char table[] = "/^(a|b)*c$/ x\n";
	char key[4000];
	struct map_pcre *m;
	struct buf v;
	struct err err;

	plim.depth_limit = 100;
	memset(key, 'a', sizeof(key) - 2);
	key[sizeof(key) - 2] = 'c';
	key[sizeof(key) - 1] = '\0';
	buf_init(&v);
	m = map_pcre_parse("t", table, strlen(table), &lim, &plim, &err);
	if (!T_CHECK(m != NULL))
		return;
	T_EQ_INT(map_pcre_lookup(m, key, &v, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_CHECK(strstr(err.text, "limit") != NULL);
	T_EQ_INT(map_pcre_lookup(m, "abc", &v, &err), 1);
	map_pcre_free(&m);
	buf_deinit(&v);
}

T_MAIN(T_CASE(pcre_syntax_errors), T_CASE(pcre_if_nesting_limit),
    T_CASE(pcre_lookups), T_CASE(pcre_empty_table),
    T_CASE(pcre_match_limit_is_temporary),
    T_CASE(pcre_depth_limit_is_temporary))

/* SPDX-License-Identifier: MIT */
/*
 * pcre: tables (see map_pcre.h): the rule parser, the matcher with its
 * limits, and the map type. No JIT: PCRE2's JIT does not honour the
 * depth limit, and a table is a few dozen patterns.
 */
#include "map/map_pcre.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "map/map_impl.h"

#define MAP_PCRE_FILE_MAX ((size_t)64 << 20)
#define MAP_PCRE_GROUP_MAX 99 /* ${99} at most */

struct map_pcre_rule {
	pcre2_code *re;
	const char *result; /* NULL for an if rule */
	bool negate;
	size_t skip; /* if rule: index after its endif */
	size_t lineno;
};

struct map_pcre {
	struct arena *arena;
	const char *name;
	struct map_pcre_rule *v;
	size_t n;
	size_t cap;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

/* Parser state across lines. */
struct map_pcre_parse {
	struct map_pcre *m;
	const struct map_source_limits *lim;
	size_t *open; /* indexes of unclosed if rules */
	size_t nopen;
};

struct map_pcre_limits
map_pcre_limits_default(void)
{
	/* Ample for sane tables; a pathological pattern stops within ms. */
	struct map_pcre_limits lim = {
	    .match_limit = 1000000,
	    .depth_limit = 10000,
	    .heap_limit_kib = 20 * 1024,
	};

	return lim;
}

static bool
map_pcre_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
map_pcre_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * At p[0] == '$': sets *len to the bytes used; returns the group
 * number, -1 for "$$" (a dollar), -2 for a syntax error.
 */
static int
map_pcre_dollar(const char *p, size_t *len)
{
	char close;
	int n = 0;
	size_t i;

	if (p[1] == '$') {
		*len = 2;
		return -1;
	}
	if (map_pcre_digit(p[1])) {
		*len = 2;
		return p[1] - '0';
	}
	if (p[1] != '{' && p[1] != '(')
		return -2;
	close = p[1] == '{' ? '}' : ')';
	for (i = 2; i < 4 && map_pcre_digit(p[i]); i++)
		n = n * 10 + (p[i] - '0');
	if (i == 2 || p[i] != close)
		return -2;
	*len = i + 1;
	return n;
}

static int
map_pcre_check_result(
    const char *result, uint32_t groups, bool negate, struct err *err)
{
	const char *p;
	size_t len;
	int n;

	for (p = result; (p = strchr(p, '$')) != NULL; p += len) {
		if ((n = map_pcre_dollar(p, &len)) == -2)
			return err_set(err, ERR_PERM, "",
			    "bad $ in result (use $n, ${n}, $(n) or $$)");
		if (n < 0)
			continue;
		if (negate)
			return err_set(err, ERR_PERM, "",
			    "$%d in the result of a negated pattern", n);
		if ((uint32_t)n > groups)
			return err_set(err, ERR_PERM, "",
			    "$%d but the pattern has %u groups", n,
			    (unsigned)groups);
	}
	return 0;
}

static void
map_pcre_expand(const char *result, const char *subject, int rc,
    const PCRE2_SIZE *ov, struct buf *out)
{
	const char *p = result, *d;
	size_t len;
	int n;

	buf_reset(out);
	while ((d = strchr(p, '$')) != NULL) {
		buf_append(out, p, (size_t)(d - p));
		n = map_pcre_dollar(d, &len);
		if (n == -1)
			buf_putc(out, '$');
		else if (n >= 0 && n < rc && ov[2 * n] != PCRE2_UNSET)
			buf_append(out, subject + ov[2 * n],
			    ov[2 * n + 1] - ov[2 * n]);
		p = d + len;
	}
	buf_puts(out, p);
}

/* Flags toggle options, Postfix style: i and s start on. */
static int
map_pcre_flags(const char *p, size_t n, uint32_t *opts, struct err *err)
{
	static const struct {
		char c;
		uint32_t opt;
	} flags[] = {
	    {'i', PCRE2_CASELESS},
	    {'m', PCRE2_MULTILINE},
	    {'s', PCRE2_DOTALL},
	    {'x', PCRE2_EXTENDED},
	    {'A', PCRE2_ANCHORED},
	    {'E', PCRE2_DOLLAR_ENDONLY},
	    {'U', PCRE2_UNGREEDY},
	    /* PCRE2 always rejects unknown escapes, as PCRE_EXTRA did. */
	    {'X', 0},
	};
	size_t i, j;

	*opts = PCRE2_CASELESS | PCRE2_DOTALL;
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++)
			if (flags[j].c == p[i])
				break;
		if (j == sizeof(flags) / sizeof(flags[0]))
			return err_set(
			    err, ERR_PERM, "", "unknown flag '%c'", p[i]);
		*opts ^= flags[j].opt;
	}
	return 0;
}

/*
 * Parse "[!]<d>pattern<d>flags" at *pp and compile it. Advances *pp past
 * the flags. 0 or -1 with err.
 */
static int
map_pcre_pattern(
    const char **pp, bool *negate_out, pcre2_code **re_out, struct err *err)
{
	const char *p = *pp, *start, *fl;
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	uint32_t opts;
	int code;
	char d;

	*negate_out = *p == '!';
	if (*negate_out)
		p++;
	d = *p;
	if (d == '\0' || d == '\\' || map_pcre_space(d) ||
	    (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') ||
	    map_pcre_digit(d))
		return err_set(err, ERR_PERM, "",
		    "expected /pattern/ (any non-alphanumeric delimiter)");
	for (start = ++p; *p != '\0' && *p != d; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	if (*p != d)
		return err_set(err, ERR_PERM, "", "missing closing '%c'", d);
	for (fl = ++p; *p != '\0' && !map_pcre_space(*p); p++)
		;
	if (map_pcre_flags(fl, (size_t)(p - fl), &opts, err) != 0)
		return -1;
	*re_out = pcre2_compile((PCRE2_SPTR)start, (size_t)(fl - 1 - start),
	    opts, &code, &off, NULL);
	if (*re_out == NULL) {
		/* A negative result leaves a truncated or no message. */
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			msg[0] = '\0';
		return err_set(err, ERR_PERM, "",
		    "pattern error at offset %zu: %s", (size_t)off,
		    (char *)msg);
	}
	*pp = p;
	return 0;
}

static struct map_pcre_rule *
map_pcre_add(struct map_pcre *m)
{
	struct map_pcre_rule *nv;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		nv = arena_alloc(m->arena, m->cap * sizeof(*nv));
		if (m->n > 0)
			memcpy(nv, m->v, m->n * sizeof(*nv));
		m->v = nv;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	return &m->v[m->n++];
}

/* "if" or "endif" followed by a non-alphanumeric (Postfix: any case). */
static bool
map_pcre_keyword(const char *line, const char *kw)
{
	size_t n = strlen(kw);
	char c;

	/* Compare first: line may be shorter than kw. */
	if (strncasecmp(line, kw, n) != 0)
		return false;
	c = line[n];
	return !map_pcre_digit(c) &&
	    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static const char *
map_pcre_skip_space(const char *p)
{
	while (map_pcre_space(*p))
		p++;
	return p;
}

static int
map_pcre_endif(struct map_pcre_parse *ps, const char *rest, struct err *err)
{
	if (*map_pcre_skip_space(rest) != '\0')
		return err_set(err, ERR_PERM, "", "text after endif");
	if (ps->nopen == 0)
		return err_set(err, ERR_PERM, "", "endif without if");
	ps->m->v[ps->open[--ps->nopen]].skip = ps->m->n;
	return 0;
}

static int
map_pcre_line(
    struct map_pcre_parse *ps, const char *line, size_t lineno, struct err *err)
{
	struct map_pcre_rule *r;
	uint32_t groups = 0;
	const char *p = line, *end;
	bool is_if = false, negate;
	pcre2_code *re;

	if (map_pcre_keyword(line, "endif"))
		return map_pcre_endif(ps, line + 5, err);
	if (map_pcre_keyword(line, "if")) {
		if (ps->nopen == ps->lim->nest_max)
			return err_set(err, ERR_PERM, "",
			    "if nested deeper than %zu", ps->lim->nest_max);
		is_if = true;
		p = map_pcre_skip_space(line + 2);
	}
	if (map_pcre_pattern(&p, &negate, &re, err) != 0)
		return -1;
	r = map_pcre_add(ps->m);
	r->re = re;
	r->negate = negate;
	r->lineno = lineno;
	p = map_pcre_skip_space(p);
	if (is_if) {
		if (*p != '\0')
			return err_set(
			    err, ERR_PERM, "", "text after if pattern");
		ps->open[ps->nopen++] = ps->m->n - 1;
		return 0;
	}
	if (*p == '\0')
		return err_set(err, ERR_PERM, "", "no result after pattern");
	(void)pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
	if (map_pcre_check_result(p, groups, negate, err) != 0)
		return -1;
	/* The reader keeps trailing white space; results do not. */
	end = p + strlen(p);
	while (end > p && map_pcre_space(end[-1]))
		end--;
	r->result = arena_strndup(ps->m->arena, p, (size_t)(end - p));
	return 0;
}

static struct map_pcre *
map_pcre_new(const char *name, const struct map_pcre_limits *plim)
{
	struct map_pcre *m = xcalloc(1, sizeof(*m));

	m->arena = arena_new();
	m->name = arena_strdup(m->arena, name);
	m->mctx = pcre2_match_context_create(NULL);
	m->md = pcre2_match_data_create(MAP_PCRE_GROUP_MAX + 1, NULL);
	if (m->mctx == NULL || m->md == NULL)
		log_fatal("%s: out of memory", __func__);
	pcre2_set_match_limit(m->mctx, plim->match_limit);
	pcre2_set_depth_limit(m->mctx, plim->depth_limit);
	pcre2_set_heap_limit(m->mctx, plim->heap_limit_kib);
	return m;
}

struct map_pcre *
map_pcre_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, const struct map_pcre_limits *plim,
    struct err *err)
{
	struct map_pcre *m = map_pcre_new(name, plim);
	struct map_pcre_parse ps = {.m = m, .lim = lim};
	struct map_source_reader r;
	size_t lineno = 0, *if_lines;
	struct buf line;
	int rc;

	ps.open = arena_alloc(m->arena, (lim->nest_max + 1) * sizeof(size_t));
	map_source_reader_init(&r, name, text, len, lim);
	buf_init(&line);
	while ((rc = map_source_next(&r, &line, &lineno, err)) == 1)
		if (map_pcre_line(&ps, line.data, lineno, err) != 0) {
			err_prefix(err, "%s:%zu", name, lineno);
			rc = -1;
			break;
		}
	buf_deinit(&line);
	if (rc == 0 && ps.nopen > 0) {
		if_lines = &m->v[ps.open[ps.nopen - 1]].lineno;
		rc = err_set(err, ERR_PERM, "", "%s:%zu: if without endif",
		    name, *if_lines);
	}
	if (rc != 0)
		map_pcre_free(&m);
	return m;
}

void
map_pcre_free(struct map_pcre **mp)
{
	struct map_pcre *m = *mp;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		pcre2_code_free(m->v[i].re);
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
	arena_free(&m->arena);
	free(m);
	*mp = NULL;
}

int
map_pcre_lookup(
    struct map_pcre *m, const char *key, struct buf *value_out, struct err *err)
{
	const struct map_pcre_rule *r;
	size_t i = 0, klen = strlen(key);
	bool matched;
	int rc;

	while (i < m->n) {
		r = &m->v[i];
		rc = pcre2_match(
		    r->re, (PCRE2_SPTR)key, klen, 0, 0, m->md, m->mctx);
		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "%s:%zu: pattern match failed: %s", m->name,
			    r->lineno,
			    rc == PCRE2_ERROR_MATCHLIMIT       ? "match limit"
			        : rc == PCRE2_ERROR_DEPTHLIMIT ? "depth limit"
			        : rc == PCRE2_ERROR_HEAPLIMIT  ? "heap limit"
			                                       : "PCRE2 error");
		matched = rc >= 0;
		if (r->result == NULL) {
			i = matched != r->negate ? i + 1 : r->skip;
			continue;
		}
		if (matched != r->negate) {
			map_pcre_expand(r->result, key, rc,
			    pcre2_get_ovector_pointer(m->md), value_out);
			return 1;
		}
		i++;
	}
	return 0;
}

static void *
map_pcre_open(const char *name, struct err *err)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_pcre_limits plim = map_pcre_limits_default();
	struct map_pcre *m;
	struct buf text;

	buf_init(&text);
	if (map_read_file(name, MAP_PCRE_FILE_MAX, &text, err) != 0) {
		buf_deinit(&text);
		return NULL;
	}
	m = map_pcre_parse(name, text.data, text.len, &lim, &plim, err);
	buf_deinit(&text);
	return m;
}

static int
map_pcre_map_lookup(
    void *impl, const char *key, struct buf *value_out, struct err *err)
{
	return map_pcre_lookup(impl, key, value_out, err);
}

static void
map_pcre_close(void *impl)
{
	struct map_pcre *m = impl;

	map_pcre_free(&m);
}

const struct map_ops map_pcre_ops = {
    .type = "pcre",
    .pattern = true,
    .fold = false,
    .open = map_pcre_open,
    .lookup = map_pcre_map_lookup,
    .close = map_pcre_close,
};

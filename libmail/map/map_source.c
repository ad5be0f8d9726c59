/* SPDX-License-Identifier: MIT */
/*
 * The logical-line reader shared by every map file format, and the
 * arena-backed entry list. Pure: the text is an admin's file, handled
 * as untrusted bytes.
 */
#include "map/map_source.h"

#include <string.h>

#define MAP_SOURCE_LINE_MAX (64u * 1024)
#define MAP_SOURCE_KEY_MAX 511 /* LMDB's compiled-in key limit */
#define MAP_SOURCE_ITEMS_MAX 10000
#define MAP_SOURCE_NEST_MAX 100

struct map_source_limits
map_source_limits_default(void)
{
	struct map_source_limits lim = {
	    .line_max = MAP_SOURCE_LINE_MAX,
	    .key_max = MAP_SOURCE_KEY_MAX,
	    .items_max = MAP_SOURCE_ITEMS_MAX,
	    .nest_max = MAP_SOURCE_NEST_MAX,
	};

	return lim;
}

void
map_source_reader_init(struct map_source_reader *r, const char *name,
    const char *text, size_t len, const struct map_source_limits *lim)
{
	r->text = text;
	r->len = len;
	r->pos = 0;
	r->lineno = 1;
	r->name = name;
	r->lim = lim;
}

static bool
map_source_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * The physical line at r->pos: start and length without the newline
 * and a trailing CR. Does not advance.
 */
static size_t
map_source_peek(const struct map_source_reader *r, const char **start)
{
	const char *p = r->text + r->pos;
	const char *nl = memchr(p, '\n', r->len - r->pos);
	size_t n = nl != NULL ? (size_t)(nl - p) : r->len - r->pos;

	*start = p;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

static void
map_source_advance(struct map_source_reader *r)
{
	const char *p = r->text + r->pos;
	const char *nl = memchr(p, '\n', r->len - r->pos);

	r->pos = nl != NULL ? (size_t)(nl - r->text) + 1 : r->len;
	r->lineno++;
}

/* Blank or comment: skipped wherever it appears, even between parts. */
static bool
map_source_skippable(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && map_source_is_space(p[i]))
		i++;
	return i == n || p[i] == '#';
}

static int
map_source_take(struct map_source_reader *r, const char *p, size_t n,
    struct buf *line_out, struct err *err)
{
	if (memchr(p, '\0', n) != NULL)
		return err_set(err, ERR_PERM, "", "%s:%zu: NUL byte in line",
		    r->name, r->lineno);
	if (line_out->len + n > r->lim->line_max)
		return err_set(err, ERR_PERM, "",
		    "%s:%zu: logical line longer than %zu bytes", r->name,
		    r->lineno, r->lim->line_max);
	buf_append(line_out, p, n);
	map_source_advance(r);
	return 0;
}

int
map_source_next(struct map_source_reader *r, struct buf *line_out,
    size_t *lineno_out, struct err *err)
{
	const char *p;
	size_t n;

	buf_reset(line_out);
	for (;;) {
		if (r->pos >= r->len)
			return 0;
		n = map_source_peek(r, &p);
		if (!map_source_skippable(p, n))
			break;
		map_source_advance(r);
	}
	if (map_source_is_space(p[0]))
		return err_set(err, ERR_PERM, "",
		    "%s:%zu: continuation line with no line to continue",
		    r->name, r->lineno);
	*lineno_out = r->lineno;
	if (map_source_take(r, p, n, line_out, err) != 0)
		return -1;
	while (r->pos < r->len) {
		n = map_source_peek(r, &p);
		if (map_source_skippable(p, n)) {
			map_source_advance(r);
			continue;
		}
		if (!map_source_is_space(p[0]))
			break;
		if (map_source_take(r, p, n, line_out, err) != 0)
			return -1;
	}
	return 1;
}

void
map_source_entries_add(struct map_source_entries *e, struct arena *arena,
    const char *key, const char *value, size_t lineno)
{
	struct map_source_entry *v;

	if (e->n == e->cap) {
		/* The old array stays in the arena: at most twice the space. */
		e->cap = e->cap ? e->cap * 2 : 64;
		v = arena_alloc(arena, e->cap * sizeof(*v));
		if (e->n > 0)
			memcpy(v, e->v, e->n * sizeof(*v));
		e->v = v;
	}
	e->v[e->n].key = key;
	e->v[e->n].value = value;
	e->v[e->n].lineno = lineno;
	e->n++;
}

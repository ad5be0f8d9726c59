/* SPDX-License-Identifier: MIT */
/*
 * cidr: tables (see map_cidr.h) and their map type. Parsing and matching
 * are pure; only the map type's open reads the file.
 */
#include "map/map_cidr.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "map/map_impl.h"

/* The largest table file map_open reads. */
#define MAP_CIDR_FILE_MAX ((size_t)64 << 20)

struct map_cidr_rule {
	int family;
	uint8_t net[16];
	unsigned prefix;
	const char *result;
};

struct map_cidr {
	struct map_cidr_rule *v;
	size_t n;
	size_t cap;
};

/* "[addr]" or "addr" into family and bytes; false if neither family. */
static bool
map_cidr_addr(const char *s, size_t n, int *family, uint8_t *out)
{
	char tmp[INET6_ADDRSTRLEN + 2];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static bool
map_cidr_match(const uint8_t *a, const uint8_t *net, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	return rest == 0 ||
	    ((a[full] ^ net[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* "addr[/prefix]"; 0 or -1 with err (no name:line prefix yet). */
static int
map_cidr_network(
    const char *s, size_t n, struct map_cidr_rule *r, struct err *err)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash != NULL ? (size_t)(slash - s) : n, i;
	unsigned bits, plen = 0;

	if (!map_cidr_addr(s, alen, &r->family, r->net))
		return err_set(
		    err, ERR_PERM, "", "bad address \"%.*s\"", (int)alen, s);
	bits = r->family == AF_INET ? 32 : 128;
	r->prefix = bits;
	if (slash != NULL) {
		for (i = alen + 1; i < n && i < alen + 5; i++) {
			if (s[i] < '0' || s[i] > '9')
				break;
			plen = plen * 10 + (unsigned)(s[i] - '0');
		}
		if (i == alen + 1 || i != n || plen > bits)
			return err_set(err, ERR_PERM, "",
			    "bad prefix length in \"%.*s\"", (int)n, s);
		r->prefix = plen;
	}
	/* Postfix refuses 10.1.2.3/8 too: the admin meant something else. */
	for (i = r->prefix; i < bits; i++)
		if (r->net[i / 8] & (0x80 >> (i % 8)))
			return err_set(err, ERR_PERM, "",
			    "non-zero host bits in \"%.*s\"", (int)n, s);
	return 0;
}

static bool
map_cidr_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
map_cidr_line(struct map_cidr *m, const char *line, size_t len,
    struct arena *arena, struct err *err)
{
	struct map_cidr_rule r = {0}, *nv;
	size_t nlen = 0, vs, ve = len;

	while (nlen < len && !map_cidr_space(line[nlen]))
		nlen++;
	for (vs = nlen; vs < len && map_cidr_space(line[vs]); vs++)
		;
	while (ve > vs && map_cidr_space(line[ve - 1]))
		ve--;
	if (map_cidr_network(line, nlen, &r, err) != 0)
		return -1;
	if (vs == ve)
		return err_set(
		    err, ERR_PERM, "", "expected \"network/prefix result\"");
	r.result = arena_strndup(arena, line + vs, ve - vs);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		nv = arena_alloc(arena, m->cap * sizeof(*nv));
		if (m->n > 0)
			memcpy(nv, m->v, m->n * sizeof(*nv));
		m->v = nv;
	}
	m->v[m->n++] = r;
	return 0;
}

struct map_cidr *
map_cidr_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, struct arena *arena, struct err *err)
{
	struct map_cidr *m = arena_zalloc(arena, sizeof(*m));
	struct map_source_reader r;
	struct buf line;
	size_t lineno = 0;
	int rc;

	map_source_reader_init(&r, name, text, len, lim);
	buf_init(&line);
	while ((rc = map_source_next(&r, &line, &lineno, err)) == 1)
		if (map_cidr_line(m, line.data, line.len, arena, err) != 0) {
			err_prefix(err, "%s:%zu", name, lineno);
			rc = -1;
			break;
		}
	buf_deinit(&line);
	return rc == 0 ? m : NULL;
}

int
map_cidr_lookup(
    const struct map_cidr *m, const char *addr, struct buf *value_out)
{
	uint8_t a[16];
	int family;
	size_t i;

	if (!map_cidr_addr(addr, strlen(addr), &family, a))
		return 0;
	for (i = 0; i < m->n; i++)
		if (m->v[i].family == family &&
		    map_cidr_match(a, m->v[i].net, m->v[i].prefix)) {
			buf_set(value_out, m->v[i].result);
			return 1;
		}
	return 0;
}

/* The map type: the table and the arena it lives in. */
struct map_cidr_map {
	struct arena *arena;
	struct map_cidr *table;
};

static void *
map_cidr_open(const char *name, struct err *err)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_cidr_map *cm;
	struct buf text;

	buf_init(&text);
	if (map_read_file(name, MAP_CIDR_FILE_MAX, &text, err) != 0) {
		buf_deinit(&text);
		return NULL;
	}
	cm = xcalloc(1, sizeof(*cm));
	cm->arena = arena_new();
	cm->table =
	    map_cidr_parse(name, text.data, text.len, &lim, cm->arena, err);
	buf_deinit(&text);
	if (cm->table == NULL) {
		arena_free(&cm->arena);
		free(cm);
		return NULL;
	}
	return cm;
}

static int
map_cidr_map_lookup(
    void *impl, const char *key, struct buf *value_out, struct err *err)
{
	struct map_cidr_map *cm = impl;

	(void)err;
	return map_cidr_lookup(cm->table, key, value_out);
}

static void
map_cidr_close(void *impl)
{
	struct map_cidr_map *cm = impl;

	arena_free(&cm->arena);
	free(cm);
}

const struct map_ops map_cidr_ops = {
    .type = "cidr",
    .pattern = true,
    .fold = true,
    .open = map_cidr_open,
    .lookup = map_cidr_map_lookup,
    .close = map_cidr_close,
};

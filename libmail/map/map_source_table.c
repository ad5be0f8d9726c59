/* SPDX-License-Identifier: MIT */
/*
 * The postmap table format: "key <white space> value" per logical line.
 * Pure; the text is an admin's file, handled as untrusted bytes.
 */
#include "map/map_source.h"

#include <string.h>

static bool
map_source_table_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* ASCII only: keys are addresses, domains and IP addresses. */
static char *
map_source_table_lower(struct arena *arena, const char *s, size_t n)
{
	char *k = arena_strndup(arena, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (k[i] >= 'A' && k[i] <= 'Z')
			k[i] = (char)(k[i] - 'A' + 'a');
	return k;
}

static int
map_source_table_line(const char *name, const char *line, size_t len,
    size_t lineno, const struct map_source_limits *lim, struct arena *arena,
    struct map_source_entries *out, struct err *err)
{
	size_t klen = 0, vstart, vend = len;

	while (klen < len && !map_source_table_space(line[klen]))
		klen++;
	vstart = klen;
	while (vstart < len && map_source_table_space(line[vstart]))
		vstart++;
	while (vend > vstart && map_source_table_space(line[vend - 1]))
		vend--;
	if (klen > lim->key_max)
		return err_set(err, ERR_PERM, "",
		    "%s:%zu: key longer than %zu bytes", name, lineno,
		    lim->key_max);
	if (vstart == vend)
		return err_set(err, ERR_PERM, "",
		    "%s:%zu: expected \"key whitespace value\"", name, lineno);
	map_source_entries_add(out, arena,
	    map_source_table_lower(arena, line, klen),
	    arena_strndup(arena, line + vstart, vend - vstart), lineno);
	return 0;
}

int
map_source_table_parse(const char *name, const char *text, size_t len,
    const struct map_source_limits *lim, struct arena *arena,
    struct map_source_entries *out, struct err *err)
{
	struct map_source_reader r;
	struct buf line;
	size_t lineno = 0;
	int rc;

	map_source_reader_init(&r, name, text, len, lim);
	buf_init(&line);
	while ((rc = map_source_next(&r, &line, &lineno, err)) == 1)
		if (map_source_table_line(name, line.data, line.len, lineno,
		        lim, arena, out, err) != 0) {
			rc = -1;
			break;
		}
	buf_deinit(&line);
	return rc;
}

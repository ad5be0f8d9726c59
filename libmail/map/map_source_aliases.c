/* SPDX-License-Identifier: MIT */
/*
 * The aliases(5) format: "name: item, item, ..." per logical line, and
 * the item list syntax that local delivery reads back from the built
 * table. Pure; the text is an admin's file, handled as untrusted bytes.
 */
#include "map/map_source.h"

#include <string.h>
#include <strings.h>

#define MAP_SOURCE_INCLUDE ":include:"

static bool
map_source_aliases_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * One item from *pp up to an unquoted comma, quotes removed, outer
 * white space trimmed (quoted white space kept). 1 item, 0 empty, -1.
 */
static int
map_source_aliases_item(const char **pp, struct buf *item, struct err *err)
{
	const char *p = *pp;
	size_t keep = 0;
	bool inq = false, quoted = false;

	buf_reset(item);
	while (map_source_aliases_space(*p))
		p++;
	for (; *p != '\0' && (inq || *p != ','); p++) {
		if (*p == '"') {
			inq = !inq;
			quoted = true;
			keep = item->len;
			continue;
		}
		if (inq && *p == '\\' && p[1] != '\0')
			p++;
		buf_putc(item, *p);
		if (inq || !map_source_aliases_space(*p))
			keep = item->len;
	}
	if (inq)
		return err_set(err, ERR_PERM, "", "unterminated quote");
	buf_truncate(item, keep);
	*pp = *p == ',' ? p + 1 : p;
	return item->len > 0 || quoted ? 1 : 0;
}

static int
map_source_aliases_classify(
    const char *text, struct map_source_alias_item *out, struct err *err)
{
	size_t inc = strlen(MAP_SOURCE_INCLUDE);

	out->kind = MAP_SOURCE_ALIAS_ADDRESS;
	out->text = text;
	if (text[0] == '|') {
		out->kind = MAP_SOURCE_ALIAS_COMMAND;
		out->text = text + 1;
	} else if (text[0] == '/')
		out->kind = MAP_SOURCE_ALIAS_FILE;
	else if (strncasecmp(text, MAP_SOURCE_INCLUDE, inc) == 0) {
		out->kind = MAP_SOURCE_ALIAS_INCLUDE;
		out->text = text + inc;
	}
	if (out->text[0] == '\0')
		return err_set(err, ERR_PERM, "", "empty %s",
		    out->kind == MAP_SOURCE_ALIAS_COMMAND       ? "command"
		        : out->kind == MAP_SOURCE_ALIAS_INCLUDE ? "include path"
		                                                : "recipient");
	return 0;
}

int
map_source_aliases_split(const char *value, const struct map_source_limits *lim,
    struct arena *arena, struct map_source_alias_item **items_out,
    size_t *n_out, struct err *err)
{
	struct map_source_alias_item *v = NULL, *nv;
	size_t n = 0, cap = 0;
	struct buf item;
	int rc = 0;

	buf_init(&item);
	while (*value != '\0' && rc == 0) {
		if ((rc = map_source_aliases_item(&value, &item, err)) <= 0)
			continue;
		rc = -1;
		if (n == lim->items_max) {
			err_set(err, ERR_PERM, "", "more than %zu items",
			    lim->items_max);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = arena_alloc(arena, cap * sizeof(*nv));
			if (n > 0)
				memcpy(nv, v, n * sizeof(*nv));
			v = nv;
		}
		if (map_source_aliases_classify(
		        arena_strndup(arena, item.data, item.len), &v[n],
		        err) != 0)
			break;
		n++;
		rc = 0;
	}
	buf_deinit(&item);
	if (rc < 0)
		return -1;
	*items_out = v;
	*n_out = n;
	return 0;
}

/* Append one item in the form split() reads back, quoting if needed. */
static void
map_source_aliases_join(struct buf *out, const struct map_source_alias_item *it)
{
	const char *prefix = it->kind == MAP_SOURCE_ALIAS_COMMAND ? "|"
	    : it->kind == MAP_SOURCE_ALIAS_INCLUDE ? MAP_SOURCE_INCLUDE
	                                           : "";
	const char *s;
	bool quote = false;

	for (s = it->text; *s != '\0'; s++)
		if (*s == ',' || *s == '"' || *s == '\\' ||
		    map_source_aliases_space(*s) || *s == '\n')
			quote = true;
	if (out->len > 0)
		buf_puts(out, ", ");
	if (quote)
		buf_putc(out, '"');
	buf_puts(out, prefix);
	for (s = it->text; *s != '\0'; s++) {
		if (quote && (*s == '"' || *s == '\\'))
			buf_putc(out, '\\');
		buf_putc(out, *s);
	}
	if (quote)
		buf_putc(out, '"');
}

/* The alias name: "quoted" or up to the colon; lowercased into name. */
static int
map_source_aliases_name(
    const char *line, struct buf *name, const char **rest, struct err *err)
{
	const char *p = line;
	size_t i;

	buf_reset(name);
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return err_set(err, ERR_PERM, "",
				    "unterminated quote in name");
			if (*p == '\\' && p[1] != '\0')
				p++;
			buf_putc(name, *p);
		}
		p++;
		while (map_source_aliases_space(*p))
			p++;
	} else {
		for (; *p != '\0' && *p != ':'; p++)
			buf_putc(name, *p);
		while (name->len > 0 &&
		    map_source_aliases_space(name->data[name->len - 1]))
			buf_truncate(name, name->len - 1);
	}
	if (*p != ':')
		return err_set(err, ERR_PERM, "", "expected \"name: value\"");
	if (name->len == 0)
		return err_set(err, ERR_PERM, "", "empty alias name");
	for (i = 0; i < name->len; i++)
		if (name->data[i] >= 'A' && name->data[i] <= 'Z')
			name->data[i] = (char)(name->data[i] - 'A' + 'a');
	*rest = p + 1;
	return 0;
}

static int
map_source_aliases_line(const char *line, size_t lineno,
    const struct map_source_limits *lim, struct arena *arena,
    struct map_source_entries *out, struct err *err)
{
	struct map_source_alias_item *items;
	struct buf name, value;
	const char *rest;
	size_t n, i;
	int rc = -1;

	buf_init(&name);
	buf_init(&value);
	if (map_source_aliases_name(line, &name, &rest, err) != 0)
		goto done;
	if (name.len > lim->key_max) {
		err_set(err, ERR_PERM, "", "alias name longer than %zu bytes",
		    lim->key_max);
		goto done;
	}
	if (map_source_aliases_split(rest, lim, arena, &items, &n, err) != 0)
		goto done;
	if (n == 0) {
		err_set(err, ERR_PERM, "", "no recipients for %s", name.data);
		goto done;
	}
	for (i = 0; i < n; i++)
		map_source_aliases_join(&value, &items[i]);
	map_source_entries_add(out, arena,
	    arena_strndup(arena, name.data, name.len),
	    arena_strndup(arena, value.data, value.len), lineno);
	rc = 0;
done:
	buf_deinit(&name);
	buf_deinit(&value);
	return rc;
}

int
map_source_aliases_parse(const char *name, const char *text, size_t len,
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
		if (map_source_aliases_line(
		        line.data, lineno, lim, arena, out, err) != 0) {
			err_prefix(err, "%s:%zu", name, lineno);
			rc = -1;
			break;
		}
	buf_deinit(&line);
	return rc;
}

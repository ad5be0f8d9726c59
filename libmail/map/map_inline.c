/* SPDX-License-Identifier: MIT */
/*
 * inline:{key=value, { key = value with, commas }, ...}: a small table
 * written in main.cf itself, as in Postfix. Keys are case-folded. The
 * first of duplicate keys wins, as in built tables. Pure; the text
 * comes from main.cf.
 */
#include "map/map_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

struct map_inline {
	char **keys;
	char **values;
	size_t n;
};

static bool
map_inline_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static char *
map_inline_trim(const char *s, size_t n, bool fold)
{
	char *out;
	size_t i;

	while (n > 0 && map_inline_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && map_inline_space(s[n - 1]))
		n--;
	out = xstrndup(s, n);
	for (i = 0; fold && i < n; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] + 32);
	return out;
}

static int
map_inline_item(const char *item, size_t len, void *ctx, struct err *err)
{
	struct map_inline *m = ctx;
	const char *s = map_list_unbrace(item, &len);
	const char *eq = memchr(s, '=', len);
	char *k, *v;

	if (eq == NULL)
		return err_set(
		    err, ERR_PERM, "", "missing '=' in \"%.*s\"", (int)len, s);
	k = map_inline_trim(s, (size_t)(eq - s), true);
	v = map_inline_trim(eq + 1, len - (size_t)(eq - s) - 1, false);
	if (*k == '\0' || *v == '\0') {
		err_set(err, ERR_PERM, "", "empty %s in \"%.*s\"",
		    *k == '\0' ? "key" : "value", (int)len, s);
		free(k);
		free(v);
		return -1;
	}
	m->keys = xreallocarray(m->keys, m->n + 1, sizeof(*m->keys));
	m->values = xreallocarray(m->values, m->n + 1, sizeof(*m->values));
	m->keys[m->n] = k;
	m->values[m->n] = v;
	m->n++;
	return 0;
}

static void
map_inline_close(void *impl)
{
	struct map_inline *m = impl;
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m);
}

static void *
map_inline_open(const char *name, struct err *err)
{
	struct map_inline *m = xcalloc(1, sizeof(*m));
	size_t len = strlen(name);
	const char *body = map_list_unbrace(name, &len);
	char *copy;
	int rc;

	if (body == name) {
		err_set(err, ERR_PERM, "",
		    "inline:%s: expected {key=value, ...}", name);
		map_inline_close(m);
		return NULL;
	}
	copy = xstrndup(body, len);
	rc = map_list_split(copy, map_inline_item, m, err);
	free(copy);
	if (rc != 0) {
		err_prefix(err, "inline:%s", name);
		map_inline_close(m);
		return NULL;
	}
	return m;
}

static int
map_inline_lookup(
    void *impl, const char *key, struct buf *value_out, struct err *err)
{
	struct map_inline *m = impl;
	size_t i;

	(void)err;
	for (i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0) {
			buf_set(value_out, m->values[i]);
			return 1;
		}
	return 0;
}

const struct map_ops map_inline_ops = {
    .type = "inline",
    .pattern = false,
    .fold = true,
    .open = map_inline_open,
    .lookup = map_inline_lookup,
    .close = map_inline_close,
};

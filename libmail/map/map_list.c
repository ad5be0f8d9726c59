/* SPDX-License-Identifier: MIT */
/*
 * Splitting "a, b {c, d} e" lists the way Postfix does for maps
 * parameters and inline: tables: commas and white space separate items
 * except inside braces. Pure; the text comes from main.cf.
 */
#include "map/map_impl.h"

#include <string.h>

static bool
map_list_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

int
map_list_split(
    const char *list, map_list_item_fn *fn, void *ctx, struct err *err)
{
	const char *p = list, *start;
	size_t depth;

	for (;;) {
		while (*p != '\0' && map_list_sep(*p))
			p++;
		if (*p == '\0')
			return 0;
		start = p;
		depth = 0;
		for (; *p != '\0' && (depth > 0 || !map_list_sep(*p)); p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth-- == 0)
				return err_set(err, ERR_PERM, "",
				    "unbalanced '}' in \"%s\"", list);
		}
		if (depth > 0)
			return err_set(
			    err, ERR_PERM, "", "missing '}' in \"%s\"", list);
		if (fn(start, (size_t)(p - start), ctx, err) != 0)
			return -1;
	}
}

const char *
map_list_unbrace(const char *s, size_t *len)
{
	size_t n = *len;

	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return s;
	s++;
	n -= 2;
	while (n > 0 && map_list_sep(*s) && *s != ',') {
		s++;
		n--;
	}
	while (n > 0 && map_list_sep(s[n - 1]) && s[n - 1] != ',')
		n--;
	*len = n;
	return s;
}

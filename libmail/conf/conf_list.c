/* SPDX-License-Identifier: MIT */
/*
 * Items of LIST and MAPS values: separated by commas and/or white space,
 * with braces grouping text that holds separators, as in Postfix:
 * "inline:{a=1, b=2}" is one item, and "{ text with spaces }" is the item
 * "text with spaces". Unbalanced braces run to the end of the value.
 */
#include "conf/conf.h"

#include <string.h>
#include <strings.h>

static bool
conf_list_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
conf_list_next(const char **cursor, struct buf *item_out)
{
	const char *s = *cursor, *start, *a, *b;
	unsigned depth = 0;

	if (s == NULL)
		return false;
	while (*s != '\0' && conf_list_sep(*s))
		s++;
	if (*s == '\0') {
		*cursor = s;
		return false;
	}
	for (start = s; *s != '\0'; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && depth > 0)
			depth--;
		else if (depth == 0 && conf_list_sep(*s))
			break;
	}
	*cursor = s;
	a = start;
	b = s;
	/* A whole-item group loses its braces and the blanks inside them. */
	if (*a == '{' && b - a >= 2 && b[-1] == '}') {
		for (a++, b--; a < b && conf_list_sep(*a); a++)
			;
		while (b > a && conf_list_sep(b[-1]))
			b--;
	}
	buf_reset(item_out);
	buf_append(item_out, a, (size_t)(b - a));
	return true;
}

bool
conf_list_has(const char *list, const char *word)
{
	struct buf item;
	bool found = false;

	buf_init(&item);
	while (!found && conf_list_next(&list, &item))
		found = strcasecmp(item.data, word) == 0;
	buf_deinit(&item);
	return found;
}

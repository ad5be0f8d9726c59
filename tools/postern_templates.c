/* SPDX-License-Identifier: MIT */
/*
 * Lookup and @NAME@ expansion of the embedded etc/<name>.in templates, for
 * postern init. The templates are trusted (they are part of the build).
 */
#include "postern_templates.h"

#include <stdbool.h>
#include <string.h>

const char *
postern_template_find(const char *name)
{
	const struct postern_template *t;

	for (t = postern_templates; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	return NULL;
}

static const struct postern_template_var *
postern_template_var_find(const struct postern_template_var *vars,
    size_t nvars, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == len &&
		    memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static bool
postern_template_is_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		    (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

int
postern_template_expand(const char *text,
    const struct postern_template_var *vars, size_t nvars, struct buf *out,
    struct err *err)
{
	const struct postern_template_var *var;
	const char *at, *end;

	while ((at = strchr(text, '@')) != NULL) {
		buf_append(out, text, (size_t)(at - text));
		end = strchr(at + 1, '@');
		if (end == NULL ||
		    !postern_template_is_name(at + 1, (size_t)(end - at - 1))) {
			buf_putc(out, '@');
			text = at + 1;
			continue;
		}
		var = postern_template_var_find(vars, nvars, at + 1,
		    (size_t)(end - at - 1));
		if (var == NULL)
			return err_set(err, ERR_PERM, "",
			    "template placeholder %.*s has no value",
			    (int)(end - at + 1), at);
		buf_puts(out, var->value);
		text = end + 1;
	}
	buf_puts(out, text);
	return 0;
}

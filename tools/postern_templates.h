/* SPDX-License-Identifier: MIT */
/*
 * The etc/<name>.in templates, embedded into postern(1) at build time by
 * tools/embed.cmake, so "postern init" needs no installed data files.
 * Placeholders are @NAME@ words, filled by postern_template_expand().
 */
#ifndef TOOLS_POSTERN_TEMPLATES_H
#define TOOLS_POSTERN_TEMPLATES_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct postern_template {
	const char *name;	/* file name without .in: "main.cf" */
	const char *text;	/* NUL-terminated contents */
};

/* The generated table, ended by a { NULL, NULL } row. */
extern const struct postern_template postern_templates[];

/* The contents of template name ("main.cf"), or NULL. Static storage. */
const char *postern_template_find(const char *name);

/* One @NAME@ placeholder and its value (both borrowed). */
struct postern_template_var {
	const char *name;
	const char *value;
};

/*
 * Append text to out with every @NAME@ replaced by its value from vars.
 * An unknown @NAME@ is an error (a template and its caller disagree);
 * a lone '@' not forming a placeholder is copied. Pure. 0 or -1.
 */
int postern_template_expand(const char *text,
    const struct postern_template_var *vars, size_t nvars, struct buf *out,
    struct err *err);

#endif

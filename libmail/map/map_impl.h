/* SPDX-License-Identifier: MIT */
/*
 * What every map type implements, and the helpers the types share. Only
 * libmail/map/ includes this header.
 */
#ifndef MAP_MAP_IMPL_H
#define MAP_MAP_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "map/map.h"

struct map_ops {
	const char *type; /* "lmdb", "pcre", ... */
	/*
	 * Matches whole keys only (pcre:, cidr:): skipped for the partial
	 * keys of the lookup orders (parent domains, truncated networks,
	 * address without extension), as Postfix does.
	 */
	bool pattern;
	/* Case-fold keys before lookup (every type but pcre:). */
	bool fold;
	/* name is what follows "type:". NULL with err. */
	void *(*open)(const char *name, struct err *err);
	/* key already folded when fold is set. 1, 0 or -1. */
	int (*lookup)(void *impl, const char *key, struct buf *value_out,
	    struct err *err);
	void (*close)(void *impl);
};

struct map {
	const struct map_ops *ops;
	void *impl;
	char *spec;
	struct buf key; /* scratch for the folded key */
};

extern const struct map_ops map_static_ops;
extern const struct map_ops map_inline_ops;
extern const struct map_ops map_cidr_ops;
extern const struct map_ops map_pcre_ops;
extern const struct map_ops map_lmdb_ops;

/*
 * Read a whole map file into out (replacing it). 0, or -1 with err:
 * ERR_TEMP (cannot open or read), ERR_PERM (larger than max bytes).
 */
int map_read_file(
    const char *path, size_t max, struct buf *out, struct err *err);

/*
 * Split a list on commas and white space outside braces, as Postfix
 * does for "maps" parameters and inline: tables. Calls fn for each
 * non-empty item (start, length); stops at the first fn error. 0, or
 * -1 with err (fn's, or ERR_PERM for unbalanced braces).
 */
typedef int map_list_item_fn(
    const char *item, size_t len, void *ctx, struct err *err);
int map_list_split(
    const char *list, map_list_item_fn *fn, void *ctx, struct err *err);
/* If s (length *len) is "{ text }", strip the braces and white space. */
const char *map_list_unbrace(const char *s, size_t *len);

#endif

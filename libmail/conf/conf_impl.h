/* SPDX-License-Identifier: MIT */
/*
 * Internals of struct conf shared by the files of libmail/conf that
 * implement conf.h: the raw value store and the $name expander. Nothing
 * outside libmail/conf includes this.
 */
#ifndef CONF_CONF_IMPL_H
#define CONF_CONF_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "core/err.h"

/* Longest expanded value, and total expansion work per load, in bytes. */
#define CONF_EXPAND_MAX (1024 * 1024)
#define CONF_EXPAND_BUDGET (8 * 1024 * 1024)
/* Deepest chain of $name references and nested ${name?text}. */
#define CONF_EXPAND_DEPTH 32

/* One parameter set in main.cf or by an override. */
struct conf_entry {
	const char *name;
	const char *value; /* raw, as written */
	const char *origin; /* "main.cf:12", "command line" */
};

struct conf_store {
	struct arena *arena; /* entry strings and finished values */
	struct conf_entry *entries; /* in order of first setting */
	const char **names; /* entries[i].name, for conf_set_names() */
	size_t n, cap;
	size_t *slots; /* hash table: entry index + 1, 0 = free */
	size_t nslots; /* a power of two, at least 2 * cap */
};

struct conf_store *conf_store_new(void);
void conf_store_free(struct conf_store **stp);
/* Set or replace name; a replaced entry keeps its place. Copies all. */
void conf_store_set(struct conf_store *st, const char *name, const char *value,
    const char *origin);
/* 1 with *index_out set, or 0 when name is not set. */
int conf_store_find(
    const struct conf_store *st, const char *name, size_t *index_out);

/*
 * One expansion pass over a conf. Each parameter is expanded at most
 * once per pass and remembered, so a chain of references costs linear
 * time. Values live until conf_expand_free().
 */
struct conf_expand;

struct conf_expand *conf_expand_new(const struct conf *conf);
void conf_expand_free(struct conf_expand **xp);
/*
 * The expanded value of name: 1 found (set, or a known parameter's
 * default), 0 unknown and unset (*value_out is ""), -1 with err naming
 * the origin and parameter whose text is at fault.
 */
int conf_expand_name(struct conf_expand *x, const char *name,
    const char **value_out, struct err *err);
/* True if entry i was named in a $reference during this pass. */
bool conf_expand_referenced(const struct conf_expand *x, size_t entry);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The raw values of a conf: name, text as written and where it was
 * written, in order of first setting. A small open-addressing hash table
 * keeps lookups constant-time, because expansion looks names up many
 * times and main.cf input may be large and hostile (fuzzing).
 */
#include "conf/conf_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/xmalloc.h"

struct conf_store *
conf_store_new(void)
{
	struct conf_store *st = xcalloc(1, sizeof(*st));

	st->arena = arena_new();
	return st;
}

void
conf_store_free(struct conf_store **stp)
{
	struct conf_store *st = *stp;

	if (st == NULL)
		return;
	arena_free(&st->arena);
	free(st->entries);
	free(st->names);
	free(st->slots);
	free(st);
	*stp = NULL;
}

/* FNV-1a. */
static size_t
conf_store_hash(const char *name)
{
	uint64_t h = 14695981039346656037u;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211u;
	}
	return (size_t)h;
}

/* The slot holding name, or the free slot where it would go. */
static size_t
conf_store_slot(const struct conf_store *st, const char *name)
{
	size_t mask = st->nslots - 1;
	size_t i = conf_store_hash(name) & mask;

	while (st->slots[i] != 0 &&
	    strcmp(st->entries[st->slots[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
conf_store_grow(struct conf_store *st)
{
	size_t i;

	st->cap = st->cap == 0 ? 32 : st->cap * 2;
	st->entries = xreallocarray(st->entries, st->cap, sizeof(*st->entries));
	st->names = xreallocarray(st->names, st->cap, sizeof(*st->names));
	free(st->slots);
	st->nslots = st->cap * 2;
	st->slots = xcalloc(st->nslots, sizeof(*st->slots));
	for (i = 0; i < st->n; i++)
		st->slots[conf_store_slot(st, st->entries[i].name)] = i + 1;
}

int
conf_store_find(
    const struct conf_store *st, const char *name, size_t *index_out)
{
	size_t i;

	if (st->n == 0)
		return 0;
	i = conf_store_slot(st, name);
	if (st->slots[i] == 0)
		return 0;
	*index_out = st->slots[i] - 1;
	return 1;
}

void
conf_store_set(struct conf_store *st, const char *name, const char *value,
    const char *origin)
{
	struct conf_entry *e;
	size_t i;

	if (conf_store_find(st, name, &i) == 0) {
		if (st->n == st->cap)
			conf_store_grow(st);
		i = st->n++;
		st->entries[i].name = arena_strdup(st->arena, name);
		st->names[i] = st->entries[i].name;
		st->slots[conf_store_slot(st, name)] = i + 1;
	}
	/* A replaced value's old text stays in the arena until conf_free. */
	e = &st->entries[i];
	e->value = arena_strdup(st->arena, value);
	e->origin = arena_strdup(st->arena, origin);
}

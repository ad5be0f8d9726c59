/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the aliases source parser, and split every stored value back
 * (libmail/map/map_source_aliases.c).
 */
#include <stdint.h>
#include <stdlib.h>

#include "map/map_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_source_entries e = {0};
	struct map_source_alias_item *items;
	struct arena *arena = arena_new();
	struct err err;
	size_t i, n;

	if (map_source_aliases_parse(
	        "fuzz", (const char *)data, size, &lim, arena, &e, &err) == 0)
		for (i = 0; i < e.n; i++)
			/* What the parser stores must split back cleanly. */
			if (map_source_aliases_split(e.v[i].value, &lim, arena,
			        &items, &n, &err) != 0 ||
			    n == 0)
				abort();
	arena_free(&arena);
	return 0;
}

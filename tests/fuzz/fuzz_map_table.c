/* SPDX-License-Identifier: MIT */
/* Fuzz the postmap table source parser (libmail/map/map_source_table.c). */
#include <stdint.h>

#include "map/map_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_source_entries e = {0};
	struct arena *arena = arena_new();
	struct err err;

	(void)map_source_table_parse(
	    "fuzz", (const char *)data, size, &lim, arena, &e, &err);
	arena_free(&arena);
	return 0;
}

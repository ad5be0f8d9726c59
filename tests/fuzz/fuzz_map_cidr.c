/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the cidr: table parser and matcher (libmail/map/map_cidr.c): the
 * first line of the input is the address looked up, the rest the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "map/map_cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_source_limits lim = map_source_limits_default();
	const uint8_t *nl = memchr(data, '\n', size);
	size_t klen = nl != NULL ? (size_t)(nl - data) : size;
	char *key = xstrndup((const char *)data, klen);
	struct arena *arena = arena_new();
	struct map_cidr *m;
	struct buf v;
	struct err err;

	buf_init(&v);
	m = map_cidr_parse(
	    "fuzz", (const char *)data + klen, size - klen, &lim, arena, &err);
	if (m != NULL)
		(void)map_cidr_lookup(m, key, &v);
	buf_deinit(&v);
	arena_free(&arena);
	free(key);
	return 0;
}

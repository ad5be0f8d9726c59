/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the pcre: table parser and matcher (libmail/map/map_pcre.c): the
 * first line of the input is the lookup key, the rest is the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "map/map_pcre.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_source_limits lim = map_source_limits_default();
	struct map_pcre_limits plim = map_pcre_limits_default();
	const uint8_t *nl = memchr(data, '\n', size);
	size_t klen = nl != NULL ? (size_t)(nl - data) : size;
	char *key = xstrndup((const char *)data, klen);
	struct map_pcre *m;
	struct buf v;
	struct err err;

	plim.match_limit = 100000; /* keep each input fast */
	buf_init(&v);
	m = map_pcre_parse(
	    "fuzz", (const char *)data + klen, size - klen, &lim, &plim, &err);
	if (m != NULL)
		(void)map_pcre_lookup(m, key, &v, &err);
	map_pcre_free(&m);
	buf_deinit(&v);
	free(key);
	return 0;
}

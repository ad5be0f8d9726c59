/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the parser of a folder's keyword file (store/mbox_keywords.c)
 * and check what it keeps: only slots 0..25, each name found again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "store/mbox_keywords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct mbox_keywords kw;
	int i;

	mbox_keywords_parse((const char *)data, size, a, &kw);
	for (i = 0; i < MBOX_KEYWORDS_MAX; i++)
		if (kw.names[i] != NULL &&
		    mbox_keywords_find(&kw, kw.names[i]) != i)
			abort();
	arena_free(&a);
	return 0;
}

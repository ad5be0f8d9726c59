/* SPDX-License-Identifier: MIT */
/* Fuzz the user record decoder: a damaged users database must fail cleanly. */
#include <stdint.h>

#include "userdb/userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *arena = arena_new();
	struct userdb_user u;
	struct err err;

	if (userdb_record_decode(data, size, arena, &u, &err) == 0)
		userdb_user_wipe(&u);
	arena_free(&arena);
	return 0;
}

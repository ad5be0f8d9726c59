/* SPDX-License-Identifier: MIT */
/* Fuzz the decoder of authd's lookup reply (ipc/auth_client.c). */
#include <stdint.h>

#include "ipc/auth_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_account acct;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct err err;

	ipc_reader_init(&rd);
	if (ipc_reader_decode(&rd, data, size, &err) == 0)
		(void)auth_account_decode(&rd, &acct, a, &err);
	ipc_reader_deinit(&rd);
	arena_free(&a);
	return 0;
}

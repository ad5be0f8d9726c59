/* SPDX-License-Identifier: MIT */
/* Fuzz the login wire decoders (ipc/auth_login.c): reply and context. */
#include <stdint.h>

#include "ipc/auth_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_login_reply reply;
	struct auth_login_ctx ctx;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct err err;

	ipc_reader_init(&rd);
	if (ipc_reader_decode(&rd, data, size, &err) == 0) {
		(void)auth_login_reply_decode(&rd, &reply, a, &err);
		(void)auth_login_ctx_decode(&rd, &ctx, a, &err);
	}
	ipc_reader_deinit(&rd);
	arena_free(&a);
	return 0;
}

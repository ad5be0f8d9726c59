/* SPDX-License-Identifier: MIT */
/* Fuzz the delivery request and reply decoders (ipc/deliver_proto.c). */
#include <stdint.h>

#include "ipc/deliver_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deliver_result res[4];
	struct deliver_request req;
	struct arena *a = arena_new();
	struct ipc_reader rd;
	struct err err;

	ipc_reader_init(&rd);
	if (ipc_reader_decode(&rd, data, size, &err) == 0) {
		(void)deliver_request_decode(&rd, &req, a, &err);
		(void)deliver_reply_decode(&rd, 4, res, a, &err);
	}
	ipc_reader_deinit(&rd);
	arena_free(&a);
	return 0;
}

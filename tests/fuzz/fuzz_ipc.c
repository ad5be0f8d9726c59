/* SPDX-License-Identifier: MIT */
/* Fuzz the IPC frame decoder: hostile bytes in, attributes read back. */
#include <stdint.h>

#include "ipc/ipc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_reader rd;
	struct err err;
	const char *s;
	size_t len;
	long long n;

	(void)ipc_frame_complete(data, size, IPC_FRAME_MAX_DEFAULT, &err);
	ipc_reader_init(&rd);
	if (ipc_reader_decode(&rd, data, size, &err) == 0) {
		(void)ipc_get_str(&rd, "req", false, &s, &err);
		(void)ipc_get_bytes(&rd, "value", true, &s, &len, &err);
		(void)ipc_get_num(&rd, "size", false, 0, 1 << 30, &n, &err);
		(void)ipc_reader_done(&rd, &err);
	}
	ipc_reader_deinit(&rd);
	return 0;
}

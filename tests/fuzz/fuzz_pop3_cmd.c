/* SPDX-License-Identifier: MIT */
/* Fuzz the POP3 command line parser; the first byte picks the limit. */
#include <stdint.h>

#include "pop3/pop3_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct pop3_cmd cmd;

	if (size > 0)
		(void)pop3_cmd_parse((const char *)data + 1, size - 1,
		    (size_t)data[0] * 16 + 2, &cmd, a, NULL);
	arena_free(&a);
	return 0;
}

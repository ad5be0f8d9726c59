/* SPDX-License-Identifier: MIT */
/* Fuzz the ManageSieve command parser; the first byte picks the mode. */
#include <stdint.h>

#include "managesieve/managesieve_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct managesieve_limits lim = {.line_max = 1024,
	    .quoted_max = 256,
	    .literal_max = 4096,
	    .args_max = 4};
	struct arena *a = arena_new();
	struct managesieve_cmd cmd;
	struct err err;
	size_t skip;
	bool eol;

	if (size > 0)
		(void)managesieve_cmd_parse((const char *)data + 1, size - 1,
		    (data[0] & 1) == 0, &lim, &cmd, a, &skip, &eol, &err);
	arena_free(&a);
	return 0;
}

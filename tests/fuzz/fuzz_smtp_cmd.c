/* SPDX-License-Identifier: MIT */
/* Fuzz the SMTP command line parser; the first byte picks the options. */
#include <stdint.h>

#include "smtp/smtp_cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_cmd_limits lim = {.line_max = 2048,
	    .path_max = 256,
	    .param_max = 10,
	    .ext = size > 0 ? data[0] : 0,
	    .flags = size > 0 ? data[0] >> 6 : 0};
	struct arena *a = arena_new();
	struct smtp_cmd cmd;

	if (size > 0)
		(void)smtp_cmd_parse(
		    (const char *)data + 1, size - 1, &lim, &cmd, a, NULL);
	arena_free(&a);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz the server reply parser: the input is split into lines at LF. */
#include <stdint.h>
#include <string.h>

#include "smtp/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *nl;
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct arena *a = arena_new();

	smtp_reply_parser_init(&p, 512, 20);
	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (smtp_reply_parser_line(
		        &p, s, (size_t)(nl - s), &r, a, NULL) < 0)
			smtp_reply_parser_init(&p, 512, 20);
	}
	arena_free(&a);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz the TLS main.cf value parsers: protocol lists, security levels. */
#include <stdint.h>
#include <stdlib.h>

#include "core/xmalloc.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	enum tls_level level;
	int min, max;

	(void)tls_parse_protocols(text, &min, &max, NULL);
	(void)tls_parse_level(text, size > 0 && data[0] & 1, &level, NULL);
	free(text);
	return 0;
}

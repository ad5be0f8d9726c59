/* SPDX-License-Identifier: MIT */
/* Fuzz domain_local_match: "list\ndomain", any bytes in either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "msg/domain_local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	char *nl;

	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = '\0';
	(void)domain_local_match(s, nl != NULL ? nl + 1 : s);
	free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Fuzz the master.cf parser. */
#include <stdint.h>

#include "conf/mastercf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mastercf mcf;

	if (mastercf_parse((const char *)data, size, "master.cf", &mcf, NULL) ==
	    0)
		mastercf_deinit(&mcf);
	return 0;
}

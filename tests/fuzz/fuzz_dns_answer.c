/* SPDX-License-Identifier: MIT */
/* Fuzz the DNS answer parser: the input is one reply, read as MX, A and
 * AAAA in turn. */
#include <arpa/nameser.h>
#include <stdint.h>

#include "dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = {ns_t_mx, ns_t_a, ns_t_aaaa};
	struct arena *a = arena_new();
	void *out;
	size_t i;

	for (i = 0; i < 3; i++)
		(void)dns_parse_answer(data, size, types[i], &out, a, NULL);
	arena_free(&a);
	return 0;
}

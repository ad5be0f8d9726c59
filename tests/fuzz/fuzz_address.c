/* SPDX-License-Identifier: MIT */
/* Fuzz the RFC 5321 mailbox and RFC 5322 address-list parsers. */
#include <stdint.h>
#include <string.h>

#include "msg/address.h"
#include "msg/address_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	unsigned flags = size > 0 && (data[0] & 1) ? ADDRESS_SMTPUTF8 : 0;
	struct address addr;
	struct address_list l;
	struct address_parts p;
	char *s;

	if (address_parse((const char *)data, size, flags, &addr, a, NULL) ==
	    0) {
		s = address_canonical(&addr, a);
		address_split(s, strlen(s), "+-", &p);
	}
	(void)address_list_parse(
	    (const char *)data, size, flags, 64, &l, a, NULL);
	arena_free(&a);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the DATA decoder and check the result does not depend on chunking:
 * the input fed whole and split at a point chosen by its first byte must
 * decode to the same bytes, consumed count and end-of-data verdict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct smtp_data_opts opts = {.size_max = 4096};
	const char *in = (const char *)data;
	size_t split = size > 0 ? data[0] % size : 0, n1, n2;
	struct smtp_data d1, d2;
	struct buf b1, b2;
	int code;

	buf_init(&b1);
	buf_init(&b2);
	smtp_data_init(&d1, &opts);
	smtp_data_init(&d2, &opts);
	n1 = smtp_data_feed(&d1, in, size, &b1);
	n2 = smtp_data_feed(&d2, in, split, &b2);
	if (!d2.done)
		n2 += smtp_data_feed(&d2, in + split, size - split, &b2);
	if (n1 != n2 || d1.done != d2.done || d1.size != d2.size ||
	    b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	if (d1.done)
		(void)smtp_data_finish(&d1, &code, NULL);
	buf_deinit(&b1);
	buf_deinit(&b2);
	return 0;
}

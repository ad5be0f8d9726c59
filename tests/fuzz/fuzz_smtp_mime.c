/* SPDX-License-Identifier: MIT */
/* Fuzz the 8-bit to quoted-printable converter over a whole message. */
#include <stdint.h>

#include "smtp/smtp_mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;

	buf_init(&out);
	smtp_mime_to7bit((const char *)data, size, &out);
	buf_deinit(&out);
	return 0;
}

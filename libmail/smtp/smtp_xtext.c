/* SPDX-License-Identifier: MIT */
/*
 * xtext decoding and encoding, RFC 3461 §4.
 */
#include "smtp/smtp_xtext.h"

#include <string.h>
#include <strings.h>

static int
smtp_xtext_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
smtp_xtext_decode(
    const char *in, size_t len, struct arena *arena, size_t *len_out)
{
	char *out = arena_alloc(arena, len + 1);
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '+') {
			if (len - i < 3)
				return NULL;
			hi = smtp_xtext_hex(in[i + 1]);
			lo = smtp_xtext_hex(in[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c >= '!' && c <= '~' && c != '=') {
			out[n++] = (char)c;
		} else {
			return NULL;
		}
	}
	out[n] = '\0';
	if (len_out != NULL)
		*len_out = n;
	return out;
}

void
smtp_xtext_encode(struct buf *out, const char *in, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= '!' && c <= '~' && c != '+' && c != '=') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '+');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

const char *
smtp_orcpt_address(const char *orcpt, struct arena *arena)
{
	const char *semi;
	char *addr;
	size_t len, i;

	if (orcpt == NULL || (semi = strchr(orcpt, ';')) == NULL ||
	    (size_t)(semi - orcpt) != 6 || strncasecmp(orcpt, "rfc822", 6) != 0)
		return NULL;
	addr = smtp_xtext_decode(semi + 1, strlen(semi + 1), arena, &len);
	if (addr == NULL || len == 0)
		return NULL;
	for (i = 0; i < len; i++)
		if ((unsigned char)addr[i] < 0x20 || (unsigned char)addr[i] == 0x7f)
			return NULL;
	return addr;
}

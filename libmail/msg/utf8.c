/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 validation following RFC 3629 §4 (the UTF8-octets grammar), which
 * excludes overlong encodings and UTF-16 surrogates by construction.
 */
#include "msg/utf8.h"

static bool
utf8_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

size_t
utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c, lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	/* RFC 3629 §4: the second octet's range depends on the first. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (!utf8_is_cont(s[i]))
			return 0;
	return n;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq_len(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

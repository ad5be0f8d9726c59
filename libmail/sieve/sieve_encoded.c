/* SPDX-License-Identifier: MIT */
/*
 * RFC 5228 §2.4.2.4 encoded-character: "${hex: 41 42}" and
 * "${unicode: 263A}" in script strings, decoded once at compile time.
 * A malformed sequence is left as written; a code point outside 0-D7FF /
 * E000-10FFFF is an error (§2.4.2.4). Input is an untrusted script.
 */
#include "sieve/sieve_impl.h"

#include <string.h>
#include <strings.h>

static int
sieve_encoded_xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
sieve_encoded_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
sieve_encoded_utf8(struct buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (char)(0xc0 | (cp >> 6)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xe0 | (cp >> 12)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(out, (char)(0xf0 | (cp >> 18)));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

#define SIEVE_ENCODED_BAD SIZE_MAX	/* a code point out of range */

/*
 * Decode the body of one "${hex:" or "${unicode:" (p after the colon, up
 * to end) into out. Returns the bytes used through '}', 0 when the
 * sequence is malformed (the caller rolls back), or SIEVE_ENCODED_BAD.
 */
static size_t
sieve_encoded_body(const char *p, const char *end, bool unicode,
    struct buf *out)
{
	const char *q = p;
	size_t groups = 0;

	for (;;) {
		uint32_t v = 0;
		size_t digits = 0;

		while (q < end && sieve_encoded_blank(*q))
			q++;
		if (q < end && *q == '}')
			return groups > 0 ? (size_t)(q + 1 - p) : 0;
		while (q < end && sieve_encoded_xdigit(*q) >= 0) {
			if (++digits > (unicode ? 8 : 2))
				return 0;
			v = v * 16 + (uint32_t)sieve_encoded_xdigit(*q++);
		}
		if (digits == 0 || (!unicode && digits != 2))
			return 0;
		if (q < end && !sieve_encoded_blank(*q) && *q != '}')
			return 0;
		if (unicode) {
			if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
				return SIEVE_ENCODED_BAD;
			sieve_encoded_utf8(out, v);
		} else {
			buf_putc(out, (char)v);
		}
		groups++;
	}
}

int
sieve_encoded_decode(struct sieve_str *s, struct arena *arena)
{
	const char *p = s->s, *end = s->s + s->len;
	struct buf out;
	bool changed = false;

	if (memmem(s->s, s->len, "${", 2) == NULL)
		return 0;
	buf_init(&out);
	while (p < end) {
		size_t mark = out.len, skip = 0, used = 0;

		if (end - p > 6 && strncasecmp(p, "${hex:", 6) == 0) {
			skip = 6;
			used = sieve_encoded_body(p + 6, end, false, &out);
		} else if (end - p > 10 &&
		    strncasecmp(p, "${unicode:", 10) == 0) {
			skip = 10;
			used = sieve_encoded_body(p + 10, end, true, &out);
		}
		if (used == SIEVE_ENCODED_BAD) {
			buf_deinit(&out);
			return -1;
		}
		if (used == 0) {
			buf_truncate(&out, mark);
			buf_putc(&out, *p++);
			continue;
		}
		p += skip + used;
		changed = true;
	}
	if (changed) {
		s->s = arena_strndup(arena, out.data, out.len);
		s->len = out.len;
	}
	buf_deinit(&out);
	return 0;
}

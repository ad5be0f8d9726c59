/* SPDX-License-Identifier: MIT */
/*
 * IMAP string writer: picks atom, quoted string or literal so that any
 * bytes (from a message or a client) reach the client intact and can
 * never break the response's framing.
 */
#include "imap/imap_write.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "msg/utf8.h"

/* Longer strings go as literals: they are cheaper for clients to read. */
#define IMAP_WRITE_QUOTED_MAX 1024

static bool
imap_write_quotable(const char *s, size_t len, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (len > IMAP_WRITE_QUOTED_MAX)
		return false;
	while (i < len) {
		if (u[i] >= 0x80) {
			size_t n;

			if (!(flags & IMAP_WRITE_UTF8))
				return false;
			n = utf8_seq_len(u + i, len - i);
			if (n == 0)
				return false;
			i += n;
			continue;
		}
		/* RFC 3501 §9 QUOTED-CHAR: any TEXT-CHAR; no CR, LF, NUL. */
		if (u[i] < 0x20 || u[i] == 0x7f)
			return false;
		i++;
	}
	return true;
}

void
imap_write_literal(struct buf *out, const char *s, size_t len)
{
	buf_printf(out, "{%zu}\r\n", len);
	buf_append(out, s, len);
}

void
imap_write_string(struct buf *out, const char *s, size_t len, unsigned flags)
{
	size_t i, start;

	if (!imap_write_quotable(s, len, flags)) {
		if ((flags & IMAP_WRITE_BINARY) && memchr(s, '\0', len) != NULL)
			buf_putc(out, '~');
		imap_write_literal(out, s, len);
		return;
	}
	buf_putc(out, '"');
	for (i = start = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			buf_append(out, s + start, i - start);
			buf_putc(out, '\\');
			start = i;
		}
	}
	buf_append(out, s + start, len - start);
	buf_putc(out, '"');
}

void
imap_write_nstring(struct buf *out, const char *s, unsigned flags)
{
	if (s == NULL)
		buf_append(out, "NIL", 3);
	else
		imap_write_string(out, s, strlen(s), flags);
}

void
imap_write_cstring(struct buf *out, const char *s, unsigned flags)
{
	imap_write_string(out, s, strlen(s), flags);
}

/* RFC 3501 §9 ASTRING-CHAR: ATOM-CHAR or resp-specials (']'). */
static bool
imap_write_astring_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return strchr("(){%*\"\\", c) == NULL;
}

static bool
imap_write_is_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 3 && strncasecmp(s, "NIL", 3) == 0))
		return false;
	for (i = 0; i < len; i++)
		if (!imap_write_astring_char((unsigned char)s[i]))
			return false;
	return true;
}

void
imap_write_astring(struct buf *out, const char *s, size_t len, unsigned flags)
{
	if (imap_write_is_atom(s, len))
		buf_append(out, s, len);
	else
		imap_write_string(out, s, len, flags);
}

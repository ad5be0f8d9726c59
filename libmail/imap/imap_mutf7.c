/* SPDX-License-Identifier: MIT */
/*
 * Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) to and
 * from UTF-8, and the name checks that keep a client inside its mail
 * store. Input is a client's mailbox name. store/mbox_folder.h then
 * maps the checked name to a Maildir++ folder (and refuses empty
 * levels); this file refuses what must never reach it.
 */
#include "imap/imap_parse.h"

#include <string.h>
#include <strings.h>

#include "msg/utf8.h"

static const char imap_mutf7_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
imap_mutf7_cannot(struct err *err, const char *why)
{
	return err_set(err, ERR_PERM, "CANNOT", "bad mailbox name: %s", why);
}

static void
imap_mutf7_put_utf8(struct buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (char)(0xc0 | cp >> 6));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xe0 | cp >> 12));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(out, (char)(0xf0 | cp >> 18));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * One "&...-" run starting after the '&' at s[*i]: base64 of UTF-16BE.
 * Characters that could be written directly are refused (the encoding
 * must be the unique one), and so are broken surrogates and leftovers.
 */
static int
imap_mutf7_run(
    const char *s, size_t len, size_t *i, struct buf *out, struct err *err)
{
	uint32_t acc = 0, hi = 0;
	int bits = 0;
	size_t start = *i;

	for (; *i < len && s[*i] != '-'; (*i)++) {
		const char *v = memchr(imap_mutf7_b64, s[*i], 64);

		if (v == NULL || s[*i] == '\0')
			return imap_mutf7_cannot(err, "bad modified UTF-7");
		acc = (acc << 6) | (uint32_t)(v - imap_mutf7_b64);
		bits += 6;
		if (bits < 16)
			continue;
		bits -= 16;
		uint32_t u = (acc >> bits) & 0xffff;

		if (u >= 0xd800 && u <= 0xdbff && hi == 0) {
			hi = u;
			continue;
		}
		if (hi != 0) {
			if (u < 0xdc00 || u > 0xdfff)
				return imap_mutf7_cannot(err, "bad surrogate");
			u = 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00);
			hi = 0;
		} else if ((u >= 0xdc00 && u <= 0xdfff) ||
		    (u >= 0x20 && u <= 0x7e)) {
			return imap_mutf7_cannot(err, "bad modified UTF-7");
		}
		imap_mutf7_put_utf8(out, u);
	}
	if (*i == len || *i == start || hi != 0 || bits >= 6 ||
	    (acc & ((1u << bits) - 1)) != 0)
		return imap_mutf7_cannot(err, "bad modified UTF-7");
	return 0;
}

static int
imap_mutf7_decode(const char *s, size_t len, struct buf *out, struct err *err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return imap_mutf7_cannot(err, "8-bit octet");
		if (c != '&') {
			buf_putc(out, (char)c);
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			buf_putc(out, '&');
			i++;
			continue;
		}
		i++;
		if (imap_mutf7_run(s, len, &i, out, err) != 0)
			return -1;
	}
	return 0;
}

/* No control characters, no leading '/', no "." or ".." level. */
static int
imap_mutf7_check(const char *s, size_t len, struct err *err)
{
	size_t i, level = 0;

	if (len == 0)
		return imap_mutf7_cannot(err, "empty");
	if (s[0] == '/')
		return imap_mutf7_cannot(err, "leading '/'");
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			size_t n = i - level;

			if ((n == 1 && s[level] == '.') ||
			    (n == 2 && s[level] == '.' && s[level + 1] == '.'))
				return imap_mutf7_cannot(
				    err, "'.' or '..' level");
			level = i + 1;
			continue;
		}
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return imap_mutf7_cannot(err, "control character");
		/* U+0080..U+009F, the C1 controls, in UTF-8. */
		if ((unsigned char)s[i] == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] < 0xa0)
			return imap_mutf7_cannot(err, "control character");
	}
	return 0;
}

int
imap_mailbox_decode(
    const char *name, size_t len, bool utf8, struct buf *out, struct err *err)
{
	size_t start = out->len;

	if (len == 5 && strncasecmp(name, "INBOX", 5) == 0) {
		buf_append(out, "INBOX", 5);
		return 0;
	}
	if (utf8) {
		if (!utf8_valid(name, len))
			return imap_mutf7_cannot(err, "not UTF-8");
		buf_append(out, name, len);
	} else if (imap_mutf7_decode(name, len, out, err) != 0) {
		buf_truncate(out, start);
		return -1;
	}
	if (imap_mutf7_check(out->data + start, out->len - start, err) != 0) {
		buf_truncate(out, start);
		return -1;
	}
	return 0;
}

/* Base64 (modified alphabet, no padding) of UTF-16BE units. */
static void
imap_mutf7_flush(struct buf *out, const uint16_t *u, size_t n)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	buf_putc(out, '&');
	for (i = 0; i < n; i++) {
		acc = (acc << 16) | u[i];
		bits += 16;
		while (bits >= 6) {
			bits -= 6;
			buf_putc(out, imap_mutf7_b64[(acc >> bits) & 0x3f]);
		}
	}
	if (bits > 0)
		buf_putc(out, imap_mutf7_b64[(acc << (6 - bits)) & 0x3f]);
	buf_putc(out, '-');
}

static uint32_t
imap_mutf7_cp(const unsigned char *s, size_t n)
{
	if (n == 2)
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	if (n == 3)
		return (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

int
imap_mailbox_encode(const char *name, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)name;
	uint16_t units[64];
	size_t i = 0, nu = 0;

	if (!utf8_valid(name, len))
		return -1;
	while (i < len) {
		size_t n = utf8_seq_len(s + i, len - i);

		if (s[i] >= 0x20 && s[i] <= 0x7e) {
			if (nu > 0)
				imap_mutf7_flush(out, units, nu);
			nu = 0;
			if (s[i] == '&')
				buf_append(out, "&-", 2);
			else
				buf_putc(out, (char)s[i]);
			i++;
			continue;
		}
		uint32_t cp = n == 1 ? s[i] : imap_mutf7_cp(s + i, n);

		if (nu + 2 > sizeof(units) / sizeof(units[0])) {
			/* A long run is split; still a valid encoding. */
			imap_mutf7_flush(out, units, nu);
			nu = 0;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[nu++] = (uint16_t)(0xd800 | (cp >> 10));
			units[nu++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			units[nu++] = (uint16_t)cp;
		}
		i += n;
	}
	if (nu > 0)
		imap_mutf7_flush(out, units, nu);
	return 0;
}

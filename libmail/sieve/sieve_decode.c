/* SPDX-License-Identifier: MIT */
/*
 * RFC 2047 encoded words in header values, decoded for the header tests
 * (RFC 5228 §2.7.2: compare text, not its encoding); the B and Q
 * decoding itself is libmail/mime's. Encoded words in UTF-8 and US-ASCII are
 * decoded, ISO-8859-1 is converted to UTF-8; other charsets are left
 * encoded (no conversion library here). Input is untrusted message data;
 * malformed encodings are skipped or left as they are, never an error.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "core/xmalloc.h"
#include "mime/mime.h"

/* ISO-8859-1 to UTF-8: each octet is its code point. */
static void
sieve_decode_latin1(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, (char)(0xc0 | (c >> 6)));
			buf_putc(b, (char)(0x80 | (c & 0x3f)));
		}
	}
}

/*
 * One encoded word "=?cs?E?text?=" at p (up to end): decoded into b,
 * returns its length; 0 when it is not one we decode.
 */
static size_t
sieve_decode_word(struct buf *b, const char *p, const char *end)
{
	const char *cs = p + 2, *q1, *q2, *stop;
	struct buf raw;
	bool latin1, utf8;
	char enc;

	q1 = memchr(cs, '?', (size_t)(end - cs));
	if (q1 == NULL || end - q1 < 4 || q1[2] != '?')
		return 0;
	enc = q1[1];
	if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q')
		return 0;
	q2 = q1 + 3;
	stop = memmem(q2, (size_t)(end - q2), "?=", 2);
	if (stop == NULL || memchr(q2, ' ', (size_t)(stop - q2)) != NULL)
		return 0;
	/* RFC 2231 §5: a language suffix after '*' is ignored */
	utf8 = strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs,
	    "us-ascii", 8) == 0;
	latin1 = strncasecmp(cs, "iso-8859-1", 10) == 0 &&
	    (cs + 10 == q1 || cs[10] == '*');
	if (!utf8 && !latin1)
		return 0;
	buf_init(&raw);
	if (enc == 'B' || enc == 'b') {
		(void)mime_decode(MIME_ENC_BASE64, q2, (size_t)(stop - q2),
		    &raw, NULL);
	} else {
		/* RFC 2047 §4.2: "Q" is quoted-printable with '_' a space */
		char *q = xstrndup(q2, (size_t)(stop - q2));

		for (char *c = q; *c != '\0'; c++)
			if (*c == '_')
				*c = ' ';
		(void)mime_decode(MIME_ENC_QP, q, strlen(q), &raw, NULL);
		free(q);
	}
	if (latin1)
		sieve_decode_latin1(b, raw.data, raw.len);
	else
		buf_append(b, raw.data, raw.len);
	buf_deinit(&raw);
	return (size_t)(stop + 2 - p);
}

const char *
sieve_mime_decode_header(struct arena *a, const char *value, size_t len,
    size_t *len_out)
{
	const char *p = value, *end = value + len, *hit;
	struct buf b;
	char *out;
	bool prev_word = false;

	*len_out = len;
	if (memmem(value, len, "=?", 2) == NULL)
		return value;
	buf_init(&b);
	while (p < end && (hit = memmem(p, (size_t)(end - p), "=?", 2))) {
		size_t mark, n;
		const char *q = p;

		/* RFC 2047 §6.2: blanks between two encoded words go */
		while (prev_word && q < hit && (*q == ' ' || *q == '\t'))
			q++;
		if (q != hit)
			buf_append(&b, p, (size_t)(hit - p));
		mark = b.len;
		n = sieve_decode_word(&b, hit, end);
		if (n == 0) {
			buf_truncate(&b, mark);
			buf_append(&b, hit, 2);
			p = hit + 2;
			prev_word = false;
			continue;
		}
		p = hit + n;
		prev_word = true;
	}
	buf_append(&b, p, (size_t)(end - p));
	out = arena_strndup(a, b.data, b.len);
	*len_out = b.len;
	buf_deinit(&b);
	return out;
}

/* SPDX-License-Identifier: MIT */
/*
 * RFC 2047 encoded words ("=?utf-8?q?caf=C3=A9?=") in header values,
 * decoded to UTF-8 for SEARCH matching and the SORT/THREAD base
 * subject. Input is an untrusted header value; charsets are converted
 * with iconv(3) from libc; anything that does not decode cleanly is
 * kept as written.
 */
#include "mime/mime.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "msg/utf8.h"

/* RFC 2047 §2 limits words to 75 octets; real mail is sloppier. */
#define MIME_RFC2047_WORD_MAX 1024

struct mime_rfc2047_word {
	const char *charset; /* not NUL-terminated */
	size_t charset_len;
	char enc; /* 'B' or 'Q' */
	const char *text;
	size_t text_len;
	size_t len; /* the whole word, "=?" to "?=" */
};

/* Recognise an encoded word at s; 1 with w filled, else 0. */
static int
mime_rfc2047_scan(const char *s, size_t len, struct mime_rfc2047_word *w)
{
	const char *q1, *q2, *end;
	size_t max = len < MIME_RFC2047_WORD_MAX ? len : MIME_RFC2047_WORD_MAX;

	if (max < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	q1 = memchr(s + 2, '?', max - 2);
	if (q1 == NULL || q1 == s + 2 || (size_t)(q1 - s) + 3 >= max ||
	    q1[2] != '?')
		return 0;
	w->enc = (char)(q1[1] & ~0x20);
	if (w->enc != 'B' && w->enc != 'Q')
		return 0;
	q2 = q1 + 3;
	end = q2;
	while ((size_t)(end - s) + 1 < max && !(end[0] == '?' && end[1] == '='))
		end++;
	if ((size_t)(end - s) + 1 >= max)
		return 0;
	w->charset = s + 2;
	w->charset_len = (size_t)(q1 - s - 2);
	/* RFC 2231 §5: "charset*language"; the language is dropped. */
	const char *star = memchr(w->charset, '*', w->charset_len);

	if (star != NULL)
		w->charset_len = (size_t)(star - w->charset);
	w->text = q2;
	w->text_len = (size_t)(end - q2);
	w->len = (size_t)(end - s) + 2;
	return memchr(w->text, ' ', w->text_len) == NULL &&
	    memchr(w->text, '\t', w->text_len) == NULL;
}

/* Q encoding (RFC 2047 §4.2): quoted-printable with '_' for space. */
static void
mime_rfc2047_q(const struct mime_rfc2047_word *w, struct buf *out)
{
	size_t i;

	for (i = 0; i < w->text_len; i++) {
		if (w->text[i] == '_') {
			buf_putc(out, ' ');
		} else if (w->text[i] == '=' && i + 2 < w->text_len) {
			(void)mime_decode(
			    MIME_ENC_QP, w->text + i, 3, out, NULL);
			i += 2;
		} else {
			buf_putc(out, w->text[i]);
		}
	}
}

/* Convert bytes in charset to UTF-8, appended; 0, or -1 (out as was). */
static int
mime_rfc2047_convert(
    const char *charset, const char *in, size_t len, struct buf *out)
{
	size_t start = out->len, left = len, room;
	char *ip = (char *)in, *op;
	iconv_t cd;

	if (strcasecmp(charset, "utf-8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0) {
		if (!utf8_valid(in, len))
			return -1;
		buf_append(out, in, len);
		return 0;
	}
	if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return -1;
	while (left > 0) {
		buf_reserve(out, left * 4 + 16);
		op = out->data + out->len;
		room = out->cap - out->len - 1;
		if (iconv(cd, &ip, &left, &op, &room) == (size_t)-1 &&
		    errno != E2BIG) {
			iconv_close(cd);
			buf_truncate(out, start);
			return -1;
		}
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
	}
	iconv_close(cd);
	return 0;
}

/* Decode one word, appended to out; -1 when it must stay as written. */
static int
mime_rfc2047_word(const struct mime_rfc2047_word *w, struct buf *out)
{
	char charset[64];
	struct buf raw;
	int rc;

	if (w->charset_len >= sizeof(charset))
		return -1;
	memcpy(charset, w->charset, w->charset_len);
	charset[w->charset_len] = '\0';
	buf_init(&raw);
	if (w->enc == 'B')
		(void)mime_decode(
		    MIME_ENC_BASE64, w->text, w->text_len, &raw, NULL);
	else
		mime_rfc2047_q(w, &raw);
	rc = mime_rfc2047_convert(charset, raw.data, raw.len, out);
	buf_deinit(&raw);
	return rc;
}

void
mime_rfc2047_decode(const char *s, size_t len, struct buf *out)
{
	struct mime_rfc2047_word w;
	size_t i = 0, gap = 0, mark;
	bool after_word = false;

	while (i < len) {
		mark = out->len;
		if (mime_rfc2047_scan(s + i, len - i, &w) &&
		    mime_rfc2047_word(&w, out) == 0) {
			/* §6.2: white space between two encoded words is
			   dropped: move this word's text over it. */
			if (after_word && mark > gap) {
				memmove(out->data + gap, out->data + mark,
				    out->len - mark);
				buf_truncate(out, gap + out->len - mark);
			}
			i += w.len;
			after_word = true;
			gap = out->len;
			continue;
		}
		if (s[i] != ' ' && s[i] != '\t')
			after_word = false;
		buf_putc(out, s[i++]);
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * Content-Transfer-Encoding decoding (RFC 2045 §6.7 quoted-printable,
 * §6.8 base64) for IMAP BINARY[] (RFC 3516). Input is an untrusted body:
 * decoding is lenient, never fails on bad data, and runs in one pass.
 */
#include "mime/mime.h"

#include <string.h>

static int
mime_decode_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static void
mime_decode_base64(const char *in, size_t len, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i;

	buf_reserve(out, len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		int v;

		if (in[i] == '=')
			break; /* padding: the data is over */
		v = mime_decode_b64_value((unsigned char)in[i]);
		if (v < 0)
			continue; /* §6.8: ignore characters outside */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static int
mime_decode_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Length of the line's content once trailing white space is dropped. */
static size_t
mime_decode_qp_trim(const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return len;
}

static void
mime_decode_qp_line(const char *s, size_t len, bool eol, struct buf *out)
{
	size_t i;

	len = mime_decode_qp_trim(s, len);
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 1 == len)
			return; /* soft line break: no line end */
		hi =
		    i + 2 < len ? mime_decode_hex((unsigned char)s[i + 1]) : -1;
		lo =
		    i + 2 < len ? mime_decode_hex((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			buf_putc(out, '='); /* §6.7 note (2): keep it */
			continue;
		}
		buf_putc(out, (char)(hi << 4 | lo));
		i += 2;
	}
	if (eol)
		buf_append(out, "\r\n", 2);
}

static void
mime_decode_qp(const char *in, size_t len, struct buf *out)
{
	size_t pos = 0;

	buf_reserve(out, len);
	while (pos < len) {
		const char *lf = memchr(in + pos, '\n', len - pos);
		size_t end = lf == NULL ? len : (size_t)(lf - in);
		size_t content = end;

		if (lf != NULL && content > pos && in[content - 1] == '\r')
			content--;
		mime_decode_qp_line(in + pos, content - pos, lf != NULL, out);
		pos = lf == NULL ? len : end + 1;
	}
}

int
mime_decode(enum mime_encoding enc, const char *in, size_t len, struct buf *out,
    struct err *err)
{
	switch (enc) {
	case MIME_ENC_BASE64:
		mime_decode_base64(in, len, out);
		return 0;
	case MIME_ENC_QP:
		mime_decode_qp(in, len, out);
		return 0;
	case MIME_ENC_7BIT:
	case MIME_ENC_8BIT:
	case MIME_ENC_BINARY:
		buf_append(out, in, len);
		return 0;
	case MIME_ENC_UNKNOWN:
		break;
	}
	return err_set(
	    err, ERR_PERM, "UNKNOWN-CTE", "unknown Content-Transfer-Encoding");
}

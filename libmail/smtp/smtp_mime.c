/* SPDX-License-Identifier: MIT */
/*
 * The converter of smtp_mime.h, over one buffer holding the message:
 * each entity is split into its header section and body; multiparts
 * recurse into the spans between boundary lines (RFC 2046 section
 * 5.1.1: the line break before a delimiter belongs to the delimiter);
 * leaves are quoted-printable encoded when they need it. Everything
 * that is not rewritten is copied byte for byte.
 */
#include "smtp/smtp_mime.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* RFC 2045 section 6.7 rule 5: encoded lines are at most 76 octets. */
#define SMTP_MIME_QP_LINE 76

/* What an entity's header says. */
struct smtp_mime_head {
	size_t hdr_len; /* header fields, up to the separator line */
	size_t body_off; /* after the empty line (len when none) */
	bool multipart;
	bool message;
	bool cte_plain; /* CTE absent, 7bit or 8bit */
	bool mime_version;
	char boundary[71]; /* RFC 2046: 1 to 70 characters */
};

/* Length of the line at p (its line end included). */
static size_t
smtp_mime_line(const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);

	return nl != NULL ? (size_t)(nl - p) + 1 : len;
}

/* Length without the line end. */
static size_t
smtp_mime_trim_eol(const char *p, size_t len)
{
	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	return len;
}

/* The boundary parameter of a Content-Type value (v, n bytes). */
static void
smtp_mime_boundary(const char *v, size_t n, char *out, size_t size)
{
	size_t i = 0, k = 0;
	bool quoted;

	for (; i + 9 <= n; i++)
		if (strncasecmp(v + i, "boundary=", 9) == 0 &&
		    (i == 0 || v[i - 1] == ';' || isspace((unsigned char)v[i - 1])))
			break;
	if (i + 9 > n)
		return;
	i += 9;
	quoted = i < n && v[i] == '"';
	i += quoted;
	for (; i < n && k + 1 < size; i++) {
		if (quoted ? v[i] == '"'
		           : (v[i] == ';' || isspace((unsigned char)v[i])))
			break;
		if (v[i] != '\r' && v[i] != '\n')
			out[k++] = v[i];
	}
	out[k] = '\0';
}

/* Apply one header field (raw bytes, folding included). */
static void
smtp_mime_field(const char *f, size_t n, struct smtp_mime_head *h)
{
	const char *v;
	size_t i;

	if (n > 13 && strncasecmp(f, "Content-Type:", 13) == 0) {
		for (v = f + 13; v < f + n && isspace((unsigned char)*v); v++)
			;
		i = (size_t)(f + n - v);
		h->multipart = i >= 10 && strncasecmp(v, "multipart/", 10) == 0;
		h->message = i >= 8 && strncasecmp(v, "message/", 8) == 0;
		if (h->multipart)
			smtp_mime_boundary(v, i, h->boundary,
			    sizeof(h->boundary));
	} else if (n > 26 &&
	    strncasecmp(f, "Content-Transfer-Encoding:", 26) == 0) {
		for (v = f + 26; v < f + n && isspace((unsigned char)*v); v++)
			;
		i = smtp_mime_trim_eol(v, (size_t)(f + n - v));
		while (i > 0 && isspace((unsigned char)v[i - 1]))
			i--;
		h->cte_plain = (i == 4 && (strncasecmp(v, "7bit", 4) == 0 ||
		                              strncasecmp(v, "8bit", 4) == 0));
	} else if (n > 13 && strncasecmp(f, "MIME-Version:", 13) == 0)
		h->mime_version = true;
}

/* The field at *off (folding included): its length, *off moved past
 * it; 0 at the end of the header section. */
static size_t
smtp_mime_next_field(const char *in, size_t hdr_len, size_t *off)
{
	size_t start = *off;

	if (start >= hdr_len)
		return 0;
	*off += smtp_mime_line(in + *off, hdr_len - *off);
	while (*off < hdr_len && (in[*off] == ' ' || in[*off] == '\t'))
		*off += smtp_mime_line(in + *off, hdr_len - *off);
	return *off - start;
}

/* Read the header section of the entity in[0..len). */
static void
smtp_mime_head(const char *in, size_t len, struct smtp_mime_head *h)
{
	size_t off = 0, l;

	memset(h, 0, sizeof(*h));
	h->cte_plain = true;
	h->body_off = len;
	h->hdr_len = len;
	for (; off < len; off += l) {
		l = smtp_mime_line(in + off, len - off);
		if (smtp_mime_trim_eol(in + off, l) == 0) {
			h->hdr_len = off;
			h->body_off = off + l;
			break;
		}
	}
	off = 0;
	while ((l = smtp_mime_next_field(in, h->hdr_len, &off)) > 0)
		smtp_mime_field(in + off - l, l, h);
}

/* Append one encoded token, breaking the line first if it would grow
 * past the limit (the soft break "=" counts). */
static void
smtp_mime_qp_put(struct buf *out, size_t *col, const char *tok, size_t n)
{
	if (*col + n > SMTP_MIME_QP_LINE - 1) {
		buf_puts(out, "=\r\n");
		*col = 0;
	}
	buf_append(out, tok, n);
	*col += n;
}

/* Quoted-printable body: hard line breaks become CR LF. */
static void
smtp_mime_qp(const char *in, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t off = 0, l, n, i, col;
	unsigned char c;
	char tok[3];

	while (off < len) {
		l = smtp_mime_line(in + off, len - off);
		n = smtp_mime_trim_eol(in + off, l);
		col = 0;
		for (i = 0; i < n; i++) {
			c = (unsigned char)in[off + i];
			if ((c >= 33 && c <= 126 && c != '=') ||
			    ((c == ' ' || c == '\t') && i + 1 < n)) {
				tok[0] = (char)c;
				smtp_mime_qp_put(out, &col, tok, 1);
			} else {
				tok[0] = '=';
				tok[1] = hex[c >> 4];
				tok[2] = hex[c & 15];
				smtp_mime_qp_put(out, &col, tok, 3);
			}
		}
		if (n < l)
			buf_puts(out, "\r\n");
		off += l;
	}
}

/* A leaf that needs it: the header without its CTE field, ours, the
 * encoded body. */
static void
smtp_mime_leaf(const char *in, size_t len, const struct smtp_mime_head *h,
    bool top, struct buf *out)
{
	size_t off = 0, l;

	while ((l = smtp_mime_next_field(in, h->hdr_len, &off)) > 0)
		if (!(l > 26 && strncasecmp(in + off - l,
		                    "Content-Transfer-Encoding:", 26) == 0))
			buf_append(out, in + off - l, l);
	if (top && !h->mime_version)
		buf_puts(out, "MIME-Version: 1.0\r\n");
	buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n");
	buf_append(out, in + h->hdr_len, h->body_off - h->hdr_len);
	smtp_mime_qp(in + h->body_off, len - h->body_off, out);
}

/* Is the line (without its end) a delimiter of boundary b? */
static bool
smtp_mime_delim(const char *p, size_t n, const char *b, size_t blen)
{
	if (n < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen) != 0)
		return false;
	/* "--b", "--b--", with optional trailing white space. */
	for (p += blen + 2, n -= blen + 2; n > 0 && *p == '-'; p++, n--)
		;
	for (; n > 0 && (*p == ' ' || *p == '\t'); p++, n--)
		;
	return n == 0;
}

static void smtp_mime_entity(const char *in, size_t len, unsigned depth,
    bool top, struct buf *out);

/* A multipart body: preamble, parts between delimiters, epilogue. */
static void
smtp_mime_multipart(const char *in, size_t len, const char *b,
    unsigned depth, struct buf *out)
{
	size_t blen = strlen(b), off = 0, l, n, part = 0, brk;
	bool inside = false;

	while (off < len) {
		l = smtp_mime_line(in + off, len - off);
		n = smtp_mime_trim_eol(in + off, l);
		if (!smtp_mime_delim(in + off, n, b, blen)) {
			off += l;
			continue;
		}
		/* The line break before the delimiter goes with it. */
		brk = off;
		if (brk > part && in[brk - 1] == '\n')
			brk -= brk - 1 > part && in[brk - 2] == '\r' ? 2 : 1;
		if (inside)
			smtp_mime_entity(in + part, brk - part, depth + 1,
			    false, out);
		else
			buf_append(out, in + part, brk - part);
		buf_append(out, in + brk, off + l - brk);
		inside = n < blen + 4 || in[off + blen + 2] != '-';
		off += l;
		part = off;
		if (!inside)
			break;
	}
	if (inside)
		smtp_mime_entity(in + part, len - part, depth + 1, false, out);
	else
		buf_append(out, in + part, len - part);
}

static void
smtp_mime_entity(const char *in, size_t len, unsigned depth, bool top,
    struct buf *out)
{
	struct smtp_mime_head h;
	const char *body;
	size_t blen;

	smtp_mime_head(in, len, &h);
	body = in + h.body_off;
	blen = len - h.body_off;
	if (h.multipart && h.boundary[0] != '\0' &&
	    depth < SMTP_MIME_DEPTH_MAX) {
		buf_append(out, in, h.body_off);
		smtp_mime_multipart(body, blen, h.boundary, depth, out);
	} else if (!h.message && !h.multipart && h.cte_plain &&
	    smtp_mime_has8bit(body, blen))
		smtp_mime_leaf(in, len, &h, top, out);
	else
		buf_append(out, in, len);
}

bool
smtp_mime_has8bit(const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return true;
	return false;
}

void
smtp_mime_to7bit(const char *in, size_t len, struct buf *out)
{
	smtp_mime_entity(in, len, 0, true, out);
}

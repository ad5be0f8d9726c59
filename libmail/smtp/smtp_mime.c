/* SPDX-License-Identifier: MIT */
/*
 * The converter of smtp_mime.h over the part tree of mime/mime.h: the
 * message is copied byte for byte, except that each leaf that needs it
 * has its Content-Transfer-Encoding field replaced and its body
 * quoted-printable encoded (RFC 2045 section 6.7).
 */
#include "smtp/smtp_mime.h"

#include <string.h>
#include <strings.h>

#include "mime/mime.h"

/* RFC 2045 section 6.7 rule 5: encoded lines are at most 76 octets. */
#define SMTP_MIME_QP_LINE 76
#define SMTP_MIME_PARTS_MAX 10000

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

/* Quoted-printable body: hard line breaks (CR LF or LF) become CR LF. */
static void
smtp_mime_qp(const char *in, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *nl;
	size_t off = 0, l, n, i, col;
	unsigned char c;
	char tok[3];

	while (off < len) {
		nl = memchr(in + off, '\n', len - off);
		l = nl != NULL ? (size_t)(nl - (in + off)) + 1 : len - off;
		n = nl != NULL ? l - 1 : l;
		if (nl != NULL && n > 0 && in[off + n - 1] == '\r')
			n--;
		col = 0;
		for (i = 0; i < n; i++) {
			c = (unsigned char)in[off + i];
			/* Rule 3: white space at the end of a line is
			 * encoded, so transports may not strip it. */
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
		if (nl != NULL)
			buf_puts(out, "\r\n");
		off += l;
	}
}

static bool
smtp_mime_needs_qp(const char *data, const struct mime_part *p)
{
	/* Composite types must never be encoded (RFC 2045 section 6.4). */
	if (strcmp(p->type, "multipart") == 0 ||
	    strcmp(p->type, "message") == 0)
		return false;
	if (p->encoding != MIME_ENC_7BIT && p->encoding != MIME_ENC_8BIT)
		return false;
	return smtp_mime_has8bit(data + p->body.off, p->body.len);
}

/* Rewrite leaf p: copy up to it, its fields but Content-Transfer-
 * Encoding, ours, the separator, the encoded body. */
static void
smtp_mime_leaf(const struct mime_message *m, const struct mime_part *p,
    size_t *pos, struct buf *out)
{
	struct mime_header_iter it;
	struct mime_field f;
	size_t end = p->header.off, hend = p->header.off + p->header.len;
	bool version = false;

	buf_append(out, m->data + *pos, p->header.off - *pos);
	mime_header_iter_init(&it, m->data, p->header);
	while (mime_header_next(&it, &f)) {
		end = f.raw.off + f.raw.len;
		if (f.name.len == 12 &&
		    strncasecmp(m->data + f.name.off, "MIME-Version", 12) == 0)
			version = true;
		if (!(f.name.len == 25 &&
		        strncasecmp(m->data + f.name.off,
		            "Content-Transfer-Encoding", 25) == 0))
			buf_append(out, m->data + f.raw.off, f.raw.len);
	}
	if (p->parent == NULL && !version)
		buf_puts(out, "MIME-Version: 1.0\r\n");
	buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n");
	buf_append(out, m->data + end, hend - end);
	buf_append(out, m->data + hend, p->body.off - hend);
	smtp_mime_qp(m->data + p->body.off, p->body.len, out);
	*pos = p->body.off + p->body.len;
}

static void
smtp_mime_walk(const struct mime_message *m, const struct mime_part *p,
    size_t *pos, struct buf *out)
{
	const struct mime_part *c;

	if (mime_part_is_multipart(p)) {
		for (c = p->children; c != NULL; c = c->next)
			smtp_mime_walk(m, c, pos, out);
	} else if (p->message == NULL && smtp_mime_needs_qp(m->data, p))
		smtp_mime_leaf(m, p, pos, out);
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
	static const struct mime_limits lim = {
	    .depth_max = SMTP_MIME_DEPTH_MAX,
	    .parts_max = SMTP_MIME_PARTS_MAX,
	    .params_max = 32,
	};
	struct arena *a = arena_new();
	struct mime_message m;
	struct err err;
	size_t pos = 0;

	if (mime_parse(in, len, &lim, &m, a, &err) == 0)
		smtp_mime_walk(&m, m.root, &pos, out);
	buf_append(out, in + pos, len - pos);
	arena_free(&a);
}

/* SPDX-License-Identifier: MIT */
/*
 * The leaf MIME parts the body test (RFC 5173) looks at, found with
 * libmail/mime: multipart bodies are split, message/rfc822 parts
 * entered, and each leaf's content is transfer-decoded (base64,
 * quoted-printable; an unknown encoding is taken as it is). Charsets are
 * not converted. Nesting and the part count are bounded (a message past
 * them is cut there, not refused). Input is an untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>

#include "mime/mime.h"

#define SIEVE_MIME_DEPTH 16

static void
sieve_mime_add_leaf(struct sieve_run *r, const struct mime_part *p)
{
	const char *body = r->in->msg.data + p->body.off;
	struct sieve_mimepart *leaf;
	struct buf b;

	if (r->part_count % 8 == 0) {
		struct sieve_mimepart *nv = arena_alloc(r->arena,
		    (r->part_count + 8) * sizeof(*nv));

		if (r->part_count > 0)
			memcpy(nv, r->parts, r->part_count * sizeof(*nv));
		r->parts = nv;
	}
	leaf = &r->parts[r->part_count++];
	leaf->type = arena_printf(r->arena, "%s/%s", p->type, p->subtype);
	leaf->data = body;
	leaf->len = p->body.len;
	if (p->encoding != MIME_ENC_BASE64 && p->encoding != MIME_ENC_QP)
		return;
	buf_init(&b);
	if (mime_decode(p->encoding, body, p->body.len, &b, NULL) == 0) {
		leaf->data = arena_strndup(r->arena, b.data, b.len);
		leaf->len = b.len;
	}
	buf_deinit(&b);
}

static void
sieve_mime_collect(struct sieve_run *r, const struct mime_part *p)
{
	const struct mime_part *c;

	if (p->message != NULL)
		sieve_mime_collect(r, p->message);
	else if (mime_part_is_multipart(p))
		for (c = p->children; c != NULL; c = c->next)
			sieve_mime_collect(r, c);
	else
		sieve_mime_add_leaf(r, p);
}

int
sieve_mime_walk(struct sieve_run *r)
{
	struct mime_limits lim = { SIEVE_MIME_DEPTH, r->lim->mime_parts_max,
		32 };
	struct mime_message m;
	struct err err;

	if (r->parts_done)
		return 0;
	r->parts_done = true;
	if (mime_parse(r->in->msg.data, r->in->msg.len, &lim, &m, r->arena,
	    &err) < 0)
		return sieve_run_fail(r, NULL, ERR_PERM, "body: %s", err.text);
	sieve_mime_collect(r, m.root);
	return 0;
}

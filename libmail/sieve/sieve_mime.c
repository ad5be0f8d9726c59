/* SPDX-License-Identifier: MIT */
/*
 * A minimal MIME walker for the body test (RFC 5173): it finds the leaf
 * parts of the message (multipart bodies split at their boundaries,
 * message/rfc822 entered), with their content type and their content
 * after the transfer decoding. Charsets are not converted. Nesting is
 * bounded, and so is the part count (lim->mime_parts_max); a message
 * beyond either is cut there, not refused. Input is an untrusted message.
 * (libmail has no MIME parser yet; this one is the engine's own.)
 */
#include "sieve/sieve_run_impl.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "msg/header.h"

#define SIEVE_MIME_DEPTH 8

/* The header facts the walker needs about one entity. */
struct sieve_mime_entity {
	char type[128];		/* "text/plain" */
	char boundary[80];	/* RFC 2046 §5.1.1: at most 70 chars */
	char cte[32];		/* Content-Transfer-Encoding */
	size_t body_off;
};

static void
sieve_mime_token(char *out, size_t size, const char *s)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s != '\0' && *s != ';' && *s != ' ' && *s != '\t' &&
	    n + 1 < size)
		out[n++] = (char)tolower((unsigned char)*s++);
	out[n] = '\0';
}

/* The boundary parameter of a Content-Type value, quoted or not. */
static void
sieve_mime_boundary(char *out, size_t size, const char *v)
{
	const char *p = v;
	size_t n = 0;

	out[0] = '\0';
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary", 8) != 0)
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"' && n + 1 < size;
			    p++)
				out[n++] = *p;
		} else {
			for (; *p != '\0' && *p != ';' && *p != ' ' &&
			    *p != '\t' && n + 1 < size; p++)
				out[n++] = *p;
		}
		out[n] = '\0';
		return;
	}
}

static void
sieve_mime_field(struct sieve_mime_entity *e, const struct header_event *ev)
{
	if (ev->name_len == 12 && strncasecmp(ev->name, "Content-Type",
	    12) == 0) {
		sieve_mime_token(e->type, sizeof(e->type), ev->value);
		sieve_mime_boundary(e->boundary, sizeof(e->boundary),
		    ev->value);
	} else if (ev->name_len == 25 && strncasecmp(ev->name,
	    "Content-Transfer-Encoding", 25) == 0) {
		sieve_mime_token(e->cte, sizeof(e->cte), ev->value);
	}
}

/* Parse the header of the entity at data (len octets). */
static void
sieve_mime_entity(const char *data, size_t len, bool digest,
    struct sieve_mime_entity *e)
{
	static const struct header_limits lim = { 1 << 20, 1000, 1 << 20 };
	struct header_parser p;
	struct header_event ev;
	bool ended = false;

	memset(e, 0, sizeof(*e));
	e->body_off = len;
	header_init(&p, &lim);
	header_feed(&p, data, len);
	header_finish(&p);
	while (header_next(&p, &ev, NULL) == 1) {
		if (ev.kind == HEADER_EV_FIELD) {
			sieve_mime_field(e, &ev);
		} else if (ev.kind == HEADER_EV_END) {
			ended = true;
		} else if (ended) {
			e->body_off = ev.raw >= data && ev.raw <= data + len ?
			    (size_t)(ev.raw - data) :
			    (size_t)(p.in - data) - ev.raw_len;
			break;
		}
	}
	header_deinit(&p);
	/* RFC 2046 §5.1.5: parts of a digest default to message/rfc822 */
	if (e->type[0] == '\0' || strchr(e->type, '/') == NULL) {
		const char *def = digest ? "message/rfc822" : "text/plain";

		memcpy(e->type, def, strlen(def) + 1);
	}
}

static void sieve_mime_walk_entity(struct sieve_run *r, const char *data,
    size_t len, size_t depth, bool digest);

static void
sieve_mime_add_leaf(struct sieve_run *r, const struct sieve_mime_entity *e,
    const char *body, size_t len)
{
	struct sieve_mimepart *p;
	struct buf b;

	if (r->part_count >= r->lim->mime_parts_max)
		return;
	if (r->part_count % 8 == 0) {
		struct sieve_mimepart *nv = arena_alloc(r->arena,
		    (r->part_count + 8) * sizeof(*nv));

		if (r->part_count > 0)
			memcpy(nv, r->parts, r->part_count * sizeof(*nv));
		r->parts = nv;
	}
	p = &r->parts[r->part_count++];
	p->type = arena_strdup(r->arena, e->type);
	p->data = body;
	p->len = len;
	if (strcmp(e->cte, "base64") != 0 &&
	    strcmp(e->cte, "quoted-printable") != 0)
		return;
	buf_init(&b);
	if (e->cte[0] == 'b')
		sieve_mime_base64(&b, body, len);
	else
		sieve_mime_qp(&b, body, len, false);
	p->data = arena_strndup(r->arena, b.data, b.len);
	p->len = b.len;
	buf_deinit(&b);
}

/*
 * RFC 2046 §5.1.1: parts sit between "--boundary" lines; the line end
 * before a delimiter belongs to it; "--boundary--" closes.
 */
static void
sieve_mime_split(struct sieve_run *r, const char *body, size_t len,
    const char *boundary, size_t depth, bool digest)
{
	size_t blen = strlen(boundary), pos = 0, part = SIZE_MAX;

	while (pos < len) {
		const char *eol = memchr(body + pos, '\n', len - pos);
		size_t next = eol ? (size_t)(eol - body) + 1 : len;

		if (len - pos >= blen + 2 && body[pos] == '-' &&
		    body[pos + 1] == '-' &&
		    memcmp(body + pos + 2, boundary, blen) == 0) {
			bool close = len - pos >= blen + 4 &&
			    memcmp(body + pos + 2 + blen, "--", 2) == 0;

			if (part != SIZE_MAX) {
				size_t end = pos;

				if (end > part && body[end - 1] == '\n')
					end--;
				if (end > part && body[end - 1] == '\r')
					end--;
				sieve_mime_walk_entity(r, body + part,
				    end - part, depth + 1, digest);
			}
			if (close)
				return;
			part = next;
		}
		pos = next;
	}
}

static void
sieve_mime_walk_entity(struct sieve_run *r, const char *data, size_t len,
    size_t depth, bool digest)
{
	struct sieve_mime_entity e;
	const char *body;
	size_t blen;

	if (depth > SIEVE_MIME_DEPTH || r->part_count >= r->lim->mime_parts_max)
		return;
	sieve_mime_entity(data, len, digest, &e);
	body = data + e.body_off;
	blen = len - e.body_off;
	if (strncmp(e.type, "multipart/", 10) == 0 && e.boundary[0] != '\0')
		sieve_mime_split(r, body, blen, e.boundary, depth,
		    strcmp(e.type, "multipart/digest") == 0);
	else if (strcmp(e.type, "message/rfc822") == 0)
		sieve_mime_walk_entity(r, body, blen, depth + 1, false);
	else
		sieve_mime_add_leaf(r, &e, body, blen);
}

int
sieve_mime_walk(struct sieve_run *r)
{
	if (!r->parts_done) {
		r->parts_done = true;
		sieve_mime_walk_entity(r, r->in->msg.data, r->in->msg.len, 0,
		    false);
	}
	return 0;
}

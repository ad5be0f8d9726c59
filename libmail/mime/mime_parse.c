/* SPDX-License-Identifier: MIT */
/*
 * The MIME part tree of a message held in one buffer (RFC 2045, RFC 2046
 * §5 multipart and message/rfc822): each node records spans of the
 * buffer and its Content-* fields. Input is an untrusted message; depth
 * and part counts are bounded by the caller's limits, and every level
 * scans only its own bytes, so the work is O(len x depth_max).
 */
#include "mime/mime.h"

#include <string.h>
#include <strings.h>

#include "mime/mime_impl.h"

struct mime_parse_ctx {
	const char *data;
	const struct mime_limits *lim;
	struct arena *a;
	struct mime_message *msg;
};

static void mime_parse_node(struct mime_parse_ctx *c, struct mime_part *p,
    size_t off, size_t end, size_t depth);

static size_t
mime_parse_count_lines(const char *d, struct mime_span s)
{
	const char *p = d + s.off, *end = d + s.off + s.len;
	size_t n = 0;

	/* Line ends, as Dovecot counts: a multipart child's last line
	   gives its line end to the delimiter and does not count. */
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Fill the Content-* members of p from its header section. */
static void
mime_parse_fields(struct mime_parse_ctx *c, struct mime_part *p)
{
	struct mime_header_iter it;
	struct mime_field f;

	mime_header_iter_init(&it, c->data, p->header);
	while (mime_header_next(&it, &f)) {
		const char *name = c->data + f.name.off;
		const char *v;

		if (f.name.len < 9 || strncasecmp(name, "content-", 8) != 0)
			continue;
		name += 8;
		/* RFC 2045: the first occurrence of a field counts. */
#define MIME_FIELD_IS(word)                                                    \
	(f.name.len - 8 == sizeof(word) - 1 &&                                 \
	    strncasecmp(name, word, sizeof(word) - 1) == 0)
		v = mime_header_unfold(c->data, f.value, c->a);
		/* An unusable Content-Type leaves the default (§5.2). */
		if (MIME_FIELD_IS("type") && p->params == NULL)
			(void)mime_param_parse_value(v, &p->type, &p->subtype,
			    &p->params, &p->nparams, c->lim->params_max, c->a);
		else if (MIME_FIELD_IS("transfer-encoding") &&
		    p->encoding_name == NULL) {
			p->encoding_name = v;
			p->encoding = mime_encoding_from_name(v, strlen(v));
		} else if (MIME_FIELD_IS("id") && p->id == NULL)
			p->id = v;
		else if (MIME_FIELD_IS("description") && p->description == NULL)
			p->description = v;
		else if (MIME_FIELD_IS("md5") && p->md5 == NULL)
			p->md5 = v;
		else if (MIME_FIELD_IS("disposition") && p->disposition == NULL)
			(void)mime_param_parse_value(v, &p->disposition, NULL,
			    &p->disp_params, &p->ndisp_params,
			    c->lim->params_max, c->a);
		else if (MIME_FIELD_IS("language") && p->language == NULL)
			p->language = v;
		else if (MIME_FIELD_IS("location") && p->location == NULL)
			p->location = v;
#undef MIME_FIELD_IS
	}
}

/*
 * If the line at pos is a delimiter "--boundary" (RFC 2046 §5.1.1:
 * optional trailing white space) return 1, or 2 for the close delimiter
 * "--boundary--"; 0 otherwise.
 */
static int
mime_parse_is_delim(
    const char *d, size_t pos, size_t end, const char *b, size_t blen)
{
	size_t i;

	if (end - pos < blen + 2 || d[pos] != '-' || d[pos + 1] != '-' ||
	    memcmp(d + pos + 2, b, blen) != 0)
		return 0;
	i = pos + 2 + blen;
	if (end - i >= 2 && d[i] == '-' && d[i + 1] == '-')
		return 2;
	while (i < end && (d[i] == ' ' || d[i] == '\t'))
		i++;
	return i == end || mime_eol_len(d, i, end) > 0 ? 1 : 0;
}

static struct mime_part *
mime_parse_new_part(struct mime_parse_ctx *c, struct mime_part *parent)
{
	struct mime_part *p = arena_zalloc(c->a, sizeof(*p));

	p->parent = parent;
	c->msg->nparts++;
	return p;
}

/* Start of the line end before pos (the CRLF belongs to the delimiter). */
static size_t
mime_parse_strip_eol(const char *d, size_t start, size_t pos)
{
	if (pos > start && d[pos - 1] == '\n')
		pos--;
	if (pos > start && d[pos - 1] == '\r')
		pos--;
	return pos;
}

static void
mime_parse_add_child(struct mime_parse_ctx *c, struct mime_part *p,
    struct mime_part **tail, size_t off, size_t end, size_t depth)
{
	struct mime_part *child;

	if (c->msg->nparts >= c->lim->parts_max) {
		c->msg->flags |= MIME_MESSAGE_TRUNCATED;
		return;
	}
	child = mime_parse_new_part(c, p);
	child->number = *tail == NULL ? 1 : (*tail)->number + 1;
	if (strcmp(p->subtype, "digest") == 0) {
		/* RFC 2046 §5.1.5: the default type in a digest. */
		child->type = "message";
		child->subtype = "rfc822";
	}
	mime_parse_node(c, child, off, end, depth + 1);
	if (*tail == NULL)
		p->children = child;
	else
		(*tail)->next = child;
	*tail = child;
}

/* Split a multipart body at its delimiters into children. */
static void
mime_parse_multipart(
    struct mime_parse_ctx *c, struct mime_part *p, size_t depth)
{
	const char *b = mime_param_get(p->params, p->nparams, "boundary");
	const char *d = c->data;
	size_t pos = p->body.off, end = p->body.off + p->body.len;
	size_t blen, start = 0;
	struct mime_part *tail = NULL;
	int open = 0;

	if (b == NULL || (blen = strlen(b)) == 0)
		return;
	while (pos < end) {
		size_t next = mime_line_next(d, pos, end);
		int kind = mime_parse_is_delim(d, pos, end, b, blen);

		if (kind > 0) {
			if (open)
				mime_parse_add_child(c, p, &tail, start,
				    mime_parse_strip_eol(d, start, pos), depth);
			open = kind == 1;
			start = next;
			if (kind == 2)
				break;
		}
		pos = next;
	}
	/* A missing close delimiter: the last part runs to the end. */
	if (open)
		mime_parse_add_child(c, p, &tail, start, end, depth);
}

/*
 * A multipart with no part (no boundary, no delimiter line, or past the
 * depth limit) gets one empty text/plain child, as Dovecot does, so its
 * BODYSTRUCTURE keeps multipart syntax and BODY[1] agrees with it.
 */
static void
mime_parse_empty_child(struct mime_parse_ctx *c, struct mime_part *p)
{
	struct mime_part *child;

	if (c->msg->nparts >= c->lim->parts_max) {
		c->msg->flags |= MIME_MESSAGE_TRUNCATED;
		return;
	}
	child = mime_parse_new_part(c, p);
	child->number = 1;
	child->type = "text";
	child->subtype = "plain";
	child->header.off = child->body.off = p->body.off + p->body.len;
	p->children = child;
}

static void
mime_parse_node(struct mime_parse_ctx *c, struct mime_part *p, size_t off,
    size_t end, size_t depth)
{
	mime_header_split(c->data, off, end, &p->header, &p->body);
	mime_parse_fields(c, p);
	if (p->type == NULL) {
		p->type = "text";
		p->subtype = "plain";
	}
	p->body_lines = mime_parse_count_lines(c->data, p->body);
	if (strcmp(p->type, "multipart") == 0) {
		if (depth < c->lim->depth_max)
			mime_parse_multipart(c, p, depth);
		else
			c->msg->flags |= MIME_MESSAGE_TRUNCATED;
		if (p->children == NULL)
			mime_parse_empty_child(c, p);
		return;
	}
	if (depth >= c->lim->depth_max) {
		if (strcmp(p->type, "message") == 0)
			c->msg->flags |= MIME_MESSAGE_TRUNCATED;
		return;
	}
	if (strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	        strcmp(p->subtype, "global") == 0) &&
	    p->encoding != MIME_ENC_BASE64 && p->encoding != MIME_ENC_QP) {
		if (c->msg->nparts >= c->lim->parts_max) {
			c->msg->flags |= MIME_MESSAGE_TRUNCATED;
			return;
		}
		p->message = mime_parse_new_part(c, p);
		mime_parse_node(c, p->message, p->body.off,
		    p->body.off + p->body.len, depth + 1);
	}
}

int
mime_parse(const char *data, size_t len, const struct mime_limits *lim,
    struct mime_message *out, struct arena *a, struct err *err)
{
	struct mime_parse_ctx c = {
	    .data = data, .lim = lim, .a = a, .msg = out};

	if (lim->depth_max == 0 || lim->parts_max == 0)
		return err_set(err, ERR_PERM, "", "%s: zero limit", __func__);
	memset(out, 0, sizeof(*out));
	out->data = data;
	out->len = len;
	out->root = mime_parse_new_part(&c, NULL);
	mime_parse_node(&c, out->root, 0, len, 0);
	return 0;
}

bool
mime_part_is_multipart(const struct mime_part *p)
{
	return p->children != NULL;
}

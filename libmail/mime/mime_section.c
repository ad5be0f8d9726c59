/* SPDX-License-Identifier: MIT */
/*
 * IMAP body sections (RFC 3501 §6.4.5, RFC 9051 §6.4.5) over a parsed
 * message: which part "1.2.3" names and which octets HEADER, TEXT, MIME
 * and HEADER.FIELDS[.NOT] select. Spans point into the message; only
 * HEADER.FIELDS builds a copy.
 */
#include "mime/mime.h"

#include <string.h>
#include <strings.h>

/*
 * Part n of a message whose top-level part is msg: a child of a
 * multipart, or the message's body itself as part 1 when it is not one.
 */
static const struct mime_part *
mime_section_in_message(const struct mime_part *msg, uint32_t n)
{
	const struct mime_part *c;

	if (!mime_part_is_multipart(msg))
		return n == 1 ? msg : NULL;
	for (c = msg->children; c != NULL; c = c->next)
		if (c->number == n)
			return c;
	return NULL;
}

const struct mime_part *
mime_section_part(const struct mime_message *m, const struct mime_section *sec,
    const struct mime_part **msg_out)
{
	const struct mime_part *p = m->root;
	size_t i;

	*msg_out = NULL;
	if (sec->depth == 0) {
		*msg_out = m->root;
		return m->root;
	}
	p = mime_section_in_message(m->root, sec->part[0]);
	for (i = 1; i < sec->depth && p != NULL; i++) {
		if (mime_part_is_multipart(p))
			p = mime_section_in_message(p, sec->part[i]);
		else if (p->message != NULL)
			p = mime_section_in_message(p->message, sec->part[i]);
		else
			p = NULL;
	}
	if (p != NULL && p->message != NULL)
		*msg_out = p->message;
	return p;
}

static bool
mime_section_field_wanted(
    const struct mime_section *sec, const char *name, size_t len)
{
	size_t i;
	bool listed = false;

	for (i = 0; i < sec->nfields && !listed; i++)
		listed = strlen(sec->fields[i]) == len &&
		    strncasecmp(sec->fields[i], name, len) == 0;
	return sec->kind == MIME_SECTION_HEADER_FIELDS ? listed : !listed;
}

static void
mime_section_fields(const struct mime_message *m,
    const struct mime_section *sec, struct mime_span h, struct arena *a,
    const char **out, size_t *len_out)
{
	struct mime_header_iter it;
	struct mime_field f;
	char *buf = arena_alloc(a, h.len + 4);
	size_t n = 0;

	mime_header_iter_init(&it, m->data, h);
	while (mime_header_next(&it, &f)) {
		if (!mime_section_field_wanted(
		        sec, m->data + f.name.off, f.name.len))
			continue;
		memcpy(buf + n, m->data + f.raw.off, f.raw.len);
		n += f.raw.len;
		/* A last field without a line end still ends its line. */
		if (buf[n - 1] != '\n') {
			buf[n++] = '\r';
			buf[n++] = '\n';
		}
	}
	/* RFC 3501 §6.4.5: the blank line after the header is included. */
	buf[n++] = '\r';
	buf[n++] = '\n';
	*out = buf;
	*len_out = n;
}

int
mime_section_get(const struct mime_message *m, const struct mime_section *sec,
    struct arena *a, const char **out, size_t *len_out)
{
	const struct mime_part *msg, *p = mime_section_part(m, sec, &msg);
	struct mime_span s;

	if (p == NULL)
		return 0;
	switch (sec->kind) {
	case MIME_SECTION_ALL:
		if (sec->depth == 0) {
			s.off = 0;
			s.len = m->len;
		} else {
			s = p->body;
		}
		break;
	case MIME_SECTION_MIME:
		if (sec->depth == 0)
			return 0;
		s = p->header;
		break;
	case MIME_SECTION_TEXT:
		if (msg == NULL)
			return 0;
		s = msg->body;
		break;
	case MIME_SECTION_HEADER:
		if (msg == NULL)
			return 0;
		s = msg->header;
		break;
	case MIME_SECTION_HEADER_FIELDS:
	case MIME_SECTION_HEADER_FIELDS_NOT:
		if (msg == NULL)
			return 0;
		mime_section_fields(m, sec, msg->header, a, out, len_out);
		return 1;
	default:
		return 0;
	}
	*out = m->data + s.off;
	*len_out = s.len;
	return 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * Header sections of a message held in one buffer: where a section
 * ends, iteration over its fields, case-insensitive lookup and
 * unfolding. Zero-copy: only unfolded values are copied (to the arena).
 * Input is an untrusted message. msg/header.h is the streaming variant
 * for callers that do not hold the whole message.
 */
#include "mime/mime.h"

#include <string.h>
#include <strings.h>

#include "mime/mime_impl.h"

size_t
mime_line_next(const char *data, size_t pos, size_t end)
{
	const char *lf = memchr(data + pos, '\n', end - pos);

	return lf == NULL ? end : (size_t)(lf - data) + 1;
}

size_t
mime_eol_len(const char *data, size_t pos, size_t end)
{
	if (pos < end && data[pos] == '\n')
		return 1;
	if (pos + 1 < end && data[pos] == '\r' && data[pos + 1] == '\n')
		return 2;
	return 0;
}

static int
mime_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * True when the line at pos starts a header field: a field name of
 * printable ASCII other than ':' (RFC 5322 §3.6.8), optional white space
 * (§4.5 obs-optional), then ':'.
 */
static int
mime_header_is_field(const char *data, size_t pos, size_t end)
{
	size_t i = pos;

	while (i < end && (unsigned char)data[i] > 32 &&
	    (unsigned char)data[i] < 127 && data[i] != ':')
		i++;
	if (i == pos)
		return 0;
	while (i < end && mime_is_wsp(data[i]))
		i++;
	return i < end && data[i] == ':';
}

void
mime_header_split(const char *data, size_t off, size_t end,
    struct mime_span *header_out, struct mime_span *body_out)
{
	size_t pos = off;
	int first = 1;

	while (pos < end) {
		size_t eol = mime_eol_len(data, pos, end);

		if (eol > 0) {
			/* The empty line belongs to the header span. */
			pos += eol;
			break;
		}
		if (mime_is_wsp(data[pos])
		        ? first
		        : !mime_header_is_field(data, pos, end))
			break;
		first = 0;
		pos = mime_line_next(data, pos, end);
	}
	header_out->off = off;
	header_out->len = pos - off;
	body_out->off = pos;
	body_out->len = end - pos;
}

void
mime_header_iter_init(
    struct mime_header_iter *it, const char *data, struct mime_span h)
{
	it->data = data;
	it->pos = h.off;
	it->end = h.off + h.len;
}

int
mime_header_next(struct mime_header_iter *it, struct mime_field *f)
{
	const char *d = it->data;
	size_t pos = it->pos, start = pos, i, last, line_end;

	if (pos >= it->end || mime_eol_len(d, pos, it->end) > 0)
		return 0;
	line_end = mime_line_next(d, pos, it->end);
	for (i = pos; i < line_end && d[i] != ':'; i++)
		;
	f->name.off = pos;
	for (last = i; last > pos && mime_is_wsp(d[last - 1]); last--)
		;
	f->name.len = last - pos;
	/* The field goes on while the next line starts with white space. */
	do {
		last = pos;
		pos = mime_line_next(d, pos, it->end);
	} while (pos < it->end && mime_is_wsp(d[pos]));
	f->raw.off = start;
	f->raw.len = pos - start;
	f->value.off = i < pos ? i + 1 : pos;
	/* Drop the final line end from the value. */
	for (i = pos; i > last && (d[i - 1] == '\n' || d[i - 1] == '\r'); i--)
		;
	f->value.len = i > f->value.off ? i - f->value.off : 0;
	it->pos = pos;
	return 1;
}

char *
mime_header_unfold(const char *data, struct mime_span v, struct arena *a)
{
	char *out = arena_alloc(a, v.len + 1);
	size_t i, n = 0;

	for (i = v.off; i < v.off + v.len; i++) {
		/* RFC 5322 §2.2.3: unfolding removes the CRLF only. */
		if (data[i] == '\r' || data[i] == '\n')
			continue;
		out[n++] = data[i];
	}
	while (n > 0 && mime_is_wsp(out[n - 1]))
		n--;
	out[n] = '\0';
	i = 0;
	while (mime_is_wsp(out[i]))
		i++;
	return out + i;
}

const char *
mime_header_get(
    const char *data, struct mime_span h, const char *name, struct arena *a)
{
	struct mime_header_iter it;
	struct mime_field f;
	size_t nlen = strlen(name);

	mime_header_iter_init(&it, data, h);
	while (mime_header_next(&it, &f)) {
		if (f.name.len == nlen &&
		    strncasecmp(data + f.name.off, name, nlen) == 0)
			return mime_header_unfold(data, f.value, a);
	}
	return NULL;
}

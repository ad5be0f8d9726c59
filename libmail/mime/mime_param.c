/* SPDX-License-Identifier: MIT */
/*
 * Structured MIME fields: Content-Type "type/subtype; name=value" and
 * Content-Disposition "type; name=value" (RFC 2045 §5.1, RFC 2183), with
 * comments, quoted strings and RFC 2231 continuations, and the
 * Content-Transfer-Encoding names. Input is an untrusted, unfolded
 * header value; results live in the arena.
 */
#include "mime/mime.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime/mime_impl.h"

/* RFC 2231 section numbers above this are ignored (bounded joining). */
#define MIME_PARAM_SECTION_MAX 100

/* RFC 2045 §5.1 token: no SP, CTL or tspecials. */
static int
mime_param_is_token(unsigned char c)
{
	return c > 32 && c != 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Skip white space and RFC 5322 comments (nesting counted, no recursion). */
static const char *
mime_param_skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '(')
			return p;
		size_t depth = 0;
		do {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			p++;
		} while (*p != '\0' && depth > 0);
	}
}

static char *
mime_param_token(const char **pp, struct arena *a, int lower)
{
	const char *p = *pp;
	char *out;
	size_t i, n = 0;

	while (mime_param_is_token((unsigned char)p[n]) ||
	    (unsigned char)p[n] >= 128)
		n++;
	if (n == 0)
		return NULL;
	out = arena_strndup(a, p, n);
	if (lower)
		for (i = 0; i < n; i++)
			out[i] = (char)tolower((unsigned char)out[i]);
	*pp = p + n;
	return out;
}

/*
 * A parameter value: a quoted string (escapes removed; an unterminated
 * one runs to the end) or, leniently, anything up to ';' or white space,
 * as mail in the wild carries unquoted "name=a b.pdf"-style values.
 */
static char *
mime_param_value(const char **pp, struct arena *a)
{
	const char *p = *pp;
	char *out;
	size_t n = 0;

	if (*p == '"') {
		p++;
		out = arena_alloc(a, strlen(p) + 1);
		while (*p != '\0' && *p != '"') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			out[n++] = *p++;
		}
		out[n] = '\0';
		*pp = *p == '"' ? p + 1 : p;
		return out;
	}
	while (p[n] != '\0' && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
		n++;
	*pp = p + n;
	return arena_strndup(a, p, n);
}

/* RFC 2231 §3: "name*N" or "name*N*" is section N; -1 otherwise. */
static long
mime_param_section(const char *name, size_t *base_len_out)
{
	const char *star = strchr(name, '*');
	char *end;
	long n;

	if (star == NULL)
		return -1;
	*base_len_out = (size_t)(star - name);
	if (!isdigit((unsigned char)star[1]))
		return -1;
	n = strtol(star + 1, &end, 10);
	if ((*end != '\0' && strcmp(end, "*") != 0) ||
	    n > MIME_PARAM_SECTION_MAX)
		return -1;
	return n;
}

/* Join the sections base*0, base*1 ... of raw into one value. */
static char *
mime_param_join(const struct mime_param *raw, size_t n, const char *base,
    size_t base_len, struct arena *a)
{
	size_t total = 0, i, len = 0;
	long want, sec;
	char *out;

	for (i = 0; i < n; i++)
		total += strlen(raw[i].value);
	out = arena_alloc(a, total + 1);
	for (want = 0; want <= MIME_PARAM_SECTION_MAX; want++) {
		int found = 0;

		for (i = 0; i < n && !found; i++) {
			size_t bl;

			sec = mime_param_section(raw[i].name, &bl);
			if (sec == want && bl == base_len &&
			    strncmp(raw[i].name, base, bl) == 0) {
				size_t vl = strlen(raw[i].value);

				memcpy(out + len, raw[i].value, vl);
				len += vl;
				found = 1;
			}
		}
		if (!found)
			break;
	}
	out[len] = '\0';
	return out;
}

/*
 * Join RFC 2231 continuations: "name*0", "name*1"... become "name", and
 * "name*0*", "name*1*"... become "name*" (still charset'lang'%XX
 * encoded, as "name*" itself stays), so clients that know RFC 2231
 * decode it and others do not show the encoding as a file name.
 */
static size_t
mime_param_merge(struct mime_param *raw, size_t n, struct arena *a)
{
	size_t i, out = 0, bl;

	for (i = 0; i < n; i++) {
		long sec = mime_param_section(raw[i].name, &bl);
		struct mime_param p = raw[i];

		if (sec > 0)
			continue;
		if (sec == 0) {
			bool ext = raw[i].name[strlen(raw[i].name) - 1] == '*';

			p.value = mime_param_join(raw, n, raw[i].name, bl, a);
			/* raw[i].name[bl] is the '*' before the "0". */
			p.name = arena_strndup(a, raw[i].name, bl + ext);
		}
		raw[out++] = p;
	}
	return out;
}

static size_t
mime_param_list(
    const char *p, struct mime_param *raw, size_t max, struct arena *a)
{
	size_t n = 0;

	while (n < max) {
		char *name;

		p = mime_param_skip_cfws(p);
		if (*p != ';') {
			/* Junk between parameters: resynchronise at ';'. */
			p = strchr(p, ';');
			if (p == NULL)
				break;
		}
		p = mime_param_skip_cfws(p + 1);
		name = mime_param_token(&p, a, 1);
		if (name == NULL)
			continue;
		p = mime_param_skip_cfws(p);
		if (*p != '=')
			continue;
		p = mime_param_skip_cfws(p + 1);
		raw[n].name = name;
		raw[n].value = mime_param_value(&p, a);
		n++;
	}
	return n;
}

int
mime_param_parse_value(const char *value, const char **type_out,
    const char **subtype_out, struct mime_param **params_out,
    size_t *nparams_out, size_t max, struct arena *a)
{
	const char *p = mime_param_skip_cfws(value);
	char *type, *subtype = NULL;
	struct mime_param *raw;

	type = mime_param_token(&p, a, 1);
	if (type == NULL)
		return -1;
	if (subtype_out != NULL) {
		p = mime_param_skip_cfws(p);
		if (*p != '/')
			return -1;
		p = mime_param_skip_cfws(p + 1);
		subtype = mime_param_token(&p, a, 1);
		if (subtype == NULL)
			return -1;
		*subtype_out = subtype;
	}
	*type_out = type;
	raw = arena_alloc(a, (max > 0 ? max : 1) * sizeof(*raw));
	*nparams_out =
	    mime_param_merge(raw, mime_param_list(p, raw, max, a), a);
	*params_out = raw;
	return 0;
}

const char *
mime_param_get(const struct mime_param *params, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(params[i].name, name) == 0)
			return params[i].value;
	return NULL;
}

enum mime_encoding
mime_encoding_from_name(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum mime_encoding enc;
	} names[] = {
	    {"7bit", MIME_ENC_7BIT},
	    {"8bit", MIME_ENC_8BIT},
	    {"binary", MIME_ENC_BINARY},
	    {"base64", MIME_ENC_BASE64},
	    {"quoted-printable", MIME_ENC_QP},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    strncasecmp(names[i].name, name, len) == 0)
			return names[i].enc;
	return MIME_ENC_UNKNOWN;
}

/* SPDX-License-Identifier: MIT */
/*
 * FETCH data items (RFC 3501 §6.4.5, RFC 3516 BINARY, RFC 7162
 * CHANGEDSINCE/MODSEQ, RFC 7162 §3.2.6 VANISHED, RFC 9051 §6.4.5):
 * macros, item names, body sections and partials. Input is client data
 * tokenised by imap_lex.c (a section with spaces is one atom).
 */
#include "imap/imap_parse.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

/* Items in one FETCH; more is a client error. */
#define IMAP_FETCH_ITEMS_MAX 256

static const struct {
	const char *name;
	enum imap_fetch_kind kind;
	bool section; /* takes "[...]" */
	bool peek;
} imap_fetch_names[] = {
    {"UID", IMAP_FETCH_UID, false, false},
    {"FLAGS", IMAP_FETCH_FLAGS, false, false},
    {"INTERNALDATE", IMAP_FETCH_INTERNALDATE, false, false},
    {"ENVELOPE", IMAP_FETCH_ENVELOPE, false, false},
    {"BODYSTRUCTURE", IMAP_FETCH_BODYSTRUCTURE, false, false},
    {"RFC822", IMAP_FETCH_RFC822, false, false},
    {"RFC822.HEADER", IMAP_FETCH_RFC822_HEADER, false, true},
    {"RFC822.TEXT", IMAP_FETCH_RFC822_TEXT, false, false},
    {"RFC822.SIZE", IMAP_FETCH_RFC822_SIZE, false, false},
    {"BODY", IMAP_FETCH_BODY, true, false},
    {"BODY.PEEK", IMAP_FETCH_BODY, true, true},
    {"BINARY", IMAP_FETCH_BINARY, true, false},
    {"BINARY.PEEK", IMAP_FETCH_BINARY, true, true},
    {"BINARY.SIZE", IMAP_FETCH_BINARY_SIZE, true, true},
    {"MODSEQ", IMAP_FETCH_MODSEQ, false, false},
    {"SAVEDATE", IMAP_FETCH_SAVEDATE, false, false},
    {"EMAILID", IMAP_FETCH_EMAILID, false, false},
    {"THREADID", IMAP_FETCH_THREADID, false, false},
};

/* header-list = "(" header-fld-name *(SP header-fld-name) ")" */
static int
imap_fetch_fields(const char *p, const char *end, struct mime_section *sec,
    struct arena *a, struct err *err)
{
	size_t cap = 0;

	if (p >= end || *p++ != '(')
		return imap_syntax_error(err, "header list expected");
	for (;;) {
		const char *s;

		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == ')')
			break;
		s = p;
		if (p < end && *p == '"') {
			s = ++p;
			while (p < end && *p != '"')
				p++;
		} else {
			while (p < end && *p != ' ' && *p != ')' && *p != '"')
				p++;
		}
		if (p >= end || p == s)
			return imap_syntax_error(err, "bad header list");
		sec->fields = imap_array_push(
		    a, sec->fields, &sec->nfields, &cap, sizeof(char *));
		sec->fields[sec->nfields - 1] =
		    arena_strndup(a, s, (size_t)(p - s));
		if (*p == '"')
			p++;
	}
	if (sec->nfields == 0 || p + 1 != end)
		return imap_syntax_error(err, "bad header list");
	return 0;
}

/* section-text after the part numbers (or alone). */
static int
imap_fetch_section_text(const char *p, const char *end, bool binary,
    struct mime_section *sec, struct arena *a, struct err *err)
{
	static const struct {
		const char *word;
		enum mime_section_kind kind;
	} texts[] = {
	    {"HEADER.FIELDS.NOT", MIME_SECTION_HEADER_FIELDS_NOT},
	    {"HEADER.FIELDS", MIME_SECTION_HEADER_FIELDS},
	    {"HEADER", MIME_SECTION_HEADER},
	    {"TEXT", MIME_SECTION_TEXT},
	    {"MIME", MIME_SECTION_MIME},
	};
	size_t i, n;

	if (p == end)
		return 0;
	for (i = 0; !binary && i < sizeof(texts) / sizeof(texts[0]); i++) {
		n = strlen(texts[i].word);
		if ((size_t)(end - p) < n || strncasecmp(p, texts[i].word, n))
			continue;
		sec->kind = texts[i].kind;
		p += n;
		if (sec->kind == MIME_SECTION_HEADER_FIELDS ||
		    sec->kind == MIME_SECTION_HEADER_FIELDS_NOT) {
			if (p >= end || *p != ' ')
				return imap_syntax_error(err, "bad section");
			return imap_fetch_fields(p + 1, end, sec, a, err);
		}
		/* MIME needs a part number (RFC 3501 §9 section-text). */
		if (p != end ||
		    (sec->kind == MIME_SECTION_MIME && sec->depth == 0))
			break;
		return 0;
	}
	return imap_syntax_error(err, "bad section");
}

static int
imap_fetch_section(const char *p, const char *end, bool binary,
    struct mime_section *sec, struct arena *a, struct err *err)
{
	while (p < end && isdigit((unsigned char)*p)) {
		uint64_t n = 0;
		const char *s = p;

		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (imap_parse_number(s, (size_t)(p - s), &n) != 0 || n == 0 ||
		    n > UINT32_MAX || sec->depth >= MIME_SECTION_DEPTH_MAX)
			return imap_syntax_error(err, "bad section part");
		sec->part[sec->depth++] = (uint32_t)n;
		if (p < end && *p == '.')
			p++;
		else
			break;
	}
	if (sec->depth > 0 && (p < end ? p[-1] != '.' : p[-1] == '.'))
		return imap_syntax_error(err, "bad section part");
	return imap_fetch_section_text(p, end, binary, sec, a, err);
}

/* partial = "<" number "." nz-number ">" */
static int
imap_fetch_partial(const char *p, struct imap_fetch_item *it, struct err *err)
{
	const char *dot = strchr(p, '.'), *close = strchr(p, '>');
	uint64_t o, n;

	if (*p++ != '<' || dot == NULL || close == NULL || close[1] != '\0' ||
	    dot > close || imap_parse_number(p, (size_t)(dot - p), &o) != 0 ||
	    imap_parse_number(dot + 1, (size_t)(close - dot - 1), &n) != 0 ||
	    n == 0 || o > UINT32_MAX || n > UINT32_MAX)
		return imap_syntax_error(err, "bad partial");
	it->has_partial = true;
	it->partial_origin = (uint32_t)o;
	it->partial_octets = (uint32_t)n;
	return 0;
}

static char *
imap_fetch_upper(const char *s, size_t n, struct arena *a)
{
	char *u = arena_strndup(a, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		u[i] = (char)toupper((unsigned char)u[i]);
	return u;
}

/* "BODY[1.TEXT]<0.10>" and friends: name, section, partial. */
static int
imap_fetch_sectioned(const char *s, size_t name_len, bool binary,
    struct imap_fetch_item *it, struct arena *a, struct err *err)
{
	const char *open = s + name_len, *close = strchr(open, ']');
	const char *name = it->kind == IMAP_FETCH_BINARY_SIZE ? "BINARY.SIZE"
	    : it->kind == IMAP_FETCH_BINARY                   ? "BINARY"
	                                                      : "BODY";

	if (close == NULL ||
	    imap_fetch_section(open + 1, close, binary, &it->section, a, err) !=
	        0)
		return -1;
	if (close[1] != '\0') {
		if (it->kind == IMAP_FETCH_BINARY_SIZE)
			return imap_syntax_error(err, "bad partial");
		if (imap_fetch_partial(close + 1, it, err) != 0)
			return -1;
	}
	/* RFC 3501 §7.4.2: the reply names the section as requested,
	   and a partial by its origin only. */
	it->reply_name = it->has_partial
	    ? arena_printf(a, "%s%.*s<%u>", name, (int)(close + 1 - open), open,
	          it->partial_origin)
	    : arena_printf(a, "%s%.*s", name, (int)(close + 1 - open), open);
	return 0;
}

static int
imap_fetch_item(const struct imap_arg *arg, struct imap_fetch_item *it,
    struct arena *a, struct err *err)
{
	const char *s = arg->str;
	size_t n, i;

	if (arg->type != IMAP_ARG_ATOM)
		return imap_syntax_error(err, "fetch item expected");
	n = strcspn(s, "[");
	memset(it, 0, sizeof(*it));
	for (i = 0; i < sizeof(imap_fetch_names) / sizeof(imap_fetch_names[0]);
	     i++) {
		if (strlen(imap_fetch_names[i].name) != n ||
		    strncasecmp(s, imap_fetch_names[i].name, n) != 0)
			continue;
		it->kind = imap_fetch_names[i].kind;
		it->peek = imap_fetch_names[i].peek;
		if (s[n] == '\0') {
			if (it->kind == IMAP_FETCH_BODY && !it->peek) {
				it->kind = IMAP_FETCH_BODY_STRUCT;
			} else if (imap_fetch_names[i].section) {
				break;
			}
			it->reply_name = imap_fetch_upper(s, n, a);
			return 0;
		}
		if (!imap_fetch_names[i].section)
			break;
		return imap_fetch_sectioned(
		    s, n, it->kind != IMAP_FETCH_BODY, it, a, err);
	}
	return imap_syntax_error(err, "unknown fetch item");
}

static void
imap_fetch_add(struct imap_fetch *out, size_t *cap,
    const struct imap_fetch_item *it, struct arena *a)
{
	size_t i;

	/* Simple items once each: "FETCH 1 (FLAGS FLAGS)" answers once. */
	if (it->kind != IMAP_FETCH_BODY && it->kind != IMAP_FETCH_BINARY &&
	    it->kind != IMAP_FETCH_BINARY_SIZE)
		for (i = 0; i < out->count; i++)
			if (out->items[i].kind == it->kind)
				return;
	out->items = imap_array_push(
	    a, out->items, &out->count, cap, sizeof(*out->items));
	out->items[out->count - 1] = *it;
	if (!it->peek &&
	    (it->kind == IMAP_FETCH_BODY || it->kind == IMAP_FETCH_BINARY ||
	        it->kind == IMAP_FETCH_RFC822 ||
	        it->kind == IMAP_FETCH_RFC822_TEXT))
		out->sets_seen = true;
}

static void
imap_fetch_simple(struct imap_fetch *out, size_t *cap,
    enum imap_fetch_kind kind, const char *name, struct arena *a)
{
	struct imap_fetch_item it = {.kind = kind, .reply_name = name};

	imap_fetch_add(out, cap, &it, a);
}

/* ALL, FAST, FULL (RFC 3501 §6.4.5); 1 if arg was a macro. */
static int
imap_fetch_macro(const struct imap_arg *arg, struct imap_fetch *out,
    size_t *cap, struct arena *a)
{
	bool all = imap_arg_is_atom(arg, "ALL"),
	     full = imap_arg_is_atom(arg, "FULL");

	if (!all && !full && !imap_arg_is_atom(arg, "FAST"))
		return 0;
	imap_fetch_simple(out, cap, IMAP_FETCH_FLAGS, "FLAGS", a);
	imap_fetch_simple(out, cap, IMAP_FETCH_INTERNALDATE, "INTERNALDATE", a);
	imap_fetch_simple(out, cap, IMAP_FETCH_RFC822_SIZE, "RFC822.SIZE", a);
	if (all || full)
		imap_fetch_simple(out, cap, IMAP_FETCH_ENVELOPE, "ENVELOPE", a);
	if (full)
		imap_fetch_simple(out, cap, IMAP_FETCH_BODY_STRUCT, "BODY", a);
	return 1;
}

/* "(CHANGEDSINCE n VANISHED)" */
static int
imap_fetch_modifiers(const struct imap_arg *list, struct imap_fetch *out,
    size_t *cap, struct arena *a, struct err *err)
{
	size_t i;

	if (list->type != IMAP_ARG_LIST)
		return imap_syntax_error(err, "fetch modifiers expected");
	for (i = 0; i < list->count; i++) {
		const struct imap_arg *m = &list->list[i];

		if (imap_arg_is_atom(m, "VANISHED") && !out->vanished) {
			out->vanished = true;
		} else if (imap_arg_is_atom(m, "CHANGEDSINCE") &&
		    !out->has_changedsince && i + 1 < list->count &&
		    list->list[i + 1].type == IMAP_ARG_ATOM &&
		    imap_parse_number(list->list[i + 1].str,
		        list->list[i + 1].len, &out->changedsince) == 0) {
			out->has_changedsince = true;
			i++;
			/* RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ. */
			imap_fetch_simple(
			    out, cap, IMAP_FETCH_MODSEQ, "MODSEQ", a);
		} else {
			return imap_syntax_error(err, "bad fetch modifier");
		}
	}
	/* RFC 7162 §3.2.6: VANISHED needs CHANGEDSINCE. */
	if (out->vanished && !out->has_changedsince)
		return imap_syntax_error(err, "VANISHED without CHANGEDSINCE");
	return 0;
}

int
imap_fetch_parse(const struct imap_arg *args, size_t count,
    struct imap_fetch *out, struct arena *a, struct err *err)
{
	const struct imap_arg *items = args;
	size_t n = 1, i, cap = 0;
	struct imap_fetch_item it;

	memset(out, 0, sizeof(*out));
	if (count == 0 || count > 2)
		return imap_syntax_error(err, "fetch items expected");
	if (args[0].type == IMAP_ARG_LIST) {
		items = args[0].list;
		n = args[0].count;
		if (n == 0)
			return imap_syntax_error(err, "empty fetch list");
	} else if (imap_fetch_macro(&args[0], out, &cap, a)) {
		n = 0;
	}
	if (n > IMAP_FETCH_ITEMS_MAX)
		return err_set(err, ERR_PERM, "LIMIT", "too many fetch items");
	for (i = 0; i < n; i++) {
		if (imap_fetch_item(&items[i], &it, a, err) != 0)
			return -1;
		imap_fetch_add(out, &cap, &it, a);
	}
	if (count == 2)
		return imap_fetch_modifiers(&args[1], out, &cap, a, err);
	return 0;
}

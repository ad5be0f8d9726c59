/* SPDX-License-Identifier: MIT */
/*
 * STORE arguments (RFC 3501 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE):
 * the optional modifier list, the data item name and the flags. Input
 * is client data tokenised by imap_lex.c.
 */
#include "imap/imap_parse.h"

#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

static int
imap_store_modifiers(
    const struct imap_arg *list, struct imap_store *out, struct err *err)
{
	size_t i;

	for (i = 0; i < list->count; i += 2) {
		const struct imap_arg *v;

		if (i + 1 >= list->count)
			return imap_syntax_error(err, "bad STORE modifier");
		v = &list->list[i + 1];
		if (!imap_arg_is_atom(&list->list[i], "UNCHANGEDSINCE") ||
		    v->type != IMAP_ARG_ATOM ||
		    imap_parse_number(v->str, v->len, &out->unchangedsince) !=
		        0 ||
		    out->has_unchangedsince)
			return imap_syntax_error(err, "bad STORE modifier");
		out->has_unchangedsince = true;
	}
	return 0;
}

/* [+-]FLAGS[.SILENT] */
static int
imap_store_item(const char *s, struct imap_store *out)
{
	if (*s == '+' || *s == '-') {
		out->op = *s == '+' ? IMAP_STORE_ADD : IMAP_STORE_REMOVE;
		s++;
	}
	if (strncasecmp(s, "FLAGS", 5) != 0)
		return -1;
	s += 5;
	if (*s == '\0')
		return 0;
	if (strcasecmp(s, ".SILENT") != 0)
		return -1;
	out->silent = true;
	return 0;
}

int
imap_store_parse(const struct imap_arg *args, size_t count,
    struct imap_store *out, struct arena *a, struct err *err)
{
	memset(out, 0, sizeof(*out));
	if (count > 0 && args[0].type == IMAP_ARG_LIST) {
		if (imap_store_modifiers(&args[0], out, err) != 0)
			return -1;
		args++;
		count--;
	}
	if (count < 2 || args[0].type != IMAP_ARG_ATOM ||
	    imap_store_item(args[0].str, out) != 0)
		return imap_syntax_error(err, "bad STORE data item");
	return imap_flags_parse(args + 1, count - 1, true, &out->flags, a, err);
}

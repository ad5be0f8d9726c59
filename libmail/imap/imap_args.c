/* SPDX-License-Identifier: MIT */
/*
 * Small readers over the argument tree: astring/atom tests, numbers,
 * and flag lists (RFC 3501 §9 flag-list, store-att-flags). Input is
 * client data already tokenised by imap_lex.c.
 */
#include "imap/imap_parse.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

bool
imap_arg_is_astring(const struct imap_arg *arg)
{
	return arg->type == IMAP_ARG_ATOM || arg->type == IMAP_ARG_QUOTED ||
	    arg->type == IMAP_ARG_LITERAL || arg->type == IMAP_ARG_NIL;
}

bool
imap_arg_is_atom(const struct imap_arg *arg, const char *word)
{
	return (arg->type == IMAP_ARG_ATOM || arg->type == IMAP_ARG_NIL) &&
	    strcasecmp(arg->str, word) == 0;
}

int
imap_parse_number(const char *s, size_t len, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	/* RFC 9051 number64: up to 2^63-1, so at most 19 digits. */
	if (len == 0 || len > 19)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n > INT64_MAX)
		return -1;
	*out = n;
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} imap_system_flags[] = {
    {"\\Seen", IMAP_FLAG_SEEN},
    {"\\Answered", IMAP_FLAG_ANSWERED},
    {"\\Flagged", IMAP_FLAG_FLAGGED},
    {"\\Deleted", IMAP_FLAG_DELETED},
    {"\\Draft", IMAP_FLAG_DRAFT},
};

/* RFC 3501 §9 flag-keyword = atom: no specials, no '\', no '[' ']'. */
static bool
imap_keyword_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("(){%*\"\\]", *s) != NULL)
			return false;
	return true;
}

static int
imap_flags_add(const struct imap_arg *arg, struct imap_flags *out, size_t *cap,
    struct arena *a, struct err *err)
{
	size_t i;

	if (arg->type != IMAP_ARG_ATOM)
		return imap_syntax_error(err, "flag expected");
	if (arg->str[0] == '\\') {
		for (i = 0; i <
		     sizeof(imap_system_flags) / sizeof(imap_system_flags[0]);
		     i++) {
			if (strcasecmp(arg->str, imap_system_flags[i].name) ==
			    0) {
				out->system |= imap_system_flags[i].bit;
				return 0;
			}
		}
		return imap_syntax_error(err, "unknown system flag");
	}
	if (!imap_keyword_valid(arg->str))
		return imap_syntax_error(err, "bad keyword");
	for (i = 0; i < out->nkeywords; i++)
		if (strcasecmp(out->keywords[i], arg->str) == 0)
			return 0; /* keywords are case-insensitive */
	out->keywords = imap_array_push(
	    a, out->keywords, &out->nkeywords, cap, sizeof(*out->keywords));
	out->keywords[out->nkeywords - 1] = arg->str;
	return 0;
}

int
imap_flags_parse(const struct imap_arg *args, size_t count, bool allow_bare,
    struct imap_flags *out, struct arena *a, struct err *err)
{
	size_t i, cap = 0;

	memset(out, 0, sizeof(*out));
	if (count == 1 && args[0].type == IMAP_ARG_LIST) {
		count = args[0].count;
		args = args[0].list;
	} else if (!allow_bare || count == 0) {
		return imap_syntax_error(err, "flag list expected");
	}
	for (i = 0; i < count; i++)
		if (imap_flags_add(&args[i], out, &cap, a, err) != 0)
			return -1;
	return 0;
}

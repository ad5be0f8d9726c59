/* SPDX-License-Identifier: MIT */
/*
 * SORT and THREAD arguments (RFC 5256 §3, RFC 5957 DISPLAYFROM/
 * DISPLAYTO, RFC 5267 ESORT RETURN): criteria or algorithm, then the
 * search program of imap_search.c. Input is client data tokenised by
 * imap_lex.c.
 */
#include "imap/imap_search.h"

#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

static const struct {
	const char *name;
	enum imap_sort_key key;
} imap_sort_keys[] = {
    {"ARRIVAL", IMAP_SORT_ARRIVAL},
    {"CC", IMAP_SORT_CC},
    {"DATE", IMAP_SORT_DATE},
    {"FROM", IMAP_SORT_FROM},
    {"SIZE", IMAP_SORT_SIZE},
    {"SUBJECT", IMAP_SORT_SUBJECT},
    {"TO", IMAP_SORT_TO},
    {"DISPLAYFROM", IMAP_SORT_DISPLAYFROM},
    {"DISPLAYTO", IMAP_SORT_DISPLAYTO},
};

/* sort-criterion = ["REVERSE" SP] sort-key */
static int
imap_sort_criteria(const struct imap_arg *list, struct imap_sort *out,
    struct arena *a, struct err *err)
{
	size_t i, k;
	bool reverse = false;

	if (list->type != IMAP_ARG_LIST || list->count == 0)
		return imap_syntax_error(err, "sort criteria expected");
	out->crit = arena_alloc(a, list->count * sizeof(*out->crit));
	for (i = 0; i < list->count; i++) {
		if (imap_arg_is_atom(&list->list[i], "REVERSE") && !reverse) {
			reverse = true;
			continue;
		}
		for (k = 0;
		     k < sizeof(imap_sort_keys) / sizeof(imap_sort_keys[0]);
		     k++)
			if (imap_arg_is_atom(
			        &list->list[i], imap_sort_keys[k].name))
				break;
		if (k == sizeof(imap_sort_keys) / sizeof(imap_sort_keys[0]))
			return imap_syntax_error(err, "bad sort criterion");
		out->crit[out->ncrit].key = imap_sort_keys[k].key;
		out->crit[out->ncrit++].reverse = reverse;
		reverse = false;
	}
	if (reverse)
		return imap_syntax_error(err, "REVERSE without a sort key");
	return 0;
}

int
imap_sort_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_sort *out,
    struct arena *a, struct err *err)
{
	unsigned ret = 0;
	size_t skip = 0;

	memset(out, 0, sizeof(*out));
	/* RFC 5267: "SORT RETURN (...) (criteria) charset keys". */
	if (count >= 2 && imap_arg_is_atom(&args[0], "RETURN")) {
		if (imap_search_return_opts(&args[1], &ret, err) != 0)
			return -1;
		skip = 2;
	}
	if (count < skip + 3)
		return imap_syntax_error(err, "SORT needs criteria and keys");
	if (imap_sort_criteria(&args[skip], out, a, err) != 0 ||
	    imap_search_parse_from(args + skip + 1, count - skip - 1,
	        IMAP_SEARCH_FROM_CHARSET, lim, &out->search, a, err) != 0)
		return -1;
	out->search.has_return = skip > 0;
	out->search.ret = ret;
	return 0;
}

int
imap_thread_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_thread *out,
    struct arena *a, struct err *err)
{
	memset(out, 0, sizeof(*out));
	if (count < 3)
		return imap_syntax_error(
		    err, "THREAD needs algorithm and keys");
	if (imap_arg_is_atom(&args[0], "ORDEREDSUBJECT"))
		out->alg = IMAP_THREAD_ORDEREDSUBJECT;
	else if (imap_arg_is_atom(&args[0], "REFERENCES"))
		out->alg = IMAP_THREAD_REFERENCES;
	else
		return err_set(err, ERR_PERM, "", "unknown thread algorithm");
	return imap_search_parse_from(args + 1, count - 1,
	    IMAP_SEARCH_FROM_CHARSET, lim, &out->search, a, err);
}

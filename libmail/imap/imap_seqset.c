/* SPDX-License-Identifier: MIT */
/*
 * Sequence sets (RFC 3501 §9 sequence-set, RFC 5182 "$"): parsing into
 * ranges and membership tests. Input is a client's atom.
 */
#include "imap/imap_parse.h"

#include <string.h>

#include "imap/imap_impl.h"

/* seq-number = nz-number / "*"; 0 on error. */
static int
imap_seqset_number(const char **pp, const char *end, uint32_t *out)
{
	const char *p = *pp;
	uint64_t n = 0;

	if (p < end && *p == '*') {
		*out = IMAP_SEQ_STAR;
		*pp = p + 1;
		return 0;
	}
	if (p >= end || *p < '1' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9') {
		n = n * 10 + (uint64_t)(*p++ - '0');
		if (n >= IMAP_SEQ_STAR)
			return -1; /* nz-number fits in 32 bits */
	}
	*out = (uint32_t)n;
	*pp = p;
	return 0;
}

int
imap_seqset_parse(const char *s, size_t len, struct imap_seqset *out,
    struct arena *a, struct err *err)
{
	const char *p = s, *end = s + len;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (len == 1 && *s == '$') {
		out->saved = true;
		return 0;
	}
	for (;;) {
		struct imap_seq_range r;

		if (imap_seqset_number(&p, end, &r.lo) != 0)
			return imap_syntax_error(err, "bad sequence set");
		r.hi = r.lo;
		if (p < end && *p == ':') {
			p++;
			if (imap_seqset_number(&p, end, &r.hi) != 0)
				return imap_syntax_error(
				    err, "bad sequence set");
			if (r.hi < r.lo) {
				uint32_t t = r.lo;

				r.lo = r.hi;
				r.hi = t;
			}
		}
		out->ranges = imap_array_push(
		    a, out->ranges, &out->count, &cap, sizeof(r));
		out->ranges[out->count - 1] = r;
		if (p == end)
			return 0;
		if (*p++ != ',')
			return imap_syntax_error(err, "bad sequence set");
	}
}

bool
imap_seqset_contains(const struct imap_seqset *set, uint32_t n, uint32_t star)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		uint32_t lo = set->ranges[i].lo, hi = set->ranges[i].hi;

		/* RFC 3501 §9: "*" is the largest number in use. */
		if (lo == IMAP_SEQ_STAR)
			lo = star;
		if (hi == IMAP_SEQ_STAR)
			hi = star;
		if (lo > hi) {
			uint32_t t = lo;

			lo = hi;
			hi = t;
		}
		if (n >= lo && n <= hi)
			return true;
	}
	return false;
}

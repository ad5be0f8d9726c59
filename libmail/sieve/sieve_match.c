/* SPDX-License-Identifier: MIT */
/*
 * Sieve matching: the comparators i;octet, i;ascii-casemap (RFC 4790)
 * and i;ascii-numeric, the match types :is, :contains, :matches (RFC
 * 5228 §2.7.1, with RFC 5229 match variables), :regex (PCRE2, compiled
 * once per script when the key is constant, run under match, depth and
 * heap limits; a limit hit is a temporary failure) and the relational
 * :value and :count (RFC 5231). Values are untrusted message data; no
 * match is worse than linear in the value except :matches and :regex,
 * whose cost the key length and the PCRE2 limits bound.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sieve/sieve_run_impl.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "msg/utf8.h"

#define SIEVE_GLOB_MAX 64	/* wildcards tracked in one :matches key */
#define SIEVE_FOLD_CHUNK 65536	/* :contains folds the value in chunks */

/* RFC 4790 §9.1: leading digits; none is positive infinity (NULL). */
static const char *
sieve_cmp_number(const char *s, size_t len, size_t *digits_out)
{
	size_t i = 0, n;

	if (len == 0 || !isdigit((unsigned char)s[0]))
		return NULL;
	while (i + 1 < len && s[i] == '0' && isdigit((unsigned char)s[i + 1]))
		i++;
	for (n = 0; i + n < len && isdigit((unsigned char)s[i + n]); n++)
		;
	*digits_out = n;
	return s + i;
}

int
sieve_cmp_order(enum sieve_cmp cmp, const char *a, size_t alen,
    const char *b, size_t blen)
{
	size_t i, an = 0, bn = 0;
	const char *na, *nb;
	int d;

	switch (cmp) {
	case SIEVE_CMP_NUMERIC:
		na = sieve_cmp_number(a, alen, &an);
		nb = sieve_cmp_number(b, blen, &bn);
		if (na == NULL || nb == NULL)
			return (na == NULL) - (nb == NULL);
		if (an != bn)
			return an < bn ? -1 : 1;
		return memcmp(na, nb, an);
	case SIEVE_CMP_CASEMAP:
		for (i = 0; i < alen && i < blen; i++) {
			d = tolower((unsigned char)a[i]) -
			    tolower((unsigned char)b[i]);
			if (d != 0)
				return d;
		}
		break;
	case SIEVE_CMP_OCTET:
		d = memcmp(a, b, alen < blen ? alen : blen);
		if (d != 0)
			return d;
		break;
	}
	return alen < blen ? -1 : alen > blen;
}

static bool
sieve_rel_holds(enum sieve_rel rel, int order)
{
	switch (rel) {
	case SIEVE_REL_GT: return order > 0;
	case SIEVE_REL_GE: return order >= 0;
	case SIEVE_REL_LT: return order < 0;
	case SIEVE_REL_LE: return order <= 0;
	case SIEVE_REL_EQ: return order == 0;
	case SIEVE_REL_NE: return order != 0;
	}
	return false;
}

/* Case-insensitive substring search, linear: fold chunks, then memmem. */
static bool
sieve_contains_fold(const char *h, size_t hlen, const char *k, size_t klen)
{
	char *key, *win;
	size_t off = 0, i, n;
	bool found = false;

	if (klen == 0)
		return true;
	if (klen > hlen)
		return false;
	key = xmalloc(klen);
	win = xmalloc(SIEVE_FOLD_CHUNK + klen);
	for (i = 0; i < klen; i++)
		key[i] = (char)tolower((unsigned char)k[i]);
	while (!found && off + klen <= hlen) {
		n = hlen - off < SIEVE_FOLD_CHUNK + klen ? hlen - off :
		    SIEVE_FOLD_CHUNK + klen;
		for (i = 0; i < n; i++)
			win[i] = (char)tolower((unsigned char)h[off + i]);
		found = memmem(win, n, key, klen) != NULL;
		off += SIEVE_FOLD_CHUNK + 1;
	}
	free(key);
	free(win);
	return found;
}

static bool
sieve_char_eq(enum sieve_cmp cmp, char a, char b)
{
	if (cmp == SIEVE_CMP_CASEMAP)
		return tolower((unsigned char)a) == tolower((unsigned char)b);
	return a == b;
}

static size_t
sieve_glob_stars(const struct sieve_str *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->len; i++)
		n += k->s[i] == '*';
	return n;
}

struct sieve_glob {
	size_t start[SIEVE_GLOB_MAX];
	size_t len[SIEVE_GLOB_MAX];
	size_t count;
};

/*
 * RFC 5228 §2.7.1 "*" and "?" with "\" quoting. Earlier stars match as
 * little as possible (RFC 5229 §3.2's examples): on a mismatch only the
 * last star grows. Records each wildcard's span in g.
 */
static bool
sieve_glob(enum sieve_cmp cmp, const char *t, size_t tlen, const char *p,
    size_t plen, struct sieve_glob *g)
{
	size_t ti = 0, pi = 0, wi = 0, star_pi = SIZE_MAX, star_wi = 0;

	while (ti < tlen) {
		if (pi < plen && p[pi] == '*' && wi < SIEVE_GLOB_MAX) {
			star_pi = pi++;
			star_wi = wi;
			g->start[wi] = ti;
			g->len[wi++] = 0;
			continue;
		}
		if (pi < plen && p[pi] == '?' && wi < SIEVE_GLOB_MAX) {
			size_t n = utf8_seq_len((const unsigned char *)t + ti,
			    tlen - ti);

			n = n == 0 ? 1 : n;
			g->start[wi] = ti;
			g->len[wi++] = n;
			ti += n;
			pi++;
			continue;
		}
		if (pi < plen) {
			size_t adv = p[pi] == '\\' && pi + 1 < plen ? 2 : 1;

			if (sieve_char_eq(cmp, p[pi + adv - 1], t[ti])) {
				pi += adv;
				ti++;
				continue;
			}
		}
		if (star_pi == SIZE_MAX)
			return false;
		ti = g->start[star_wi] + ++g->len[star_wi];
		pi = star_pi + 1;
		wi = star_wi + 1;
	}
	while (pi < plen && p[pi] == '*' && wi < SIEVE_GLOB_MAX) {
		g->start[wi] = ti;
		g->len[wi++] = 0;
		pi++;
	}
	g->count = wi;
	return pi == plen;
}

static int
sieve_match_glob(struct sieve_run *r, enum sieve_cmp cmp, const char *v,
    size_t len, const char *k, size_t klen)
{
	struct sieve_glob g;
	const char *mv[10];
	size_t ml[10], i;

	if (!sieve_glob(cmp, v, len, k, klen, &g))
		return 0;
	mv[0] = v;
	ml[0] = len;
	for (i = 0; i < g.count && i < 9; i++) {
		mv[i + 1] = v + g.start[i];
		ml[i + 1] = g.len[i];
	}
	sieve_mvars_set(r, mv, ml, i + 1);
	return 1;
}

static int
sieve_match_regex(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_arg *keys, size_t i, const char *v, size_t len)
{
	pcre2_code *re = keys->regex ? keys->regex[i] : NULL, *own = NULL;
	const char *mv[10];
	size_t ml[10], k, klen;
	PCRE2_SIZE *ov;
	int rc, code;
	PCRE2_SIZE off;

	if (re == NULL) {
		const char *key = sieve_str(r, &keys->strs[i], &klen);

		re = own = pcre2_compile((PCRE2_SPTR)key, klen,
		    n->cmp == SIEVE_CMP_CASEMAP ? PCRE2_CASELESS : 0, &code,
		    &off, NULL);
		if (re == NULL)
			return sieve_run_fail(r, n, ERR_PERM,
			    "bad regular expression \"%.64s\"", key);
	}
	if (r->match_ctx == NULL) {
		r->match_ctx = pcre2_match_context_create(NULL);
		r->match_data = pcre2_match_data_create(10, NULL);
		if (r->match_ctx == NULL || r->match_data == NULL)
			log_fatal("%s: out of memory", __func__);
		pcre2_set_match_limit(r->match_ctx, r->lim->regex_match_limit);
		pcre2_set_depth_limit(r->match_ctx, r->lim->regex_depth_limit);
		pcre2_set_heap_limit(r->match_ctx, r->lim->regex_heap_kib);
	}
	rc = pcre2_match(re, (PCRE2_SPTR)v, len, 0, 0, r->match_data,
	    r->match_ctx);
	pcre2_code_free(own);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return sieve_run_fail(r, n, ERR_TEMP,
		    "regular expression failed (error %d)", rc);
	ov = pcre2_get_ovector_pointer(r->match_data);
	for (k = 0; k < 10; k++) {
		bool set = k < (size_t)rc && ov[2 * k] != PCRE2_UNSET;

		mv[k] = set ? v + ov[2 * k] : "";
		ml[k] = set ? ov[2 * k + 1] - ov[2 * k] : 0;
	}
	sieve_mvars_set(r, mv, ml, 10);
	return 1;
}

void
sieve_match_init(struct sieve_matcher *m, const struct sieve_node *n,
    const struct sieve_arg *keys)
{
	m->n = n;
	m->keys = keys;
	m->values = 0;
}

static int
sieve_match_key(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_arg *keys, size_t i, const char *v, size_t len)
{
	size_t klen;
	const char *k;

	/*
	 * The work of one test is bounded as well as the number of tests.
	 * A :matches key costs up to the value's length per '*' in it.
	 */
	r->match_octets += len + keys->strs[i].len;
	if (n->match == SIEVE_MATCH_MATCHES)
		r->match_octets += len * sieve_glob_stars(&keys->strs[i]);
	if (r->match_octets > r->lim->match_octets_max)
		return sieve_run_fail(r, n, ERR_PERM,
		    "the script compares more than %zu octets",
		    r->lim->match_octets_max);
	if (n->match == SIEVE_MATCH_REGEX)
		return sieve_match_regex(r, n, keys, i, v, len);
	k = sieve_str(r, &keys->strs[i], &klen);
	switch (n->match) {
	case SIEVE_MATCH_IS:
		return sieve_cmp_order(n->cmp, v, len, k, klen) == 0;
	case SIEVE_MATCH_CONTAINS:
		if (n->cmp == SIEVE_CMP_CASEMAP)
			return sieve_contains_fold(v, len, k, klen);
		return klen == 0 || memmem(v, len, k, klen) != NULL;
	case SIEVE_MATCH_MATCHES:
		return sieve_match_glob(r, n->cmp, v, len, k, klen);
	case SIEVE_MATCH_VALUE:
		return sieve_rel_holds(n->rel,
		    sieve_cmp_order(n->cmp, v, len, k, klen));
	default:
		return 0;
	}
}

int
sieve_match_value(struct sieve_run *r, struct sieve_matcher *m,
    const char *v, size_t len)
{
	size_t i;
	int rc;

	m->values++;
	if (m->n->match == SIEVE_MATCH_COUNT)
		return 0;
	for (i = 0; i < m->keys->count; i++)
		if ((rc = sieve_match_key(r, m->n, m->keys, i, v, len)) != 0)
			return rc;
	return 0;
}

int
sieve_match_done(struct sieve_run *r, struct sieve_matcher *m, int so_far)
{
	char count[32];
	size_t i, klen;
	int n;

	if (so_far != 0 || m->n->match != SIEVE_MATCH_COUNT)
		return so_far;
	n = snprintf(count, sizeof(count), "%zu", m->values);
	if (n < 0 || (size_t)n >= sizeof(count))
		return 0;
	for (i = 0; i < m->keys->count; i++) {
		const char *k = sieve_str(r, &m->keys->strs[i], &klen);

		if (sieve_rel_holds(m->n->rel,
		    sieve_cmp_order(m->n->cmp, count, (size_t)n, k, klen)))
			return 1;
	}
	return 0;
}

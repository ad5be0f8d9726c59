/* SPDX-License-Identifier: MIT */
/*
 * spamtest, spamtestplus and virustest (RFC 5235): the score is read
 * from the header the caller configured (sieve_environment.spam/virus),
 * scaled onto the RFC's range ("1".."10" for spamtest, "0".."100" with
 * :percent, "1".."5" for virustest) and matched as text; "0" means not
 * tested (no such header, or one that holds no number).
 */
#include "sieve/sieve_run_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header's number, or false when there is none. */
static bool
sieve_score_read(struct sieve_run *r, const struct sieve_score_source *src,
    double *out)
{
	const struct sieve_field **f;
	size_t count;
	char *end;

	if (src->header == NULL || src->max <= 0)
		return false;
	f = sieve_msg_fields(r, src->header, 1, false, &count);
	if (count == 0)
		return false;
	*out = strtod(f[0]->value, &end);
	/* NaN and the infinities are no score */
	return end != f[0]->value && *out > -1e300 && *out < 1e300;
}

int
sieve_test_score(struct sieve_run *r, const struct sieve_node *n)
{
	bool virus = n->op == SIEVE_OP_VIRUSTEST;
	bool percent = sieve_node_tag(n, SIEVE_TAG_PERCENT) != NULL;
	const struct sieve_environment *env = &r->in->environment;
	struct sieve_matcher m;
	char value[16];
	double score, frac;
	long v = 0;
	int len, rc;

	if (sieve_score_read(r, virus ? &env->virus : &env->spam, &score)) {
		frac = score <= 0 ? 0 : score >= (virus ? env->virus.max :
		    env->spam.max) ? 1 : score / (virus ? env->virus.max :
		    env->spam.max);
		/* spamtest 1 = certainly not spam ... 10 = certainly spam */
		v = percent ? (long)(frac * 100 + 0.5) : virus ?
		    1 + (long)(frac * 4 + 0.5) : 1 + (long)(frac * 9 + 0.5);
	}
	len = snprintf(value, sizeof(value), "%ld", v);
	if (len < 0 || (size_t)len >= sizeof(value))
		return 0;
	sieve_match_init(&m, n, n->pos[0]);
	rc = sieve_match_value(r, &m, value, (size_t)len);
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

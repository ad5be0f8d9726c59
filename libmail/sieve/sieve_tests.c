/* SPDX-License-Identifier: MIT */
/*
 * Sieve tests of RFC 5228 §5 that need no more than the header view:
 * allof, anyof, not, true, false, exists, header, size, and string (RFC
 * 5229 §5), mailboxexists (RFC 5490 §3.1); and the dispatch to the tests
 * that live in their own files. Each returns 1 true, 0 false, -1 the run
 * failed. Header values come from the untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>

#include "core/log.h"

static int
sieve_test_list(struct sieve_run *r, const struct sieve_node *n, bool all)
{
	size_t i;
	int rc;

	/* RFC 5228 §5.1, §5.2: evaluation stops at the first decider */
	for (i = 0; i < n->test_count; i++) {
		if ((rc = sieve_test(r, n->tests[i])) < 0)
			return -1;
		if (rc != all)
			return !all;
	}
	return all;
}

static int
sieve_test_exists(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *a = n->pos[0];
	size_t i, count;

	for (i = 0; i < a->count; i++) {
		(void)sieve_msg_fields(r, sieve_str(r, &a->strs[i], NULL), 0,
		    false, &count);
		if (count == 0)
			return 0;
	}
	return 1;
}

static int
sieve_test_header(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *ix = sieve_node_tag(n, SIEVE_TAG_INDEX);
	bool last = sieve_node_tag(n, SIEVE_TAG_LAST) != NULL;
	const struct sieve_arg *names = n->pos[0];
	struct sieve_matcher m;
	size_t i, j, count, len;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[1]);
	for (i = 0; i < names->count && rc == 0; i++) {
		const struct sieve_field **f = sieve_msg_fields(r,
		    sieve_str(r, &names->strs[i], NULL),
		    ix ? ix->arg->number : 0, last, &count);

		for (j = 0; j < count && rc == 0; j++) {
			const char *v = sieve_mime_decode_header(r->arena,
			    f[j]->value, f[j]->value_len, &len);

			rc = sieve_match_value(r, &m, v, len);
		}
	}
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

static int
sieve_test_size(const struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *tv = &n->tags[0];
	uint64_t size = r->in->msg.len;

	return tv->tag == SIEVE_TAG_OVER ? size > tv->arg->number :
	    size < tv->arg->number;
}

/* RFC 5229 §5: for :count, empty source strings are not counted. */
static int
sieve_test_string(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *src = n->pos[0];
	struct sieve_matcher m;
	size_t i, len;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[1]);
	for (i = 0; i < src->count && rc == 0; i++) {
		const char *v = sieve_str(r, &src->strs[i], &len);

		if (len == 0 && n->match == SIEVE_MATCH_COUNT)
			continue;
		rc = sieve_match_value(r, &m, v, len);
	}
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

static int
sieve_test_mailboxexists(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_callbacks *cb = &r->in->cb;
	const struct sieve_arg *a = n->pos[0];
	struct err err;
	size_t i, len;
	int rc;

	if (cb->mailbox_exists_fn == NULL)
		return 0;
	for (i = 0; i < a->count; i++) {
		const char *name = sieve_str(r, &a->strs[i], &len);

		if (!sieve_mailbox_valid(name, len))
			return 0;
		err_clear(&err);
		rc = cb->mailbox_exists_fn(cb->ctx, name, &err);
		if (rc < 0)
			return sieve_run_fail(r, n, ERR_TEMP,
			    "mailboxexists: %s", err.text);
		if (rc == 0)
			return 0;
	}
	return 1;
}

int
sieve_test(struct sieve_run *r, const struct sieve_node *n)
{
	int rc;

	if (sieve_run_step(r, n) < 0)
		return -1;
	switch (n->op) {
	case SIEVE_OP_ALLOF: return sieve_test_list(r, n, true);
	case SIEVE_OP_ANYOF: return sieve_test_list(r, n, false);
	case SIEVE_OP_NOT:
		rc = sieve_test(r, n->tests[0]);
		return rc < 0 ? -1 : !rc;
	case SIEVE_OP_TRUE: return 1;
	case SIEVE_OP_FALSE: return 0;
	case SIEVE_OP_EXISTS: return sieve_test_exists(r, n);
	case SIEVE_OP_HEADER: return sieve_test_header(r, n);
	case SIEVE_OP_SIZE: return sieve_test_size(r, n);
	case SIEVE_OP_STRING: return sieve_test_string(r, n);
	case SIEVE_OP_MAILBOXEXISTS: return sieve_test_mailboxexists(r, n);
	case SIEVE_OP_ADDRESS: return sieve_test_address(r, n);
	case SIEVE_OP_ENVELOPE: return sieve_test_envelope(r, n);
	case SIEVE_OP_BODY: return sieve_test_body(r, n);
	case SIEVE_OP_DATE:
	case SIEVE_OP_CURRENTDATE: return sieve_test_date(r, n);
	case SIEVE_OP_HASFLAG: return sieve_test_hasflag(r, n);
	case SIEVE_OP_DUPLICATE: return sieve_test_duplicate(r, n);
	case SIEVE_OP_SPAMTEST:
	case SIEVE_OP_VIRUSTEST: return sieve_test_score(r, n);
	default:
		PANIC("%s: %s is not a test", __func__, n->name);
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * The body test (RFC 5173): :raw matches the undecoded body as it is in
 * the caller's buffer; :text (the default) and :content match the
 * transfer-decoded leaf parts whose content type fits. Input is the
 * untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <strings.h>

/* RFC 5173 §5.2: "" any type, "type" its subtypes, "type/sub" exact. */
static bool
sieve_body_type_ok(struct sieve_run *r, const struct sieve_arg *types,
    const char *type)
{
	size_t i, len;

	if (types == NULL)
		return strncmp(type, "text/", 5) == 0;
	for (i = 0; i < types->count; i++) {
		const char *t = sieve_str(r, &types->strs[i], &len);

		if (len == 0 || strcasecmp(t, type) == 0 ||
		    (memchr(t, '/', len) == NULL &&
		    strncasecmp(t, type, len) == 0 && type[len] == '/'))
			return true;
	}
	return false;
}

int
sieve_test_body(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *ct = sieve_node_tag(n, SIEVE_TAG_CONTENT);
	struct sieve_matcher m;
	size_t i;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[0]);
	if (sieve_node_tag(n, SIEVE_TAG_RAW) != NULL) {
		rc = sieve_match_value(r, &m, r->in->msg.data +
		    r->msg.body_off, r->in->msg.len - r->msg.body_off);
		return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
	}
	if (sieve_mime_walk(r) < 0)
		return -1;
	for (i = 0; i < r->part_count && rc == 0; i++)
		if (sieve_body_type_ok(r, ct ? ct->arg : NULL,
		    r->parts[i].type))
			rc = sieve_match_value(r, &m, r->parts[i].data,
			    r->parts[i].len);
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

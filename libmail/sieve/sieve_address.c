/* SPDX-License-Identifier: MIT */
/*
 * The address and envelope tests (RFC 5228 §5.1, §5.4) with the address
 * parts :all, :localpart, :domain and RFC 5233's :user and :detail (split
 * at main.cf's recipient_delimiter, as local delivery does). Header
 * addresses are parsed with msg/address_list.h; a value that does not
 * parse is compared whole, for :all only. Input is the untrusted message
 * and envelope.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <strings.h>

#include "msg/address.h"
#include "msg/address_list.h"

#define SIEVE_ADDRESS_MAX 1000	/* addresses read from one field */

/*
 * The part of addr (len octets, "local@domain" or "local") the node asks
 * for, in *out; false when the address has no such part (no domain, no
 * detail), which then matches nothing.
 */
static bool
sieve_address_part(const struct sieve_run *r, const struct sieve_node *n,
    const char *addr, size_t len, const char **out, size_t *out_len)
{
	const char *at = memrchr(addr, '@', len);
	struct address_parts p;

	switch (n->part) {
	case SIEVE_PART_ALL:
		*out = addr;
		*out_len = len;
		return true;
	case SIEVE_PART_LOCAL:
		*out = addr;
		*out_len = at ? (size_t)(at - addr) : len;
		return true;
	case SIEVE_PART_DOMAIN:
		if (at == NULL)
			return false;
		*out = at + 1;
		*out_len = len - (size_t)(at + 1 - addr);
		return true;
	default:
		break;
	}
	address_split(addr, len, r->in->environment.recipient_delimiter, &p);
	if (n->part == SIEVE_PART_USER) {
		*out = p.local;
		*out_len = p.local_len;
		return true;
	}
	/* RFC 5233 §4: no delimiter, no detail; an empty one is "" */
	if (p.ext == NULL) {
		if (p.delim == '\0')
			return false;
		*out = "";
		*out_len = 0;
		return true;
	}
	*out = p.ext;
	*out_len = p.ext_len;
	return true;
}

static int
sieve_address_match(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_matcher *m, const char *addr, size_t len)
{
	const char *part;
	size_t plen;

	if (!sieve_address_part(r, n, addr, len, &part, &plen)) {
		m->values++;	/* still an address, for :count */
		return 0;
	}
	return sieve_match_value(r, m, part, plen);
}

static int
sieve_address_field(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_matcher *m, const struct sieve_field *f)
{
	struct address_list list;
	size_t i;
	int rc = 0;

	if (address_list_parse(f->value, f->value_len, ADDRESS_SMTPUTF8,
	    SIEVE_ADDRESS_MAX, &list, r->arena, NULL) < 0) {
		if (n->part != SIEVE_PART_ALL)
			return 0;
		return sieve_match_value(r, m, f->value, f->value_len);
	}
	for (i = 0; i < list.count && rc == 0; i++) {
		const struct address *a = &list.items[i].addr;
		const char *s = a->domain ? arena_printf(r->arena, "%s@%s",
		    a->local, a->domain) : a->local;

		rc = sieve_address_match(r, n, m, s, strlen(s));
	}
	return rc;
}

int
sieve_test_address(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *ix = sieve_node_tag(n, SIEVE_TAG_INDEX);
	bool last = sieve_node_tag(n, SIEVE_TAG_LAST) != NULL;
	const struct sieve_arg *names = n->pos[0];
	struct sieve_matcher m;
	size_t i, j, count;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[1]);
	for (i = 0; i < names->count && rc == 0; i++) {
		const char *name = sieve_str(r, &names->strs[i], NULL);
		const struct sieve_field **f;

		if (!sieve_address_header(name))
			continue;
		f = sieve_msg_fields(r, name, ix ? ix->arg->number : 0, last,
		    &count);
		for (j = 0; j < count && rc == 0; j++)
			rc = sieve_address_field(r, n, &m, f[j]);
	}
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

int
sieve_test_envelope(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_envelope *env = &r->in->env;
	const struct sieve_arg *parts = n->pos[0];
	struct sieve_matcher m;
	size_t i;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[1]);
	for (i = 0; i < parts->count && rc == 0; i++) {
		const char *part = sieve_str(r, &parts->strs[i], NULL);
		const char *addr = strcasecmp(part, "from") == 0 ? env->from :
		    strcasecmp(part, "to") == 0 ? env->to : NULL;

		if (addr == NULL)
			continue;
		/* RFC 5228 §5.4: <> is "" whatever the address part */
		if (addr[0] == '\0')
			rc = sieve_match_value(r, &m, "", 0);
		else
			rc = sieve_address_match(r, n, &m, addr,
			    strlen(addr));
	}
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

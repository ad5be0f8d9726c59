/* SPDX-License-Identifier: MIT */
/*
 * The answer section of a DNS reply, parsed with libresolv's ns_*
 * functions, which bound every read by the message end. A reply is
 * untrusted: record lengths are checked against the type, names must
 * expand, and at most DNS_RECORDS_MAX records are taken. Pure.
 */
#include "dns/dns_impl.h"

#include <ctype.h>
#include <string.h>

/* An MX target: expand the name, lowercase it. 0, or -1. */
static int
dns_parse_mx(
    const ns_msg *msg, const ns_rr *rr, struct dns_mx *out, struct arena *arena)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	char name[NS_MAXDNAME];
	size_t i, len;

	if (ns_rr_rdlen(*rr) < 3)
		return -1;
	if (dn_expand(ns_msg_base(*msg), ns_msg_end(*msg), rd + 2, name,
	        sizeof(name)) < 0)
		return -1;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		name[--len] = '\0';
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	out->pref = ns_get16(rd);
	out->host = arena_strndup(arena, name, len);
	return 0;
}

static int
dns_parse_addr(const ns_rr *rr, int type, struct dns_addr *out)
{
	size_t want = type == ns_t_a ? 4 : 16;

	if (ns_rr_rdlen(*rr) != want)
		return -1;
	memset(out, 0, sizeof(*out));
	out->family = type == ns_t_a ? AF_INET : AF_INET6;
	memcpy(out->addr, ns_rr_rdata(*rr), want);
	return 0;
}

int
dns_parse_answer(const unsigned char *msg, size_t len, int type, void **out,
    struct arena *arena, struct err *err)
{
	size_t size =
	    type == ns_t_mx ? sizeof(struct dns_mx) : sizeof(struct dns_addr);
	unsigned char *recs = arena_zalloc(arena, size * DNS_RECORDS_MAX);
	ns_msg handle;
	ns_rr rr;
	int i, count, n = 0, rc;

	*out = recs;
	if (len > 65535 || ns_initparse(msg, (int)len, &handle) != 0)
		goto bad;
	count = ns_msg_count(handle, ns_s_an);
	for (i = 0; i < count && n < DNS_RECORDS_MAX; i++) {
		if (ns_parserr(&handle, ns_s_an, i, &rr) != 0)
			goto bad;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;
		if (type == ns_t_mx)
			rc = dns_parse_mx(&handle, &rr,
			    (struct dns_mx *)(void *)(recs + n * size), arena);
		else
			rc = dns_parse_addr(&rr, type,
			    (struct dns_addr *)(void *)(recs + n * size));
		if (rc != 0)
			goto bad;
		n++;
	}
	return n;
bad:
	return err_set(err, ERR_TEMP, "4.4.3", "malformed DNS reply");
}

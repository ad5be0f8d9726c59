/* SPDX-License-Identifier: MIT */
/*
 * MX and address lookups: one res_nquery per type (no search list: mail
 * domains are absolute), the answer parsed by dns_parse.c. A missing
 * domain is a permanent failure; anything else that goes wrong is
 * temporary, so a resolver outage defers mail and never bounces it.
 * Also the getaddrinfo(3) variant for smtp_host_lookup = native.
 */
#include "dns/dns_impl.h"

#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/xmalloc.h"

/* Large enough for any UDP answer; libresolv retries over TCP. */
#define DNS_ANSWER_MAX 65536

static const char *
dns_query_type_name(int type)
{
	return type == ns_t_mx ? "MX" : type == ns_t_a ? "A" : "AAAA";
}

/* One query: count of records (0: no data), or -1 with err. */
static int
dns_query(struct dns_resolver *r, const char *name, int type, void **out,
    struct arena *arena, struct err *err)
{
	unsigned char *answer = xmalloc(DNS_ANSWER_MAX);
	int len, n;

	len = res_nquery(&r->rs, name, ns_c_in, type, answer, DNS_ANSWER_MAX);
	if (len < 0) {
		free(answer);
		*out = NULL;
		switch (r->rs.res_h_errno) {
		case NO_DATA:
			return 0;
		case HOST_NOT_FOUND:
			return err_set(err, ERR_PERM, "5.4.4",
			    "Host or domain name not found. Name service error "
			    "for name=%s type=%s: Host not found",
			    name, dns_query_type_name(type));
		default:
			return err_set(err, ERR_TEMP, "4.4.3",
			    "Host or domain name not found. Name service error "
			    "for name=%s type=%s: Host not found, try again",
			    name, dns_query_type_name(type));
		}
	}
	n = dns_parse_answer(answer, (size_t)len, type, out, arena, err);
	free(answer);
	if (n < 0)
		err_prefix(err, "%s type=%s", name, dns_query_type_name(type));
	return n;
}

int
dns_lookup_mx(struct dns_resolver *r, const char *domain,
    struct dns_mx **mx_out, size_t *n_out, struct arena *arena, struct err *err)
{
	void *recs;
	int n = dns_query(r, domain, ns_t_mx, &recs, arena, err);

	*mx_out = recs;
	*n_out = n > 0 ? (size_t)n : 0;
	return n < 0 ? -1 : n > 0;
}

int
dns_lookup_addr(struct dns_resolver *r, const char *host, unsigned families,
    struct dns_addr **addr_out, size_t *n_out, struct arena *arena,
    struct err *err)
{
	struct dns_addr *all =
	    arena_alloc(arena, 2 * DNS_RECORDS_MAX * sizeof(*all));
	static const int types[] = {ns_t_aaaa, ns_t_a};
	static const unsigned fams[] = {DNS_FAMILY_INET6, DNS_FAMILY_INET};
	size_t i, total = 0;
	bool failed = false;
	void *recs;
	int n;

	for (i = 0; i < 2; i++) {
		if ((families & fams[i]) == 0)
			continue;
		n = dns_query(r, host, types[i], &recs, arena, err);
		/* NXDOMAIN is final; a failure of one type is tolerated
		 * when the other type gives addresses. */
		if (n < 0 && err->kind == ERR_PERM)
			return -1;
		failed |= n < 0;
		if (n > 0) {
			memcpy(all + total, recs, (size_t)n * sizeof(*all));
			total += (size_t)n;
		}
	}
	if (total == 0 && failed)
		return -1;
	*addr_out = all;
	*n_out = total;
	return total > 0;
}

int
dns_native_addr(const char *host, unsigned families, struct dns_addr **addr_out,
    size_t *n_out, struct arena *arena, struct err *err)
{
	struct addrinfo hints, *res, *ai;
	struct dns_addr *all;
	size_t n = 0;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = families == DNS_FAMILY_INET ? AF_INET
	    : families == DNS_FAMILY_INET6            ? AF_INET6
	                                              : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc == EAI_NONAME || rc == EAI_NODATA)
		return err_set(err, ERR_PERM, "5.4.4",
		    "Host or domain name not found. Name service error for "
		    "name=%s: %s",
		    host, gai_strerror(rc));
	if (rc != 0)
		return err_set(err, ERR_TEMP, "4.4.3",
		    "Host or domain name lookup failed for name=%s: %s", host,
		    gai_strerror(rc));
	all = arena_zalloc(arena, DNS_RECORDS_MAX * sizeof(*all));
	for (ai = res; ai != NULL && n < DNS_RECORDS_MAX; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			all[n].family = AF_INET;
			memcpy(all[n++].addr,
			    &((struct sockaddr_in *)(void *)ai->ai_addr)
			         ->sin_addr,
			    4);
		} else if (ai->ai_family == AF_INET6) {
			all[n].family = AF_INET6;
			memcpy(all[n++].addr,
			    &((struct sockaddr_in6 *)(void *)ai->ai_addr)
			         ->sin6_addr,
			    16);
		}
	}
	freeaddrinfo(res);
	*addr_out = all;
	*n_out = n;
	return n > 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Ordering MX records (RFC 5321 section 5.1: lowest preference first,
 * equal preferences in random order) and printing addresses. Pure but
 * for the caller's random source.
 */
#include "dns/dns.h"

#include <arpa/inet.h>
#include <sys/socket.h>

void
dns_mx_sort(struct dns_mx *mx, size_t n, uint32_t (*rnd)(void *ctx, uint32_t k),
    void *ctx)
{
	struct dns_mx t;
	size_t i, j, start, end;

	/* Insertion sort: n is at most DNS_RECORDS_MAX, and it is stable. */
	for (i = 1; i < n; i++) {
		t = mx[i];
		for (j = i; j > 0 && mx[j - 1].pref > t.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = t;
	}
	/* Fisher-Yates within each run of equal preference. */
	for (start = 0; start < n; start = end) {
		for (end = start + 1; end < n && mx[end].pref == mx[start].pref;
		     end++)
			;
		for (i = end - 1; i > start; i--) {
			j = start + rnd(ctx, (uint32_t)(i - start + 1));
			t = mx[i];
			mx[i] = mx[j];
			mx[j] = t;
		}
	}
}

void
dns_addr_text(const struct dns_addr *addr, char *out, size_t size)
{
	if (inet_ntop(addr->family, addr->addr, out, (socklen_t)size) == NULL &&
	    size > 0)
		out[0] = '\0';
}

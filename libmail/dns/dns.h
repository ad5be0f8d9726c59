/* SPDX-License-Identifier: MIT */
/*
 * DNS for the smtp/lmtp client: MX and address (A/AAAA) lookups through
 * libresolv with a private resolver state, so a process can set it up
 * before chroot (resolv.conf is read then, or dns_servers replaces it)
 * and query from inside the jail; and the same address lookup through
 * getaddrinfo(3) for smtp_host_lookup = native. Answers come from the
 * network and are untrusted: dns_parse.c checks every record.
 */
#ifndef DNS_DNS_H
#define DNS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct dns_resolver;

/* One MX record. host "" is the root: a null MX (RFC 7505). */
struct dns_mx {
	const char *host; /* lowercase, no trailing dot */
	unsigned pref;
};

/* One address of a host. */
struct dns_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* 4 or 16 bytes, network order */
};

/* Address families to look up. */
#define DNS_FAMILY_INET 1u
#define DNS_FAMILY_INET6 2u

/* Most records taken from one answer; the rest are ignored. */
#define DNS_RECORDS_MAX 64

/* ---- dns_resolver.c ---- */

/*
 * A resolver: /etc/resolv.conf's servers and options, or, when servers
 * (a dns_servers list: "ip" or "ip:port", IPv4) is not empty, those
 * servers instead. Each query waits timeout_s seconds per try, two
 * tries per server. Call before chroot: resolv.conf is read here and
 * never again. Caller frees with dns_resolver_free. NULL with err
 * (ERR_PERM: a malformed list; ERR_TEMP: the resolver library failed).
 */
struct dns_resolver *dns_resolver_new(
    const char *servers, int timeout_s, struct err *err);
void dns_resolver_free(struct dns_resolver **rp);

/* ---- dns_query.c: lookups (block up to the resolver's time-outs) ---- */

/*
 * The MX records of domain, in answer order, in arena. 1 found (at
 * least one record), 0 the domain exists but has no MX, -1 with err:
 * ERR_PERM "5.4.4" when the domain does not exist (NXDOMAIN), ERR_TEMP
 * "4.4.3" when the lookup failed (time-out, SERVFAIL, bad answer).
 */
int dns_lookup_mx(struct dns_resolver *r, const char *domain,
    struct dns_mx **mx_out, size_t *n_out, struct arena *arena,
    struct err *err);
/*
 * The A and/or AAAA records of host (families: DNS_FAMILY_* bits),
 * IPv6 first when both are asked for, in arena. Return values as for
 * dns_lookup_mx (0: the name exists with no address).
 */
int dns_lookup_addr(struct dns_resolver *r, const char *host, unsigned families,
    struct dns_addr **addr_out, size_t *n_out, struct arena *arena,
    struct err *err);
/* The same through getaddrinfo(3) (hosts file, NSS). */
int dns_native_addr(const char *host, unsigned families,
    struct dns_addr **addr_out, size_t *n_out, struct arena *arena,
    struct err *err);

/* ---- dns_parse.c: pure parsers ---- */

/*
 * The records of type (ns_t_mx, ns_t_a, ns_t_aaaa) in the answer
 * section of the DNS message msg[0..len), at most DNS_RECORDS_MAX of
 * them. MX: *out is a struct dns_mx array; A/AAAA: a struct dns_addr
 * array; in arena. Other record types (a CNAME chain) are skipped.
 * Returns the count, or -1 with err (ERR_TEMP "4.4.3") for a message
 * that does not parse. No I/O.
 */
int dns_parse_answer(const unsigned char *msg, size_t len, int type, void **out,
    struct arena *arena, struct err *err);

/* ---- dns_mx.c ---- */

/*
 * Sort mx[0..n) by preference (RFC 5321 section 5.1), shuffling the
 * records of equal preference so load spreads over them. rnd(ctx, k)
 * returns a uniform integer in [0, k).
 */
void dns_mx_sort(struct dns_mx *mx, size_t n,
    uint32_t (*rnd)(void *ctx, uint32_t k), void *ctx);
/* Format addr as text ("192.0.2.1", "2001:db8::1") into out (>= 46). */
void dns_addr_text(const struct dns_addr *addr, char *out, size_t size);

#endif

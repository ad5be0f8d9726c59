/* SPDX-License-Identifier: MIT */
/*
 * libmail/dns: the answer parser over hand-made DNS messages (MX with a
 * compressed name, A, AAAA, a CNAME to skip, truncated and lying
 * records) and the MX ordering (preference first, every order of equal
 * preferences reachable).
 */
#include "dns/dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <string.h>

#include "t.h"

/* Header: id 1, response, qd 1, an count; question example.test/type. */
static size_t
msg_head(unsigned char *m, unsigned ancount, int type)
{
	static const unsigned char q[] = {
	    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0};
	size_t n = 0;

	memcpy(m, "\0\1\x84\0\0\1", 6);
	m[6] = 0;
	m[7] = (unsigned char)ancount;
	memset(m + 8, 0, 4);
	n = 12;
	memcpy(m + n, q, sizeof(q));
	n += sizeof(q);
	m[n++] = 0;
	m[n++] = (unsigned char)type;
	m[n++] = 0;
	m[n++] = 1;
	return n;
}

/* One answer record owned by the question name (pointer 0xC00C). */
static size_t
msg_rr(unsigned char *m, size_t n, int type, const void *rdata, size_t len)
{
	static const unsigned char fixed[] = {
	    0xC0, 0x0C, 0, 0, 0, 1, 0, 0, 0, 60};

	memcpy(m + n, fixed, sizeof(fixed));
	m[n + 3] = (unsigned char)type;
	n += sizeof(fixed);
	m[n++] = (unsigned char)(len >> 8);
	m[n++] = (unsigned char)len;
	memcpy(m + n, rdata, len);
	return n + len;
}

static void
dns_parse_mx_records(void)
{
	/* "mx1" + pointer to example.test, then the root (null MX). */
	static const unsigned char mx1[] = {0, 10, 3, 'M', 'X', '1', 0xC0, 12};
	static const unsigned char null[] = {0, 0, 0};
	static const unsigned char cname[] = {0xC0, 12};
	unsigned char m[512];
	struct arena *a = arena_new();
	struct dns_mx *mx;
	struct err err;
	void *out;
	size_t n = msg_head(m, 3, ns_t_mx);

	n = msg_rr(m, n, ns_t_cname, cname, sizeof(cname));
	n = msg_rr(m, n, ns_t_mx, mx1, sizeof(mx1));
	n = msg_rr(m, n, ns_t_mx, null, sizeof(null));
	T_EQ_INT(dns_parse_answer(m, n, ns_t_mx, &out, a, &err), 2);
	mx = out;
	T_EQ_STR(mx[0].host, "mx1.example.test");
	T_EQ_INT(mx[0].pref, 10);
	T_EQ_STR(mx[1].host, "");
	T_EQ_INT(mx[1].pref, 0);
	/* Every prefix of the message is malformed or short of records. */
	T_EQ_INT(dns_parse_answer(m, n - 1, ns_t_mx, &out, a, &err), -1);
	T_EQ_STR(err.dsn, "4.4.3");
	T_EQ_INT(dns_parse_answer(m, 11, ns_t_mx, &out, a, &err), -1);
	arena_free(&a);
}

static void
dns_parse_addresses(void)
{
	unsigned char m[512], v4[4], v6[16];
	struct arena *a = arena_new();
	struct dns_addr *ad;
	struct err err;
	char text[64];
	void *out;
	size_t n = msg_head(m, 3, ns_t_a);

	inet_pton(AF_INET, "192.0.2.7", v4);
	inet_pton(AF_INET6, "2001:db8::25", v6);
	n = msg_rr(m, n, ns_t_a, v4, 4);
	n = msg_rr(m, n, ns_t_aaaa, v6, 16);
	n = msg_rr(m, n, ns_t_a, v4, 4);
	T_EQ_INT(dns_parse_answer(m, n, ns_t_a, &out, a, &err), 2);
	ad = out;
	T_EQ_INT(ad[0].family, AF_INET);
	dns_addr_text(&ad[0], text, sizeof(text));
	T_EQ_STR(text, "192.0.2.7");
	T_EQ_INT(dns_parse_answer(m, n, ns_t_aaaa, &out, a, &err), 1);
	ad = out;
	dns_addr_text(&ad[0], text, sizeof(text));
	T_EQ_STR(text, "2001:db8::25");
	/* An A record of the wrong length is a lie: the answer is bad. */
	n = msg_head(m, 1, ns_t_a);
	n = msg_rr(m, n, ns_t_a, v6, 16);
	T_EQ_INT(dns_parse_answer(m, n, ns_t_a, &out, a, &err), -1);
	/* No records at all. */
	n = msg_head(m, 0, ns_t_a);
	T_EQ_INT(dns_parse_answer(m, n, ns_t_a, &out, a, &err), 0);
	arena_free(&a);
}

/* A "random" source that always picks k-1, then always 0. */
static uint32_t
pick_last(void *ctx, uint32_t k)
{
	(void)ctx;
	return k - 1;
}

static uint32_t
pick_first(void *ctx, uint32_t k)
{
	(void)ctx;
	(void)k;
	return 0;
}

static void
dns_mx_ordering(void)
{
	struct dns_mx mx[5] = {
	    {"c", 20}, {"a", 10}, {"d", 30}, {"b", 10}, {"e", 20}};

	dns_mx_sort(mx, 5, pick_last, NULL);
	T_EQ_INT(mx[0].pref, 10);
	T_EQ_INT(mx[1].pref, 10);
	T_EQ_INT(mx[2].pref, 20);
	T_EQ_INT(mx[3].pref, 20);
	T_EQ_STR(mx[4].host, "d");
	T_EQ_STR(mx[0].host, "a");
	dns_mx_sort(mx, 5, pick_first, NULL);
	/* Picking 0 swaps each run's last into its first place. */
	T_EQ_STR(mx[0].host, "b");
	T_EQ_STR(mx[4].host, "d");
	dns_mx_sort(mx, 0, pick_first, NULL);
}

static void
dns_resolver_server_list(void)
{
	struct dns_resolver *r;
	struct err err;

	r = dns_resolver_new("127.0.0.1:5353, 192.0.2.1", 3, &err);
	T_CHECK(r != NULL);
	dns_resolver_free(&r);
	T_CHECK(r == NULL);
	T_CHECK(dns_resolver_new("127.0.0.1:0", 3, &err) == NULL);
	T_EQ_INT(err.kind, ERR_PERM);
	T_CHECK(dns_resolver_new("::1", 3, &err) == NULL);
	T_CHECK(dns_resolver_new("a, b, c, d", 3, &err) == NULL);
}

T_MAIN(T_CASE(dns_parse_mx_records), T_CASE(dns_parse_addresses),
    T_CASE(dns_mx_ordering), T_CASE(dns_resolver_server_list))

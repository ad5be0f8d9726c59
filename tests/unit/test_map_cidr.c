/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for cidr: tables (libmail/map/map_cidr): bad networks with
 * file:line, host bits, IPv4 and IPv6 matching, first match wins.
 */
#include "map/map_cidr.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include "t.h"

static void
cidr_bad_tables(void)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
	    {"10.0.0.0/8 OK\n300.1.2.3 x\n",
	        "t.cidr:2: bad address \"300.1.2.3\""},
	    {"10.0.0.1/8 OK\n",
	        "t.cidr:1: non-zero host bits in \"10.0.0.1/8\""},
	    {"2001:db8::1/32 OK\n",
	        "t.cidr:1: non-zero host bits in \"2001:db8::1/32\""},
	    {"10.0.0.0/33 OK\n",
	        "t.cidr:1: bad prefix length in \"10.0.0.0/33\""},
	    {"::/129 OK\n", "t.cidr:1: bad prefix length in \"::/129\""},
	    {"10.0.0.0/ OK\n", "t.cidr:1: bad prefix length in \"10.0.0.0/\""},
	    {"10.0.0.0/8x OK\n",
	        "t.cidr:1: bad prefix length in \"10.0.0.0/8x\""},
	    {"10.0.0.0/-1 OK\n",
	        "t.cidr:1: bad prefix length in \"10.0.0.0/-1\""},
	    {"10.0.0.0/00008 OK\n",
	        "t.cidr:1: bad prefix length in \"10.0.0.0/00008\""},
	    {"10.0.0.0/8\n", "t.cidr:1: expected \"network/prefix result\""},
	    {"10/8 OK\n", "t.cidr:1: bad address \"10\""},
	    {"example.com OK\n", "t.cidr:1: bad address \"example.com\""},
	    {"[10.0.0.0/8] OK\n", "t.cidr:1: bad address \"[10.0.0.0\""},
	};
	struct map_source_limits lim = map_source_limits_default();
	struct arena *arena = arena_new();
	struct err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_CHECK(map_cidr_parse("t.cidr", cases[i].in,
		            strlen(cases[i].in), &lim, arena, &err) == NULL);
		T_EQ_INT(err.kind, ERR_PERM);
		if (!T_EQ_STR(err.text, cases[i].err))
			fprintf(stderr, "  case %zu\n", i);
	}
	arena_free(&arena);
}

static const char t_table[] = "# first match wins\n"
                              "192.168.1.7       host\n"
                              "192.168.1.0/24    lan\n"
                              "192.168.0.0/16    site\n"
                              "10.1.2.128/25     upper-half\n"
                              "[2001:db8::1]     v6-host\n"
                              "[2001:db8::]/32   v6-net\n"
                              "2001:db8:1::/48   never (shadowed)\n"
                              "0.0.0.0/0         any-v4\n";

static void
cidr_lookups(void)
{
	static const struct {
		const char *addr;
		int rc;
		const char *value;
	} cases[] = {
	    {"192.168.1.7", 1, "host"},
	    {"192.168.1.8", 1, "lan"},
	    {"192.168.200.1", 1, "site"},
	    {"10.1.2.200", 1, "upper-half"},
	    {"10.1.2.127", 1, "any-v4"},
	    {"[192.168.1.7]", 1, "host"},
	    {"2001:db8::1", 1, "v6-host"},
	    {"2001:DB8:0:0::1", 1, "v6-host"},
	    {"2001:db8:1::5", 1, "v6-net"},
	    {"2001:db9::1", 0, NULL},
	    {"::1", 0, NULL},
	    {"not-an-address", 0, NULL},
	    {"", 0, NULL},
	    {"1.2.3", 0, NULL},
	};
	struct map_source_limits lim = map_source_limits_default();
	struct arena *arena = arena_new();
	struct map_cidr *m;
	struct buf v;
	struct err err;
	size_t i;
	int rc;

	buf_init(&v);
	m = map_cidr_parse(
	    "t.cidr", t_table, strlen(t_table), &lim, arena, &err);
	if (!T_CHECK(m != NULL)) {
		fprintf(stderr, "  %s\n", err.text);
		goto done;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = map_cidr_lookup(m, cases[i].addr, &v);
		if (!T_EQ_INT(rc, cases[i].rc))
			fprintf(stderr, "  addr %s\n", cases[i].addr);
		if (rc == 1)
			T_EQ_STR(v.data, cases[i].value);
	}
done:
	buf_deinit(&v);
	arena_free(&arena);
}

static void
cidr_empty_table(void)
{
	struct map_source_limits lim = map_source_limits_default();
	struct arena *arena = arena_new();
	struct map_cidr *m;
	struct buf v;
	struct err err;

	buf_init(&v);
	m = map_cidr_parse("t", "", 0, &lim, arena, &err);
	T_CHECK(m != NULL);
	if (m != NULL)
		T_EQ_INT(map_cidr_lookup(m, "127.0.0.1", &v), 0);
	buf_deinit(&v);
	arena_free(&arena);
}

T_MAIN(T_CASE(cidr_bad_tables), T_CASE(cidr_lookups), T_CASE(cidr_empty_table))

/* SPDX-License-Identifier: MIT */
/*
 * mynetworks: the clients trusted by permit_mynetworks. Networks are
 * written as in Postfix (a.b.c.d/len, [ipv6]/len, bare addresses) and
 * compiled into one cidr: table (map/map_cidr.h); type:table items are
 * searched with the client address (maps_lookup_client), and any
 * result counts as a match. The value is the admin's; the addresses
 * matched against it are the socket's.
 */
#include "smtpd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/xmalloc.h"
#include "map/map.h"
#include "map/map_cidr.h"

struct smtpd_nets {
	struct arena *arena;
	struct map_cidr *cidr; /* NULL when no network is listed */
	struct maps *maps; /* NULL when no table is listed */
};

/* True for "type:name" (and not an unbracketed IPv6 network). */
static bool
smtpd_nets_is_table(const char *item)
{
	struct in6_addr a6;
	char addr[INET6_ADDRSTRLEN + 8];
	size_t n = strcspn(item, "/");
	const char *p;

	if (n < sizeof(addr)) {
		memcpy(addr, item, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) == 1)
			return false;
	}
	for (p = item; isalpha((unsigned char)*p); p++)
		;
	return p > item && *p == ':' && p[1] != '\0';
}

/* "[::1]/128" or "[::1/128]" -> "::1/128"; others unchanged. */
static void
smtpd_nets_add(struct buf *text, const char *item)
{
	size_t len = strlen(item);
	const char *close;

	if (item[0] == '[' && (close = strchr(item, ']')) != NULL) {
		buf_append(text, item + 1, (size_t)(close - item - 1));
		buf_puts(text, close + 1);
	} else {
		buf_append(text, item, len);
	}
	buf_puts(text, " OK\n");
}

struct smtpd_nets *
smtpd_nets_open(const char *list, struct err *err)
{
	struct smtpd_nets *n = xcalloc(1, sizeof(*n));
	struct map_source_limits lim = map_source_limits_default();
	struct buf item, text, tables;
	const char *cur = list;

	n->arena = arena_new();
	buf_init(&item);
	buf_init(&text);
	buf_init(&tables);
	while (conf_list_next(&cur, &item)) {
		if (smtpd_nets_is_table(item.data))
			buf_printf(&tables, "%s ", item.data);
		else
			smtpd_nets_add(&text, item.data);
	}
	if (text.len > 0)
		n->cidr = map_cidr_parse(
		    "mynetworks", text.data, text.len, &lim, n->arena, err);
	if (tables.len > 0 && (text.len == 0 || n->cidr != NULL))
		n->maps = maps_open(tables.data, err);
	if ((text.len > 0 && n->cidr == NULL) ||
	    (tables.len > 0 && n->maps == NULL))
		smtpd_nets_close(&n);
	buf_deinit(&item);
	buf_deinit(&text);
	buf_deinit(&tables);
	return n;
}

void
smtpd_nets_close(struct smtpd_nets **np)
{
	struct smtpd_nets *n = *np;

	if (n == NULL)
		return;
	maps_close(&n->maps);
	arena_free(&n->arena);
	free(n);
	*np = NULL;
}

int
smtpd_nets_match(struct smtpd_nets *n, const char *addr, struct err *err)
{
	struct buf value;
	int rc = 0;

	buf_init(&value);
	if (n->cidr != NULL)
		rc = map_cidr_lookup(n->cidr, addr, &value);
	if (rc == 0 && n->maps != NULL)
		rc = maps_lookup_client(n->maps, NULL, addr, &value, err);
	buf_deinit(&value);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * The resolver state behind dns.h: a private struct __res_state, set up
 * once (res_ninit reads resolv.conf, which is not inside a chroot), with
 * the dns_servers list, when given, in place of resolv.conf's servers.
 */
#include "dns/dns_impl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/buf.h"
#include "core/xmalloc.h"

/* "ip" or "ip:port" (IPv4) into sin. 0, or -1 with err. */
static int
dns_resolver_server(const char *item, struct sockaddr_in *sin, struct err *err)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strchr(item, ':');
	size_t hlen = colon != NULL ? (size_t)(colon - item) : strlen(item);
	long port = 53;
	char *end;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port < 1 ||
		    port > 65535)
			goto bad;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, item, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		goto bad;
	sin->sin_port = htons((uint16_t)port);
	return 0;
bad:
	return err_set(err, ERR_PERM, "",
	    "dns_servers: bad server \"%s\" (want an IPv4 address, optionally "
	    ":port)",
	    item);
}

/* Replace the servers resolv.conf named with the list. */
static int
dns_resolver_servers(res_state rs, const char *servers, struct err *err)
{
	const char *cursor = servers;
	struct buf item;
	int n = 0;

	buf_init(&item);
	while (conf_list_next(&cursor, &item)) {
		if (n == MAXNS) {
			buf_deinit(&item);
			return err_set(err, ERR_PERM, "",
			    "dns_servers: more than %d servers", MAXNS);
		}
		if (dns_resolver_server(item.data, &rs->nsaddr_list[n], err) !=
		    0) {
			buf_deinit(&item);
			return -1;
		}
		n++;
	}
	buf_deinit(&item);
	if (n > 0)
		rs->nscount = n;
	return 0;
}

struct dns_resolver *
dns_resolver_new(const char *servers, int timeout_s, struct err *err)
{
	struct dns_resolver *r = xcalloc(1, sizeof(*r));

	if (res_ninit(&r->rs) != 0) {
		free(r);
		err_set(err, ERR_TEMP, "4.3.0", "res_ninit failed");
		return NULL;
	}
	if (servers != NULL &&
	    dns_resolver_servers(&r->rs, servers, err) != 0) {
		res_nclose(&r->rs);
		free(r);
		return NULL;
	}
	r->rs.retrans = timeout_s > 0 ? timeout_s : 5;
	r->rs.retry = 2;
	return r;
}

void
dns_resolver_free(struct dns_resolver **rp)
{
	if (*rp == NULL)
		return;
	res_nclose(&(*rp)->rs);
	free(*rp);
	*rp = NULL;
}

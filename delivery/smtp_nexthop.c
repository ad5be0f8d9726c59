/* SPDX-License-Identifier: MIT */
/*
 * From a next hop to the servers to try (RFC 5321 section 5): "domain"
 * and "domain:port" go through MX (by preference, random among equals;
 * the domain's own A/AAAA when it has no MX; RFC 7505 null MX bounces);
 * "[host]" and "[host]:port" skip MX; for LMTP, "unix:/path" and
 * "inet:host[:port]" (never MX). MX hosts that are this machine, and
 * every host of equal or worse preference, are dropped (RFC 5321
 * section 5.1), so mail never loops back to us.
 */
#include "smtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/conf.h"

/* Addresses tried per request, over all hosts (Postfix: 5 MX * n). */
#define SMTP_NEXTHOP_ADDR_MAX 20

struct smtp_nexthop {
	const char *name; /* host or domain, or the socket path */
	unsigned port;
	bool mx; /* look MX up */
	bool unix_path;
};

/* Split a next hop. 0, or -1 with err (ERR_TEMP 4.3.5: a bad next hop
 * is the administrator's to fix, so mail waits for it). */
static int
smtp_nexthop_parse(const struct smtp_agent *ag, const char *text,
    struct smtp_nexthop *out, struct arena *arena, struct err *err)
{
	const char *s = text, *end, *colon;
	char *stop;
	long port;

	memset(out, 0, sizeof(*out));
	out->port = ag->lmtp ? 24 : 25;
	out->mx = !ag->lmtp;
	if (ag->lmtp && strncmp(s, "unix:", 5) == 0) {
		out->unix_path = true;
		out->name = s + 5;
		return out->name[0] == '/'
		    ? 0
		    : err_set(err, ERR_TEMP, "4.3.5",
		          "bad next hop \"%s\": want unix:/path", text);
	}
	if (ag->lmtp && strncmp(s, "inet:", 5) == 0)
		s += 5;
	if (s[0] == '[') {
		out->mx = false;
		if ((end = strchr(s, ']')) == NULL)
			goto bad;
		out->name = arena_strndup(arena, s + 1, (size_t)(end - s - 1));
		if (strncasecmp(out->name, "ipv6:", 5) == 0)
			out->name += 5;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad;
	} else {
		colon = strrchr(s, ':');
		out->name = colon != NULL
		    ? arena_strndup(arena, s, (size_t)(colon - s))
		    : s;
	}
	if (colon != NULL) {
		port = strtol(colon + 1, &stop, 10);
		if (colon[1] == '\0' || *stop != '\0' || port < 1 ||
		    port > 65535)
			goto bad;
		out->port = (unsigned)port;
	}
	if (out->name[0] != '\0')
		return 0;
bad:
	return err_set(err, ERR_TEMP, "4.3.5", "bad next hop \"%s\"", text);
}

static bool
smtp_nexthop_own(const struct smtp_agent *ag, const struct dns_addr *a)
{
	size_t i;

	for (i = 0; i < ag->nown; i++) {
		if (ag->own[i].family == a->family &&
		    memcmp(ag->own[i].addr, a->addr,
		        a->family == AF_INET ? 4 : 16) == 0)
			return true;
	}
	return false;
}

/* The addresses of host, by smtp_host_lookup. 1, 0 or -1. */
static int
smtp_nexthop_addrs(struct smtp_job *job, const char *host,
    struct dns_addr **out, size_t *n_out, struct err *err)
{
	const struct smtp_agent *ag = job->ag;
	struct dns_addr lit;
	int rc = -1;

	memset(&lit, 0, sizeof(lit));
	if (inet_pton(AF_INET, host, lit.addr) == 1 ||
	    inet_pton(AF_INET6, host, lit.addr) == 1) {
		lit.family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
		*out = arena_alloc(job->arena, sizeof(lit));
		**out = lit;
		*n_out = 1;
		return 1;
	}
	if (ag->dns != NULL)
		rc = dns_lookup_addr(
		    ag->dns, host, ag->families, out, n_out, job->arena, err);
	else if (!ag->native)
		return err_set(err, ERR_TEMP, "4.4.3",
		    "DNS resolver unavailable (see the log at start-up)");
	if (rc <= 0 && ag->native)
		rc = dns_native_addr(
		    host, ag->families, out, n_out, job->arena, err);
	return rc;
}

/* Append host's addresses to the list. 1 added, 0 a loop (the host is
 * us), -1 with err (no address: ERR_PERM). */
static int
smtp_nexthop_add(struct smtp_job *job, const char *host, unsigned port,
    bool check_self, struct smtp_host *list, size_t *n, struct err *err)
{
	struct dns_addr *addrs;
	size_t i, na;
	int rc;

	if (check_self && strcasecmp(host, job->ag->conf->myhostname) == 0)
		return 0;
	if ((rc = smtp_nexthop_addrs(job, host, &addrs, &na, err)) < 0)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_PERM, "5.4.4",
		    "Host or domain name not found: %s has no address record",
		    host);
	for (i = 0; check_self && i < na; i++)
		if (smtp_nexthop_own(job->ag, &addrs[i]))
			return 0;
	for (i = 0; i < na && *n < SMTP_NEXTHOP_ADDR_MAX; i++) {
		list[*n].name = host;
		list[*n].addr = addrs[i];
		list[*n].port = port;
		dns_addr_text(
		    &addrs[i], list[*n].addr_text, sizeof(list[*n].addr_text));
		(*n)++;
	}
	return 1;
}

static uint32_t
smtp_nexthop_random(void *ctx, uint32_t k)
{
	(void)ctx;
	return arc4random_uniform(k);
}

/* The MX hosts of a domain, in order, loops cut off. */
static int
smtp_nexthop_mx(struct smtp_job *job, const struct smtp_nexthop *nh,
    struct dns_mx *mx, size_t nmx, struct smtp_host *list, size_t *n,
    struct err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < nmx; i++) {
		if (mx[i].host[0] == '\0')
			return err_set(err, ERR_PERM, "5.1.10",
			    "Domain %s does not accept mail (nullMX)",
			    nh->name);
	}
	dns_mx_sort(mx, nmx, smtp_nexthop_random, NULL);
	for (i = 0; i < nmx && *n < SMTP_NEXTHOP_ADDR_MAX; i++) {
		rc = smtp_nexthop_add(
		    job, mx[i].host, nh->port, true, list, n, err);
		if (rc == 0)
			break; /* us: drop it and every worse MX */
	}
	if (*n > 0)
		return 0;
	if (i < nmx)
		return err_set(err, ERR_PERM, "5.4.6",
		    "mail for %s loops back to myself", nh->name);
	/* An MX host without addresses may be a transient fault. */
	err->kind = ERR_TEMP;
	err->dsn[0] = '4';
	return -1;
}

int
smtp_nexthop_hosts(struct smtp_job *job, struct smtp_host **hosts_out,
    size_t *n_out, struct err *err)
{
	struct smtp_host *list;
	struct smtp_nexthop nh;
	struct dns_mx *mx;
	size_t nmx = 0, n = 0;
	int rc = 0;

	if (smtp_nexthop_parse(
	        job->ag, job->req->nexthop, &nh, job->arena, err) != 0)
		return -1;
	job->sasl_key = job->req->nexthop;
	list = arena_zalloc(job->arena, SMTP_NEXTHOP_ADDR_MAX * sizeof(*list));
	*hosts_out = list;
	if (nh.unix_path) {
		list[0].name = nh.name;
		list[0].unix_path = true;
		*n_out = 1;
		return 0;
	}
	if (nh.mx && job->ag->dns != NULL &&
	    (rc = dns_lookup_mx(
	         job->ag->dns, nh.name, &mx, &nmx, job->arena, err)) < 0)
		return -1;
	if (rc > 0) {
		if (smtp_nexthop_mx(job, &nh, mx, nmx, list, &n, err) != 0)
			return -1;
	} else {
		rc = smtp_nexthop_add(
		    job, nh.name, nh.port, nh.mx, list, &n, err);
		if (rc == 0)
			return err_set(err, ERR_PERM, "5.4.6",
			    "mail for %s loops back to myself", nh.name);
		if (rc < 0)
			return -1;
	}
	*n_out = n;
	return 0;
}

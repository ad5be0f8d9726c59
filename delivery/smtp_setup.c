/* SPDX-License-Identifier: MIT */
/*
 * smtp's set-up, before the chroot to the queue directory: the
 * resolver (resolv.conf, or dns_servers, is read now: it is not inside
 * the jail), the TLS client context (trust anchors live outside too),
 * smtp_sasl_password_maps, and our own addresses, so that mail an MX
 * would send back to us is caught. A part that cannot be set up is
 * logged and the mail that needs it defers.
 */
#include "smtp.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "map/map.h"
#include "server/server.h"

/* qmgr sends its request right after connecting. */
#define SMTP_IPC_TIMEOUT_MS (300 * 1000)

static void
smtp_setup_own_add(struct smtp_agent *ag, int family, const void *addr)
{
	struct dns_addr *a;

	ag->own = xrealloc(ag->own, (ag->nown + 1) * sizeof(*ag->own));
	a = &ag->own[ag->nown++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
}

/* Every interface address ("inet_interfaces = all"). */
static void
smtp_setup_own_all(struct smtp_agent *ag)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) != 0) {
		log_warning("getifaddrs: %m (mail looping back to this host is "
		            "only caught by name)");
		return;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			smtp_setup_own_add(ag, AF_INET,
			    &((struct sockaddr_in *)(void *)i->ifa_addr)
			         ->sin_addr);
		else if (i->ifa_addr->sa_family == AF_INET6)
			smtp_setup_own_add(ag, AF_INET6,
			    &((struct sockaddr_in6 *)(void *)i->ifa_addr)
			         ->sin6_addr);
	}
	freeifaddrs(ifa);
}

/* The addresses smtpd listens on: inet_interfaces (host names in it
 * are not looked up). */
static void
smtp_setup_own(struct smtp_agent *ag)
{
	const char *cursor = ag->conf->inet_interfaces;
	unsigned char a[16];
	struct buf item;

	buf_init(&item);
	while (conf_list_next(&cursor, &item)) {
		if (strcmp(item.data, "all") == 0)
			smtp_setup_own_all(ag);
		else if (strcmp(item.data, "loopback-only") == 0) {
			smtp_setup_own_add(ag, AF_INET, "\x7f\0\0\x01");
			smtp_setup_own_add(ag, AF_INET6, &in6addr_loopback);
		} else if (inet_pton(AF_INET, item.data, a) == 1)
			smtp_setup_own_add(ag, AF_INET, a);
		else if (inet_pton(AF_INET6, item.data, a) == 1)
			smtp_setup_own_add(ag, AF_INET6, a);
	}
	buf_deinit(&item);
}

static unsigned
smtp_setup_families(const char *protocols)
{
	unsigned f = 0;

	if (conf_list_has(protocols, "all"))
		return DNS_FAMILY_INET | DNS_FAMILY_INET6;
	if (conf_list_has(protocols, "ipv4"))
		f |= DNS_FAMILY_INET;
	if (conf_list_has(protocols, "ipv6"))
		f |= DNS_FAMILY_INET6;
	return f != 0 ? f : DNS_FAMILY_INET;
}

static void
smtp_setup_tls(struct smtp_agent *ag)
{
	struct tls_client_config cfg;
	struct err err;

	if (tls_conf_client(ag->conf, "smtp", &cfg, &err) != 0) {
		log_warning("%s (mail that needs TLS is deferred)", err.text);
		ag->tls_level = TLS_LEVEL_ENCRYPT;
		return;
	}
	ag->tls_level = cfg.level;
	if (cfg.level == TLS_LEVEL_NONE)
		return;
	if ((ag->tls = tls_ctx_client_new(&cfg, &err)) == NULL)
		log_warning("TLS client context: %s (%s)", err.text,
		    cfg.level == TLS_LEVEL_MAY ? "sending without TLS"
		                               : "mail is deferred");
}

static void
smtp_setup_lookup(struct smtp_agent *ag)
{
	const struct conf *conf = ag->conf;
	const char *cursor = conf->smtp_host_lookup;
	struct buf item;
	struct err err;

	buf_init(&item);
	while (conf_list_next(&cursor, &item)) {
		if (strcmp(item.data, "dns") != 0 &&
		    strcmp(item.data, "native") != 0)
			log_warning("smtp_host_lookup: unknown method \"%s\" "
			            "ignored (want dns and/or native)",
			    item.data);
	}
	buf_deinit(&item);
	ag->native = conf_list_has(conf->smtp_host_lookup, "native");
	if (!conf_list_has(conf->smtp_host_lookup, "dns") && ag->native)
		return;
	ag->dns =
	    dns_resolver_new(conf->dns_servers, (int)conf->dns_timeout, &err);
	if (ag->dns == NULL)
		log_warning(
		    "DNS resolver: %s (mail that needs DNS is deferred)",
		    err.text);
}

void
smtp_setup_pre_jail(struct server *srv)
{
	struct smtp_agent *ag = xcalloc(1, sizeof(*ag));
	const struct conf *conf = server_conf(srv);
	struct err err;

	ag->conf = conf;
	ag->srv = srv;
	buf_init(&ag->tls_resume);
	ag->lmtp = strcmp(server_service(srv), "lmtp") == 0;
	ag->ipc_timeout_ms = SMTP_IPC_TIMEOUT_MS;
	ag->families = smtp_setup_families(conf->inet_protocols);
	smtp_setup_lookup(ag);
	smtp_setup_tls(ag);
	smtp_setup_own(ag);
	if (conf->smtp_sasl_auth_enable &&
	    conf->smtp_sasl_password_maps[0] != '\0' &&
	    (ag->sasl_maps = maps_open(conf->smtp_sasl_password_maps, &err)) ==
	        NULL)
		log_warning("smtp_sasl_password_maps: %s (mail to servers that "
		            "need AUTH is deferred)",
		    err.text);
	server_set_ctx(srv, ag);
}

void
smtp_setup_exit(struct server *srv)
{
	struct smtp_agent *ag = server_ctx(srv);

	if (ag == NULL)
		return;
	smtp_cache_drop(ag);
	dns_resolver_free(&ag->dns);
	tls_ctx_free(&ag->tls);
	maps_close(&ag->sasl_maps);
	free(ag->own);
	buf_deinit(&ag->tls_resume);
	free(ag->tls_resume_relay);
	free(ag);
	server_set_ctx(srv, NULL);
}

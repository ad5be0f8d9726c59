/* SPDX-License-Identifier: MIT */
/*
 * Transport selection for one recipient, in Postfix's order:
 * transport_maps (the full address, then the domain, then each parent
 * domain as ".parent"), then local_transport for local domains
 * (mydestination, virtual_alias_domains, virtual_mailbox_domains: the
 * local agent expands aliases and looks users up), then
 * default_transport with relayhost or the domain as next hop. A table
 * value is "transport", "transport:nexthop" or ":nexthop" (keep the
 * transport that would have been chosen). Mail for defer_transports,
 * and all remote mail under hold_outbound, waits for a flush.
 */
#include "qmgr.h"

#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "map/map.h"
#include "msg/domain_local.h"

static bool
qmgr_route_is_local(const struct conf *conf, const char *domain)
{
	if (domain == NULL)
		return true;
	return domain_local_class(conf, domain) != DOMAIN_LOCAL_NONE;
}

/* transport_maps: 1 found (value in out), 0 not, -1 temporary failure. */
static int
qmgr_route_lookup(const struct qmgr *q, const char *address,
    const char *domain, struct buf *out, struct err *err)
{
	struct buf key;
	const char *d;
	int rc;

	if (q->transport_maps == NULL)
		return 0;
	rc = maps_lookup(q->transport_maps, address, out, err);
	if (rc != 0 || domain == NULL)
		return rc;
	rc = maps_lookup(q->transport_maps, domain, out, err);
	buf_init(&key);
	for (d = strchr(domain, '.'); rc == 0 && d != NULL;
	     d = strchr(d + 1, '.')) {
		buf_set(&key, d);
		rc = maps_lookup(q->transport_maps, key.data, out, err);
	}
	buf_deinit(&key);
	return rc;
}

/* Apply "transport[:nexthop]" from a table over the default route. */
static void
qmgr_route_apply(
    struct qmgr_route *out, const char *value, const char *local_transport)
{
	const char *colon = strchr(value, ':');
	size_t tlen = colon != NULL ? (size_t)(colon - value) : strlen(value);

	if (tlen > 0) {
		buf_reset(&out->transport);
		buf_append(&out->transport, value, tlen);
	}
	if (colon != NULL && colon[1] != '\0')
		buf_set(&out->nexthop, colon + 1);
	out->local = strcmp(out->transport.data, local_transport) == 0;
	if (out->local)
		buf_reset(&out->nexthop);
}

const char *
qmgr_route_held(const struct qmgr *q, const struct qmgr_route *r)
{
	if (conf_list_has(q->conf->defer_transports, r->transport.data))
		return "deferred transport";
	if (q->conf->hold_outbound && !r->local)
		return "outbound mail is held (hold_outbound)";
	return NULL;
}

bool
qmgr_route_in_site(const char *address, const char *site)
{
	const char *at = strrchr(address, '@');
	size_t dlen, slen = strlen(site);

	if (at == NULL)
		return false;
	dlen = strlen(at + 1);
	if (dlen < slen || strcasecmp(at + 1 + dlen - slen, site) != 0)
		return false;
	return dlen == slen || at[dlen - slen] == '.';
}

int
qmgr_route(const struct qmgr *q, const char *address, struct qmgr_route *out,
    struct err *err)
{
	const char *at = strrchr(address, '@');
	const char *domain = at != NULL && at[1] != '\0' ? at + 1 : NULL;
	struct buf value;
	int rc;

	buf_reset(&out->transport);
	buf_reset(&out->nexthop);
	out->local = qmgr_route_is_local(q->conf, domain);
	if (out->local) {
		buf_set(&out->transport, q->conf->local_transport);
	} else {
		buf_set(&out->transport, q->conf->default_transport);
		buf_set(&out->nexthop, q->conf->relayhost[0] != '\0'
		        ? q->conf->relayhost
		        : domain);
	}
	buf_init(&value);
	rc = qmgr_route_lookup(q, address, domain, &value, err);
	if (rc > 0)
		qmgr_route_apply(out, value.data, q->conf->local_transport);
	buf_deinit(&value);
	if (rc < 0)
		err_prefix(err, "transport_maps lookup of %s", address);
	return rc < 0 ? -1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Matching a domain against mydestination and the virtual domain
 * lists; the rules are in domain_local.h.
 */
#include "msg/domain_local.h"

#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "core/buf.h"

/* Length of s without one trailing dot. */
static size_t
domain_local_len(const char *s, size_t len)
{
	return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

/* One list item against domain (dlen: without its trailing dot). */
static bool
domain_local_item(
    const char *item, size_t ilen, const char *domain, size_t dlen)
{
	ilen = domain_local_len(item, ilen);
	if (ilen == 0 || (ilen == 1 && item[0] == '.'))
		return false;
	if (item[0] == '.')
		return dlen > ilen &&
		    strncasecmp(domain + dlen - ilen, item, ilen) == 0;
	return dlen == ilen && strncasecmp(domain, item, ilen) == 0;
}

bool
domain_local_match(const char *list, const char *domain)
{
	size_t dlen;
	struct buf item;
	bool found = false;

	if (list == NULL || domain == NULL)
		return false;
	dlen = domain_local_len(domain, strlen(domain));
	if (dlen == 0)
		return false;
	buf_init(&item);
	while (!found && conf_list_next(&list, &item))
		found = domain_local_item(item.data, item.len, domain, dlen);
	buf_deinit(&item);
	return found;
}

enum domain_local_class
domain_local_class(const struct conf *conf, const char *domain)
{
	if (domain_local_match(conf->mydestination, domain))
		return DOMAIN_LOCAL_MYDEST;
	if (domain_local_match(conf->virtual_alias_domains, domain))
		return DOMAIN_LOCAL_VALIAS;
	if (domain_local_match(conf->virtual_mailbox_domains, domain))
		return DOMAIN_LOCAL_VMAILBOX;
	return DOMAIN_LOCAL_NONE;
}

/* SPDX-License-Identifier: MIT */
/*
 * Which of our domains an address belongs to, as smtpd decides it when
 * it accepts the recipient (smtpd_recipient.c): mydestination first,
 * then virtual_alias_domains, then virtual_mailbox_domains. A list item
 * ".example.com" also matches every subdomain.
 */
#include "local.h"

#include <string.h>
#include <strings.h>

#include "conf/conf.h"

static bool
local_domain_in(const char *list, const char *domain)
{
	size_t dlen = strlen(domain);
	struct buf item;
	bool found = false;

	buf_init(&item);
	while (!found && conf_list_next(&list, &item)) {
		if (strcasecmp(item.data, domain) == 0)
			found = true;
		else if (item.data[0] == '.' && dlen > item.len &&
		    strcasecmp(domain + dlen - item.len, item.data) == 0)
			found = true;
	}
	buf_deinit(&item);
	return found;
}

enum local_class
local_domain_class(const struct conf *conf, const char *domain)
{
	if (domain == NULL || domain[0] == '\0')
		return LOCAL_CLASS_REMOTE;
	if (local_domain_in(conf->mydestination, domain))
		return LOCAL_CLASS_LOCAL;
	if (local_domain_in(conf->virtual_alias_domains, domain))
		return LOCAL_CLASS_VALIAS;
	if (local_domain_in(conf->virtual_mailbox_domains, domain))
		return LOCAL_CLASS_VMAILBOX;
	return LOCAL_CLASS_REMOTE;
}

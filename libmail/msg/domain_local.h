/* SPDX-License-Identifier: MIT */
/*
 * Is this domain one of ours? The one answer smtpd (accepting RCPT TO),
 * qmgr (choosing local_transport) and local (resolving a recipient)
 * share: a domain belongs to this server when it is in mydestination,
 * virtual_alias_domains or virtual_mailbox_domains, checked in that
 * order. A list item matches a domain when they are equal ignoring case
 * and one trailing dot on either side; an item with a leading dot
 * (".example.com") matches every subdomain of that name but not the
 * name itself. The lists are conf LIST values whose $name references
 * conf already expanded. Pure: no I/O, no allocation that outlives a
 * call.
 */
#ifndef MSG_DOMAIN_LOCAL_H
#define MSG_DOMAIN_LOCAL_H

#include <stdbool.h>

struct conf;

/* The class of a domain, in the order of the checks. */
enum domain_local_class {
	DOMAIN_LOCAL_NONE, /* not ours: relay or remote */
	DOMAIN_LOCAL_MYDEST, /* mydestination: aliases, then users */
	DOMAIN_LOCAL_VALIAS, /* virtual_alias_domains */
	DOMAIN_LOCAL_VMAILBOX, /* virtual_mailbox_domains */
};

/*
 * True when domain (a name, not a literal; NULL or "" never matches)
 * matches an item of list (a conf LIST value; NULL is empty), by the
 * rules above.
 */
bool domain_local_match(const char *list, const char *domain);

/*
 * The class of domain under conf's three lists; DOMAIN_LOCAL_NONE for
 * NULL or "". A caller that treats a bare local part as local checks
 * for NULL itself.
 */
enum domain_local_class domain_local_class(
    const struct conf *conf, const char *domain);

#endif

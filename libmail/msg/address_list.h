/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 §3.4 address lists from header fields (From, Sender, Reply-To,
 * To, Cc, Bcc): name-addr, angle-addr, groups, comments and quoted
 * strings, plus the obsolete forms of §4.4 that mail still carries. Used
 * by sendmail -t, cleanup and the delivery agents. Input is an untrusted,
 * unfolded header value; parsing is pure and allocates only from the arena.
 */
#ifndef MSG_ADDRESS_LIST_H
#define MSG_ADDRESS_LIST_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "msg/address.h"

struct address_list_item {
	struct address addr; /* domain NULL for a bare local name */
	char *display; /* display name, words joined by one space,
	                  quotes removed, RFC 2047 left encoded;
	                  NULL when there is none */
	const char *group; /* name of the enclosing group, or NULL */
	bool empty; /* "<>" (e.g. a bounce's From): local is "" */
};

struct address_list {
	struct address_list_item *items; /* count entries, in arena */
	size_t count;
};

/*
 * Parse an address-list (or a single mailbox / mailbox-list, which are
 * subsets) from the value of one header field, already unfolded.
 *
 * Tolerated, as Postfix and common MUAs do: empty list elements (",,"),
 * a missing ";" at the end of the last group, a missing "," after a
 * group's ";", an addr-spec without
 * "@domain" (sendmail -t qualifies it later), a source route inside
 * angle brackets (kept in addr.route), comments anywhere (a trailing
 * "(Full Name)" becomes the display name when there is none), and UTF-8
 * in display names and comments (RFC 6532). Non-ASCII in an addr-spec
 * needs ADDRESS_SMTPUTF8 in flags.
 *
 * At most max_items mailboxes; more is an error. Returns 0 with out filled
 * (count may be 0, e.g. "undisclosed-recipients:;"), or -1 with err
 * (ERR_PERM, "5.6.0", reason naming the problem).
 */
int address_list_parse(const char *in, size_t len, unsigned flags,
    size_t max_items, struct address_list *out, struct arena *arena,
    struct err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * RFC 5321 envelope addresses: the Mailbox inside a MAIL FROM / RCPT TO
 * path (with an optional source route), its canonical and internal forms,
 * the recipient_delimiter split and the routing predicates the relay check
 * needs. Used by smtpd, the smtp client, local and the admin tool. Input is
 * untrusted client text; parsing is pure and allocates only from the arena
 * it is given. RFC 5322 header address lists are in msg/address_list.h.
 */
#ifndef MSG_ADDRESS_H
#define MSG_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* Flags for address_parse() and address_parse_domain(). */
enum {
	/* Accept UTF-8 in the local part and domain (RFC 6531 §3.3). */
	ADDRESS_SMTPUTF8 = 1 << 0,
};

enum address_domain_kind {
	ADDRESS_DOMAIN_NONE = 0, /* no domain (<Postmaster>, header-only) */
	ADDRESS_DOMAIN_NAME, /* example.com */
	ADDRESS_DOMAIN_IPV4, /* [192.0.2.1] */
	ADDRESS_DOMAIN_IPV6, /* [IPv6:2001:db8::1] */
	ADDRESS_DOMAIN_GENERAL, /* [tag:content], RFC 5321 §4.1.3 */
};

/*
 * A parsed mailbox. All strings live in the arena passed to the parser and
 * are NUL-terminated; they contain no NUL.
 */
struct address {
	char
	    *local; /* local part with quoting removed ("a b", not "\"a b\"") */
	char
	    *domain; /* domain as written, "[...]" for literals; NULL if none */
	char *route; /* source route as written ("@a,@b"), NULL if none */
	enum address_domain_kind domain_kind;
	bool quoted; /* the local part was written as a Quoted-string */
	bool utf8; /* the local part or domain has non-ASCII octets */
};

/*
 * Parse the text between the angle brackets of an RFC 5321 path:
 *   [ A-d-l ":" ] Mailbox        e.g. "@relay.example:user@example.com"
 * The source route is recognised and kept in out->route (RFC 5321 §4.1.1.3:
 * accepted, otherwise ignored); a domain is required. Empty atoms in an
 * unquoted local part ("a..b", "a.") are tolerated as Postfix does; the
 * canonical form quotes such a local part. Domains are LDH
 * labels (underscores tolerated, as real host names carry them) of at most
 * 63 octets, 255 in all, or an address literal checked with inet_pton.
 * Without ADDRESS_SMTPUTF8 any octet above 127 is a syntax error; with it,
 * well-formed UTF-8 is accepted in atoms, quoted strings and labels.
 * Returns 0, or -1 with err (ERR_PERM, "5.1.3", reason); out is then
 * unspecified. Never blocks.
 */
int address_parse(const char *in, size_t len, unsigned flags,
    struct address *out, struct arena *arena, struct err *err);

/*
 * Check a domain or address literal (for HELO/EHLO and for callers that
 * hold a bare domain). 0 with *kind_out set, or -1 with err ("5.5.2").
 */
int address_parse_domain(const char *in, size_t len, unsigned flags,
    enum address_domain_kind *kind_out, struct err *err);

/*
 * The address as it goes back on the wire: local part quoted only when it
 * is not a Dot-string, ASCII letters of the domain lowercased, the source
 * route dropped (RFC 5321 §4.1.1.3 says to ignore it). "local" alone when
 * there is no domain. Lives in arena.
 */
char *address_canonical(const struct address *a, struct arena *arena);

/*
 * The internal form used for queue files and map lookups, as in Postfix:
 * the unquoted local part, "@", the lowercased domain. Lives in arena.
 */
char *address_internal(const struct address *a, struct arena *arena);

/* True when local (len bytes) can be written without quotes (Dot-string). */
bool address_local_is_dot_string(const char *local, size_t len);

/*
 * Spans of an internal- or canonical-form address ("user+ext@domain"); all
 * pointers point into the input.
 */
struct address_parts {
	const char *local; /* local part without the extension */
	size_t local_len;
	const char *ext; /* extension after the delimiter; NULL if none */
	size_t ext_len;
	char delim; /* the delimiter found, '\0' if none */
	const char *domain; /* after the last '@'; NULL when there is none */
	size_t domain_len;
};

/*
 * Split addr at its last '@' and its local part at the first of the
 * recipient_delimiter characters in delims ("" or NULL: no split). Like
 * Postfix, the local parts "postmaster" and "MAILER-DAEMON" are never split,
 * nor (when '-' is a delimiter) "owner-*" and "*-request"; a delimiter in
 * the first position does not split either (the base would be empty).
 */
void address_split(const char *addr, size_t len, const char *delims,
    struct address_parts *out);

/* Sender-specified routing found by address_routing(). */
enum {
	ADDRESS_ROUTE_PERCENT = 1 << 0, /* '%' in the local part */
	ADDRESS_ROUTE_BANG = 1 << 1, /* '!' in the local part (UUCP) */
	ADDRESS_ROUTE_AT = 1 << 2, /* '@' in the (unquoted) local part */
	ADDRESS_ROUTE_SOURCE = 1 << 3, /* an RFC 5321 source route */
};

/*
 * Bit set of ADDRESS_ROUTE_* describing sender-specified routing; the relay
 * check refuses such recipients for domains it does not own, so a local
 * "user%other@our.domain" cannot be used to relay. 0 when none.
 */
unsigned address_routing(const struct address *a);

#endif

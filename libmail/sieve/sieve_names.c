/* SPDX-License-Identifier: MIT */
/*
 * Syntax of the names a Sieve script hands the engine: variable names
 * (RFC 5229 §3), address header names (RFC 5228 §5.1), date parts (RFC
 * 5260 §4.2), header field names (RFC 5322 §3.6.8), mailbox names and
 * redirect addresses. Checked at compile time for constants and at run
 * time after variable expansion. Input is untrusted script text.
 */
#include "sieve/sieve_impl.h"

#include <string.h>
#include <strings.h>

#include "msg/address.h"
#include "msg/address_list.h"
#include "msg/utf8.h"

bool
sieve_identifier_valid(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	    s[0] == '_'))
		return false;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return i <= 128;
}

/* RFC 5228 §5.1: the address test works on headers holding addresses. */
bool
sieve_address_header(const char *name)
{
	static const char *const names[] = { "from", "sender", "reply-to",
		"to", "cc", "bcc", "resent-from", "resent-sender",
		"resent-to", "resent-cc", "resent-bcc", "return-path",
		"delivered-to", "errors-to", "envelope-to", "x-original-to",
		"disposition-notification-to", "return-receipt-to",
		"mail-followup-to", "mail-reply-to", "original-recipient",
		"x-envelope-to", "x-envelope-from" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

bool
sieve_date_part_valid(const char *s)
{
	static const char *const parts[] = { "year", "month", "day", "date",
		"julian", "hour", "minute", "second", "time", "iso8601",
		"std11", "zone", "weekday" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcasecmp(s, parts[i]) == 0)
			return true;
	return false;
}

/* RFC 5322 §3.6.8 field-name = 1*ftext, ftext = %d33-57 / %d59-126 */
bool
sieve_field_name_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 ||
		    s[i] == ':')
			return false;
	return i > 0 && i <= 998;
}

/* Mailbox names: UTF-8, no controls, at most 1024 octets. */
bool
sieve_mailbox_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 1024 || !utf8_valid(s, len))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* RFC 5322 §3.4 mailbox: one address, a display name allowed. */
bool
sieve_mailbox_address_valid(const char *s)
{
	struct arena *a = arena_new();
	struct address_list list;
	bool ok = address_list_parse(s, strlen(s), ADDRESS_SMTPUTF8, 1, &list,
	    a, NULL) == 0 && list.count == 1 &&
	    list.items[0].addr.domain != NULL;

	arena_free(&a);
	return ok;
}

/* RFC 5228 §4.2: an address with a local part and a domain. */
bool
sieve_redirect_valid(const char *s, size_t len)
{
	struct arena *a = arena_new();
	struct address addr;
	bool ok = address_parse(s, len, ADDRESS_SMTPUTF8, &addr, a,
	    NULL) == 0 && addr.route == NULL;

	arena_free(&a);
	return ok;
}

/* SPDX-License-Identifier: MIT */
/*
 * FETCH ENVELOPE (RFC 3501 §7.4.2) from a message header: address
 * fields go through msg/address_list.c, the other fields are sent as
 * written. Input is an untrusted message; every string is written with
 * imap_write so nothing in it can break the response.
 */
#include "imap/imap_envelope.h"

#include <string.h>

#include "imap/imap_write.h"
#include "msg/address_list.h"

/* Mailboxes per address field; more and the field is sent as NIL. */
#define IMAP_ENVELOPE_ADDR_MAX 1000

static void
imap_envelope_field(struct buf *out, const struct mime_message *m,
    const struct mime_part *msg, const char *name, unsigned flags,
    struct arena *a)
{
	buf_putc(out, ' ');
	imap_write_nstring(
	    out, mime_header_get(m->data, msg->header, name, a), flags);
}

static void
imap_envelope_group_mark(struct buf *out, const char *group, unsigned flags)
{
	if (group == NULL) {
		buf_puts(out, "(NIL NIL NIL NIL)");
		return;
	}
	buf_puts(out, "(NIL NIL ");
	imap_write_cstring(out, group, flags);
	buf_puts(out, " NIL)");
}

static void
imap_envelope_address(
    struct buf *out, const struct address_list_item *it, unsigned flags)
{
	buf_putc(out, '(');
	imap_write_nstring(out, it->display, flags);
	buf_putc(out, ' ');
	imap_write_nstring(out, it->addr.route, flags);
	buf_putc(out, ' ');
	imap_write_cstring(out, it->addr.local, flags);
	buf_putc(out, ' ');
	/* A NIL host would mean group syntax: a bare name gets "". */
	imap_write_cstring(
	    out, it->addr.domain != NULL ? it->addr.domain : "", flags);
	buf_putc(out, ')');
}

/*
 * Parse an address field into list; 0 when it is absent, does not parse
 * or holds no mailbox (the caller writes NIL or falls back to From).
 */
static size_t
imap_envelope_parse(
    const char *value, struct address_list *list, struct arena *a)
{
	if (value == NULL ||
	    address_list_parse(value, strlen(value), ADDRESS_SMTPUTF8,
	        IMAP_ENVELOPE_ADDR_MAX, list, a, NULL) != 0)
		return 0;
	return list->count;
}

/* Groups become (NIL NIL name NIL) ... (NIL NIL NIL NIL) around members. */
static void
imap_envelope_list(
    struct buf *out, const struct address_list *list, unsigned flags)
{
	const char *group = NULL;
	size_t i;

	buf_putc(out, ' ');
	if (list->count == 0) {
		buf_puts(out, "NIL");
		return;
	}
	buf_putc(out, '(');
	for (i = 0; i < list->count; i++) {
		const struct address_list_item *it = &list->items[i];

		if (it->group != group) {
			if (group != NULL)
				imap_envelope_group_mark(out, NULL, flags);
			if (it->group != NULL)
				imap_envelope_group_mark(out, it->group, flags);
			group = it->group;
		}
		imap_envelope_address(out, it, flags);
	}
	if (group != NULL)
		imap_envelope_group_mark(out, NULL, flags);
	buf_putc(out, ')');
}

static void
imap_envelope_addr_field(struct buf *out, const struct mime_message *m,
    const struct mime_part *msg, const char *name,
    const struct address_list *fallback, unsigned flags, struct arena *a)
{
	struct address_list list = {0};
	const char *v = mime_header_get(m->data, msg->header, name, a);

	if (imap_envelope_parse(v, &list, a) == 0 && fallback != NULL)
		list = *fallback;
	imap_envelope_list(out, &list, flags);
}

void
imap_envelope_write(struct buf *out, const struct mime_message *m,
    const struct mime_part *msg, unsigned flags, struct arena *a)
{
	struct address_list from = {0};

	buf_putc(out, '(');
	imap_write_nstring(
	    out, mime_header_get(m->data, msg->header, "Date", a), flags);
	imap_envelope_field(out, m, msg, "Subject", flags, a);
	(void)imap_envelope_parse(
	    mime_header_get(m->data, msg->header, "From", a), &from, a);
	imap_envelope_list(out, &from, flags);
	/* RFC 3501 §7.4.2: absent or empty Sender/Reply-To mean From. */
	imap_envelope_addr_field(out, m, msg, "Sender", &from, flags, a);
	imap_envelope_addr_field(out, m, msg, "Reply-To", &from, flags, a);
	imap_envelope_addr_field(out, m, msg, "To", NULL, flags, a);
	imap_envelope_addr_field(out, m, msg, "Cc", NULL, flags, a);
	imap_envelope_addr_field(out, m, msg, "Bcc", NULL, flags, a);
	imap_envelope_field(out, m, msg, "In-Reply-To", flags, a);
	imap_envelope_field(out, m, msg, "Message-ID", flags, a);
	buf_putc(out, ')');
}

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
 * Parse an address field into list: 1 when it holds mailboxes, 0 when
 * it is absent or holds none, -1 when it does not parse.
 */
static int
imap_envelope_parse(
    const char *value, struct address_list *list, struct arena *a)
{
	list->count = 0;
	if (value == NULL)
		return 0;
	if (address_list_parse(value, strlen(value), ADDRESS_SMTPUTF8,
	        IMAP_ENVELOPE_ADDR_MAX, list, a, NULL) != 0)
		return -1;
	return list->count > 0;
}

/*
 * A field of empty groups only ("undisclosed-recipients:;"), which
 * msg/address_list.c returns as no item: each group as its start and
 * end markers. Returns how many groups were written.
 */
static size_t
imap_envelope_empty_groups(struct buf *out, const char *v, unsigned flags)
{
	size_t n = 0;
	const char *colon;

	while ((colon = strchr(v, ':')) != NULL) {
		const char *name = v, *end = colon;

		while (*name == ' ' || *name == '\t' || *name == ',')
			name++;
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end - name >= 2 && *name == '"' && end[-1] == '"') {
			name++;
			end--;
		}
		buf_puts(out, n == 0 ? "(" : "");
		buf_puts(out, "(NIL NIL ");
		imap_write_string(out, name, (size_t)(end - name), flags);
		buf_puts(out, " NIL)(NIL NIL NIL NIL)");
		n++;
		v = strchr(colon, ';');
		if (v == NULL)
			break;
		v++;
	}
	if (n > 0)
		buf_putc(out, ')');
	return n;
}

/* Groups become (NIL NIL name NIL) ... (NIL NIL NIL NIL) around members. */
static void
imap_envelope_list(
    struct buf *out, const struct address_list *list, unsigned flags)
{
	const char *group = NULL;
	size_t i;

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

/*
 * One address field. RFC 3501 §7.4.2: an absent or empty Sender or
 * Reply-To is sent as From (fallback); a field that does not parse is
 * NIL, as is an absent one without a fallback.
 */
static void
imap_envelope_addr_field(struct buf *out, const struct mime_message *m,
    const struct mime_part *msg, const char *name,
    const struct address_list *fallback, unsigned flags, struct arena *a)
{
	struct address_list list;
	const char *v = mime_header_get(m->data, msg->header, name, a);
	int rc = imap_envelope_parse(v, &list, a);

	buf_putc(out, ' ');
	if (rc == 0 && v != NULL && imap_envelope_empty_groups(out, v, flags))
		return;
	if (rc == 0 && fallback != NULL && fallback->count > 0) {
		rc = 1;
		list = *fallback;
	}
	if (rc <= 0)
		buf_puts(out, "NIL");
	else
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
	imap_envelope_addr_field(out, m, msg, "From", NULL, flags, a);
	(void)imap_envelope_parse(
	    mime_header_get(m->data, msg->header, "From", a), &from, a);
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

/* SPDX-License-Identifier: MIT */
/*
 * Notice composer (dsn.h): RFC 6522 multipart/report with
 * report-type=delivery-status, its three parts as RFC 3464 section 2
 * lays them out. The explanation is our own text; the machine-readable
 * part is what mail clients and list managers parse, so its field
 * syntax follows the RFC to the letter.
 */
#include "msg/dsn.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

/* A reason longer than this is cut: header lines stay under 998. */
#define DSN_DIAG_MAX 800
#define DSN_ADDR_MAX 500

static const char *const dsn_action_names[] = {
    [DSN_ACTION_FAILED] = "failed",
    [DSN_ACTION_DELAYED] = "delayed",
    [DSN_ACTION_DELIVERED] = "delivered",
    [DSN_ACTION_RELAYED] = "relayed",
    [DSN_ACTION_EXPANDED] = "expanded",
};

const char *
dsn_action_name(enum dsn_action action)
{
	if ((unsigned)action > DSN_ACTION_EXPANDED)
		return "failed";
	return dsn_action_names[action];
}

void
dsn_format_date(uint64_t when, struct buf *out)
{
	static const char days[7][4] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_printf(out, "%s, %d %s %d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Untrusted text into a header or a text line: printable ASCII and
 * UTF-8 bytes stay, CR, LF, other controls and DEL become a space, and
 * at most max bytes are kept (never cutting a UTF-8 sequence).
 */
static void
dsn_put_safe(struct buf *out, const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_putc(out, c < 0x20 || c == 0x7F ? ' ' : (char)c);
	}
}

static void
dsn_date_field(struct buf *out, const char *name, uint64_t when)
{
	buf_printf(out, "%s: ", name);
	dsn_format_date(when, out);
	buf_puts(out, "\r\n");
}

static const char *
dsn_subject(enum dsn_kind kind)
{
	switch (kind) {
	case DSN_KIND_DELAY:
		return "Delayed Mail (still being retried)";
	case DSN_KIND_SUCCESS:
		return "Successful Mail Delivery Report";
	case DSN_KIND_FAILURE:
		break;
	}
	return "Undelivered Mail Returned to Sender";
}

static void
dsn_write_headers(const struct dsn_report *r, struct buf *out)
{
	buf_puts(out, "From: Mail Delivery System <");
	dsn_put_safe(out, r->from, DSN_ADDR_MAX);
	buf_puts(out, ">\r\nTo: <");
	dsn_put_safe(out, r->to, DSN_ADDR_MAX);
	buf_printf(out, ">\r\nSubject: %s\r\n", dsn_subject(r->kind));
	dsn_date_field(out, "Date", r->now);
	buf_printf(out, "Message-ID: %s\r\n", r->message_id);
	/* RFC 3834 section 5: automatic responders must not answer this. */
	buf_puts(out, "Auto-Submitted: auto-replied\r\n"
	              "MIME-Version: 1.0\r\n"
	              "Content-Type: multipart/report; "
	              "report-type=delivery-status;\r\n");
	buf_printf(out, "\tboundary=\"%s\"\r\n", r->boundary);
	buf_puts(out, "Content-Transfer-Encoding: 8bit\r\n\r\n"
	              "This is a MIME-encapsulated message.\r\n\r\n");
}

static void
dsn_write_explanation(const struct dsn_report *r, struct buf *out)
{
	size_t i;

	buf_printf(out, "--%s\r\nContent-Description: Notification\r\n"
	                "Content-Type: text/plain; charset=utf-8\r\n\r\n",
	    r->boundary);
	buf_printf(out, "This is the %s mail system at ", r->mail_name);
	dsn_put_safe(out, r->reporting_mta, DSN_ADDR_MAX);
	buf_puts(out, ".\r\n\r\n");
	switch (r->kind) {
	case DSN_KIND_FAILURE:
		buf_puts(out, "Your message could not be delivered to the "
		              "recipients below. The mail\r\nsystem gave up on "
		              "them; nothing more will be tried.\r\n");
		break;
	case DSN_KIND_DELAY:
		buf_puts(out, "Your message has not been delivered yet to the "
		              "recipients below. The\r\nmail system is still "
		              "trying; you need not send it again. You will\r\n"
		              "hear from it again if it finally gives up.\r\n");
		break;
	case DSN_KIND_SUCCESS:
		buf_puts(out, "Your message was delivered to the recipients "
		              "below, as you asked to\r\nbe told.\r\n");
		break;
	}
	buf_puts(out, "\r\n");
	for (i = 0; i < r->nrcpt; i++) {
		const struct dsn_rcpt *rc = &r->rcpts[i];

		buf_puts(out, "<");
		dsn_put_safe(out, rc->address, DSN_ADDR_MAX);
		buf_puts(out, ">");
		if (rc->diagnostic != NULL) {
			buf_puts(out, ": ");
			dsn_put_safe(out, rc->diagnostic, DSN_DIAG_MAX);
		}
		buf_puts(out, "\r\n");
	}
	buf_puts(out, "\r\n");
}

static const char *
dsn_default_status(enum dsn_action action)
{
	switch (action) {
	case DSN_ACTION_DELAYED:
		return "4.0.0";
	case DSN_ACTION_FAILED:
		return "5.0.0";
	default:
		return "2.0.0";
	}
}

/* Original-Recipient: "type;address" as RFC 3464 section 2.3.1 wants. */
static void
dsn_write_orcpt(const char *orcpt, struct buf *out)
{
	const char *semi = strchr(orcpt, ';');

	if (semi == NULL || semi == orcpt)
		return;
	buf_puts(out, "Original-Recipient: ");
	dsn_put_safe(out, orcpt, (size_t)(semi - orcpt));
	buf_puts(out, ";");
	dsn_put_safe(out, semi + 1, DSN_ADDR_MAX);
	buf_puts(out, "\r\n");
}

static void
dsn_write_rcpt_fields(const struct dsn_rcpt *rc, struct buf *out)
{
	buf_puts(out, "\r\n");
	if (rc->orcpt != NULL)
		dsn_write_orcpt(rc->orcpt, out);
	buf_puts(out, "Final-Recipient: rfc822; ");
	dsn_put_safe(out, rc->address, DSN_ADDR_MAX);
	buf_printf(out, "\r\nAction: %s\r\nStatus: ", dsn_action_name(rc->action));
	dsn_put_safe(out,
	    rc->status != NULL ? rc->status : dsn_default_status(rc->action),
	    15);
	buf_puts(out, "\r\n");
	if (rc->diagnostic != NULL) {
		/* Our reasons are not SMTP replies: an X- diagnostic type. */
		buf_puts(out, "Diagnostic-Code: X-Postern; ");
		dsn_put_safe(out, rc->diagnostic, DSN_DIAG_MAX);
		buf_puts(out, "\r\n");
	}
	if (rc->last_attempt != 0)
		dsn_date_field(out, "Last-Attempt-Date", rc->last_attempt);
	if (rc->retry_until != 0)
		dsn_date_field(out, "Will-Retry-Until", rc->retry_until);
}

static void
dsn_write_status(const struct dsn_report *r, struct buf *out)
{
	size_t i;

	buf_printf(out, "--%s\r\nContent-Description: Delivery report\r\n"
	                "Content-Type: message/delivery-status\r\n\r\n",
	    r->boundary);
	buf_puts(out, "Reporting-MTA: dns; ");
	dsn_put_safe(out, r->reporting_mta, DSN_ADDR_MAX);
	buf_puts(out, "\r\nX-Postern-Queue-ID: ");
	dsn_put_safe(out, r->queue_id, 64);
	buf_puts(out, "\r\n");
	if (r->envid != NULL) {
		buf_puts(out, "Original-Envelope-Id: ");
		dsn_put_safe(out, r->envid, 100);
		buf_puts(out, "\r\n");
	}
	dsn_date_field(out, "Arrival-Date", r->arrival);
	for (i = 0; i < r->nrcpt; i++)
		dsn_write_rcpt_fields(&r->rcpts[i], out);
	buf_puts(out, "\r\n");
}

void
dsn_write_head(const struct dsn_report *r, struct buf *out)
{
	dsn_write_headers(r, out);
	dsn_write_explanation(r, out);
	dsn_write_status(r, out);
	if (r->no_original)
		return;
	buf_printf(out, "--%s\r\n", r->boundary);
	if (r->full_original)
		buf_puts(out, "Content-Description: Undelivered Message\r\n"
		              "Content-Type: message/rfc822\r\n"
		              "Content-Transfer-Encoding: 8bit\r\n\r\n");
	else
		buf_puts(out, "Content-Description: Message Headers\r\n"
		              "Content-Type: text/rfc822-headers\r\n"
		              "Content-Transfer-Encoding: 8bit\r\n\r\n");
}

void
dsn_write_tail(const struct dsn_report *r, bool original_ended_in_newline,
    struct buf *out)
{
	if (!r->no_original && !original_ended_in_newline)
		buf_puts(out, "\r\n");
	buf_printf(out, "--%s--\r\n", r->boundary);
}

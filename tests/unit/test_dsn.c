/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/msg/dsn.c: the notice composer (RFC 3464). */
#include "msg/dsn.h"

#include <string.h>

#include "t.h"

static struct dsn_report
report_of(struct dsn_rcpt *rcpts, size_t n)
{
	struct dsn_report r = {
	    .kind = DSN_KIND_FAILURE,
	    .reporting_mta = "mx.example.org",
	    .mail_name = "Postern",
	    .from = "MAILER-DAEMON@mx.example.org",
	    .to = "sender@example.com",
	    .message_id = "<20231114221320.1JN7W8000051A@mx.example.org>",
	    .boundary = "1JN7W8000051A.1700000000/mx.example.org",
	    .queue_id = "1JN7W8000051A",
	    .envid = "QQ314159",
	    .arrival = 1700000000,
	    .now = 1700003600,
	    .full_original = true,
	    .rcpts = rcpts,
	    .nrcpt = n,
	};

	return r;
}

static bool
has(const struct buf *b, const char *needle)
{
	return strstr(b->data, needle) != NULL;
}

static void
date_format(void)
{
	struct buf b;

	buf_init(&b);
	dsn_format_date(1700000000, &b);
	T_EQ_STR(b.data, "Tue, 14 Nov 2023 22:13:20 +0000");
	buf_reset(&b);
	dsn_format_date(0, &b);
	T_EQ_STR(b.data, "Thu, 1 Jan 1970 00:00:00 +0000");
	buf_deinit(&b);
}

static void
failure_notice_fields(void)
{
	struct dsn_rcpt rc[2] = {
	    {.address = "alice@example.org",
	        .orcpt = "rfc822;Alice@Example.org",
	        .action = DSN_ACTION_FAILED, .status = "5.1.1",
	        .diagnostic = "unknown user", .last_attempt = 1700003000},
	    {.address = "bob@example.org", .action = DSN_ACTION_FAILED,
	        .status = "4.4.1", .diagnostic = "connection refused"},
	};
	struct dsn_report r = report_of(rc, 2);
	struct buf b;

	buf_init(&b);
	dsn_write_head(&r, &b);
	buf_puts(&b, "Subject: hi\r\n\r\nbody\r\n");
	dsn_write_tail(&r, true, &b);
	T_CHECK(has(&b, "Subject: Undelivered Mail Returned to Sender\r\n"));
	T_CHECK(has(&b, "To: <sender@example.com>\r\n"));
	T_CHECK(has(&b, "Auto-Submitted: auto-replied\r\n"));
	T_CHECK(has(&b, "Content-Type: multipart/report; "
	                "report-type=delivery-status;\r\n\tboundary=\""
	                "1JN7W8000051A.1700000000/mx.example.org\"\r\n"));
	T_CHECK(has(&b, "Reporting-MTA: dns; mx.example.org\r\n"));
	T_CHECK(has(&b, "Original-Envelope-Id: QQ314159\r\n"));
	T_CHECK(has(&b, "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
	T_CHECK(has(&b, "\r\n\r\nOriginal-Recipient: rfc822;Alice@Example.org"
	                "\r\nFinal-Recipient: rfc822; alice@example.org\r\n"
	                "Action: failed\r\nStatus: 5.1.1\r\n"
	                "Diagnostic-Code: X-Postern; unknown user\r\n"
	                "Last-Attempt-Date: Tue, 14 Nov 2023 23:03:20 +0000"));
	T_CHECK(has(&b, "Final-Recipient: rfc822; bob@example.org\r\n"
	                "Action: failed\r\nStatus: 4.4.1\r\n"));
	T_CHECK(has(&b, "Content-Type: message/rfc822\r\n"));
	T_CHECK(has(&b, "\r\n--1JN7W8000051A.1700000000/mx.example.org--\r\n"));
	/* Every line ends in CR LF. */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n' && (i == 0 || b.data[i - 1] != '\r')) {
			T_CHECK(!"bare LF");
			break;
		}
	buf_deinit(&b);
}

/* A hostile reason cannot add a field or a part. */
static void
untrusted_text_is_neutralised(void)
{
	struct dsn_rcpt rc = {.address = "a@b\r\nBcc: x@y",
	    .action = DSN_ACTION_FAILED,
	    .diagnostic = "no\r\n\r\n--1JN7W8000051A.1700000000/mx.example.org"
	                  "\r\nContent-Type: text/html"};
	struct dsn_report r = report_of(&rc, 1);
	struct buf b;
	char longtext[3000];

	buf_init(&b);
	dsn_write_head(&r, &b);
	T_CHECK(!has(&b, "\r\nBcc:"));
	T_CHECK(!has(&b, "\r\nContent-Type: text/html"));
	T_CHECK(has(&b, "Status: 5.0.0\r\n"));
	/* Long reasons are cut. */
	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	rc.address = "a@b";
	rc.diagnostic = longtext;
	buf_reset(&b);
	dsn_write_head(&r, &b);
	{
		const char *p = strstr(b.data, "Diagnostic-Code: ");
		const char *e = p != NULL ? strstr(p, "\r\n") : NULL;

		T_CHECK(e != NULL && e - p < 998);
	}
	buf_deinit(&b);
}

static void
delay_and_success_kinds(void)
{
	struct dsn_rcpt rc = {.address = "a@b", .action = DSN_ACTION_DELAYED,
	    .retry_until = 1700259200};
	struct dsn_report r = report_of(&rc, 1);
	struct buf b;

	r.kind = DSN_KIND_DELAY;
	r.full_original = false;
	r.envid = NULL;
	buf_init(&b);
	dsn_write_head(&r, &b);
	T_CHECK(has(&b, "Subject: Delayed Mail (still being retried)\r\n"));
	T_CHECK(has(&b, "Action: delayed\r\nStatus: 4.0.0\r\n"));
	T_CHECK(has(&b, "Will-Retry-Until: Fri, 17 Nov 2023 22:13:20 +0000"));
	T_CHECK(has(&b, "Content-Type: text/rfc822-headers\r\n"));
	T_CHECK(!has(&b, "Original-Envelope-Id"));
	rc.action = DSN_ACTION_DELIVERED;
	rc.retry_until = 0;
	r.kind = DSN_KIND_SUCCESS;
	r.no_original = true;
	buf_reset(&b);
	dsn_write_head(&r, &b);
	dsn_write_tail(&r, false, &b);
	T_CHECK(has(&b, "Action: delivered\r\nStatus: 2.0.0\r\n"));
	T_CHECK(!has(&b, "rfc822-headers"));
	T_CHECK(has(&b, "\r\n\r\n--1JN7W8000051A.1700000000/mx.example.org--"));
	T_EQ_STR(dsn_action_name(DSN_ACTION_RELAYED), "relayed");
	buf_deinit(&b);
}

T_MAIN(T_CASE(date_format), T_CASE(failure_notice_fields),
    T_CASE(untrusted_text_is_neutralised), T_CASE(delay_and_success_kinds))

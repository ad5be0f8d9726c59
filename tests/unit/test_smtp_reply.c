/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/smtp/smtp_reply: the builder and the parser. */
#include "smtp/smtp_reply.h"

#include <string.h>

#include "t.h"

static void
reply_single_lines(void)
{
	struct buf b;

	buf_init(&b);
	smtp_reply_line(&b, 250, "2.1.0", false, "Ok", 2);
	T_EQ_STR(b.data, "250 2.1.0 Ok\r\n");
	buf_reset(&b);
	smtp_reply_line(&b, 250, NULL, false, "Ok", 2);
	T_EQ_STR(b.data, "250 Ok\r\n");
	buf_reset(&b);
	smtp_reply_line(
	    &b, 354, "", false, "End data with <CR><LF>.<CR><LF>", 31);
	T_EQ_STR(b.data, "354 End data with <CR><LF>.<CR><LF>\r\n");
	buf_reset(&b);
	smtp_reply_line(&b, 250, NULL, false, "", 0);
	T_EQ_STR(b.data, "250\r\n");
	buf_reset(&b);
	smtp_reply_line(&b, 250, "2.0.0", false, "", 0);
	T_EQ_STR(b.data, "250 2.0.0\r\n");
	buf_reset(&b);
	smtp_reply_line(&b, 250, NULL, true, "PIPELINING", 10);
	T_EQ_STR(b.data, "250-PIPELINING\r\n");
	buf_deinit(&b);
}

static void
reply_multi_line(void)
{
	struct buf b;

	buf_init(&b);
	smtp_reply_text(&b, 250, NULL,
	    "mail.example.com\nPIPELINING\nSIZE "
	    "10240000\n8BITMIME");
	T_EQ_STR(b.data,
	    "250-mail.example.com\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250 8BITMIME\r\n");
	buf_reset(&b);
	smtp_reply_text(&b, 550, "5.7.1", "first\r\nsecond\n");
	T_EQ_STR(b.data, "550-5.7.1 first\r\n550 5.7.1 second\r\n");
	buf_reset(&b);
	smtp_reply_text(&b, 221, "2.0.0", "");
	T_EQ_STR(b.data, "221 2.0.0\r\n");
	buf_reset(&b);
	smtp_reply_printf(&b, 452, "4.5.3", "Too many recipients (%d)", 100);
	T_EQ_STR(b.data, "452 4.5.3 Too many recipients (100)\r\n");
	buf_deinit(&b);
}

static void
reply_sanitises_text(void)
{
	struct buf b;
	struct err err;

	buf_init(&b);
	/* A client-supplied address must not inject a second reply. */
	smtp_reply_line(
	    &b, 550, "5.1.1", false, "<a@b>\r\n250 2.0.0 Ok\0x", 21);
	T_EQ_STR(b.data, "550 5.1.1 <a@b>??250 2.0.0 Ok?x\r\n");
	buf_reset(&b);
	smtp_reply_line(
	    &b, 250, NULL, false, "tab\there \x7f \xff \xc3\xa9", 15);
	T_EQ_STR(b.data, "250 tab\there ? ? \xc3\xa9\r\n");
	buf_reset(&b);
	err_set(&err, ERR_PERM, "5.5.2", "bad\nthing");
	smtp_reply_err(&b, 501, &err, true);
	T_EQ_STR(b.data, "501 5.5.2 bad thing\r\n");
	buf_reset(&b);
	smtp_reply_err(&b, 501, &err, false);
	T_EQ_STR(b.data, "501 bad thing\r\n");
	buf_deinit(&b);
}

static void
reply_line_length_capped(void)
{
	char text[1000];
	struct buf b;

	memset(text, 'x', sizeof(text));
	buf_init(&b);
	smtp_reply_line(&b, 250, "2.0.0", false, text, sizeof(text));
	T_EQ_INT(b.len, SMTP_REPLY_LINE_MAX);
	T_CHECK(memcmp(b.data + b.len - 3, "x\r\n", 3) == 0);
	/* A multi-byte character is never cut in half: 506 octets of text
	 * fit after "250 ", and the euro sign would take octets 505-507. */
	buf_reset(&b);
	memset(text, 'x', sizeof(text));
	memcpy(text + 504, "\xe2\x82\xac", 3);
	smtp_reply_line(&b, 250, NULL, false, text, sizeof(text));
	T_EQ_INT(b.len, 4 + 504 + 2);
	T_EQ_STR(b.data + b.len - 3, "x\r\n");
	buf_reset(&b);
	smtp_reply_line(&b, 250, NULL, false, text, 507);
	T_EQ_INT(b.len, 4 + 504 + 2);
	/* A truncated sequence is not UTF-8: its octets become '?'. */
	buf_reset(&b);
	smtp_reply_line(&b, 250, NULL, false, text, 506);
	T_EQ_INT(b.len, SMTP_REPLY_LINE_MAX);
	T_EQ_STR(b.data + b.len - 4, "??\r\n");
	buf_deinit(&b);
}

struct parse_step {
	const char *line;
	int rc;
};

static void
reply_parse_multi(void)
{
	static const char *const lines[] = {
	    "250-mail.example.com Hello",
	    "250-PIPELINING",
	    "250-SIZE 10240000",
	    "250 ENHANCEDSTATUSCODES",
	};
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct arena *a = arena_new();
	struct err err;
	size_t i;

	smtp_reply_parser_init(&p, 512, 100);
	for (i = 0; i < 4; i++)
		T_EQ_INT(smtp_reply_parser_line(
		             &p, lines[i], strlen(lines[i]), &r, a, &err),
		    i == 3 ? 1 : 0);
	T_EQ_INT(r.code, 250);
	T_EQ_STR(r.dsn, "");
	T_EQ_INT(r.lines, 4);
	T_EQ_STR(r.text,
	    "mail.example.com Hello\nPIPELINING\nSIZE 10240000\n"
	    "ENHANCEDSTATUSCODES");
	T_EQ_INT(r.text_len, strlen(r.text));

	/* The parser is ready for the next reply. */
	T_EQ_INT(smtp_reply_parser_line(
	             &p, "550-5.1.1 No such user", 22, &r, a, &err),
	    0);
	T_EQ_INT(
	    smtp_reply_parser_line(&p, "550 5.1.1 here", 14, &r, a, &err), 1);
	T_EQ_INT(r.code, 550);
	T_EQ_STR(r.dsn, "5.1.1");
	T_EQ_STR(r.text, "No such user\nhere");

	T_EQ_INT(smtp_reply_parser_line(&p, "250", 3, &r, a, &err), 1);
	T_EQ_INT(r.code, 250);
	T_EQ_STR(r.text, "");
	T_EQ_INT(smtp_reply_parser_line(&p, "250 2.0.0", 9, &r, a, &err), 1);
	T_EQ_STR(r.dsn, "2.0.0");
	T_EQ_STR(r.text, "");
	/* A status code of another class is text, not an enhanced code. */
	T_EQ_INT(
	    smtp_reply_parser_line(&p, "451 5.0.0 odd", 13, &r, a, &err), 1);
	T_EQ_STR(r.dsn, "");
	T_EQ_STR(r.text, "5.0.0 odd");
	T_EQ_INT(smtp_reply_parser_line(&p, "250 2.1.0x", 10, &r, a, &err), 1);
	T_EQ_STR(r.dsn, "");
	arena_free(&a);
}

static void
reply_parse_errors(void)
{
	static const char *const bad[] = {
	    "",
	    "25",
	    "abc",
	    "150 ok",
	    "650 no",
	    "2500 x",
	    "250x",
	    "25a ok",
	};
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct arena *a = arena_new();
	struct err err;
	size_t i;
	char line[600];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		smtp_reply_parser_init(&p, 512, 10);
		err_clear(&err);
		T_EQ_INT(smtp_reply_parser_line(
		             &p, bad[i], strlen(bad[i]), &r, a, &err),
		    -1);
		T_CHECK(err.kind == ERR_TEMP);
		T_EQ_STR(err.dsn, "4.5.0");
	}
	/* Code changes between lines. */
	smtp_reply_parser_init(&p, 512, 10);
	T_EQ_INT(smtp_reply_parser_line(&p, "250-a", 5, &r, a, &err), 0);
	T_EQ_INT(smtp_reply_parser_line(&p, "550 b", 5, &r, a, &err), -1);
	/* Line limit: exactly line_max passes, one more fails. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	smtp_reply_parser_init(&p, 512, 10);
	T_EQ_INT(smtp_reply_parser_line(&p, line, 512, &r, a, &err), 1);
	T_EQ_INT(smtp_reply_parser_line(&p, line, 513, &r, a, &err), -1);
	/* Line count: exactly lines_max passes, one more fails. */
	smtp_reply_parser_init(&p, 512, 2);
	T_EQ_INT(smtp_reply_parser_line(&p, "250-a", 5, &r, a, &err), 0);
	T_EQ_INT(smtp_reply_parser_line(&p, "250 b", 5, &r, a, &err), 1);
	T_EQ_INT(smtp_reply_parser_line(&p, "250-a", 5, &r, a, &err), 0);
	T_EQ_INT(smtp_reply_parser_line(&p, "250-b", 5, &r, a, &err), 0);
	T_EQ_INT(smtp_reply_parser_line(&p, "250 c", 5, &r, a, &err), -1);
	arena_free(&a);
}

static void
reply_roundtrip(void)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	struct arena *a = arena_new();
	struct err err;
	struct buf b;
	const char *s, *nl;
	int rc = 0;

	buf_init(&b);
	smtp_reply_text(&b, 421, "4.3.2", "Service shutting down\nbye");
	smtp_reply_parser_init(&p, 512, 10);
	for (s = b.data; (nl = strstr(s, "\r\n")) != NULL; s = nl + 2)
		rc = smtp_reply_parser_line(
		    &p, s, (size_t)(nl - s), &r, a, &err);
	T_EQ_INT(rc, 1);
	T_EQ_INT(r.code, 421);
	T_EQ_STR(r.dsn, "4.3.2");
	T_EQ_STR(r.text, "Service shutting down\nbye");
	buf_deinit(&b);
	arena_free(&a);
}

T_MAIN(T_CASE(reply_single_lines), T_CASE(reply_multi_line),
    T_CASE(reply_sanitises_text), T_CASE(reply_line_length_capped),
    T_CASE(reply_parse_multi), T_CASE(reply_parse_errors),
    T_CASE(reply_roundtrip))

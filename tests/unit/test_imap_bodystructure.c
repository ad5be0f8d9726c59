/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/imap ENVELOPE, BODY and BODYSTRUCTURE
 * producers, against the sample responses of RFC 3501 §8 and §7.4.2,
 * plus groups, defaults, nesting and extension data.
 */
#include "imap/imap_bodystructure.h"
#include "imap/imap_envelope.h"

#include <string.h>

#include "imap/imap_write.h"
#include "t.h"

static const struct mime_limits lim = {
    .depth_max = 20, .parts_max = 100, .params_max = 16};

/* n lines of CRLF-terminated 'x's: n-1 of len octets, the last of last. */
static void
add_lines(struct buf *b, size_t n, size_t len, size_t last)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t l = (i + 1 == n ? last : len) - 2;

		for (j = 0; j < l; j++)
			buf_putc(b, 'x');
		buf_puts(b, "\r\n");
	}
}

static void
check(
    const char *msg, size_t len, bool envelope, bool extended, const char *want)
{
	struct arena *a = arena_new();
	struct mime_message m;
	struct buf out;

	buf_init(&out);
	T_EQ_INT(mime_parse(msg, len, &lim, &m, a, NULL), 0);
	if (envelope)
		imap_envelope_write(&out, &m, m.root, 0, a);
	else
		imap_bodystructure_write(&out, &m, m.root, extended, 0, a);
	T_EQ_STR(out.data, want);
	buf_deinit(&out);
	arena_free(&a);
}

/*
 * RFC 3501 §8, the "FETCH 12 FULL" response. Its text puts a space
 * between the two Cc addresses; the formal syntax (§9 env-cc = "("
 * 1*address ")") has none, and neither have Dovecot and Cyrus.
 */
static void
test_rfc3501_example(void)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b,
	    "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
	    "From: Terry Gray <gray@cac.washington.edu>\r\n"
	    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
	    "To: imap@cac.washington.edu\r\n"
	    "cc: minutes@CNRI.Reston.VA.US, John Klensin "
	    "<KLENSIN@MIT.EDU>\r\n"
	    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
	    "\r\n");
	add_lines(&b, 92, 33, 3028 - 91 * 33);
	check(b.data, b.len, true, false,
	    "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	    "\"IMAP4rev1 WG mtg summary and minutes\" "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((NIL NIL \"imap\" \"cac.washington.edu\")) "
	    "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
	    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
	    "\"<B27397-0100000@cac.washington.edu>\")");
	check(b.data, b.len, false, false,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "3028 92)");
	check(b.data, b.len, false, true,
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "3028 92 NIL NIL NIL NIL)");
	buf_deinit(&b);
}

/* RFC 3501 §7.4.2, the multipart BODY example. */
static void
test_rfc3501_multipart(void)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b,
	    "Content-Type: MULTIPART/MIXED; BOUNDARY=\"b\"\r\n"
	    "\r\n--b\r\n\r\n");
	add_lines(&b, 23, 50, 1152 - 22 * 50);
	buf_puts(&b,
	    "\r\n--b\r\n"
	    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; "
	    "NAME=cc.diff\r\n"
	    "Content-ID: <960723163407.20117h@cac.washington.edu>\r\n"
	    "Content-Description: Compiler diff\r\n"
	    "Content-Transfer-Encoding: BASE64\r\n"
	    "\r\n");
	add_lines(&b, 73, 62, 4554 - 72 * 62);
	buf_puts(&b, "\r\n--b--\r\n");
	check(b.data, b.len, false, false,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" "
	    "\"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
	    "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")");
	check(b.data, b.len, false, true,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "1152 23 NIL NIL NIL NIL)(\"TEXT\" \"PLAIN\" (\"CHARSET\" "
	    "\"US-ASCII\" \"NAME\" \"cc.diff\") "
	    "\"<960723163407.20117h@cac.washington.edu>\" "
	    "\"Compiler diff\" \"BASE64\" 4554 73 NIL NIL NIL NIL) \"MIXED\" "
	    "(\"BOUNDARY\" \"b\") NIL NIL NIL)");
	buf_deinit(&b);
}

static void
test_envelope_groups_defaults(void)
{
	static const char msg[] =
	    "From: \"Doe, J\" <j@x.example>\r\n"
	    "Sender: \r\n"
	    "Reply-To: broken <<<\r\n"
	    "To: team: a@x.example, B <b@y.example>;, c@z.example\r\n"
	    "Cc: undisclosed-recipients:;\r\n"
	    "Bcc: <@r1,@r2:d@w.example>, local\r\n"
	    "In-Reply-To: <1@x>\r\n"
	    "Subject: =?utf-8?q?caf=C3=A9?= \"q\"\r\n"
	    "\r\n";

	check(msg, sizeof(msg) - 1, true, false,
	    "(NIL \"=?utf-8?q?caf=C3=A9?= \\\"q\\\"\" "
	    "((\"Doe, J\" NIL \"j\" \"x.example\")) "
	    "((\"Doe, J\" NIL \"j\" \"x.example\")) "
	    "NIL "
	    "((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"x.example\")"
	    "(\"B\" NIL \"b\" \"y.example\")(NIL NIL NIL NIL)"
	    "(NIL NIL \"c\" \"z.example\")) "
	    "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
	    "((NIL \"@r1,@r2\" \"d\" \"w.example\")(NIL NIL \"local\" \"\")) "
	    "\"<1@x>\" NIL)");
	check("", 0, true, false, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

static void
test_extension_data(void)
{
	static const char msg[] =
	    "Subject: outer\r\n"
	    "Content-Type: multipart/mixed; boundary=o\r\n"
	    "Content-Language: en, de\r\n"
	    "\r\n"
	    "--o\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Disposition: inline\r\n"
	    "Content-Language: fr\r\n"
	    "Content-Location: http://x.example/a\r\n"
	    "Content-MD5: Q2hlY2s=\r\n"
	    "\r\n"
	    "<p>\xc3\xa9</p>\r\n"
	    "--o\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Subject: inner\r\n"
	    "\r\n"
	    "hi\r\n"
	    "--o\r\n"
	    "Content-Type: image/png; name=\"a b.png\"\r\n"
	    "Content-Disposition: attachment; filename=\"a b.png\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "iVBO\r\n"
	    "--o--\r\n";

	check(msg, sizeof(msg) - 1, false, true,
	    "((\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 9 0 "
	    "\"Q2hlY2s=\" (\"INLINE\" NIL) (\"fr\") \"http://x.example/a\")"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 20 "
	    "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "2 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)"
	    "(\"IMAGE\" \"PNG\" (\"NAME\" \"a b.png\") NIL NIL \"BASE64\" 4 "
	    "NIL (\"ATTACHMENT\" (\"FILENAME\" \"a b.png\")) NIL NIL) "
	    "\"MIXED\" (\"BOUNDARY\" \"o\") NIL (\"en\" \"de\") NIL)");
}

static void
test_write_strings(void)
{
	struct buf b;

	buf_init(&b);
	imap_write_cstring(&b, "a \"b\" \\c", 0);
	T_EQ_STR(b.data, "\"a \\\"b\\\" \\\\c\"");
	buf_reset(&b);
	imap_write_string(&b, "a\r\nb", 4, 0);
	T_EQ_STR(b.data, "{4}\r\na\r\nb");
	buf_reset(&b);
	imap_write_cstring(&b, "caf\xc3\xa9", 0);
	T_EQ_STR(b.data, "{5}\r\ncaf\xc3\xa9");
	buf_reset(&b);
	imap_write_cstring(&b, "caf\xc3\xa9", IMAP_WRITE_UTF8);
	T_EQ_STR(b.data, "\"caf\xc3\xa9\"");
	buf_reset(&b);
	imap_write_cstring(&b, "caf\xc3", IMAP_WRITE_UTF8);
	T_EQ_STR(b.data, "{4}\r\ncaf\xc3");
	buf_reset(&b);
	imap_write_string(&b, "a\0b", 3, IMAP_WRITE_BINARY);
	T_CHECK(b.len == 9 && memcmp(b.data, "~{3}\r\na\0b", 9) == 0);
	buf_reset(&b);
	imap_write_nstring(&b, NULL, 0);
	buf_putc(&b, ' ');
	imap_write_astring(&b, "INBOX", 5, 0);
	buf_putc(&b, ' ');
	imap_write_astring(&b, "nil", 3, 0);
	buf_putc(&b, ' ');
	imap_write_astring(&b, "", 0, 0);
	buf_putc(&b, ' ');
	imap_write_astring(&b, "a b", 3, 0);
	buf_putc(&b, ' ');
	imap_write_astring(&b, "x]", 2, 0);
	T_EQ_STR(b.data, "NIL INBOX \"nil\" \"\" \"a b\" x]");
	buf_deinit(&b);
}

static void
test_unparsed_message(void)
{
	/* RFC 2046 §5.2.1 forbids base64 here; describe it, empty. */
	static const char msg[] = "Content-Type: message/rfc822\r\n"
	                          "Content-Transfer-Encoding: base64\r\n"
	                          "\r\n"
	                          "U3ViamVjdDogeA0KDQp5\r\n";

	check(msg, sizeof(msg) - 1, false, false,
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"BASE64\" 22 "
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 "
	    "0) 1)");
}

T_MAIN(T_CASE(test_rfc3501_example), T_CASE(test_unparsed_message),
    T_CASE(test_rfc3501_multipart), T_CASE(test_envelope_groups_defaults),
    T_CASE(test_extension_data), T_CASE(test_write_strings))

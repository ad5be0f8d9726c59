/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Sieve extensions that act on the message and its
 * delivery: fileinto, copy, mailbox, reject/ereject, imap4flags,
 * variables, relational, subaddress, regex and body. Most cases are the
 * example scripts of the RFCs, run on sample messages.
 */
#include "test_sieve_util.h"

static const char ts_msg_list[] =
    "List-ID: ACME users <acme-users@example.org>\r\n"
    "Subject: [acme-users] [fwd] version 1.0 is out\r\n"
    "To: coyote@ACME.Example.COM\r\n"
    "\r\n"
    "hello\r\n";

/* RFC 5231 §5's sample message. */
static const char ts_msg_rel[] =
    "Received: from a.example.org by b.example.com\r\n"
    "Received: from c.example.org by a.example.org\r\n"
    "Date: Fri, 19 Jan 2007 22:16:45 -0500\r\n"
    "From: Kevin Bacon <kevin@example.com>\r\n"
    "To: foo@example.com, baz@example.com\r\n"
    "CC: qux@example.com\r\n"
    "Subject: Sieve example\r\n"
    "X-Priority: 1\r\n"
    "\r\n"
    "Body\r\n";

static void
test_fileinto_copy(void)
{
	TS_EQ("require \"fileinto\"; fileinto \"INBOX.x\";", ts_msg_rel,
	    "fileinto INBOX.x");
	TS_EQ("require [\"fileinto\", \"copy\"];\n"
	    "fileinto :copy \"Archive\"; redirect :copy \"a@example.net\";",
	    ts_msg_rel, "fileinto Archive :copy; redirect a@example.net :copy; "
	    "keep");
	TS_EQ("require \"fileinto\"; fileinto :copy \"x\";", ts_msg_rel,
	    "compile: 1:30: unknown tag :copy for fileinto: missing require "
	    "copy");
	TS_EQ("require \"fileinto\"; fileinto \"a\"; fileinto \"a\";",
	    ts_msg_rel, "fileinto a");
}

static void
test_reject(void)
{
	TS_EQ("require \"reject\"; reject \"go away\";", ts_msg_rel,
	    "reject \"go away\"");
	TS_EQ("require \"ereject\"; ereject \"no\"; discard;", ts_msg_rel,
	    "ereject \"no\"; discard");
	TS_EQ("require [\"reject\", \"fileinto\"];\n"
	    "fileinto \"x\"; reject \"no\";", ts_msg_rel,
	    "run: 2:15: reject cannot be combined with fileinto");
	TS_EQ("require [\"reject\"];\nreject \"a\"; keep;", ts_msg_rel,
	    "run: 2:13: keep cannot be combined with reject");
	TS_EQ("require [\"reject\", \"ereject\"];\nreject \"a\"; ereject \"b\";",
	    ts_msg_rel, "run: 2:13: ereject cannot be combined with reject");
	TS_EQ("require [\"reject\", \"vacation\"];\n"
	    "vacation \"away\"; reject \"no\";", ts_msg_rel,
	    "run: 2:18: reject cannot be combined with vacation");
}

/* RFC 5232 §7 examples. */
static void
test_imap4flags(void)
{
	TS_EQ("require [\"imap4flags\", \"fileinto\"];\n"
	    "if header :contains \"from\" \"kevin@example.com\" {\n"
	    "  setflag \"\\\\Flagged\";\n"
	    "  fileinto \"INBOX.From Boss\";\n"
	    "}", ts_msg_rel, "fileinto INBOX.From Boss [\\Flagged]");
	TS_EQ("require \"imap4flags\";\n"
	    "addflag [\"\\\\Seen\", \"$Label1 \\\\Seen\"]; "
	    "removeflag \"$label1\";", ts_msg_rel, "keep [\\Seen]");
	TS_EQ("require [\"imap4flags\", \"fileinto\"];\n"
	    "addflag \"\\\\Seen\"; fileinto :flags \"\\\\Deleted\" \"Trash\";",
	    ts_msg_rel, "fileinto Trash [\\Deleted]");
	TS_EQ("require [\"imap4flags\", \"variables\"];\n"
	    "setflag \"myflags\" \"A B\"; addflag \"myflags\" \"b C\";\n"
	    "if hasflag :is \"myflags\" \"c\" { addflag \"Hit\"; }\n"
	    "if hasflag :count \"eq\" \"myflags\" \"3\" { }",
	    ts_msg_rel, "compile: 4:12: unknown tag :count for hasflag: "
	    "missing require relational");
	TS_EQ("require [\"imap4flags\", \"variables\"];\n"
	    "setflag \"myflags\" \"A B\"; addflag \"myflags\" \"b C\";\n"
	    "if hasflag :is \"myflags\" \"c\" { addflag \"Hit\"; }",
	    ts_msg_rel, "keep [Hit]");
}

/* RFC 5229 §3, §4 examples. */
static void
test_variables(void)
{
	TS_EQ("require [\"variables\", \"reject\"];\n"
	    "set \"honorific\" \"Mr\";\n"
	    "set \"first_name\" \"Wile\";\n"
	    "set \"last_name\" \"Coyote\";\n"
	    "set \"vacation\" text:\n"
	    "Dear ${HONORIFIC} ${last_name},\n"
	    "I'm out, please leave a message after the meep.\n"
	    ".\n;\n"
	    "reject \"${vacation}\";", ts_msg_rel,
	    "reject \"Dear Mr Coyote,\nI'm out, please leave a message after "
	    "the meep.\n\"");
	TS_EQ("require [\"variables\", \"fileinto\"];\n"
	    "set \"a\" \"juMBlEd lETteRS\";\n"
	    "set :length \"b\" \"${a}\"; fileinto \"${b}\";\n"
	    "set :lower \"b\" \"${a}\"; fileinto \"${b}\";\n"
	    "set :upperfirst \"b\" \"${a}\"; fileinto \"${b}\";\n"
	    "set :upperfirst :lower \"b\" \"${a}\"; fileinto \"${b}\";\n"
	    "set :quotewildcard \"b\" \"Rock*\"; fileinto \"${b}\";\n",
	    ts_msg_rel, "fileinto 15; fileinto jumbled letters; "
	    "fileinto JuMBlEd lETteRS; fileinto Jumbled letters; "
	    "fileinto Rock\\*");
	/* unknown variables are empty; "${" without a name stays */
	TS_EQ("require [\"variables\", \"fileinto\"];\n"
	    "fileinto \"a${nosuch}b${}c${1x}\";", ts_msg_rel,
	    "fileinto ab${}c${1x}");
	TS_EQ("require \"variables\"; set \"1a\" \"x\";", ts_msg_rel,
	    "compile: 1:26: bad variable name \"1a\"");
	TS_EQ("require [\"variables\", \"fileinto\"];\n"
	    "if string :is \"${nosuch}\" \"\" { fileinto \"empty\"; }",
	    ts_msg_rel, "fileinto empty");
}

/* RFC 5229 §3.2: match variables. */
static void
test_match_variables(void)
{
	static const char script[] =
	    "require [\"fileinto\", \"variables\"];\n"
	    "if header :matches \"List-ID\" \"*<*@*\" {\n"
	    "    fileinto \"INBOX.lists.${2}\"; stop;\n"
	    "}\n";
	static const char script2[] =
	    "require [\"fileinto\", \"variables\"];\n"
	    "if header :matches \"Subject\" \"[*] *\" {\n"
	    "    fileinto \"INBOX.lists.${1}\"; fileinto \"${2}\"; stop;\n"
	    "}\n";
	static const char script3[] =
	    "require [\"fileinto\", \"variables\"];\n"
	    "if address :matches [\"To\", \"Cc\"] [\"coyote@**.com\",\n"
	    "        \"wile@**.com\"] {\n"
	    "    fileinto \"INBOX.business.${2}\"; fileinto \"[${1}]\";\n"
	    "    fileinto \"${0}\";\n"
	    "}\n";

	TS_EQ(script, ts_msg_list, "fileinto INBOX.lists.acme-users");
	TS_EQ(script2, ts_msg_list,
	    "fileinto INBOX.lists.acme-users; fileinto [fwd] version 1.0 is "
	    "out");
	TS_EQ(script3, ts_msg_list, "fileinto INBOX.business.ACME.Example; "
	    "fileinto []; fileinto coyote@ACME.Example.COM");
}

/* RFC 5231 §8 examples on the §5 message. */
static void
test_relational(void)
{
	static const char pre[] =
	    "require [\"relational\", \"comparator-i;ascii-numeric\"];\n";
	char script[512];

	(void)snprintf(script, sizeof(script), "%s%s", pre,
	    "if header :value \"lt\" :comparator \"i;ascii-numeric\" "
	    "[\"x-priority\"] [\"3\"] { discard; }");
	TS_EQ(script, ts_msg_rel, "discard");
	(void)snprintf(script, sizeof(script), "%s%s", pre,
	    "if address :count \"eq\" :comparator \"i;ascii-numeric\" "
	    "[\"to\", \"cc\"] [\"3\"] { discard; }");
	TS_EQ(script, ts_msg_rel, "discard");
	(void)snprintf(script, sizeof(script), "%s%s", pre,
	    "if header :count \"ge\" :comparator \"i;ascii-numeric\" "
	    "\"received\" \"3\" { discard; }");
	TS_EQ(script, ts_msg_rel, "keep");
	(void)snprintf(script, sizeof(script), "%s%s", pre,
	    "if header :value \"gt\" \"subject\" \"Sieve a\" { discard; }");
	TS_EQ(script, ts_msg_rel, "discard");
	(void)snprintf(script, sizeof(script), "%s%s", pre,
	    "if header :value \"xx\" \"subject\" \"a\" { }");
	TS_EQ(script, ts_msg_rel,
	    "compile: 2:18: bad relational operator");
}

/* RFC 5233 §6 example, with the envelope recipient me+detail. */
static void
test_subaddress(void)
{
	static const char script[] =
	    "require [\"envelope\", \"subaddress\", \"fileinto\"];\n"
	    "if envelope :user \"to\" \"postmaster\" {\n"
	    "  fileinto \"inbox.postmaster\"; stop; }\n"
	    "if envelope :detail \"to\" \"mta-filters\" {\n"
	    "  fileinto \"inbox.ietf-mta-filters\"; stop; }\n"
	    "if envelope :detail \"to\" \"\" { fileinto \"empty\"; stop; }\n"
	    "if envelope :user \"to\" \"me\" { fileinto \"plain\"; }\n";
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;

	ts_input(&in, ts_msg_rel);
	in.env.to = "me+mta-filters@example.com";
	got = ts_run_in(script, &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto inbox.ietf-mta-filters");
	free(got);
	in.env.to = "me+@example.com";
	got = ts_run_in(script, &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto empty");
	free(got);
	in.env.to = "me@example.com";
	got = ts_run_in(script, &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto plain");
	free(got);
	in.env.to = "postmaster+x@example.com";	/* never split */
	got = ts_run_in(script, &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto inbox.postmaster");
	free(got);
	arena_free(&a);
	TS_EQ("require [\"subaddress\"];\n"
	    "if address :detail \"to\" \"ext\" { discard; }",
	    "To: a+ext@example.com\r\n\r\n", "discard");
}

static void
test_regex(void)
{
	TS_EQ("require \"regex\";\n"
	    "if header :regex \"Subject\" \"^sieve (ex|in)ample$\" "
	    "{ discard; }", ts_msg_rel, "discard");
	TS_EQ("require \"regex\";\n"
	    "if header :regex :comparator \"i;octet\" \"Subject\" "
	    "\"^sieve\" { discard; }", ts_msg_rel, "keep");
	TS_EQ("require [\"regex\", \"variables\", \"fileinto\"];\n"
	    "if address :regex :domain \"from\" \"^(.*)\\\\.(com)$\" "
	    "{ fileinto \"${1}-${2}\"; }", ts_msg_rel,
	    "fileinto example-com");
	TS_EQ("require \"regex\";\nif header :regex \"Subject\" \"(\" { }",
	    ts_msg_rel, "compile: 2:28: bad regular expression: missing "
	    "closing parenthesis");
}

/* A catastrophic pattern hits the PCRE2 limit: a temporary failure. */
static void
test_regex_limit(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	struct buf msg;
	char *got;
	size_t i;

	buf_init(&msg);
	buf_puts(&msg, "Subject: ");
	for (i = 0; i < 40; i++)
		buf_putc(&msg, 'a');
	buf_puts(&msg, "!\r\n\r\n");
	lim.regex_match_limit = 10000;
	ts_input(&in, msg.data);
	got = ts_run_in("require \"regex\";\n"
	    "if header :regex \"Subject\" \"^(a+)+$\" { discard; }", &in, &lim,
	    &res, a);
	T_CHECK(strncmp(got, "run(temp): 2:4: regular expression failed",
	    41) == 0);
	free(got);
	buf_deinit(&msg);
	arena_free(&a);
}

static const char ts_msg_mime[] =
    "From: a@example.org\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble MAKE MONEY\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Hello, this is =\r\nabout the fre=65 offer\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "c2VjcmV0IGJpbmFyeQ==\r\n"
    "--XX\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>inner html</p>\r\n"
    "--XX--\r\n"
    "epilogue\r\n";

/* RFC 5173 §7 examples and the transforms. */
static void
test_body(void)
{
	TS_EQ("require \"body\";\n"
	    "if body :raw :contains \"MAKE MONEY FAST\" { discard; }",
	    "Subject: x\r\n\r\nmake money fast!\r\n", "discard");
	TS_EQ("require \"body\";\n"
	    "if body :raw :contains \"MAKE MONEY\" { discard; }",
	    ts_msg_mime, "discard");
	TS_EQ("require \"body\";\n"
	    "if body :text :contains \"about the free offer\" { discard; }",
	    ts_msg_mime, "discard");
	/* the preamble is not text content */
	TS_EQ("require \"body\";\n"
	    "if body :contains \"MAKE MONEY\" { discard; }", ts_msg_mime,
	    "keep");
	TS_EQ("require \"body\";\n"
	    "if body :content \"application\" :contains \"secret binary\" "
	    "{ discard; }", ts_msg_mime, "discard");
	TS_EQ("require \"body\";\n"
	    "if body :content \"text/html\" :contains \"inner html\" "
	    "{ discard; }", ts_msg_mime, "discard");
	TS_EQ("require \"body\";\n"
	    "if body :content \"text/plain\" :contains \"inner html\" "
	    "{ discard; }", ts_msg_mime, "keep");
	TS_EQ("require \"body\";\n"
	    "if body :content \"\" :contains \"secret\" { discard; }",
	    ts_msg_mime, "discard");
	TS_EQ("require \"body\";\n"
	    "if body :text :contains \"body\" { discard; }",
	    "Subject: plain\r\n\r\nthe body\r\n", "discard");
}

/* RFC 5490: mailboxexists and fileinto :create, with a callback. */
static int
ts_mailbox_exists(void *ctx, const char *mailbox, struct err *err)
{
	(void)ctx;
	if (strcmp(mailbox, "fail") == 0)
		return err_set(err, ERR_TEMP, "4.3.0", "store down");
	return strcmp(mailbox, "Junk") == 0 || strcmp(mailbox, "INBOX") == 0;
}

static void
test_mailbox(void)
{
	static const char script[] =
	    "require [\"fileinto\", \"mailbox\"];\n"
	    "if mailboxexists [\"Junk\", \"INBOX\"] { fileinto :create \"A\"; }\n"
	    "if mailboxexists \"Nope\" { fileinto \"B\"; }\n";
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;

	ts_input(&in, ts_msg_rel);
	in.cb.mailbox_exists_fn = ts_mailbox_exists;
	got = ts_run_in(script, &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto A :create");
	free(got);
	got = ts_run_in("require \"mailbox\"; if mailboxexists \"fail\" {}",
	    &in, &lim, &res, a);
	T_EQ_STR(got, "run(temp): 1:23: mailboxexists: store down");
	free(got);
	arena_free(&a);
	/* no callback: nothing exists */
	TS_EQ("require [\"mailbox\"]; if mailboxexists \"Junk\" { discard; }",
	    ts_msg_rel, "keep");
}

T_MAIN(T_CASE(test_fileinto_copy), T_CASE(test_reject),
    T_CASE(test_imap4flags), T_CASE(test_variables),
    T_CASE(test_match_variables), T_CASE(test_relational),
    T_CASE(test_subaddress), T_CASE(test_regex), T_CASE(test_regex_limit),
    T_CASE(test_body), T_CASE(test_mailbox))

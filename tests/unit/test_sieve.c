/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Sieve engine's core language (RFC 5228): the lexer
 * and parser with line:column errors, the base tests and actions, match
 * types, comparators, address parts, implicit keep, encoded-character,
 * and the limits that stop a hostile script.
 */
#include "test_sieve_util.h"

#include "sieve/sieve_conf.h"

static const char ts_msg_rfc[] =
    "Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)\r\n"
    "From: coyote@desert.example.org\r\n"
    "To: roadrunner@acme.example.com\r\n"
    "Subject: I have a present for you\r\n"
    "X-Caffeine: C8H10N4O2\r\n"
    "\r\n"
    "Look, I'm sorry about the whole anvil thing, and I really\r\n"
    "didn't mean to try and drop it on you from the top of the\r\n"
    "cliff.  I want to try to make it up to you.  I've got some\r\n"
    "great birdseed over here at my place--top of the line\r\n"
    "stuff--and if you come by, I'll have it all wrapped up\r\n"
    "for you.  I'm really sorry for all the problems I've caused\r\n"
    "for you over the years, but I know we can work this out.\r\n"
    "--\r\n"
    "Wile E. Coyote   \"Super Genius\"   coyote@desert.example.org\r\n";

static const char ts_msg_me[] =
    "From: Friend <friend@example.net>\r\n"
    "To: Me <me@example.com>, other@example.org\r\n"
    "Cc: list@lists.example.org\r\n"
    "Subject: make money fast at the university\r\n"
    "Message-ID: <1@example.net>\r\n"
    "\r\n"
    "body\r\n";

/* RFC 5228 §9: the extended example. */
static const char ts_script_rfc9[] =
    "# Example Sieve Filter\n"
    "# Declare any optional features or extension used by the script\n"
    "require [\"fileinto\"];\n"
    "\n"
    "#\n"
    "# Handle messages from known mailing lists\n"
    "# Move messages from IETF filter discussion list to filter mailbox\n"
    "#\n"
    "if header :is \"Sender\" \"owner-ietf-mta-filters@imc.org\"\n"
    "        {\n"
    "        fileinto \"filter\";  # move to \"filter\" mailbox\n"
    "        }\n"
    "#\n"
    "# Keep all messages to or from people in my company\n"
    "#\n"
    "elsif address :DOMAIN :is [\"From\", \"To\"] \"example.com\"\n"
    "        {\n"
    "        keep;               # keep in \"In\" mailbox\n"
    "        }\n"
    "\n"
    "#\n"
    "# Try and catch unsolicited email.  If a message is not sent to me,\n"
    "# or it contains the phrase \"make money fast\", file it to spam.\n"
    "#\n"
    "elsif anyof (NOT address :all :contains\n"
    "               [\"To\", \"Cc\", \"Bcc\"] \"me@example.com\",\n"
    "             header :matches \"subject\"\n"
    "               [\"*make*money*fast*\", \"*university*dipl*mas*\"])\n"
    "        {\n"
    "        fileinto \"spam\";   # move to \"spam\" mailbox\n"
    "        }\n"
    "else\n"
    "        {\n"
    "        # Move all other (non-company) mail to \"personal\"\n"
    "        # mailbox.\n"
    "        fileinto \"personal\";\n"
    "        }\n";

static void
test_rfc5228_example(void)
{
	static const char list[] =
	    "Sender: owner-ietf-mta-filters@imc.org\r\n\r\nx\r\n";
	static const char company[] =
	    "From: boss@example.com\r\nTo: x@y.org\r\n\r\nx\r\n";
	static const char other[] =
	    "From: a@b.org\r\nTo: x@other.org\r\nCc: me@example.com\r\n"
	    "Subject: hi\r\n\r\nx\r\n";
	static const char money[] =
	    "From: a@b.org\r\nTo: me@example.org\r\nCc: me@example.com\r\n"
	    "Subject: make more money fast\r\n\r\nx\r\n";

	TS_EQ(ts_script_rfc9, list, "fileinto filter");
	TS_EQ(ts_script_rfc9, company, "keep");
	TS_EQ(ts_script_rfc9, ts_msg_rfc, "fileinto spam");
	TS_EQ(ts_script_rfc9, ts_msg_me, "keep");
	TS_EQ(ts_script_rfc9, money, "fileinto spam");
	TS_EQ(ts_script_rfc9, other, "fileinto personal");
}

static void
test_implicit_keep(void)
{
	TS_EQ("", ts_msg_rfc, "keep");
	TS_EQ("# nothing\n", ts_msg_rfc, "keep");
	TS_EQ("discard;", ts_msg_rfc, "discard");
	TS_EQ("keep; discard;", ts_msg_rfc, "keep; discard");
	TS_EQ("redirect \"a@example.net\";", ts_msg_rfc,
	    "redirect a@example.net");
	TS_EQ("stop; discard;", ts_msg_rfc, "keep");
	TS_EQ("if false { discard; }", ts_msg_rfc, "keep");
	/* RFC 5228 §4.2: the same redirect twice is done once */
	TS_EQ("redirect \"a@example.net\"; redirect \"A@example.net\";",
	    ts_msg_rfc, "redirect a@example.net");
}

static void
test_tests_basic(void)
{
	TS_EQ("if exists [\"From\",\"Date\"] { discard; }", ts_msg_rfc,
	    "discard");
	TS_EQ("if exists [\"From\",\"X-None\"] { discard; }", ts_msg_rfc,
	    "keep");
	TS_EQ("if size :over 100 { discard; }", ts_msg_rfc, "discard");
	TS_EQ("if size :under 1K { discard; }", ts_msg_rfc, "discard");
	TS_EQ("if size :over 1M { discard; }", ts_msg_rfc, "keep");
	TS_EQ("if not true { discard; }", ts_msg_rfc, "keep");
	TS_EQ("if allof(true, false) { discard; }", ts_msg_rfc, "keep");
	TS_EQ("if anyof(false, true) { discard; }", ts_msg_rfc, "discard");
	TS_EQ("if header :contains \"x-caffeine\" \"n4o\" { discard; }",
	    ts_msg_rfc, "discard");
	TS_EQ("if header :comparator \"i;octet\" :contains \"x-caffeine\" "
	    "\"n4o\" { discard; }", ts_msg_rfc, "keep");
	TS_EQ("if header :is \"Subject\" \"I HAVE A PRESENT FOR YOU\" "
	    "{ discard; }", ts_msg_rfc, "discard");
	TS_EQ("if header :matches \"Subject\" \"I have ? present*\" "
	    "{ discard; }", ts_msg_rfc, "discard");
	TS_EQ("if header :matches \"Subject\" \"*\\\\?*\" { discard; }",
	    ts_msg_rfc, "keep");
	TS_EQ("if header :contains \"Subject\" \"\" { discard; }",
	    ts_msg_rfc, "discard");
}

static void
test_address_parts(void)
{
	TS_EQ("if address :localpart :is \"from\" \"coyote\" { discard; }",
	    ts_msg_rfc, "discard");
	TS_EQ("if address :domain :is \"from\" \"DESERT.example.org\" "
	    "{ discard; }", ts_msg_rfc, "discard");
	TS_EQ("if address :is \"to\" \"other@example.org\" { discard; }",
	    ts_msg_me, "discard");
	TS_EQ("if address :all :is \"from\" \"friend@example.net\" "
	    "{ discard; }", ts_msg_me, "discard");
	/* the display name is not part of the address */
	TS_EQ("if address :contains \"from\" \"Friend <\" { discard; }",
	    ts_msg_me, "keep");
	TS_EQ("require \"envelope\";\n"
	    "if envelope :domain :is \"from\" \"example.org\" { discard; }",
	    ts_msg_rfc, "discard");
	TS_EQ("require \"envelope\";\n"
	    "if envelope :localpart :is \"to\" \"me\" { discard; }",
	    ts_msg_rfc, "discard");
}

static void
test_encoded_character(void)
{
	TS_EQ("require \"encoded-character\";\n"
	    "if header :contains \"Subject\" \"$" "{hex: 70 72 65}sent\" "
	    "{ discard; }", ts_msg_rfc, "discard");
	TS_EQ("require \"encoded-character\";\n"
	    "fileinto \"$" "{unicode:263a}\";", ts_msg_rfc,
	    "compile: 2:1: unknown command \"fileinto\" (missing require "
	    "\"fileinto\")");
	TS_EQ("require [\"encoded-character\", \"fileinto\"];\n"
	    "fileinto \"a$" "{unicode: 263a }b\";", ts_msg_rfc,
	    "fileinto a\xe2\x98\xba" "b");
	/* RFC 5228 §2.4.2.4's own examples */
	TS_EQ("require [\"encoded-character\", \"fileinto\"];\n"
	    "fileinto \"$$" "{hex:40}\"; fileinto \"$" "{hex: 40 }\";\n"
	    "fileinto \"$" "{HEX: 40}\"; fileinto \"$" "{hex:40\";\n"
	    "fileinto \"$" "{hex:400}\"; fileinto \"$" "{hex:4$" "{hex:30}}\";",
	    ts_msg_rfc, "fileinto $@; fileinto @; fileinto ${hex:40; "
	    "fileinto ${hex:400}; fileinto ${hex:40}");
	TS_EQ("require [\"encoded-character\", \"fileinto\"];\n"
	    "fileinto \"a$" "{unicode:D800}\";", ts_msg_rfc,
	    "compile: 2:10: encoded-character: code point out of range");
	/* malformed: left as written */
	TS_EQ("require [\"encoded-character\", \"fileinto\"];\n"
	    "fileinto \"$" "{hex:xyz}\";", ts_msg_rfc, "fileinto ${hex:xyz}");
	/* without the require, nothing is decoded */
	TS_EQ("require \"fileinto\"; fileinto \"$" "{hex:41}\";", ts_msg_rfc,
	    "fileinto ${hex:41}");
}

static void
test_strings(void)
{
	TS_EQ("require \"reject\";\nreject text: # comment\nab\n..c\n.\n;",
	    ts_msg_rfc, "reject \"ab\n.c\n\"");
	TS_EQ("require \"fileinto\";\nfileinto \"a\\\"b\\\\c\\d\";",
	    ts_msg_rfc, "fileinto a\"b\\cd");
	TS_EQ("/* comment */ require /* a\n b */ \"fileinto\"; "
	    "fileinto \"x\"; # end", ts_msg_rfc, "fileinto x");
}

static void
test_errors(void)
{
	TS_EQ("keep", ts_msg_rfc, "compile: 1:5: expected ';' or '{'");
	TS_EQ("if true {\n  keep;\n", ts_msg_rfc,
	    "compile: 3:1: missing '}' before the end");
	TS_EQ("\n  frobnicate;", ts_msg_rfc,
	    "compile: 2:3: unknown command \"frobnicate\"");
	TS_EQ("require \"nosuch\";", ts_msg_rfc,
	    "compile: 1:9: unsupported extension \"nosuch\"");
	TS_EQ("keep;\nrequire \"fileinto\";", ts_msg_rfc,
	    "compile: 2:1: require must come before any other command");
	TS_EQ("if header :frob \"a\" \"b\" { }", ts_msg_rfc,
	    "compile: 1:11: unknown tag :frob for header");
	TS_EQ("if header :is :contains \"a\" \"b\" { }", ts_msg_rfc,
	    "compile: 1:15: conflicting or repeated tag :contains");
	TS_EQ("if header \"a\" { }", ts_msg_rfc,
	    "compile: 1:4: wrong number of arguments for header");
	TS_EQ("if size 10 { }", ts_msg_rfc,
	    "compile: 1:4: wrong number of arguments for size");
	TS_EQ("else { keep; }", ts_msg_rfc,
	    "compile: 1:1: else without a preceding if");
	TS_EQ("if true keep;", ts_msg_rfc,
	    "compile: 1:9: unknown test \"keep\"");
	TS_EQ("if true;", ts_msg_rfc, "compile: 1:1: if needs a block");
	TS_EQ("redirect \"not an address\";", ts_msg_rfc,
	    "compile: 1:10: bad redirect address \"not an address\"");
	TS_EQ("if header :comparator \"i;nope\" \"a\" \"b\" { }", ts_msg_rfc,
	    "compile: 1:23: unknown comparator \"i;nope\"");
	TS_EQ("keep;\n\"x\";", ts_msg_rfc, "compile: 2:1: expected a command");
	TS_EQ("keep; /* open", ts_msg_rfc,
	    "compile: 1:7: unterminated comment");
	TS_EQ("discard \"x;", ts_msg_rfc,
	    "compile: 1:9: unterminated quoted string");
	TS_EQ("if size :over 99999999999999999999 { }", ts_msg_rfc,
	    "compile: 1:15: number too large");
	TS_EQ("keep;\n  \x01", ts_msg_rfc,
	    "compile: 2:3: unexpected character");
	TS_EQ("if allof() { }", ts_msg_rfc, "compile: 1:10: expected a test");
}

static void
test_limits(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_error error;
	struct sieve_script *s;
	struct buf b;
	size_t i;

	/* nesting */
	buf_init(&b);
	for (i = 0; i < 100; i++)
		buf_puts(&b, "if true {");
	s = sieve_compile("deep", b.data, b.len, &lim, &error);
	T_CHECK(s == NULL);
	T_CHECK(strstr(error.err.text, "nesting too deep") != NULL);
	T_EQ_STR(error.script, "deep");
	/* size */
	lim.script_max = 10;
	s = sieve_compile("big", "keep; keep; keep;", 17, &lim, &error);
	T_CHECK(s == NULL);
	T_EQ_INT(error.line, 0);
	T_CHECK(strstr(error.err.text, "too large") != NULL);
	buf_deinit(&b);
	/* redirects */
	TS_EQ("redirect \"a@x.org\"; redirect \"b@x.org\"; "
	    "redirect \"c@x.org\"; redirect \"d@x.org\"; "
	    "redirect \"e@x.org\";", ts_msg_rfc,
	    "run: 1:81: too many redirects (at most 4)");
}

/* A long-running script is stopped by the step limit. */
static void
test_limit_steps(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	struct buf b;
	char *got;
	size_t i;

	lim.steps_max = 1000;
	buf_init(&b);
	for (i = 0; i < 2000; i++)
		buf_puts(&b, "if header :contains \"Subject\" \"x\" { }\n");
	ts_input(&in, ts_msg_rfc);
	got = ts_run_in(b.data, &in, &lim, &res, a);
	T_EQ_STR(got, "run: 501:1: too many steps (at most 1000): the script "
	    "is stopped");
	free(got);
	buf_deinit(&b);
	arena_free(&a);
}

/* Memory and comparison work are bounded too. */
static void
test_limit_work(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	struct buf b, msg;
	char *got;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "require \"variables\";\nset \"a\" \"");
	for (i = 0; i < 4000; i++)
		buf_putc(&b, 'x');
	buf_puts(&b, "\";\n");
	for (i = 0; i < 50; i++)
		buf_puts(&b, "set \"b\" \"${a}\";\n");
	lim.memory_max = 100000;
	ts_input(&in, ts_msg_rfc);
	got = ts_run_in(b.data, &in, &lim, &res, a);
	T_CHECK(strstr(got, "more than 100000 octets of memory") != NULL);
	free(got);
	buf_init(&msg);
	buf_puts(&msg, "Subject: ");
	for (i = 0; i < 500; i++)
		buf_putc(&msg, 'y');
	buf_puts(&msg, "\r\n\r\n");
	lim = sieve_limits_default();
	lim.match_octets_max = 1000;
	ts_input(&in, msg.data);
	got = ts_run_in("if header :contains \"Subject\" [\"a\", \"b\", \"c\"] "
	    "{ }", &in, &lim, &res, a);
	T_EQ_STR(got, "run: 1:4: the script compares more than 1000 octets");
	free(got);
	buf_deinit(&msg);
	buf_deinit(&b);
	arena_free(&a);
}

/* main.cf's sieve_* parameters reach the engine. */
static void
test_conf(void)
{
	static const char text[] =
	    "sieve_max_redirects = 2\nsieve_max_steps = 500\n"
	    "sieve_vacation_min_period = 1d\nrecipient_delimiter = -\n"
	    "sieve_spamtest_status_header = X-Spam\n";
	struct conf *conf = conf_new();
	struct sieve_environment env;
	struct sieve_limits lim;
	struct err err;

	T_EQ_INT(conf_read_text(conf, text, strlen(text), "main.cf", &err), 0);
	T_EQ_INT(conf_finish(conf, NULL, &err), 0);
	lim = sieve_limits_from_conf(conf);
	T_EQ_INT(lim.redirects_max, 2);
	T_EQ_INT(lim.steps_max, 500);
	T_EQ_INT(lim.vacation_min_seconds, 86400);
	T_EQ_INT(lim.script_max, 1024 * 1024);
	memset(&env, 0, sizeof(env));
	sieve_environment_from_conf(&env, conf);
	T_EQ_STR(env.recipient_delimiter, "-");
	T_EQ_STR(env.spam.header, "X-Spam");
	T_CHECK(env.virus.header == NULL);
	conf_free(&conf);
}

static void
test_comparators(void)
{
	TS_EQ("require \"comparator-i;ascii-numeric\";\n"
	    "if header :is :comparator \"i;ascii-numeric\" \"X-N\" \"0042\" "
	    "{ discard; }", "X-N: 42abc\r\n\r\n", "discard");
	TS_EQ("require \"comparator-i;ascii-numeric\";\n"
	    "if header :is :comparator \"i;ascii-numeric\" \"X-N\" \"7\" "
	    "{ discard; }", "X-N: none\r\n\r\n", "keep");
	TS_EQ("require \"comparator-i;ascii-numeric\";\n"
	    "if header :contains :comparator \"i;ascii-numeric\" \"X\" "
	    "\"7\" { }", "\r\n",
	    "compile: 2:4: i;ascii-numeric supports only :is, :value and "
	    ":count");
	TS_EQ("if header :comparator \"i;ascii-numeric\" \"X\" \"7\" { }",
	    "\r\n", "compile: 1:23: unknown comparator \"i;ascii-numeric\"");
}

static void
test_header_decoding(void)
{
	TS_EQ("if header :is \"Subject\" \"caf\xc3\xa9 ok\" { discard; }",
	    "Subject: =?utf-8?q?caf=C3=A9?= ok\r\n\r\n", "discard");
	TS_EQ("if header :is \"Subject\" \"caf\xc3\xa9\" { discard; }",
	    "Subject: =?ISO-8859-1?B?Y2Fm6Q==?=\r\n\r\n", "discard");
	TS_EQ("if header :is \"Subject\" \"ab\" { discard; }",
	    "Subject: =?utf-8?q?a?= =?utf-8?q?b?=\r\n\r\n", "discard");
	TS_EQ("if header :is \"Subject\" \"folded value\" { discard; }",
	    "Subject: folded\r\n value  \r\n\r\n", "discard");
}

T_MAIN(T_CASE(test_rfc5228_example), T_CASE(test_implicit_keep),
    T_CASE(test_tests_basic), T_CASE(test_address_parts),
    T_CASE(test_encoded_character), T_CASE(test_strings),
    T_CASE(test_errors), T_CASE(test_limits), T_CASE(test_limit_steps), T_CASE(test_limit_work), T_CASE(test_conf),
    T_CASE(test_comparators), T_CASE(test_header_decoding))

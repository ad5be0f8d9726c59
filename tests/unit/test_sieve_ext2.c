/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Sieve extensions that reply, include, look at dates,
 * edit the header or need the caller's state: vacation and
 * vacation-seconds, include/return/global, date/currentdate and index,
 * editheader, duplicate, spamtest/spamtestplus/virustest; and the
 * sieve_before / user / sieve_after chain.
 */
#include "test_sieve_util.h"

static const char ts_msg[] =
    "Received: from mx2.example.org by mx.example.com\r\n"
    "Received: from client.example.net by mx2.example.org\r\n"
    "Date: Tue, 24 Nov 2026 10:30:00 -0500\r\n"
    "From: Boss <boss@example.com>\r\n"
    "To: me@example.com\r\n"
    "Subject: cyrus is down\r\n"
    "Message-ID: <42@example.com>\r\n"
    "X-Spam-Score: 6.2\r\n"
    "X-Virus-Score: 0\r\n"
    "\r\n"
    "Body\r\n";

/* RFC 5230 §4 examples and the §4.5/§4.6 rules. */
static void
test_vacation(void)
{
	static const char script[] =
	    "require \"vacation\";\n"
	    "if header :contains \"subject\" \"cyrus\" {\n"
	    "    vacation \"I'm out -- send mail to cyrus-bugs\";\n"
	    "} else {\n"
	    "    vacation \"I'm out -- call me at +1 304 555 0123\";\n"
	    "}\n";

	TS_EQ(script, ts_msg, "vacation to=sender@example.org "
	    "subject=\"Auto: cyrus is down\" seconds=604800; keep");
	TS_EQ("require \"vacation\";\n"
	    "vacation :days 23 :subject \"Gone\" :addresses "
	    "[\"tjs@example.edu\"] \"I'm away\";",
	    "To: tjs@example.edu\r\n\r\n", "vacation to=sender@example.org "
	    "subject=\"Gone\" seconds=1987200; keep");
	TS_EQ("require \"vacation\"; vacation \"x\";",
	    "To: someone@else.org\r\n\r\n", "vacation to=sender@example.org "
	    "subject=\"Automated reply\" seconds=604800 skip=the recipient is "
	    "not in To/Cc; keep");
	TS_EQ("require \"vacation\"; vacation \"x\";",
	    "To: me@example.com\r\nList-Id: <l.example.org>\r\n\r\n",
	    "vacation to=sender@example.org subject=\"Automated reply\" "
	    "seconds=604800 skip=the message comes from a mailing list; keep");
	TS_EQ("require \"vacation\"; vacation \"x\";",
	    "To: me@example.com\r\nAuto-Submitted: auto-replied\r\n\r\n",
	    "vacation to=sender@example.org subject=\"Automated reply\" "
	    "seconds=604800 skip=the message is auto-submitted; keep");
	TS_EQ("require \"vacation\"; vacation \"x\";",
	    "To: me@example.com\r\nPrecedence: bulk\r\n\r\n",
	    "vacation to=sender@example.org subject=\"Automated reply\" "
	    "seconds=604800 skip=the message is bulk mail; keep");
	TS_EQ("require \"vacation\"; vacation \"a\"; vacation \"b\";", ts_msg,
	    "run: 1:35: vacation more than once");
	/* RFC 6131 :seconds, clamped to the site minimum (1 h) */
	TS_EQ("require [\"vacation\", \"vacation-seconds\"];\n"
	    "vacation :seconds 60 \"x\";", ts_msg,
	    "vacation to=sender@example.org subject=\"Auto: cyrus is down\" "
	    "seconds=3600; keep");
	TS_EQ("require \"vacation\"; vacation :from \"Me <me@example.com>\" "
	    "\"x\";", ts_msg, "vacation to=sender@example.org subject=\"Auto: "
	    "cyrus is down\" seconds=604800; keep");
	TS_EQ("require \"vacation\"; vacation :from \"nobody\" \"x\";", ts_msg,
	    "compile: 1:36: bad :from address \"nobody\"");
	TS_EQ("require \"include\"; global \"a\";", ts_msg,
	    "compile: 1:20: global needs require \"variables\"");
	TS_EQ("require \"vacation\"; vacation :seconds 60 \"x\";", ts_msg,
	    "compile: 1:30: unknown tag :seconds for vacation: missing "
	    "require vacation-seconds");
}

static void
test_vacation_sender(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;

	ts_input(&in, ts_msg);
	in.env.from = "owner-list@example.org";
	got = ts_run_in("require \"vacation\"; vacation \"x\";", &in, &lim,
	    &res, a);
	T_CHECK(strstr(got, "skip=the sender is a daemon") != NULL);
	free(got);
	in.env.from = "";
	got = ts_run_in("require \"vacation\"; vacation \"x\";", &in, &lim,
	    &res, a);
	T_CHECK(strstr(got, "skip=null envelope sender") != NULL);
	free(got);
	in.env.from = "sender@example.org";
	got = ts_run_in("require \"vacation\"; vacation :handle \"h1\" "
	    ":from \"me@example.com\" :mime \"Content-Type: text/plain\r\n"
	    "\r\nx\";", &in, &lim, &res, a);
	T_EQ_INT(res.action_count, 2);
	T_EQ_STR(res.actions[0].vacation.handle, "h1");
	T_EQ_STR(res.actions[0].vacation.from, "me@example.com");
	T_CHECK(res.actions[0].vacation.mime);
	T_EQ_STR(res.actions[0].vacation.in_reply_to, "<42@example.com>");
	T_CHECK(res.actions[0].vacation.skip_reason == NULL);
	free(got);
	arena_free(&a);
}

/* Included scripts, looked up by the test's callback. */
struct ts_includes {
	struct sieve_script *personal[4];
	const char *names[4];
	size_t count;
	int fetched;
};

static int
ts_include(void *ctx, enum sieve_location loc, const char *name,
    const struct sieve_script **out, struct err *err)
{
	struct ts_includes *t = ctx;
	size_t i;

	if (strcmp(name, "broken") == 0)
		return err_set(err, ERR_TEMP, "4.3.0", "storage down");
	for (i = 0; i < t->count; i++)
		if (strcmp(t->names[i], name) == 0 &&
		    (loc == SIEVE_LOCATION_PERSONAL) == (name[0] != 'g')) {
			*out = t->personal[i];
			t->fetched++;
			return 1;
		}
	return 0;
}

static void
ts_include_add(struct ts_includes *t, const char *name, const char *text)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_error error;

	t->names[t->count] = name;
	t->personal[t->count] = sieve_compile(name, text, strlen(text), &lim,
	    &error);
	T_CHECK(t->personal[t->count] != NULL);
	t->count++;
}

/* RFC 6609 §3 examples, reduced. */
static void
test_include(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct ts_includes t;
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;
	size_t i;

	memset(&t, 0, sizeof(t));
	ts_include_add(&t, "spam_tests", "require [\"fileinto\", "
	    "\"include\"];\nif header :contains \"subject\" \"cyrus\" "
	    "{ fileinto \"spam\"; return; }\nfileinto \"after-return\";");
	ts_include_add(&t, "gvars", "require [\"include\", \"variables\", "
	    "\"fileinto\"];\nglobal \"test\"; fileinto \"${test}\";");
	ts_include_add(&t, "loop", "require \"include\"; include \"loop\";");
	ts_include_add(&t, "bad", "require \"include\";\n\n  discard;\n"
	    "  redirect \"a@x.org\"; redirect \"b@x.org\"; "
	    "redirect \"c@x.org\"; redirect \"d@x.org\"; "
	    "redirect \"e@x.org\";");
	ts_input(&in, ts_msg);
	in.cb.include_fn = ts_include;
	in.cb.ctx = &t;
	got = ts_run_in("require \"include\";\n"
	    "include :personal \"spam_tests\";\n"
	    "include :once \"spam_tests\";\n"
	    "include :once \"spam_tests\";\n", &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto spam");
	T_EQ_INT(t.fetched, 3);
	free(got);
	got = ts_run_in("require [\"include\", \"variables\"];\n"
	    "global \"test\"; set \"test\" \"from-parent\";\n"
	    "include :global \"gvars\";", &in, &lim, &res, a);
	T_EQ_STR(got, "fileinto from-parent");
	free(got);
	got = ts_run_in("require \"include\";\ninclude \"nosuch\";", &in, &lim,
	    &res, a);
	T_EQ_STR(got, "run: 2:1: include: no personal script \"nosuch\"");
	free(got);
	got = ts_run_in("require \"include\";\ninclude :optional \"nosuch\";",
	    &in, &lim, &res, a);
	T_EQ_STR(got, "keep");
	free(got);
	got = ts_run_in("require \"include\";\ninclude \"loop\";", &in, &lim,
	    &res, a);
	T_EQ_STR(got, "run: loop: 1:20: include \"loop\" includes itself");
	free(got);
	got = ts_run_in("require \"include\";\ninclude \"broken\";", &in,
	    &lim, &res, a);
	T_EQ_STR(got, "run(temp): 2:1: include \"broken\": storage down");
	free(got);
	got = ts_run_in("require \"include\";\ninclude \"bad\";", &in, &lim,
	    &res, a);
	T_EQ_STR(got, "run: bad: 4:83: too many redirects (at most 4)");
	free(got);
	TS_EQ("require \"include\"; include \"a/b\";", ts_msg,
	    "compile: 1:28: bad script name \"a/b\"");
	for (i = 0; i < t.count; i++)
		sieve_script_free(&t.personal[i]);
	arena_free(&a);
}

/* RFC 5260 §4 and §5 examples. */
static void
test_date(void)
{
	TS_EQ("require [\"date\", \"relational\", \"fileinto\"];\n"
	    "if allof(header :contains \"from\" \"boss@example.com\",\n"
	    "         date :value \"ge\" :originalzone \"date\" \"hour\" "
	    "\"09\",\n"
	    "         date :value \"lt\" :originalzone \"date\" \"hour\" "
	    "\"17\")\n"
	    "{ fileinto \"urgent\"; }", ts_msg, "fileinto urgent");
	/* in UTC the message was sent at 15:30 */
	TS_EQ("require [\"date\", \"fileinto\", \"variables\"];\n"
	    "if date :zone \"+0000\" :matches \"date\" \"iso8601\" \"*\" "
	    "{ fileinto \"${0}\"; }", ts_msg,
	    "fileinto 2026-11-24T15:30:00+00:00");
	/* the local zone of the environment is +0100 */
	TS_EQ("require [\"date\", \"fileinto\", \"variables\"];\n"
	    "if date :matches \"date\" \"std11\" \"*\" { fileinto \"${0}\"; }\n"
	    "if date :matches \"date\" \"julian\" \"*\" { fileinto \"${0}\"; }\n"
	    "if date :matches \"date\" \"weekday\" \"*\" "
	    "{ fileinto \"${0}\"; }", ts_msg,
	    "fileinto Tue, 24 Nov 2026 16:30:00 +0100; fileinto 61368; "
	    "fileinto 2");
	TS_EQ("require [\"date\", \"fileinto\", \"variables\"];\n"
	    "if currentdate :matches \"date\" \"*\" { fileinto \"${0}\"; }\n"
	    "if currentdate :zone \"-0800\" :matches \"time\" \"*\" "
	    "{ fileinto \"${0}\"; }\n"
	    "if currentdate :matches \"zone\" \"*\" { fileinto \"${0}\"; }",
	    ts_msg, "fileinto 2026-11-25; fileinto 04:00:00; fileinto +0100");
	TS_EQ("require \"date\";\n"
	    "if date :is \"x-none\" \"year\" \"2026\" { discard; }", ts_msg,
	    "keep");
	TS_EQ("require \"date\";\n"
	    "if date :is \"subject\" \"year\" \"2026\" { discard; }", ts_msg,
	    "keep");
	TS_EQ("require \"date\"; if date \"date\" \"century\" \"x\" { }", ts_msg,
	    "compile: 1:32: unknown date part \"century\"");
}

/* RFC 5260 §6 index. */
static void
test_index(void)
{
	TS_EQ("require \"index\";\n"
	    "if header :index 2 :contains \"received\" \"client.example.net\" "
	    "{ discard; }", ts_msg, "discard");
	TS_EQ("require \"index\";\n"
	    "if header :index 1 :last :contains \"received\" \"client\" "
	    "{ discard; }", ts_msg, "discard");
	TS_EQ("require \"index\";\n"
	    "if header :index 1 :contains \"received\" \"client\" "
	    "{ discard; }", ts_msg, "keep");
	TS_EQ("require \"index\";\n"
	    "if header :index 3 :contains \"received\" \"\" { discard; }",
	    ts_msg, "keep");
	TS_EQ("require \"index\";\n"
	    "if header :last :contains \"received\" \"\" { discard; }",
	    ts_msg, "compile: 2:4: :last needs :index");
}

/* RFC 5293 §8-style edits; later tests see them. */
static void
test_editheader(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;

	ts_input(&in, ts_msg);
	got = ts_run_in("require [\"editheader\", \"index\"];\n"
	    "addheader \"X-Source\" \"mail.example.com\";\n"
	    "addheader :last \"X-Tail\" \"t\";\n"
	    "deleteheader \"X-Spam-Score\";\n"
	    "deleteheader :index 1 :last \"Received\";\n"
	    "addheader \"X-Gone\" \"g\"; deleteheader \"x-gone\";\n"
	    "deleteheader :contains \"Subject\" \"nomatch\";\n"
	    "if allof(header :is \"X-Source\" \"mail.example.com\",\n"
	    "   not exists \"X-Spam-Score\") { discard; }", &in, &lim, &res, a);
	T_EQ_STR(got, "discard");
	T_EQ_INT(res.edit_count, 3);
	if (res.edit_count == 3) {
		T_EQ_INT(res.edits[0].kind, SIEVE_EDIT_ADD);
		T_EQ_STR(res.edits[0].name, "X-Source");
		T_CHECK(!res.edits[0].last);
		T_EQ_INT(res.edits[1].kind, SIEVE_EDIT_ADD);
		T_CHECK(res.edits[1].last);
		T_EQ_INT(res.edits[2].kind, SIEVE_EDIT_DELETE);
		T_EQ_INT(res.edits[2].field, 7);
	}
	free(got);
	arena_free(&a);
	/* RFC 5293: deleteheader's :index needs no require "index" */
	TS_EQ("require \"editheader\";\n"
	    "deleteheader :index 1 :last \"Received\";\n"
	    "deleteheader :index 1 \"X-Virus-Score\";\n"
	    "if not exists \"X-Virus-Score\" { discard; }", ts_msg,
	    "discard");
	TS_EQ("require \"editheader\"; deleteheader :last \"X\";", ts_msg,
	    "compile: 1:23: :last needs :index");
	TS_EQ("require \"editheader\"; addheader \"Bad Name\" \"x\";", ts_msg,
	    "compile: 1:33: bad header field name \"Bad Name\"");
}

static int
ts_dup_seen(void *ctx, const char *id, struct err *err)
{
	(void)ctx;
	(void)err;
	return strcmp(id, "\n<42@example.com>") == 0;
}

/* RFC 7352 §3 examples. */
static void
test_duplicate(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *got;

	ts_input(&in, ts_msg);
	in.cb.duplicate_seen_fn = ts_dup_seen;
	got = ts_run_in("require [\"duplicate\", \"fileinto\", \"mailbox\"];\n"
	    "if duplicate { fileinto :create \"Trash/Duplicate\"; }", &in, &lim,
	    &res, a);
	T_EQ_STR(got, "fileinto Trash/Duplicate :create");
	T_EQ_INT(res.duplicate_count, 0);
	free(got);
	got = ts_run_in("require \"duplicate\";\n"
	    "if duplicate :handle \"h\" :header \"subject\" :seconds 60 "
	    "{ discard; }\n"
	    "if duplicate :handle \"h\" :header \"subject\" { discard; }",
	    &in, &lim, &res, a);
	T_EQ_STR(got, "discard");
	T_EQ_INT(res.duplicate_count, 1);
	if (res.duplicate_count == 1) {
		T_EQ_STR(res.duplicates[0].id, "h\ncyrus is down");
		T_EQ_INT(res.duplicates[0].seconds, 60);
	}
	free(got);
	got = ts_run_in("require \"duplicate\";\n"
	    "if duplicate :last :uniqueid \"<42@example.com>\" { discard; }",
	    &in, &lim, &res, a);
	T_EQ_STR(got, "discard");	/* seen; :last records it again */
	T_EQ_INT(res.duplicate_count, 1);
	free(got);
	arena_free(&a);
}

/* RFC 5235 §5 examples; X-Spam-Score 6.2 of 10 scales to 7. */
static void
test_spamtest(void)
{
	static const char script[] =
	    "require [\"spamtest\", \"fileinto\", \"relational\",\n"
	    "         \"comparator-i;ascii-numeric\"];\n"
	    "if spamtest :value \"eq\" :comparator \"i;ascii-numeric\" \"0\"\n"
	    "{ fileinto \"INBOX.unclassified\"; }\n"
	    "elsif spamtest :value \"ge\" :comparator \"i;ascii-numeric\" "
	    "\"3\"\n{ fileinto \"INBOX.spam-trap\"; }";

	TS_EQ(script, ts_msg, "fileinto INBOX.spam-trap");
	TS_EQ(script, "Subject: x\r\n\r\n", "fileinto INBOX.unclassified");
	TS_EQ("require [\"spamtestplus\", \"relational\", "
	    "\"comparator-i;ascii-numeric\"];\n"
	    "if spamtest :percent :value \"eq\" :comparator "
	    "\"i;ascii-numeric\" \"62\" { discard; }", ts_msg, "discard");
	TS_EQ("require \"spamtest\"; if spamtest :is \"7\" { discard; }",
	    ts_msg, "discard");
	TS_EQ("require [\"virustest\", \"relational\", "
	    "\"comparator-i;ascii-numeric\"];\n"
	    "if virustest :value \"eq\" :comparator \"i;ascii-numeric\" \"1\" "
	    "{ discard; }", ts_msg, "discard");
	TS_EQ("require \"spamtest\"; if spamtest :percent \"7\" { }", ts_msg,
	    "compile: 1:33: unknown tag :percent for spamtest: missing "
	    "require spamtestplus");
}

/* sieve_before, the user's script, sieve_after. */
static void
test_chain(void)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_error error;
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	struct sieve_script *s[3];
	const struct sieve_script *v[3];
	static const char *const text[3] = {
		"require \"imap4flags\"; addflag \"Before\";",
		"require \"fileinto\"; if header :contains \"subject\" \"cyrus\""
		" { fileinto \"Ops\"; }",
		"discard;",
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		s[i] = sieve_compile("s", text[i], strlen(text[i]), &lim,
		    &error);
		v[i] = s[i];
	}
	ts_input(&in, ts_msg);
	T_EQ_INT(sieve_run(v, 3, &in, &lim, a, &res, &error), 0);
	/* the user's fileinto cancelled the keep: sieve_after never ran */
	T_EQ_INT(res.action_count, 1);
	T_EQ_INT(res.actions[0].kind, SIEVE_ACTION_FILEINTO);
	T_EQ_INT(res.actions[0].flag_count, 1);
	in.msg.data = "Subject: other\r\n\r\n";
	in.msg.len = strlen(in.msg.data);
	T_EQ_INT(sieve_run(v, 3, &in, &lim, a, &res, &error), 0);
	T_EQ_INT(res.action_count, 1);
	T_EQ_INT(res.actions[0].kind, SIEVE_ACTION_DISCARD);
	T_EQ_INT(sieve_run(v, 0, &in, &lim, a, &res, &error), 0);
	T_EQ_INT(res.action_count, 1);
	T_CHECK(res.actions[0].implicit);
	for (i = 0; i < 3; i++)
		sieve_script_free(&s[i]);
	arena_free(&a);
}

T_MAIN(T_CASE(test_vacation), T_CASE(test_vacation_sender),
    T_CASE(test_include), T_CASE(test_date), T_CASE(test_index),
    T_CASE(test_editheader), T_CASE(test_duplicate), T_CASE(test_spamtest),
    T_CASE(test_chain))

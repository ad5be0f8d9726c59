/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the IMAP argument parsers: sequence sets, flags, STORE,
 * FETCH items (RFC 3501 §6.4.5 examples), dates and mailbox names.
 */
#include "imap/imap_parse.h"

#include <string.h>

#include "t.h"
#include "test_imap_util.h"

static void
test_seqset(void)
{
	struct arena *a = arena_new();
	struct imap_seqset s;
	struct err err;

	T_EQ_INT(imap_seqset_parse("1,3:5,9:*,*:7", 13, &s, a, &err), 0);
	T_EQ_INT(s.count, 4);
	T_EQ_INT(s.ranges[1].lo, 3);
	T_EQ_INT(s.ranges[1].hi, 5);
	T_EQ_INT(s.ranges[3].lo, 7);
	T_EQ_INT(s.ranges[3].hi, IMAP_SEQ_STAR);
	T_CHECK(imap_seqset_contains(&s, 1, 20));
	T_CHECK(!imap_seqset_contains(&s, 2, 20));
	T_CHECK(imap_seqset_contains(&s, 20, 20));
	T_CHECK(!imap_seqset_contains(&s, 21, 20));
	T_EQ_INT(imap_seqset_parse("5:2", 3, &s, a, &err), 0);
	T_CHECK(imap_seqset_contains(&s, 3, 10));
	/* "4:*" with star 2 is 2:4 (RFC 3501 §6.4.8 example). */
	T_EQ_INT(imap_seqset_parse("4:*", 3, &s, a, &err), 0);
	T_CHECK(imap_seqset_contains(&s, 3, 2));
	T_CHECK(!imap_seqset_contains(&s, 1, 2));
	T_EQ_INT(imap_seqset_parse("$", 1, &s, a, &err), 0);
	T_CHECK(s.saved);
	T_EQ_INT(imap_seqset_parse("4294967294", 10, &s, a, &err), 0);
	T_EQ_INT(imap_seqset_parse("4294967295", 10, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("0", 1, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("", 0, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("1,", 2, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("1::2", 4, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("$,1", 3, &s, a, &err), -1);
	T_EQ_INT(imap_seqset_parse("01", 2, &s, a, &err), -1);
	arena_free(&a);
}

static void
test_store(void)
{
	struct arena *a = arena_new();
	const struct imap_cmd *c;
	struct imap_store st;
	struct err err;

	c = timap_lex("+FLAGS.SILENT (\\Deleted \\seen $Junk $junk)", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), 0);
	T_EQ_INT(st.op, IMAP_STORE_ADD);
	T_CHECK(st.silent);
	T_EQ_INT(st.flags.system, IMAP_FLAG_DELETED | IMAP_FLAG_SEEN);
	T_EQ_INT(st.flags.nkeywords, 1);
	T_EQ_STR(st.flags.keywords[0], "$Junk");
	c = timap_lex("(UNCHANGEDSINCE 320162338) -flags \\Flagged Work", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), 0);
	T_EQ_INT(st.op, IMAP_STORE_REMOVE);
	T_CHECK(st.has_unchangedsince);
	T_EQ_INT(st.unchangedsince, 320162338);
	T_EQ_INT(st.flags.nkeywords, 1);
	c = timap_lex("FLAGS ()", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), 0);
	T_EQ_INT(st.op, IMAP_STORE_REPLACE);
	T_EQ_INT(st.flags.system, 0);
	c = timap_lex("FLAGS (\\Recent)", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), -1);
	c = timap_lex("FLAGS (\\Seen", a);
	T_CHECK(c == NULL);
	c = timap_lex("FLAGS.LOUD (\\Seen)", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), -1);
	c = timap_lex("(UNCHANGEDSINCE) FLAGS (\\Seen)", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), -1);
	c = timap_lex("FLAGS (a]b)", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), -1);
	c = timap_lex("FLAGS", a);
	T_EQ_INT(imap_store_parse(c->args, c->count, &st, a, &err), -1);
	arena_free(&a);
}

/* The reply names of a FETCH, joined by '|', or "ERR". */
static const char *
fetch(const char *args, struct imap_fetch *f, struct arena *a)
{
	const struct imap_cmd *c = timap_lex(args, a);
	struct buf b;
	const char *out;
	size_t i;

	if (c == NULL || imap_fetch_parse(c->args, c->count, f, a, NULL) != 0)
		return "ERR";
	buf_init(&b);
	for (i = 0; i < f->count; i++)
		buf_printf(
		    &b, "%s%s", i > 0 ? "|" : "", f->items[i].reply_name);
	out = arena_strdup(a, b.data);
	buf_deinit(&b);
	return out;
}

static void
test_fetch(void)
{
	struct arena *a = arena_new();
	struct imap_fetch f;

	T_EQ_STR(fetch("FAST", &f, a), "FLAGS|INTERNALDATE|RFC822.SIZE");
	T_EQ_STR(
	    fetch("all", &f, a), "FLAGS|INTERNALDATE|RFC822.SIZE|ENVELOPE");
	T_EQ_STR(fetch("FULL", &f, a),
	    "FLAGS|INTERNALDATE|RFC822.SIZE|ENVELOPE|BODY");
	T_EQ_INT(f.items[4].kind, IMAP_FETCH_BODY_STRUCT);
	T_EQ_STR(fetch("(FLAGS BODY[HEADER.FIELDS (DATE FROM)])", &f, a),
	    "FLAGS|BODY[HEADER.FIELDS (DATE FROM)]");
	T_EQ_INT(f.items[1].section.kind, MIME_SECTION_HEADER_FIELDS);
	T_EQ_INT(f.items[1].section.nfields, 2);
	T_EQ_STR(f.items[1].section.fields[1], "FROM");
	T_CHECK(f.sets_seen);
	T_EQ_STR(fetch("(uid body.peek[1.2.MIME] BINARY.PEEK[3]<5.10>)", &f, a),
	    "UID|BODY[1.2.MIME]|BINARY[3]<5>");
	T_CHECK(!f.sets_seen);
	T_EQ_INT(f.items[1].section.depth, 2);
	T_EQ_INT(f.items[1].section.part[1], 2);
	T_EQ_INT(f.items[2].partial_origin, 5);
	T_EQ_INT(f.items[2].partial_octets, 10);
	T_EQ_STR(fetch("BODY[]<0.2048>", &f, a), "BODY[]<0>");
	T_EQ_STR(fetch("(RFC822.HEADER RFC822.TEXT RFC822 RFC822.SIZE "
	               "BODYSTRUCTURE ENVELOPE INTERNALDATE FLAGS FLAGS "
	               "BINARY.SIZE[1] MODSEQ)",
	             &f, a),
	    "RFC822.HEADER|RFC822.TEXT|RFC822|RFC822.SIZE|BODYSTRUCTURE|"
	    "ENVELOPE|INTERNALDATE|FLAGS|BINARY.SIZE[1]|MODSEQ");
	T_EQ_STR(fetch("(FLAGS) (CHANGEDSINCE 12345 VANISHED)", &f, a),
	    "FLAGS|MODSEQ");
	T_CHECK(f.has_changedsince && f.vanished);
	T_EQ_INT(f.changedsince, 12345);
	T_EQ_STR(fetch("BODY[\"x\"]", &f, a), "ERR");
	T_EQ_STR(fetch("(FLAGS) (VANISHED)", &f, a), "ERR");
	T_EQ_STR(fetch("(ALL)", &f, a), "ERR");
	T_EQ_STR(fetch("()", &f, a), "ERR");
	T_EQ_STR(fetch("((FLAGS))", &f, a), "ERR");
	T_EQ_STR(fetch("BODY.PEEK", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[MIME]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[0]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[1.]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[1x]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[]<5>", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[]<5.0>", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[HEADER.FIELDS ()]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[HEADER.FIELDS]", &f, a), "ERR");
	T_EQ_STR(fetch("BINARY[TEXT]", &f, a), "ERR");
	T_EQ_STR(fetch("BINARY.SIZE[1]<0.1>", &f, a), "ERR");
	T_EQ_STR(fetch("FLAGS[1]", &f, a), "ERR");
	T_EQ_STR(fetch("BODY[TEXT] junk", &f, a), "ERR");
	arena_free(&a);
}

static void
test_dates(void)
{
	struct imap_date d;
	struct buf b;
	time_t t;
	int tz;

	T_EQ_INT(imap_date_parse("1-Feb-1994", 10, &d, NULL), 0);
	T_EQ_INT(d.day, 1);
	T_EQ_INT(d.month, 2);
	T_EQ_INT(d.year, 1994);
	T_EQ_INT(imap_date_days(&d), 8797);
	T_EQ_INT(imap_date_parse("29-feb-2000", 11, &d, NULL), 0);
	T_EQ_INT(imap_date_parse("29-Feb-1900", 11, &d, NULL), -1);
	T_EQ_INT(imap_date_parse("31-Apr-2000", 11, &d, NULL), -1);
	T_EQ_INT(imap_date_parse("1-Foo-1994", 10, &d, NULL), -1);
	T_EQ_INT(imap_date_parse("123-Feb-1994", 12, &d, NULL), -1);
	T_EQ_INT(imap_date_parse("1-Feb-94", 8, &d, NULL), -1);
	T_EQ_INT(imap_date_parse("", 0, &d, NULL), -1);
	T_EQ_INT(imap_datetime_parse(
	             "17-Jul-1996 02:44:25 -0700", 26, &t, &tz, NULL),
	    0);
	T_EQ_INT(t, 837596665);
	T_EQ_INT(tz, -420);
	T_EQ_INT(imap_datetime_parse(
	             " 7-Jul-1996 02:44:25 +0130", 26, &t, &tz, NULL),
	    0);
	T_EQ_INT(tz, 90);
	T_EQ_INT(imap_datetime_parse(
	             "17-Jul-1996 24:44:25 -0700", 26, &t, &tz, NULL),
	    -1);
	T_EQ_INT(
	    imap_datetime_parse("17-Jul-1996 02:44:25 0700", 25, &t, &tz, NULL),
	    -1);
	buf_init(&b);
	imap_datetime_write(&b, 837596665, -420);
	T_EQ_STR(b.data, "\"17-Jul-1996 02:44:25 -0700\"");
	buf_reset(&b);
	imap_datetime_write(&b, 0, 0);
	T_EQ_STR(b.data, "\"01-Jan-1970 00:00:00 +0000\"");
	buf_deinit(&b);
}

static void
check_mailbox(const char *in, bool utf8, const char *want)
{
	struct buf b;
	struct err err;
	int rc;

	buf_init(&b);
	rc = imap_mailbox_decode(in, strlen(in), utf8, &b, &err);
	T_EQ_STR(rc == 0 ? b.data : "ERR", want);
	if (rc == 0 && !utf8) {
		/* Encoding back gives the client's name (unless INBOX). */
		struct buf back;

		buf_init(&back);
		T_EQ_INT(imap_mailbox_encode(b.data, b.len, &back), 0);
		if (strcmp(want, "INBOX") != 0)
			T_EQ_STR(back.data, in);
		buf_deinit(&back);
	} else if (rc != 0) {
		T_EQ_STR(err.dsn, "CANNOT");
	}
	buf_deinit(&b);
}

static void
test_mailbox_names(void)
{
	/* RFC 3501 §5.1.3 example. */
	check_mailbox("~peter/mail/&U,BTFw-/&ZeVnLIqe-", false,
	    "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac"
	    "\xe8\xaa\x9e");
	check_mailbox("A&-B", false, "A&B");
	check_mailbox("inBox", false, "INBOX");
	check_mailbox("Sent", false, "Sent");
	check_mailbox("&2D3eAA-", false, "\xf0\x9f\x98\x80");
	check_mailbox("Caf\xc3\xa9", true, "Caf\xc3\xa9");
	check_mailbox("Caf&AOk-", true, "Caf&AOk-");
	check_mailbox("Caf\xc3\xa9", false, "ERR");
	check_mailbox("Caf\xc3", true, "ERR");
	check_mailbox("&", false, "ERR");
	check_mailbox("&U,BTFw", false, "ERR");
	check_mailbox("&AEE-", false, "ERR"); /* "A" must not be encoded */
	check_mailbox("&2D0-", false, "ERR"); /* lone surrogate */
	check_mailbox("&U,BTF2-", false, "ERR"); /* non-zero pad bits */
	check_mailbox("&AA0-", false, "ERR"); /* encoded CR */
	check_mailbox("a\tb", false, "ERR");
	check_mailbox("a/../b", false, "ERR");
	check_mailbox("..", false, "ERR");
	check_mailbox("a/.", false, "ERR");
	check_mailbox("/etc", false, "ERR");
	check_mailbox("", false, "ERR");
	check_mailbox("a\xc2\x85", true, "ERR");
	check_mailbox("a..b/.c", false, "a..b/.c");
}

T_MAIN(T_CASE(test_seqset), T_CASE(test_store), T_CASE(test_fetch),
    T_CASE(test_dates), T_CASE(test_mailbox_names))

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the SEARCH, SORT and THREAD parsers: each program is
 * parsed and its tree printed in a compact form; RFC 3501 §6.4.4 and
 * RFC 5256 examples, limits and charsets.
 */
#include "imap/imap_search.h"

#include <string.h>

#include "t.h"
#include "test_imap_util.h"

static const struct imap_search_limits slim = {.depth_max = 10, .keys_max = 40};

static void
render(struct buf *b, const struct imap_search_node *n)
{
	static const char *const names[] = {"?", "AND", "OR", "NOT", "ALL",
	    "SEQ", "UID", "FLAG", "NEW", "OLD", "KW", "HDR", "BODY", "TEXT",
	    "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE",
	    "LARGER", "SMALLER", "MODSEQ", "OLDER", "YOUNGER"};
	const struct imap_search_node *c;

	buf_puts(b, names[n->kind]);
	switch (n->kind) {
	case IMAP_SEARCH_AND:
	case IMAP_SEARCH_OR:
	case IMAP_SEARCH_NOT:
		buf_putc(b, '(');
		for (c = n->children; c != NULL; c = c->next) {
			render(b, c);
			if (c->next != NULL)
				buf_putc(b, ' ');
		}
		buf_putc(b, ')');
		break;
	case IMAP_SEARCH_FLAG:
		buf_printf(b, "%u", n->flag);
		break;
	case IMAP_SEARCH_SEQSET:
	case IMAP_SEARCH_UID:
		buf_printf(b, "%s%zu", n->set.saved ? "$" : "", n->set.count);
		break;
	case IMAP_SEARCH_HEADER:
		buf_printf(b, "<%s>", n->field);
		/* fall through */
	case IMAP_SEARCH_KEYWORD:
	case IMAP_SEARCH_BODY:
	case IMAP_SEARCH_TEXT:
		buf_printf(b, ":%s", n->str);
		break;
	case IMAP_SEARCH_BEFORE:
	case IMAP_SEARCH_ON:
	case IMAP_SEARCH_SINCE:
	case IMAP_SEARCH_SENTBEFORE:
	case IMAP_SEARCH_SENTON:
	case IMAP_SEARCH_SENTSINCE:
		buf_printf(
		    b, ":%d-%d-%d", n->date.year, n->date.month, n->date.day);
		break;
	case IMAP_SEARCH_MODSEQ:
		if (n->modseq_entry != NULL)
			buf_printf(
			    b, "<%s %s>", n->modseq_entry, n->modseq_type);
		/* fall through */
	case IMAP_SEARCH_LARGER:
	case IMAP_SEARCH_SMALLER:
	case IMAP_SEARCH_OLDER:
	case IMAP_SEARCH_YOUNGER:
		buf_printf(b, ":%llu", (unsigned long long)n->num);
		break;
	default:
		break;
	}
}

/* The tree, or "ERR <dsn>" for a refused program. */
static const char *
search(const char *args, struct imap_search *s, struct arena *a)
{
	struct imap_parser p;
	const struct imap_cmd *c;
	struct err err = {0};
	struct buf b;
	const char *out;

	imap_parse_init(&p, &timap_lim);
	c = timap_lex_with(&p, args, a);
	if (imap_search_parse(c->args, c->count, &slim, s, a, &err) != 0) {
		imap_parse_deinit(&p);
		return arena_printf(a, "ERR %s", err.dsn);
	}
	buf_init(&b);
	render(&b, s->root);
	out = arena_strdup(a, b.data);
	buf_deinit(&b);
	imap_parse_deinit(&p);
	return out;
}

static void
test_rfc3501_examples(void)
{
	struct arena *a = arena_new();
	struct imap_search s;

	T_EQ_STR(search("FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", &s, a),
	    "AND(FLAG4 SINCE:1994-2-1 NOT(HDR<From>:Smith))");
	T_EQ_STR(search("TEXT \"string not in mailbox\"", &s, a),
	    "AND(TEXT:string not in mailbox)");
	T_EQ_STR(
	    search("CHARSET UTF-8 TEXT {4}\r\nXXXX", &s, a), "AND(TEXT:XXXX)");
	T_CHECK(s.utf8);
	T_EQ_STR(search("OR (DELETED SEEN) 1:5,7 UNKEYWORD $Junk", &s, a),
	    "AND(OR(AND(FLAG8 FLAG1) SEQ2) NOT(KW:$Junk))");
	arena_free(&a);
}

static void
test_all_keys(void)
{
	struct arena *a = arena_new();
	struct imap_search s;

	T_EQ_STR(search("ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT "
	                "SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN",
	             &s, a),
	    "AND(ALL FLAG2 FLAG8 FLAG16 FLAG4 NEW OLD FLAG32 FLAG1 NOT(FLAG2) "
	    "NOT(FLAG8) NOT(FLAG16) NOT(FLAG4) NOT(FLAG1))");
	T_EQ_STR(search("BCC a CC b FROM c SUBJECT d TO e HEADER X-Y \"\" "
	                "BODY f KEYWORD g",
	             &s, a),
	    "AND(HDR<Bcc>:a HDR<Cc>:b HDR<From>:c HDR<Subject>:d HDR<To>:e "
	    "HDR<X-Y>: BODY:f KW:g)");
	T_EQ_STR(search("BEFORE 1-Jan-2000 ON \"2-Feb-2001\" SENTBEFORE "
	                "3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004",
	             &s, a),
	    "AND(BEFORE:2000-1-1 ON:2001-2-2 SENTBEFORE:2002-3-3 "
	    "SENTON:2003-4-4 SENTSINCE:2004-5-5)");
	T_EQ_STR(
	    search("LARGER 100 SMALLER 2000 UID 1:* OLDER 60 YOUNGER 5", &s, a),
	    "AND(LARGER:100 SMALLER:2000 UID1 OLDER:60 YOUNGER:5)");
	T_EQ_STR(
	    search("MODSEQ \"/flags/\\\\draft\" all 620162338 UID $", &s, a),
	    "AND(MODSEQ</flags/\\draft all>:620162338 UID$0)");
	T_CHECK(s.uses_modseq && s.uses_saved);
	T_EQ_STR(search("modseq 5 $", &s, a), "AND(MODSEQ:5 SEQ$0)");
	arena_free(&a);
}

static void
test_return_and_charset(void)
{
	struct arena *a = arena_new();
	struct imap_search s;

	T_EQ_STR(search("RETURN (MIN COUNT) UNSEEN", &s, a), "AND(NOT(FLAG1))");
	T_CHECK(s.has_return);
	T_EQ_INT(s.ret, IMAP_SEARCH_RET_MIN | IMAP_SEARCH_RET_COUNT);
	T_EQ_STR(search("RETURN () ALL", &s, a), "AND(ALL)");
	T_EQ_INT(s.ret, IMAP_SEARCH_RET_ALL);
	T_EQ_STR(
	    search("RETURN (SAVE) CHARSET us-ascii ALL", &s, a), "AND(ALL)");
	T_CHECK(!s.utf8);
	T_EQ_STR(search("CHARSET ISO-8859-1 ALL", &s, a), "ERR BADCHARSET");
	T_EQ_STR(search("RETURN (BOGUS) ALL", &s, a), "ERR ");
	arena_free(&a);
}

static void
test_errors_and_limits(void)
{
	struct arena *a = arena_new();
	struct imap_search s;

	T_EQ_STR(search("BOGUS", &s, a), "ERR ");
	T_EQ_STR(search("FROM", &s, a), "ERR ");
	T_EQ_STR(search("OR SEEN", &s, a), "ERR ");
	T_EQ_STR(search("NOT", &s, a), "ERR ");
	T_EQ_STR(search("()", &s, a), "ERR ");
	T_EQ_STR(search("SINCE 1-Feb-94", &s, a), "ERR ");
	T_EQ_STR(search("LARGER x", &s, a), "ERR ");
	T_EQ_STR(search("OLDER 0", &s, a), "ERR ");
	T_EQ_STR(search("UID (1)", &s, a), "ERR ");
	T_EQ_STR(search("\"ALL\"", &s, a), "ERR ");
	T_EQ_STR(search("MODSEQ \"/flags/x\" bogus 5", &s, a), "ERR ");
	T_EQ_STR(search("CHARSET", &s, a), "ERR ");
	T_EQ_STR(
	    search("NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT ALL", &s, a),
	    "ERR LIMIT");
	T_EQ_STR(search("((((((((((ALL))))))))))", &s, a), "ERR LIMIT");
	T_EQ_STR(search("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
	                "21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 "
	                "38 39 40",
	             &s, a),
	    "ERR LIMIT");
	arena_free(&a);
}

static void
test_sort_thread(void)
{
	struct arena *a = arena_new();
	const struct imap_cmd *c;
	struct imap_sort so;
	struct imap_thread th;
	struct err err;

	/* RFC 5256 §3 example. */
	c = timap_lex("(SUBJECT) UTF-8 SINCE 1-Feb-1994", a);
	T_EQ_INT(imap_sort_parse(c->args, c->count, &slim, &so, a, &err), 0);
	T_EQ_INT(so.ncrit, 1);
	T_EQ_INT(so.crit[0].key, IMAP_SORT_SUBJECT);
	T_CHECK(so.search.utf8);
	c = timap_lex(
	    "RETURN (COUNT) (REVERSE DATE arrival DISPLAYFROM) US-ASCII "
	    "ALL",
	    a);
	T_EQ_INT(imap_sort_parse(c->args, c->count, &slim, &so, a, &err), 0);
	T_EQ_INT(so.ncrit, 3);
	T_CHECK(so.crit[0].reverse && !so.crit[1].reverse);
	T_EQ_INT(so.crit[2].key, IMAP_SORT_DISPLAYFROM);
	T_CHECK(so.search.has_return);
	T_EQ_INT(so.search.ret, IMAP_SEARCH_RET_COUNT);
	c = timap_lex("(REVERSE) UTF-8 ALL", a);
	T_EQ_INT(imap_sort_parse(c->args, c->count, &slim, &so, a, &err), -1);
	c = timap_lex("(DATE) KOI8-R ALL", a);
	T_EQ_INT(imap_sort_parse(c->args, c->count, &slim, &so, a, &err), -1);
	T_EQ_STR(err.dsn, "BADCHARSET");
	c = timap_lex("(DATE) ALL", a);
	T_EQ_INT(imap_sort_parse(c->args, c->count, &slim, &so, a, &err), -1);
	c = timap_lex("REFERENCES UTF-8 SINCE 5-MAR-2000", a);
	T_EQ_INT(imap_thread_parse(c->args, c->count, &slim, &th, a, &err), 0);
	T_EQ_INT(th.alg, IMAP_THREAD_REFERENCES);
	c = timap_lex("orderedsubject us-ascii ALL", a);
	T_EQ_INT(imap_thread_parse(c->args, c->count, &slim, &th, a, &err), 0);
	T_EQ_INT(th.alg, IMAP_THREAD_ORDEREDSUBJECT);
	c = timap_lex("BOGUS UTF-8 ALL", a);
	T_EQ_INT(imap_thread_parse(c->args, c->count, &slim, &th, a, &err), -1);
	arena_free(&a);
}

T_MAIN(T_CASE(test_rfc3501_examples), T_CASE(test_all_keys),
    T_CASE(test_return_and_charset), T_CASE(test_errors_and_limits),
    T_CASE(test_sort_thread))

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the IMAP command reader and tokeniser: command streams
 * are fed whole, split at every position and one byte at a time, and
 * the event transcripts must be identical; then literal limits, raw
 * lines and syntax errors.
 */
#include "imap/imap_parse.h"

#include <string.h>

#include "t.h"

static const struct imap_parse_limits lim = {
    .line_max = 200,
    .literal_max = 1000,
    .nonsync_max = 20,
    .command_max = 2000,
    .depth_max = 4,
    .args_max = 50,
};

static void
render_args(struct buf *t, const struct imap_arg *args, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct imap_arg *a = &args[i];

		if (i > 0)
			buf_putc(t, ' ');
		switch (a->type) {
		case IMAP_ARG_ATOM:
		case IMAP_ARG_NIL:
			buf_printf(t, "%s%s",
			    a->type == IMAP_ARG_NIL ? "~" : "", a->str);
			break;
		case IMAP_ARG_QUOTED:
			buf_printf(t, "q<%s>", a->str);
			break;
		case IMAP_ARG_LITERAL:
			buf_printf(t, "%sl<", a->literal8 ? "8" : "");
			buf_append(t, a->str, a->len);
			T_CHECK(a->str[a->len] == '\0');
			buf_putc(t, '>');
			break;
		case IMAP_ARG_LIST:
			buf_putc(t, '(');
			render_args(t, a->list, a->count);
			buf_putc(t, ')');
			break;
		}
	}
}

static void
render_event(struct imap_parser *p, const struct imap_parse_event *ev,
    const struct err *err, struct buf *t)
{
	switch (ev->status) {
	case IMAP_PARSE_LITERAL:
		buf_printf(t, "L%llu\n", (unsigned long long)ev->literal_size);
		break;
	case IMAP_PARSE_COMMAND:
		buf_printf(t, "C %s %s: ", ev->cmd.tag, ev->cmd.name);
		render_args(t, ev->cmd.args, ev->cmd.count);
		buf_putc(t, '\n');
		if (strcmp(ev->cmd.name, "AUTHENTICATE") == 0)
			imap_parse_want_line(p);
		break;
	case IMAP_PARSE_LINE:
		buf_printf(t, "R<%s>\n", ev->line);
		break;
	case IMAP_PARSE_ERROR:
		buf_printf(t, "E %s [%s]%s\n", ev->tag ? ev->tag : "*",
		    err->dsn, ev->fatal ? " fatal" : "");
		break;
	case IMAP_PARSE_MORE:
		break;
	}
}

/* Feed in: a first chunk of split bytes, then chunks of step bytes. */
static void
transcript(const char *in, size_t len, size_t split, size_t step, struct buf *t)
{
	struct imap_parser p;
	struct arena *a = arena_new();
	size_t pos = 0;

	imap_parse_init(&p, &lim);
	while (pos < len) {
		size_t n = pos == 0 && split > 0 ? split : step, used;

		n = n < len - pos ? n : len - pos;
		while (n > 0) {
			struct imap_parse_event ev;
			struct err err = {0};
			enum imap_parse_status st = imap_parse_feed(
			    &p, in + pos, n, &used, a, &ev, &err);

			T_CHECK(used <= n);
			T_EQ_INT(ev.status, st);
			render_event(&p, &ev, &err, t);
			pos += used;
			n -= used;
			if (st == IMAP_PARSE_ERROR && ev.fatal)
				goto out;
			if (st == IMAP_PARSE_MORE)
				T_EQ_INT(n, 0);
		}
	}
out:
	imap_parse_deinit(&p);
	arena_free(&a);
}

static void
check_stream(const char *in, const char *want)
{
	size_t len = strlen(in), split;
	struct buf whole, t;

	buf_init(&whole);
	buf_init(&t);
	transcript(in, len, 0, len, &whole);
	T_EQ_STR(whole.data, want);
	for (split = 1; split < len; split++) {
		buf_reset(&t);
		transcript(in, len, split, len, &t);
		if (!T_EQ_STR(t.data, whole.data))
			break;
	}
	buf_reset(&t);
	transcript(in, len, 0, 1, &t);
	T_EQ_STR(t.data, whole.data);
	buf_deinit(&t);
	buf_deinit(&whole);
}

static void
test_commands(void)
{
	check_stream("a1 NOOP\r\n"
	             "a2 login {4}\r\nuser {4+}\r\npass\r\n"
	             "a3 UID FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From "
	             "To)]<0.100>)\r\n"
	             "a4 SELECT \"a \\\"b\\\\\" nil NIL ~{2}\r\nxy\r\n"
	             "a5 APPEND INBOX (\\Seen) {0}\r\n\r\n",
	    "C a1 NOOP: \n"
	    "L4\n"
	    "C a2 LOGIN: l<user> l<pass>\n"
	    "C a3 UID: FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From "
	    "To)]<0.100>)\n"
	    "L2\n"
	    "C a4 SELECT: q<a \"b\\> ~nil ~NIL 8l<xy>\n"
	    "L0\n"
	    "C a5 APPEND: INBOX (\\Seen) l<>\n");
}

static void
test_raw_line(void)
{
	check_stream("a AUTHENTICATE PLAIN\r\ndGVzdA==\r\nb NOOP\n",
	    "C a AUTHENTICATE: PLAIN\n"
	    "R<dGVzdA==>\n"
	    "C b NOOP: \n");
}

static void
test_syntax_errors(void)
{
	check_stream("\r\n"
	             "a\r\n"
	             "+x NOOP\r\n"
	             "b NOOP (\r\n"
	             "c NOOP )\r\n"
	             "d NOOP \"abc\r\n"
	             "e NOOP ((((((x))))))\r\n"
	             "f NOOP a\"b\r\n"
	             "g NOOP {3}x\r\n"
	             "h NOOP x\ry\r\n"
	             "i NOOP \"a\\x\"\r\n"
	             "j NOOP [a\r\n"
	             "k OK\r\n",
	    "E * []\n"
	    "E * []\n"
	    "E * []\n"
	    "E b []\n"
	    "E c []\n"
	    "E d []\n"
	    "E e [LIMIT]\n"
	    "E f []\n"
	    "E g []\n"
	    "E h []\n"
	    "E i []\n"
	    "E j []\n"
	    "C k OK: \n");
}

static void
test_literal_limits(void)
{
	/* A refused synchronising literal: the client sends nothing. */
	check_stream(
	    "a APPEND x {1001}\r\nb NOOP\r\n", "E a [TOOBIG]\nC b NOOP: \n");
	check_stream("a APPEND x {99999999999999999999}\r\nb NOOP\r\n",
	    "E a [TOOBIG]\nC b NOOP: \n");
	/* LITERAL-: a {n+} over nonsync_max cannot be resynchronised. */
	check_stream("a APPEND x {21+}\r\n123456789012345678901\r\nb NOOP\r\n",
	    "E a [TOOBIG] fatal\n");
	check_stream("a APPEND x {20+}\r\n12345678901234567890\r\nb NOOP\r\n",
	    "C a APPEND: x l<12345678901234567890>\nC b NOOP: \n");
}

static void
test_line_limits(void)
{
	char line[300];

	memset(line, 'x', sizeof(line));
	memcpy(line, "a NOOP ", 7);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	check_stream(line, "E a [TOOBIG] fatal\n");
}

static void
test_abort(void)
{
	struct imap_parser p;
	struct imap_parse_event ev;
	struct arena *a = arena_new();
	const char *in = "a LOGIN {5}\r\nb NOOP\r\n";
	size_t used;

	imap_parse_init(&p, &lim);
	T_EQ_INT(imap_parse_feed(&p, in, strlen(in), &used, a, &ev, NULL),
	    IMAP_PARSE_LITERAL);
	T_EQ_INT(used, 13);
	imap_parse_abort(&p);
	T_EQ_INT(imap_parse_feed(
	             &p, in + used, strlen(in) - used, &used, a, &ev, NULL),
	    IMAP_PARSE_COMMAND);
	T_EQ_STR(ev.cmd.tag, "b");
	imap_parse_deinit(&p);
	arena_free(&a);
}

T_MAIN(T_CASE(test_commands), T_CASE(test_raw_line), T_CASE(test_syntax_errors),
    T_CASE(test_literal_limits), T_CASE(test_line_limits), T_CASE(test_abort))

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/msg/header: every message is fed whole, split at
 * every position, and one byte at a time; the event transcripts must be
 * identical (body bytes compared as one concatenation).
 */
#include "msg/header.h"

#include <string.h>

#include "t.h"

static const struct header_limits lim_default = {
    .line_max = 998,
    .count_max = 100,
    .size_max = 100000,
};

/*
 * Run the parser over in, fed as a first chunk of split bytes and then
 * chunks of step bytes; write a transcript to t:
 *   F<name>|<value>|<raw>\n   for each field
 *   E<malformed><eof>\n       for the end of the header section
 *   B<body>                   all body bytes, at the end
 *   X<error text>             when header_next failed
 */
static void
transcript(const char *in, size_t len, const struct header_limits *lim,
    size_t split, size_t step, struct buf *t)
{
	struct header_parser p;
	struct header_event ev;
	struct buf body;
	struct err err;
	size_t pos = 0, n;
	int rc;

	buf_init(&body);
	header_init(&p, lim);
	for (;;) {
		if (pos < len) {
			n = pos == 0 && split > 0 ? split : step;
			n = n < len - pos ? n : len - pos;
			header_feed(&p, in + pos, n);
			pos += n;
		} else {
			header_finish(&p);
		}
		while ((rc = header_next(&p, &ev, &err)) == 1) {
			if (ev.kind == HEADER_EV_FIELD) {
				buf_putc(t, 'F');
				buf_append(t, ev.name, ev.name_len);
				buf_putc(t, '|');
				buf_append(t, ev.value, ev.value_len);
				T_CHECK(ev.value[ev.value_len] == '\0');
				buf_putc(t, '|');
				buf_append(t, ev.raw, ev.raw_len);
				buf_putc(t, '\n');
			} else if (ev.kind == HEADER_EV_END) {
				buf_printf(t, "E%d%d\n", ev.malformed, ev.eof);
			} else {
				buf_append(&body, ev.raw, ev.raw_len);
			}
		}
		if (rc < 0) {
			buf_printf(t, "X%s", err.text);
			break;
		}
		if (p.finished)
			break;
	}
	/* Failures are sticky. */
	if (rc < 0)
		T_EQ_INT(header_next(&p, &ev, &err), -1);
	buf_putc(t, 'B');
	buf_append(t, body.data, body.len);
	header_deinit(&p);
	buf_deinit(&body);
}

/* The transcript for in, checked to be the same at every chunking. */
static bool
same_buf(const struct buf *a, const char *b, size_t blen)
{
	return a->len == blen && memcmp(a->data, b, blen) == 0;
}

static void
check_bin(const char *in, size_t len, const struct header_limits *lim,
    const char *want, size_t want_len)
{
	struct buf whole, other;
	size_t k;

	buf_init(&whole);
	transcript(in, len, lim, 0, len > 0 ? len : 1, &whole);
	if (!T_CHECK(same_buf(&whole, want, want_len)))
		fprintf(stderr, "  input: %s\n  got: %s\n  want: %s\n", in,
		    whole.data, want);
	for (k = 1; k < len; k++) {
		buf_init(&other);
		transcript(in, len, lim, k, len, &other);
		if (!T_CHECK(same_buf(&other, whole.data, whole.len)))
			fprintf(stderr, "  split at %zu: %s\n", k, other.data);
		buf_deinit(&other);
	}
	buf_init(&other);
	transcript(in, len, lim, 0, 1, &other);
	T_CHECK(same_buf(&other, whole.data, whole.len));
	buf_deinit(&other);
	buf_deinit(&whole);
}

static void
check_all_ways(const char *in, size_t len, const struct header_limits *lim,
    const char *want)
{
	check_bin(in, len, lim, want, strlen(want));
}

struct header_case {
	const char *in;
	const char *want;
};

static const struct header_case header_cases[] = {
    {"Subject: hello\r\nTo: a@b\r\n\r\nbody\r\n",
        "FSubject|hello|Subject: hello\r\n\nFTo|a@b|To: a@b\r\n\nE00\n"
        "Bbody\r\n"},
    {"Subject: a\r\n b\r\n\tc\r\nX: y\r\n\r\n",
        "FSubject|a b\tc|Subject: a\r\n b\r\n\tc\r\n\nFX|y|X: y\r\n\nE00\nB"},
    {"Subject:\r\n  folded start\r\n\r\n",
        "FSubject|folded start|Subject:\r\n  folded start\r\n\nE00\nB"},
    {"A: 1\nB: 2\n\nbody\nmore", "FA|1|A: 1\n\nFB|2|B: 2\n\nE00\nBbody\nmore"},
    {"A: 1\r\nthis is body\r\nmore\r\n",
        "FA|1|A: 1\r\n\nE10\nBthis is body\r\nmore\r\n"},
    {" x\r\nA: 1\r\n", "E10\nB x\r\nA: 1\r\n"},
    {"hello\r\nA: b\r\n", "E10\nBhello\r\nA: b\r\n"},
    {"From someone Mon Jan  1\r\nA: b\r\n",
        "E10\nBFrom someone Mon Jan  1\r\nA: b\r\n"},
    {"A: 1\r\nB: 2", "FA|1|A: 1\r\n\nFB|2|B: 2\nE01\nB"},
    {"A: 1\r\n", "FA|1|A: 1\r\n\nE01\nB"},
    {"A: 1\r\n x", "FA|1 x|A: 1\r\n x\nE01\nB"},
    {"", "E01\nB"},
    {"\r\n", "E00\nB"},
    {"\r\nA: b\r\n", "E00\nBA: b\r\n"},
    {"\n\n", "E00\nB\n"},
    {"Subject : x\r\n\r\n", "FSubject|x|Subject : x\r\n\nE00\nB"},
    {"X:\r\n\r\n", "FX||X:\r\n\nE00\nB"},
    {"A: x\ry\r\n\r\n", "FA|x\ry|A: x\ry\r\n\nE00\nB"},
    {"A: x\r", "FA|x\r|A: x\r\nE01\nB"},
    {"\r", "E10\nB\r"},
    {": no name\r\n", "E10\nB: no name\r\n"},
    {"A: 1\r\n\r\nB: 2\r\n\r\n", "FA|1|A: 1\r\n\nE00\nBB: 2\r\n\r\n"},
};

static void
header_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++)
		check_all_ways(header_cases[i].in, strlen(header_cases[i].in),
		    &lim_default, header_cases[i].want);
}

static void
header_embedded_nul(void)
{
	static const char in[] = "A: x\0y\r\n\r\nb\0dy";
	static const char want[] = "FA|x\0y|A: x\0y\r\n\nE00\nBb\0dy";

	check_bin(in, sizeof(in) - 1, &lim_default, want, sizeof(want) - 1);
}

static void
header_line_limit(void)
{
	struct header_limits lim = lim_default;
	char in[64], want[256];

	lim.line_max = 10;
	/* "A: 1234567" is 10 octets: fits. */
	snprintf(in, sizeof(in), "A: 1234567\r\n\r\n");
	check_all_ways(
	    in, strlen(in), &lim, "FA|1234567|A: 1234567\r\n\nE00\nB");
	/* One more inside a field is an error. */
	check_all_ways("A: 12345678\r\n\r\n", 15, &lim,
	    "Xheader line too long"
	    "B");
	check_all_ways("A: 1\r\n 123456789\r\n\r\n", 20, &lim,
	    "FA|1 123456789|A: 1\r\n 123456789\r\n\nE00\nB");
	check_all_ways("A: 1\r\n 1234567890\r\n\r\n", 21, &lim,
	    "Xheader line too long"
	    "B");
	/* A long line with no field name starts the body. */
	snprintf(in, sizeof(in), "A: 1\r\nthis is the body\r\n");
	snprintf(want, sizeof(want), "FA|1|A: 1\r\n\nE10\nB%s", in + 6);
	check_all_ways(in, strlen(in), &lim, want);
	/* The same with a bare CR at the cut: still the same everywhere. */
	check_all_ways("0123456789\r\r\n", 13, &lim, "E10\nB0123456789\r\r\n");
	check_all_ways("0123456789\r\n", 12, &lim, "E10\nB0123456789\r\n");
	check_all_ways("A:34567890\r\n", 12, &lim,
	    "FA|34567890|A:34567890\r\n"
	    "\nE01\nB");
}

static void
header_count_and_size_limits(void)
{
	struct header_limits lim = lim_default;
	static const char three[] = "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";

	lim.count_max = 3;
	check_all_ways(three, sizeof(three) - 1, &lim,
	    "FA|1|A: 1\r\n\nFB|2|B: 2\r\n\nFC|3|C: 3\r\n\nE00\nB");
	lim.count_max = 2;
	check_all_ways(three, sizeof(three) - 1, &lim,
	    "FA|1|A: 1\r\n\nFB|2|B: 2\r\n\nXtoo many header fields"
	    "B");
	/* size_max counts field octets, line ends included: 18 here. */
	lim.count_max = 100;
	lim.size_max = 18;
	check_all_ways(three, sizeof(three) - 1, &lim,
	    "FA|1|A: 1\r\n\nFB|2|B: 2\r\n\nFC|3|C: 3\r\n\nE00\nB");
	lim.size_max = 17;
	check_all_ways(three, sizeof(three) - 1, &lim,
	    "FA|1|A: 1\r\n\nFB|2|B: 2\r\n\nXheader section too large"
	    "B");
}

T_MAIN(T_CASE(header_table), T_CASE(header_embedded_nul),
    T_CASE(header_line_limit), T_CASE(header_count_and_size_limits))

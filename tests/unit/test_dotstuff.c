/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/msg/dotstuff: CR LF and dot-stuffing, TOP. */
#include "msg/dotstuff.h"

#include <string.h>

#include "t.h"

struct dotstuff_case {
	const char *in;
	bool limited;
	uint64_t lines;
	const char *want;
};

static const struct dotstuff_case dotstuff_cases[] = {
    {"", false, 0, ".\r\n"},
    {"a\nb\n", false, 0, "a\r\nb\r\n.\r\n"},
    {"a\r\nb", false, 0, "a\r\nb\r\n.\r\n"},
    {".\n..x\n.", false, 0, "..\r\n...x\r\n..\r\n.\r\n"},
    {"a\rb\r", false, 0, "a\rb\r\r\n.\r\n"},
    {"a\r\r\n", false, 0, "a\r\r\n.\r\n"},
    {"S: x\n\nb1\nb2\n", true, 0, "S: x\r\n\r\n.\r\n"},
    {"S: x\r\n\r\nb1\r\n.b2\r\nb3\r\n", true, 2,
        "S: x\r\n\r\nb1\r\n..b2\r\n.\r\n"},
    {"S: x\nT: y\n", true, 5, "S: x\r\nT: y\r\n.\r\n"},
    {"\nbody\n", true, 1, "\r\nbody\r\n.\r\n"},
    {"h\n\n.\n", true, 9, "h\r\n\r\n..\r\n.\r\n"},
};

/* The input in two chunks split at every point gives the same output. */
static void
every_split_point(void)
{
	struct buf out;
	struct dotstuff d;
	size_t i, cut, len;

	buf_init(&out);
	for (i = 0; i < sizeof(dotstuff_cases) / sizeof(dotstuff_cases[0]);
	     i++) {
		const struct dotstuff_case *c = &dotstuff_cases[i];

		len = strlen(c->in);
		for (cut = 0; cut <= len; cut++) {
			buf_reset(&out);
			dotstuff_init(&d, c->limited, c->lines);
			if (!dotstuff_feed(&d, c->in, cut, &out))
				(void)dotstuff_feed(
				    &d, c->in + cut, len - cut, &out);
			dotstuff_end(&d, &out);
			if (!T_EQ_STR(out.data, c->want))
				fprintf(stderr, "  case %zu split at %zu\n", i,
				    cut);
		}
	}
	buf_deinit(&out);
}

static void
byte_at_a_time_and_limit_signal(void)
{
	const char *in = "H: 1\n\nl1\nl2\nl3\n";
	struct buf out;
	struct dotstuff d;
	size_t i;
	bool done = false;

	buf_init(&out);
	dotstuff_init(&d, true, 2);
	for (i = 0; in[i] != '\0' && !done; i++)
		done = dotstuff_feed(&d, in + i, 1, &out);
	T_CHECK(done);
	T_EQ_INT(i, strlen("H: 1\n\nl1\nl2\n"));
	dotstuff_end(&d, &out);
	T_EQ_STR(out.data, "H: 1\r\n\r\nl1\r\nl2\r\n.\r\n");
	buf_deinit(&out);
}

T_MAIN(T_CASE(every_split_point), T_CASE(byte_at_a_time_and_limit_signal))

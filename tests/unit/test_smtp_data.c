/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/smtp/smtp_data: DATA decoding (dot-unstuffing,
 * end of data only at CR LF "." CR LF, every SMTP smuggling sequence, bare
 * LF modes, size limit) and BDAT chunks. Every input is also fed split at
 * every position and one byte at a time, and must decode the same.
 */
#include "smtp/smtp_data.h"

#include <string.h>

#include "t.h"

struct result {
	struct buf out;
	size_t consumed;
	struct smtp_data d;
};

static void
result_deinit(struct result *r)
{
	buf_deinit(&r->out);
}

/* Feed in as chunks of at most step bytes after a first chunk of split. */
static void
decode(const char *in, size_t len, const struct smtp_data_opts *opts,
    size_t split, size_t step, struct result *r)
{
	size_t pos = 0, n, c;

	buf_init(&r->out);
	smtp_data_init(&r->d, opts);
	r->consumed = 0;
	while (pos < len && !r->d.done) {
		n = pos == 0 && split > 0 ? split : step;
		if (n > len - pos)
			n = len - pos;
		c = smtp_data_feed(&r->d, in + pos, n, &r->out);
		T_CHECK(c == n || r->d.done);
		pos += c;
		if (c < n)
			break;
	}
	r->consumed = pos;
}

static bool
same_result(const struct result *a, const struct result *b)
{
	return a->out.len == b->out.len &&
	    memcmp(a->out.data, b->out.data, a->out.len) == 0 &&
	    a->consumed == b->consumed && a->d.done == b->d.done &&
	    a->d.size == b->d.size && a->d.oversize == b->d.oversize &&
	    a->d.has_8bit == b->d.has_8bit && a->d.has_nul == b->d.has_nul &&
	    a->d.long_line == b->d.long_line && a->d.bare_lf == b->d.bare_lf &&
	    a->d.bare_cr == b->d.bare_cr &&
	    a->d.body_offset == b->d.body_offset;
}

/*
 * Decode in whole, then at every split point and byte by byte; check all
 * agree. The whole-input result is left in r.
 */
static void
decode_all_ways(const char *in, size_t len, const struct smtp_data_opts *opts,
    struct result *r)
{
	struct result other;
	size_t k;

	decode(in, len, opts, 0, len > 0 ? len : 1, r);
	for (k = 1; k < len; k++) {
		decode(in, len, opts, k, len, &other);
		if (!T_CHECK(same_result(r, &other)))
			fprintf(stderr, "  split at %zu differs\n", k);
		result_deinit(&other);
	}
	decode(in, len, opts, 0, 1, &other);
	T_CHECK(same_result(r, &other));
	result_deinit(&other);
}

static const struct smtp_data_opts normalize = {0};
static const struct smtp_data_opts reject = {
    .bare_lf = SMTP_DATA_BARE_LF_REJECT,
};

struct data_case {
	const char *in;
	const char *out;
	size_t left; /* bytes not consumed (pipelined commands) */
	unsigned bare_lf, bare_cr;
};

static const struct data_case data_cases[] = {
    {"Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n", 0, 0, 0},
    {".\r\n", "", 0, 0, 0},
    {"..\r\n.\r\n", ".\r\n", 0, 0, 0},
    {"..leading\r\n.x\r\n...\r\n.\r\n", ".leading\r\nx\r\n..\r\n", 0, 0, 0},
    {"a\r\n.\r\nQUIT\r\n", "a\r\n", 6, 0, 0},
    {"a\r\n.\r\n.\r\n", "a\r\n", 3, 0, 0},
    {"a. b .\r\n .\r\n.\r\n", "a. b .\r\n .\r\n", 0, 0, 0},
    /* Bare LF is a line end in the content, stored as CR LF. */
    {"a\nb\r\n.\r\n", "a\r\nb\r\n", 0, 1, 0},
    {"\n.\r\n.\r\n", "\r\n.\r\n", 0, 1, 0},
    /* A bare CR stays content. */
    {"a\rb\r\n.\r\n", "a\rb\r\n", 0, 0, 1},
    {"a\r\r\n.\r\n", "a\r\r\n", 0, 0, 1},
    /* The smuggling sequences never end the message. */
    {"a\n.\nMAIL FROM:<x@y>\r\n\r\n.\r\n", "a\r\n.\r\nMAIL FROM:<x@y>\r\n\r\n",
        0, 2, 0},
    {"a\n.\r\nMAIL FROM:<x@y>\r\n\r\n.\r\n",
        "a\r\n.\r\nMAIL FROM:<x@y>\r\n\r\n", 0, 1, 0},
    {"a\r.\nMAIL FROM:<x@y>\r\n\r\n.\r\n", "a\r.\r\nMAIL FROM:<x@y>\r\n\r\n", 0,
        1, 1},
    {"a\r.\r\nMAIL FROM:<x@y>\r\n\r\n.\r\n", "a\r.\r\nMAIL FROM:<x@y>\r\n\r\n",
        0, 0, 1},
    {"a\r\n.\nMAIL FROM:<x@y>\r\n\r\n.\r\n",
        "a\r\n.\r\nMAIL FROM:<x@y>\r\n\r\n", 0, 1, 0},
    {"a\r\n.\rMAIL FROM:<x@y>\r\n\r\n.\r\n", "a\r\n\rMAIL FROM:<x@y>\r\n\r\n",
        0, 0, 1},
    /* The same at the very start of the content. */
    {".\nMAIL FROM:<x@y>\r\n.\r\n", ".\r\nMAIL FROM:<x@y>\r\n", 0, 1, 0},
    {".\rMAIL FROM:<x@y>\r\n.\r\n", "\rMAIL FROM:<x@y>\r\n", 0, 0, 1},
    {".\r.\r\n.\r\n", "\r.\r\n", 0, 0, 1},
};

static void
data_table(void)
{
	struct result r;
	size_t i, len;

	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		const struct data_case *c = &data_cases[i];

		len = strlen(c->in);
		decode_all_ways(c->in, len, &normalize, &r);
		if (!T_CHECK(r.d.done) ||
		    !T_EQ_INT(len - r.consumed, c->left) ||
		    !T_EQ_STR(r.out.data, c->out))
			fprintf(stderr, "  case %zu\n", i);
		T_EQ_INT(r.out.len, strlen(c->out));
		T_EQ_INT(r.d.size, strlen(c->out));
		T_EQ_INT(r.d.bare_lf, c->bare_lf);
		T_EQ_INT(r.d.bare_cr, c->bare_cr);
		result_deinit(&r);
	}
}

static void
data_reject_mode(void)
{
	struct result r;
	struct err err;
	size_t i;
	int code, rc;

	for (i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]); i++) {
		const struct data_case *c = &data_cases[i];

		/* Decoding is the same; only the verdict differs. */
		decode_all_ways(c->in, strlen(c->in), &reject, &r);
		T_EQ_STR(r.out.data, c->out);
		rc = smtp_data_finish(&r.d, &code, &err);
		if (c->bare_lf > 0) {
			T_EQ_INT(rc, -1);
			T_EQ_INT(code, 550);
			T_EQ_STR(err.dsn, "5.5.2");
		} else {
			T_EQ_INT(rc, 0);
			T_EQ_INT(code, 0);
		}
		/* In normalize mode everything is accepted. */
		smtp_data_init(&r.d, &normalize);
		r.d.done = true;
		T_EQ_INT(smtp_data_finish(&r.d, &code, &err), 0);
		result_deinit(&r);
	}
}

static void
data_not_ended(void)
{
	static const char *const unfinished[] = {
	    "",
	    "a",
	    "a\r\n",
	    "a\r\n.",
	    "a\r\n.\r",
	    "a\n.\n",
	    "a\r\n.\n",
	    "a\n.\r\n",
	    "a\r.\r\n",
	    "a\r\n..\r\n",
	    "a\r\n. \r\n",
	};
	struct result r;
	size_t i;

	for (i = 0; i < sizeof(unfinished) / sizeof(unfinished[0]); i++) {
		decode_all_ways(
		    unfinished[i], strlen(unfinished[i]), &normalize, &r);
		T_CHECK(!r.d.done);
		T_EQ_INT(r.consumed, strlen(unfinished[i]));
		result_deinit(&r);
	}
}

static void
data_flags(void)
{
	static const char msg[] = "Subject: \xc3\xa9t\xc3\xa9\r\nX: a\0b\r\n"
	                          "\r\nbody\r\n.\r\n";
	struct result r;

	decode_all_ways(msg, sizeof(msg) - 1, &normalize, &r);
	T_CHECK(r.d.done);
	T_CHECK(r.d.has_8bit);
	T_CHECK(r.d.has_nul);
	T_CHECK(!r.d.long_line);
	T_EQ_INT(
	    r.d.body_offset, strlen("Subject: \xc3\xa9t\xc3\xa9\r\n") + 8 + 2);
	result_deinit(&r);

	decode_all_ways("To: a\r\n\r\n.\r\n", 12, &normalize, &r);
	T_CHECK(!r.d.has_8bit && !r.d.has_nul);
	T_EQ_INT(r.d.body_offset, 9);
	result_deinit(&r);

	/* No empty line: no boundary. */
	decode_all_ways("To: a\r\n.\r\n", 10, &normalize, &r);
	T_EQ_INT(r.d.body_offset, 0);
	result_deinit(&r);
}

static void
data_long_lines(void)
{
	char in[1100];
	struct result r;
	size_t n;

	/* 998 octets, the RFC 5322 limit, and one more; one starts with "." */
	for (n = 998; n <= 999; n++) {
		memset(in, 'x', n);
		in[0] = '.';
		in[1] = '.';
		memcpy(in + n, "\r\n.\r\n", 5);
		decode_all_ways(in, n + 5, &normalize, &r);
		T_CHECK(r.d.done);
		T_EQ_INT(r.out.len, n - 1 + 2); /* one dot unstuffed */
		T_CHECK(r.out.data[0] == '.' && r.out.data[1] == 'x');
		/* The stored line has n - 1 octets after unstuffing. */
		T_EQ_INT(r.d.long_line, n - 1 > SMTP_DATA_LINE_MAX);
		result_deinit(&r);
	}
	memset(in, 'y', 999);
	memcpy(in + 999, "\r\n.\r\n", 5);
	decode_all_ways(in, 999 + 5, &normalize, &r);
	T_CHECK(r.d.long_line);
	result_deinit(&r);
}

static void
data_size_limit(void)
{
	static const char msg[] = "Subject: x\r\n\r\n..body\r\n.\r\n";
	const size_t stored = strlen("Subject: x\r\n\r\n.body\r\n");
	struct smtp_data_opts opts = {.size_max = stored};
	struct result r;
	struct err err;
	int code;

	/* Exactly at the limit. */
	decode_all_ways(msg, sizeof(msg) - 1, &opts, &r);
	T_CHECK(r.d.done && !r.d.oversize);
	T_EQ_INT(r.d.size, stored);
	T_EQ_INT(smtp_data_finish(&r.d, &code, &err), 0);
	result_deinit(&r);

	/* One over: still read to the end, then 552 5.3.4. */
	opts.size_max = stored - 1;
	decode_all_ways(msg, sizeof(msg) - 1, &opts, &r);
	T_CHECK(r.d.done && r.d.oversize);
	T_EQ_INT(r.consumed, sizeof(msg) - 1);
	T_EQ_INT(r.d.size, stored);
	T_CHECK(r.out.len < stored);
	T_EQ_INT(smtp_data_finish(&r.d, &code, &err), -1);
	T_EQ_INT(code, 552);
	T_EQ_STR(err.dsn, "5.3.4");
	result_deinit(&r);
}

/* Feed BDAT chunks, each through smtp_data_feed_chunk in pieces of step. */
static size_t
bdat_feed(struct smtp_data *d, const char *in, size_t len, size_t step,
    struct buf *out)
{
	size_t pos = 0, n, c;

	while (pos < len && d->chunk_left > 0) {
		n = len - pos < step ? len - pos : step;
		c = smtp_data_feed_chunk(d, in + pos, n, out);
		pos += c;
		if (c < n)
			break;
	}
	return pos;
}

static void
bdat_chunks(void)
{
	static const char wire[] = "Subject: x\r\n\r\nline\nwith bare LF\r"
	                           "\nand CRLF split over chunks\r\nRSET\r\n";
	const size_t c1 = 32, total = sizeof(wire) - 1 - 6;
	struct smtp_data_opts opts = {.bare_lf = SMTP_DATA_BARE_LF_REJECT};
	struct smtp_data d;
	struct buf out;
	struct err err;
	size_t step, used;
	int code;

	for (step = 1; step <= sizeof(wire); step++) {
		buf_init(&out);
		smtp_data_init(&d, &opts);
		smtp_data_chunk(&d, c1, false); /* ends between CR and LF */
		T_EQ_INT(bdat_feed(&d, wire, sizeof(wire) - 1, step, &out), c1);
		T_CHECK(!d.done && d.chunk_left == 0);
		smtp_data_chunk(&d, total - c1, true);
		used =
		    bdat_feed(&d, wire + c1, sizeof(wire) - 1 - c1, step, &out);
		T_EQ_INT(used, total - c1); /* "RSET\r\n" is left over */
		T_CHECK(d.done);
		T_EQ_INT(out.len, total);
		T_CHECK(memcmp(out.data, wire, total) == 0); /* unchanged */
		T_EQ_INT(d.size, total);
		T_EQ_INT(d.bare_lf, 1);
		T_EQ_INT(d.bare_cr, 0);
		T_EQ_INT(d.body_offset, 14);
		T_EQ_INT(smtp_data_finish(&d, &code, &err), -1);
		T_EQ_INT(code, 550);
		buf_deinit(&out);
	}
	/* BINARYMIME: bare LF is data. */
	opts.binary = true;
	buf_init(&out);
	smtp_data_init(&d, &opts);
	smtp_data_chunk(&d, 3, true);
	T_EQ_INT(smtp_data_feed_chunk(&d, "a\nb", 3, &out), 3);
	T_CHECK(d.done);
	T_EQ_INT(smtp_data_finish(&d, &code, &err), 0);
	buf_deinit(&out);
}

static void
bdat_edge_cases(void)
{
	struct smtp_data_opts opts = {.size_max = 10};
	struct smtp_data d;
	struct buf out;
	struct err err;
	int code;

	buf_init(&out);
	/* BDAT 0 LAST ends an (empty) message at once. */
	smtp_data_init(&d, &opts);
	smtp_data_chunk(&d, 0, true);
	T_CHECK(d.done);
	T_EQ_INT(smtp_data_feed_chunk(&d, "x", 1, &out), 0);
	T_EQ_INT(smtp_data_finish(&d, &code, &err), 0);

	/* Size limit: 10 passes, 11 is 552 after the chunk is read. */
	smtp_data_init(&d, &opts);
	smtp_data_chunk(&d, 10, false);
	T_EQ_INT(smtp_data_feed_chunk(&d, "0123456789", 10, &out), 10);
	smtp_data_chunk(&d, 0, true);
	T_EQ_INT(smtp_data_finish(&d, &code, &err), 0);
	buf_reset(&out);
	smtp_data_init(&d, &opts);
	smtp_data_chunk(&d, 11, true);
	T_EQ_INT(smtp_data_feed_chunk(&d, "0123456789AB", 12, &out), 11);
	T_CHECK(d.done && d.oversize);
	T_EQ_INT(d.size, 11);
	T_EQ_INT(out.len, 0); /* the crossing span is not stored */
	T_EQ_INT(smtp_data_finish(&d, &code, &err), -1);
	T_EQ_INT(code, 552);
	/* A trailing CR with no LF after it is a bare CR. */
	smtp_data_init(&d, &opts);
	smtp_data_chunk(&d, 2, true);
	T_EQ_INT(smtp_data_feed_chunk(&d, "a\r", 2, &out), 2);
	T_EQ_INT(d.bare_cr, 1);
	buf_deinit(&out);
}

T_MAIN(T_CASE(data_table), T_CASE(data_reject_mode), T_CASE(data_not_ended),
    T_CASE(data_flags), T_CASE(data_long_lines), T_CASE(data_size_limit),
    T_CASE(bdat_chunks), T_CASE(bdat_edge_cases))

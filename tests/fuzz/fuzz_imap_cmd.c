/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the IMAP command reader (fed in chunks whose size the first byte
 * picks, every literal accepted) and run the argument parsers over every
 * command it produces.
 */
#include <stdint.h>

#include "imap/imap_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_imap_cmd_args(const struct imap_cmd *c, struct arena *a)
{
	struct imap_fetch f;
	struct imap_store st;
	struct imap_flags fl;
	struct imap_seqset set;
	struct imap_date d;
	struct buf b, back;
	time_t t;
	int tz;
	size_t i;

	buf_init(&b);
	buf_init(&back);
	(void)imap_fetch_parse(c->args, c->count, &f, a, NULL);
	(void)imap_store_parse(c->args, c->count, &st, a, NULL);
	(void)imap_flags_parse(c->args, c->count, true, &fl, a, NULL);
	for (i = 0; i < c->count; i++) {
		const struct imap_arg *arg = &c->args[i];

		if (arg->type == IMAP_ARG_LIST) {
			(void)imap_fetch_parse(arg, 1, &f, a, NULL);
			continue;
		}
		(void)imap_seqset_parse(arg->str, arg->len, &set, a, NULL);
		(void)imap_date_parse(arg->str, arg->len, &d, NULL);
		(void)imap_datetime_parse(arg->str, arg->len, &t, &tz, NULL);
		(void)imap_mailbox_decode(arg->str, arg->len, i & 1, &b, NULL);
		buf_reset(&b);
		if (imap_mailbox_decode(arg->str, arg->len, false, &b, NULL) ==
		    0)
			(void)imap_mailbox_encode(b.data, b.len, &back);
	}
	/* FETCH and STORE arguments follow a sequence set. */
	if (c->count > 1) {
		(void)imap_fetch_parse(c->args + 1, c->count - 1, &f, a, NULL);
		(void)imap_store_parse(c->args + 1, c->count - 1, &st, a, NULL);
	}
	buf_deinit(&b);
	buf_deinit(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct imap_parse_limits lim = {.line_max = 1024,
	    .literal_max = 4096,
	    .nonsync_max = 64,
	    .command_max = 8192,
	    .depth_max = 8,
	    .args_max = 256};
	struct imap_parser p;
	struct imap_parse_event ev;
	struct arena *a = arena_new();
	size_t pos = 1, step = size > 0 ? data[0] % 32 + 1 : 1, used;

	imap_parse_init(&p, &lim);
	while (pos < size) {
		size_t n = size - pos < step ? size - pos : step;
		enum imap_parse_status st = imap_parse_feed(
		    &p, (const char *)data + pos, n, &used, a, &ev, NULL);

		pos += used;
		if (st == IMAP_PARSE_COMMAND)
			fuzz_imap_cmd_args(&ev.cmd, a);
		else if (st == IMAP_PARSE_ERROR && ev.fatal)
			break;
	}
	imap_parse_deinit(&p);
	arena_free(&a);
	return 0;
}

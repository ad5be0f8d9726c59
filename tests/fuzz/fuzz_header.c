/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the header push parser and check chunking does not matter: fed
 * whole and in chunks of a size chosen by the first byte, it must give
 * the same events (body bytes compared as one concatenation).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_header_run(
    const char *in, size_t len, size_t step, struct buf *t, struct buf *body)
{
	const struct header_limits lim = {80, 20, 1000};
	struct header_parser p;
	struct header_event ev;
	size_t pos = 0, n;
	int rc = 0;

	header_init(&p, &lim);
	while (rc >= 0 && !p.finished) {
		n = len - pos < step ? len - pos : step;
		if (n > 0)
			header_feed(&p, in + pos, n);
		else
			header_finish(&p);
		pos += n;
		while ((rc = header_next(&p, &ev, NULL)) == 1) {
			if (ev.kind == HEADER_EV_BODY) {
				buf_append(body, ev.raw, ev.raw_len);
				continue;
			}
			buf_printf(t, "%d%d%d%zu,%zu:", (int)ev.kind,
			    ev.malformed, ev.eof, ev.name_len, ev.value_len);
			buf_append(t, ev.raw, ev.raw_len);
		}
	}
	buf_printf(t, "%d", rc);
	header_deinit(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf t1, t2, b1, b2;

	if (size == 0)
		return 0;
	buf_init(&t1);
	buf_init(&t2);
	buf_init(&b1);
	buf_init(&b2);
	fuzz_header_run((const char *)data + 1, size - 1, size, &t1, &b1);
	fuzz_header_run(
	    (const char *)data + 1, size - 1, data[0] % 16 + 1, &t2, &b2);
	if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0 ||
	    b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	buf_deinit(&t1);
	buf_deinit(&t2);
	buf_deinit(&b1);
	buf_deinit(&b2);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the MIME parser and everything imapd builds on it: BODY,
 * BODYSTRUCTURE, ENVELOPE, sections named by the first bytes,
 * transfer-encoding decoding of every leaf and RFC 2047 decoding of
 * the whole input as one header value.
 */
#include <stdint.h>

#include "imap/imap_bodystructure.h"
#include "imap/imap_envelope.h"
#include "mime/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_mime_walk(const struct mime_message *m, const struct mime_part *p,
    struct buf *out, struct arena *a)
{
	for (; p != NULL; p = p->next) {
		if (p->message != NULL) {
			imap_envelope_write(out, m, p->message, 0, a);
			fuzz_mime_walk(m, p->message, out, a);
		}
		fuzz_mime_walk(m, p->children, out, a);
		(void)mime_decode(
		    p->encoding, m->data + p->body.off, p->body.len, out, NULL);
		buf_reset(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mime_limits lim = {
	    .depth_max = 8, .parts_max = 64, .params_max = 8};
	static const char *fields[] = {"subject", "from"};
	struct mime_section sec = {.fields = fields, .nfields = 2};
	struct arena *a;
	struct mime_message m;
	struct buf out;
	const char *s;
	size_t len, i;

	if (size < 4)
		return 0;
	a = arena_new();
	buf_init(&out);
	if (mime_parse((const char *)data + 4, size - 4, &lim, &m, a, NULL) ==
	    0) {
		imap_bodystructure_write(
		    &out, &m, m.root, true, data[0] & 3, a);
		imap_bodystructure_write(&out, &m, m.root, false, 0, a);
		imap_envelope_write(&out, &m, m.root, 0, a);
		sec.kind = (enum mime_section_kind)(data[0] % 6);
		sec.depth = data[1] % 4;
		for (i = 0; i < sec.depth; i++)
			sec.part[i] = (uint32_t)(data[2 + i % 2] % 4 + 1);
		(void)mime_section_get(&m, &sec, a, &s, &len);
		fuzz_mime_walk(&m, m.root, &out, a);
	}
	mime_rfc2047_decode((const char *)data, size, &out);
	buf_deinit(&out);
	arena_free(&a);
	return 0;
}

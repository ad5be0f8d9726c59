/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the SEARCH, SORT and THREAD parsers: the input is the arguments
 * of one command, tokenised by the command reader (literals accepted);
 * it is also taken as a Subject: for the SORT/THREAD base subject.
 */
#include <stdint.h>
#include <string.h>

#include "imap/imap_search.h"
#include "imap/imap_subject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct imap_parse_limits lim = {.line_max = 4096,
	    .literal_max = 4096,
	    .nonsync_max = 4096,
	    .command_max = 16384,
	    .depth_max = 16,
	    .args_max = 512};
	const struct imap_search_limits slim = {
	    .depth_max = 10, .keys_max = 100};
	struct imap_parser p;
	struct imap_parse_event ev;
	struct arena *a = arena_new();
	struct buf in;
	size_t pos = 0, used;
	struct imap_search s;
	struct imap_sort so;
	struct imap_thread th;

	buf_init(&in);
	buf_puts(&in, "t SEARCH ");
	buf_append(&in, data, size);
	buf_puts(&in, "\r\n");
	imap_parse_init(&p, &lim);
	while (pos < in.len &&
	    imap_parse_feed(&p, in.data + pos, in.len - pos, &used, a, &ev,
	        NULL) == IMAP_PARSE_LITERAL)
		pos += used;
	if (ev.status == IMAP_PARSE_COMMAND) {
		(void)imap_search_parse(
		    ev.cmd.args, ev.cmd.count, &slim, &s, a, NULL);
		(void)imap_sort_parse(
		    ev.cmd.args, ev.cmd.count, &slim, &so, a, NULL);
		(void)imap_thread_parse(
		    ev.cmd.args, ev.cmd.count, &slim, &th, a, NULL);
	}
	(void)imap_subject_base((const char *)data, size, NULL, a);
	imap_parse_deinit(&p);
	buf_deinit(&in);
	arena_free(&a);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the Sieve compiler (libmail/sieve/): the input is a script; when
 * it compiles, it also runs on a small MIME message, so the run-time
 * paths (matching, variables, body, dates, actions) see it too.
 */
#include <stdint.h>
#include <string.h>

#include "sieve/sieve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_sieve_msg[] =
    "From: A <a@example.org>\r\nTo: b+x@example.com, c@example.net\r\n"
    "Subject: =?utf-8?q?hi_there?=\r\nDate: Tue, 24 Nov 2026 10:30:00 -0500"
    "\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in = { .msg = { fuzz_sieve_msg,
	    sizeof(fuzz_sieve_msg) - 1 }, .env = { "s@example.org",
	    "b+x@example.com" } };
	struct sieve_script *s;
	const struct sieve_script *v[1];
	struct sieve_result res;
	struct arena *a;

	lim.steps_max = 10000;
	lim.regex_match_limit = 100000;
	s = sieve_compile("fuzz", (const char *)data, size, &lim, NULL);
	if (s != NULL) {
		a = arena_new();
		v[0] = s;
		in.environment.recipient_delimiter = "+";
		(void)sieve_run(v, 1, &in, &lim, a, &res, NULL);
		arena_free(&a);
	}
	sieve_script_free(&s);
	return 0;
}

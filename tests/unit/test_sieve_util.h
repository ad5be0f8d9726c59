/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Sieve unit tests: compile a script, run it on a
 * message with a fixed envelope and environment, and describe the result
 * as one line ("fileinto Junk; keep [\Seen]") or the error, so each case
 * is one comparison.
 */
#ifndef TESTS_UNIT_TEST_SIEVE_UTIL_H
#define TESTS_UNIT_TEST_SIEVE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sieve/sieve.h"
#include "t.h"

static const char *const ts_user_addresses[] = { "me@example.com",
	"alias@example.com" };

/* The envelope and environment every case starts from. */
static inline void
ts_input(struct sieve_input *in, const char *msg)
{
	memset(in, 0, sizeof(*in));
	in->msg.data = msg;
	in->msg.len = strlen(msg);
	in->env.from = "sender@example.org";
	in->env.to = "me@example.com";
	in->environment.recipient_delimiter = "+";
	in->environment.user_addresses = ts_user_addresses;
	in->environment.user_address_count = 2;
	in->environment.now = 1795608000;	/* 2026-11-25 12:00:00 UTC */
	in->environment.zone_minutes = 60;
	in->environment.spam.header = "X-Spam-Score";
	in->environment.spam.max = 10;
	in->environment.virus.header = "X-Virus-Score";
	in->environment.virus.max = 5;
}

static inline void
ts_describe_action(struct buf *b, const struct sieve_action *a)
{
	size_t i;

	buf_puts(b, sieve_action_name(a->kind));
	if (a->mailbox)
		buf_printf(b, " %s", a->mailbox);
	if (a->address)
		buf_printf(b, " %s", a->address);
	if (a->reason)
		buf_printf(b, " \"%s\"", a->reason);
	if (a->create)
		buf_puts(b, " :create");
	if (a->copy)
		buf_puts(b, " :copy");
	if (a->flag_count > 0) {
		buf_puts(b, " [");
		for (i = 0; i < a->flag_count; i++)
			buf_printf(b, "%s%s", i ? " " : "", a->flags[i]);
		buf_puts(b, "]");
	}
	if (a->kind == SIEVE_ACTION_VACATION)
		buf_printf(b, " to=%s subject=\"%s\" seconds=%llu%s%s",
		    a->vacation.to, a->vacation.subject,
		    (unsigned long long)a->vacation.seconds,
		    a->vacation.skip_reason ? " skip=" : "",
		    a->vacation.skip_reason ? a->vacation.skip_reason : "");
}

/* The contents of b for the caller to free; b is released. */
static inline char *
ts_detach(struct buf *b)
{
	char *out = buf_detach(b);

	buf_deinit(b);
	return out;
}

/*
 * Run script on the input; the result as text (caller frees):
 * "action; action", or "compile: <error>" / "run: <error>".
 */
static inline char *
ts_run_in(const char *script, const struct sieve_input *in,
    const struct sieve_limits *lim, struct sieve_result *res_out,
    struct arena *arena)
{
	struct sieve_error error;
	struct sieve_script *s;
	const struct sieve_script *v[1];
	struct buf b;
	size_t i;

	buf_init(&b);
	s = sieve_compile("test", script, strlen(script), lim, &error);
	if (s == NULL) {
		buf_printf(&b, "compile: %s", error.err.text);
		return ts_detach(&b);
	}
	v[0] = s;
	if (sieve_run(v, 1, in, lim, arena, res_out, &error) < 0) {
		buf_printf(&b, "run%s: %s", err_is_temp(&error.err) ?
		    "(temp)" : "", error.err.text);
	} else {
		for (i = 0; i < res_out->action_count; i++) {
			if (i > 0)
				buf_puts(&b, "; ");
			ts_describe_action(&b, &res_out->actions[i]);
		}
	}
	sieve_script_free(&s);
	return ts_detach(&b);
}

static inline char *
ts_run(const char *script, const char *msg)
{
	struct sieve_limits lim = sieve_limits_default();
	struct sieve_input in;
	struct sieve_result res;
	struct arena *a = arena_new();
	char *out;

	ts_input(&in, msg);
	out = ts_run_in(script, &in, &lim, &res, a);
	arena_free(&a);
	return out;
}

/* Check that script on msg gives want. */
#define TS_EQ(script, msg, want) do { \
	char *ts_got_ = ts_run((script), (msg)); \
	T_EQ_STR(ts_got_, (want)); \
	free(ts_got_); \
} while (0)

#endif

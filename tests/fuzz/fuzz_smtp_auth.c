/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the SMTP AUTH state machine. Byte 0 sets the session flags; line
 * 1 is the AUTH command; each further line is one authd answer (its
 * first byte: status, challenge, unreachable, too long) followed by the
 * client's response to that challenge.
 */
#include <stdint.h>
#include <string.h>

#include "smtp/smtp_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next '\n'-ended line of [*p, end), without its '\n'. */
static int
fuzz_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;

	if (nl == NULL)
		return 0;
	*line = *p, *len = (size_t)(nl - *p), *p = nl + 1;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_cmd_limits lim = {.line_max = 512, .path_max = 258};
	struct smtp_auth_ctx ctx = {.mechs = "PLAIN LOGIN", .tls_mechs = "X"};
	struct auth_login_reply r = {.id = "1", .user = "u"};
	const char *p = (const char *)data + 1,
	           *end = (const char *)data + size;
	struct arena *arena = arena_new();
	struct smtp_auth a = {0};
	struct smtp_auth_next nx = {0};
	struct smtp_cmd cmd;
	const char *line;
	size_t len;

	if (size > 0 && fuzz_line(&p, end, &line, &len) &&
	    smtp_cmd_parse(line, len, &lim, &cmd, arena, NULL) == 0 &&
	    cmd.verb == SMTP_CMD_AUTH) {
		ctx.enabled = data[0] & 1, ctx.esmtp = data[0] & 2;
		ctx.authenticated = data[0] & 4, ctx.in_txn = data[0] & 8;
		smtp_auth_begin(&a, &ctx, &cmd, &nx);
	}
	while (
	    (nx.what == SMTP_AUTH_DO_START || nx.what == SMTP_AUTH_DO_STEP) &&
	    fuzz_line(&p, end, &line, &len) && len > 0) {
		r.status = (enum auth_login_status)(line[0] & 3);
		r.challenge = (line[0] & 4) ? "=" : "YQ==";
		smtp_auth_answer(&a, (line[0] & 8) ? NULL : &r, &nx);
		if (nx.what == SMTP_AUTH_DO_CHALLENGE)
			smtp_auth_response(&a, line + 1, len - 1,
			    (line[0] & 16) != 0, &nx, arena);
	}
	arena_free(&arena);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The SMTP AUTH state machine (RFC 4954): command checks, response
 * lines, authd's answers mapped to replies. Pure: no I/O, no logging;
 * the only allocation is the copy of a response, in the caller's arena.
 * Client lines are untrusted and secret.
 */
#include "smtp/smtp_auth.h"

#include <string.h>
#include <strings.h>

#include "core/log.h"

/* Fill next with a reply; the exchange is over. */
static void
smtp_auth_reply(struct smtp_auth *a, struct smtp_auth_next *next,
    enum smtp_auth_do what, int code, const char *dsn, const char *text)
{
	memset(next, 0, sizeof(*next));
	next->what = what;
	next->code = code;
	next->dsn = dsn;
	next->text = text;
	a->state = SMTP_AUTH_IDLE;
	a->started = false;
}

/* A failure that ends an exchange authd may hold: ABORT it first. */
static void
smtp_auth_end(struct smtp_auth *a, struct smtp_auth_next *next, int code,
    const char *dsn, const char *text)
{
	smtp_auth_reply(a, next,
	    a->started ? SMTP_AUTH_DO_ABORT : SMTP_AUTH_DO_REPLY, code, dsn,
	    text);
}

static bool
smtp_auth_b64char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool
smtp_auth_is_base64(const char *in, size_t len)
{
	size_t i, pad = 0;

	if (len % 4 != 0)
		return false;
	/* Padding only in the last two places, and nothing after it. */
	for (i = 0; i < len; i++) {
		if (in[i] == '=' && i + 2 >= len)
			pad++;
		else if (pad > 0 || !smtp_auth_b64char(in[i]))
			return false;
	}
	return true;
}

bool
smtp_auth_mech_listed(const char *list, const char *mech)
{
	size_t mlen = strlen(mech), wlen;
	const char *p = list;

	if (list == NULL || mlen == 0)
		return false;
	while (*p != '\0') {
		p += strspn(p, " ");
		wlen = strcspn(p, " ");
		if (wlen == mlen && strncasecmp(p, mech, mlen) == 0)
			return true;
		p += wlen;
	}
	return false;
}

void
smtp_auth_challenge(struct buf *out, const char *b64)
{
	/* RFC 4954 §4: "334 " then the challenge, empty or not. */
	buf_printf(out, "334 %s\r\n", b64);
}

/*
 * Why AUTH may not start now (RFC 4954 §4, §6; texts as Postfix's where
 * it has one): true with the reply filled in.
 */
static bool
smtp_auth_refused(const struct smtp_auth_ctx *ctx, const char *mech,
    int *code_out, const char **dsn_out, const char **text_out)
{
	*code_out = 503;
	*dsn_out = "5.5.1";
	if (!ctx->enabled)
		*text_out = "Error: authentication not enabled";
	else if (!ctx->esmtp)
		*text_out = "Error: send EHLO first";
	else if (ctx->authenticated)
		*text_out = "Error: already authenticated";
	else if (ctx->in_txn)
		*text_out = "Error: MAIL transaction in progress";
	else if (ctx->mechs == NULL) {
		*code_out = 454;
		*dsn_out = "4.7.0";
		*text_out = "Temporary authentication failure";
	} else if (smtp_auth_mech_listed(ctx->mechs, mech))
		return false;
	else if (smtp_auth_mech_listed(ctx->tls_mechs, mech)) {
		*code_out = 538;
		*dsn_out = "5.7.11";
		*text_out = "Encryption required for requested authentication "
		            "mechanism";
	} else {
		*code_out = 504;
		*dsn_out = "5.5.4";
		*text_out = "Unrecognized authentication type";
	}
	return true;
}

void
smtp_auth_begin(struct smtp_auth *a, const struct smtp_auth_ctx *ctx,
    const struct smtp_cmd *cmd, struct smtp_auth_next *next)
{
	const char *init = cmd->auth.initial, *dsn, *text;
	int code;

	if (a->state != SMTP_AUTH_IDLE)
		PANIC("%s: exchange already running", __func__);
	a->started = false;
	if (smtp_auth_refused(ctx, cmd->auth.mech, &code, &dsn, &text)) {
		smtp_auth_reply(a, next, SMTP_AUTH_DO_REPLY, code, dsn, text);
		return;
	}
	/* RFC 4954 §4: "=" stands for an empty initial response. */
	if (init != NULL && strcmp(init, "=") == 0)
		init = "";
	else if (init != NULL && !smtp_auth_is_base64(init, strlen(init))) {
		smtp_auth_reply(a, next, SMTP_AUTH_DO_REPLY, 501, "5.5.2",
		    "Cannot decode AUTH initial response");
		return;
	}
	memset(next, 0, sizeof(*next));
	next->what = SMTP_AUTH_DO_START;
	next->mech = cmd->auth.mech;
	next->response = init;
	a->state = SMTP_AUTH_AUTHD;
}

void
smtp_auth_answer(struct smtp_auth *a, const struct auth_login_reply *reply,
    struct smtp_auth_next *next)
{
	if (a->state != SMTP_AUTH_AUTHD)
		PANIC("%s: no request to authd outstanding", __func__);
	if (reply == NULL) {
		smtp_auth_end(
		    a, next, 454, "4.7.0", "Temporary authentication failure");
		return;
	}
	/* A final answer: authd holds nothing more to abort. */
	if (reply->status == AUTH_LOGIN_TEMPFAIL) {
		smtp_auth_reply(a, next, SMTP_AUTH_DO_REPLY, 454, "4.7.0",
		    "Temporary authentication failure");
		return;
	}
	if (reply->status == AUTH_LOGIN_OK) {
		smtp_auth_reply(a, next, SMTP_AUTH_DO_OK, 235, "2.7.0",
		    "Authentication successful");
		return;
	}
	if (reply->status != AUTH_LOGIN_CONTINUE) {
		/* RFC 4954 §6; authd has logged why. */
		smtp_auth_reply(a, next, SMTP_AUTH_DO_REPLY, 535, "5.7.8",
		    "Error: authentication failed");
		return;
	}
	a->started = true;
	/* A challenge that could break the 334 line is authd's fault. */
	if (reply->challenge == NULL ||
	    !smtp_auth_is_base64(reply->challenge, strlen(reply->challenge))) {
		smtp_auth_end(
		    a, next, 454, "4.7.0", "Temporary authentication failure");
		return;
	}
	memset(next, 0, sizeof(*next));
	next->what = SMTP_AUTH_DO_CHALLENGE;
	next->text = reply->challenge;
	a->state = SMTP_AUTH_CLIENT;
}

void
smtp_auth_response(struct smtp_auth *a, const char *line, size_t len,
    bool too_long, struct smtp_auth_next *next, struct arena *arena)
{
	if (a->state != SMTP_AUTH_CLIENT)
		PANIC("%s: no challenge outstanding", __func__);
	if (too_long) {
		smtp_auth_end(a, next, 500, "5.5.6",
		    "Authentication exchange line is too long");
		return;
	}
	if (len == 1 && line[0] == '*') {
		smtp_auth_end(a, next, 501, "5.7.0", "Authentication aborted");
		return;
	}
	/* An empty line is an empty response (RFC 4954 §4). */
	if (!smtp_auth_is_base64(line, len)) {
		smtp_auth_end(a, next, 501, "5.5.2", "Cannot decode response");
		return;
	}
	memset(next, 0, sizeof(*next));
	next->what = SMTP_AUTH_DO_STEP;
	next->response = arena_strndup(arena, line, len);
	a->state = SMTP_AUTH_AUTHD;
}

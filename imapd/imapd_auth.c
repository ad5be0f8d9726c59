/* SPDX-License-Identifier: MIT */
/*
 * Leaving the not-authenticated state: STARTTLS (RFC 3501 §6.2.1, the
 * plaintext pipelined behind it is discarded by imapd_io), LOGIN
 * (§6.2.3) and AUTHENTICATE with SASL-IR (RFC 4959). imapd never sees a
 * secret's check: authd runs it and may ask for a throttle delay, which
 * an event timer honours while the session reads nothing.
 * LOGINDISABLED (RFC 3501 §6.2.3) is announced when authd offers no
 * plaintext mechanism without TLS.
 */
#include "imapd.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "imapd_mailbox.h"
#include "ipc/auth_client.h"
#include "server/server.h"

/* True when word is one of the space-separated words of list. */
static bool
imapd_auth_listed(const char *list, const char *word, size_t len)
{
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

const char *
imapd_auth_mechs(const struct imapd_session *s)
{
	return s->tls != NULL ? s->d->mechs_tls : s->d->mechs_plain;
}

bool
imapd_auth_plain_disabled(const struct imapd_session *s)
{
	return s->tls == NULL &&
	    !imapd_auth_listed(s->d->mechs_plain, "PLAIN", 5) &&
	    imapd_auth_listed(s->d->mechs_tls, "PLAIN", 5);
}

static struct auth_login_ctx
imapd_auth_ctx(const struct imapd_session *s)
{
	struct auth_login_ctx ctx = {
	    .service = "imap",
	    .client_addr = s->addr,
	    .tls = s->tls != NULL,
	};

	return ctx;
}

/* authd could not be reached. From inside the jail it cannot be
 * reached again: let this process end and a fresh one take over. */
static void
imapd_auth_unavailable(
    struct imapd_session *s, const char *tag, const struct err *err)
{
	log_warning("authd: %s", err->text);
	if (s->d->chrooted && !s->d->auth_lost) {
		s->d->auth_lost = true;
		server_stop(s->d->srv);
	}
	imapd_reply(s, tag, "NO",
	    "[UNAVAILABLE] Authentication service "
	    "unavailable, try again later");
}

static void
imapd_auth_delay_done(struct event_loop *loop, void *ctx)
{
	struct imapd_session *s = ctx;

	(void)loop;
	s->delay_timer = 0;
	s->wait = IMAPD_WAIT_NONE;
	buf_puts(imapd_io_out(s), s->pending);
	free(s->pending);
	s->pending = NULL;
	imapd_io_pump(s);
}

/* Queue the reply to the login, after authd's throttle delay if any. */
static void
imapd_auth_answer(struct imapd_session *s, unsigned delay_ms, struct buf *line)
{
	if (delay_ms == 0) {
		buf_append(imapd_io_out(s), line->data, line->len);
		return;
	}
	s->pending = xstrdup(line->data);
	s->wait = IMAPD_WAIT_DELAY;
	s->delay_timer =
	    event_timer_add(s->d->loop, delay_ms, imapd_auth_delay_done, s);
}

/* authd said yes: open the user's mailbox and enter AUTHENTICATED. */
static void
imapd_auth_ok(struct imapd_session *s, const char *tag, const char *user,
    const char *method, unsigned delay_ms)
{
	struct buf line;
	struct err err;
	int rc;

	buf_init(&line);
	if (imapd_session_count_user(s->d, user) >=
	    (size_t)s->d->conf->imapd_user_session_limit) {
		log_warning("%s: user=<%s>: too many sessions (limit %lld)",
		    s->addr, user,
		    (long long)s->d->conf->imapd_user_session_limit);
		buf_printf(&line,
		    "%s NO [LIMIT] Too many sessions for this "
		    "user\r\n",
		    tag);
	} else if ((rc = imapd_user_open(s, user, &err)) < 0) {
		log_warning("%s: user=<%s>: %s", s->addr, user, err.text);
		buf_printf(&line, "%s NO [%s] %s\r\n", tag,
		    err.kind == ERR_TEMP ? "UNAVAILABLE" : "CONTACTADMIN",
		    "Your mailbox cannot be opened");
	} else {
		s->user = xstrdup(user);
		s->state = IMAPD_AUTH;
		log_info("login: user=<%s>, method=%s, rip=%s%s", user, method,
		    s->addr, s->tls != NULL ? ", TLS" : "");
		buf_printf(&line, "%s OK [CAPABILITY ", tag);
		imapd_cmd_capability_list(s, &line);
		buf_puts(&line, "] Logged in\r\n");
	}
	imapd_auth_answer(s, delay_ms, &line);
	buf_deinit(&line);
}

/* The end of a login: what authd answered, to the client. */
static void
imapd_auth_result(struct imapd_session *s, const char *tag,
    const struct auth_login_reply *r, const char *method)
{
	struct buf line;

	if (r->status == AUTH_LOGIN_OK) {
		imapd_auth_ok(s, tag, r->user, method, r->delay_ms);
		return;
	}
	buf_init(&line);
	if (r->status == AUTH_LOGIN_TEMPFAIL)
		buf_printf(&line,
		    "%s NO [UNAVAILABLE] Temporary authentication "
		    "failure\r\n",
		    tag);
	else
		buf_printf(&line,
		    "%s NO [AUTHENTICATIONFAILED] Authentication "
		    "failed\r\n",
		    tag);
	log_info("%s: authentication failed, method=%s", s->addr, method);
	imapd_auth_answer(s, r->delay_ms, &line);
	buf_deinit(&line);
}

void
imapd_auth_starttls(struct imapd_session *s, const struct imap_cmd *cmd)
{
	if (cmd->count != 0) {
		imapd_reply(s, cmd->tag, "BAD", "STARTTLS takes no arguments");
		return;
	}
	if (s->tls != NULL) {
		imapd_reply(s, cmd->tag, "BAD", "TLS is already active");
		return;
	}
	if (s->d->tls == NULL) {
		imapd_reply(s, cmd->tag, "BAD", "TLS is not available");
		return;
	}
	imapd_reply(s, cmd->tag, "OK", "Begin TLS negotiation now");
	imapd_io_start_tls(s);
}

/* A string argument without NUL bytes. */
static bool
imapd_auth_text(const struct imap_arg *a)
{
	return imap_arg_is_astring(a) && a->type != IMAP_ARG_NIL &&
	    strlen(a->str) == a->len;
}

void
imapd_auth_login(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct auth_login_ctx ctx = imapd_auth_ctx(s);
	struct auth_login_reply r;
	struct err err;

	if (cmd->count != 2 || !imapd_auth_text(&cmd->args[0]) ||
	    !imapd_auth_text(&cmd->args[1])) {
		imapd_reply(s, cmd->tag, "BAD",
		    "LOGIN needs a user name and "
		    "a password");
		return;
	}
	if (imapd_auth_plain_disabled(s)) {
		imapd_reply(s, cmd->tag, "NO",
		    "[PRIVACYREQUIRED] Plaintext "
		    "login is refused without TLS");
		return;
	}
	if (auth_client_password(s->d->auth, &ctx, cmd->args[0].str,
	        cmd->args[1].str, &r, s->arena, &err) != 0) {
		imapd_auth_unavailable(s, cmd->tag, &err);
		return;
	}
	imapd_auth_result(s, cmd->tag, &r, "LOGIN");
}

/* CONTINUE: send the challenge and wait for the client's response. */
static void
imapd_auth_continue(
    struct imapd_session *s, const char *tag, const struct auth_login_reply *r)
{
	buf_printf(imapd_io_out(s), "+ %s\r\n", r->challenge);
	if (s->tag == NULL)
		s->tag = xstrdup(tag);
	free(s->pending);
	s->pending = xstrdup(r->id);
	s->wait = IMAPD_WAIT_AUTH;
	s->want_line = true;
}

void
imapd_auth_authenticate(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct auth_login_ctx ctx = imapd_auth_ctx(s);
	struct auth_login_reply r;
	struct err err;
	const char *initial = NULL;

	if (cmd->count < 1 || cmd->count > 2 ||
	    cmd->args[0].type != IMAP_ARG_ATOM ||
	    (cmd->count == 2 && cmd->args[1].type != IMAP_ARG_ATOM)) {
		imapd_reply(
		    s, cmd->tag, "BAD", "AUTHENTICATE needs a mechanism");
		return;
	}
	if (!imapd_auth_listed(
	        imapd_auth_mechs(s), cmd->args[0].str, cmd->args[0].len)) {
		imapd_reply(s, cmd->tag, "NO", "%s",
		    imapd_auth_plain_disabled(s)
		        ? "[PRIVACYREQUIRED] Use STARTTLS first"
		        : "Unsupported authentication mechanism");
		return;
	}
	/* RFC 4959: "=" is an empty initial response. */
	if (cmd->count == 2)
		initial =
		    strcmp(cmd->args[1].str, "=") == 0 ? "" : cmd->args[1].str;
	if (auth_client_sasl_start(s->d->auth, &ctx, cmd->args[0].str, initial,
	        &r, s->arena, &err) != 0) {
		imapd_auth_unavailable(s, cmd->tag, &err);
		return;
	}
	if (r.status == AUTH_LOGIN_CONTINUE)
		imapd_auth_continue(s, cmd->tag, &r);
	else
		imapd_auth_result(s, cmd->tag, &r, cmd->args[0].str);
}

void
imapd_auth_line(struct imapd_session *s, const char *line, size_t len)
{
	struct auth_login_reply r;
	struct err err;
	char *tag = s->tag;
	char *id = s->pending;

	s->tag = s->pending = NULL;
	s->wait = IMAPD_WAIT_NONE;
	if (len == 1 && line[0] == '*') {
		auth_client_sasl_abort(s->d->auth, id);
		imapd_reply(s, tag, "BAD", "Authentication cancelled");
	} else if (strlen(line) != len) {
		auth_client_sasl_abort(s->d->auth, id);
		imapd_reply(s, tag, "BAD", "Invalid response");
	} else if (auth_client_sasl_step(
	               s->d->auth, id, line, &r, s->arena, &err) != 0) {
		imapd_auth_unavailable(s, tag, &err);
	} else if (r.status == AUTH_LOGIN_CONTINUE) {
		imapd_auth_continue(s, tag, &r);
	} else {
		imapd_auth_result(s, tag, &r, "AUTHENTICATE");
	}
	free(tag);
	free(id);
}

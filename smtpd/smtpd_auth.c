/* SPDX-License-Identifier: MIT */
/*
 * SMTP AUTH (RFC 4954) in smtpd: the AUTH line of the EHLO reply and
 * the AUTH command. The exchange itself is the state machine of
 * smtp/smtp_auth.h; this file does its I/O: it relays the client's
 * base64 lines to authd and authd's challenges back, never seeing a
 * secret, and waits out authd's throttle before each answer (smtpd
 * serves one client per process, so sleeping delays no one else).
 * Client lines are raw network data and secrets: never logged.
 */
#include "smtpd.h"

#include <errno.h>
#include <poll.h>

#include "conf/conf.h"
#include "core/log.h"
#include "ipc/auth_client.h"
#include "smtp/smtp_auth.h"

/* The service name authd knows us by (per-service mechanisms, rights). */
#define SMTPD_AUTH_SERVICE "smtp"

bool
smtpd_auth_enabled(const struct smtpd_session *s)
{
	/* At level encrypt, AUTH exists only once TLS is on. */
	return s->conf->smtpd_sasl_auth_enable &&
	    (s->sd->tls_level != TLS_LEVEL_ENCRYPT || s->tls != NULL);
}

/* The mechanisms for this TLS state into out; false when authd fails. */
static bool
smtpd_auth_mechs(struct smtpd_session *s, bool tls, struct buf *out)
{
	struct err err;

	if (auth_client_mechanisms(
	        s->sd->auth, SMTPD_AUTH_SERVICE, tls, out, &err) == 0)
		return true;
	log_warning(
	    "%s: SASL mechanisms unavailable: %s", s->namaddr, err.text);
	buf_reset(out);
	return false;
}

void
smtpd_auth_ehlo(struct smtpd_session *s, struct buf *text)
{
	buf_reset(&s->auth_mechs);
	if (!smtpd_auth_enabled(s) ||
	    !smtpd_auth_mechs(s, s->tls != NULL, &s->auth_mechs) ||
	    s->auth_mechs.len == 0)
		return;
	buf_printf(text, "AUTH %s\n", s->auth_mechs.data);
	s->ext |= SMTP_CMD_EXT_AUTH;
}

/*
 * Wait out authd's throttle before answering; the reply decoder has
 * checked that the delay is within bounds.
 */
static void
smtpd_auth_delay(unsigned delay_ms)
{
	while (
	    delay_ms > 0 && poll(NULL, 0, (int)delay_ms) < 0 && errno == EINTR)
		;
}

/* The client's next line, after sending what is queued. 0, or -1 lost. */
static int
smtpd_auth_read(
    struct smtpd_session *s, const char **line, size_t *len, bool *too_long)
{
	size_t max = (size_t)s->conf->line_length_limit;
	int r;

	if (stream_flush(&s->io) != 0) {
		smtpd_session_lost(s, errno);
		return -1;
	}
	while (stream_line(&s->io, max, line, len, too_long) != 1) {
		if ((r = stream_fill(&s->io)) <= 0) {
			smtpd_session_lost(s, r == 0 ? 0 : errno);
			return -1;
		}
	}
	return 0;
}

/* Fill the session's view for the state machine. */
static void
smtpd_auth_ctx(struct smtpd_session *s, const struct smtp_cmd *cmd,
    struct buf *tls_mechs, struct smtp_auth_ctx *ctx)
{
	ctx->enabled = smtpd_auth_enabled(s);
	ctx->esmtp = s->esmtp;
	ctx->authenticated = s->sasl_user != NULL;
	ctx->in_txn = s->txn.active;
	ctx->tls_mechs = NULL;
	/* authd could not say at EHLO: ask again, or fail temporarily. */
	if (ctx->enabled && s->auth_mechs.len == 0 &&
	    !smtpd_auth_mechs(s, s->tls != NULL, &s->auth_mechs))
		ctx->mechs = NULL;
	else
		ctx->mechs = s->auth_mechs.data;
	/* RFC 4954 §6 538: say so when TLS would make mech available. */
	if (ctx->enabled && ctx->mechs != NULL && s->tls == NULL &&
	    smtpd_tls_offered(s) &&
	    !smtp_auth_mech_listed(ctx->mechs, cmd->auth.mech) &&
	    smtpd_auth_mechs(s, true, tls_mechs))
		ctx->tls_mechs = tls_mechs->data;
}

/* One request to authd for START or STEP; its answer goes into a. */
static void
smtpd_auth_ask(struct smtpd_session *s, struct smtp_auth *a, const char *id,
    struct smtp_auth_next *nx, struct auth_login_reply *reply)
{
	const struct auth_login_ctx lctx = {.service = SMTPD_AUTH_SERVICE,
	    .client_addr = s->addr,
	    .tls = s->tls != NULL};
	struct err err;
	int rc;

	if (nx->what == SMTP_AUTH_DO_START)
		rc = auth_client_sasl_start(s->sd->auth, &lctx, nx->mech,
		    nx->response, reply, s->cmd_arena, &err);
	else
		rc = auth_client_sasl_step(
		    s->sd->auth, id, nx->response, reply, s->cmd_arena, &err);
	if (rc != 0)
		log_warning("%s: authd: %s", s->namaddr, err.text);
	else
		smtpd_auth_delay(reply->delay_ms);
	smtp_auth_answer(a, rc == 0 ? reply : NULL, nx);
}

/* The exchange has ended with nx: reply, and remember a success. */
static int
smtpd_auth_finish(struct smtpd_session *s, const char *mech, const char *id,
    const struct smtp_auth_next *nx, const struct auth_login_reply *reply)
{
	if (nx->what == SMTP_AUTH_DO_ABORT && id != NULL)
		auth_client_sasl_abort(s->sd->auth, id);
	if (nx->what == SMTP_AUTH_DO_OK) {
		s->sasl_user = arena_strdup(s->arena, reply->user);
		s->sasl_method = arena_strdup(s->arena, mech);
	} else if (nx->code == 535 || nx->code == 454) {
		log_warning("%s: SASL %s authentication failed%s", s->namaddr,
		    mech, nx->code == 454 ? ": temporary failure" : "");
	}
	smtpd_reply(s, nx->code, nx->dsn, "%s", nx->text);
	return nx->what == SMTP_AUTH_DO_OK ? 0 : -1;
}

int
smtpd_auth(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	struct auth_login_reply reply = {0};
	struct smtp_auth_next nx;
	struct smtp_auth a = {0};
	struct smtp_auth_ctx ctx;
	struct buf tls_mechs;
	const char *line, *id = NULL;
	size_t len;
	bool too_long;

	buf_init(&tls_mechs);
	smtpd_auth_ctx(s, cmd, &tls_mechs, &ctx);
	smtp_auth_begin(&a, &ctx, cmd, &nx);
	buf_deinit(&tls_mechs);
	while (nx.what == SMTP_AUTH_DO_START || nx.what == SMTP_AUTH_DO_STEP) {
		smtpd_auth_ask(s, &a, id, &nx, &reply);
		if (nx.what != SMTP_AUTH_DO_CHALLENGE)
			break;
		id = reply.id;
		smtp_auth_challenge(&s->io.out, nx.text);
		if (smtpd_auth_read(s, &line, &len, &too_long) != 0) {
			auth_client_sasl_abort(s->sd->auth, id);
			return 1;
		}
		smtp_auth_response(&a, line, len, too_long, &nx, s->cmd_arena);
	}
	return smtpd_auth_finish(s, cmd->auth.mech, id, &nx, &reply);
}

/* SPDX-License-Identifier: MIT */
/*
 * TLS in smtpd (RFC 3207 STARTTLS, RFC 8314 implicit TLS on smtps): the
 * server context built before the jail (the key is readable by root
 * only), the STARTTLS command, the handshake at connect in wrapper
 * mode, and the gate of smtpd_tls_security_level = encrypt. Bytes the
 * client pipelined after STARTTLS came in plaintext and are thrown
 * away (tls_stream_start), never read as commands.
 */
#include "smtpd.h"

#include "conf/conf.h"
#include "core/log.h"
#include "tls/tls.h"
#include "tls/tls_daemon.h"

void
smtpd_tls_setup(struct smtpd *sd)
{
	struct tls_daemon t;

	tls_daemon_setup(sd->conf, "smtpd", &t);
	sd->tls = t.ctx;
	sd->tls_level = t.level;
	sd->tls_wrapper = t.wrapper;
}

bool
smtpd_tls_offered(const struct smtpd_session *s)
{
	return s->sd->tls != NULL && s->tls == NULL;
}

bool
smtpd_tls_refused(struct smtpd_session *s, enum smtp_cmd_verb verb)
{
	if (s->sd->tls_level != TLS_LEVEL_ENCRYPT || s->tls != NULL)
		return false;
	switch (verb) {
	case SMTP_CMD_MAIL:
	case SMTP_CMD_RCPT:
	case SMTP_CMD_DATA:
	case SMTP_CMD_BDAT:
	case SMTP_CMD_VRFY:
	case SMTP_CMD_EXPN:
	case SMTP_CMD_AUTH:
		smtpd_reply(s, 530, "5.7.0",
		    "Must issue a STARTTLS command first");
		return true;
	default:
		return false;
	}
}

/* Handshake on the stream; on failure log it and end the session. */
static int
smtpd_tls_handshake(struct smtpd_session *s)
{
	struct err err;
	size_t discarded = 0;

	if (tls_ctx_check(s->sd->tls, &err) < 0)
		log_warning("TLS: keeping the loaded certificate: %s",
		    err.text);
	if ((s->tls = tls_session_server_new(s->sd->tls, s->io.fd, &err)) ==
	        NULL ||
	    tls_stream_start(&s->io, s->tls, &discarded, &err) != 0) {
		log_info("SSL_accept error from %s: %s", s->namaddr, err.text);
		/* The stream still runs over the plain fd: safe to free. */
		tls_session_free(&s->tls);
		smtpd_log_event(s, "lost connection");
		s->done = true;
		return -1;
	}
	if (discarded > 0)
		log_warning("%s: discarded %zu bytes of plaintext pipelined "
		            "after STARTTLS",
		    s->namaddr, discarded);
	buf_reset(&s->tls_desc);
	tls_session_describe(s->tls, &s->tls_desc);
	log_info("%s TLS connection established from %s: %s",
	    tls_session_trust(s->tls), s->namaddr, s->tls_desc.data);
	return 0;
}

int
smtpd_tls_wrapper(struct smtpd_session *s)
{
	if (!s->sd->tls_wrapper)
		return 0;
	s->where = "CONNECT";
	return smtpd_tls_handshake(s);
}

int
smtpd_tls_starttls(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	if (s->tls != NULL) {
		smtpd_reply(s, 503, "5.5.1", "Error: TLS already active");
		return -1;
	}
	if (s->sd->tls == NULL || s->sd->tls_wrapper) {
		smtpd_reply(
		    s, 502, "5.5.1", "Error: command not implemented");
		return -1;
	}
	smtpd_reply(s, 220, "2.0.0", "Ready to start TLS");
	if (smtpd_tls_handshake(s) != 0)
		return 1;
	/* RFC 3207 §4.2: forget everything learnt before TLS. */
	smtpd_session_txn_reset(s);
	s->helo = NULL;
	buf_reset(&s->helo_buf);
	s->esmtp = false;
	s->ext = 0;
	s->sasl_user = NULL;
	s->sasl_method = NULL;
	buf_reset(&s->auth_mechs);
	return 0;
}

void
smtpd_tls_end(struct smtpd_session *s)
{
	if (s->tls != NULL)
		tls_session_shutdown(s->tls);
}

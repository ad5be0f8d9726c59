/* SPDX-License-Identifier: MIT */
/*
 * HELO and EHLO (RFC 5321 §4.1.1.1): remember the client's name, start
 * afresh (§4.1.4: EHLO implies RSET), and for EHLO list the extensions
 * this server offers. The name is client text: any checks on it are
 * restrictions (smtpd_helo_restrictions), run with the MAIL or RCPT
 * restrictions.
 */
#include "smtpd.h"

#include "conf/conf.h"

static void
smtpd_ehlo_greet(
    struct smtpd_session *s, const struct smtp_cmd *cmd, bool esmtp)
{
	smtpd_session_txn_reset(s);
	buf_set(&s->helo_buf, cmd->helo.name);
	s->helo = s->helo_buf.data;
	s->esmtp = esmtp;
	s->ext = 0;
	if (esmtp)
		s->ext = SMTP_CMD_EXT_SIZE | SMTP_CMD_EXT_8BITMIME |
		    SMTP_CMD_EXT_SMTPUTF8 | SMTP_CMD_EXT_DSN;
}

int
smtpd_ehlo(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	const struct conf *conf = s->conf;
	struct buf text;

	smtpd_ehlo_greet(s, cmd, true);
	buf_init(&text);
	buf_printf(&text, "%s\nPIPELINING\n", conf->myhostname);
	/* RFC 1870 §4: SIZE without a number means no fixed limit. */
	if (conf->message_size_limit > 0)
		buf_printf(&text, "SIZE %lld\n", conf->message_size_limit);
	else
		buf_puts(&text, "SIZE\n");
	if (!conf->disable_vrfy_command)
		buf_puts(&text, "VRFY\n");
	/* RFC 3207 §4.2: not offered again once TLS is on. */
	if (smtpd_tls_offered(s))
		buf_puts(&text, "STARTTLS\n");
	smtpd_auth_ehlo(s, &text);
	buf_puts(&text,
	    "ENHANCEDSTATUSCODES\n8BITMIME\nDSN\nSMTPUTF8\n"
	    "CHUNKING");
	/* RFC 2034: the EHLO reply itself carries no enhanced codes. */
	smtpd_reply(s, 250, NULL, "%s", text.data);
	buf_deinit(&text);
	return 0;
}

int
smtpd_helo(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	smtpd_ehlo_greet(s, cmd, false);
	smtpd_reply(s, 250, NULL, "%s", s->conf->myhostname);
	return 0;
}

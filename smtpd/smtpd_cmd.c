/* SPDX-License-Identifier: MIT */
/*
 * The command table: parse one client line (smtp/smtp_cmd.h), run its
 * handler, count it, and apply the error limits. The commands that
 * need no file of their own (RSET, NOOP, QUIT, HELP, and those this
 * server does not offer yet) are here too. Input is raw network data.
 */
#include "smtpd.h"

#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"

typedef int smtpd_cmd_fn(struct smtpd_session *s, const struct smtp_cmd *cmd);

static int
smtpd_cmd_rset(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	smtpd_session_txn_reset(s);
	smtpd_reply(s, 250, "2.0.0", "Ok");
	return 0;
}

static int
smtpd_cmd_noop(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	smtpd_reply(s, 250, "2.0.0", "Ok");
	return 0;
}

static int
smtpd_cmd_quit(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	smtpd_reply(s, 221, "2.0.0", "Bye");
	s->done = true;
	return 0;
}

static int
smtpd_cmd_help(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	smtpd_reply(s, 214, "2.0.0",
	    "Commands: EHLO HELO MAIL RCPT DATA "
	    "BDAT RSET NOOP QUIT HELP VRFY STARTTLS AUTH");
	return 0;
}

/* EXPN: not offered by this server. */
static int
smtpd_cmd_not_implemented(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	(void)cmd;
	smtpd_reply(s, 502, "5.5.1", "Error: command not implemented");
	return -1;
}

static smtpd_cmd_fn *const smtpd_cmd_table[SMTPD_NVERB] = {
    [SMTP_CMD_EHLO] = smtpd_ehlo,
    [SMTP_CMD_HELO] = smtpd_helo,
    [SMTP_CMD_MAIL] = smtpd_mail,
    [SMTP_CMD_RCPT] = smtpd_rcpt,
    [SMTP_CMD_DATA] = smtpd_data,
    [SMTP_CMD_BDAT] = smtpd_bdat,
    [SMTP_CMD_RSET] = smtpd_cmd_rset,
    [SMTP_CMD_NOOP] = smtpd_cmd_noop,
    [SMTP_CMD_QUIT] = smtpd_cmd_quit,
    [SMTP_CMD_HELP] = smtpd_cmd_help,
    [SMTP_CMD_VRFY] = smtpd_vrfy,
    [SMTP_CMD_EXPN] = smtpd_cmd_not_implemented,
    [SMTP_CMD_AUTH] = smtpd_auth,
    [SMTP_CMD_STARTTLS] = smtpd_tls_starttls,
};

/* Limits the parser applies: what we announced, and our settings. */
static void
smtpd_cmd_limits(const struct smtpd_session *s, struct smtp_cmd_limits *lim)
{
	lim->line_max = (size_t)s->conf->line_length_limit;
	lim->path_max = 256 + 2; /* RFC 5321 §4.5.3.1.3, with <> */
	lim->param_max = 10;
	lim->ext = s->ext;
	lim->flags = 0;
	if (s->conf->strict_rfc821_envelopes)
		lim->flags |= SMTP_CMD_STRICT_PATH;
	if (s->txn.active && s->txn.mail.smtputf8)
		lim->flags |= SMTP_CMD_UTF8_TXN;
}

/* After a failed command: slow down, then hang up (Postfix limits). */
static void
smtpd_cmd_error(struct smtpd_session *s)
{
	s->errors++;
	if (s->errors >= s->conf->smtpd_hard_error_limit) {
		smtpd_reply(s, 421, "4.7.0", "%s Error: too many errors",
		    s->conf->myhostname);
		smtpd_log_event(s, "too many errors");
		s->done = true;
		return;
	}
	if (s->errors > s->conf->smtpd_soft_error_limit &&
	    s->conf->smtpd_error_sleep_time > 0)
		sleep((unsigned)s->conf->smtpd_error_sleep_time);
}

void
smtpd_cmd_line(
    struct smtpd_session *s, const char *line, size_t len, bool too_long)
{
	struct smtp_cmd_limits lim;
	struct smtp_cmd cmd = {0};
	struct err err;
	int rc;

	smtpd_cmd_limits(s, &lim);
	if (too_long) {
		cmd.verb = SMTP_CMD_UNKNOWN;
		smtpd_reply(s, 500, "5.5.6", "Error: line too long");
		rc = -1;
	} else if (smtp_cmd_parse(line, len, &lim, &cmd, s->cmd_arena, &err) !=
	    0) {
		smtpd_reply_err(s, cmd.code, &err);
		rc = -1;
	} else {
		if (smtpd_cmd_table[cmd.verb] == NULL)
			PANIC("%s: no handler for %s", __func__,
			    smtp_cmd_verb_name(cmd.verb));
		s->where = smtp_cmd_verb_name(cmd.verb);
		rc = smtpd_tls_refused(s, cmd.verb)
		    ? -1
		    : smtpd_cmd_table[cmd.verb](s, &cmd);
	}
	if (rc != 0 && cmd.verb == SMTP_CMD_UNKNOWN)
		s->where = "UNKNOWN";
	else if (rc != 0 && !s->done)
		s->where = smtp_cmd_verb_name(cmd.verb);
	s->ncmd[cmd.verb]++;
	if (rc == 0)
		s->nok[cmd.verb]++;
	else if (rc < 0 && !s->done)
		smtpd_cmd_error(s);
}

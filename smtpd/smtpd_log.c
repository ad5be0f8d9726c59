/* SPDX-License-Identifier: MIT */
/*
 * smtpd's log lines, in Postfix's shape so existing log analysers work
 * (DESIGN.md section 9): connect, "ID: client=", reject lines with the
 * envelope so far, the SASL login of the client= line, time-outs and
 * lost connections, and the disconnect line with per-command counts.
 * Client text (HELO, addresses, reply text built from them) is escaped
 * and capped before it is logged.
 */
#include "smtpd.h"

#include <string.h>

#include "core/log.h"

/* Longest piece of client text in one log field. */
#define SMTPD_LOG_CAP 512

/* The disconnect line's order and names, as Postfix prints them. */
static const struct {
	enum smtp_cmd_verb verb;
	const char *name;
} smtpd_log_counts[] = {
    {SMTP_CMD_HELO, "helo"},
    {SMTP_CMD_EHLO, "ehlo"},
    {SMTP_CMD_STARTTLS, "starttls"},
    {SMTP_CMD_AUTH, "auth"},
    {SMTP_CMD_MAIL, "mail"},
    {SMTP_CMD_RCPT, "rcpt"},
    {SMTP_CMD_DATA, "data"},
    {SMTP_CMD_BDAT, "bdat"},
    {SMTP_CMD_RSET, "rset"},
    {SMTP_CMD_NOOP, "noop"},
    {SMTP_CMD_VRFY, "vrfy"},
    {SMTP_CMD_EXPN, "expn"},
    {SMTP_CMD_HELP, "help"},
    {SMTP_CMD_QUIT, "quit"},
    {SMTP_CMD_UNKNOWN, "unknown"},
};

static const char *
smtpd_log_esc(const char *in, char *out, size_t outsz)
{
	return log_escape(in, strlen(in), SMTPD_LOG_CAP, out, outsz);
}

void
smtpd_log_connect(const struct smtpd_session *s)
{
	char name[SMTPD_LOG_CAP * 4 + 1];

	log_info(
	    "connect from %s", smtpd_log_esc(s->namaddr, name, sizeof(name)));
}

static void
smtpd_log_count(struct buf *b, const char *name, unsigned ok, unsigned total)
{
	if (ok == total)
		buf_printf(b, " %s=%u", name, total);
	else
		buf_printf(b, " %s=%u/%u", name, ok, total);
}

void
smtpd_log_disconnect(const struct smtpd_session *s)
{
	char name[SMTPD_LOG_CAP * 4 + 1];
	unsigned ok = 0, total = 0;
	struct buf line;
	size_t i;

	buf_init(&line);
	for (i = 0; i < sizeof(smtpd_log_counts) / sizeof(smtpd_log_counts[0]);
	     i++) {
		enum smtp_cmd_verb v = smtpd_log_counts[i].verb;

		if (s->ncmd[v] == 0)
			continue;
		smtpd_log_count(
		    &line, smtpd_log_counts[i].name, s->nok[v], s->ncmd[v]);
		ok += s->nok[v];
		total += s->ncmd[v];
	}
	smtpd_log_count(&line, "commands", ok, total);
	log_info("disconnect from %s%s",
	    smtpd_log_esc(s->namaddr, name, sizeof(name)), line.data);
	buf_deinit(&line);
}

void
smtpd_log_reject(const struct smtpd_session *s, const char *stage,
    const struct smtpd_verdict *v, const char *recipient)
{
	char esc[SMTPD_LOG_CAP * 4 + 1];
	struct buf line;

	buf_init(&line);
	buf_printf(&line, "%s: reject: %s from ",
	    s->txn.id[0] != '\0' ? s->txn.id : "NOQUEUE", stage);
	buf_printf(&line, "%s: %d ",
	    smtpd_log_esc(s->namaddr, esc, sizeof(esc)), v->code);
	if (v->dsn[0] != '\0')
		buf_printf(&line, "%s ", v->dsn);
	buf_printf(&line, "%s;", smtpd_log_esc(v->text, esc, sizeof(esc)));
	if (s->txn.sender != NULL)
		buf_printf(&line, " from=<%s>",
		    smtpd_log_esc(s->txn.sender, esc, sizeof(esc)));
	if (recipient != NULL)
		buf_printf(&line, " to=<%s>",
		    smtpd_log_esc(recipient, esc, sizeof(esc)));
	buf_printf(&line, " proto=%s", smtpd_session_protocol(s));
	if (s->helo != NULL)
		buf_printf(&line, " helo=<%s>",
		    smtpd_log_esc(s->helo, esc, sizeof(esc)));
	log_info("%s", line.data);
	buf_deinit(&line);
}

void
smtpd_log_queued_client(const struct smtpd_session *s)
{
	char esc[SMTPD_LOG_CAP * 4 + 1];
	char user[SMTPD_LOG_CAP * 4 + 1];

	if (s->sasl_user == NULL) {
		log_info("%s: client=%s", s->txn.id,
		    smtpd_log_esc(s->namaddr, esc, sizeof(esc)));
		return;
	}
	log_info("%s: client=%s, sasl_method=%s, sasl_username=%s", s->txn.id,
	    smtpd_log_esc(s->namaddr, esc, sizeof(esc)), s->sasl_method,
	    smtpd_log_esc(s->sasl_user, user, sizeof(user)));
}

void
smtpd_log_event(const struct smtpd_session *s, const char *what)
{
	char esc[SMTPD_LOG_CAP * 4 + 1];

	log_info("%s after %s from %s", what, s->where,
	    smtpd_log_esc(s->namaddr, esc, sizeof(esc)));
}

void
smtpd_log_warning(const struct smtpd_session *s, const char *what,
    const char *text, const char *detail)
{
	char name[SMTPD_LOG_CAP * 4 + 1];
	char esc[SMTPD_LOG_CAP * 4 + 1];

	log_warning("%s: %s <%s>: %s",
	    smtpd_log_esc(s->namaddr, name, sizeof(name)), what,
	    smtpd_log_esc(text, esc, sizeof(esc)), detail);
}

/* SPDX-License-Identifier: MIT */
/*
 * MAIL FROM (RFC 5321 §4.1.1.2): start a transaction after the size
 * (RFC 1870), free space and sender restriction checks. The sender and
 * its ESMTP parameters (BODY, SMTPUTF8, RET, ENVID, AUTH) are copied
 * into the transaction's arena for the queue file. Client input
 * throughout.
 */
#include "smtpd.h"

#include <string.h>

#include "conf/conf.h"

static char *
smtpd_mail_dup(struct smtpd_session *s, const char *p)
{
	return p != NULL ? arena_strdup(s->txn_arena, p) : NULL;
}

/* Keep what the transaction needs beyond this command line. */
static void
smtpd_mail_keep(struct smtpd_session *s, const struct smtp_cmd_mail *m)
{
	struct smtp_cmd_mail *k = &s->txn.mail;

	*k = *m;
	k->addr.local = smtpd_mail_dup(s, m->addr.local);
	k->addr.domain = smtpd_mail_dup(s, m->addr.domain);
	k->addr.route = smtpd_mail_dup(s, m->addr.route);
	k->envid = smtpd_mail_dup(s, m->envid);
	k->auth = smtpd_mail_dup(s, m->auth);
}

/*
 * RFC 4954 §5: AUTH=<> or AUTH=addr-spec (xtext, decoded by the
 * parser). An unauthenticated client's value is not trusted: it counts
 * as <>. 0, or -1 after a 501 reply for a value that is no address.
 */
static int
smtpd_mail_auth(struct smtpd_session *s, struct smtp_cmd_mail *k)
{
	struct address a;

	if (k->auth == NULL || strcmp(k->auth, "<>") == 0)
		return 0;
	if (address_parse(k->auth, strlen(k->auth),
	        k->smtputf8 ? ADDRESS_SMTPUTF8 : 0, &a, s->cmd_arena,
	        NULL) != 0) {
		smtpd_reply(s, 501, "5.5.4", "Bad AUTH parameter value");
		return -1;
	}
	if (s->sasl_user == NULL)
		k->auth = arena_strdup(s->txn_arena, "<>");
	return 0;
}

/* Checks that need no policy: state, size, room in the queue. */
static int
smtpd_mail_precheck(struct smtpd_session *s, const struct smtp_cmd_mail *m)
{
	long long limit = s->conf->message_size_limit;
	struct err err;

	if (s->conf->smtpd_helo_required && s->helo == NULL) {
		smtpd_reply(s, 503, "5.5.1", "Error: send HELO/EHLO first");
		return -1;
	}
	if (s->txn.active) {
		smtpd_reply(s, 503, "5.5.1", "Error: nested MAIL command");
		return -1;
	}
	if (m->has_size && limit > 0 && m->size > (uint64_t)limit) {
		smtpd_reply(
		    s, 552, "5.3.4", "Message size exceeds fixed limit");
		return -1;
	}
	if (smtpd_queue_space(s, m->has_size ? m->size : 0, &err) != 0) {
		smtpd_reply_err(s, 452, &err);
		return -1;
	}
	return 0;
}

int
smtpd_mail(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	const struct smtp_cmd_mail *m = &cmd->mail;
	struct smtpd_check chk = {.stage = "MAIL"};
	struct smtpd_verdict v;

	if (smtpd_mail_precheck(s, m) != 0)
		return -1;
	/* The restrictions and the reject log line need the sender. */
	s->txn.sender =
	    m->null_sender ? "" : address_internal(&m->addr, s->txn_arena);
	smtpd_mail_keep(s, m);
	if (smtpd_mail_auth(s, &s->txn.mail) != 0) {
		smtpd_session_txn_reset(s);
		return -1;
	}
	if (smtpd_policy_mail(s, &chk, &v) != 0) {
		smtpd_reply(s, v.code, v.dsn, "%s", v.text);
		smtpd_log_reject(s, "MAIL", &v, NULL);
		smtpd_session_txn_reset(s);
		return -1;
	}
	s->txn.active = true;
	smtpd_reply(s, 250, "2.1.0", "Ok");
	return 0;
}

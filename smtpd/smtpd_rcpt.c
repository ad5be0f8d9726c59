/* SPDX-License-Identifier: MIT */
/*
 * RCPT TO (RFC 5321 §4.1.1.3) and VRFY (§4.1.1.6, §7.3): the recipient
 * limit, the restriction lists, the recipient check (known users, quota)
 * and, at the first accepted recipient, the queue file, whose id every
 * later log line of the transaction carries. Client input throughout.
 */
#include "smtpd.h"

#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "smtp/smtp_xtext.h"

/* The address a recipient is queued and looked up as. */
static const char *
smtpd_rcpt_address(struct smtpd_session *s, const struct smtp_cmd_rcpt *r,
    struct address *a_out)
{
	*a_out = r->addr;
	/* RFC 5321 §4.1.1.3: <Postmaster> is this server's postmaster. */
	if (r->postmaster || a_out->domain == NULL) {
		a_out->domain = arena_strdup(s->cmd_arena, s->conf->myhostname);
		a_out->domain_kind = ADDRESS_DOMAIN_NAME;
	}
	return address_internal(a_out, s->cmd_arena);
}

static unsigned
smtpd_rcpt_notify(unsigned notify)
{
	unsigned out = 0;

	if (notify & SMTP_CMD_NOTIFY_NEVER)
		out |= QUEUE_NOTIFY_NEVER;
	if (notify & SMTP_CMD_NOTIFY_SUCCESS)
		out |= QUEUE_NOTIFY_SUCCESS;
	if (notify & SMTP_CMD_NOTIFY_FAILURE)
		out |= QUEUE_NOTIFY_FAILURE;
	if (notify & SMTP_CMD_NOTIFY_DELAY)
		out |= QUEUE_NOTIFY_DELAY;
	return out;
}

/* Append the accepted recipient to the transaction. */
static void
smtpd_rcpt_add(struct smtpd_session *s, const struct smtp_cmd_rcpt *r,
    const char *internal)
{
	struct smtpd_txn *t = &s->txn;
	struct queue_rcpt *qr;
	struct buf x;

	if (t->nrcpt == t->rcpt_cap) {
		size_t cap = t->rcpt_cap ? t->rcpt_cap * 2 : 8;
		struct queue_rcpt *n =
		    arena_zalloc(s->txn_arena, cap * sizeof(*n));

		if (t->nrcpt > 0)
			memcpy(n, t->rcpts, t->nrcpt * sizeof(*n));
		t->rcpts = n;
		t->rcpt_cap = cap;
	}
	qr = &t->rcpts[t->nrcpt++];
	memset(qr, 0, sizeof(*qr));
	qr->address = arena_strdup(s->txn_arena, internal);
	qr->notify = smtpd_rcpt_notify(r->notify);
	if (r->orcpt != NULL) {
		/* RFC 3461 §4.2: kept as received, "type;xtext". */
		buf_init(&x);
		smtp_xtext_encode(&x, r->orcpt, strlen(r->orcpt));
		qr->orcpt = arena_printf(s->txn_arena, "%s;%s",
		    r->orcpt_type != NULL ? r->orcpt_type : "rfc822", x.data);
		buf_deinit(&x);
	}
}

/* Restrictions, then the recipient check; -1 with the refusal in *v. */
static int
smtpd_rcpt_allowed(struct smtpd_session *s, const struct address *a,
    const char *internal, struct smtpd_verdict *v)
{
	struct smtpd_check chk = {
	    .stage = "RCPT", .rcpt = a, .recipient = internal};

	if (smtpd_policy_rcpt(s, &chk, v) != 0)
		return -1;
	if (!s->conf->smtpd_reject_unlisted_recipient)
		return 0;
	return smtpd_recipient_check(s, a, internal, v) == 1 ? 0 : -1;
}

int
smtpd_rcpt(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	struct smtpd_verdict v;
	struct address a;
	const char *internal;
	struct err err;

	if (!s->txn.active) {
		smtpd_reply(s, 503, "5.5.1", "Error: need MAIL command");
		return -1;
	}
	if (s->txn.nrcpt >= (size_t)s->conf->smtpd_recipient_limit) {
		/* RFC 5321 §4.5.3.1.10: 452, and the client goes on. */
		smtpd_reply(s, 452, "4.5.3", "Error: too many recipients");
		return 1;
	}
	internal = smtpd_rcpt_address(s, &cmd->rcpt, &a);
	if (smtpd_rcpt_allowed(s, &a, internal, &v) != 0) {
		smtpd_reply(s, v.code, v.dsn, "%s", v.text);
		smtpd_log_reject(s, "RCPT", &v, internal);
		return -1;
	}
	if (s->txn.writer == NULL) {
		if (smtpd_queue_open(s, &err) != 0) {
			log_warning("%s: queue file: %s", s->namaddr, err.text);
			smtpd_reply(
			    s, 451, "4.3.0", "Error: queue file write error");
			return -1;
		}
		smtpd_log_queued_client(s);
	}
	smtpd_rcpt_add(s, &cmd->rcpt, internal);
	smtpd_reply(s, 250, "2.1.5", "Ok");
	return 0;
}

int
smtpd_vrfy(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
	const char *arg = cmd->arg;
	size_t len = strlen(arg);
	struct smtpd_verdict v;
	struct address a;
	struct err err;

	if (s->conf->disable_vrfy_command) {
		/* RFC 5321 §3.5.3: 252, neither confirmed nor denied. */
		smtpd_reply(
		    s, 252, "2.0.0", "VRFY is disabled; send mail to find out");
		return 0;
	}
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>') {
		arg++;
		len -= 2;
	}
	if (address_parse(arg, len, ADDRESS_SMTPUTF8, &a, s->cmd_arena, &err) !=
	    0) {
		smtpd_reply(s, 501, "5.1.3", "Bad recipient address syntax");
		return -1;
	}
	if (smtpd_recipient_check(
	        s, &a, address_internal(&a, s->cmd_arena), &v) != 1) {
		smtpd_reply(s, v.code, v.dsn, "%s", v.text);
		return -1;
	}
	smtpd_reply(s, 252, "2.0.0", "%s", address_canonical(&a, s->cmd_arena));
	return 0;
}

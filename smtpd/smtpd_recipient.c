/* SPDX-License-Identifier: MIT */
/*
 * Whose mail this server takes: the class of a recipient's domain
 * (mydestination, virtual alias or mailbox domains, relay_domains,
 * remote), the relay check behind reject_unauth_destination, and the
 * recipient check behind reject_unlisted_recipient: aliases, virtual
 * aliases, then users through authd, with the quota when the client
 * declared SIZE. Addresses are client input; a failed lookup is always
 * a 4xx, never "unknown".
 */
#include "smtpd.h"

#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "ipc/auth_client.h"
#include "ipc/deliver_usage.h"
#include "map/map.h"
#include "msg/domain_local.h"

/* The local agent answers a usage question from its directory walk. */
#define SMTPD_USAGE_TIMEOUT_MS 10000

enum smtpd_rcpt_class
smtpd_recipient_class(const struct smtpd_session *s, const struct address *a)
{
	const struct conf *c = s->conf;

	if (a->domain == NULL)
		return SMTPD_RCPT_LOCAL;
	if (a->domain_kind != ADDRESS_DOMAIN_NAME)
		return SMTPD_RCPT_REMOTE;
	switch (domain_local_class(c, a->domain)) {
	case DOMAIN_LOCAL_MYDEST:
		return SMTPD_RCPT_LOCAL;
	case DOMAIN_LOCAL_VALIAS:
		return SMTPD_RCPT_VALIAS;
	case DOMAIN_LOCAL_VMAILBOX:
		return SMTPD_RCPT_VMAILBOX;
	case DOMAIN_LOCAL_NONE:
		break;
	}
	if (domain_local_match(c->relay_domains, a->domain))
		return SMTPD_RCPT_RELAY;
	return SMTPD_RCPT_REMOTE;
}

bool
smtpd_recipient_authorized(
    const struct smtpd_session *s, const struct address *a)
{
	/* user%remote@local and friends would relay through us. */
	if (address_routing(a) != 0)
		return false;
	return smtpd_recipient_class(s, a) != SMTPD_RCPT_REMOTE;
}

/* Aliases (local domains) and virtual aliases: 1, 0 or -1. */
static int
smtpd_recipient_aliases(struct smtpd_session *s, enum smtpd_rcpt_class cls,
    const char *internal, struct err *err)
{
	const char *delim = s->conf->recipient_delimiter;
	struct buf value;
	int rc = 0;

	buf_init(&value);
	if (cls == SMTPD_RCPT_LOCAL && s->sd->alias_maps != NULL)
		rc = maps_lookup_address(
		    s->sd->alias_maps, internal, true, delim, &value, err);
	if (rc == 0 && s->sd->virtual_alias_maps != NULL)
		rc = maps_lookup_address(s->sd->virtual_alias_maps, internal,
		    cls == SMTPD_RCPT_LOCAL, delim, &value, err);
	buf_deinit(&value);
	return rc;
}

/* authd, with the address extension removed on a miss: 1, 0 or -1. */
static int
smtpd_recipient_user(struct smtpd_session *s, const char *internal,
    struct auth_account *acct, struct err *err)
{
	struct address_parts parts;
	const char *base;
	int rc;

	rc = auth_client_lookup(s->sd->auth, internal, acct, s->cmd_arena, err);
	if (rc != 0)
		return rc;
	address_split(
	    internal, strlen(internal), s->conf->recipient_delimiter, &parts);
	if (parts.ext == NULL || parts.domain == NULL)
		return 0;
	base = arena_printf(s->cmd_arena, "%.*s@%.*s", (int)parts.local_len,
	    parts.local, (int)parts.domain_len, parts.domain);
	return auth_client_lookup(s->sd->auth, base, acct, s->cmd_arena, err);
}

/*
 * RFC 1870 §6 / RFC 5321 §4.5.3.1.10: refuse at RCPT what cannot fit,
 * the announced size on top of what the mailbox holds, which the local
 * agent tells (deliver_usage.h). When it cannot, the size alone is
 * checked here; local delivery checks again in any case.
 */
static int
smtpd_recipient_quota(struct smtpd_session *s, const char *internal,
    const struct auth_account *acct, struct smtpd_verdict *v)
{
	char path[sizeof("private/") + 256];
	uint64_t used = 0;
	struct err err;

	if (acct->quota == 0 || !s->txn.mail.has_size)
		return 1;
	if (s->txn.mail.size <= acct->quota) {
		/* Relative: the working directory is the queue's root. */
		snprintf(path, sizeof(path), "private/%s",
		    s->conf->local_transport);
		if (deliver_usage_query(path, acct->address,
		        SMTPD_USAGE_TIMEOUT_MS, &used, &err) < 0) {
			smtpd_log_warning(s, "mailbox usage of", internal,
			    err.text);
			used = 0;
		}
		if (used <= acct->quota - s->txn.mail.size)
			return 1;
	}
	if (s->conf->quota_exceeded_temporary)
		smtpd_verdict_set(v, 452, "4.2.2",
		    "<%s>: Recipient address "
		    "rejected: Mailbox full (quota exceeded)",
		    internal);
	else
		smtpd_verdict_set(v, 552, "5.2.2",
		    "<%s>: Recipient address "
		    "rejected: Mailbox full (quota exceeded)",
		    internal);
	return 0;
}

static const char *
smtpd_recipient_table(enum smtpd_rcpt_class cls)
{
	switch (cls) {
	case SMTPD_RCPT_LOCAL:
		return "local recipient table";
	case SMTPD_RCPT_VALIAS:
		return "virtual alias table";
	default:
		return "virtual mailbox table";
	}
}

int
smtpd_recipient_check(struct smtpd_session *s, const struct address *a,
    const char *internal, struct smtpd_verdict *v)
{
	enum smtpd_rcpt_class cls = smtpd_recipient_class(s, a);
	struct auth_account acct;
	struct err err;
	int rc;

	if (cls == SMTPD_RCPT_REMOTE || cls == SMTPD_RCPT_RELAY)
		return 1;
	/* RFC 5321 §4.5.1: postmaster is always accepted. */
	if (cls == SMTPD_RCPT_LOCAL && strcasecmp(a->local, "postmaster") == 0)
		return 1;
	rc = smtpd_recipient_aliases(s, cls, internal, &err);
	if (rc == 1)
		return 1;
	if (rc == 0 && cls != SMTPD_RCPT_VALIAS)
		rc = smtpd_recipient_user(s, internal, &acct, &err);
	if (rc < 0) {
		smtpd_log_warning(s, "recipient lookup of", internal, err.text);
		smtpd_verdict_set(v, 451, "4.3.0",
		    "<%s>: Recipient address "
		    "rejected: Temporary lookup failure",
		    internal);
		return -1;
	}
	if (rc == 0) {
		smtpd_verdict_set(v, 550, "5.1.1",
		    "<%s>: Recipient address "
		    "rejected: User unknown in %s",
		    internal, smtpd_recipient_table(cls));
		return 0;
	}
	if (!acct.mail_enabled) {
		smtpd_verdict_set(v, 550, "5.2.1",
		    "<%s>: Recipient address "
		    "rejected: Mailbox disabled",
		    internal);
		return 0;
	}
	return smtpd_recipient_quota(s, internal, &acct, v);
}

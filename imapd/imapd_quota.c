/* SPDX-License-Identifier: MIT */
/*
 * QUOTA (RFC 9208) from the user's quota in the users database: one
 * quota root "" holds every folder, with the STORAGE resource in KiB
 * (what the mailbox index counts, as local's quota check does). Admins
 * set quotas with "postern user"; SETQUOTA is refused.
 */
#include "imapd.h"

#include "imapd_mailbox.h"
#include "store/mbox_index.h"

/* "* QUOTA "" (STORAGE used limit)", or nothing without a quota. */
static int
imapd_quota_write(struct imapd_session *s, struct err *err)
{
	uint64_t bytes, messages;

	if (s->u->quota == 0)
		return 0;
	if (mbox_index_usage(s->u->ix, &bytes, &messages, err) != 0)
		return -1;
	imapd_untagged(s, "QUOTA \"\" (STORAGE %llu %llu)",
	    (unsigned long long)((bytes + 1023) / 1024),
	    (unsigned long long)(s->u->quota / 1024));
	return 0;
}

void
imapd_quota_getquotaroot(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf folder;
	struct err err;

	if (cmd->count != 1) {
		imapd_reply(s, cmd->tag, "BAD", "GETQUOTAROOT takes a mailbox");
		return;
	}
	buf_init(&folder);
	if (imapd_select_folder(s, &cmd->args[0], &folder, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
	} else {
		imapd_untagged(s, "QUOTAROOT \"%s\"%s", cmd->args[0].str,
		    s->u->quota != 0 ? " \"\"" : "");
		if (imapd_quota_write(s, &err) != 0)
			imapd_reply_err(s, cmd->tag, &err);
		else
			imapd_reply(
			    s, cmd->tag, "OK", "GETQUOTAROOT completed");
	}
	buf_deinit(&folder);
}

void
imapd_quota_getquota(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct err err;

	if (cmd->count != 1 || !imap_arg_is_astring(&cmd->args[0])) {
		imapd_reply(s, cmd->tag, "BAD", "GETQUOTA takes a quota root");
		return;
	}
	if (cmd->args[0].len != 0 || s->u->quota == 0)
		imapd_reply(s, cmd->tag, "NO",
		    "[NONEXISTENT] No such quota "
		    "root");
	else if (imapd_quota_write(s, &err) != 0)
		imapd_reply_err(s, cmd->tag, &err);
	else
		imapd_reply(s, cmd->tag, "OK", "GETQUOTA completed");
}

void
imapd_quota_setquota(struct imapd_session *s, const struct imap_cmd *cmd)
{
	imapd_reply(s, cmd->tag, "NO",
	    "[NOPERM] Quotas are set by the "
	    "administrator");
}

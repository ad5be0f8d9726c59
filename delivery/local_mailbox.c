/* SPDX-License-Identifier: MIT */
/*
 * Maildir delivery. A user's mailbox is <root>/<domain>/<local>/Maildir,
 * where root is the user's store location when the record names one,
 * else mail_store_directory. The copy is written in Unix form (LF line
 * ends, as Postfix and Dovecot write Maildir files) with local's header
 * fields on top, through store/maildir.h: tmp/, fsync, then a link into
 * new/, so new/ never holds a partial file and a full disk or quota
 * defers (4.3.1, 4.2.2). Mailboxes whose copies are byte-identical --
 * every mailbox one recipient reaches, e.g. through a list alias -- share
 * one written file, hard-linked into each. The account's quota is
 * checked first: over it, 5.2.2 (4.2.2 with quota_exceeded_temporary).
 * Each link is recorded at once in the user's mailbox index
 * (store/mbox_index.h) so IMAP sees the message with its UID; the file
 * is the truth, so an index that cannot be updated is logged and left
 * to the next sync, never a deferral (docs/local.md).
 */
#include "local.h"

#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "store/maildir.h"
#include "store/mbox_index.h"

/* Over quota? Defers or bounces t and returns true. */
static bool
local_mailbox_over_quota(
    struct local_req *r, struct local_target *t, uint64_t size)
{
	uint64_t used;
	struct err err;

	if (t->quota == 0)
		return false;
	if (local_quota_usage(t->path, &used, &err) != 0) {
		local_target_err(r, t, &err);
		return true;
	}
	if (used + size <= t->quota)
		return false;
	local_target_done(r, t,
	    r->lc->conf->quota_exceeded_temporary ? "4.2.2" : "5.2.2",
	    "mailbox full: quota exceeded (%llu of %llu bytes used, message "
	    "%llu bytes)",
	    (unsigned long long)used, (unsigned long long)t->quota,
	    (unsigned long long)size);
	return true;
}

static int
local_mailbox_sink(void *ctx, const char *data, size_t len, struct err *err)
{
	return maildir_msg_write(ctx, data, len, err);
}

/* Write the copy for group[0]'s recipient: 0, or -1 with err. */
static int
local_mailbox_write(struct local_req *r, struct maildir_msg **m_out,
    const char *root, const struct buf *headers, struct err *err)
{
	struct maildir_msg *m;

	if (maildir_msg_open(root, &r->lc->uniq, &m, err) != 0)
		return -1;
	if (maildir_msg_write(m, headers->data, headers->len, err) != 0 ||
	    local_msg_copy(&r->msg, true, local_mailbox_sink, m, err) != 0 ||
	    maildir_msg_finish(m, err) != 0) {
		maildir_msg_free(&m);
		return -1;
	}
	*m_out = m;
	return 0;
}

/*
 * Give the file just linked as name into folder of root its UID. The
 * message is delivered whatever happens here: deferring would deliver
 * it twice, and imapd's or pop3d's sync indexes a file the index lacks.
 */
static void
local_mailbox_index(const char *root, const char *folder, const char *name)
{
	struct mbox_index *ix = NULL;
	struct err err;
	uint32_t uid;

	if (mbox_index_open(root, &ix, &err) != 0 ||
	    mbox_index_append(ix, folder, name, &uid, &err) != 0)
		log_warning("%s: %s: mailbox index not updated, the next sync "
		            "indexes the message: %s",
		    root, name, err.text);
	else
		log_debug("%s: %s: %s uid %lu", root, name,
		    folder != NULL ? folder : "INBOX", (unsigned long)uid);
	mbox_index_close(&ix);
}

/* Deliver the pending mailbox targets whose copy is headers. */
static void
local_mailbox_group(struct local_req *r, const char **blocks, size_t first,
    const struct buf *headers)
{
	struct maildir_msg *m = NULL;
	struct local_target *t;
	struct buf name;
	struct err err;
	size_t i;

	buf_init(&name);
	for (i = first; i < r->ntargets; i++) {
		t = &r->targets[i];
		if (t->kind != LOCAL_TARGET_MAILBOX || t->resolved_done ||
		    strcmp(blocks[i], headers->data) != 0)
			continue;
		/* The file is written in the first mailbox that takes it;
		 * a mailbox that cannot fails alone. */
		if (m == NULL &&
		    local_mailbox_write(r, &m, t->path, headers, &err) != 0) {
			local_target_err(r, t, &err);
			continue;
		}
		buf_reset(&name);
		if (maildir_msg_deliver(m, t->path, t->folder, t->flags, &name,
		        &err) != 0) {
			local_target_err(r, t, &err);
			continue;
		}
		local_mailbox_index(t->path, t->folder, name.data);
		if (t->folder != NULL)
			local_target_done(r, t, "2.0.0",
			    "delivered to maildir folder %s", t->folder);
		else
			local_target_done(r, t, "2.0.0", "delivered to maildir");
	}
	maildir_msg_free(&m);
	buf_deinit(&name);
}

void
local_mailbox_deliver(struct local_req *r)
{
	const char **blocks;
	struct local_target *t;
	struct buf headers;
	size_t i;

	blocks = arena_zalloc(r->arena, (r->ntargets + 1) * sizeof(*blocks));
	buf_init(&headers);
	for (i = 0; i < r->ntargets; i++) {
		t = &r->targets[i];
		/* Sieve may have settled it already (discard, reject). */
		if (t->kind != LOCAL_TARGET_MAILBOX || t->resolved_done)
			continue;
		local_header_block(r, t->rcpt, "\n", &headers);
		blocks[i] = arena_strdup(r->arena, headers.data);
		/* LF line ends only shrink the content. */
		local_mailbox_over_quota(r, t, r->msg.size + headers.len);
	}
	for (i = 0; i < r->ntargets; i++) {
		t = &r->targets[i];
		if (t->kind != LOCAL_TARGET_MAILBOX || t->resolved_done)
			continue;
		buf_set(&headers, blocks[i]);
		local_mailbox_group(r, blocks, i, &headers);
	}
	buf_deinit(&headers);
}

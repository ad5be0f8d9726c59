/* SPDX-License-Identifier: MIT */
/*
 * Reconcile one folder of the mailbox index with its Maildir files,
 * which are the truth: files the index does not know (delivered by
 * another Maildir tool, or whose index append was lost in a crash) get
 * new UIDs, records whose file is gone are dropped, and flags changed
 * in file names by other tools (mutt, mblaze, Dovecot) are picked up
 * with a new MODSEQ. A folder whose records cannot be read is rebuilt
 * from its files with a new UIDVALIDITY. Used by imapd (SELECT, NOOP,
 * IDLE), pop3d (login) and the postern CLI. Blocks on directory scans.
 */
#ifndef STORE_MBOX_SYNC_H
#define STORE_MBOX_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/mbox_index.h"

/* What one sync did. */
struct mbox_sync_stats {
	size_t added; /* files given a new UID */
	size_t removed; /* records dropped: their file is gone */
	size_t changed; /* records whose name or flags changed */
	size_t skipped; /* files ignored: name too long or not a message */
	bool rebuilt; /* folder state (re)created: new UIDVALIDITY */
};

/*
 * Sync folder (Maildir++ form, NULL/""/"INBOX" for the root): scan new/
 * then cur/ outside any transaction, then apply the differences in one
 * write transaction, checking each file it adds or drops again there so
 * that a concurrent expunge or delivery is never undone. The folder's
 * directory must exist (a missing one is ERR_PERM 5.2.0). stats_out
 * may be NULL. 0, or -1 with err.
 */
int mbox_sync_folder(struct mbox_index *ix, const char *folder,
    struct mbox_sync_stats *stats_out, struct err *err);

#endif

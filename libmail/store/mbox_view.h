/* SPDX-License-Identifier: MIT */
/*
 * A read-only snapshot of one folder of the mailbox index: its counters
 * and every message in ascending UID order, read in one cursor pass of
 * one read transaction (IMAP SELECT, POP3 login, FETCH FLAGS without
 * opening message files). Used by imapd and pop3d. The snapshot does
 * not follow later changes: open a new one (after mbox_sync_folder) to
 * see them. Calls may block on disk I/O.
 */
#ifndef STORE_MBOX_VIEW_H
#define STORE_MBOX_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/mbox_index.h"

struct mbox_view;

/*
 * Snapshot folder (Maildir++ form, NULL/""/"INBOX" for the root). A
 * folder without index state gives an empty view with zero counters.
 * Caller owns *view_out (mbox_view_free). 0, or -1 with err (ERR_TEMP,
 * also for a damaged record: mbox_sync_folder() rebuilds the folder).
 */
int mbox_view_open(struct mbox_index *ix, const char *folder,
    struct mbox_view **view_out, struct err *err);
/* Release; *viewp becomes NULL; NULL is a no-op. */
void mbox_view_free(struct mbox_view **viewp);

/* The counters; borrowed until mbox_view_free. */
const struct mbox_index_status *mbox_view_status(const struct mbox_view *v);
/* Number of messages (IMAP EXISTS). */
size_t mbox_view_count(const struct mbox_view *v);
/*
 * Message i (0-based; i < count; sequence number i + 1), in ascending
 * UID order; the struct and its name are borrowed until mbox_view_free.
 */
const struct mbox_index_msg *mbox_view_msg(const struct mbox_view *v, size_t i);
/* Binary search for uid: 1 with *i_out set, 0 absent. */
int mbox_view_find(const struct mbox_view *v, uint32_t uid, size_t *i_out);
/*
 * Append the path of message i's file, as the snapshot knows it
 * ("<folder dir>/cur/<name>" or ".../new/<name>"), to out. Another
 * Maildir tool may have renamed it since: on ENOENT, sync and reopen.
 */
void mbox_view_path(const struct mbox_view *v, size_t i, struct buf *out);

#endif

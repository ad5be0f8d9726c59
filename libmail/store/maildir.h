/* SPDX-License-Identifier: MIT */
/*
 * Maildir++ delivery for the local delivery agent: create mailboxes and
 * Maildir++ folders on first delivery, write a message into tmp/, fsync
 * it, and link it into new/ (or cur/ with flags) of one or several
 * mailboxes -- by hard links when they share a file system. A message
 * appears in new/ whole or not at all. Not the IMAP index (store/index,
 * later). All calls may block on disk I/O.
 *
 *   maildir_msg_open -> maildir_msg_write ... -> maildir_msg_finish
 *   -> maildir_msg_deliver (once per mailbox) -> maildir_msg_free
 *
 * Errors are struct err: ENOSPC is ERR_TEMP 4.3.1, EDQUOT ERR_TEMP 4.2.2
 * (mailbox full), any other system failure ERR_TEMP 4.3.0; a bad folder
 * name is ERR_PERM 5.2.0.
 */
#ifndef STORE_MAILDIR_H
#define STORE_MAILDIR_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/maildir_name.h"

/*
 * Make sure path is a maildir: create it (and missing parents) and its
 * cur/, new/, tmp/ with mode 0700, fsyncing each parent that got a new
 * entry. Existing directories are left as they are. 0 or -1 with err.
 */
int maildir_create(const char *path, struct err *err);

/*
 * Append to out the directory of folder in the maildir root: root
 * itself for NULL, "" or "INBOX", else root + "/." + folder, with
 * folder in Maildir++ form ("Sub.Folder", already encoded as IMAP wants
 * it). Refuses names with '/', empty components (leading, trailing or
 * doubled '.'), or control characters: 0, or -1 with err (ERR_PERM).
 */
int maildir_folder_path(
    const char *root, const char *folder, struct buf *out, struct err *err);

/*
 * maildir_create for a folder of root, plus the empty "maildirfolder"
 * file Maildir++ puts in every subfolder. Creates root too. 0 or -1.
 */
int maildir_folder_create(
    const char *root, const char *folder, struct err *err);

struct maildir_msg;

/*
 * Start a message in tmp/ of the maildir root (created if missing),
 * named by u. Caller owns *m_out (maildir_msg_free). 0 or -1 with err.
 */
int maildir_msg_open(const char *root, struct maildir_name_uniq *u,
    struct maildir_msg **m_out, struct err *err);

/* Append message bytes (as they should appear in the file). 0 or -1. */
int maildir_msg_write(
    struct maildir_msg *m, const void *data, size_t len, struct err *err);

/* Bytes written so far. */
uint64_t maildir_msg_size(const struct maildir_msg *m);

/* Flush and fsync the file; required once before delivering. 0 or -1. */
int maildir_msg_finish(struct maildir_msg *m, struct err *err);

/*
 * Deliver the finished message into folder (see maildir_folder_path) of
 * the maildir root, creating both as needed: hard-link it into new/ as
 * "<unique>,S=<size>" (or, when flags is not 0, into cur/ with a ":2,"
 * suffix), then fsync that directory. A root on another file system gets
 * a copy, written to its tmp/ and fsynced first. Appends the file name
 * given (without directory) to name_out when not NULL. 0 or -1 with err;
 * on failure nothing is left in that mailbox.
 */
int maildir_msg_deliver(struct maildir_msg *m, const char *root,
    const char *folder, uint64_t flags, struct buf *name_out, struct err *err);

/* Remove the tmp/ file and release m; NULL is a no-op. */
void maildir_msg_free(struct maildir_msg **mp);

#endif

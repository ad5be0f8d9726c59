/* SPDX-License-Identifier: MIT */
/*
 * Maildir++ folders as IMAP mailboxes: names ("Sub/Folder" with the
 * '/' hierarchy separator <-> the directory ".Sub.Folder"), listing,
 * CREATE, DELETE, RENAME, and the special-use folders (RFC 6154) made
 * at first login. Used by imapd, pop3d, local (Sieve fileinto) and the
 * postern CLI. IMAP names are taken as the client sent them (modified
 * UTF-7) and are untrusted; directory names may come from other
 * Maildir tools. Calls other than the name conversions block on disk.
 */
#ifndef STORE_MBOX_FOLDER_H
#define STORE_MBOX_FOLDER_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/mbox_index.h"

/* The hierarchy separator imapd announces. */
#define MBOX_FOLDER_SEP '/'

/*
 * IMAP name -> Maildir++ folder name, appended to out: "INBOX" in any
 * case is the root (""), '/' separates levels and becomes '.', and a
 * '.' or '\' inside a level is written "\2e" or "\5c" (as Dovecot's
 * listescape does). Refuses empty levels, control characters and
 * results over MBOX_INDEX_FOLDER_MAX bytes: 0, or -1 with err (ERR_PERM
 * 5.2.0). Pure.
 */
int mbox_folder_from_imap(const char *imap, struct buf *out, struct err *err);
/*
 * Maildir++ folder name (without the leading '.') -> IMAP name,
 * appended to out: the inverse of mbox_folder_from_imap; "" is "INBOX".
 * An escape that is not one of ours is kept as it is. Returns 0, or -1
 * for a name with an empty level (not a folder we can show). Pure.
 */
int mbox_folder_to_imap(const char *folder, struct buf *out);

/* One folder of a listing. */
struct mbox_folder_entry {
	const char *imap; /* IMAP name */
	const char *folder; /* Maildir++ name ("" for INBOX) */
	const char *special_use; /* "\\Sent"... or NULL */
};

/*
 * List the folders of root: INBOX first, then every ".<name>" directory
 * whose name converts to an IMAP name, sorted by IMAP name. Entries
 * and strings live in arena a. 0 with *list_out and *n_out set, or -1
 * with err (ERR_TEMP: root unreadable).
 */
int mbox_folder_list(const char *root, struct arena *a,
    struct mbox_folder_entry **list_out, size_t *n_out, struct err *err);

/*
 * CREATE: make the folder named imap (its Maildir++ directory and the
 * "maildirfolder" file). Parents need no directory of their own in
 * Maildir++. 1 created, 0 it already exists (INBOX always does), -1
 * with err (ERR_PERM for a bad name, ERR_TEMP for disk trouble).
 */
int mbox_folder_create(const char *root, const char *imap, struct err *err);
/*
 * DELETE: move the folder's directory out of sight (into root's tmp/)
 * in one rename, remove it there, and forget its index state when ix
 * is not NULL. Subfolders stay. INBOX cannot be deleted (ERR_PERM).
 * 1 deleted, 0 no such folder, -1 with err.
 */
int mbox_folder_delete(
    const char *root, struct mbox_index *ix, const char *imap, struct err *err);
/*
 * RENAME: rename the folder and its subfolders ("from/...") to the new
 * name and move their index state (UIDs and UIDVALIDITY kept) when ix
 * is not NULL. INBOX cannot be renamed and the target must not exist
 * (ERR_PERM 5.2.0). 1 renamed, 0 no such folder, -1 with err.
 */
int mbox_folder_rename(const char *root, struct mbox_index *ix,
    const char *from, const char *to, struct err *err);

/*
 * The RFC 6154 attribute of a top-level folder name ("Sent" ->
 * "\\Sent", "Drafts", "Trash", "Junk", "Archive"), or NULL. Static.
 */
const char *mbox_folder_special_use(const char *imap);
/*
 * First login: create every special-use folder that is missing. 0, or
 * -1 with err.
 */
int mbox_folder_create_special(const char *root, struct err *err);

#endif

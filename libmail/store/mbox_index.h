/* SPDX-License-Identifier: MIT */
/*
 * The per-user mailbox index: one LMDB file in the Maildir++ root that
 * holds, per folder, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ and, per
 * message, UID -> file name, flags, MODSEQ, sizes, internal date and
 * cached IMAP blobs. Used by local (append after delivery), imapd and
 * pop3d, concurrently: LMDB serialises writers across processes. The
 * files are the truth; mbox_sync.h reconciles the index with them.
 * Folders are named in Maildir++ form ("Sub.Folder"; NULL, "" or
 * "INBOX" is the root), as maildir_folder_path() takes them. All calls
 * may block on disk I/O and on another process's write transaction.
 * Layout and crash cases: docs/mailstore.md.
 */
#ifndef STORE_MBOX_INDEX_H
#define STORE_MBOX_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/maildir_name.h"

/* The index file and its LMDB lock file, in the Maildir++ root. */
#define MBOX_INDEX_FILE "postern-index.lmdb"

/*
 * Message flags are the Maildir info letters (MAILDIR_NAME_FLAG bits),
 * so what the index holds is what the file name says. The IMAP system
 * flags map to these letters; keywords are the letters 'a'..'z' (bits
 * 26..51), named per folder by mbox_keywords.h.
 */
#define MBOX_INDEX_SEEN MAILDIR_NAME_SEEN /* \Seen: 'S' */
#define MBOX_INDEX_ANSWERED MAILDIR_NAME_REPLIED /* \Answered: 'R' */
#define MBOX_INDEX_FLAGGED MAILDIR_NAME_FLAGGED /* \Flagged: 'F' */
#define MBOX_INDEX_DELETED MAILDIR_NAME_TRASHED /* \Deleted: 'T' */
#define MBOX_INDEX_DRAFT MAILDIR_NAME_DRAFT /* \Draft: 'D' */
#define MBOX_INDEX_KEYWORDS (((UINT64_C(1) << 26) - 1) << 26)

/* Longest Maildir++ folder name and message base name the index keeps. */
#define MBOX_INDEX_FOLDER_MAX 255
#define MBOX_INDEX_BASE_MAX 255

struct mbox_index;

/* One folder's counters, as of one transaction. */
struct mbox_index_status {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
	uint32_t messages;
	uint32_t unseen; /* messages without \Seen */
	uint64_t bytes; /* sum of the file sizes */
};

/* One message. */
struct mbox_index_msg {
	uint32_t uid;
	uint64_t flags; /* MAILDIR_NAME_FLAG bits */
	uint64_t modseq;
	uint64_t size; /* file size in bytes (",S=" or stat) */
	uint64_t vsize; /* size with CRLF line ends (",W="); 0: unknown */
	int64_t date; /* internal date: the file's mtime when indexed */
	bool in_cur; /* the file is in cur/ (else new/) */
	const char *name; /* file name in new/ or cur/; see the owner */
};

/*
 * Open (creating when missing) the index of the Maildir++ root, which
 * must exist. An index file that exists but LMDB cannot read (damaged,
 * foreign) is moved aside to MBOX_INDEX_FILE ".broken" and a new one is
 * created: its folders get new UIDVALIDITYs when synced. Open it in
 * the process that uses it, after fork(). Caller owns *ix_out
 * (mbox_index_close). 0, or -1 with err (ERR_TEMP).
 */
int mbox_index_open(
    const char *root, struct mbox_index **ix_out, struct err *err);
/* Close; *ixp becomes NULL; NULL is a no-op. */
void mbox_index_close(struct mbox_index **ixp);
/* The root given to mbox_index_open; borrowed until close. */
const char *mbox_index_root(const struct mbox_index *ix);

/*
 * For local delivery, right after maildir_msg_deliver() linked name
 * (the file name it returned: in cur/ when it has a ":2," suffix, else
 * in new/) into folder: in one write transaction, give the message the
 * folder's UIDNEXT (and the next MODSEQ), record it, and create the
 * folder's state with a fresh UIDVALIDITY if it has none yet. If the
 * base name is already indexed (a sync got there first) its UID is
 * returned and nothing changes. *uid_out gets the UID. 0, or -1 with
 * err: ERR_TEMP for index and disk trouble (the file stays; the next
 * sync indexes it), ERR_PERM 5.2.0 for a name that is too long or a
 * file that is not there.
 */
int mbox_index_append(struct mbox_index *ix, const char *folder,
    const char *name, uint32_t *uid_out, struct err *err);

/*
 * The folder's counters. 1 with *st_out set, 0 when the folder has no
 * index state yet (never synced or appended to), -1 with err.
 */
int mbox_index_status(struct mbox_index *ix, const char *folder,
    struct mbox_index_status *st_out, struct err *err);

/*
 * What the whole mailbox (every indexed folder) holds, for quota: the
 * sums of the folder counters. Exact for what local appended; files
 * other tools added count once a sync indexed them. 0 or -1 with err.
 */
int mbox_index_usage(struct mbox_index *ix, uint64_t *bytes_out,
    uint64_t *messages_out, struct err *err);

/*
 * One message by UID: 1 with *msg_out set (msg_out->name points into
 * name_out, which is replaced), 0 no such UID, -1 with err.
 */
int mbox_index_lookup(struct mbox_index *ix, const char *folder, uint32_t uid,
    struct mbox_index_msg *msg_out, struct buf *name_out, struct err *err);

enum mbox_index_store_op {
	MBOX_INDEX_STORE_SET, /* flags become exactly the given ones */
	MBOX_INDEX_STORE_ADD, /* given flags are added */
	MBOX_INDEX_STORE_REMOVE, /* given flags are removed */
};

/* One message of a mbox_index_store() call. */
struct mbox_index_store_item {
	uint32_t uid; /* in */
	int result; /* out: 1 stored, 2 kept (UNCHANGEDSINCE), 0 no UID */
	uint64_t flags; /* out: the flags now (results 1 and 2) */
	uint64_t modseq; /* out: the message's MODSEQ now (results 1 and 2) */
};

/*
 * IMAP STORE for n messages of folder in one write transaction. For
 * each message whose flags change: rename its file to carry them
 * (new/<name> or cur/<name> -> cur/<base>:2,<flags>; a file that is
 * gone is skipped as result 0 and left to the next sync), give it the
 * next MODSEQ and update the counters. A message whose MODSEQ is above
 * unchangedsince (when not 0; RFC 7162) is left alone with result 2.
 * Unchanged flags keep their MODSEQ. 0, or -1 with err (ERR_TEMP; the
 * items are then undefined and renames done may be picked up by sync).
 */
int mbox_index_store(struct mbox_index *ix, const char *folder,
    enum mbox_index_store_op op, uint64_t flags, uint64_t unchangedsince,
    struct mbox_index_store_item *items, size_t n, struct err *err);

/*
 * Expunge n UIDs of folder in one write transaction: unlink each file,
 * delete its records (message, base name, cache) and raise
 * HIGHESTMODSEQ. Unknown UIDs are skipped. *done_out (may be NULL)
 * gets how many were expunged. 0, or -1 with err (ERR_TEMP; files
 * already unlinked are dropped by the next sync).
 */
int mbox_index_expunge(struct mbox_index *ix, const char *folder,
    const uint32_t *uids, size_t n, size_t *done_out, struct err *err);

/* Kinds of cached blobs; imapd owns their contents and format. */
enum mbox_index_cache_kind {
	MBOX_INDEX_CACHE_ENVELOPE = 1,
	MBOX_INDEX_CACHE_BODYSTRUCTURE = 2,
	MBOX_INDEX_CACHE_BODY = 3, /* BODY without extension data */
};

/*
 * Cache a blob for a message (replacing any); refused (returns 0) when
 * the UID is not indexed. 1 stored, 0 no such UID, -1 with err.
 */
int mbox_index_cache_set(struct mbox_index *ix, const char *folder,
    uint32_t uid, enum mbox_index_cache_kind kind, const void *data, size_t len,
    struct err *err);
/* Copy a cached blob into out (replaced). 1 found, 0 not cached, -1. */
int mbox_index_cache_get(struct mbox_index *ix, const char *folder,
    uint32_t uid, enum mbox_index_cache_kind kind, struct buf *out,
    struct err *err);

/*
 * Forget everything the index holds about folder (after the folder was
 * deleted). A folder created again later gets a new UIDVALIDITY. 0/-1.
 */
int mbox_index_folder_drop(
    struct mbox_index *ix, const char *folder, struct err *err);
/*
 * Move the index state of folder and of its subfolders ("from.*") to
 * the new name (after the directories were renamed), keeping UIDs and
 * UIDVALIDITY. A state already under the new name is dropped. 0/-1.
 */
int mbox_index_folder_rename(
    struct mbox_index *ix, const char *from, const char *to, struct err *err);

#endif

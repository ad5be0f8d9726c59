/* SPDX-License-Identifier: MIT */
/*
 * Internals of the mailbox index, shared by mbox_index*.c, mbox_view.c,
 * mbox_sync*.c and mbox_keywords.c only: the handle, the key layout and
 * the record codecs. Records are fixed-width big-endian fields, never
 * raw structs (docs/mailstore.md lists them).
 *
 *   "G"                      -> global: version, next folder id
 *   "N" <folder name>        -> folder id (u32)
 *   "S" <id>                 -> folder state (mbox_index_status)
 *   "M" <id> <uid>           -> message record
 *   "B" <id> <base name>     -> uid (u32)
 *   "C" <id> <uid> <kind>    -> cached blob
 */
#ifndef STORE_MBOX_INDEX_IMPL_H
#define STORE_MBOX_INDEX_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db_lmdb.h"
#include "store/mbox_index.h"

/* First byte of every record; a record of another version is damaged. */
#define MBOX_INDEX_REC_VERSION 1

struct mbox_index {
	struct db_lmdb *db;
	char *root;
};

/* A key: one tag byte, then fields; big enough for every kind. */
struct mbox_index_key {
	unsigned char b[1 + 4 + MBOX_INDEX_FOLDER_MAX + MBOX_INDEX_BASE_MAX];
	size_t len;
};

/* Key builders; names longer than the maxima are a bug (PANIC). */
void mbox_index_key_name(struct mbox_index_key *k, const char *folder);
void mbox_index_key_state(struct mbox_index_key *k, uint32_t id);
void mbox_index_key_msg(struct mbox_index_key *k, uint32_t id, uint32_t uid);
/* Prefix of every message record of folder id (uid left out). */
void mbox_index_key_msgs(struct mbox_index_key *k, uint32_t id);
void mbox_index_key_base(
    struct mbox_index_key *k, uint32_t id, const char *base, size_t len);
/* kind 0: prefix of every blob of the message. */
void mbox_index_key_cache(
    struct mbox_index_key *k, uint32_t id, uint32_t uid, unsigned kind);
/* The uid of a message key (from mbox_index_key_msg). */
uint32_t mbox_index_key_uid(const void *key, size_t len);

/* Fixed-width big-endian fields. */

/* Message record codec; decode: 0, or -1 for a damaged record. */
void mbox_index_msg_encode(const struct mbox_index_msg *m, struct buf *out);
int mbox_index_msg_decode(const void *data, size_t len, uint32_t uid,
    struct mbox_index_msg *m_out, size_t *name_len_out);

/*
 * Fill size, vsize and date of m from the file name's ",S=" and ",W="
 * fields (Maildir++ and Dovecot) and from st (size when there is no
 * ",S=", and the mtime as internal date).
 */
void mbox_index_msg_sizes(const char *name, size_t len, const struct stat *st,
    struct mbox_index_msg *m);

/* Folder "" for NULL or "INBOX"; the rest as given. */
const char *mbox_index_folder_norm(const char *folder);
/* Length of the base name (before ':') of a file name. */
size_t mbox_index_base_len(const char *name, size_t len);

/*
 * The folder's id: 1 found, 0 absent (and create false), -1. With
 * create, an absent folder gets a new id (write transaction).
 */
int mbox_index_folder_id(struct db_lmdb_txn *txn, const char *folder,
    bool create, uint32_t *id_out, struct err *err);
/* Decode a folder state record: 0, or -1 when it is damaged. */
int mbox_index_state_decode(
    const void *data, size_t len, struct mbox_index_status *st_out);
/* Folder state: 1, 0 absent, -1 (ERR_TEMP for a damaged record). */
int mbox_index_state_get(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st_out, struct err *err);
int mbox_index_state_put(struct db_lmdb_txn *txn, uint32_t id,
    const struct mbox_index_status *st, struct err *err);
/*
 * A fresh folder state with a new UIDVALIDITY: greater than any this
 * root handed out before, remembered in a small file beside the index
 * so that a deleted index cannot repeat one. 0 or -1 (ERR_TEMP).
 */
int mbox_index_state_new(
    struct mbox_index *ix, struct mbox_index_status *st_out, struct err *err);
/*
 * Write message record m of folder id (and its base name key when new
 * is set), adjusting st's counters from old (NULL when new). 0 or -1.
 */
int mbox_index_msg_put(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st, const struct mbox_index_msg *old,
    const struct mbox_index_msg *m, struct err *err);
/*
 * Delete message m of folder id: record, base name key, cached blobs,
 * counters in st, and a new HIGHESTMODSEQ. 0 or -1.
 */
int mbox_index_msg_del(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st, const struct mbox_index_msg *m,
    struct err *err);
/* Delete every key starting with prefix. 0 or -1. */
int mbox_index_del_prefix(
    struct db_lmdb_txn *txn, const void *prefix, size_t plen, struct err *err);
/* Drop folder id and its name entry entirely (write txn). 0 or -1. */
int mbox_index_folder_forget(
    struct db_lmdb_txn *txn, const char *folder, uint32_t id, struct err *err);

/*
 * Append "<root or .folder dir>/<cur|new>/<name>" to out. The folder is
 * trusted to be valid (it was checked before it got an id).
 */
void mbox_index_file_path(const struct mbox_index *ix, const char *folder,
    bool in_cur, const char *name, size_t name_len, struct buf *out);

#endif

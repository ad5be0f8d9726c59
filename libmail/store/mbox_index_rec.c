/* SPDX-License-Identifier: MIT */
/*
 * Keys, message records and counters of the mailbox index
 * (mbox_index_impl.h). Records are big-endian fixed-width fields so the
 * file means the same to every build; a record that does not decode is
 * reported, never trusted, and sync rebuilds its folder.
 */
#include "store/mbox_index_impl.h"

#include <string.h>

#include "core/byteorder.h"
#include "core/log.h"

/* version, flags, modseq, size, vsize, date, in_cur; then the name */
#define MBOX_INDEX_MSG_HEAD (1 + 8 + 8 + 8 + 8 + 8 + 1)


const char *
mbox_index_folder_norm(const char *folder)
{
	if (folder == NULL || strcmp(folder, "INBOX") == 0)
		return "";
	return folder;
}

size_t
mbox_index_base_len(const char *name, size_t len)
{
	const char *colon = memchr(name, ':', len);

	return colon != NULL ? (size_t)(colon - name) : len;
}

static void
mbox_index_key_head(struct mbox_index_key *k, char tag, uint32_t id)
{
	k->b[0] = (unsigned char)tag;
	byteorder_put_be32(k->b + 1, id);
	k->len = 5;
}

void
mbox_index_key_name(struct mbox_index_key *k, const char *folder)
{
	size_t len = strlen(folder);

	if (len > MBOX_INDEX_FOLDER_MAX)
		PANIC("%s: folder name too long", __func__);
	k->b[0] = 'N';
	memcpy(k->b + 1, folder, len);
	k->len = 1 + len;
}

void
mbox_index_key_state(struct mbox_index_key *k, uint32_t id)
{
	mbox_index_key_head(k, 'S', id);
}

void
mbox_index_key_msgs(struct mbox_index_key *k, uint32_t id)
{
	mbox_index_key_head(k, 'M', id);
}

void
mbox_index_key_msg(struct mbox_index_key *k, uint32_t id, uint32_t uid)
{
	mbox_index_key_head(k, 'M', id);
	byteorder_put_be32(k->b + 5, uid);
	k->len = 9;
}

uint32_t
mbox_index_key_uid(const void *key, size_t len)
{
	if (len != 9)
		PANIC("%s: not a message key", __func__);
	return byteorder_get_be32((const unsigned char *)key + 5);
}

void
mbox_index_key_base(
    struct mbox_index_key *k, uint32_t id, const char *base, size_t len)
{
	if (len > MBOX_INDEX_BASE_MAX)
		PANIC("%s: base name too long", __func__);
	mbox_index_key_head(k, 'B', id);
	memcpy(k->b + 5, base, len);
	k->len = 5 + len;
}

void
mbox_index_key_cache(
    struct mbox_index_key *k, uint32_t id, uint32_t uid, unsigned kind)
{
	mbox_index_key_head(k, 'C', id);
	byteorder_put_be32(k->b + 5, uid);
	k->len = 9;
	if (kind != 0)
		k->b[k->len++] = (unsigned char)kind;
}

void
mbox_index_msg_encode(const struct mbox_index_msg *m, struct buf *out)
{
	unsigned char h[MBOX_INDEX_MSG_HEAD];

	h[0] = MBOX_INDEX_REC_VERSION;
	byteorder_put_be64(h + 1, m->flags);
	byteorder_put_be64(h + 9, m->modseq);
	byteorder_put_be64(h + 17, m->size);
	byteorder_put_be64(h + 25, m->vsize);
	byteorder_put_be64(h + 33, (uint64_t)m->date);
	h[41] = m->in_cur ? 1 : 0;
	buf_reset(out);
	buf_append(out, h, sizeof(h));
	buf_puts(out, m->name);
}

int
mbox_index_msg_decode(const void *data, size_t len, uint32_t uid,
    struct mbox_index_msg *m_out, size_t *name_len_out)
{
	const unsigned char *p = data;
	size_t nlen;

	if (len <= MBOX_INDEX_MSG_HEAD || p[0] != MBOX_INDEX_REC_VERSION ||
	    p[41] > 1)
		return -1;
	nlen = len - MBOX_INDEX_MSG_HEAD;
	if (nlen > MBOX_INDEX_BASE_MAX + 64 ||
	    memchr(p + MBOX_INDEX_MSG_HEAD, '\0', nlen) != NULL ||
	    memchr(p + MBOX_INDEX_MSG_HEAD, '/', nlen) != NULL)
		return -1;
	m_out->uid = uid;
	m_out->flags = byteorder_get_be64(p + 1);
	m_out->modseq = byteorder_get_be64(p + 9);
	m_out->size = byteorder_get_be64(p + 17);
	m_out->vsize = byteorder_get_be64(p + 25);
	m_out->date = (int64_t)byteorder_get_be64(p + 33);
	m_out->in_cur = p[41] == 1;
	/* Not NUL-terminated in the database: the caller copies it. */
	m_out->name = (const char *)p + MBOX_INDEX_MSG_HEAD;
	*name_len_out = nlen;
	return 0;
}

static int
mbox_index_next_id(struct db_lmdb_txn *txn, uint32_t *id_out, struct err *err)
{
	static const char gkey[] = "G";
	struct db_lmdb_val v;
	unsigned char rec[5];
	uint32_t id = 1;
	int rc;

	if ((rc = db_lmdb_get(txn, gkey, 1, &v, err)) < 0)
		return -1;
	if (rc == 1) {
		if (v.len != 5 ||
		    ((const unsigned char *)v.data)[0] !=
		        MBOX_INDEX_REC_VERSION)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "mailbox index: damaged global record");
		id = byteorder_get_be32((const unsigned char *)v.data + 1);
	}
	if (id == UINT32_MAX)
		return err_set(
		    err, ERR_TEMP, "4.3.0", "mailbox index: out of folder ids");
	rec[0] = MBOX_INDEX_REC_VERSION;
	byteorder_put_be32(rec + 1, id + 1);
	*id_out = id;
	return db_lmdb_put(txn, gkey, 1, rec, sizeof(rec), err);
}

int
mbox_index_folder_id(struct db_lmdb_txn *txn, const char *folder, bool create,
    uint32_t *id_out, struct err *err)
{
	struct mbox_index_key k;
	struct db_lmdb_val v;
	unsigned char rec[4];
	int rc;

	if (strlen(folder) > MBOX_INDEX_FOLDER_MAX)
		return err_set(err, ERR_PERM, "5.2.0", "folder name too long");
	mbox_index_key_name(&k, folder);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) < 0)
		return -1;
	if (rc == 1) {
		if (v.len != 4)
			return err_set(err, ERR_TEMP, "4.3.0",
			    "mailbox index: damaged folder record");
		*id_out = byteorder_get_be32(v.data);
		return 1;
	}
	if (!create)
		return 0;
	if (mbox_index_next_id(txn, id_out, err) < 0)
		return -1;
	byteorder_put_be32(rec, *id_out);
	if (db_lmdb_put(txn, k.b, k.len, rec, sizeof(rec), err) < 0)
		return -1;
	return 1;
}

static void
mbox_index_count(
    struct mbox_index_status *st, const struct mbox_index_msg *m, int sign)
{
	uint32_t unseen = (m->flags & MBOX_INDEX_SEEN) ? 0 : 1;

	if (sign > 0) {
		st->messages++;
		st->unseen += unseen;
		st->bytes += m->size;
	} else {
		st->messages = st->messages > 0 ? st->messages - 1 : 0;
		st->unseen = st->unseen >= unseen ? st->unseen - unseen : 0;
		st->bytes = st->bytes >= m->size ? st->bytes - m->size : 0;
	}
}

int
mbox_index_msg_put(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st, const struct mbox_index_msg *old,
    const struct mbox_index_msg *m, struct err *err)
{
	struct mbox_index_key k;
	unsigned char uidb[4];
	struct buf rec;
	int rc;

	if (old != NULL)
		mbox_index_count(st, old, -1);
	mbox_index_count(st, m, 1);
	buf_init(&rec);
	mbox_index_msg_encode(m, &rec);
	mbox_index_key_msg(&k, id, m->uid);
	rc = db_lmdb_put(txn, k.b, k.len, rec.data, rec.len, err);
	buf_deinit(&rec);
	if (rc == 0 && old == NULL) {
		byteorder_put_be32(uidb, m->uid);
		mbox_index_key_base(&k, id, m->name,
		    mbox_index_base_len(m->name, strlen(m->name)));
		rc = db_lmdb_put(txn, k.b, k.len, uidb, sizeof(uidb), err);
	}
	return rc;
}

int
mbox_index_del_prefix(
    struct db_lmdb_txn *txn, const void *prefix, size_t plen, struct err *err)
{
	struct db_lmdb_cursor *c = db_lmdb_cursor_open(txn, prefix, plen, err);
	struct db_lmdb_val key;
	int rc;

	if (c == NULL)
		return -1;
	while ((rc = db_lmdb_cursor_next(c, &key, NULL, err)) == 1)
		if (db_lmdb_cursor_del(c, err) < 0) {
			rc = -1;
			break;
		}
	db_lmdb_cursor_close(&c);
	return rc;
}

int
mbox_index_msg_del(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st, const struct mbox_index_msg *m,
    struct err *err)
{
	struct mbox_index_key k;

	mbox_index_key_msg(&k, id, m->uid);
	if (db_lmdb_del(txn, k.b, k.len, err) < 0)
		return -1;
	mbox_index_key_base(
	    &k, id, m->name, mbox_index_base_len(m->name, strlen(m->name)));
	if (db_lmdb_del(txn, k.b, k.len, err) < 0)
		return -1;
	mbox_index_key_cache(&k, id, m->uid, 0);
	if (mbox_index_del_prefix(txn, k.b, k.len, err) < 0)
		return -1;
	mbox_index_count(st, m, -1);
	st->highestmodseq++;
	return 0;
}

int
mbox_index_folder_forget(
    struct db_lmdb_txn *txn, const char *folder, uint32_t id, struct err *err)
{
	static const char tags[] = "SMBC";
	struct mbox_index_key k;
	size_t i;

	for (i = 0; i < sizeof(tags) - 1; i++) {
		k.b[0] = (unsigned char)tags[i];
		byteorder_put_be32(k.b + 1, id);
		if (mbox_index_del_prefix(txn, k.b, 5, err) < 0)
			return -1;
	}
	mbox_index_key_name(&k, folder);
	return db_lmdb_del(txn, k.b, k.len, err) < 0 ? -1 : 0;
}

void
mbox_index_file_path(const struct mbox_index *ix, const char *folder,
    bool in_cur, const char *name, size_t name_len, struct buf *out)
{
	buf_puts(out, ix->root);
	if (folder[0] != '\0') {
		buf_puts(out, "/.");
		buf_puts(out, folder);
	}
	buf_puts(out, in_cur ? "/cur/" : "/new/");
	buf_append(out, name, name_len);
}

/* The value of the ",<c>=<digits>" field of a base name: 1, or 0. */
static int
mbox_index_name_field(const char *name, size_t len, char c, uint64_t *out)
{
	size_t i, end = mbox_index_base_len(name, len);
	uint64_t v = 0;

	for (i = 0; i + 3 <= end; i++) {
		if (name[i] != ',' || name[i + 1] != c || name[i + 2] != '=')
			continue;
		for (i += 3, v = 0; i < end && name[i] >= '0' && name[i] <= '9';
		     i++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(name[i] - '0');
		}
		if (i < end && name[i] != ',')
			return 0;
		*out = v;
		return 1;
	}
	return 0;
}

void
mbox_index_msg_sizes(const char *name, size_t len, const struct stat *st,
    struct mbox_index_msg *m)
{
	uint64_t v;

	m->size =
	    maildir_name_size(name, len, &v) == 1 ? v : (uint64_t)st->st_size;
	m->vsize = mbox_index_name_field(name, len, 'W', &v) == 1 ? v : 0;
	m->date = (int64_t)st->st_mtime;
}

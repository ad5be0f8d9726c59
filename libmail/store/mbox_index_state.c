/* SPDX-License-Identifier: MIT */
/*
 * Folder state records of the mailbox index (UIDVALIDITY, UIDNEXT,
 * HIGHESTMODSEQ and the counters) and where new UIDVALIDITY values come
 * from. A state record that does not decode is reported as damaged, and
 * sync rebuilds the folder under a new UIDVALIDITY.
 */
#include "store/mbox_index_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/byteorder.h"
#include "core/log.h"

/* version, uidvalidity, uidnext, highestmodseq, messages, unseen, bytes */
#define MBOX_INDEX_STATE_LEN (1 + 4 + 4 + 8 + 4 + 4 + 8)
#define MBOX_INDEX_UIDV_FILE "postern-uidvalidity"

int
mbox_index_state_decode(
    const void *data, size_t len, struct mbox_index_status *st_out)
{
	const unsigned char *p = data;

	if (len != MBOX_INDEX_STATE_LEN || p[0] != MBOX_INDEX_REC_VERSION)
		return -1;
	st_out->uidvalidity = byteorder_get_be32(p + 1);
	st_out->uidnext = byteorder_get_be32(p + 5);
	st_out->highestmodseq = byteorder_get_be64(p + 9);
	st_out->messages = byteorder_get_be32(p + 17);
	st_out->unseen = byteorder_get_be32(p + 21);
	st_out->bytes = byteorder_get_be64(p + 25);
	if (st_out->uidvalidity == 0 || st_out->uidnext == 0)
		return -1;
	return 0;
}

int
mbox_index_state_get(struct db_lmdb_txn *txn, uint32_t id,
    struct mbox_index_status *st_out, struct err *err)
{
	struct mbox_index_key k;
	struct db_lmdb_val v;
	int rc;

	mbox_index_key_state(&k, id);
	if ((rc = db_lmdb_get(txn, k.b, k.len, &v, err)) <= 0)
		return rc;
	if (mbox_index_state_decode(v.data, v.len, st_out) < 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "mailbox index: damaged folder state");
	return 1;
}

int
mbox_index_state_put(struct db_lmdb_txn *txn, uint32_t id,
    const struct mbox_index_status *st, struct err *err)
{
	struct mbox_index_key k;
	unsigned char p[MBOX_INDEX_STATE_LEN];

	p[0] = MBOX_INDEX_REC_VERSION;
	byteorder_put_be32(p + 1, st->uidvalidity);
	byteorder_put_be32(p + 5, st->uidnext);
	byteorder_put_be64(p + 9, st->highestmodseq);
	byteorder_put_be32(p + 17, st->messages);
	byteorder_put_be32(p + 21, st->unseen);
	byteorder_put_be64(p + 25, st->bytes);
	mbox_index_key_state(&k, id);
	return db_lmdb_put(txn, k.b, k.len, p, sizeof(p), err);
}

/* The last UIDVALIDITY handed out, from the file beside the index. */
static uint32_t
mbox_index_uidv_last(const char *path)
{
	char text[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	unsigned long v;
	char *end;

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || end == text || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

static int
mbox_index_uidv_save(const char *path, uint32_t v, struct err *err)
{
	struct buf tmp;
	char text[16];
	int fd, n, rc = 0;

	n = snprintf(text, sizeof(text), "%" PRIu32 "\n", v);
	if (n < 0 || (size_t)n >= sizeof(text))
		PANIC("%s: snprintf", __func__);
	buf_init(&tmp);
	buf_printf(&tmp, "%s.%ld", path, (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n ||
	    rename(tmp.data, path) < 0)
		rc = err_set(
		    err, ERR_TEMP, "4.3.0", "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp.data);
	buf_deinit(&tmp);
	return rc;
}

int
mbox_index_state_new(
    struct mbox_index *ix, struct mbox_index_status *st_out, struct err *err)
{
	struct buf path;
	uint32_t last, v;
	time_t now = time(NULL);
	int rc;

	/*
	 * RFC 3501 2.3.1.1: a folder that lost its UIDs must come back with
	 * a greater UIDVALIDITY. The clock gives that across restarts; the
	 * file gives it within one second and against a clock set back.
	 * Only write transactions call this, so LMDB's writer lock orders
	 * the read-modify-write between processes.
	 */
	buf_init(&path);
	buf_printf(&path, "%s/%s", ix->root, MBOX_INDEX_UIDV_FILE);
	last = mbox_index_uidv_last(path.data);
	v = now > 0 && (uint64_t)now < UINT32_MAX ? (uint32_t)now : 1;
	if (v <= last)
		v = last < UINT32_MAX ? last + 1 : 1;
	rc = mbox_index_uidv_save(path.data, v, err);
	buf_deinit(&path);
	memset(st_out, 0, sizeof(*st_out));
	st_out->uidvalidity = v;
	st_out->uidnext = 1;
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the mailbox index: UIDs handed out by append after a
 * real Maildir delivery, state kept across reopening, flags in index and
 * file names, expunge, cached blobs, and concurrent appends from several
 * processes never sharing a UID. Sync and rebuild cases are in
 * test_mbox_sync.c.
 */
#include "store/mbox_index.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/maildir.h"
#include "store/mbox_view.h"

#include "t.h"
#include "test_mbox_util.h"

static const char text[] = "From: a@example.org\n\nhello\n";

/* Deliver into folder and append; returns the UID or 0. */
static uint32_t
append_one(struct mbox_index *ix, const char *root, const char *folder,
    struct maildir_name_uniq *u, uint64_t flags, struct buf *name)
{
	struct err err;
	uint32_t uid = 0;

	if (tmb_deliver(root, folder, u, text, flags, name, &err) < 0 ||
	    mbox_index_append(ix, folder, name->data, &uid, &err) < 0) {
		fprintf(stderr, "  append: %s\n", err.text);
		return 0;
	}
	return uid;
}

static void
append_increasing_uids(void)
{
	char *root = tmb_make_root();
	struct maildir_name_uniq u;
	struct mbox_index_status st;
	struct mbox_index *ix = NULL;
	struct mbox_index_msg msg;
	struct buf name, got;
	uint64_t bytes, count;
	struct err err;
	uint32_t uid, i;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	buf_init(&got);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 0);
	for (i = 1; i <= 3; i++)
		T_EQ_INT(append_one(ix, root, "", &u, 0, &name), i);
	/* The same file again (a sync got there first): same UID. */
	T_EQ_INT(mbox_index_append(ix, "INBOX", name.data, &uid, &err), 0);
	T_EQ_INT(uid, 3);
	T_EQ_INT(mbox_index_status(ix, "INBOX", &st, &err), 1);
	T_CHECK(st.uidvalidity != 0);
	T_EQ_INT(st.uidnext, 4);
	T_EQ_INT(st.messages, 3);
	T_EQ_INT(st.unseen, 3);
	T_EQ_INT(st.bytes, 3 * (sizeof(text) - 1));
	T_EQ_INT(st.highestmodseq, 3);
	T_EQ_INT(mbox_index_lookup(ix, NULL, 3, &msg, &got, &err), 1);
	T_EQ_STR(msg.name, name.data);
	T_CHECK(!msg.in_cur);
	T_EQ_INT(msg.size, sizeof(text) - 1);
	T_CHECK(msg.date > 0);
	T_EQ_INT(mbox_index_lookup(ix, NULL, 4, &msg, &got, &err), 0);
	/* Flags at delivery put the file in cur/ with its info suffix. */
	T_EQ_INT(
	    append_one(ix, root, "Sub.Folder", &u, MBOX_INDEX_SEEN, &name), 1);
	T_EQ_INT(mbox_index_lookup(ix, "Sub.Folder", 1, &msg, &got, &err), 1);
	T_CHECK(msg.in_cur);
	T_CHECK(msg.flags == MBOX_INDEX_SEEN);
	T_EQ_INT(mbox_index_status(ix, "Sub.Folder", &st, &err), 1);
	T_EQ_INT(st.unseen, 0);
	T_EQ_INT(mbox_index_usage(ix, &bytes, &count, &err), 0);
	T_EQ_INT(count, 4);
	T_EQ_INT(bytes, 4 * (sizeof(text) - 1));
	/* Bad folder names and missing files are refused as permanent. */
	T_EQ_INT(mbox_index_append(ix, "../x", name.data, &uid, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(mbox_index_append(ix, "", "nosuchfile", &uid, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(mbox_index_append(ix, "", "a/b", &uid, &err), -1);
	mbox_index_close(&ix);
	T_CHECK(ix == NULL);
	mbox_index_close(&ix);
	buf_deinit(&name);
	buf_deinit(&got);
	tmb_drop_root(root);
}

static void
reopen_keeps_state(void)
{
	char *root = tmb_make_root();
	struct maildir_name_uniq u;
	struct mbox_index_status a, b;
	struct mbox_index *ix = NULL;
	struct buf name;
	struct err err;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 1);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 2);
	T_EQ_INT(mbox_index_status(ix, NULL, &a, &err), 1);
	mbox_index_close(&ix);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_index_status(ix, NULL, &b, &err), 1);
	T_EQ_INT(b.uidvalidity, a.uidvalidity);
	T_EQ_INT(b.uidnext, 3);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 3);
	mbox_index_close(&ix);
	buf_deinit(&name);
	tmb_drop_root(root);
}

static void
flags_into_file_names(void)
{
	char *root = tmb_make_root();
	struct maildir_name_uniq u;
	struct mbox_index_store_item it[3] = {
	    {.uid = 1}, {.uid = 9}, {.uid = 2}};
	struct mbox_index_status st;
	struct mbox_index *ix = NULL;
	struct mbox_index_msg msg;
	struct buf name1, name2, got;
	struct err err;
	uint64_t modseq;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name1);
	buf_init(&name2);
	buf_init(&got);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name1), 1);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name2), 2);
	T_EQ_INT(mbox_index_store(ix, NULL, MBOX_INDEX_STORE_ADD,
	             MBOX_INDEX_SEEN | MBOX_INDEX_FLAGGED, 0, it, 3, &err),
	    0);
	T_EQ_INT(it[0].result, 1);
	T_EQ_INT(it[1].result, 0); /* no such UID */
	T_EQ_INT(it[2].result, 1);
	T_CHECK(it[0].flags == (MBOX_INDEX_SEEN | MBOX_INDEX_FLAGGED));
	T_EQ_INT(it[0].modseq, 3);
	T_EQ_INT(it[2].modseq, 4);
	/* new/<name> became cur/<name>:2,FS, which mutt reads. */
	buf_puts(&name1, ":2,FS");
	T_CHECK(tmb_exists(root, "cur", name1.data));
	T_EQ_INT(mbox_index_lookup(ix, NULL, 1, &msg, &got, &err), 1);
	T_EQ_STR(msg.name, name1.data);
	T_CHECK(msg.in_cur);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(st.unseen, 0);
	T_EQ_INT(st.highestmodseq, 4);
	/* Storing what is already there keeps the MODSEQ (RFC 7162). */
	modseq = it[0].modseq;
	T_EQ_INT(mbox_index_store(ix, NULL, MBOX_INDEX_STORE_ADD,
	             MBOX_INDEX_SEEN, 0, it, 1, &err),
	    0);
	T_EQ_INT(it[0].result, 1);
	T_EQ_INT(it[0].modseq, modseq);
	/* UNCHANGEDSINCE below the MODSEQ: refused, nothing renamed. */
	T_EQ_INT(mbox_index_store(ix, NULL, MBOX_INDEX_STORE_SET, 0, modseq - 1,
	             it, 1, &err),
	    0);
	T_EQ_INT(it[0].result, 2);
	T_CHECK(tmb_exists(root, "cur", name1.data));
	/* REMOVE and SET, with a keyword letter. */
	T_EQ_INT(mbox_index_store(ix, NULL, MBOX_INDEX_STORE_REMOVE,
	             MBOX_INDEX_FLAGGED, modseq, it, 1, &err),
	    0);
	T_EQ_INT(it[0].result, 1);
	T_CHECK(it[0].flags == MBOX_INDEX_SEEN);
	T_EQ_INT(
	    mbox_index_store(ix, NULL, MBOX_INDEX_STORE_SET,
	        MBOX_INDEX_DELETED | MAILDIR_NAME_FLAG('a'), 0, it, 1, &err),
	    0);
	T_EQ_INT(mbox_index_lookup(ix, NULL, 1, &msg, &got, &err), 1);
	T_CHECK(strstr(msg.name, ":2,Ta") != NULL);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(st.unseen, 1);
	mbox_index_close(&ix);
	buf_deinit(&name1);
	buf_deinit(&name2);
	buf_deinit(&got);
	tmb_drop_root(root);
}

static void
expunge_and_cache(void)
{
	char *root = tmb_make_root();
	struct maildir_name_uniq u;
	struct mbox_index_status st;
	struct mbox_index *ix = NULL;
	struct buf name, blob;
	uint32_t uids[] = {2, 7};
	struct err err;
	size_t done;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	buf_init(&blob);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 1);
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 2);
	T_EQ_INT(mbox_index_cache_set(
	             ix, NULL, 2, MBOX_INDEX_CACHE_ENVELOPE, "(env)", 5, &err),
	    1);
	T_EQ_INT(mbox_index_cache_set(
	             ix, NULL, 7, MBOX_INDEX_CACHE_ENVELOPE, "x", 1, &err),
	    0);
	T_EQ_INT(mbox_index_cache_get(
	             ix, NULL, 2, MBOX_INDEX_CACHE_ENVELOPE, &blob, &err),
	    1);
	T_EQ_STR(blob.data, "(env)");
	T_EQ_INT(mbox_index_cache_get(
	             ix, NULL, 2, MBOX_INDEX_CACHE_BODYSTRUCTURE, &blob, &err),
	    0);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(mbox_index_expunge(ix, NULL, uids, 2, &done, &err), 0);
	T_EQ_INT(done, 1);
	T_CHECK(!tmb_exists(root, "new", name.data));
	T_EQ_INT(mbox_index_cache_get(
	             ix, NULL, 2, MBOX_INDEX_CACHE_ENVELOPE, &blob, &err),
	    0);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(st.messages, 1);
	T_EQ_INT(st.highestmodseq, 3);
	T_EQ_INT(st.uidnext, 3);
	/* The next delivery gets the next UID, not a freed one. */
	T_EQ_INT(append_one(ix, root, NULL, &u, 0, &name), 3);
	mbox_index_close(&ix);
	buf_deinit(&name);
	buf_deinit(&blob);
	tmb_drop_root(root);
}

/* A child: deliver and append n messages, write the UIDs to fd. */
static void
concurrent_child(const char *root, int fd, int n)
{
	struct maildir_name_uniq u;
	struct mbox_index *ix = NULL;
	struct buf name;
	struct err err;
	uint32_t uid;
	int i;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	if (mbox_index_open(root, &ix, &err) < 0)
		_exit(2);
	for (i = 0; i < n; i++) {
		if (tmb_deliver(root, NULL, &u, text, 0, &name, &err) < 0 ||
		    mbox_index_append(ix, NULL, name.data, &uid, &err) < 0 ||
		    write(fd, &uid, sizeof(uid)) != sizeof(uid))
			_exit(3);
	}
	mbox_index_close(&ix);
	buf_deinit(&name);
	_exit(0);
}

static void
concurrent_appends(void)
{
	enum { KIDS = 4, EACH = 40 };
	static unsigned char seen[KIDS * EACH + 1];
	char *root = tmb_make_root();
	struct mbox_index_status st;
	struct mbox_index *ix = NULL;
	int p[2], i, status, dups = 0, got = 0;
	struct err err;
	uint32_t uid;

	T_EQ_INT(pipe(p), 0);
	for (i = 0; i < KIDS; i++)
		if (fork() == 0) {
			close(p[0]);
			concurrent_child(root, p[1], EACH);
		}
	close(p[1]);
	while (read(p[0], &uid, sizeof(uid)) == sizeof(uid)) {
		got++;
		if (uid == 0 || uid > KIDS * EACH || seen[uid]++)
			dups++;
	}
	close(p[0]);
	for (i = 0; i < KIDS; i++) {
		T_CHECK(wait(&status) > 0);
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	T_EQ_INT(got, KIDS * EACH);
	T_EQ_INT(dups, 0);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_index_status(ix, NULL, &st, &err), 1);
	T_EQ_INT(st.uidnext, KIDS * EACH + 1);
	T_EQ_INT(st.messages, KIDS * EACH);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

T_MAIN(T_CASE(append_increasing_uids), T_CASE(reopen_keeps_state),
    T_CASE(flags_into_file_names), T_CASE(expunge_and_cache),
    T_CASE(concurrent_appends))

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for Maildir++ folders as IMAP mailboxes: name conversion
 * both ways with its boundaries, listing (with a folder another tool
 * made), CREATE, DELETE and RENAME with the index following, and the
 * special-use folders.
 */
#include "store/mbox_folder.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/maildir.h"
#include "store/mbox_index.h"
#include "store/mbox_sync.h"

#include "t.h"
#include "test_mbox_util.h"

static void
names_both_ways(void)
{
	static const struct {
		const char *imap;
		int rc;
		const char *folder;
		const char *back; /* NULL: same as imap */
	} cases[] = {
	    {"INBOX", 0, "", NULL},
	    {"inbox", 0, "", "INBOX"},
	    {"Sub/Folder", 0, "Sub.Folder", NULL},
	    {"a.b/c", 0, "a\\2eb.c", NULL},
	    {"back\\slash", 0, "back\\5cslash", NULL},
	    {"inbox/x", 0, "INBOX.x", "INBOX/x"},
	    {"Entw&APw-rfe", 0, "Entw&APw-rfe", NULL},
	    {"", -1, NULL, NULL},
	    {"/a", -1, NULL, NULL},
	    {"a/", -1, NULL, NULL},
	    {"a//b", -1, NULL, NULL},
	    {"a\tb", -1, NULL, NULL},
	    {"a\x7f", -1, NULL, NULL},
	};
	struct buf out, back;
	char longname[300];
	struct err err;
	size_t i;

	buf_init(&out);
	buf_init(&back);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		buf_reset(&back);
		T_EQ_INT(mbox_folder_from_imap(cases[i].imap, &out, &err),
		    cases[i].rc);
		if (cases[i].rc < 0) {
			T_EQ_INT(err.kind, ERR_PERM);
			continue;
		}
		T_EQ_STR(out.data, cases[i].folder);
		T_EQ_INT(mbox_folder_to_imap(out.data, &back), 0);
		T_EQ_STR(
		    back.data, cases[i].back ? cases[i].back : cases[i].imap);
	}
	/* MBOX_INDEX_FOLDER_MAX bytes fit; one more does not. */
	memset(longname, 'x', sizeof(longname));
	longname[MBOX_INDEX_FOLDER_MAX] = '\0';
	buf_reset(&out);
	T_EQ_INT(mbox_folder_from_imap(longname, &out, &err), 0);
	longname[MBOX_INDEX_FOLDER_MAX] = 'x';
	longname[MBOX_INDEX_FOLDER_MAX + 1] = '\0';
	buf_reset(&out);
	T_EQ_INT(mbox_folder_from_imap(longname, &out, &err), -1);
	/* Directory names we cannot show, and escapes that are not ours. */
	T_EQ_INT(mbox_folder_to_imap("a..b", &back), -1);
	T_EQ_INT(mbox_folder_to_imap("a.", &back), -1);
	T_EQ_INT(mbox_folder_to_imap(".a", &back), -1);
	buf_reset(&back);
	T_EQ_INT(mbox_folder_to_imap("x\\zz", &back), 0);
	T_EQ_STR(back.data, "x\\zz");
	buf_deinit(&out);
	buf_deinit(&back);
}

static void
create_list_delete(void)
{
	char *root = tmb_make_root();
	struct mbox_folder_entry *list;
	struct arena *a = arena_new();
	struct buf path;
	struct err err;
	size_t n;

	buf_init(&path);
	T_EQ_INT(mbox_folder_create(root, "Sub/Folder", &err), 1);
	T_EQ_INT(mbox_folder_create(root, "Sub/Folder", &err), 0);
	T_EQ_INT(mbox_folder_create(root, "INBOX", &err), 0);
	T_EQ_INT(mbox_folder_create(root, "a//b", &err), -1);
	T_CHECK(tmb_exists(root, ".Sub.Folder", "maildirfolder"));
	T_CHECK(tmb_exists(root, ".Sub.Folder/cur", "."));
	/* A folder made by another tool, a stray file, and junk names. */
	buf_printf(&path, "%s/.Other", root);
	T_EQ_INT(maildir_create(path.data, &err), 0);
	T_EQ_INT(tmb_put_file(root, ".", ".notdir", "x"), 0);
	buf_reset(&path);
	buf_printf(&path, "%s/.bad..name", root);
	T_EQ_INT(mkdir(path.data, 0700), 0);
	T_EQ_INT(mbox_folder_list(root, a, &list, &n, &err), 0);
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_STR(list[0].imap, "INBOX");
		T_EQ_STR(list[0].folder, "");
		T_EQ_STR(list[1].imap, "Other");
		T_EQ_STR(list[2].imap, "Sub/Folder");
		T_EQ_STR(list[2].folder, "Sub.Folder");
		T_CHECK(list[2].special_use == NULL);
	}
	T_EQ_INT(mbox_folder_delete(root, NULL, "Sub/Folder", &err), 1);
	T_CHECK(!tmb_exists(root, ".", ".Sub.Folder"));
	T_EQ_INT(mbox_folder_delete(root, NULL, "Sub/Folder", &err), 0);
	T_EQ_INT(mbox_folder_delete(root, NULL, "inbox", &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(mbox_folder_list(root, a, &list, &n, &err), 0);
	T_EQ_INT(n, 2);
	arena_free(&a);
	buf_deinit(&path);
	tmb_drop_root(root);
}

/* Deliver one message into folder and index it; returns its UID. */
static uint32_t
deliver_indexed(struct mbox_index *ix, const char *root, const char *folder)
{
	struct maildir_name_uniq u;
	struct buf name;
	struct err err;
	uint32_t uid = 0;

	maildir_name_uniq_init(&u, "test.example");
	buf_init(&name);
	if (tmb_deliver(root, folder, &u, "Subject: x\n\nx\n", 0, &name, &err) <
	        0 ||
	    mbox_index_append(ix, folder, name.data, &uid, &err) < 0)
		uid = 0;
	buf_deinit(&name);
	return uid;
}

static void
delete_forgets_index(void)
{
	char *root = tmb_make_root();
	struct mbox_index_status st, st2;
	struct mbox_index *ix = NULL;
	struct err err;

	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_folder_create(root, "Old", &err), 1);
	T_EQ_INT(deliver_indexed(ix, root, "Old"), 1);
	T_EQ_INT(deliver_indexed(ix, root, "Old"), 2);
	T_EQ_INT(mbox_index_status(ix, "Old", &st, &err), 1);
	T_EQ_INT(mbox_folder_delete(root, ix, "Old", &err), 1);
	T_EQ_INT(mbox_index_status(ix, "Old", &st2, &err), 0);
	/* Created again: UIDs restart under a greater UIDVALIDITY. */
	T_EQ_INT(mbox_folder_create(root, "Old", &err), 1);
	T_EQ_INT(deliver_indexed(ix, root, "Old"), 1);
	T_EQ_INT(mbox_index_status(ix, "Old", &st2, &err), 1);
	T_CHECK(st2.uidvalidity > st.uidvalidity);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

static void
rename_moves_children_and_index(void)
{
	char *root = tmb_make_root();
	struct mbox_index_status a, ab, c, cb;
	struct mbox_sync_stats s;
	struct mbox_index *ix = NULL;
	struct err err;

	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_folder_create(root, "A", &err), 1);
	T_EQ_INT(mbox_folder_create(root, "A/B", &err), 1);
	T_EQ_INT(mbox_folder_create(root, "AB", &err), 1);
	T_EQ_INT(mbox_folder_create(root, "X", &err), 1);
	T_EQ_INT(deliver_indexed(ix, root, "A"), 1);
	T_EQ_INT(deliver_indexed(ix, root, "A.B"), 1);
	T_EQ_INT(deliver_indexed(ix, root, "A.B"), 2);
	T_EQ_INT(mbox_index_status(ix, "A", &a, &err), 1);
	T_EQ_INT(mbox_index_status(ix, "A.B", &ab, &err), 1);
	T_EQ_INT(mbox_folder_rename(root, ix, "A", "A/B/C", &err), -1);
	T_EQ_INT(mbox_folder_rename(root, ix, "A", "X", &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_EQ_INT(mbox_folder_rename(root, ix, "INBOX", "Y", &err), -1);
	T_EQ_INT(mbox_folder_rename(root, ix, "Nope", "Y", &err), 0);
	T_EQ_INT(mbox_index_folder_rename(ix, "A", "../A", &err), -1);
	T_EQ_INT(mbox_folder_rename(root, ix, "A", "C", &err), 1);
	T_CHECK(tmb_exists(root, ".C", "maildirfolder"));
	T_CHECK(tmb_exists(root, ".C.B", "maildirfolder"));
	T_CHECK(tmb_exists(root, ".AB", "maildirfolder")); /* not a child */
	T_CHECK(!tmb_exists(root, ".", ".A"));
	T_EQ_INT(mbox_index_status(ix, "A", &c, &err), 0);
	T_EQ_INT(mbox_index_status(ix, "C", &c, &err), 1);
	T_EQ_INT(mbox_index_status(ix, "C.B", &cb, &err), 1);
	T_EQ_INT(c.uidvalidity, a.uidvalidity);
	T_EQ_INT(cb.uidvalidity, ab.uidvalidity);
	T_EQ_INT(cb.uidnext, 3);
	/* The files agree with the moved state: a sync changes nothing. */
	T_EQ_INT(mbox_sync_folder(ix, "C.B", &s, &err), 0);
	T_EQ_INT(s.added + s.removed + s.changed, 0);
	T_CHECK(!s.rebuilt);
	mbox_index_close(&ix);
	tmb_drop_root(root);
}

static void
special_use_folders(void)
{
	char *root = tmb_make_root();
	struct mbox_folder_entry *list;
	struct arena *a = arena_new();
	struct err err;
	size_t n, i, special = 0;

	T_EQ_STR(mbox_folder_special_use("Sent"), "\\Sent");
	T_EQ_STR(mbox_folder_special_use("Junk"), "\\Junk");
	T_CHECK(mbox_folder_special_use("Sent/Old") == NULL);
	T_CHECK(mbox_folder_special_use("INBOX") == NULL);
	T_EQ_INT(mbox_folder_create_special(root, &err), 0);
	T_EQ_INT(mbox_folder_create_special(root, &err), 0);
	T_EQ_INT(mbox_folder_list(root, a, &list, &n, &err), 0);
	T_EQ_INT(n, 6);
	for (i = 0; i < n; i++)
		special += list[i].special_use != NULL;
	T_EQ_INT(special, 5);
	T_CHECK(tmb_exists(root, ".Drafts", "maildirfolder"));
	T_CHECK(tmb_exists(root, ".Archive", "new"));
	arena_free(&a);
	tmb_drop_root(root);
}

T_MAIN(T_CASE(names_both_ways), T_CASE(create_list_delete),
    T_CASE(delete_forgets_index), T_CASE(rename_moves_children_and_index),
    T_CASE(special_use_folders))

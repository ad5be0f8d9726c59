/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for folder keywords: the keyword file parser at its
 * boundaries (slot 25 and 26, duplicates, CR, atom characters), adding
 * keywords up to the 26 letters, and a file Dovecot would read.
 */
#include "store/mbox_keywords.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "store/mbox_folder.h"

#include "t.h"
#include "test_mbox_util.h"

static void
parse_boundaries(void)
{
	static const char text[] = "0 $Forwarded\r\n"
	                           "25 last\n"
	                           "26 over\n"
	                           "0 again\n"
	                           "1 $forwarded\n"
	                           "07 leading\n"
	                           "2 bad(atom\n"
	                           "3  space\n"
	                           "4\n"
	                           "x y\n"
	                           "\n"
	                           "5 ok\0nul\n"
	                           "6 tail";
	struct arena *a = arena_new();
	struct mbox_keywords kw;

	T_EQ_INT(mbox_keywords_parse(text, sizeof(text) - 1, a, &kw), 0);
	T_EQ_STR(kw.names[0], "$Forwarded");
	T_EQ_STR(kw.names[25], "last");
	T_CHECK(kw.names[1] == NULL); /* same name, other case */
	T_CHECK(kw.names[2] == NULL && kw.names[3] == NULL);
	T_CHECK(kw.names[4] == NULL && kw.names[5] == NULL);
	T_CHECK(kw.names[7] == NULL);
	T_EQ_STR(kw.names[6], "tail");
	T_EQ_INT(kw.skipped, 9);
	T_EQ_INT(mbox_keywords_find(&kw, "$FORWARDED"), 0);
	T_EQ_INT(mbox_keywords_find(&kw, "tail"), 6);
	T_EQ_INT(mbox_keywords_find(&kw, "nope"), -1);
	T_EQ_INT(mbox_keywords_parse("", 0, a, &kw), 0);
	T_EQ_INT(kw.skipped, 0);
	T_CHECK(mbox_keywords_bit(0) == MAILDIR_NAME_FLAG('a'));
	T_CHECK(mbox_keywords_bit(25) == MAILDIR_NAME_FLAG('z'));
	arena_free(&a);
}

static void
add_until_full(void)
{
	char *root = tmb_make_root();
	struct arena *a = arena_new();
	struct mbox_index *ix = NULL;
	struct mbox_keywords kw;
	char name[16], path[512];
	struct buf data;
	struct err err;
	uint64_t bit;
	int i, fd;
	ssize_t n;

	buf_init(&data);
	T_EQ_INT(mbox_index_open(root, &ix, &err), 0);
	T_EQ_INT(mbox_folder_create(root, "Work", &err), 1);
	T_EQ_INT(mbox_keywords_add(ix, "Work", "$Label1", &bit, &err), 1);
	T_CHECK(bit == MAILDIR_NAME_FLAG('a'));
	T_EQ_INT(mbox_keywords_add(ix, "Work", "$label1", &bit, &err), 1);
	T_CHECK(bit == MAILDIR_NAME_FLAG('a'));
	T_EQ_INT(mbox_keywords_add(ix, "Work", "bad word", &bit, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	for (i = 1; i < MBOX_KEYWORDS_MAX; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		T_EQ_INT(mbox_keywords_add(ix, "Work", name, &bit, &err), 1);
		T_CHECK(bit == mbox_keywords_bit((unsigned)i));
	}
	T_EQ_INT(mbox_keywords_add(ix, "Work", "one-too-many", &bit, &err), 0);
	T_EQ_INT(mbox_keywords_load(ix, "Work", a, &kw, &err), 0);
	T_EQ_STR(kw.names[0], "$Label1");
	T_EQ_STR(kw.names[25], "k25");
	/* The file is Dovecot's "<n> <name>" lines. */
	snprintf(path, sizeof(path), "%s/.Work/%s", root, MBOX_KEYWORDS_FILE);
	fd = open(path, O_RDONLY);
	T_CHECK(fd >= 0);
	buf_reserve(&data, 4096);
	n = fd >= 0 ? read(fd, data.data, 4095) : -1;
	if (fd >= 0)
		close(fd);
	T_CHECK(n > 0);
	data.data[n > 0 ? n : 0] = '\0';
	T_CHECK(strncmp(data.data, "0 $Label1\n1 k1\n", 15) == 0);
	T_EQ_INT(mbox_keywords_load(ix, "../x", a, &kw, &err), -1);
	T_EQ_INT(mbox_keywords_add(ix, "a..b", "k", &bit, &err), -1);
	/* INBOX has its own (empty) set. */
	T_EQ_INT(mbox_keywords_load(ix, "INBOX", a, &kw, &err), 0);
	T_CHECK(kw.names[0] == NULL);
	mbox_index_close(&ix);
	buf_deinit(&data);
	arena_free(&a);
	tmb_drop_root(root);
}

T_MAIN(T_CASE(parse_boundaries), T_CASE(add_until_full))

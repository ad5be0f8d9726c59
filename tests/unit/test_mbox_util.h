/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the mailbox index and folder tests: scratch Maildir
 * roots under /tmp, delivering a message the way local does, and
 * dropping files into a folder behind the index's back.
 */
#ifndef TESTS_UNIT_TEST_MBOX_UTIL_H
#define TESTS_UNIT_TEST_MBOX_UTIL_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/maildir.h"

static inline int
tmb_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A new Maildir++ root; caller frees it with tmb_drop_root. */
static inline char *
tmb_make_root(void)
{
	char tmpl[] = "/tmp/test_mbox.XXXXXX";
	struct err err;

	if (mkdtemp(tmpl) == NULL || maildir_create(tmpl, &err) < 0) {
		fprintf(stderr, "cannot make a maildir under /tmp\n");
		exit(1);
	}
	return strdup(tmpl);
}

static inline void
tmb_drop_root(char *root)
{
	nftw(root, tmb_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

/* Deliver text into folder of root as local does; name gets the file. */
static inline int
tmb_deliver(const char *root, const char *folder, struct maildir_name_uniq *u,
    const char *text, uint64_t flags, struct buf *name, struct err *err)
{
	struct maildir_msg *m;
	int rc;

	buf_reset(name);
	if (maildir_msg_open(root, u, &m, err) < 0)
		return -1;
	rc = maildir_msg_write(m, text, strlen(text), err);
	if (rc == 0)
		rc = maildir_msg_finish(m, err);
	if (rc == 0)
		rc = maildir_msg_deliver(m, root, folder, flags, name, err);
	maildir_msg_free(&m);
	return rc;
}

/* Write a file <dir>/<sub>/<name> directly, as another tool would. */
static inline int
tmb_put_file(
    const char *dir, const char *sub, const char *name, const char *text)
{
	char path[1024];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -1;
	n = (int)write(fd, text, strlen(text));
	close(fd);
	return n == (int)strlen(text) ? 0 : -1;
}

/* Does <dir>/<sub>/<name> exist? */
static inline int
tmb_exists(const char *dir, const char *sub, const char *name)
{
	char path[1024];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return stat(path, &st) == 0;
}

#endif

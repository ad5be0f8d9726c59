/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the queue directory layout: creation with the table's
 * modes, checking, repair by a second create, and refusal of files or
 * symbolic links where a directory belongs.
 */
#include "queue/queue_layout.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "queue/queue_commit.h"

#include "t.h"
#include "test_queue_util.h"

static mode_t
mode_of(const char *dir, const char *sub)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static int
chmod_sub(const char *root, const char *sub, mode_t mode)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	return chmod(path, mode);
}

static void
layout_create_and_check(void)
{
	static const struct {
		const char *sub;
		mode_t mode;
	} want[] = {
	    {"maildrop", 0730},
	    {"public", 0710},
	    {"private", 0700},
	    {"incoming", 0700},
	    {"active", 0700},
	    {"deferred", 0700},
	    {"hold", 0700},
	    {"corrupt", 0700},
	    {"pid", 0755},
	    {".", 0755},
	    {"incoming/" QUEUE_COMMIT_FILE, 0600},
	};
	struct queue_layout_owner own = {.owner_uid = getuid(),
	    .owner_gid = getgid(),
	    .postdrop_gid = getgid(),
	    .set_owner = getuid() == 0};
	char base[] = "/tmp/test_queue_layout.XXXXXX", root[512];
	struct queue_dir *qd = NULL;
	struct buf report;
	struct err err;
	mode_t old_umask;
	size_t i;

	T_CHECK(mkdtemp(base) != NULL);
	snprintf(root, sizeof(root), "%s/queue", base);
	buf_init(&report);
	T_EQ_INT(queue_layout_check(root, &own, &report), 1);
	buf_reset(&report);
	/* A strict umask must not leak into the modes. */
	old_umask = umask(077);
	T_EQ_INT(queue_layout_create(root, &own, &err), 0);
	umask(old_umask);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!T_EQ_INT(mode_of(root, want[i].sub), want[i].mode))
			fprintf(stderr, "  %s\n", want[i].sub);
	T_EQ_INT(queue_layout_check(root, &own, &report), 0);
	T_EQ_STR(report.data, "");
	/* Damage two directories; check names both; create repairs. */
	T_EQ_INT(chmod_sub(root, "hold", 0777), 0);
	T_EQ_INT(chmod_sub(root, "public", 0755), 0);
	T_EQ_INT(queue_layout_check(root, &own, &report), 2);
	T_CHECK(strstr(report.data, "hold: mode 0777, want 0700") != NULL);
	T_CHECK(strstr(report.data, "public: mode 0755, want 0710") != NULL);
	T_EQ_INT(queue_layout_create(root, &own, &err), 0);
	buf_reset(&report);
	T_EQ_INT(queue_layout_check(root, &own, &report), 0);
	if (own.set_owner) {
		/* As root: owners are checked too. */
		own.owner_uid = 1;
		T_EQ_INT(queue_layout_check(root, &own, &report), 8);
		T_CHECK(strstr(report.data, "incoming: owner 0:") != NULL);
	}
	buf_deinit(&report);
	drop_queue(strdup(base), &qd);
}

/* A file or a symbolic link where a directory belongs is refused. */
static void
layout_refuses_non_directories(void)
{
	struct queue_layout_owner own = {.owner_uid = getuid(),
	    .owner_gid = getgid(),
	    .postdrop_gid = getgid()};
	char base[] = "/tmp/test_queue_layout.XXXXXX", path[600];
	struct queue_dir *qd = NULL;
	struct buf report;
	struct err err;
	int fd;

	T_CHECK(mkdtemp(base) != NULL);
	snprintf(path, sizeof(path), "%s/active", base);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	T_EQ_INT(queue_layout_create(base, &own, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	T_CHECK(strstr(err.text, "active") != NULL);
	unlink(path);
	T_EQ_INT(symlink("/tmp", path), 0);
	T_EQ_INT(queue_layout_create(base, &own, &err), -1);
	buf_init(&report);
	T_CHECK(queue_layout_check(base, &own, &report) >= 1);
	T_CHECK(strstr(report.data, "active: not a directory") != NULL);
	buf_deinit(&report);
	drop_queue(strdup(base), &qd);
}

T_MAIN(T_CASE(layout_create_and_check), T_CASE(layout_refuses_non_directories))

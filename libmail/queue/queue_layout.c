/* SPDX-License-Identifier: MIT */
/*
 * The queue directory table (queue_layout.h), written once and used for
 * both creating and checking, so the two cannot disagree. Modes follow
 * Postfix: sendmail reaches maildrop/ only through the postdrop group,
 * and no one but mail_owner may list or read queue files.
 */
#include "queue/queue_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue/queue_commit.h"

enum queue_layout_who {
	QUEUE_LAYOUT_ROOT,
	QUEUE_LAYOUT_MAIL,
	QUEUE_LAYOUT_POSTDROP
};

static const struct queue_layout_entry {
	const char *name; /* "" is the queue root */
	mode_t mode;
	enum queue_layout_who user, group;
} queue_layout_table[] = {
    {"", 0755, QUEUE_LAYOUT_ROOT, QUEUE_LAYOUT_ROOT},
    {"maildrop", 0730, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_POSTDROP},
    {"public", 0710, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_POSTDROP},
    {"incoming", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"active", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"deferred", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"hold", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"corrupt", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"private", 0700, QUEUE_LAYOUT_MAIL, QUEUE_LAYOUT_MAIL},
    {"pid", 0755, QUEUE_LAYOUT_ROOT, QUEUE_LAYOUT_ROOT},
};
#define QUEUE_LAYOUT_N                                                         \
	(sizeof(queue_layout_table) / sizeof(queue_layout_table[0]))

static uid_t
queue_layout_uid(
    const struct queue_layout_owner *own, enum queue_layout_who who)
{
	return who == QUEUE_LAYOUT_ROOT ? 0 : own->owner_uid;
}

static gid_t
queue_layout_gid(
    const struct queue_layout_owner *own, enum queue_layout_who who)
{
	if (who == QUEUE_LAYOUT_ROOT)
		return 0;
	return who == QUEUE_LAYOUT_POSTDROP ? own->postdrop_gid
	                                    : own->owner_gid;
}

/* mkdir if absent, then make sure it is a real directory we may fix. */
static int
queue_layout_make(int root_fd, const struct queue_layout_entry *e,
    struct stat *st, struct err *err)
{
	const char *name = e->name[0] != '\0' ? e->name : ".";

	if (mkdirat(root_fd, name, e->mode) < 0 && errno != EEXIST)
		return err_set(err, ERR_TEMP, "4.3.0", "mkdir %s: %s", name,
		    strerror(errno));
	if (fstatat(root_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "stat %s: %s", name,
		    strerror(errno));
	if (!S_ISDIR(st->st_mode))
		return err_set(
		    err, ERR_PERM, "4.3.0", "%s is not a directory", name);
	return 0;
}

static int
queue_layout_fix(int root_fd, const struct queue_layout_entry *e,
    const struct queue_layout_owner *own, struct err *err)
{
	const char *name = e->name[0] != '\0' ? e->name : ".";
	struct stat st;

	if (queue_layout_make(root_fd, e, &st, err) < 0)
		return -1;
	if (own->set_owner &&
	    fchownat(root_fd, name, queue_layout_uid(own, e->user),
	        queue_layout_gid(own, e->group), AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "chown %s: %s", name,
		    strerror(errno));
	/* Explicitly: mkdir's mode was filtered by the umask. */
	if (fchmodat(root_fd, name, e->mode, 0) < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "chmod %s: %s", name,
		    strerror(errno));
	return 0;
}

static int
queue_layout_commit_file(
    int root_fd, const struct queue_layout_owner *own, struct err *err)
{
	struct queue_commit *c;
	int fd;

	fd = openat(root_fd, "incoming",
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "open incoming: %s",
		    strerror(errno));
	if (queue_commit_open(fd, &c, err) < 0) {
		close(fd);
		return -1;
	}
	queue_commit_close(&c);
	if (own->set_owner &&
	    fchownat(fd, QUEUE_COMMIT_FILE, own->owner_uid, own->owner_gid,
	        AT_SYMLINK_NOFOLLOW) < 0) {
		err_set(err, ERR_TEMP, "4.3.0", "chown %s: %s",
		    QUEUE_COMMIT_FILE, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
queue_layout_create(
    const char *root, const struct queue_layout_owner *own, struct err *err)
{
	size_t i;
	int fd, rc = 0;

	/* root comes from main.cf and may be a symbolic link (to another
	 * disk); nothing below it may be. */
	if (mkdir(root, 0755) < 0 && errno != EEXIST)
		return err_set(err, ERR_TEMP, "4.3.0", "mkdir %s: %s", root,
		    strerror(errno));
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", root,
		    strerror(errno));
	for (i = 0; i < QUEUE_LAYOUT_N && rc == 0; i++)
		rc = queue_layout_fix(fd, &queue_layout_table[i], own, err);
	if (rc == 0)
		rc = queue_layout_commit_file(fd, own, err);
	close(fd);
	return rc;
}

static int
queue_layout_check_one(int root_fd, const struct queue_layout_entry *e,
    const struct queue_layout_owner *own, struct buf *report)
{
	const char *name = e->name[0] != '\0' ? e->name : ".";
	int problems = 0;
	struct stat st;

	if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		buf_printf(report, "queue: %s: %s\n", name, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(report, "queue: %s: not a directory\n", name);
		return 1;
	}
	if ((st.st_mode & 07777) != e->mode) {
		buf_printf(report, "queue: %s: mode %04o, want %04o\n", name,
		    (unsigned)(st.st_mode & 07777), (unsigned)e->mode);
		problems++;
	}
	if (own->set_owner &&
	    (st.st_uid != queue_layout_uid(own, e->user) ||
	        st.st_gid != queue_layout_gid(own, e->group))) {
		buf_printf(report, "queue: %s: owner %u:%u, want %u:%u\n", name,
		    (unsigned)st.st_uid, (unsigned)st.st_gid,
		    (unsigned)queue_layout_uid(own, e->user),
		    (unsigned)queue_layout_gid(own, e->group));
		problems++;
	}
	return problems;
}

int
queue_layout_check(
    const char *root, const struct queue_layout_owner *own, struct buf *report)
{
	int fd, problems = 0;
	size_t i;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		buf_printf(report, "queue: %s: %s\n", root, strerror(errno));
		return 1;
	}
	for (i = 0; i < QUEUE_LAYOUT_N; i++)
		problems += queue_layout_check_one(
		    fd, &queue_layout_table[i], own, report);
	close(fd);
	return problems;
}

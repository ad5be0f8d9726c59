/* SPDX-License-Identifier: MIT */
/*
 * Maildir++ creation and delivery (maildir.h). Runs in local as the
 * mail store owner; paths come from the users database and folder
 * names from Sieve scripts, so folder names are checked here. The
 * tmp/ -> fsync -> link into new/ -> fsync new/ order is what makes a
 * delivery all-or-nothing across a crash.
 */
#include "store/maildir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"

struct maildir_msg {
	struct maildir_name_uniq *u; /* borrowed */
	struct buf base; /* unique name of the tmp/ file */
	struct buf tmp_path;
	int fd;
	uint64_t size;
	bool finished;
};

static int
maildir_io_error(
    struct err *err, int errnum, const char *what, const char *path)
{
	if (errnum == ENOSPC)
		return err_set(err, ERR_TEMP, "4.3.1",
		    "mail system full: %s %s: %s", what, path,
		    strerror(errnum));
	if (errnum == EDQUOT)
		return err_set(err, ERR_TEMP, "4.2.2",
		    "mailbox full: %s %s: %s", what, path, strerror(errnum));
	return err_set(
	    err, ERR_TEMP, "4.3.0", "%s %s: %s", what, path, strerror(errnum));
}

static int
maildir_fsync_dir(const char *path, struct err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return maildir_io_error(err, errno, "open", path);
	if (fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		return maildir_io_error(err, saved, "fsync", path);
	}
	close(fd);
	return 0;
}

/* mkdir one directory; *made_out tells whether it is new. */
static int
maildir_mkdir(const char *path, bool *made_out, struct err *err)
{
	struct stat st;

	*made_out = false;
	if (mkdir(path, 0700) == 0) {
		*made_out = true;
		return 0;
	}
	if (errno != EEXIST)
		return maildir_io_error(err, errno, "mkdir", path);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(
		    err, ERR_TEMP, "4.3.0", "%s: not a directory", path);
	return 0;
}

/* Create path and its missing parents, syncing each changed parent. */
static int
maildir_mkdir_parents(const char *path, struct err *err)
{
	struct buf p;
	size_t i, len = strlen(path);
	bool made;
	int rc = 0;

	buf_init(&p);
	for (i = 1; i <= len && rc == 0; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (path[i - 1] == '/')
			continue;
		buf_reset(&p);
		buf_append(&p, path, i);
		rc = maildir_mkdir(p.data, &made, err);
		if (rc == 0 && made) {
			/* The parent now has a new entry: make it durable. */
			char *slash = strrchr(p.data, '/');

			if (slash == NULL)
				rc = maildir_fsync_dir(".", err);
			else if (slash == p.data)
				rc = maildir_fsync_dir("/", err);
			else {
				*slash = '\0';
				rc = maildir_fsync_dir(p.data, err);
			}
		}
	}
	buf_deinit(&p);
	return rc;
}

int
maildir_create(const char *path, struct err *err)
{
	static const char *const subs[] = {"tmp", "new", "cur"};
	bool made, any = false;
	struct buf p;
	size_t i;
	int rc;

	if ((rc = maildir_mkdir_parents(path, err)) < 0)
		return -1;
	buf_init(&p);
	for (i = 0; i < 3 && rc == 0; i++) {
		buf_reset(&p);
		buf_printf(&p, "%s/%s", path, subs[i]);
		rc = maildir_mkdir(p.data, &made, err);
		any = any || made;
	}
	buf_deinit(&p);
	if (rc == 0 && any)
		rc = maildir_fsync_dir(path, err);
	return rc;
}

int
maildir_folder_path(
    const char *root, const char *folder, struct buf *out, struct err *err)
{
	size_t i, len;

	if (folder == NULL || folder[0] == '\0' ||
	    strcmp(folder, "INBOX") == 0) {
		buf_puts(out, root);
		return 0;
	}
	len = strlen(folder);
	if (folder[0] == '.' || folder[len - 1] == '.' ||
	    strstr(folder, "..") != NULL)
		return err_set(err, ERR_PERM, "5.2.0",
		    "bad folder name (empty component)");
	for (i = 0; i < len; i++)
		if (folder[i] == '/' || (unsigned char)folder[i] < 0x20 ||
		    folder[i] == 0x7f)
			return err_set(err, ERR_PERM, "5.2.0",
			    "bad character in folder name");
	buf_printf(out, "%s/.%s", root, folder);
	return 0;
}

int
maildir_folder_create(const char *root, const char *folder, struct err *err)
{
	struct buf path;
	int fd, rc;

	buf_init(&path);
	rc = maildir_folder_path(root, folder, &path, err);
	if (rc == 0)
		rc = maildir_create(root, err);
	if (rc == 0 && strcmp(path.data, root) != 0 &&
	    (rc = maildir_create(path.data, err)) == 0) {
		buf_puts(&path, "/maildirfolder");
		fd = open(path.data,
		    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			rc = maildir_io_error(err, errno, "create", path.data);
		else
			close(fd);
	}
	buf_deinit(&path);
	return rc;
}

/* Open a new file named by u under dir/tmp; base_out gets the name. */
static int
maildir_tmp_create(const char *dir, struct maildir_name_uniq *u,
    struct buf *base_out, struct buf *path_out, struct err *err)
{
	struct timespec ts;
	int fd, tries;

	for (tries = 0; tries < 10; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		buf_reset(base_out);
		maildir_name_uniq_next(u, (uint64_t)ts.tv_sec,
		    (uint32_t)(ts.tv_nsec / 1000), base_out);
		buf_reset(path_out);
		buf_printf(path_out, "%s/tmp/%s", dir, base_out->data);
		fd = open(path_out->data,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	maildir_io_error(err, errno, "create", path_out->data);
	buf_reset(path_out); /* not ours: nobody may unlink it */
	return -1;
}

int
maildir_msg_open(const char *root, struct maildir_name_uniq *u,
    struct maildir_msg **m_out, struct err *err)
{
	struct maildir_msg *m;

	if (maildir_create(root, err) < 0)
		return -1;
	m = xcalloc(1, sizeof(*m));
	m->u = u;
	buf_init(&m->base);
	buf_init(&m->tmp_path);
	m->fd = maildir_tmp_create(root, u, &m->base, &m->tmp_path, err);
	if (m->fd < 0) {
		maildir_msg_free(&m);
		return -1;
	}
	*m_out = m;
	return 0;
}

static int
maildir_write_all(
    int fd, const void *data, size_t len, const char *path, struct err *err)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return maildir_io_error(err, errno, "write", path);
		off += (size_t)n;
	}
	return 0;
}

int
maildir_msg_write(
    struct maildir_msg *m, const void *data, size_t len, struct err *err)
{
	if (m->finished)
		PANIC("%s: write after finish", __func__);
	if (maildir_write_all(m->fd, data, len, m->tmp_path.data, err) < 0)
		return -1;
	m->size += len;
	return 0;
}

uint64_t
maildir_msg_size(const struct maildir_msg *m)
{
	return m->size;
}

int
maildir_msg_finish(struct maildir_msg *m, struct err *err)
{
	if (fsync(m->fd) < 0)
		return maildir_io_error(err, errno, "fsync", m->tmp_path.data);
	m->finished = true;
	return 0;
}

/* For a mailbox on another file system: copy into its tmp/, fsync. */
static int
maildir_msg_copy(struct maildir_msg *m, const char *dir, struct buf *base_out,
    struct buf *path_out, struct err *err)
{
	char chunk[65536];
	uint64_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = maildir_tmp_create(dir, m->u, base_out, path_out, err)) < 0)
		return -1;
	while (off < m->size) {
		n = pread(m->fd, chunk, sizeof(chunk), (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			maildir_io_error(
			    err, n < 0 ? errno : EIO, "read", m->tmp_path.data);
			goto fail;
		}
		if (maildir_write_all(
		        fd, chunk, (size_t)n, path_out->data, err) < 0)
			goto fail;
		off += (uint64_t)n;
	}
	if (fsync(fd) < 0) {
		maildir_io_error(err, errno, "fsync", path_out->data);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	unlink(path_out->data);
	return -1;
}

/* "<base>,S=<size>" plus the info suffix when there are flags. */
static void
maildir_final_name(
    const struct buf *base, uint64_t size, uint64_t flags, struct buf *out)
{
	struct buf plain;

	buf_reset(out);
	buf_init(&plain);
	buf_printf(&plain, "%s,S=%llu", base->data, (unsigned long long)size);
	if (flags != 0)
		maildir_name_info_format(plain.data, plain.len, flags, out);
	else
		buf_append(out, plain.data, plain.len);
	buf_deinit(&plain);
}

/* link(2) src into dir/<sub>/, renaming on a clash; the copy on EXDEV. */
static int
maildir_msg_link(struct maildir_msg *m, const char *dir, uint64_t flags,
    struct buf *name, struct buf *dst, struct buf *copy_path, struct err *err)
{
	const char *sub = flags != 0 ? "cur" : "new";
	struct buf base;
	struct timespec ts;
	const char *src = m->tmp_path.data;
	int tries, rc = -1;

	buf_init(&base);
	buf_append(&base, m->base.data, m->base.len);
	for (tries = 0; tries < 10; tries++) {
		maildir_final_name(&base, m->size, flags, name);
		buf_reset(dst);
		buf_printf(dst, "%s/%s/%s", dir, sub, name->data);
		if (link(src, dst->data) == 0) {
			rc = 0;
			break;
		}
		if (errno == EXDEV && copy_path->len == 0) {
			if (maildir_msg_copy(m, dir, &base, copy_path, err) < 0)
				break;
			src = copy_path->data;
		} else if (errno == EEXIST) {
			/* The same message twice into one mailbox. */
			clock_gettime(CLOCK_REALTIME, &ts);
			buf_reset(&base);
			maildir_name_uniq_next(m->u, (uint64_t)ts.tv_sec,
			    (uint32_t)(ts.tv_nsec / 1000), &base);
		} else {
			maildir_io_error(err, errno, "link", dst->data);
			break;
		}
	}
	if (tries == 10)
		maildir_io_error(err, EEXIST, "link", dst->data);
	buf_deinit(&base);
	return rc;
}

int
maildir_msg_deliver(struct maildir_msg *m, const char *root, const char *folder,
    uint64_t flags, struct buf *name_out, struct err *err)
{
	struct buf dir, name, dst, copy_path;
	int rc;

	if (!m->finished)
		PANIC("%s: deliver before finish", __func__);
	buf_init(&dir);
	buf_init(&name);
	buf_init(&dst);
	buf_init(&copy_path);
	rc = maildir_folder_path(root, folder, &dir, err);
	if (rc == 0)
		rc = maildir_folder_create(root, folder, err);
	if (rc == 0)
		rc = maildir_msg_link(
		    m, dir.data, flags, &name, &dst, &copy_path, err);
	if (rc == 0) {
		/* Sync the directory that got the name. */
		char *slash = strrchr(dst.data, '/');

		*slash = '\0';
		rc = maildir_fsync_dir(dst.data, err);
		*slash = '/';
		if (rc < 0)
			unlink(dst.data); /* not durable: not delivered */
	}
	if (copy_path.len > 0)
		unlink(copy_path.data);
	if (rc == 0 && name_out != NULL)
		buf_append(name_out, name.data, name.len);
	buf_deinit(&copy_path);
	buf_deinit(&dst);
	buf_deinit(&name);
	buf_deinit(&dir);
	return rc;
}

void
maildir_msg_free(struct maildir_msg **mp)
{
	struct maildir_msg *m = *mp;

	if (m == NULL)
		return;
	if (m->fd >= 0)
		close(m->fd);
	if (m->tmp_path.len > 0)
		unlink(m->tmp_path.data);
	buf_deinit(&m->base);
	buf_deinit(&m->tmp_path);
	free(m);
	*mp = NULL;
}

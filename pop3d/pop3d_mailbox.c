/* SPDX-License-Identifier: MIT */
/*
 * The maildrop of a logged-in user: its Maildir++ root (authd's record
 * and the rule local delivery uses, store/maildir_root.h), the POP3
 * lock, the index snapshot the session works on, message sizes, and
 * the UPDATE state at QUIT. Only the root folder (INBOX) is served, as
 * RFC 1939 knows no folders.
 *
 * The lock is flock(2) on POP3D_LOCK_FILE in the root: it dies with
 * the descriptor, so a crashed session never leaves the mailbox locked.
 * IMAP sessions and local delivery do not take it; the index and the
 * files stay consistent without it (store/mbox_index.h), and a message
 * another tool removed meanwhile is reported as gone.
 */
#include "pop3d.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "store/maildir.h"
#include "store/mbox_index.h"
#include "store/mbox_sync.h"
#include "store/mbox_view.h"
#include "store/store_jail.h"

/* 0 locked, 1 another session holds it, -1 with err. */
static int
pop3d_mailbox_lock(struct pop3d_session *s, struct err *err)
{
	struct buf path;
	int fd, e;

	buf_init(&path);
	buf_printf(&path, "%s/%s", s->root, POP3D_LOCK_FILE);
	fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		e = errno;
		err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", path.data,
		    strerror(e));
		buf_deinit(&path);
		return -1;
	}
	buf_deinit(&path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return 1;
		return err_set(err, ERR_TEMP, "4.3.0", "flock: %s",
		    strerror(e));
	}
	s->lock_fd = fd;
	return 0;
}

/* Sync the index with the files and take the snapshot. */
static int
pop3d_mailbox_snapshot(struct pop3d_session *s, struct err *err)
{
	size_t i;

	if (mbox_index_open(s->root, &s->ix, err) != 0 ||
	    mbox_sync_folder(s->ix, NULL, NULL, err) != 0 ||
	    mbox_view_open(s->ix, NULL, &s->view, err) != 0)
		return -1;
	s->uidvalidity = mbox_view_status(s->view)->uidvalidity;
	s->nmsgs = mbox_view_count(s->view);
	s->msgs = arena_zalloc(s->arena, sizeof(*s->msgs) * (s->nmsgs + 1));
	for (i = 0; i < s->nmsgs; i++) {
		const struct mbox_index_msg *m = mbox_view_msg(s->view, i);

		s->msgs[i].uid = m->uid;
		/* ",W=" in the name is the CR LF size already. */
		s->msgs[i].size_known = m->vsize != 0;
		s->msgs[i].size = m->vsize;
	}
	return 0;
}

int
pop3d_mailbox_open(struct pop3d_session *s, struct err *err)
{
	struct auth_account acct;
	int rc;

	rc = auth_client_lookup(s->pd->auth, s->user, &acct, s->arena, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "authd logged in an account it cannot look up");
	if (store_jail_root(acct.store, s->conf->mail_store_directory,
	        s->pd->jailed, s->user, s->arena, &s->root, err) != 0 ||
	    maildir_create(s->root, err) != 0)
		return -1;
	if ((rc = pop3d_mailbox_lock(s, err)) != 0)
		return rc;
	return pop3d_mailbox_snapshot(s, err);
}

void
pop3d_mailbox_close(struct pop3d_session *s)
{
	mbox_view_free(&s->view);
	mbox_index_close(&s->ix);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

/* Find message i again after another tool renamed its file. */
static int
pop3d_mailbox_reopen(struct pop3d_session *s, size_t i, struct err *err)
{
	struct mbox_index_msg m;
	struct buf name, path;
	int rc, fd = -1;

	buf_init(&name);
	buf_init(&path);
	if (mbox_sync_folder(s->ix, NULL, NULL, err) == 0) {
		rc = mbox_index_lookup(s->ix, NULL, s->msgs[i].uid, &m, &name,
		    err);
		if (rc == 0)
			err_set(err, ERR_PERM, "5.2.0",
			    "message was removed by another session");
		if (rc == 1) {
			buf_printf(&path, "%s/%s/%s", s->root,
			    m.in_cur ? "cur" : "new", m.name);
			fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				err_set(err, errno == ENOENT ? ERR_PERM : ERR_TEMP,
				    "", "open %s: %s", path.data,
				    strerror(errno));
		}
	}
	buf_deinit(&name);
	buf_deinit(&path);
	return fd;
}

int
pop3d_mailbox_open_msg(struct pop3d_session *s, size_t i, struct err *err)
{
	struct buf path;
	int fd;

	buf_init(&path);
	mbox_view_path(s->view, i, &path);
	fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		fd = pop3d_mailbox_reopen(s, i, err);
	else if (fd < 0)
		err_set(err, ERR_TEMP, "", "open %s: %s", path.data,
		    strerror(errno));
	buf_deinit(&path);
	return fd;
}

/*
 * As msg/dotstuff sends them, n octets count n plus one CR per bare LF;
 * *prev is the octet before them, updated. The dot-stuffing is not
 * counted (RFC 1939 §11).
 */
static uint64_t
pop3d_mailbox_count(const char *p, size_t n, char *prev)
{
	uint64_t size = n;
	size_t k;

	for (k = 0; k < n; k++) {
		if (p[k] == '\n' && *prev != '\r')
			size++;
		*prev = p[k];
	}
	return size;
}

/* The last line gets its CR LF when the file does not end with LF. */
static void
pop3d_mailbox_size_done(struct pop3d_msg *m, uint64_t size, char last)
{
	m->size = size + (last != '\n' ? 2 : 0);
	m->size_known = true;
}

void
pop3d_mailbox_size_whole(
    struct pop3d_session *s, size_t i, const char *data, size_t len)
{
	char prev = '\n';

	pop3d_mailbox_size_done(
	    &s->msgs[i], pop3d_mailbox_count(data, len, &prev), prev);
}

int
pop3d_mailbox_size(struct pop3d_session *s, size_t i, struct err *err)
{
	struct pop3d_msg *m = &s->msgs[i];
	char chunk[65536];
	uint64_t size = 0;
	char prev = '\n';
	ssize_t n;
	int fd;

	if (m->size_known)
		return 0;
	if ((fd = pop3d_mailbox_open_msg(s, i, err)) < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		size += pop3d_mailbox_count(chunk, (size_t)n, &prev);
	if (n < 0) {
		err_set(err, ERR_TEMP, "", "read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	pop3d_mailbox_size_done(m, size, prev);
	return 0;
}

int
pop3d_mailbox_update(struct pop3d_session *s, struct err *err)
{
	struct mbox_index_store_item *seen;
	uint32_t *gone;
	size_t i, ngone = 0, nseen = 0, done = 0;
	struct err serr;

	gone = arena_alloc(s->arena, sizeof(*gone) * (s->nmsgs + 1));
	seen = arena_zalloc(s->arena, sizeof(*seen) * (s->nmsgs + 1));
	for (i = 0; i < s->nmsgs; i++) {
		if (s->msgs[i].deleted)
			gone[ngone++] = s->msgs[i].uid;
		else if (s->msgs[i].retrieved)
			seen[nseen++].uid = s->msgs[i].uid;
	}
	/* As Dovecot does: what was downloaded shows as \Seen in IMAP. */
	if (nseen > 0 &&
	    mbox_index_store(s->ix, NULL, MBOX_INDEX_STORE_ADD,
	        MBOX_INDEX_SEEN, 0, seen, nseen, &serr) != 0)
		log_warning("user=<%s>: marking messages seen: %s", s->user,
		    serr.text);
	if (ngone == 0)
		return 0;
	if (mbox_index_expunge(s->ix, NULL, gone, ngone, &done, err) != 0)
		return -1;
	/* Fewer when another session expunged some first. */
	s->nexpunged = (unsigned)done;
	return 0;
}

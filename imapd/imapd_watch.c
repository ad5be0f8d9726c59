/* SPDX-License-Identifier: MIT */
/*
 * How a session learns that its selected folder changed without
 * polling: one inotify descriptor per process, one watch on new/ and
 * cur/ of each folder some session has selected (shared by every
 * session of that folder), and a dirty mark on those sessions when a
 * file appears, goes or is renamed (a delivery, a flag change or an
 * expunge by any process). A marked session syncs before its next
 * command; one in IDLE (RFC 2177) syncs and reports at once.
 */
#include "imapd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "imapd_mailbox.h"
#include "store/maildir.h"

#define IMAPD_WATCH_MASK                                                       \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |     \
	    IN_DELETE_SELF | IN_MOVE_SELF)

struct imapd_watch {
	struct imapd_watch *next;
	struct imapd_user *u;
	char *folder;
	int wd[2]; /* new/, cur/; -1 when not watched */
	unsigned refs;
};

static void
imapd_watch_add_dir(struct imapd *d, struct imapd_watch *w, int i,
    const char *dir, const char *sub)
{
	struct buf path;

	buf_init(&path);
	buf_printf(&path, "%s/%s", dir, sub);
	w->wd[i] =
	    inotify_add_watch(d->inotify_fd, path.data, IMAPD_WATCH_MASK);
	if (w->wd[i] < 0)
		log_warning_errno(errno, "inotify_add_watch %s", path.data);
	buf_deinit(&path);
}

void
imapd_watch_attach(struct imapd_session *s)
{
	struct imapd *d = s->d;
	struct imapd_watch *w;
	struct buf dir;
	struct err err;

	for (w = d->watches; w != NULL; w = w->next)
		if (w->u == s->u && strcmp(w->folder, s->mbox->folder) == 0)
			break;
	if (w == NULL) {
		w = xcalloc(1, sizeof(*w));
		w->u = s->u;
		w->folder = xstrdup(s->mbox->folder);
		w->wd[0] = w->wd[1] = -1;
		buf_init(&dir);
		if (d->inotify_fd >= 0 &&
		    maildir_folder_path(s->u->root, w->folder, &dir, &err) ==
		        0) {
			imapd_watch_add_dir(d, w, 0, dir.data, "new");
			imapd_watch_add_dir(d, w, 1, dir.data, "cur");
		}
		buf_deinit(&dir);
		w->next = d->watches;
		d->watches = w;
	}
	w->refs++;
	s->mbox->watch = w;
}

void
imapd_watch_detach(struct imapd_session *s)
{
	struct imapd *d = s->d;
	struct imapd_watch *w = s->mbox->watch, **pp;
	int i;

	s->mbox->watch = NULL;
	if (w == NULL || --w->refs > 0)
		return;
	for (pp = &d->watches; *pp != w; pp = &(*pp)->next)
		;
	*pp = w->next;
	for (i = 0; i < 2; i++)
		if (w->wd[i] >= 0)
			inotify_rm_watch(d->inotify_fd, w->wd[i]);
	free(w->folder);
	free(w);
}

/* Mark the sessions of the watch with descriptor wd (-1: all). */
static void
imapd_watch_mark(struct imapd *d, int wd)
{
	struct imapd_session *s;

	for (s = d->sessions; s != NULL; s = s->next) {
		struct imapd_watch *w = s->mbox != NULL ? s->mbox->watch : NULL;

		if (w != NULL && (wd < 0 || w->wd[0] == wd || w->wd[1] == wd))
			s->mbox->dirty = true;
	}
}

static void
imapd_watch_event(struct event_loop *loop, int fd, unsigned events, void *ctx)
{
	struct imapd *d = ctx;
	struct imapd_session *s, *next;
	char data[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	size_t off;

	(void)loop;
	(void)events;
	while ((n = read(fd, data, sizeof(data))) > 0) {
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		     off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(data + off);
			imapd_watch_mark(
			    d, (ev->mask & IN_Q_OVERFLOW) ? -1 : ev->wd);
		}
	}
	for (s = d->sessions; s != NULL; s = next) {
		next = s->next;
		if (s->wait == IMAPD_WAIT_IDLE && s->mbox != NULL &&
		    s->mbox->dirty) {
			imapd_mailbox_refresh(s, NULL);
			imapd_io_pump(s);
		}
	}
}

void
imapd_mailbox_watch_init(struct imapd *d)
{
	d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inotify_fd < 0) {
		log_warning_errno(errno,
		    "inotify_init1: sessions will rescan "
		    "their folder before every command");
		return;
	}
	if (event_fd_add(
	        d->loop, d->inotify_fd, EVENT_READ, imapd_watch_event, d) != 0)
		log_fatal("event_fd_add inotify failed");
}

void
imapd_mailbox_watch_deinit(struct imapd *d)
{
	if (d->inotify_fd < 0)
		return;
	event_fd_remove(d->loop, d->inotify_fd);
	close(d->inotify_fd);
	d->inotify_fd = -1;
}

void
imapd_watch_idle(struct imapd_session *s, const struct imap_cmd *cmd)
{
	if (cmd->count != 0) {
		imapd_reply(s, cmd->tag, "BAD", "IDLE takes no arguments");
		return;
	}
	buf_puts(imapd_io_out(s), "+ idling\r\n");
	s->tag = xstrdup(cmd->tag);
	s->wait = IMAPD_WAIT_IDLE;
	s->want_line = true;
}

void
imapd_mailbox_idle_line(struct imapd_session *s, const char *line, size_t len)
{
	char *tag = s->tag;

	s->tag = NULL;
	s->wait = IMAPD_WAIT_NONE;
	if (len == 4 && strncasecmp(line, "DONE", 4) == 0)
		imapd_reply(s, tag, "OK", "IDLE terminated");
	else
		imapd_reply(s, tag, "BAD", "Expected DONE");
	free(tag);
}

/* SPDX-License-Identifier: MIT */
/*
 * The selected folder (RFC 3501 §6.3.1-2, §6.4.2, RFC 3691 UNSELECT):
 * SELECT and EXAMINE take a snapshot of the folder's index after a sync
 * with its files; imapd_mailbox_refresh() replaces the snapshot with a
 * newer one and tells the client what changed between the two
 * (EXPUNGE, FETCH FLAGS, EXISTS), RFC 3501 §7.4.1 permitting. Changes
 * are noticed by imapd_watch.c, so a session rescans nothing while its
 * folder stays untouched.
 */
#include "imapd_mailbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "imap/imap_write.h"
#include "store/mbox_folder.h"
#include "store/mbox_keywords.h"
#include "store/mbox_sync.h"
#include "store/mbox_view.h"

static const struct {
	uint64_t bit;
	const char *name;
} imapd_select_flags[] = {
    {MBOX_INDEX_ANSWERED, "\\Answered"},
    {MBOX_INDEX_FLAGGED, "\\Flagged"},
    {MBOX_INDEX_DELETED, "\\Deleted"},
    {MBOX_INDEX_SEEN, "\\Seen"},
    {MBOX_INDEX_DRAFT, "\\Draft"},
};

void
imapd_select_flags_write(
    const struct imapd_mailbox *m, uint64_t flags, struct buf *out)
{
	const char *sep = "";
	size_t i;

	buf_putc(out, '(');
	for (i = 0;
	     i < sizeof(imapd_select_flags) / sizeof(imapd_select_flags[0]);
	     i++) {
		if (flags & imapd_select_flags[i].bit) {
			buf_printf(
			    out, "%s%s", sep, imapd_select_flags[i].name);
			sep = " ";
		}
	}
	for (i = 0; i < MBOX_KEYWORDS_MAX; i++) {
		if ((flags & mbox_keywords_bit((unsigned)i)) &&
		    m->kw.names[i] != NULL) {
			buf_printf(out, "%s%s", sep, m->kw.names[i]);
			sep = " ";
		}
	}
	buf_putc(out, ')');
}

int
imapd_select_name(struct imapd_session *s, const struct imap_arg *arg,
    struct buf *name, struct err *err)
{
	struct buf utf8;
	int rc = -1;

	if (!imap_arg_is_astring(arg) || strlen(arg->str) != arg->len)
		return err_set(err, ERR_PERM, "", "Invalid mailbox name");
	buf_init(&utf8);
	buf_reset(name);
	/* Validated and decoded, then kept on disk in modified UTF-7 as
	 * Dovecot keeps it, so other Maildir tools agree on the name. */
	if (imap_mailbox_decode(arg->str, arg->len,
	        (s->enabled & IMAPD_ENABLED_UTF8) != 0, &utf8, err) == 0) {
		rc = imap_mailbox_encode(utf8.data, utf8.len, name);
		if (rc != 0)
			err_set(
			    err, ERR_PERM, "CANNOT", "Invalid mailbox name");
	}
	buf_deinit(&utf8);
	return rc;
}

int
imapd_select_folder(struct imapd_session *s, const struct imap_arg *arg,
    struct buf *folder, struct err *err)
{
	struct buf name;
	int rc = -1;

	buf_init(&name);
	buf_reset(folder);
	if (imapd_select_name(s, arg, &name, err) != 0)
		goto out;
	if (mbox_folder_from_imap(name.data, folder, err) != 0) {
		err->kind = ERR_PERM;
		snprintf(err->dsn, sizeof(err->dsn), "CANNOT");
		goto out;
	}
	rc = 0;
out:
	buf_deinit(&name);
	return rc;
}

/* A fresh snapshot of the folder (after a sync with its files). */
static int
imapd_select_snapshot(struct imapd_session *s, const char *folder,
    struct mbox_view **view_out, struct err *err)
{
	if (mbox_sync_folder(s->u->ix, folder, NULL, err) != 0)
		return -1;
	return mbox_view_open(s->u->ix, folder, view_out, err);
}

void
imapd_mailbox_close(struct imapd_session *s)
{
	struct imapd_mailbox *m = s->mbox;

	if (m == NULL)
		return;
	imapd_watch_detach(s);
	mbox_view_free(&m->view);
	arena_free(&m->kw_arena);
	free(m->folder);
	free(m);
	s->mbox = NULL;
	if (s->state == IMAPD_SELECTED)
		s->state = IMAPD_AUTH;
}

int
imapd_select_keywords(struct imapd_session *s, struct err *err)
{
	struct imapd_mailbox *m = s->mbox;

	arena_free(&m->kw_arena);
	m->kw_arena = arena_new();
	return mbox_keywords_load(
	    s->u->ix, m->folder, m->kw_arena, &m->kw, err);
}

void
imapd_select_flags_announce(struct imapd_session *s)
{
	const struct imapd_mailbox *m = s->mbox;
	struct buf *out = imapd_io_out(s);
	uint64_t all = MBOX_INDEX_SEEN | MBOX_INDEX_ANSWERED |
	    MBOX_INDEX_FLAGGED | MBOX_INDEX_DELETED | MBOX_INDEX_DRAFT |
	    MBOX_INDEX_KEYWORDS;

	buf_puts(out, "* FLAGS ");
	imapd_select_flags_write(m, all, out);
	buf_puts(out, "\r\n* OK [PERMANENTFLAGS ");
	imapd_select_flags_write(m, m->readonly ? 0 : all, out);
	if (!m->readonly) {
		buf_truncate(out, out->len - 1);
		buf_puts(
		    out, out->data[out->len - 1] == '(' ? "\\*)" : " \\*)");
	}
	buf_puts(out, "] Flags permitted\r\n");
}

static void
imapd_select_announce(struct imapd_session *s, const char *tag)
{
	struct imapd_mailbox *m = s->mbox;
	const struct mbox_index_status *st = mbox_view_status(m->view);
	struct buf *out = imapd_io_out(s);
	size_t i, n = mbox_view_count(m->view);

	imapd_select_flags_announce(s);
	buf_printf(out, "* %zu EXISTS\r\n* 0 RECENT\r\n", n);
	for (i = 0; i < n; i++) {
		if (!(mbox_view_msg(m->view, i)->flags & MBOX_INDEX_SEEN)) {
			buf_printf(
			    out, "* OK [UNSEEN %zu] First unseen\r\n", i + 1);
			break;
		}
	}
	buf_printf(out,
	    "* OK [UIDVALIDITY %lu] UIDs valid\r\n"
	    "* OK [UIDNEXT %lu] Predicted next UID\r\n"
	    "* OK [HIGHESTMODSEQ %llu] Highest\r\n",
	    (unsigned long)st->uidvalidity, (unsigned long)st->uidnext,
	    (unsigned long long)st->highestmodseq);
	imapd_reply(s, tag, "OK", "[%s] %s completed",
	    m->readonly ? "READ-ONLY" : "READ-WRITE",
	    m->readonly ? "EXAMINE" : "SELECT");
}

static void
imapd_select_open(
    struct imapd_session *s, const struct imap_cmd *cmd, bool readonly)
{
	struct imapd_mailbox *m;
	struct buf folder;
	struct err err;

	/* RFC 7162 §3.1.8: SELECT mailbox (CONDSTORE) */
	if (cmd->count == 2 && cmd->args[1].type == IMAP_ARG_LIST &&
	    cmd->args[1].count == 1 &&
	    imap_arg_is_atom(&cmd->args[1].list[0], "CONDSTORE"))
		s->enabled |= IMAPD_ENABLED_CONDSTORE;
	else if (cmd->count != 1) {
		imapd_reply(
		    s, cmd->tag, "BAD", "%s takes a mailbox name", cmd->name);
		return;
	}
	/* RFC 3501 §6.3.1: a failed SELECT leaves nothing selected. */
	imapd_mailbox_close(s);
	buf_init(&folder);
	m = xcalloc(1, sizeof(*m));
	m->readonly = readonly;
	if (imapd_select_folder(s, &cmd->args[0], &folder, &err) != 0 ||
	    imapd_select_snapshot(s, folder.data, &m->view, &err) != 0) {
		if (err.kind == ERR_PERM && strcmp(err.dsn, "5.2.0") == 0)
			imapd_reply(
			    s, cmd->tag, "NO", "[NONEXISTENT] No such mailbox");
		else
			imapd_reply_err(s, cmd->tag, &err);
		mbox_view_free(&m->view);
		free(m);
		buf_deinit(&folder);
		return;
	}
	m->folder = buf_detach(&folder);
	buf_deinit(&folder); /* buf_detach left it initialised */
	s->mbox = m;
	s->state = IMAPD_SELECTED;
	if (imapd_select_keywords(s, &err) != 0)
		log_warning("user=<%s>: keywords of %s: %s", s->user, m->folder,
		    err.text);
	imapd_watch_attach(s);
	imapd_select_announce(s, cmd->tag);
}

void
imapd_select_select(struct imapd_session *s, const struct imap_cmd *cmd)
{
	imapd_select_open(s, cmd, false);
}

void
imapd_select_examine(struct imapd_session *s, const struct imap_cmd *cmd)
{
	imapd_select_open(s, cmd, true);
}

void
imapd_select_unselect(struct imapd_session *s, const struct imap_cmd *cmd)
{
	if (cmd->count != 0) {
		imapd_reply(
		    s, cmd->tag, "BAD", "%s takes no arguments", cmd->name);
		return;
	}
	/* CLOSE expunges first (RFC 3501 §6.4.2), silently. */
	if (strcmp(cmd->name, "CLOSE") == 0 && !s->mbox->readonly)
		imapd_store_expunge_deleted(s, NULL, false);
	imapd_mailbox_close(s);
	imapd_reply(s, cmd->tag, "OK", "%s completed", cmd->name);
}

/* Tell the client how the new snapshot differs from the old one. */
static void
imapd_select_diff(struct imapd_session *s, const struct mbox_view *old,
    const struct mbox_view *new, const struct imapd_refresh *r)
{
	struct imapd_mailbox *m = s->mbox;
	struct buf *out = imapd_io_out(s);
	size_t i, j = 0, removed = 0;
	size_t nold = mbox_view_count(old), nnew = mbox_view_count(new);

	for (i = 0; i < nold; i++) {
		const struct mbox_index_msg *a = mbox_view_msg(old, i);
		const struct mbox_index_msg *b =
		    j < nnew ? mbox_view_msg(new, j) : NULL;

		if (b == NULL || b->uid != a->uid) {
			buf_printf(out, "* %zu EXPUNGE\r\n", i + 1 - removed);
			removed++;
			continue;
		}
		j++;
		if (a->flags == b->flags ||
		    (r != NULL && r->quiet != NULL && r->quiet(r->ctx, b->uid)))
			continue;
		buf_printf(out, "* %zu FETCH (UID %lu FLAGS ", i + 1 - removed,
		    (unsigned long)b->uid);
		imapd_select_flags_write(m, b->flags, out);
		if (s->enabled & IMAPD_ENABLED_CONDSTORE)
			buf_printf(out, " MODSEQ (%llu)",
			    (unsigned long long)b->modseq);
		buf_puts(out, ")\r\n");
	}
	if (nnew != nold - removed)
		buf_printf(out, "* %zu EXISTS\r\n", nnew);
}

int
imapd_mailbox_refresh(struct imapd_session *s, const struct imapd_refresh *r)
{
	struct imapd_mailbox *m = s->mbox;
	struct mbox_view *view;
	struct err err;

	m->dirty = false;
	if (imapd_select_snapshot(s, m->folder, &view, &err) != 0) {
		log_warning(
		    "user=<%s>: sync of %s: %s", s->user, m->folder, err.text);
		return -1;
	}
	if (mbox_view_status(view)->uidvalidity !=
	    mbox_view_status(m->view)->uidvalidity) {
		/* RFC 3501 §2.3.1.1: the UIDs are void; the client must
		 * start again. */
		mbox_view_free(&view);
		imapd_untagged(s,
		    "BYE [UIDVALIDITY] Mailbox rebuilt, "
		    "select it again");
		s->closing = true;
		return -1;
	}
	if (imapd_select_keywords(s, &err) != 0)
		log_warning("user=<%s>: keywords of %s: %s", s->user, m->folder,
		    err.text);
	imapd_select_diff(s, m->view, view, r);
	mbox_view_free(&m->view);
	m->view = view;
	return 0;
}

void
imapd_mailbox_changes(struct imapd_session *s)
{
	/* Without inotify nothing marks the folder: always look. */
	if (s->mbox != NULL && (s->mbox->dirty || s->d->inotify_fd < 0))
		imapd_mailbox_refresh(s, NULL);
}

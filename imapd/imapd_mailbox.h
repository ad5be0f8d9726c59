/* SPDX-License-Identifier: MIT */
/*
 * imapd's mailbox layer, private to imapd: a user's open mailbox store
 * (imapd_user.c), the selected folder of a session and the changes other
 * sessions and deliveries make to it (imapd_select.c, imapd_watch.c).
 */
#ifndef IMAPD_IMAPD_MAILBOX_H
#define IMAPD_IMAPD_MAILBOX_H

#include "imapd.h"
#include "store/mbox_keywords.h"

struct mbox_index;
struct mbox_view;
struct imapd_watch;

/* One user's mailbox in this process, shared by that user's sessions. */
struct imapd_user {
	struct imapd_user *next;
	char *name; /* primary address */
	char *root; /* Maildir++ root, relative to the mail store */
	struct mbox_index *ix;
	uint64_t quota; /* bytes; 0: none (as authd said at the first login) */
	unsigned refs;
};

/* ---- imapd_user.c ---- */

/*
 * Attach the session to user name's mailbox (s->u), opening it when no
 * other session has: authd's lookup for the store location, the
 * special-use folders, the index. 0, or -1 with err.
 */
int imapd_user_open(struct imapd_session *s, const char *name, struct err *err);
/* Detach; the last session closes the index. No-op without s->u. */
void imapd_user_unref(struct imapd_session *s);

/* A session's selected folder. */
struct imapd_mailbox {
	char *folder; /* Maildir++ name, "" for INBOX */
	bool readonly; /* EXAMINE */
	bool dirty; /* the watch saw its files change */
	struct mbox_view *view; /* what the client was told */
	struct arena *kw_arena;
	struct mbox_keywords kw; /* keyword names, in kw_arena */
	struct imapd_watch *watch;
};

/* Which changes a refresh must not report (the session's own
 * STORE .SILENT, RFC 3501 §6.4.6). */
struct imapd_refresh {
	bool (*quiet)(void *ctx, uint32_t uid);
	void *ctx;
};

/* ---- imapd_select.c ---- */

void imapd_select_select(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_select_examine(struct imapd_session *s, const struct imap_cmd *cmd);
/* UNSELECT and CLOSE. */
void imapd_select_unselect(struct imapd_session *s, const struct imap_cmd *cmd);
/* A mailbox argument -> its validated IMAP name (modified UTF-7) in
 * name (replaced). 0, or -1 with err (for imapd_reply_err). */
int imapd_select_name(struct imapd_session *s, const struct imap_arg *arg,
    struct buf *name, struct err *err);
/* A mailbox argument -> Maildir++ folder name in folder (replaced). 0,
 * or -1 with err (for imapd_reply_err). */
int imapd_select_folder(struct imapd_session *s, const struct imap_arg *arg,
    struct buf *folder, struct err *err);
/* "(\Seen kw ...)" of flags in the selected folder, to out. */
void imapd_select_flags_write(
    const struct imapd_mailbox *m, uint64_t flags, struct buf *out);
/* "* FLAGS" and "* OK [PERMANENTFLAGS]" of the selected folder. */
void imapd_select_flags_announce(struct imapd_session *s);
/* Reload the selected folder's keyword names. 0 or -1 with err. */
int imapd_select_keywords(struct imapd_session *s, struct err *err);
/* Deselect without expunging; no-op when nothing is selected. */
void imapd_mailbox_close(struct imapd_session *s);
/*
 * Sync, take a new snapshot and report the differences (EXPUNGE, FETCH,
 * EXISTS); r may be NULL. 0, or -1 (logged; the old snapshot stays, or
 * the session is closing after a UIDVALIDITY change).
 */
int imapd_mailbox_refresh(
    struct imapd_session *s, const struct imapd_refresh *r);
/* Before a command: report what changed, if the watch saw anything. */
void imapd_mailbox_changes(struct imapd_session *s);

/* ---- imapd_folder.c: the folder hierarchy ---- */

void imapd_folder_list(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_folder_create(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_folder_delete(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_folder_rename(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_folder_status(struct imapd_session *s, const struct imap_cmd *cmd);

/* ---- imapd_subscribe.c: the subscriptions file ---- */

void imapd_subscribe_lsub(struct imapd_session *s, const struct imap_cmd *cmd);
/* SUBSCRIBE and UNSUBSCRIBE. */
void imapd_subscribe_change(
    struct imapd_session *s, const struct imap_cmd *cmd);
/* True when name is subscribed (for LIST's \Subscribed). */
bool imapd_subscribe_has(struct imapd_session *s, const char *name);
/*
 * RFC 3501 §6.3.8 wildcards: '*' matches anything, '%' anything but the
 * separator; INBOX in any case matches "INBOX".
 */
bool imapd_folder_match(const char *pattern, const char *name);

/* ---- imapd_msg.c: message files ---- */

/*
 * The message at snapshot position pos, with CRLF line ends, in out
 * (replaced). 0, or -1 with err (NO [EXPUNGEISSUED] when another
 * process expunged it).
 */
int imapd_msg_load(
    struct imapd_session *s, size_t pos, struct buf *out, struct err *err);
/* Append data to out with every bare LF made CRLF. */
void imapd_msg_crlf(const char *data, size_t len, struct buf *out);

/* ---- imapd_fetch.c ---- */

/* FETCH and UID FETCH. */
void imapd_fetch_fetch(struct imapd_session *s, const struct imap_cmd *cmd);

/* ---- imapd_quota.c: QUOTA (RFC 9208) ---- */

void imapd_quota_getquotaroot(
    struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_quota_getquota(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_quota_setquota(struct imapd_session *s, const struct imap_cmd *cmd);

/* ---- imapd_search.c ---- */

struct imap_search;
struct imap_search_limits;

/* SEARCH nesting and size limits, for SEARCH, SORT and THREAD. */
extern const struct imap_search_limits imapd_search_parse_limits;
/* SEARCH and UID SEARCH. */
void imapd_search_search(struct imapd_session *s, const struct imap_cmd *cmd);
/*
 * Evaluate q over the snapshot: the matching positions, ascending, into
 * pos_out (room for every message); returns their number. *modseq_out
 * gets the highest MODSEQ among them.
 */
size_t imapd_search_run(struct imapd_session *s, const struct imap_search *q,
    size_t *pos_out, uint64_t *modseq_out);
/* Refuse (BAD) what the evaluator does not do (SEARCHRES); false then. */
bool imapd_search_supported(struct imapd_session *s, const struct imap_cmd *cmd,
    const struct imap_search *q);

/* ---- imapd_sort.c ---- */

/* SORT and UID SORT (RFC 5256). */
void imapd_sort_sort(struct imapd_session *s, const struct imap_cmd *cmd);
/* THREAD and UID THREAD, ORDEREDSUBJECT only. */
void imapd_sort_thread(struct imapd_session *s, const struct imap_cmd *cmd);

/* ---- imapd_seq.c ---- */

/* Snapshot positions of a message set, ascending, in the command arena. */
struct imapd_seq {
	size_t *pos;
	size_t count;
};

/*
 * Resolve arg, a sequence set (a UID set when uid), against the
 * snapshot. 0, or -1 with err (BAD: syntax, or a sequence number past
 * the last message).
 */
int imapd_seq_resolve(struct imapd_session *s, const struct imap_arg *arg,
    bool uid, struct imapd_seq *out, struct err *err);

/* ---- imapd_store.c ---- */

void imapd_store_store(struct imapd_session *s, const struct imap_cmd *cmd);
/* EXPUNGE and UID EXPUNGE. */
void imapd_store_expunge(struct imapd_session *s, const struct imap_cmd *cmd);
/*
 * Expunge the \Deleted messages of the selected folder (only those in
 * only when not NULL), then refresh and report EXPUNGE when report.
 * 0, or -1 (logged).
 */
int imapd_store_expunge_deleted(
    struct imapd_session *s, const struct imapd_seq *only, bool report);
/*
 * IMAP flags -> index flag bits of folder, whose keyword names are kw;
 * unknown keywords get a letter when create, and are skipped otherwise.
 * 0, or -1 with err.
 */
int imapd_store_flags(struct imapd_session *s, const char *folder,
    const struct mbox_keywords *kw, const struct imap_flags *f, bool create,
    uint64_t *out, struct err *err);

/* ---- imapd_append.c: APPEND, COPY, MOVE ---- */

void imapd_append_append(struct imapd_session *s, const struct imap_cmd *cmd);
/* COPY, MOVE and their UID forms. */
void imapd_append_copy(struct imapd_session *s, const struct imap_cmd *cmd);

/* ---- imapd_watch.c: new mail and other sessions' changes ---- */

/* Follow the selected folder's files (inotify, shared per folder). */
void imapd_watch_attach(struct imapd_session *s);
void imapd_watch_detach(struct imapd_session *s);
void imapd_mailbox_watch_init(struct imapd *d);
void imapd_mailbox_watch_deinit(struct imapd *d);
/* IDLE (RFC 2177). */
void imapd_watch_idle(struct imapd_session *s, const struct imap_cmd *cmd);
/* IDLE's "DONE" (or anything else, which ends IDLE with BAD). */
void imapd_mailbox_idle_line(
    struct imapd_session *s, const char *line, size_t len);

#endif

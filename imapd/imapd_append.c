/* SPDX-License-Identifier: MIT */
/*
 * Adding messages to a folder: APPEND (RFC 3501 §6.3.11, with flags and
 * internal date, APPENDLIMIT RFC 7889), COPY (§6.4.7) and MOVE (RFC
 * 6851), answered with APPENDUID and COPYUID (RFC 4315). A message goes
 * through store/maildir.h as a delivery does (tmp/, fsync, link into
 * new/ or cur/ with its flags) and gets its UID from the index at once.
 * APPENDed messages are stored with LF line ends, as local delivery
 * stores them. The literal is client data; its size was bounded by the
 * command reader before a byte of it was accepted.
 */
#include "imapd.h"

#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "core/log.h"
#include "imapd_mailbox.h"
#include "store/maildir.h"
#include "store/mbox_index.h"
#include "store/mbox_view.h"

/* Store one message into folder; its UID in *uid_out. 0 or -1. */
static int
imapd_append_one(struct imapd_session *s, const char *folder, const char *data,
    size_t len, uint64_t flags, time_t date, uint32_t *uid_out, struct err *err)
{
	struct maildir_msg *m = NULL;
	struct buf name, path;
	struct timeval tv;
	int rc = -1;

	buf_init(&name);
	buf_init(&path);
	gettimeofday(&tv, NULL);
	if (maildir_msg_open(s->u->root, &s->d->uniq, &m, err) != 0 ||
	    maildir_msg_write(m, data, len, err) != 0 ||
	    maildir_msg_finish(m, err) != 0 ||
	    maildir_msg_deliver(m, s->u->root, folder, flags, &name, err) != 0)
		goto out;
	/* The internal date is the file's mtime (store/mbox_index.h). */
	if (date != 0 &&
	    maildir_folder_path(s->u->root, folder, &path, err) == 0) {
		struct timespec ts[2] = {{date, 0}, {date, 0}};

		buf_printf(&path, "/%s/%s",
		    strchr(name.data, ':') ? "cur" : "new", name.data);
		utimensat(AT_FDCWD, path.data, ts, 0);
	}
	rc = mbox_index_append(s->u->ix, folder, name.data, uid_out, err);
	/* The selected folder grew: the next command's responses say so,
	 * whether or not the file watch has been read yet. */
	if (rc == 0 && s->mbox != NULL && strcmp(s->mbox->folder, folder) == 0)
		s->mbox->dirty = true;
out:
	maildir_msg_free(&m);
	buf_deinit(&name);
	buf_deinit(&path);
	return rc;
}

/* The target folder must exist: NO [TRYCREATE] otherwise (§6.3.11). */
static int
imapd_append_target(struct imapd_session *s, const struct imap_arg *arg,
    struct buf *folder, struct err *err)
{
	struct buf dir;
	struct stat sb;
	int rc;

	if (imapd_select_folder(s, arg, folder, err) != 0)
		return -1;
	buf_init(&dir);
	rc = maildir_folder_path(s->u->root, folder->data, &dir, err);
	if (rc == 0 && (stat(dir.data, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		rc = err_set(err, ERR_PERM, "TRYCREATE", "No such mailbox");
	buf_deinit(&dir);
	return rc;
}

/* UIDVALIDITY of folder, which has index state after an append. */
static uint32_t
imapd_append_uidvalidity(struct imapd_session *s, const char *folder)
{
	struct mbox_index_status st;
	struct err err;

	if (mbox_index_status(s->u->ix, folder, &st, &err) != 1)
		return 0;
	return st.uidvalidity;
}

/* The optional flag list and date of APPEND, then the message. */
static int
imapd_append_args(struct imapd_session *s, const struct imap_cmd *cmd,
    const char *folder, uint64_t *flags_out, time_t *date_out,
    const struct imap_arg **msg_out, struct err *err)
{
	const struct imap_arg *a = cmd->args + 1, *end = cmd->args + cmd->count;
	struct mbox_keywords kw;
	struct imap_flags f;
	int tz;

	*flags_out = 0;
	*date_out = 0;
	if (a < end && a->type == IMAP_ARG_LIST) {
		if (imap_flags_parse(a, 1, false, &f, s->arena, err) != 0 ||
		    mbox_keywords_load(s->u->ix, folder, s->arena, &kw, err) !=
		        0 ||
		    imapd_store_flags(
		        s, folder, &kw, &f, true, flags_out, err) != 0)
			return -1;
		a++;
	}
	if (a < end && a->type == IMAP_ARG_QUOTED) {
		if (imap_datetime_parse(a->str, a->len, date_out, &tz, err) !=
		    0)
			return -1;
		a++;
	}
	if (a + 1 != end || a->type != IMAP_ARG_LITERAL)
		return err_set(err, ERR_PERM, "",
		    "APPEND needs a mailbox, "
		    "optional flags and date, "
		    "and a message literal");
	if (a->len == 0)
		return err_set(err, ERR_PERM, "CANNOT", "Empty message");
	*msg_out = a;
	return 0;
}

/* CR LF -> LF, the form local delivery stores. */
static void
imapd_append_unix(const char *data, size_t len, struct buf *out)
{
	size_t i, start = 0;

	buf_reserve(out, len);
	for (i = 0; i + 1 < len; i++) {
		if (data[i] == '\r' && data[i + 1] == '\n') {
			buf_append(out, data + start, i - start);
			start = i + 1;
		}
	}
	buf_append(out, data + start, len - start);
}

void
imapd_append_append(struct imapd_session *s, const struct imap_cmd *cmd)
{
	const struct imap_arg *msg;
	struct buf folder, text;
	struct err err;
	uint64_t flags;
	time_t date;
	uint32_t uid;

	if (cmd->count < 2) {
		imapd_reply(s, cmd->tag, "BAD",
		    "APPEND needs a mailbox and a "
		    "message");
		return;
	}
	buf_init(&folder);
	buf_init(&text);
	if (imapd_append_target(s, &cmd->args[0], &folder, &err) != 0 ||
	    imapd_append_args(s, cmd, folder.data, &flags, &date, &msg, &err) !=
	        0) {
		imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	imapd_append_unix(msg->str, msg->len, &text);
	if (imapd_append_one(s, folder.data, text.data, text.len, flags, date,
	        &uid, &err) != 0) {
		log_warning("user=<%s>: APPEND: %s", s->user, err.text);
		imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	imapd_reply(s, cmd->tag, "OK", "[APPENDUID %lu %lu] APPEND completed",
	    (unsigned long)imapd_append_uidvalidity(s, folder.data),
	    (unsigned long)uid);
out:
	buf_deinit(&folder);
	buf_deinit(&text);
}

/*
 * Keyword letters are per folder: copied flags name the same keywords
 * in the target, which may need letters of its own.
 */
static int
imapd_append_map_flags(struct imapd_session *s, const char *folder,
    uint64_t flags, uint64_t *out, struct err *err)
{
	const struct mbox_keywords *kw = &s->mbox->kw;
	uint64_t bit;
	unsigned i;
	int rc;

	*out = flags & ~MBOX_INDEX_KEYWORDS;
	for (i = 0; i < MBOX_KEYWORDS_MAX; i++) {
		if (!(flags & mbox_keywords_bit(i)) || kw->names[i] == NULL)
			continue;
		rc = mbox_keywords_add(
		    s->u->ix, folder, kw->names[i], &bit, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			*out |= bit;
	}
	return 0;
}

/* Copy the messages of set to folder; their UIDs "a,b" into src/dst. */
static int
imapd_append_copy_set(struct imapd_session *s, const struct imapd_seq *set,
    const char *folder, struct buf *src, struct buf *dst, struct err *err)
{
	struct buf raw, path;
	size_t i;
	int rc = 0;

	buf_init(&raw);
	buf_init(&path);
	for (i = 0; i < set->count && rc == 0; i++) {
		const struct mbox_index_msg *msg =
		    mbox_view_msg(s->mbox->view, set->pos[i]);
		uint32_t uid;

		/* CRLF is fine to store too: readers accept both. */
		uint64_t flags;

		rc = imapd_msg_load(s, set->pos[i], &raw, err);
		if (rc == 0)
			rc = imapd_append_map_flags(
			    s, folder, msg->flags, &flags, err);
		if (rc == 0)
			rc = imapd_append_one(s, folder, raw.data, raw.len,
			    flags, (time_t)msg->date, &uid, err);
		if (rc == 0) {
			buf_printf(src, "%s%lu", i ? "," : "",
			    (unsigned long)msg->uid);
			buf_printf(
			    dst, "%s%lu", i ? "," : "", (unsigned long)uid);
		}
	}
	buf_deinit(&raw);
	buf_deinit(&path);
	return rc;
}

void
imapd_append_copy(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	const struct imap_arg *args = cmd->args + uid;
	const char *verb = uid ? cmd->args[0].str : cmd->name;
	bool move = strcasecmp(verb, "MOVE") == 0;
	struct buf folder, src, dst;
	struct imapd_seq set;
	struct err err;
	uint32_t *uids;
	size_t i;

	if (cmd->count - uid != 2) {
		imapd_reply(s, cmd->tag, "BAD",
		    "%s needs a message set and a "
		    "mailbox",
		    verb);
		return;
	}
	if (move && s->mbox->readonly) {
		imapd_reply(s, cmd->tag, "NO",
		    "[READ-ONLY] Mailbox is "
		    "read-only");
		return;
	}
	buf_init(&folder);
	buf_init(&src);
	buf_init(&dst);
	if (imapd_seq_resolve(s, &args[0], uid, &set, &err) != 0 ||
	    imapd_append_target(s, &args[1], &folder, &err) != 0 ||
	    imapd_append_copy_set(s, &set, folder.data, &src, &dst, &err) !=
	        0) {
		imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	if (set.count == 0) {
		imapd_reply(
		    s, cmd->tag, "OK", "%s completed, nothing to do", verb);
		goto out;
	}
	if (!move) {
		imapd_reply(s, cmd->tag, "OK",
		    "[COPYUID %lu %s %s] %s completed",
		    (unsigned long)imapd_append_uidvalidity(s, folder.data),
		    src.data, dst.data, verb);
		goto out;
	}
	/* RFC 6851 §4.3: COPYUID untagged, before the expunges. */
	imapd_untagged(s, "OK [COPYUID %lu %s %s] Moved",
	    (unsigned long)imapd_append_uidvalidity(s, folder.data), src.data,
	    dst.data);
	uids = arena_alloc(s->arena, set.count * sizeof(*uids));
	for (i = 0; i < set.count; i++)
		uids[i] = mbox_view_msg(s->mbox->view, set.pos[i])->uid;
	if (mbox_index_expunge(
	        s->u->ix, s->mbox->folder, uids, set.count, NULL, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	imapd_mailbox_refresh(s, NULL);
	imapd_reply(s, cmd->tag, "OK", "MOVE completed");
out:
	buf_deinit(&folder);
	buf_deinit(&src);
	buf_deinit(&dst);
}

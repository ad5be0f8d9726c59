/* SPDX-License-Identifier: MIT */
/*
 * Changing messages of the selected folder: STORE (RFC 3501 §6.4.6,
 * with RFC 7162 UNCHANGEDSINCE), EXPUNGE (§6.4.3) and UID EXPUNGE
 * (RFC 4315). Flags go to the index and the file names in one call
 * (store/mbox_index.h); keywords get their Maildir letter on first use.
 * The session's snapshot is then refreshed, which also reports what
 * other sessions changed meanwhile.
 */
#include "imapd.h"

#include <string.h>

#include "core/log.h"
#include "imapd_mailbox.h"
#include "store/mbox_index.h"
#include "store/mbox_view.h"

static const struct {
	unsigned imap;
	uint64_t index;
} imapd_store_map[] = {
    {IMAP_FLAG_SEEN, MBOX_INDEX_SEEN},
    {IMAP_FLAG_ANSWERED, MBOX_INDEX_ANSWERED},
    {IMAP_FLAG_FLAGGED, MBOX_INDEX_FLAGGED},
    {IMAP_FLAG_DELETED, MBOX_INDEX_DELETED},
    {IMAP_FLAG_DRAFT, MBOX_INDEX_DRAFT},
};

int
imapd_store_flags(struct imapd_session *s, const char *folder,
    const struct mbox_keywords *kw, const struct imap_flags *f, bool create,
    uint64_t *out, struct err *err)
{
	uint64_t flags = 0, bit;
	size_t i;
	int slot, rc;

	for (i = 0; i < sizeof(imapd_store_map) / sizeof(imapd_store_map[0]);
	     i++)
		if (f->system & imapd_store_map[i].imap)
			flags |= imapd_store_map[i].index;
	for (i = 0; i < f->nkeywords; i++) {
		slot = mbox_keywords_find(kw, f->keywords[i]);
		if (slot >= 0) {
			flags |= mbox_keywords_bit((unsigned)slot);
			continue;
		}
		if (!create)
			continue;
		rc = mbox_keywords_add(
		    s->u->ix, folder, f->keywords[i], &bit, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return err_set(err, ERR_PERM, "LIMIT",
			    "Too many keywords in this mailbox");
		flags |= bit;
	}
	*out = flags;
	return 0;
}

struct imapd_store_quiet {
	const struct mbox_index_store_item *items;
	size_t n;
};

static bool
imapd_store_is_quiet(void *ctx, uint32_t uid)
{
	const struct imapd_store_quiet *q = ctx;
	size_t lo = 0, hi = q->n;

	/* items are in ascending UID order, as the snapshot is. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (q->items[mid].uid == uid)
			return true;
		if (q->items[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The keyword bits that have names in the session's list. */
static uint64_t
imapd_store_known(const struct imapd_mailbox *m)
{
	uint64_t bits = 0;
	unsigned i;

	for (i = 0; i < MBOX_KEYWORDS_MAX; i++)
		if (m->kw.names[i] != NULL)
			bits |= mbox_keywords_bit(i);
	return bits;
}

/* The untagged FETCH for one stored message. */
static void
imapd_store_report(struct imapd_session *s, size_t pos,
    const struct mbox_index_store_item *it, bool uid)
{
	struct buf *out = imapd_io_out(s);

	buf_printf(out, "* %zu FETCH (", pos + 1);
	if (uid)
		buf_printf(out, "UID %lu ", (unsigned long)it->uid);
	buf_puts(out, "FLAGS ");
	imapd_select_flags_write(s->mbox, it->flags, out);
	if (s->enabled & IMAPD_ENABLED_CONDSTORE)
		buf_printf(
		    out, " MODSEQ (%llu)", (unsigned long long)it->modseq);
	buf_puts(out, ")\r\n");
}

static void
imapd_store_apply(struct imapd_session *s, const struct imap_cmd *cmd, bool uid,
    const struct imapd_seq *set, const struct imap_store *st, uint64_t flags)
{
	static const enum mbox_index_store_op ops[] = {
	    [IMAP_STORE_REPLACE] = MBOX_INDEX_STORE_SET,
	    [IMAP_STORE_ADD] = MBOX_INDEX_STORE_ADD,
	    [IMAP_STORE_REMOVE] = MBOX_INDEX_STORE_REMOVE,
	};
	struct mbox_index_store_item *items;
	struct imapd_store_quiet q;
	struct buf modified;
	struct err err;
	size_t i;

	items = arena_zalloc(s->arena, (set->count + 1) * sizeof(*items));
	for (i = 0; i < set->count; i++)
		items[i].uid = mbox_view_msg(s->mbox->view, set->pos[i])->uid;
	if (mbox_index_store(s->u->ix, s->mbox->folder, ops[st->op], flags,
	        st->has_unchangedsince ? st->unchangedsince : 0, items,
	        set->count, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	buf_init(&modified);
	for (i = 0; i < set->count; i++) {
		if (items[i].result == 2)
			buf_printf(&modified, "%s%lu", modified.len ? "," : "",
			    (unsigned long)items[i].uid);
		else if (items[i].result == 1 && !st->silent)
			imapd_store_report(s, set->pos[i], &items[i], uid);
	}
	q.items = items;
	q.n = set->count;
	imapd_mailbox_refresh(s,
	    &(struct imapd_refresh){.quiet = imapd_store_is_quiet, .ctx = &q});
	if (modified.len > 0)
		imapd_reply(s, cmd->tag, "OK",
		    "[MODIFIED %s] Conditional STORE "
		    "failed",
		    modified.data);
	else
		imapd_reply(s, cmd->tag, "OK", "STORE completed");
	buf_deinit(&modified);
}

void
imapd_store_store(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	const struct imap_arg *args = cmd->args + uid;
	size_t count = cmd->count - uid;
	struct imapd_seq set;
	struct imap_store st;
	struct err err;
	uint64_t flags;

	if (count < 2) {
		imapd_reply(s, cmd->tag, "BAD",
		    "STORE needs a message set, an "
		    "item and flags");
		return;
	}
	if (s->mbox->readonly) {
		imapd_reply(s, cmd->tag, "NO",
		    "[READ-ONLY] Mailbox is "
		    "read-only");
		return;
	}
	if (imapd_seq_resolve(s, &args[0], uid, &set, &err) != 0 ||
	    imap_store_parse(args + 1, count - 1, &st, s->arena, &err) != 0 ||
	    imapd_store_flags(s, s->mbox->folder, &s->mbox->kw, &st.flags,
	        st.op != IMAP_STORE_REMOVE, &flags, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	/* A new keyword: RFC 3501 §7.2.6, the client learns the new list. */
	if ((flags & MBOX_INDEX_KEYWORDS) & ~imapd_store_known(s->mbox)) {
		if (imapd_select_keywords(s, &err) != 0) {
			imapd_reply_err(s, cmd->tag, &err);
			return;
		}
		imapd_select_flags_announce(s);
	}
	if (st.has_unchangedsince)
		s->enabled |= IMAPD_ENABLED_CONDSTORE;
	imapd_store_apply(s, cmd, uid, &set, &st, flags);
}

int
imapd_store_expunge_deleted(
    struct imapd_session *s, const struct imapd_seq *only, bool report)
{
	const struct mbox_view *v = s->mbox->view;
	size_t n = mbox_view_count(v), i, k = 0, nuids = 0;
	uint32_t *uids;
	struct err err;

	uids = arena_alloc(s->arena, (n + 1) * sizeof(*uids));
	for (i = 0; i < n; i++) {
		const struct mbox_index_msg *msg = mbox_view_msg(v, i);

		/* only->pos is ascending: walk it along. */
		while (only != NULL && k < only->count && only->pos[k] < i)
			k++;
		if (only != NULL && (k == only->count || only->pos[k] != i))
			continue;
		if (msg->flags & MBOX_INDEX_DELETED)
			uids[nuids++] = msg->uid;
	}
	if (nuids > 0 &&
	    mbox_index_expunge(
	        s->u->ix, s->mbox->folder, uids, nuids, NULL, &err) != 0) {
		log_warning("user=<%s>: expunge in %s: %s", s->user,
		    s->mbox->folder, err.text);
		return -1;
	}
	if (report)
		imapd_mailbox_refresh(s, NULL);
	return 0;
}

void
imapd_store_expunge(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	struct imapd_seq set;
	struct err err;

	if (cmd->count != (uid ? 2u : 0u)) {
		imapd_reply(s, cmd->tag, "BAD", "%s",
		    uid ? "UID EXPUNGE takes a UID set"
		        : "EXPUNGE takes no arguments");
		return;
	}
	if (s->mbox->readonly) {
		imapd_reply(s, cmd->tag, "NO",
		    "[READ-ONLY] Mailbox is "
		    "read-only");
		return;
	}
	if (uid && imapd_seq_resolve(s, &cmd->args[1], true, &set, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	if (imapd_store_expunge_deleted(s, uid ? &set : NULL, true) != 0)
		imapd_reply(s, cmd->tag, "NO",
		    "[UNAVAILABLE] Expunge failed, "
		    "try again");
	else
		imapd_reply(s, cmd->tag, "OK", "EXPUNGE completed");
}

/* SPDX-License-Identifier: MIT */
/*
 * Message sets of the selected folder: a sequence set (or, for UID
 * commands, a UID set) resolved against the session's snapshot into
 * snapshot positions, ascending. RFC 3501 §6.4.8: UIDs that do not
 * exist are ignored; a sequence number past the last message is an
 * error, except in the "*" of an empty folder's range.
 */
#include "imapd.h"

#include "imapd_mailbox.h"
#include "store/mbox_view.h"

int
imapd_seq_resolve(struct imapd_session *s, const struct imap_arg *arg, bool uid,
    struct imapd_seq *out, struct err *err)
{
	const struct mbox_view *v = s->mbox->view;
	size_t n = mbox_view_count(v), i, r;
	struct imap_seqset set;
	uint32_t star;

	out->pos = NULL;
	out->count = 0;
	if (arg->type != IMAP_ARG_ATOM)
		return err_set(err, ERR_PERM, "", "Invalid message set");
	if (imap_seqset_parse(arg->str, arg->len, &set, s->arena, err) != 0)
		return -1;
	if (set.saved)
		return err_set(err, ERR_PERM, "", "No saved search result");
	star = n == 0 ? 0 : uid ? mbox_view_msg(v, n - 1)->uid : (uint32_t)n;
	if (!uid) {
		for (r = 0; r < set.count; r++) {
			if ((set.ranges[r].hi != IMAP_SEQ_STAR &&
			        set.ranges[r].hi > n) ||
			    (set.ranges[r].lo != IMAP_SEQ_STAR &&
			        set.ranges[r].lo > n))
				return err_set(err, ERR_PERM, "",
				    "Invalid message sequence number");
		}
	}
	out->pos = arena_alloc(s->arena, (n > 0 ? n : 1) * sizeof(*out->pos));
	for (i = 0; i < n; i++) {
		uint32_t key =
		    uid ? mbox_view_msg(v, i)->uid : (uint32_t)(i + 1);

		if (imap_seqset_contains(&set, key, star))
			out->pos[out->count++] = i;
	}
	return 0;
}

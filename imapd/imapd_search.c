/* SPDX-License-Identifier: MIT */
/*
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4, RFC 9051) with ESEARCH
 * results (RFC 4731) and MODSEQ (RFC 7162), evaluated over the session's
 * snapshot: flags, UIDs, sizes, dates and MODSEQ from the index; header
 * and body keys read the message (imapd_msg.c), only for the messages
 * the cheap keys let through. String matching is a case-insensitive
 * substring over the raw bytes (ASCII case folding, no charset or
 * transfer-encoding decoding: a documented limit, docs/imapd.md).
 */
#include "imapd.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap/imap_search.h"
#include "imapd_mailbox.h"
#include "mime/mime.h"
#include "store/mbox_index.h"
#include "store/mbox_view.h"

const struct imap_search_limits imapd_search_parse_limits = {
    .depth_max = 32,
    .keys_max = 1000,
};

/* One message under evaluation. */
struct imapd_search_msg {
	struct imapd_session *s;
	size_t pos;
	const struct mbox_index_msg *msg;
	uint32_t maxuid;
	time_t now;
	int loaded; /* 0 not yet, 1 body and mime valid, -1 unreadable */
	struct arena *arena; /* this message's parse; NULL until loaded */
	struct buf body;
	struct mime_message mime;
};

static const struct mime_limits imapd_search_limits = {
    .depth_max = 50,
    .parts_max = 5000,
    .params_max = 64,
};

static bool
imapd_search_load(struct imapd_search_msg *sm)
{
	struct err err;

	if (sm->loaded == 0 && sm->arena == NULL)
		sm->arena = arena_new();
	if (sm->loaded == 0)
		sm->loaded =
		    imapd_msg_load(sm->s, sm->pos, &sm->body, &err) == 0 &&
		        mime_parse(sm->body.data, sm->body.len,
		            &imapd_search_limits, &sm->mime, sm->arena,
		            &err) == 0
		    ? 1
		    : -1;
	return sm->loaded > 0;
}

/* Case-insensitive (ASCII) substring; "" is everywhere. */
static bool
imapd_search_contains(
    const char *hay, size_t len, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return true;
	for (i = 0; i + nlen <= len; i++)
		if (strncasecmp(hay + i, needle, nlen) == 0)
			return true;
	return false;
}

static bool
imapd_search_header(
    struct imapd_search_msg *sm, const struct imap_search_node *n)
{
	struct mime_header_iter it;
	struct mime_field f;
	const char *v;

	if (!imapd_search_load(sm))
		return false;
	mime_header_iter_init(&it, sm->body.data, sm->mime.root->header);
	while (mime_header_next(&it, &f) == 1) {
		if (f.name.len != strlen(n->field) ||
		    strncasecmp(
		        sm->body.data + f.name.off, n->field, f.name.len) != 0)
			continue;
		v = mime_header_unfold(sm->body.data, f.value, sm->arena);
		if (imapd_search_contains(v, strlen(v), n->str, n->str_len))
			return true;
	}
	return false;
}

/* Days since the epoch of the Date: field, or INT64_MIN. */
static int64_t
imapd_search_sent_day(struct imapd_search_msg *sm)
{
	const char *v;
	time_t t;
	int tz;

	if (!imapd_search_load(sm))
		return INT64_MIN;
	v = mime_header_get(
	    sm->body.data, sm->mime.root->header, "Date", sm->arena);
	if (v == NULL || mime_date_parse(v, strlen(v), &t, &tz) != 0)
		return INT64_MIN;
	/* RFC 3501: the date, disregarding time and zone. */
	return ((int64_t)t + (int64_t)tz * 60) / 86400;
}

static bool imapd_search_eval(
    struct imapd_search_msg *sm, const struct imap_search_node *n);

static bool
imapd_search_flag(const struct imapd_search_msg *sm, unsigned flag)
{
	static const struct {
		unsigned imap;
		uint64_t index;
	} map[] = {
	    {IMAP_FLAG_SEEN, MBOX_INDEX_SEEN},
	    {IMAP_FLAG_ANSWERED, MBOX_INDEX_ANSWERED},
	    {IMAP_FLAG_FLAGGED, MBOX_INDEX_FLAGGED},
	    {IMAP_FLAG_DELETED, MBOX_INDEX_DELETED},
	    {IMAP_FLAG_DRAFT, MBOX_INDEX_DRAFT},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (flag == map[i].imap)
			return (sm->msg->flags & map[i].index) != 0;
	return false; /* \Recent: no session sees a message as recent */
}

static bool
imapd_search_date(struct imapd_search_msg *sm, const struct imap_search_node *n)
{
	int64_t want = imap_date_days(&n->date), day;

	switch (n->kind) {
	case IMAP_SEARCH_BEFORE:
	case IMAP_SEARCH_ON:
	case IMAP_SEARCH_SINCE:
		day = sm->msg->date / 86400;
		break;
	default:
		if ((day = imapd_search_sent_day(sm)) == INT64_MIN)
			return false;
		break;
	}
	if (n->kind == IMAP_SEARCH_BEFORE || n->kind == IMAP_SEARCH_SENTBEFORE)
		return day < want;
	if (n->kind == IMAP_SEARCH_ON || n->kind == IMAP_SEARCH_SENTON)
		return day == want;
	return day >= want;
}

static bool
imapd_search_children(
    struct imapd_search_msg *sm, const struct imap_search_node *n)
{
	const struct imap_search_node *c;

	for (c = n->children; c != NULL; c = c->next)
		if (!imapd_search_eval(sm, c))
			return false;
	return true;
}

static bool
imapd_search_eval(struct imapd_search_msg *sm, const struct imap_search_node *n)
{
	const struct mbox_index_msg *msg = sm->msg;
	uint64_t size = msg->vsize != 0 ? msg->vsize : msg->size;
	int slot;

	switch (n->kind) {
	case IMAP_SEARCH_AND:
		return imapd_search_children(sm, n);
	case IMAP_SEARCH_OR:
		return imapd_search_eval(sm, n->children) ||
		    imapd_search_eval(sm, n->children->next);
	case IMAP_SEARCH_NOT:
		return !imapd_search_eval(sm, n->children);
	case IMAP_SEARCH_ALL:
	case IMAP_SEARCH_OLD:
		return true;
	case IMAP_SEARCH_NEW:
		return false;
	case IMAP_SEARCH_SEQSET:
		return imap_seqset_contains(&n->set, (uint32_t)(sm->pos + 1),
		    (uint32_t)mbox_view_count(sm->s->mbox->view));
	case IMAP_SEARCH_UID:
		return imap_seqset_contains(&n->set, msg->uid, sm->maxuid);
	case IMAP_SEARCH_FLAG:
		return imapd_search_flag(sm, n->flag);
	case IMAP_SEARCH_KEYWORD:
		slot = mbox_keywords_find(&sm->s->mbox->kw, n->str);
		return slot >= 0 &&
		    (msg->flags & mbox_keywords_bit((unsigned)slot));
	case IMAP_SEARCH_HEADER:
		return imapd_search_header(sm, n);
	case IMAP_SEARCH_BODY:
		return imapd_search_load(sm) &&
		    imapd_search_contains(
		        sm->body.data + sm->mime.root->body.off,
		        sm->mime.root->body.len, n->str, n->str_len);
	case IMAP_SEARCH_TEXT:
		return imapd_search_load(sm) &&
		    imapd_search_contains(
		        sm->body.data, sm->body.len, n->str, n->str_len);
	case IMAP_SEARCH_LARGER:
		return size > n->num;
	case IMAP_SEARCH_SMALLER:
		return size < n->num;
	case IMAP_SEARCH_MODSEQ:
		return msg->modseq >= n->num;
	case IMAP_SEARCH_OLDER:
		return sm->now - msg->date >= (int64_t)n->num;
	case IMAP_SEARCH_YOUNGER:
		return sm->now - msg->date <= (int64_t)n->num;
	default:
		return imapd_search_date(sm, n);
	}
}

/* "1:3,5" of the ascending numbers in v. */
static void
imapd_search_set(struct buf *out, const uint32_t *v, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && v[j + 1] == v[j] + 1; j++)
			;
		buf_printf(out, "%s%lu", i ? "," : "", (unsigned long)v[i]);
		if (j > i)
			buf_printf(out, ":%lu", (unsigned long)v[j]);
		i = j + 1;
	}
}

static void
imapd_search_answer(struct imapd_session *s, const struct imap_cmd *cmd,
    bool uid, const struct imap_search *q, const uint32_t *hits, size_t n,
    uint64_t modseq)
{
	struct buf *out = imapd_io_out(s);
	unsigned ret = q->ret != 0 ? q->ret : IMAP_SEARCH_RET_ALL;
	size_t i;

	if (!q->has_return) {
		buf_puts(out, "* SEARCH");
		for (i = 0; i < n; i++)
			buf_printf(out, " %lu", (unsigned long)hits[i]);
		if (q->uses_modseq && n > 0)
			buf_printf(
			    out, " (MODSEQ %llu)", (unsigned long long)modseq);
	} else {
		buf_printf(out, "* ESEARCH (TAG \"%s\")%s", cmd->tag,
		    uid ? " UID" : "");
		if ((ret & IMAP_SEARCH_RET_MIN) && n > 0)
			buf_printf(out, " MIN %lu", (unsigned long)hits[0]);
		if ((ret & IMAP_SEARCH_RET_MAX) && n > 0)
			buf_printf(out, " MAX %lu", (unsigned long)hits[n - 1]);
		if (ret & IMAP_SEARCH_RET_COUNT)
			buf_printf(out, " COUNT %zu", n);
		if ((ret & IMAP_SEARCH_RET_ALL) && n > 0) {
			buf_puts(out, " ALL ");
			imapd_search_set(out, hits, n);
		}
		if (q->uses_modseq && n > 0)
			buf_printf(
			    out, " MODSEQ %llu", (unsigned long long)modseq);
	}
	buf_puts(out, "\r\n");
	imapd_reply(s, cmd->tag, "OK", "SEARCH completed");
}

size_t
imapd_search_run(struct imapd_session *s, const struct imap_search *q,
    size_t *pos_out, uint64_t *modseq_out)
{
	const struct mbox_view *v = s->mbox->view;
	size_t count = mbox_view_count(v), i, n = 0;
	struct imapd_search_msg sm = {.s = s, .now = time(NULL)};
	bool matched;

	*modseq_out = 0;
	sm.maxuid = count > 0 ? mbox_view_msg(v, count - 1)->uid : 0;
	buf_init(&sm.body);
	for (i = 0; i < count; i++) {
		sm.pos = i;
		sm.msg = mbox_view_msg(v, i);
		sm.loaded = 0;
		matched = imapd_search_eval(&sm, q->root);
		/* A message's parse lives only while it is evaluated. */
		arena_free(&sm.arena);
		if (!matched)
			continue;
		pos_out[n++] = i;
		if (sm.msg->modseq > *modseq_out)
			*modseq_out = sm.msg->modseq;
	}
	buf_deinit(&sm.body);
	if (q->uses_modseq)
		s->enabled |= IMAPD_ENABLED_CONDSTORE;
	return n;
}

bool
imapd_search_supported(struct imapd_session *s, const struct imap_cmd *cmd,
    const struct imap_search *q)
{
	if ((q->ret & IMAP_SEARCH_RET_SAVE) || q->uses_saved) {
		imapd_reply(s, cmd->tag, "BAD", "SEARCHRES is not supported");
		return false;
	}
	return true;
}

void
imapd_search_search(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	const struct mbox_view *v = s->mbox->view;
	size_t count = mbox_view_count(v), i, n;
	struct imap_search q;
	struct err err;
	size_t *pos;
	uint32_t *hits;
	uint64_t modseq;

	if (imap_search_parse(cmd->args + uid, cmd->count - uid,
	        &imapd_search_parse_limits, &q, s->arena, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	if (!imapd_search_supported(s, cmd, &q))
		return;
	pos = arena_alloc(s->arena, (count + 1) * sizeof(*pos));
	hits = arena_alloc(s->arena, (count + 1) * sizeof(*hits));
	n = imapd_search_run(s, &q, pos, &modseq);
	for (i = 0; i < n; i++)
		hits[i] = uid ? mbox_view_msg(v, pos[i])->uid
		              : (uint32_t)(pos[i] + 1);
	imapd_search_answer(s, cmd, uid, &q, hits, n, modseq);
}

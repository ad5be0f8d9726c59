/* SPDX-License-Identifier: MIT */
/*
 * SORT and UID SORT (RFC 5256): the SEARCH result ordered by ARRIVAL,
 * DATE, SIZE, SUBJECT (the base subject of RFC 5256 §2.1,
 * imap/imap_subject.h), FROM, TO, CC (the first address's mailbox) and
 * DISPLAYFROM/DISPLAYTO (RFC 5957), each possibly REVERSE, ties broken
 * by sequence number. Header keys read the messages; comparisons are
 * i;ascii-casemap.
 */
#include "imapd.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imap_search.h"
#include "imap/imap_subject.h"
#include "imapd_mailbox.h"
#include "mime/mime.h"
#include "msg/address_list.h"
#include "store/mbox_view.h"

/* The sort keys of one message; strings in the command arena. */
struct imapd_sort_key {
	size_t pos;
	int64_t arrival;
	int64_t date;
	uint64_t size;
	const char *subject, *from, *to, *cc, *dfrom, *dto;
};

struct imapd_sort_ctx {
	const struct imap_sort_crit *crit;
	size_t ncrit;
};

/* The first address of a field: its mailbox, and its display name (or
 * the mailbox when it has none). "" when absent. */
static void
imapd_sort_addr(const struct mime_message *m, const char *field,
    struct arena *a, const char **mailbox_out, const char **display_out)
{
	const char *v = mime_header_get(m->data, m->root->header, field, a);
	struct address_list list;
	struct err err;

	*mailbox_out = *display_out = "";
	if (v == NULL ||
	    address_list_parse(v, strlen(v), 0, 1000, &list, a, &err) != 0 ||
	    list.count == 0)
		return;
	*mailbox_out = list.items[0].addr.local;
	*display_out = list.items[0].display != NULL ? list.items[0].display
	                                             : *mailbox_out;
}

static void
imapd_sort_fill(
    struct imapd_session *s, struct imapd_sort_key *k, struct buf *body)
{
	static const struct mime_limits lim = {
	    .depth_max = 1, .parts_max = 1, .params_max = 8};
	const struct mbox_index_msg *msg = mbox_view_msg(s->mbox->view, k->pos);
	struct mime_message m;
	struct err err;
	const char *v, *skip;
	time_t t;
	int tz;

	k->arrival = k->date = msg->date;
	k->size = msg->vsize != 0 ? msg->vsize : msg->size;
	k->subject = k->from = k->to = k->cc = k->dfrom = k->dto = "";
	if (imapd_msg_load(s, k->pos, body, &err) != 0 ||
	    mime_parse(body->data, body->len, &lim, &m, s->arena, &err) != 0)
		return;
	v = mime_header_get(m.data, m.root->header, "Subject", s->arena);
	if (v != NULL)
		k->subject = imap_subject_base(v, strlen(v), NULL, s->arena);
	/* RFC 5256: DATE is the sent date, else the internal date. */
	v = mime_header_get(m.data, m.root->header, "Date", s->arena);
	if (v != NULL && mime_date_parse(v, strlen(v), &t, &tz) == 0)
		k->date = t;
	imapd_sort_addr(&m, "From", s->arena, &k->from, &k->dfrom);
	imapd_sort_addr(&m, "To", s->arena, &k->to, &k->dto);
	imapd_sort_addr(&m, "Cc", s->arena, &k->cc, &skip);
}

static int
imapd_sort_num(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int
imapd_sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct imapd_sort_key *a = pa, *b = pb;
	const struct imapd_sort_ctx *c = arg;
	size_t i;
	int r = 0;

	for (i = 0; i < c->ncrit && r == 0; i++) {
		switch (c->crit[i].key) {
		case IMAP_SORT_ARRIVAL:
			r = imapd_sort_num(a->arrival, b->arrival);
			break;
		case IMAP_SORT_DATE:
			r = imapd_sort_num(a->date, b->date);
			break;
		case IMAP_SORT_SIZE:
			r = a->size < b->size ? -1 : a->size > b->size;
			break;
		case IMAP_SORT_SUBJECT:
			r = strcasecmp(a->subject, b->subject);
			break;
		case IMAP_SORT_FROM:
			r = strcasecmp(a->from, b->from);
			break;
		case IMAP_SORT_TO:
			r = strcasecmp(a->to, b->to);
			break;
		case IMAP_SORT_CC:
			r = strcasecmp(a->cc, b->cc);
			break;
		case IMAP_SORT_DISPLAYFROM:
			r = strcasecmp(a->dfrom, b->dfrom);
			break;
		case IMAP_SORT_DISPLAYTO:
			r = strcasecmp(a->dto, b->dto);
			break;
		}
		if (c->crit[i].reverse)
			r = -r;
	}
	return r != 0 ? r : imapd_sort_num((int64_t)a->pos, (int64_t)b->pos);
}

/* The SEARCH result of q with the sort keys of each message, in arena. */
static struct imapd_sort_key *
imapd_sort_keys(
    struct imapd_session *s, const struct imap_search *q, size_t *n_out)
{
	size_t count = mbox_view_count(s->mbox->view), i, n;
	struct imapd_sort_key *keys;
	struct buf body;
	size_t *pos;
	uint64_t modseq;

	pos = arena_alloc(s->arena, (count + 1) * sizeof(*pos));
	n = imapd_search_run(s, q, pos, &modseq);
	keys = arena_zalloc(s->arena, (n + 1) * sizeof(*keys));
	buf_init(&body);
	for (i = 0; i < n; i++) {
		keys[i].pos = pos[i];
		imapd_sort_fill(s, &keys[i], &body);
	}
	buf_deinit(&body);
	*n_out = n;
	return keys;
}

/* A message number as the command asked: UID or sequence number. */
static unsigned long
imapd_sort_id(struct imapd_session *s, bool uid, const struct imapd_sort_key *k)
{
	return uid ? (unsigned long)mbox_view_msg(s->mbox->view, k->pos)->uid
	           : (unsigned long)(k->pos + 1);
}

void
imapd_sort_sort(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	size_t i, n;
	struct imapd_sort_ctx ctx;
	struct imapd_sort_key *keys;
	struct imap_sort q;
	struct buf *out;
	struct err err;

	if (imap_sort_parse(cmd->args + uid, cmd->count - uid,
	        &imapd_search_parse_limits, &q, s->arena, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	if (!imapd_search_supported(s, cmd, &q.search))
		return;
	if (q.search.has_return) {
		imapd_reply(s, cmd->tag, "BAD", "ESORT is not supported");
		return;
	}
	keys = imapd_sort_keys(s, &q.search, &n);
	ctx.crit = q.crit;
	ctx.ncrit = q.ncrit;
	qsort_r(keys, n, sizeof(*keys), imapd_sort_cmp, &ctx);
	out = imapd_io_out(s);
	buf_puts(out, "* SORT");
	for (i = 0; i < n; i++)
		buf_printf(out, " %lu", imapd_sort_id(s, uid, &keys[i]));
	buf_puts(out, "\r\n");
	imapd_reply(s, cmd->tag, "OK", "SORT completed");
}

/* Threads by the sent date of their first message, then its number. */
static int
imapd_sort_root_cmp(const void *pa, const void *pb, void *arg)
{
	const struct imapd_sort_key *keys = arg;
	const struct imapd_sort_key *a = &keys[*(const size_t *)pa];
	const struct imapd_sort_key *b = &keys[*(const size_t *)pb];
	int r = imapd_sort_num(a->date, b->date);

	return r != 0 ? r : imapd_sort_num((int64_t)a->pos, (int64_t)b->pos);
}

/*
 * THREAD=ORDEREDSUBJECT (RFC 5256 §3): messages grouped by base
 * subject; in each group, ordered by sent date, the first is the parent
 * of all the others; threads ordered by their first message's date.
 */
void
imapd_sort_thread(struct imapd_session *s, const struct imap_cmd *cmd)
{
	static const struct imap_sort_crit by_subject[] = {
	    {IMAP_SORT_SUBJECT, false}, {IMAP_SORT_DATE, false}};
	bool uid = strcmp(cmd->name, "UID") == 0;
	struct imapd_sort_ctx ctx = {by_subject, 2};
	struct imapd_sort_key *keys;
	struct imap_thread q;
	struct buf *out;
	struct err err;
	size_t i, j, k, n, nroots = 0, *roots;

	if (imap_thread_parse(cmd->args + uid, cmd->count - uid,
	        &imapd_search_parse_limits, &q, s->arena, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	if (q.alg != IMAP_THREAD_ORDEREDSUBJECT) {
		imapd_reply(s, cmd->tag, "NO",
		    "[CANNOT] Only ORDEREDSUBJECT "
		    "threading is supported");
		return;
	}
	if (!imapd_search_supported(s, cmd, &q.search))
		return;
	keys = imapd_sort_keys(s, &q.search, &n);
	qsort_r(keys, n, sizeof(*keys), imapd_sort_cmp, &ctx);
	/* The threads: where each subject group starts in keys. */
	roots = arena_zalloc(s->arena, (n + 1) * sizeof(*roots));
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && strcasecmp(keys[j].subject, keys[i].subject) == 0;
		     j++)
			;
		roots[nroots++] = i;
	}
	qsort_r(roots, nroots, sizeof(*roots), imapd_sort_root_cmp, keys);
	out = imapd_io_out(s);
	buf_puts(out, "* THREAD ");
	for (i = 0; i < nroots; i++) {
		size_t first = roots[i], end = first + 1;

		while (end < n &&
		    strcasecmp(keys[end].subject, keys[first].subject) == 0)
			end++;
		buf_printf(out, "(%lu", imapd_sort_id(s, uid, &keys[first]));
		for (k = first + 1; k < end; k++)
			buf_printf(out, end - first == 2 ? " %lu" : " (%lu)",
			    imapd_sort_id(s, uid, &keys[k]));
		buf_putc(out, ')');
	}
	buf_puts(out, "\r\n");
	imapd_reply(s, cmd->tag, "OK", "THREAD completed");
}

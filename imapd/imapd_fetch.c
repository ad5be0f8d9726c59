/* SPDX-License-Identifier: MIT */
/*
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2; BINARY RFC 3516; MODSEQ
 * and CHANGEDSINCE RFC 7162). FLAGS, UID, INTERNALDATE, MODSEQ and,
 * when the file name carries it, RFC822.SIZE come from the snapshot of
 * the index without opening the file; ENVELOPE and BODYSTRUCTURE come
 * from the index cache, filled from the parsed message the first time;
 * body sections read the file. A non-PEEK body fetch sets \Seen first
 * and reports the new flags (§6.4.5).
 */
#include "imapd.h"

#include <string.h>

#include "core/log.h"
#include "imap/imap_bodystructure.h"
#include "imap/imap_envelope.h"
#include "imap/imap_write.h"
#include "imapd_mailbox.h"
#include "mime/mime.h"
#include "store/mbox_index.h"
#include "store/mbox_view.h"

/* One message being answered. */
struct imapd_fetch_msg {
	size_t pos;
	const struct mbox_index_msg *msg;
	uint64_t flags; /* as now, after an implied \Seen */
	bool flags_changed;
	bool loaded; /* body and mime are valid */
	struct arena *arena; /* this message's parse and scratch memory */
	struct buf body; /* the message, CRLF */
	struct mime_message mime;
};

static const struct mime_limits imapd_fetch_limits = {
    .depth_max = 50,
    .parts_max = 5000,
    .params_max = 64,
};

static int
imapd_fetch_load(
    struct imapd_session *s, struct imapd_fetch_msg *fm, struct err *err)
{
	if (fm->loaded)
		return 0;
	if (imapd_msg_load(s, fm->pos, &fm->body, err) != 0 ||
	    mime_parse(fm->body.data, fm->body.len, &imapd_fetch_limits,
	        &fm->mime, fm->arena, err) != 0)
		return -1;
	fm->loaded = true;
	return 0;
}

/* ENVELOPE, BODYSTRUCTURE or BODY: the cached blob, or made and cached. */
static int
imapd_fetch_cached(struct imapd_session *s, struct imapd_fetch_msg *fm,
    enum mbox_index_cache_kind kind, struct buf *out, struct err *err)
{
	struct buf blob;
	struct err cerr;
	int rc;

	buf_init(&blob);
	rc = mbox_index_cache_get(
	    s->u->ix, s->mbox->folder, fm->msg->uid, kind, &blob, &cerr);
	if (rc <= 0) {
		if (imapd_fetch_load(s, fm, err) != 0) {
			buf_deinit(&blob);
			return -1;
		}
		buf_reset(&blob);
		if (kind == MBOX_INDEX_CACHE_ENVELOPE)
			imap_envelope_write(
			    &blob, &fm->mime, fm->mime.root, 0, fm->arena);
		else
			imap_bodystructure_write(&blob, &fm->mime,
			    fm->mime.root,
			    kind == MBOX_INDEX_CACHE_BODYSTRUCTURE, 0,
			    fm->arena);
		/* The cache only saves work; a failure is not the client's. */
		if (mbox_index_cache_set(s->u->ix, s->mbox->folder,
		        fm->msg->uid, kind, blob.data, blob.len, &cerr) < 0)
			log_warning("user=<%s>: cache: %s", s->user, cerr.text);
	}
	buf_append(out, blob.data, blob.len);
	buf_deinit(&blob);
	return 0;
}

/* BODY[section]<partial> and BINARY[section]<partial>. */
static int
imapd_fetch_section(struct imapd_session *s, struct imapd_fetch_msg *fm,
    const struct imap_fetch_item *it, struct buf *out, struct err *err)
{
	const struct mime_part *part, *msg;
	const char *data = "";
	size_t len = 0;
	struct buf decoded;
	int rc = 0;

	if (imapd_fetch_load(s, fm, err) != 0)
		return -1;
	buf_init(&decoded);
	if (it->kind == IMAP_FETCH_BODY) {
		if (mime_section_get(
		        &fm->mime, &it->section, fm->arena, &data, &len) == 0) {
			data = "";
			len = 0;
		}
	} else if ((part = mime_section_part(&fm->mime, &it->section, &msg)) !=
	    NULL) {
		rc = mime_decode(part->encoding, fm->body.data + part->body.off,
		    part->body.len, &decoded, err);
		data = decoded.data;
		len = decoded.len;
	}
	if (rc == 0 && it->kind == IMAP_FETCH_BINARY_SIZE) {
		buf_printf(out, "%s %zu", it->reply_name, len);
	} else if (rc == 0) {
		if (it->has_partial) {
			size_t off =
			    it->partial_origin < len ? it->partial_origin : len;
			len -= off;
			data += off;
			if (len > it->partial_octets)
				len = it->partial_octets;
		}
		buf_printf(out, "%s ", it->reply_name);
		if (it->kind == IMAP_FETCH_BINARY && memchr(data, '\0', len))
			buf_printf(out, "~{%zu}\r\n", len);
		else
			buf_printf(out, "{%zu}\r\n", len);
		buf_append(out, data, len);
	}
	buf_deinit(&decoded);
	return rc;
}

/* A whole-message item: RFC822, RFC822.HEADER, RFC822.TEXT. */
static int
imapd_fetch_rfc822(struct imapd_session *s, struct imapd_fetch_msg *fm,
    const struct imap_fetch_item *it, struct buf *out, struct err *err)
{
	struct mime_span span;

	if (imapd_fetch_load(s, fm, err) != 0)
		return -1;
	span.off = 0;
	span.len = fm->body.len;
	if (it->kind == IMAP_FETCH_RFC822_HEADER)
		span = fm->mime.root->header;
	else if (it->kind == IMAP_FETCH_RFC822_TEXT)
		span = fm->mime.root->body;
	buf_printf(out, "%s ",
	    it->kind == IMAP_FETCH_RFC822            ? "RFC822"
	        : it->kind == IMAP_FETCH_RFC822_TEXT ? "RFC822.TEXT"
	                                             : "RFC822.HEADER");
	imap_write_literal(out, fm->body.data + span.off, span.len);
	return 0;
}

static int
imapd_fetch_item(struct imapd_session *s, struct imapd_fetch_msg *fm,
    const struct imap_fetch_item *it, struct buf *out, struct err *err)
{
	const struct mbox_index_msg *msg = fm->msg;

	switch (it->kind) {
	case IMAP_FETCH_UID:
		buf_printf(out, "UID %lu", (unsigned long)msg->uid);
		return 0;
	case IMAP_FETCH_FLAGS:
		buf_puts(out, "FLAGS ");
		imapd_select_flags_write(s->mbox, fm->flags, out);
		return 0;
	case IMAP_FETCH_INTERNALDATE:
		buf_puts(out, "INTERNALDATE ");
		imap_datetime_write(out, (time_t)msg->date, 0);
		return 0;
	case IMAP_FETCH_MODSEQ:
		buf_printf(
		    out, "MODSEQ (%llu)", (unsigned long long)msg->modseq);
		return 0;
	case IMAP_FETCH_RFC822_SIZE:
		if (msg->vsize == 0 && imapd_fetch_load(s, fm, err) != 0)
			return -1;
		buf_printf(out, "RFC822.SIZE %llu",
		    (unsigned long long)(msg->vsize != 0 ? msg->vsize
		                                         : fm->body.len));
		return 0;
	case IMAP_FETCH_ENVELOPE:
		buf_puts(out, "ENVELOPE ");
		return imapd_fetch_cached(
		    s, fm, MBOX_INDEX_CACHE_ENVELOPE, out, err);
	case IMAP_FETCH_BODYSTRUCTURE:
		buf_puts(out, "BODYSTRUCTURE ");
		return imapd_fetch_cached(
		    s, fm, MBOX_INDEX_CACHE_BODYSTRUCTURE, out, err);
	case IMAP_FETCH_BODY_STRUCT:
		buf_puts(out, "BODY ");
		return imapd_fetch_cached(
		    s, fm, MBOX_INDEX_CACHE_BODY, out, err);
	case IMAP_FETCH_RFC822:
	case IMAP_FETCH_RFC822_HEADER:
	case IMAP_FETCH_RFC822_TEXT:
		return imapd_fetch_rfc822(s, fm, it, out, err);
	case IMAP_FETCH_BODY:
	case IMAP_FETCH_BINARY:
	case IMAP_FETCH_BINARY_SIZE:
		return imapd_fetch_section(s, fm, it, out, err);
	case IMAP_FETCH_SAVEDATE:
		buf_puts(out, "SAVEDATE NIL");
		return 0;
	default:
		return err_set(err, ERR_PERM, "", "Unsupported FETCH item");
	}
}

/* One "* n FETCH (...)" response, built aside so an error leaves none. */
static int
imapd_fetch_one(struct imapd_session *s, const struct imap_fetch *f, bool uid,
    struct imapd_fetch_msg *fm, struct err *err)
{
	struct buf line;
	bool has_uid = false, has_flags = false;
	size_t i;
	int rc = 0;

	buf_init(&line);
	buf_printf(&line, "* %zu FETCH (", fm->pos + 1);
	for (i = 0; i < f->count && rc == 0; i++) {
		has_uid |= f->items[i].kind == IMAP_FETCH_UID;
		has_flags |= f->items[i].kind == IMAP_FETCH_FLAGS;
		if (i > 0)
			buf_putc(&line, ' ');
		rc = imapd_fetch_item(s, fm, &f->items[i], &line, err);
	}
	/* RFC 3501 §6.4.8: UID FETCH always says the UID. */
	if (uid && !has_uid)
		buf_printf(&line, " UID %lu", (unsigned long)fm->msg->uid);
	if (fm->flags_changed && !has_flags) {
		buf_puts(&line, " FLAGS ");
		imapd_select_flags_write(s->mbox, fm->flags, &line);
	}
	buf_puts(&line, ")\r\n");
	if (rc == 0)
		buf_append(imapd_io_out(s), line.data, line.len);
	buf_deinit(&line);
	return rc;
}

/* The implied \Seen of a non-PEEK body fetch, in one index call. */
static void
imapd_fetch_seen(struct imapd_session *s, struct imapd_fetch_msg *fms, size_t n)
{
	struct mbox_index_store_item *items;
	struct err err;
	size_t i, k = 0;

	items = arena_zalloc(s->arena, (n + 1) * sizeof(*items));
	for (i = 0; i < n; i++)
		if (!(fms[i].flags & MBOX_INDEX_SEEN))
			items[k++].uid = fms[i].msg->uid;
	if (k == 0)
		return;
	if (mbox_index_store(s->u->ix, s->mbox->folder, MBOX_INDEX_STORE_ADD,
	        MBOX_INDEX_SEEN, 0, items, k, &err) != 0) {
		log_warning("user=<%s>: setting \\Seen: %s", s->user, err.text);
		return;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (fms[i].flags & MBOX_INDEX_SEEN)
			continue;
		if (items[k].result == 1) {
			fms[i].flags = items[k].flags;
			fms[i].flags_changed = true;
		}
		k++;
	}
}

/* A FETCH in progress: answered message by message as the client
 * takes the output, so its size never piles up in memory. */
struct imapd_fetch_job {
	const char *tag;
	bool uid;
	struct imap_fetch f;
	struct imapd_fetch_msg *fms;
	size_t n, next, failed;
	struct err err;
};

static void
imapd_fetch_resume(struct imapd_session *s)
{
	struct imapd_fetch_job *job = s->resume_ctx;
	struct imapd_fetch_msg *fm;

	while (job->next < job->n) {
		fm = &job->fms[job->next++];
		if (job->f.has_changedsince &&
		    fm->msg->modseq <= job->f.changedsince)
			continue;
		buf_init(&fm->body);
		fm->arena = arena_new();
		if (imapd_fetch_one(s, &job->f, job->uid, fm, &job->err) != 0) {
			log_warning("user=<%s>: FETCH %lu: %s", s->user,
			    (unsigned long)fm->msg->uid, job->err.text);
			job->failed++;
		}
		arena_free(&fm->arena);
		buf_deinit(&fm->body);
		if (imapd_io_pending_out(s) >= IMAPD_OUT_HIGH &&
		    job->next < job->n) {
			s->resume = imapd_fetch_resume;
			return;
		}
	}
	s->resume = NULL;
	if (job->failed > 0)
		imapd_reply_err(s, job->tag, &job->err);
	else
		imapd_reply(s, job->tag, "OK", "FETCH completed");
}

static void
imapd_fetch_run(struct imapd_session *s, const struct imap_cmd *cmd, bool uid,
    const struct imapd_seq *set, const struct imap_fetch *f)
{
	struct imapd_fetch_job *job = arena_zalloc(s->arena, sizeof(*job));
	size_t i;

	job->tag = cmd->tag;
	job->uid = uid;
	job->f = *f;
	job->n = set->count;
	job->fms = arena_zalloc(s->arena, (set->count + 1) * sizeof(*job->fms));
	for (i = 0; i < set->count; i++) {
		job->fms[i].pos = set->pos[i];
		job->fms[i].msg = mbox_view_msg(s->mbox->view, set->pos[i]);
		job->fms[i].flags = job->fms[i].msg->flags;
	}
	if (f->sets_seen && !s->mbox->readonly)
		imapd_fetch_seen(s, job->fms, set->count);
	err_clear(&job->err);
	s->resume_ctx = job;
	imapd_fetch_resume(s);
}

void
imapd_fetch_fetch(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool uid = strcmp(cmd->name, "UID") == 0;
	const struct imap_arg *args = cmd->args + uid;
	size_t count = cmd->count - uid;
	struct imapd_seq set;
	struct imap_fetch f;
	struct err err;

	if (count < 2) {
		imapd_reply(s, cmd->tag, "BAD",
		    "FETCH needs a message set and "
		    "items");
		return;
	}
	if (imapd_seq_resolve(s, &args[0], uid, &set, &err) != 0 ||
	    imap_fetch_parse(args + 1, count - 1, &f, s->arena, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		return;
	}
	if (f.has_changedsince)
		s->enabled |= IMAPD_ENABLED_CONDSTORE;
	imapd_fetch_run(s, cmd, uid, &set, &f);
	/* Our own \Seen changes were reported; others' wait. */
	if (f.sets_seen && !s->mbox->readonly)
		s->mbox->dirty = true;
}

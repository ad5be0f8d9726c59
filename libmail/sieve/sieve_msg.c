/* SPDX-License-Identifier: MIT */
/*
 * The message as a Sieve run sees it: the header fields, parsed once with
 * msg/header.h into the run arena (values unfolded and trimmed; the body
 * stays in the caller's buffer, found by offset), and the addheader /
 * deleteheader edits of RFC 5293, which later tests see and the result
 * lists for the caller. Input is an untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <strings.h>

#include "msg/header.h"

/* Generous: a message this odd is still filtered, not refused. */
static const struct header_limits sieve_msg_limits = {
	.line_max = 1 << 20,
	.count_max = 20000,
	.size_max = 16 << 20,
};

static struct sieve_field *
sieve_msg_insert(struct sieve_run *r, size_t at)
{
	struct sieve_msgview *m = &r->msg;

	if (m->count == m->cap) {
		struct sieve_field *nv;

		m->cap = m->cap ? m->cap * 2 : 32;
		nv = arena_alloc(r->arena, m->cap * sizeof(*nv));
		if (m->count > 0)
			memcpy(nv, m->fields, m->count * sizeof(*nv));
		m->fields = nv;
	}
	memmove(&m->fields[at + 1], &m->fields[at],
	    (m->count - at) * sizeof(*m->fields));
	m->count++;
	memset(&m->fields[at], 0, sizeof(m->fields[at]));
	return &m->fields[at];
}

static void
sieve_msg_add_field(struct sieve_run *r, const struct header_event *ev)
{
	struct sieve_field *f = sieve_msg_insert(r, r->msg.count);
	size_t len = ev->value_len;

	while (len > 0 && (ev->value[len - 1] == ' ' ||
	    ev->value[len - 1] == '\t' || ev->value[len - 1] == '\r'))
		len--;
	f->name = arena_strndup(r->arena, ev->name, ev->name_len);
	f->value = arena_strndup(r->arena, ev->value, len);
	f->value_len = len;
	f->orig = r->msg.count - 1;
}

int
sieve_msg_init(struct sieve_run *r)
{
	const struct sieve_message *msg = &r->in->msg;
	struct header_parser p;
	struct header_event ev;
	struct err err;
	bool ended = false;
	int rc;

	memset(&r->msg, 0, sizeof(r->msg));
	r->msg.body_off = msg->len;
	header_init(&p, &sieve_msg_limits);
	header_feed(&p, msg->data, msg->len);
	header_finish(&p);
	while ((rc = header_next(&p, &ev, &err)) == 1) {
		if (ev.kind == HEADER_EV_FIELD) {
			sieve_msg_add_field(r, &ev);
		} else if (ev.kind == HEADER_EV_END) {
			ended = true;
		} else if (ended) {
			/* raw is in msg->data, or (a malformed header's
			   first body line) in the parser's buffer just
			   before p.in */
			if (ev.raw >= msg->data &&
			    ev.raw <= msg->data + msg->len)
				r->msg.body_off = (size_t)(ev.raw - msg->data);
			else
				r->msg.body_off = (size_t)(p.in - msg->data) -
				    ev.raw_len;
			break;
		}
	}
	header_deinit(&p);
	if (rc < 0)
		return sieve_run_fail(r, NULL, ERR_PERM,
		    "cannot read the message header: %s", err.text);
	return 0;
}

const struct sieve_field **
sieve_msg_fields(struct sieve_run *r, const char *name, size_t index,
    bool last, size_t *n_out)
{
	const struct sieve_field **v;
	size_t i, n = 0;

	/* one array per run, not per test: a test runs once per step */
	if (r->scratch_cap < r->msg.count + 1) {
		r->scratch_cap = r->msg.cap + 1;
		r->scratch = arena_alloc(r->arena,
		    r->scratch_cap * sizeof(*r->scratch));
	}
	v = r->scratch;
	for (i = 0; i < r->msg.count; i++) {
		const struct sieve_field *f = &r->msg.fields[i];

		if (!f->deleted && strcasecmp(f->name, name) == 0)
			v[n++] = f;
	}
	if (index > 0) {
		if (index > n) {
			n = 0;
		} else {
			v[0] = v[last ? n - index : index - 1];
			n = 1;
		}
	}
	*n_out = n;
	return v;
}

/* RFC 5293 §6: the trace and loop-protection fields stay untouched. */
static bool
sieve_msg_protected(const char *name)
{
	return strcasecmp(name, "Received") == 0 ||
	    strcasecmp(name, "Auto-Submitted") == 0;
}

static struct sieve_edit *
sieve_msg_new_edit(struct sieve_run *r, const struct sieve_node *n)
{
	if (r->edit_count >= r->lim->header_edits_max) {
		(void)sieve_run_fail(r, n, ERR_PERM,
		    "too many header edits (at most %zu)",
		    r->lim->header_edits_max);
		return NULL;
	}
	if (r->edit_count == r->edit_cap) {
		struct sieve_edit *nv;

		r->edit_cap = r->edit_cap ? r->edit_cap * 2 : 8;
		nv = arena_alloc(r->arena, r->edit_cap * sizeof(*nv));
		if (r->edit_count > 0)
			memcpy(nv, r->edits, r->edit_count * sizeof(*nv));
		r->edits = nv;
	}
	memset(&r->edits[r->edit_count], 0, sizeof(r->edits[0]));
	return &r->edits[r->edit_count++];
}

static int
sieve_msg_add(struct sieve_run *r, const struct sieve_node *n)
{
	const char *name = sieve_str(r, &n->pos[0]->strs[0], NULL);
	size_t len, i;
	const char *value = sieve_str(r, &n->pos[1]->strs[0], &len);
	bool last = sieve_node_tag(n, SIEVE_TAG_LAST) != NULL;
	struct sieve_edit *e;
	struct sieve_field *f;
	char *v;

	if (!sieve_field_name_valid(name))
		return sieve_run_fail(r, n, ERR_PERM,
		    "addheader: bad field name \"%.64s\"", name);
	if (sieve_msg_protected(name))
		return 0;
	/* the caller folds; line breaks in the value become spaces */
	v = arena_strndup(r->arena, value, len);
	for (i = 0; i < len; i++)
		if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
			v[i] = ' ';
	if ((e = sieve_msg_new_edit(r, n)) == NULL)
		return -1;
	e->kind = SIEVE_EDIT_ADD;
	e->name = arena_strdup(r->arena, name);
	e->value = v;
	e->last = last;
	f = sieve_msg_insert(r, last ? r->msg.count : 0);
	f->name = e->name;
	f->value = v;
	f->value_len = len;
	f->orig = SIZE_MAX;
	return 0;
}

/* Forget the ADD edit that created field f (a later deleteheader). */
static void
sieve_msg_unadd(struct sieve_run *r, const struct sieve_field *f)
{
	size_t i;

	for (i = 0; i < r->edit_count; i++)
		if (r->edits[i].kind == SIEVE_EDIT_ADD &&
		    r->edits[i].value == f->value) {
			memmove(&r->edits[i], &r->edits[i + 1],
			    (r->edit_count - i - 1) * sizeof(r->edits[0]));
			r->edit_count--;
			return;
		}
}

static int
sieve_msg_delete(struct sieve_run *r, const struct sieve_node *n)
{
	const char *name = sieve_str(r, &n->pos[0]->strs[0], NULL);
	const struct sieve_tagval *ix = sieve_node_tag(n, SIEVE_TAG_INDEX);
	const struct sieve_field **v;
	size_t count, i;

	if (sieve_msg_protected(name))
		return 0;
	v = sieve_msg_fields(r, name, ix ? ix->arg->number : 0,
	    sieve_node_tag(n, SIEVE_TAG_LAST) != NULL, &count);
	for (i = 0; i < count; i++) {
		struct sieve_field *f = (struct sieve_field *)v[i];
		struct sieve_edit *e;

		if (n->pos[1] != NULL) {
			struct sieve_matcher m;
			int rc;

			sieve_match_init(&m, n, n->pos[1]);
			rc = sieve_match_value(r, &m, f->value, f->value_len);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
		}
		f->deleted = true;
		if (f->orig == SIZE_MAX) {
			sieve_msg_unadd(r, f);
			continue;
		}
		if ((e = sieve_msg_new_edit(r, n)) == NULL)
			return -1;
		e->kind = SIEVE_EDIT_DELETE;
		e->name = f->name;
		e->field = f->orig;
	}
	return 0;
}

int
sieve_msg_edit(struct sieve_run *r, const struct sieve_node *n)
{
	return n->op == SIEVE_OP_ADDHEADER ? sieve_msg_add(r, n) :
	    sieve_msg_delete(r, n);
}

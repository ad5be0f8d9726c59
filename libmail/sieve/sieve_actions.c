/* SPDX-License-Identifier: MIT */
/*
 * The action list of a run: keep, discard, redirect, fileinto, reject and
 * ereject as the script executes them, checked as they come (RFC 5228
 * §4.2 duplicates merged, RFC 5429 §2.1 reject/ereject incompatible with
 * keep, fileinto, redirect, vacation and each other, the action and
 * redirect limits), and the implicit keep (RFC 5228 §2.10.2) at the end.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <strings.h>

const char *
sieve_action_name(enum sieve_action_kind kind)
{
	switch (kind) {
	case SIEVE_ACTION_KEEP: return "keep";
	case SIEVE_ACTION_FILEINTO: return "fileinto";
	case SIEVE_ACTION_REDIRECT: return "redirect";
	case SIEVE_ACTION_REJECT: return "reject";
	case SIEVE_ACTION_EREJECT: return "ereject";
	case SIEVE_ACTION_DISCARD: return "discard";
	case SIEVE_ACTION_VACATION: return "vacation";
	}
	return "unknown";
}

static bool
sieve_action_is_reject(enum sieve_action_kind k)
{
	return k == SIEVE_ACTION_REJECT || k == SIEVE_ACTION_EREJECT;
}

/* RFC 5429 §2.1: reject and ereject go only with discard. */
static bool
sieve_action_conflicts(enum sieve_action_kind a, enum sieve_action_kind b)
{
	if (a == SIEVE_ACTION_DISCARD || b == SIEVE_ACTION_DISCARD)
		return false;
	return sieve_action_is_reject(a) || sieve_action_is_reject(b);
}

/* Merge a flag list into an action's, dropping duplicates. */
static void
sieve_action_merge_flags(struct sieve_run *r, struct sieve_action *into,
    const struct sieve_action *a)
{
	const char **v = arena_alloc(r->arena,
	    (into->flag_count + a->flag_count + 1) * sizeof(*v));
	size_t i, j, n = into->flag_count;

	if (n > 0)
		memcpy(v, into->flags, n * sizeof(*v));
	for (i = 0; i < a->flag_count; i++) {
		for (j = 0; j < n; j++)
			if (strcasecmp(v[j], a->flags[i]) == 0)
				break;
		if (j == n)
			v[n++] = a->flags[i];
	}
	into->flags = v;
	into->flag_count = n;
}

/* RFC 5228 §4.2: the same keep, fileinto or redirect twice is once. */
static struct sieve_action *
sieve_action_same(struct sieve_run *r, const struct sieve_action *a)
{
	size_t i;

	for (i = 0; i < r->action_count; i++) {
		struct sieve_action *b = &r->actions[i];

		if (b->kind != a->kind)
			continue;
		if (a->kind == SIEVE_ACTION_KEEP ||
		    a->kind == SIEVE_ACTION_DISCARD ||
		    (a->kind == SIEVE_ACTION_FILEINTO &&
		    strcmp(a->mailbox, b->mailbox) == 0) ||
		    (a->kind == SIEVE_ACTION_REDIRECT &&
		    strcasecmp(a->address, b->address) == 0))
			return b;
	}
	return NULL;
}

static const char *
sieve_action_dup(struct sieve_run *r, const char *s)
{
	return s != NULL ? arena_strdup(r->arena, s) : NULL;
}

/*
 * The result lives in the run's arena: copy what still points into a
 * script (unexpanded strings) or the caller's input.
 */
static void
sieve_action_append(struct sieve_run *r, const struct sieve_action *a)
{
	struct sieve_action *c;

	if (r->action_count == r->action_cap) {
		struct sieve_action *nv;

		r->action_cap = r->action_cap ? r->action_cap * 2 : 8;
		nv = arena_alloc(r->arena, r->action_cap * sizeof(*nv));
		if (r->action_count > 0)
			memcpy(nv, r->actions, r->action_count * sizeof(*nv));
		r->actions = nv;
	}
	c = &r->actions[r->action_count++];
	*c = *a;
	c->mailbox = sieve_action_dup(r, a->mailbox);
	c->address = sieve_action_dup(r, a->address);
	c->reason = sieve_action_dup(r, a->reason);
	c->vacation.to = sieve_action_dup(r, a->vacation.to);
	c->vacation.from = sieve_action_dup(r, a->vacation.from);
	c->vacation.subject = sieve_action_dup(r, a->vacation.subject);
	c->vacation.reason = sieve_action_dup(r, a->vacation.reason);
	c->vacation.handle = sieve_action_dup(r, a->vacation.handle);
}

int
sieve_action_add(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_action *a)
{
	struct sieve_action *same;
	size_t i;

	for (i = 0; i < r->action_count; i++)
		if (sieve_action_conflicts(r->actions[i].kind, a->kind))
			return sieve_run_fail(r, n, ERR_PERM,
			    "%s cannot be combined with %s",
			    sieve_action_name(a->kind),
			    sieve_action_name(r->actions[i].kind));
	if (a->kind == SIEVE_ACTION_VACATION) {
		for (i = 0; i < r->action_count; i++)
			if (r->actions[i].kind == SIEVE_ACTION_VACATION)
				return sieve_run_fail(r, n, ERR_PERM, "%s",
				    "vacation more than once");
	}
	if ((same = sieve_action_same(r, a)) != NULL) {
		same->copy = same->copy && a->copy;
		same->create = same->create || a->create;
		sieve_action_merge_flags(r, same, a);
		return 0;
	}
	if (r->action_count >= r->lim->actions_max)
		return sieve_run_fail(r, n, ERR_PERM,
		    "too many actions (at most %zu)", r->lim->actions_max);
	if (a->kind == SIEVE_ACTION_REDIRECT &&
	    ++r->redirects > r->lim->redirects_max)
		return sieve_run_fail(r, n, ERR_PERM,
		    "too many redirects (at most %zu)", r->lim->redirects_max);
	sieve_action_append(r, a);
	return 0;
}

static int
sieve_action_target(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_action *a)
{
	size_t len;
	const char *s = sieve_str(r, &n->pos[0]->strs[0], &len);

	switch (a->kind) {
	case SIEVE_ACTION_REDIRECT:
		if (!sieve_redirect_valid(s, len))
			return sieve_run_fail(r, n, ERR_PERM,
			    "redirect: bad address \"%.100s\"", s);
		a->address = s;
		return 0;
	case SIEVE_ACTION_FILEINTO:
		if (!sieve_mailbox_valid(s, len))
			return sieve_run_fail(r, n, ERR_PERM,
			    "fileinto: bad mailbox name \"%.100s\"", s);
		a->mailbox = s;
		return 0;
	default:
		a->reason = s;
		return 0;
	}
}

int
sieve_action_cmd(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_action a;

	memset(&a, 0, sizeof(a));
	a.line = n->line;
	a.column = n->column;
	a.copy = sieve_node_tag(n, SIEVE_TAG_COPY) != NULL;
	a.create = sieve_node_tag(n, SIEVE_TAG_CREATE) != NULL;
	switch (n->op) {
	case SIEVE_OP_KEEP: a.kind = SIEVE_ACTION_KEEP; break;
	case SIEVE_OP_DISCARD: a.kind = SIEVE_ACTION_DISCARD; break;
	case SIEVE_OP_REDIRECT: a.kind = SIEVE_ACTION_REDIRECT; break;
	case SIEVE_OP_FILEINTO: a.kind = SIEVE_ACTION_FILEINTO; break;
	case SIEVE_OP_REJECT: a.kind = SIEVE_ACTION_REJECT; break;
	default: a.kind = SIEVE_ACTION_EREJECT; break;
	}
	if (n->pos_count > 0 && sieve_action_target(r, n, &a) < 0)
		return -1;
	if (a.kind == SIEVE_ACTION_KEEP || a.kind == SIEVE_ACTION_FILEINTO)
		sieve_flags_for_action(r, n, &a);
	if (sieve_action_add(r, n, &a) < 0)
		return -1;
	/* RFC 3894 §3: :copy leaves the implicit keep alone */
	if (!a.copy)
		r->keep_cancelled = true;
	return 0;
}

int
sieve_actions_finish(struct sieve_run *r, struct sieve_result *result_out)
{
	/* keep_cancelled is set by every action that replaces it */
	if (!r->keep_cancelled) {
		struct sieve_action a;

		memset(&a, 0, sizeof(a));
		a.kind = SIEVE_ACTION_KEEP;
		a.implicit = true;
		sieve_flags_for_action(r, NULL, &a);
		sieve_action_append(r, &a);	/* beyond actions_max */
	}
	memset(result_out, 0, sizeof(*result_out));
	result_out->actions = r->actions;
	result_out->action_count = r->action_count;
	result_out->edits = r->edits;
	result_out->edit_count = r->edit_count;
	result_out->duplicates = r->dups;
	result_out->duplicate_count = r->dup_count;
	return 0;
}

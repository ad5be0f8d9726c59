/* SPDX-License-Identifier: MIT */
/*
 * RFC 5232 imap4flags: the internal flag variable (or a named variable)
 * changed by setflag, addflag and removeflag, tested by hasflag, and the
 * flags keep and fileinto store, from :flags or the internal variable.
 * A flag list is space-separated; duplicates (case-insensitive) are
 * dropped. Flags are script text, not checked against IMAP syntax here:
 * the store decides what it can keep.
 */
#include "sieve/sieve_run_impl.h"

#include <string.h>
#include <strings.h>

/* The next flag of s at *pos: its start and length; false at the end. */
static bool
sieve_flags_next(const char *s, size_t len, size_t *pos, size_t *start_out,
    size_t *len_out)
{
	size_t i = *pos, j;

	while (i < len && s[i] == ' ')
		i++;
	for (j = i; j < len && s[j] != ' '; j++)
		;
	*pos = j;
	*start_out = i;
	*len_out = j - i;
	return j > i;
}

/* Does the flag list (len octets) hold flag (flen), case-insensitively? */
static bool
sieve_flags_has(const char *list, size_t len, const char *flag, size_t flen)
{
	size_t pos = 0, at, n;

	while (sieve_flags_next(list, len, &pos, &at, &n))
		if (n == flen && strncasecmp(list + at, flag, flen) == 0)
			return true;
	return false;
}

/* Add (or, with remove, take out) the flags of s to/from the list b. */
static void
sieve_flags_apply(struct buf *b, const char *s, size_t len, bool remove)
{
	size_t pos = 0, at, n;
	struct buf keep;

	if (!remove) {
		while (sieve_flags_next(s, len, &pos, &at, &n)) {
			if (sieve_flags_has(b->data, b->len, s + at, n))
				continue;
			if (b->len > 0)
				buf_putc(b, ' ');
			buf_append(b, s + at, n);
		}
		return;
	}
	buf_init(&keep);
	while (sieve_flags_next(b->data, b->len, &pos, &at, &n)) {
		if (sieve_flags_has(s, len, b->data + at, n))
			continue;
		if (keep.len > 0)
			buf_putc(&keep, ' ');
		buf_append(&keep, b->data + at, n);
	}
	buf_set(b, keep.data);
	buf_deinit(&keep);
}

/* The flag list of the command's target: a variable or the internal. */
static const char *
sieve_flags_target(struct sieve_run *r, const struct sieve_node *n,
    size_t *len_out)
{
	if (n->pos[0] != NULL)
		return sieve_var_get(r, n->pos[0]->strs[0].s, len_out);
	*len_out = r->flags ? strlen(r->flags) : 0;
	return r->flags ? r->flags : "";
}

int
sieve_flags_cmd(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *list = n->pos[1];
	struct buf b;
	size_t i, len;
	const char *cur;
	int rc = 0;

	buf_init(&b);
	if (n->op != SIEVE_OP_SETFLAG) {
		cur = sieve_flags_target(r, n, &len);
		sieve_flags_apply(&b, cur, len, false);
	}
	for (i = 0; i < list->count; i++) {
		const char *s = sieve_str(r, &list->strs[i], &len);

		sieve_flags_apply(&b, s, len, n->op == SIEVE_OP_REMOVEFLAG);
	}
	if (n->pos[0] != NULL)
		rc = sieve_var_put(r, n, n->pos[0]->strs[0].s, b.data, b.len);
	else
		r->flags = arena_strndup(r->arena, b.data, b.len);
	buf_deinit(&b);
	return rc;
}

/* Each flag of a list, as one value to match. */
static int
sieve_flags_match(struct sieve_run *r, struct sieve_matcher *m,
    const char *s, size_t len)
{
	struct buf b;
	size_t pos = 0, at, n;
	int rc = 0;

	buf_init(&b);
	sieve_flags_apply(&b, s, len, false);
	while (rc == 0 && sieve_flags_next(b.data, b.len, &pos, &at, &n))
		rc = sieve_match_value(r, m, b.data + at, n);
	buf_deinit(&b);
	return rc;
}

int
sieve_test_hasflag(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_arg *vars = n->pos[0];
	struct sieve_matcher m;
	size_t i, len;
	const char *s;
	int rc = 0;

	sieve_match_init(&m, n, n->pos[1]);
	if (vars == NULL) {
		s = r->flags ? r->flags : "";
		rc = sieve_flags_match(r, &m, s, strlen(s));
	}
	for (i = 0; vars != NULL && i < vars->count && rc == 0; i++) {
		s = sieve_var_get(r, vars->strs[i].s, &len);
		rc = sieve_flags_match(r, &m, s, len);
	}
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

void
sieve_flags_for_action(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_action *a)
{
	const struct sieve_tagval *tv = n ? sieve_node_tag(n,
	    SIEVE_TAG_FLAGS) : NULL;
	const char **v;
	struct buf b;
	size_t i, len, count = 0, pos = 0, at;

	buf_init(&b);
	if (tv != NULL) {
		for (i = 0; i < tv->arg->count; i++) {
			const char *s = sieve_str(r, &tv->arg->strs[i], &len);

			sieve_flags_apply(&b, s, len, false);
		}
	} else if (r->flags != NULL) {
		buf_puts(&b, r->flags);
	}
	v = arena_alloc(r->arena, (b.len / 2 + 2) * sizeof(*v));
	while (sieve_flags_next(b.data, b.len, &pos, &at, &len))
		v[count++] = arena_strndup(r->arena, b.data + at, len);
	buf_deinit(&b);
	a->flags = v;
	a->flag_count = count;
}

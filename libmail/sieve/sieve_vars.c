/* SPDX-License-Identifier: MIT */
/*
 * RFC 5229 variables: expansion of "${name}" and "${N}" in strings at run
 * time, the set command with its modifiers, and RFC 6609 global
 * variables shared between a script and the scripts it includes. Names
 * are case-insensitive; a variable holds at most lim->var_size_max octets
 * (longer values are truncated, as §6 allows) and a run creates at most
 * lim->var_count_max of them. Values come from the untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct sieve_var *
sieve_var_find(struct sieve_scope *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (strncasecmp(s->vars[i].name, name, len) == 0 &&
		    s->vars[i].name[len] == '\0')
			return &s->vars[i];
	return NULL;
}

/* The scope a name lives in: the globals once declared global here. */
static struct sieve_scope *
sieve_var_scope(struct sieve_run *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->scope->global_count; i++)
		if (strncasecmp(r->scope->globals[i], name, len) == 0 &&
		    r->scope->globals[i][len] == '\0')
			return &r->globals;
	return r->scope;
}

static const char *
sieve_var_lookup(struct sieve_run *r, const char *name, size_t len,
    size_t *len_out)
{
	const struct sieve_var *v = sieve_var_find(
	    sieve_var_scope(r, name, len), name, len);

	*len_out = v ? v->len : 0;
	return v ? v->value : "";
}

const char *
sieve_var_get(struct sieve_run *r, const char *name, size_t *len_out)
{
	return sieve_var_lookup(r, name, strlen(name), len_out);
}

int
sieve_var_put(struct sieve_run *r, const struct sieve_node *n,
    const char *name, const char *value, size_t len)
{
	struct sieve_scope *s = sieve_var_scope(r, name, strlen(name));
	struct sieve_var *v = sieve_var_find(s, name, strlen(name));
	size_t i;

	if (v == NULL) {
		if (r->var_total >= r->lim->var_count_max)
			return sieve_run_fail(r, n, ERR_PERM,
			    "too many variables (at most %zu)",
			    r->lim->var_count_max);
		if (s->count == s->cap) {
			struct sieve_var *nv;

			s->cap = s->cap ? s->cap * 2 : 8;
			nv = arena_alloc(r->arena, s->cap * sizeof(*nv));
			if (s->count > 0)
				memcpy(nv, s->vars, s->count * sizeof(*nv));
			s->vars = nv;
		}
		v = &s->vars[s->count++];
		r->var_total++;
		v->name = arena_strdup(r->arena, name);
		for (i = 0; v->name[i] != '\0'; i++)
			((char *)v->name)[i] =
			    (char)tolower((unsigned char)v->name[i]);
	}
	if (len > r->lim->var_size_max)
		len = r->lim->var_size_max;
	v->value = arena_strndup(r->arena, value, len);
	v->len = len;
	return 0;
}

void
sieve_mvars_set(struct sieve_run *r, const char *const *v, const size_t *len,
    size_t count)
{
	size_t i, n;

	if ((r->script->exts & (1u << SIEVE_EXT_VARIABLES)) == 0)
		return;
	for (i = 0; i < count && i < 10; i++) {
		n = len[i] > r->lim->var_size_max ? r->lim->var_size_max :
		    len[i];
		r->mvars[i] = arena_strndup(r->arena, v[i], n);
		r->mvar_len[i] = n;
	}
	r->mvar_count = i;
}

/* At p (after "${"), the length of a name or number before '}', or 0. */
static size_t
sieve_str_ref(const char *p, const char *end, bool *num_out)
{
	const char *q = p;

	*num_out = q < end && *q >= '0' && *q <= '9';
	while (q < end && (*num_out ? (*q >= '0' && *q <= '9') :
	    (isalnum((unsigned char)*q) || *q == '_')))
		q++;
	if (q == p || q >= end || *q != '}' || (!*num_out && isdigit(
	    (unsigned char)*p)))
		return 0;
	return (size_t)(q - p);
}

const char *
sieve_str(struct sieve_run *r, const struct sieve_str *s, size_t *len_out)
{
	const char *p = s->s, *end = s->s + s->len, *hit;
	struct buf b;
	char *out;

	if (!s->vars || sieve_run_over_memory(r)) {
		/* over memory: the next step fails the run */
		if (len_out != NULL)
			*len_out = s->vars ? 0 : s->len;
		return s->vars ? "" : s->s;
	}
	buf_init(&b);
	while (p < end && b.len < r->lim->script_max &&
	    (hit = memmem(p, (size_t)(end - p), "${", 2)) != NULL) {
		bool num;
		size_t n = sieve_str_ref(hit + 2, end, &num), vlen = 0;
		const char *v = NULL;

		buf_append(&b, p, (size_t)(hit - p));
		if (n == 0) {
			buf_append(&b, hit, 2);
			p = hit + 2;
			continue;
		}
		if (num) {
			size_t k = n > 2 ? 99 : (size_t)strtoul(hit + 2,
			    NULL, 10);

			if (k < r->mvar_count) {
				v = r->mvars[k];
				vlen = r->mvar_len[k];
			}
		} else {
			v = sieve_var_lookup(r, hit + 2, n, &vlen);
		}
		if (v != NULL)
			buf_append(&b, v, vlen);
		p = hit + 2 + n + 1;
	}
	if (p < end)
		buf_append(&b, p, (size_t)(end - p));
	if (b.len > r->lim->script_max)
		buf_truncate(&b, r->lim->script_max);
	out = arena_strndup(r->arena, b.data, b.len);
	if (len_out != NULL)
		*len_out = b.len;
	buf_deinit(&b);
	return out;
}

/* RFC 5229 §4.1: modifiers apply from the highest precedence down. */
static size_t
sieve_vars_modify(struct sieve_run *r, const struct sieve_node *n, char **vp,
    size_t len)
{
	char *v = *vp;
	size_t i;

	if (sieve_node_tag(n, SIEVE_TAG_LOWER) != NULL)
		for (i = 0; i < len; i++)
			v[i] = (char)tolower((unsigned char)v[i]);
	if (sieve_node_tag(n, SIEVE_TAG_UPPER) != NULL)
		for (i = 0; i < len; i++)
			v[i] = (char)toupper((unsigned char)v[i]);
	if (len > 0 && sieve_node_tag(n, SIEVE_TAG_LOWERFIRST) != NULL)
		v[0] = (char)tolower((unsigned char)v[0]);
	if (len > 0 && sieve_node_tag(n, SIEVE_TAG_UPPERFIRST) != NULL)
		v[0] = (char)toupper((unsigned char)v[0]);
	if (sieve_node_tag(n, SIEVE_TAG_QUOTEWILDCARD) != NULL) {
		struct buf b;

		buf_init(&b);
		for (i = 0; i < len; i++) {
			if (v[i] == '*' || v[i] == '?' || v[i] == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, v[i]);
		}
		v = arena_strndup(r->arena, b.data, b.len);
		len = b.len;
		buf_deinit(&b);
	}
	if (sieve_node_tag(n, SIEVE_TAG_LENGTH) != NULL) {
		size_t chars = 0;

		/* the length in characters: count UTF-8 lead octets */
		for (i = 0; i < len; i++)
			if (((unsigned char)v[i] & 0xc0) != 0x80)
				chars++;
		v = arena_printf(r->arena, "%zu", chars);
		len = strlen(v);
	}
	*vp = v;
	return len;
}

int
sieve_vars_set(struct sieve_run *r, const struct sieve_node *n)
{
	size_t len;
	const char *value = sieve_str(r, &n->pos[1]->strs[0], &len);
	char *v = arena_strndup(r->arena, value, len);

	len = sieve_vars_modify(r, n, &v, len);
	return sieve_var_put(r, n, n->pos[0]->strs[0].s, v, len);
}

int
sieve_vars_global(struct sieve_run *r, const struct sieve_node *n)
{
	struct sieve_scope *s = r->scope;
	const struct sieve_arg *a = n->pos[0];
	const char **nv;

	nv = arena_alloc(r->arena, (s->global_count + a->count) * sizeof(*nv));
	if (s->global_count > 0)
		memcpy(nv, s->globals, s->global_count * sizeof(*nv));
	for (size_t i = 0; i < a->count; i++)
		nv[s->global_count++] = a->strs[i].s;
	s->globals = nv;
	return 0;
}

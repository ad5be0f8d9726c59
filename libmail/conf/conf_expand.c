/* SPDX-License-Identifier: MIT */
/*
 * $name expansion in main.cf values, as in Postfix: $name, ${name},
 * $(name), ${name?text} (text when name is non-empty), ${name:text}
 * (text when name is empty), ${name?{a}:{b}} and $$ for a literal '$'. An
 * unknown name expands to nothing. Values come from an admin's file but are
 * bounded anyway (depth, length, total work), since a typo must not hang a
 * daemon at startup and the reader is fuzzed.
 */
#include "conf/conf_impl.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf_lines.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/xmalloc.h"

enum conf_expand_state {
	CONF_EXPAND_UNSEEN,
	CONF_EXPAND_BUSY, /* on the stack: meeting it again is a loop */
	CONF_EXPAND_DONE,
};

struct conf_expand_memo {
	enum conf_expand_state state;
	bool referenced;
	const char *value;
};

/*
 * Slots number what can be expanded: entries of the store first, then
 * rows of the parameter table (for parameters left at their default).
 */
struct conf_expand {
	const struct conf *conf;
	struct arena *arena;
	struct conf_expand_memo *memo;
	size_t nentries;
	size_t stack[CONF_EXPAND_DEPTH];
	size_t nstack;
	unsigned text_depth;
	size_t spent;
	struct buf name; /* scratch: a name found in a value */
};

static int conf_expand_slot(struct conf_expand *x, size_t slot,
    const char **value_out, struct err *err);

struct conf_expand *
conf_expand_new(const struct conf *conf)
{
	struct conf_expand *x = xcalloc(1, sizeof(*x));

	x->conf = conf;
	x->arena = arena_new();
	x->nentries = conf->store->n;
	x->memo = xcalloc(x->nentries + conf_nparams, sizeof(*x->memo));
	buf_init(&x->name);
	return x;
}

void
conf_expand_free(struct conf_expand **xp)
{
	struct conf_expand *x = *xp;

	if (x == NULL)
		return;
	arena_free(&x->arena);
	free(x->memo);
	buf_deinit(&x->name);
	free(x);
	*xp = NULL;
}

bool
conf_expand_referenced(const struct conf_expand *x, size_t entry)
{
	return entry < x->nentries && x->memo[entry].referenced;
}

static const char *
conf_expand_slot_name(const struct conf_expand *x, size_t slot)
{
	if (slot < x->nentries)
		return x->conf->store->entries[slot].name;
	return conf_params[slot - x->nentries].name;
}

static const char *
conf_expand_slot_origin(const struct conf_expand *x, size_t slot)
{
	if (slot < x->nentries)
		return x->conf->store->entries[slot].origin;
	return "default";
}

/* 1 with *slot_out set, or 0 when name is neither set nor known. */
static int
conf_expand_lookup(
    const struct conf_expand *x, const char *name, size_t *slot_out)
{
	const struct conf_param *p;

	if (conf_store_find(x->conf->store, name, slot_out))
		return 1;
	if ((p = conf_param_find(name)) == NULL)
		return 0;
	*slot_out = x->nentries + (size_t)(p - conf_params);
	return 1;
}

/* The value of a name referenced from a value: "" when unknown. */
static int
conf_expand_ref(struct conf_expand *x, const char *name, size_t len,
    const char **value_out, struct err *err)
{
	size_t slot;

	buf_reset(&x->name);
	buf_append(&x->name, name, len);
	if (!conf_expand_lookup(x, x->name.data, &slot)) {
		*value_out = "";
		return 0;
	}
	x->memo[slot].referenced = true;
	return conf_expand_slot(x, slot, value_out, err);
}

static int
conf_expand_fail(const struct conf_expand *x, size_t owner, struct err *err,
    const char *what, char c)
{
	return err_set(err, ERR_PERM, "5.3.5", "%s: %s: %s%c",
	    conf_expand_slot_origin(x, owner), conf_expand_slot_name(x, owner),
	    what, c);
}

static int conf_expand_text(struct conf_expand *x, size_t owner, const char *s,
    size_t n, struct buf *out, struct err *err);

/* The offset of the brace that closes t[0] == '{', or len. */
static size_t
conf_expand_group_end(const char *t, size_t len)
{
	size_t k, depth = 0;

	for (k = 0; k < len; k++)
		if (t[k] == '{')
			depth++;
		else if (t[k] == '}' && --depth == 0)
			return k;
	return len;
}

/*
 * Postfix 3's ${name?{a}:{b}}: a when name is not empty, else b. Narrows
 * [*tp, *tp + *lenp) to the chosen branch and returns true, or returns
 * false when text is not in that form (then it is plain ?text).
 */
static bool
conf_expand_branches(const char **tp, size_t *lenp, bool nonempty)
{
	const char *t = *tp;
	size_t len = *lenp, k, m;

	if (len < 5 || t[0] != '{')
		return false;
	k = conf_expand_group_end(t, len);
	if (k + 2 >= len || t[k + 1] != ':' || t[k + 2] != '{')
		return false;
	m = k + 2 + conf_expand_group_end(t + k + 2, len - k - 2);
	if (m != len - 1)
		return false;
	*tp = nonempty ? t + 1 : t + k + 3;
	*lenp = nonempty ? k - 1 : m - k - 3;
	return true;
}

/* s[*ip] is '{' or '(': ${name}, ${name?text} or ${name:text}. */
static int
conf_expand_braced(struct conf_expand *x, size_t owner, const char *s, size_t n,
    size_t *ip, struct buf *out, struct err *err)
{
	char open = s[*ip], close = open == '{' ? '}' : ')';
	size_t start = *ip + 1, j, name_end, tlen, depth = 1;
	const char *value, *text;
	char op;
	int rc = 0;

	for (j = start; j < n; j++)
		if (s[j] == open)
			depth++;
		else if (s[j] == close && --depth == 0)
			break;
	if (j == n)
		return conf_expand_fail(x, owner, err, "unterminated $", open);
	for (name_end = start; name_end < j; name_end++)
		if (!conf_lines_name_char(s[name_end]))
			break;
	if (name_end == start)
		return conf_expand_fail(
		    x, owner, err, "missing parameter name after $", open);
	op = name_end < j ? s[name_end] : '\0';
	if (op != '\0' && op != '?' && op != ':')
		return conf_expand_fail(x, owner, err,
		    "unexpected character after parameter name: ", op);
	if (conf_expand_ref(x, s + start, name_end - start, &value, err) < 0)
		return -1;
	*ip = j + 1;
	if (op == '\0') {
		buf_puts(out, value);
		return 0;
	}
	text = s + name_end + 1;
	tlen = j - name_end - 1;
	if (!(op == '?' &&
	        conf_expand_branches(&text, &tlen, value[0] != '\0')) &&
	    (op == '?') != (value[0] != '\0'))
		return 0;
	if (x->text_depth >= CONF_EXPAND_DEPTH)
		return conf_expand_fail(x, owner, err,
		    "conditional text nested too deep after $", open);
	x->text_depth++;
	rc = conf_expand_text(x, owner, text, tlen, out, err);
	x->text_depth--;
	return rc;
}

/* s[*ip] follows a '$' that is not "$$", "${" or "$(". */
static int
conf_expand_plain(struct conf_expand *x, size_t owner, const char *s, size_t n,
    size_t *ip, struct buf *out, struct err *err)
{
	size_t start = *ip, end = start;
	const char *value;

	while (end < n && conf_lines_name_char(s[end]))
		end++;
	if (end == start)
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s: %s: '$' not followed by a parameter name "
		    "(write $$ for a literal '$')",
		    conf_expand_slot_origin(x, owner),
		    conf_expand_slot_name(x, owner));
	if (conf_expand_ref(x, s + start, end - start, &value, err) < 0)
		return -1;
	buf_puts(out, value);
	*ip = end;
	return 0;
}

static int
conf_expand_text(struct conf_expand *x, size_t owner, const char *s, size_t n,
    struct buf *out, struct err *err)
{
	size_t i = 0, start;
	int rc;

	while (i < n) {
		start = i;
		while (i < n && s[i] != '$')
			i++;
		buf_append(out, s + start, i - start);
		if (i++ == n)
			break;
		if (i < n && s[i] == '$') {
			buf_putc(out, '$');
			i++;
			continue;
		}
		if (i < n && (s[i] == '{' || s[i] == '('))
			rc = conf_expand_braced(x, owner, s, n, &i, out, err);
		else
			rc = conf_expand_plain(x, owner, s, n, &i, out, err);
		if (rc < 0)
			return -1;
		if (out->len > CONF_EXPAND_MAX)
			return err_set(err, ERR_PERM, "5.3.5",
			    "%s: %s: expanded value longer than %d bytes",
			    conf_expand_slot_origin(x, owner),
			    conf_expand_slot_name(x, owner), CONF_EXPAND_MAX);
	}
	return 0;
}

/* Name the parameter where the loop closes and the step into it. */
static int
conf_expand_loop(const struct conf_expand *x, size_t slot, struct err *err)
{
	size_t k, via = slot;

	for (k = 0; k < x->nstack; k++)
		if (x->stack[k] == slot && k + 1 < x->nstack)
			via = x->stack[k + 1];
	return err_set(err, ERR_PERM, "5.3.5", "%s: %s: expansion loop via $%s",
	    conf_expand_slot_origin(x, slot), conf_expand_slot_name(x, slot),
	    conf_expand_slot_name(x, via));
}

static const char *
conf_expand_raw(const struct conf_expand *x, size_t slot)
{
	if (slot < x->nentries)
		return x->conf->store->entries[slot].value;
	return conf_params[slot - x->nentries].def;
}

static int
conf_expand_slot(
    struct conf_expand *x, size_t slot, const char **value_out, struct err *err)
{
	struct conf_expand_memo *m = &x->memo[slot];
	const char *raw;
	struct buf out;
	int rc;

	if (m->state == CONF_EXPAND_DONE) {
		*value_out = m->value;
		return 0;
	}
	if (m->state == CONF_EXPAND_BUSY)
		return conf_expand_loop(x, slot, err);
	if (x->nstack == CONF_EXPAND_DEPTH)
		return err_set(err, ERR_PERM, "5.3.5",
		    "%s: %s: parameter references nested deeper than %d",
		    conf_expand_slot_origin(x, x->stack[x->nstack - 1]),
		    conf_expand_slot_name(x, x->stack[x->nstack - 1]),
		    CONF_EXPAND_DEPTH);
	m->state = CONF_EXPAND_BUSY;
	x->stack[x->nstack++] = slot;
	raw = conf_expand_raw(x, slot);
	buf_init(&out);
	rc = conf_expand_text(x, slot, raw, strlen(raw), &out, err);
	x->nstack--;
	x->spent += out.len;
	if (rc == 0 && x->spent > CONF_EXPAND_BUDGET)
		rc = err_set(err, ERR_PERM, "5.3.5",
		    "%s: %s: expanded values longer than %d bytes in all",
		    conf_expand_slot_origin(x, slot),
		    conf_expand_slot_name(x, slot), CONF_EXPAND_BUDGET);
	if (rc == 0) {
		m->value = arena_strndup(x->arena, out.data, out.len);
		m->state = CONF_EXPAND_DONE;
		*value_out = m->value;
	}
	buf_deinit(&out);
	return rc;
}

int
conf_expand_name(struct conf_expand *x, const char *name,
    const char **value_out, struct err *err)
{
	size_t slot;

	if (!conf_expand_lookup(x, name, &slot)) {
		*value_out = "";
		return 0;
	}
	return conf_expand_slot(x, slot, value_out, err) < 0 ? -1 : 1;
}

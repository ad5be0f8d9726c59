/* SPDX-License-Identifier: MIT */
/*
 * SEARCH program parser (RFC 3501 §6.4.4 and §9 search-key, RFC 9051,
 * RFC 4731 RETURN, RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 5182
 * "$"). Input is client data tokenised by imap_lex.c; nesting and the
 * number of keys are bounded by the caller's limits.
 */
#include "imap/imap_search.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

struct imap_search_ctx {
	const struct imap_search_limits *lim;
	struct imap_search *out;
	size_t nkeys;
	struct arena *a;
	struct err *err;
};

/* A cursor over one list of arguments (the command's or a sublist's). */
struct imap_search_cur {
	const struct imap_arg *args;
	size_t count;
	size_t i;
};

static struct imap_search_node *imap_search_key(
    struct imap_search_ctx *c, struct imap_search_cur *cur, size_t depth);

static const struct imap_arg *
imap_search_next(struct imap_search_ctx *c, struct imap_search_cur *cur)
{
	if (cur->i >= cur->count) {
		imap_syntax_error(c->err, "missing search argument");
		return NULL;
	}
	return &cur->args[cur->i++];
}

static const struct imap_arg *
imap_search_astring(struct imap_search_ctx *c, struct imap_search_cur *cur)
{
	const struct imap_arg *arg = imap_search_next(c, cur);

	if (arg != NULL && !imap_arg_is_astring(arg)) {
		imap_syntax_error(c->err, "string expected");
		return NULL;
	}
	return arg;
}

static struct imap_search_node *
imap_search_node_new(struct imap_search_ctx *c, enum imap_search_kind kind)
{
	struct imap_search_node *n;

	if (++c->nkeys > c->lim->keys_max) {
		err_set(c->err, ERR_PERM, "LIMIT", "too many search keys");
		return NULL;
	}
	n = arena_zalloc(c->a, sizeof(*n));
	n->kind = kind;
	return n;
}

/* Keys without arguments and the flag keys (UN* become NOT). */
static const struct {
	const char *name;
	enum imap_search_kind kind;
	unsigned flag;
	bool negate;
} imap_search_simple[] = {
    {"ALL", IMAP_SEARCH_ALL, 0, false},
    {"NEW", IMAP_SEARCH_NEW, 0, false},
    {"OLD", IMAP_SEARCH_OLD, 0, false},
    {"ANSWERED", IMAP_SEARCH_FLAG, IMAP_FLAG_ANSWERED, false},
    {"DELETED", IMAP_SEARCH_FLAG, IMAP_FLAG_DELETED, false},
    {"DRAFT", IMAP_SEARCH_FLAG, IMAP_FLAG_DRAFT, false},
    {"FLAGGED", IMAP_SEARCH_FLAG, IMAP_FLAG_FLAGGED, false},
    {"RECENT", IMAP_SEARCH_FLAG, IMAP_FLAG_RECENT, false},
    {"SEEN", IMAP_SEARCH_FLAG, IMAP_FLAG_SEEN, false},
    {"UNANSWERED", IMAP_SEARCH_FLAG, IMAP_FLAG_ANSWERED, true},
    {"UNDELETED", IMAP_SEARCH_FLAG, IMAP_FLAG_DELETED, true},
    {"UNDRAFT", IMAP_SEARCH_FLAG, IMAP_FLAG_DRAFT, true},
    {"UNFLAGGED", IMAP_SEARCH_FLAG, IMAP_FLAG_FLAGGED, true},
    {"UNSEEN", IMAP_SEARCH_FLAG, IMAP_FLAG_SEEN, true},
};

/* Keys taking a string: the header ones name their field. */
static const struct {
	const char *name;
	enum imap_search_kind kind;
	const char *field;
} imap_search_strings[] = {
    {"BCC", IMAP_SEARCH_HEADER, "Bcc"},
    {"CC", IMAP_SEARCH_HEADER, "Cc"},
    {"FROM", IMAP_SEARCH_HEADER, "From"},
    {"SUBJECT", IMAP_SEARCH_HEADER, "Subject"},
    {"TO", IMAP_SEARCH_HEADER, "To"},
    {"BODY", IMAP_SEARCH_BODY, NULL},
    {"TEXT", IMAP_SEARCH_TEXT, NULL},
    {"KEYWORD", IMAP_SEARCH_KEYWORD, NULL},
    {"UNKEYWORD", IMAP_SEARCH_KEYWORD, NULL},
};

static const struct {
	const char *name;
	enum imap_search_kind kind;
} imap_search_dates[] =
    {
        {"BEFORE", IMAP_SEARCH_BEFORE},
        {"ON", IMAP_SEARCH_ON},
        {"SINCE", IMAP_SEARCH_SINCE},
        {"SENTBEFORE", IMAP_SEARCH_SENTBEFORE},
        {"SENTON", IMAP_SEARCH_SENTON},
        {"SENTSINCE", IMAP_SEARCH_SENTSINCE},
},
  imap_search_numbers[] = {
      {"LARGER", IMAP_SEARCH_LARGER},
      {"SMALLER", IMAP_SEARCH_SMALLER},
      {"OLDER", IMAP_SEARCH_OLDER},
      {"YOUNGER", IMAP_SEARCH_YOUNGER},
      {"MODSEQ", IMAP_SEARCH_MODSEQ},
};

#define IMAP_SEARCH_N(t) (sizeof(t) / sizeof((t)[0]))

static struct imap_search_node *
imap_search_wrap_not(struct imap_search_ctx *c, struct imap_search_node *n)
{
	struct imap_search_node * not ;

	if (n == NULL ||
	    (not = imap_search_node_new(c, IMAP_SEARCH_NOT)) == NULL)
		return NULL;
	not ->children = n;
	return not ;
}

static struct imap_search_node *
imap_search_string_key(struct imap_search_ctx *c, struct imap_search_cur *cur,
    enum imap_search_kind kind, const char *field, bool negate)
{
	const struct imap_arg *s = imap_search_astring(c, cur);
	struct imap_search_node *n;

	if (s == NULL || (n = imap_search_node_new(c, kind)) == NULL)
		return NULL;
	n->field = field;
	n->str = s->str;
	n->str_len = s->len;
	return negate ? imap_search_wrap_not(c, n) : n;
}

/* MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162). */
static int
imap_search_modseq(struct imap_search_ctx *c, struct imap_search_cur *cur,
    struct imap_search_node *n)
{
	const struct imap_arg *v = imap_search_next(c, cur);

	if (v != NULL && v->type == IMAP_ARG_QUOTED) {
		const struct imap_arg *t = imap_search_next(c, cur);

		if (t == NULL || t->type != IMAP_ARG_ATOM ||
		    (strcasecmp(t->str, "priv") != 0 &&
		        strcasecmp(t->str, "shared") != 0 &&
		        strcasecmp(t->str, "all") != 0))
			return imap_syntax_error(c->err, "bad MODSEQ entry");
		n->modseq_entry = v->str;
		n->modseq_type = t->str;
		v = imap_search_next(c, cur);
	}
	if (v == NULL || v->type != IMAP_ARG_ATOM ||
	    imap_parse_number(v->str, v->len, &n->num) != 0)
		return imap_syntax_error(c->err, "bad MODSEQ value");
	c->out->uses_modseq = true;
	return 0;
}

static struct imap_search_node *
imap_search_arg_key(struct imap_search_ctx *c, struct imap_search_cur *cur,
    const char *name, enum imap_search_kind kind, bool date)
{
	struct imap_search_node *n = imap_search_node_new(c, kind);
	const struct imap_arg *v;

	if (n == NULL)
		return NULL;
	if (kind == IMAP_SEARCH_MODSEQ)
		return imap_search_modseq(c, cur, n) == 0 ? n : NULL;
	if ((v = imap_search_astring(c, cur)) == NULL)
		return NULL;
	if (date)
		return imap_date_parse(v->str, v->len, &n->date, c->err) == 0
		    ? n
		    : NULL;
	if (v->type != IMAP_ARG_ATOM ||
	    imap_parse_number(v->str, v->len, &n->num) != 0 ||
	    ((kind == IMAP_SEARCH_OLDER || kind == IMAP_SEARCH_YOUNGER) &&
	        n->num == 0)) {
		imap_syntax_error(c->err, name);
		return NULL;
	}
	return n;
}

static struct imap_search_node *
imap_search_set(struct imap_search_ctx *c, const struct imap_arg *arg,
    enum imap_search_kind kind)
{
	struct imap_search_node *n = imap_search_node_new(c, kind);

	if (n == NULL ||
	    imap_seqset_parse(arg->str, arg->len, &n->set, c->a, c->err) != 0)
		return NULL;
	if (n->set.saved)
		c->out->uses_saved = true;
	return n;
}

/* A parenthesised list: an AND of its keys. */
static struct imap_search_node *
imap_search_group(
    struct imap_search_ctx *c, const struct imap_arg *arg, size_t depth)
{
	struct imap_search_cur sub = {.args = arg->list, .count = arg->count};
	struct imap_search_node *n, *k, **tail;

	if (arg->count == 0) {
		imap_syntax_error(c->err, "empty search list");
		return NULL;
	}
	if ((n = imap_search_node_new(c, IMAP_SEARCH_AND)) == NULL)
		return NULL;
	tail = &n->children;
	while (sub.i < sub.count) {
		if ((k = imap_search_key(c, &sub, depth + 1)) == NULL)
			return NULL;
		*tail = k;
		tail = &k->next;
	}
	return n;
}

/* NOT key / OR key key */
static struct imap_search_node *
imap_search_logic(struct imap_search_ctx *c, struct imap_search_cur *cur,
    bool or, size_t depth)
{
	struct imap_search_node *n, *k;

	if ((n = imap_search_node_new(
	         c, or ? IMAP_SEARCH_OR : IMAP_SEARCH_NOT)) == NULL ||
	    (k = imap_search_key(c, cur, depth + 1)) == NULL)
		return NULL;
	n->children = k;
	if (or &&(k->next = imap_search_key(c, cur, depth + 1)) == NULL)
		return NULL;
	return n;
}

static struct imap_search_node *
imap_search_named(struct imap_search_ctx *c, struct imap_search_cur *cur,
    const char *w, size_t depth)
{
	size_t i;

	for (i = 0; i < IMAP_SEARCH_N(imap_search_simple); i++) {
		if (strcasecmp(w, imap_search_simple[i].name) != 0)
			continue;
		struct imap_search_node *n =
		    imap_search_node_new(c, imap_search_simple[i].kind);

		if (n != NULL)
			n->flag = imap_search_simple[i].flag;
		return imap_search_simple[i].negate ? imap_search_wrap_not(c, n)
		                                    : n;
	}
	for (i = 0; i < IMAP_SEARCH_N(imap_search_strings); i++)
		if (strcasecmp(w, imap_search_strings[i].name) == 0)
			return imap_search_string_key(c, cur,
			    imap_search_strings[i].kind,
			    imap_search_strings[i].field,
			    strcasecmp(w, "UNKEYWORD") == 0);
	for (i = 0; i < IMAP_SEARCH_N(imap_search_dates); i++)
		if (strcasecmp(w, imap_search_dates[i].name) == 0)
			return imap_search_arg_key(
			    c, cur, w, imap_search_dates[i].kind, true);
	for (i = 0; i < IMAP_SEARCH_N(imap_search_numbers); i++)
		if (strcasecmp(w, imap_search_numbers[i].name) == 0)
			return imap_search_arg_key(
			    c, cur, w, imap_search_numbers[i].kind, false);
	if (strcasecmp(w, "HEADER") == 0) {
		const struct imap_arg *f = imap_search_astring(c, cur);

		return f == NULL ? NULL
		                 : imap_search_string_key(c, cur,
		                       IMAP_SEARCH_HEADER, f->str, false);
	}
	if (strcasecmp(w, "NOT") == 0 || strcasecmp(w, "OR") == 0)
		return imap_search_logic(
		    c, cur, w[0] == 'O' || w[0] == 'o', depth);
	if (strcasecmp(w, "UID") == 0) {
		const struct imap_arg *s = imap_search_next(c, cur);

		if (s == NULL || s->type != IMAP_ARG_ATOM) {
			imap_syntax_error(c->err, "UID needs a set");
			return NULL;
		}
		return imap_search_set(c, s, IMAP_SEARCH_UID);
	}
	return NULL;
}

static struct imap_search_node *
imap_search_key(
    struct imap_search_ctx *c, struct imap_search_cur *cur, size_t depth)
{
	const struct imap_arg *arg = imap_search_next(c, cur);
	struct imap_search_node *n;

	if (arg == NULL)
		return NULL;
	if (depth >= c->lim->depth_max) {
		err_set(c->err, ERR_PERM, "LIMIT", "search nested too deep");
		return NULL;
	}
	if (arg->type == IMAP_ARG_LIST)
		return imap_search_group(c, arg, depth);
	if (arg->type != IMAP_ARG_ATOM) {
		imap_syntax_error(c->err, "search key expected");
		return NULL;
	}
	if (isdigit((unsigned char)arg->str[0]) || arg->str[0] == '*' ||
	    arg->str[0] == '$')
		return imap_search_set(c, arg, IMAP_SEARCH_SEQSET);
	c->err->kind = ERR_NONE;
	n = imap_search_named(c, cur, arg->str, depth);
	if (n == NULL && c->err->kind == ERR_NONE)
		err_set(
		    c->err, ERR_PERM, "", "unknown search key %.40s", arg->str);
	return n;
}

int
imap_search_return_opts(
    const struct imap_arg *l, unsigned *ret_out, struct err *err)
{
	static const char *const opts[] = {
	    "MIN", "MAX", "ALL", "COUNT", "SAVE"};
	size_t i, k;

	if (l->type != IMAP_ARG_LIST)
		return imap_syntax_error(err, "RETURN needs a list");
	*ret_out = 0;
	for (i = 0; i < l->count; i++) {
		for (k = 0; k < 5 && !imap_arg_is_atom(&l->list[i], opts[k]);
		     k++)
			;
		if (k == 5)
			return imap_syntax_error(err, "bad RETURN option");
		*ret_out |= 1u << k;
	}
	/* RFC 4731 §3.1: "RETURN ()" means ALL. */
	if (*ret_out == 0)
		*ret_out = IMAP_SEARCH_RET_ALL;
	return 0;
}

static int
imap_search_return(struct imap_search_ctx *c, struct imap_search_cur *cur)
{
	const struct imap_arg *l;

	if (cur->i >= cur->count ||
	    !imap_arg_is_atom(&cur->args[cur->i], "RETURN"))
		return 0;
	cur->i++;
	if ((l = imap_search_next(c, cur)) == NULL ||
	    imap_search_return_opts(l, &c->out->ret, c->err) != 0)
		return -1;
	c->out->has_return = true;
	return 0;
}

/* CHARSET name: only US-ASCII and UTF-8 (RFC 9051 §6.4.4). */
static int
imap_search_charset(
    struct imap_search_ctx *c, struct imap_search_cur *cur, bool required)
{
	const struct imap_arg *cs;

	if (!required) {
		if (cur->i >= cur->count ||
		    !imap_arg_is_atom(&cur->args[cur->i], "CHARSET"))
			return 0;
		cur->i++;
	}
	if ((cs = imap_search_astring(c, cur)) == NULL)
		return -1;
	if (strcasecmp(cs->str, "UTF-8") == 0)
		c->out->utf8 = true;
	else if (strcasecmp(cs->str, "US-ASCII") != 0)
		return err_set(
		    c->err, ERR_PERM, "BADCHARSET", "charset not supported");
	return 0;
}

/* The keys of a search program: an AND of them at the root. */
static int
imap_search_program(struct imap_search_ctx *c, struct imap_search_cur *cur)
{
	struct imap_search_node **tail, *k;

	if (cur->i >= cur->count)
		return imap_syntax_error(c->err, "search key expected");
	if ((c->out->root = imap_search_node_new(c, IMAP_SEARCH_AND)) == NULL)
		return -1;
	tail = &c->out->root->children;
	while (cur->i < cur->count) {
		if ((k = imap_search_key(c, cur, 0)) == NULL)
			return -1;
		*tail = k;
		tail = &k->next;
	}
	return 0;
}

static void
imap_search_ctx_init(struct imap_search_ctx *c,
    const struct imap_search_limits *lim, struct imap_search *out,
    struct arena *a, struct err *err)
{
	memset(out, 0, sizeof(*out));
	c->lim = lim;
	c->out = out;
	c->nkeys = 0;
	c->a = a;
	/* The parser tests err->kind: it needs somewhere to write. */
	c->err = err;
}

int
imap_search_parse_from(const struct imap_arg *args, size_t count, unsigned what,
    const struct imap_search_limits *lim, struct imap_search *out,
    struct arena *a, struct err *err)
{
	struct imap_search_ctx c;
	struct imap_search_cur cur = {.args = args, .count = count};
	struct err local;

	imap_search_ctx_init(&c, lim, out, a, err != NULL ? err : &local);
	if (((what & IMAP_SEARCH_FROM_RETURN) &&
	        imap_search_return(&c, &cur) != 0) ||
	    imap_search_charset(
	        &c, &cur, (what & IMAP_SEARCH_FROM_CHARSET) != 0) != 0)
		return -1;
	return imap_search_program(&c, &cur);
}

int
imap_search_parse(const struct imap_arg *args, size_t count,
    const struct imap_search_limits *lim, struct imap_search *out,
    struct arena *a, struct err *err)
{
	return imap_search_parse_from(
	    args, count, IMAP_SEARCH_FROM_RETURN, lim, out, a, err);
}

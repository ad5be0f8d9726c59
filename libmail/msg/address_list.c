/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 address lists: a tokenizer (RFC 5322 §3.2: atoms, quoted
 * strings, domain literals, comments, specials) and a recursive-descent
 * parser over its tokens. Input is an untrusted header value; comments are
 * iterated with a depth counter, never recursion, so nesting costs no stack.
 */
#include "msg/address_list.h"

#include <string.h>

#include "msg/utf8.h"

enum address_list_tok_kind {
	ALT_ATOM,
	ALT_QSTRING,
	ALT_DLITERAL,
	ALT_COMMENT,
	ALT_SPECIAL,
};

struct address_list_tok {
	enum address_list_tok_kind kind;
	char *text; /* decoded; for ALT_SPECIAL the one character */
	size_t len;
	bool space; /* white space or a comment came before it */
};

struct address_list_ctx {
	struct address_list_tok *toks;
	size_t ntoks, cap, pos;
	struct address_list_item *items;
	size_t nitems, icap, max_items;
	unsigned flags;
	struct arena *arena;
	struct err *err;
};

static bool
address_list_is_special(unsigned char c)
{
	return c != '\0' && strchr("()<>[]:;@\\,.\"", c) != NULL;
}

/* Room for one more element in an arena array of n (doubling). */
static void *
address_list_grow(
    struct arena *arena, void *arr, size_t n, size_t *cap, size_t size)
{
	void *bigger;

	if (n < *cap)
		return arr;
	*cap = *cap > 0 ? 2 * *cap : 8;
	bigger = arena_alloc(arena, *cap * size);
	if (n > 0)
		memcpy(bigger, arr, n * size);
	return bigger;
}

static struct address_list_tok *
address_list_push(
    struct address_list_ctx *x, enum address_list_tok_kind kind, bool space)
{
	struct address_list_tok *t;

	x->toks =
	    address_list_grow(x->arena, x->toks, x->ntoks, &x->cap, sizeof(*t));
	t = &x->toks[x->ntoks++];
	t->kind = kind;
	t->space = space;
	t->text = NULL;
	t->len = 0;
	return t;
}

/*
 * A delimited run: quoted string ("..."), comment ((...), nested) or
 * domain literal ([...]). Quoted pairs are resolved except in literals.
 * *pos is at the opening character; on success it is past the closing one.
 */
static int
address_list_delimited(struct address_list_ctx *x, const char *in, size_t len,
    size_t *pos, struct address_list_tok *t)
{
	char open = in[*pos];
	char close = open == '(' ? ')' : open == '[' ? ']' : '"';
	char *dst = arena_alloc(x->arena, len - *pos + 1);
	size_t i = *pos + 1, n = 0, depth = 1;

	if (open == '[')
		dst[n++] = '[';
	for (; i < len; i++) {
		char c = in[i];

		if (c == '\\' && i + 1 < len && in[i + 1] != '\0') {
			if (open == '[')
				dst[n++] = c;
			dst[n++] = in[++i];
			continue;
		}
		if (c == '\0')
			break;
		if (open == '(' && c == '(')
			depth++;
		else if (c == close && --depth == 0)
			break;
		if (c == '\r' || c == '\n')
			continue; /* left over from folding */
		dst[n++] = c;
	}
	if (i >= len || in[i] != close)
		return err_set(x->err, ERR_PERM, "5.6.0",
		    "unterminated %c...%c in address list", open, close);
	if (open == '[')
		dst[n++] = ']';
	dst[n] = '\0';
	t->text = dst;
	t->len = n;
	*pos = i + 1;
	return 0;
}

static int
address_list_tokenize(struct address_list_ctx *x, const char *in, size_t len)
{
	struct address_list_tok *t;
	bool space = false;
	size_t i = 0, start;
	unsigned char c;

	while (i < len) {
		c = (unsigned char)in[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = true;
			i++;
			continue;
		}
		if (c == '"' || c == '(' || c == '[') {
			t = address_list_push(x,
			    c == '"'       ? ALT_QSTRING
			        : c == '(' ? ALT_COMMENT
			                   : ALT_DLITERAL,
			    space);
			if (address_list_delimited(x, in, len, &i, t) != 0)
				return -1;
			space = c == '(';
			continue;
		}
		if (c < 32 || c == 127 || c == ')' || c == ']' || c == '\\')
			return err_set(x->err, ERR_PERM, "5.6.0",
			    "unexpected character 0x%02x in address list", c);
		if (address_list_is_special(c)) {
			t = address_list_push(x, ALT_SPECIAL, space);
			t->text = arena_strndup(x->arena, in + i, 1);
			t->len = 1;
			i++;
		} else {
			start = i;
			while (i < len && (unsigned char)in[i] > 32 &&
			    in[i] != 127 &&
			    !address_list_is_special((unsigned char)in[i]))
				i++;
			t = address_list_push(x, ALT_ATOM, space);
			t->text =
			    arena_strndup(x->arena, in + start, i - start);
			t->len = i - start;
		}
		space = false;
	}
	return 0;
}

/* The next token that is not a comment, or NULL at the end. */
static struct address_list_tok *
address_list_peek(struct address_list_ctx *x)
{
	while (x->pos < x->ntoks && x->toks[x->pos].kind == ALT_COMMENT)
		x->pos++;
	return x->pos < x->ntoks ? &x->toks[x->pos] : NULL;
}

static bool
address_list_is(const struct address_list_tok *t, char c)
{
	return t != NULL && t->kind == ALT_SPECIAL && t->text[0] == c;
}

/* The first special among "<:@,;" or the end, from the cursor on. */
static char
address_list_lookahead(const struct address_list_ctx *x)
{
	size_t i;

	for (i = x->pos; i < x->ntoks; i++)
		if (x->toks[i].kind == ALT_SPECIAL &&
		    strchr("<:@,;>", x->toks[i].text[0]) != NULL)
			return x->toks[i].text[0];
	return '\0';
}

/*
 * The text of the non-comment tokens from first to the cursor; with
 * spaced, one space stands for the white space between two tokens.
 */
static char *
address_list_join(struct address_list_ctx *x, size_t first, bool spaced)
{
	const struct address_list_tok *t;
	size_t total = 1, i, n = 0;
	char *out;

	for (i = first; i < x->pos; i++)
		total += x->toks[i].len + 1;
	out = arena_alloc(x->arena, total);
	for (i = first; i < x->pos; i++) {
		t = &x->toks[i];
		if (t->kind == ALT_COMMENT)
			continue;
		if (spaced && n > 0 && t->space)
			out[n++] = ' ';
		memcpy(out + n, t->text, t->len);
		n += t->len;
	}
	out[n] = '\0';
	return out;
}

/* phrase = 1*(atom / quoted-string / obs "."), joined with single spaces. */
static char *
address_list_phrase(struct address_list_ctx *x)
{
	struct address_list_tok *t;
	size_t first = x->pos, words = 0;

	while ((t = address_list_peek(x)) != NULL &&
	    (t->kind == ALT_ATOM || t->kind == ALT_QSTRING ||
	        address_list_is(t, '.'))) {
		words++;
		x->pos++;
	}
	return words > 0 ? address_list_join(x, first, true) : NULL;
}

static int
address_list_check_text(
    struct address_list_ctx *x, const char *s, bool *utf8_out)
{
	size_t len = strlen(s), i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == len)
		return 0;
	if (!(x->flags & ADDRESS_SMTPUTF8) || !utf8_valid(s, len))
		return err_set(
		    x->err, ERR_PERM, "5.6.7", "non-ASCII address in header");
	*utf8_out = true;
	return 0;
}

/* local-part = word *("." word) (obs-local-part: CFWS around dots). */
static int
address_list_local(struct address_list_ctx *x, struct address *a)
{
	struct address_list_tok *t;
	size_t first = x->pos;

	for (;;) {
		t = address_list_peek(x);
		if (t == NULL ||
		    (t->kind != ALT_ATOM && t->kind != ALT_QSTRING))
			return err_set(x->err, ERR_PERM, "5.6.0",
			    "bad local part in address list");
		a->quoted = a->quoted || t->kind == ALT_QSTRING;
		x->pos++;
		if (!address_list_is(address_list_peek(x), '.'))
			break;
		x->pos++;
	}
	a->local = address_list_join(x, first, false);
	return address_list_check_text(x, a->local, &a->utf8);
}

/* domain = dot-atom / domain-literal, checked with RFC 5321 rules. */
static int
address_list_domain(struct address_list_ctx *x, char **domain_out,
    enum address_domain_kind *kind_out, bool *utf8_out)
{
	struct address_list_tok *t = address_list_peek(x);
	size_t start = x->pos;
	char *d;

	if (t != NULL && t->kind == ALT_DLITERAL) {
		x->pos++;
		d = t->text;
	} else {
		/* atom *("." atom): "b c" must not read as one domain. */
		for (;;) {
			if ((t = address_list_peek(x)) == NULL ||
			    t->kind != ALT_ATOM)
				return err_set(x->err, ERR_PERM, "5.6.0",
				    "bad domain in address list");
			x->pos++;
			if (!address_list_is(address_list_peek(x), '.'))
				break;
			x->pos++;
		}
		d = address_list_join(x, start, false);
	}
	if (address_parse_domain(d, strlen(d), x->flags, kind_out, x->err) !=
	    0) {
		err_prefix(x->err, "bad domain in address list");
		if (x->err != NULL)
			memcpy(x->err->dsn, "5.6.0", sizeof("5.6.0"));
		return -1;
	}
	if (address_list_check_text(x, d, utf8_out) != 0)
		return -1;
	*domain_out = d;
	return 0;
}

/* addr-spec, with "@domain" optional (a bare local name). */
static int
address_list_addr_spec(struct address_list_ctx *x, struct address *a)
{
	if (address_list_local(x, a) != 0)
		return -1;
	if (!address_list_is(address_list_peek(x), '@'))
		return 0;
	x->pos++;
	return address_list_domain(x, &a->domain, &a->domain_kind, &a->utf8);
}

/* obs-route = obs-domain-list ":" ; kept as written, joined by ','. */
static int
address_list_route(struct address_list_ctx *x, struct address *a)
{
	enum address_domain_kind kind;
	char *d, *route = NULL;
	bool utf8 = false;

	while (address_list_is(address_list_peek(x), '@') ||
	    address_list_is(address_list_peek(x), ',')) {
		if (address_list_is(address_list_peek(x), ',')) {
			x->pos++;
			continue;
		}
		x->pos++;
		if (address_list_domain(x, &d, &kind, &utf8) != 0)
			return -1;
		route = route == NULL
		    ? arena_printf(x->arena, "@%s", d)
		    : arena_printf(x->arena, "%s,@%s", route, d);
	}
	if (!address_list_is(address_list_peek(x), ':'))
		return err_set(
		    x->err, ERR_PERM, "5.6.0", "bad route in address list");
	x->pos++;
	a->route = route;
	return 0;
}

static struct address_list_item *
address_list_new_item(struct address_list_ctx *x, const char *group)
{
	struct address_list_item *it;

	if (x->nitems >= x->max_items) {
		err_set(x->err, ERR_PERM, "5.6.0",
		    "too many addresses in header (limit %zu)", x->max_items);
		return NULL;
	}
	x->items = address_list_grow(
	    x->arena, x->items, x->nitems, &x->icap, sizeof(*it));
	it = &x->items[x->nitems++];
	memset(it, 0, sizeof(*it));
	it->group = group;
	return it;
}

/* angle-addr = "<" [obs-route] addr-spec ">" / "<>" */
static int
address_list_angle(struct address_list_ctx *x, struct address_list_item *it)
{
	struct address_list_tok *t;

	x->pos++; /* '<' */
	t = address_list_peek(x);
	if (address_list_is(t, '>')) {
		x->pos++;
		it->empty = true;
		it->addr.local = arena_strdup(x->arena, "");
		return 0;
	}
	if ((address_list_is(t, '@') &&
	        address_list_route(x, &it->addr) != 0) ||
	    address_list_addr_spec(x, &it->addr) != 0)
		return -1;
	if (!address_list_is(address_list_peek(x), '>'))
		return err_set(
		    x->err, ERR_PERM, "5.6.0", "missing '>' in address list");
	x->pos++;
	return 0;
}

/* A trailing "(Full Name)" comment is the old way to give a name. */
static void
address_list_comment_name(
    struct address_list_ctx *x, struct address_list_item *it)
{
	size_t i;

	(void)address_list_peek(x); /* step over trailing comments */
	for (i = x->pos; i > 0 && x->toks[i - 1].kind == ALT_COMMENT; i--)
		if (x->toks[i - 1].len > 0)
			it->display = x->toks[i - 1].text;
}

static int
address_list_mailbox(struct address_list_ctx *x, const char *group)
{
	struct address_list_item *it;
	char next = address_list_lookahead(x);

	if ((it = address_list_new_item(x, group)) == NULL)
		return -1;
	if (next == '<') {
		it->display = address_list_phrase(x);
		if (!address_list_is(address_list_peek(x), '<'))
			return err_set(x->err, ERR_PERM, "5.6.0",
			    "unexpected text before '<' in address list");
		return address_list_angle(x, it);
	}
	if (address_list_addr_spec(x, &it->addr) != 0)
		return -1;
	address_list_comment_name(x, it);
	return 0;
}

static int
address_list_group(struct address_list_ctx *x)
{
	struct address_list_tok *t;
	const char *name = address_list_phrase(x);

	if (name == NULL || !address_list_is(address_list_peek(x), ':'))
		return err_set(x->err, ERR_PERM, "5.6.0",
		    "bad group name in address list");
	x->pos++;
	for (;;) {
		t = address_list_peek(x);
		if (t == NULL)
			return 0; /* tolerated: missing ';' at the end */
		if (address_list_is(t, ';')) {
			x->pos++;
			return 0;
		}
		if (address_list_is(t, ',')) {
			x->pos++;
			continue;
		}
		if (address_list_lookahead(x) == ':')
			return err_set(x->err, ERR_PERM, "5.6.0",
			    "nested group in address list");
		if (address_list_mailbox(x, name) != 0)
			return -1;
	}
}

int
address_list_parse(const char *in, size_t len, unsigned flags, size_t max_items,
    struct address_list *out, struct arena *arena, struct err *err)
{
	struct address_list_ctx x = {
	    .max_items = max_items, .flags = flags, .arena = arena, .err = err};
	struct address_list_tok *t;
	bool group;
	int rc;

	out->items = NULL;
	out->count = 0;
	if (address_list_tokenize(&x, in, len) != 0)
		return -1;
	while ((t = address_list_peek(&x)) != NULL) {
		if (address_list_is(t, ',')) {
			x.pos++;
			continue;
		}
		group = address_list_lookahead(&x) == ':';
		rc = group ? address_list_group(&x)
		           : address_list_mailbox(&x, NULL);
		if (rc != 0)
			return -1;
		/* A group's ';' ends it well enough; ',' is optional there. */
		t = address_list_peek(&x);
		if (t != NULL && !group && !address_list_is(t, ','))
			return err_set(err, ERR_PERM, "5.6.0",
			    "expected ',' after address, found \"%.20s\"",
			    t->text);
	}
	out->items = x.items;
	out->count = x.nitems;
	return 0;
}

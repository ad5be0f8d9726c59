/* SPDX-License-Identifier: MIT */
/*
 * The Sieve checker: turns each parsed command or test into a program
 * node (its table entry, tags, positional arguments, match type,
 * comparator, relation, address part) and refuses what RFC 5228 and the
 * extensions forbid, with line:column. Regular expressions with constant
 * keys are compiled here, once per script. Input is an untrusted script.
 */
#include "sieve/sieve_impl.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"

static int __attribute__((format(printf, 4, 5)))
sieve_check_fail(struct sieve_check *c, unsigned line, unsigned column,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = sieve_error_vat(c->error, NULL, line, column, fmt, ap);
	va_end(ap);
	return rc;
}

static bool
sieve_check_has(const struct sieve_check *c, enum sieve_ext ext)
{
	return ext == SIEVE_EXT_NONE || (c->script->exts & (1u << ext)) != 0;
}

const struct sieve_tagval *
sieve_node_tag(const struct sieve_node *n, enum sieve_tag tag)
{
	size_t i;

	for (i = 0; i < n->tag_count; i++)
		if (n->tags[i].tag == tag)
			return &n->tags[i];
	return NULL;
}

static int
sieve_check_require(struct sieve_check *c, struct sieve_node *n)
{
	const struct sieve_arg *a = n->pos[0];
	size_t i;

	if (c->require_done)
		return sieve_check_fail(c, n->line, n->column, "%s",
		    "require must come before any other command");
	for (i = 0; i < a->count; i++) {
		enum sieve_ext ext = sieve_ext_find(a->strs[i].s);

		if (ext == SIEVE_EXT_NONE)
			return sieve_error_at(c->error, NULL, a->line,
			    a->column, "unsupported extension \"%.100s\"",
			    a->strs[i].s);
		c->script->exts |= 1u << ext;
		if (ext == SIEVE_EXT_SPAMTESTPLUS)
			c->script->exts |= 1u << SIEVE_EXT_SPAMTEST;
	}
	return 0;
}

/* Match spec->pos: upper case required, one lower case optional. */
static int
sieve_check_positional(struct sieve_check *c, struct sieve_node *n,
    const struct sieve_cmd_spec *spec, const struct sieve_arg **posv,
    size_t npos)
{
	size_t want = strlen(spec->pos), req = 0, i, j = 0;

	for (i = 0; i < want; i++)
		if (spec->pos[i] >= 'A' && spec->pos[i] <= 'Z')
			req++;
	if (npos < req || npos > want)
		return sieve_check_fail(c, n->line, n->column,
		    "wrong number of arguments for %s", spec->name);
	for (i = 0; i < want; i++) {
		char k = spec->pos[i];
		const struct sieve_arg *a;

		if (k >= 'a' && k <= 'z' && npos == req) {
			n->pos[i] = NULL;
			continue;
		}
		a = posv[j++];
		if (k == 'N' || k == 'n' ? a->kind != SIEVE_ARG_NUMBER :
		    a->kind != SIEVE_ARG_STRINGS ||
		    ((k == 'S' || k == 's') && a->count != 1))
			return sieve_error_at(c->error, NULL, a->line,
			    a->column, "argument %zu of %s must be %s", i + 1,
			    spec->name, k == 'N' || k == 'n' ? "a number" :
			    k == 'S' || k == 's' ? "a string" :
			    "a string list");
		n->pos[i] = a;
	}
	n->pos_count = want;
	return 0;
}

/* Collect tags (before) and positional arguments (after). */
static int
sieve_check_args(struct sieve_check *c, struct sieve_node *n,
    const struct sieve_cmd_spec *spec)
{
	int seen_excl[16] = {0};
	const struct sieve_arg *posv[8];
	size_t npos = 0, i;

	n->tags = arena_alloc(c->script->arena,
	    (n->arg_count + 1) * sizeof(*n->tags));
	for (i = 0; i < n->arg_count; i++) {
		const struct sieve_arg *a = &n->args[i];
		const struct sieve_tag_spec *t;

		if (a->kind != SIEVE_ARG_TAG) {
			if (npos == 8)
				return sieve_check_fail(c, a->line, a->column,
				    "%s", "too many arguments");
			posv[npos++] = a;
			continue;
		}
		if (npos > 0)
			return sieve_check_fail(c, a->line, a->column,
			    "tagged argument :%s after positional arguments",
			    a->tag);
		t = sieve_tag_find(a->tag, spec->groups);
		if (t == NULL || !sieve_check_has(c, t->ext))
			return sieve_error_at(c->error, NULL, a->line,
			    a->column, "unknown tag :%.64s for %s%s%s",
			    a->tag, spec->name, t ? ": missing require " : "",
			    t ? sieve_ext_name(t->ext) : "");
		if (sieve_node_tag(n, t->tag) != NULL ||
		    (t->excl > 0 && seen_excl[t->excl]++ > 0))
			return sieve_check_fail(c, a->line, a->column,
			    "conflicting or repeated tag :%s", a->tag);
		n->tags[n->tag_count].tag = t->tag;
		n->tags[n->tag_count].arg = NULL;
		if (t->arg != 0) {
			const struct sieve_arg *v = i + 1 < n->arg_count ?
			    &n->args[i + 1] : NULL;
			bool ok = v != NULL && (t->arg == 'N' ?
			    v->kind == SIEVE_ARG_NUMBER :
			    v->kind == SIEVE_ARG_STRINGS &&
			    (t->arg == 'L' || v->count == 1));

			if (!ok)
				return sieve_check_fail(c, a->line, a->column,
				    "tag :%s needs a valid argument", a->tag);
			n->tags[n->tag_count].arg = v;
			i++;
		}
		n->tag_count++;
	}
	return sieve_check_positional(c, n, spec, posv, npos);
}

static bool
sieve_check_rel(const char *s, enum sieve_rel *out)
{
	static const char *const names[] = { "gt", "ge", "lt", "le", "eq",
		"ne" };
	size_t i;

	for (i = 0; i < 6; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum sieve_rel)i;
			return true;
		}
	return false;
}

/* Match type, relation, comparator and address part from the tags. */
static int
sieve_check_match(struct sieve_check *c, struct sieve_node *n)
{
	static const struct { enum sieve_tag tag; enum sieve_match m; } mt[] = {
		{ SIEVE_TAG_CONTAINS, SIEVE_MATCH_CONTAINS },
		{ SIEVE_TAG_MATCHES, SIEVE_MATCH_MATCHES },
		{ SIEVE_TAG_REGEX, SIEVE_MATCH_REGEX },
		{ SIEVE_TAG_VALUE, SIEVE_MATCH_VALUE },
		{ SIEVE_TAG_COUNT, SIEVE_MATCH_COUNT },
	};
	static const struct { enum sieve_tag tag; enum sieve_part p; } pt[] = {
		{ SIEVE_TAG_LOCALPART, SIEVE_PART_LOCAL },
		{ SIEVE_TAG_DOMAIN, SIEVE_PART_DOMAIN },
		{ SIEVE_TAG_USER, SIEVE_PART_USER },
		{ SIEVE_TAG_DETAIL, SIEVE_PART_DETAIL },
	};
	const struct sieve_tagval *tv;
	size_t i;

	n->match = SIEVE_MATCH_IS;
	n->cmp = SIEVE_CMP_CASEMAP;
	n->part = SIEVE_PART_ALL;
	for (i = 0; i < sizeof(mt) / sizeof(mt[0]); i++)
		if ((tv = sieve_node_tag(n, mt[i].tag)) != NULL) {
			n->match = mt[i].m;
			if (tv->arg != NULL && (tv->arg->strs[0].vars ||
			    !sieve_check_rel(tv->arg->strs[0].s, &n->rel)))
				return sieve_check_fail(c, tv->arg->line,
				    tv->arg->column, "%s",
				    "bad relational operator");
		}
	for (i = 0; i < sizeof(pt) / sizeof(pt[0]); i++)
		if (sieve_node_tag(n, pt[i].tag) != NULL)
			n->part = pt[i].p;
	if ((tv = sieve_node_tag(n, SIEVE_TAG_COMPARATOR)) != NULL) {
		const char *name = tv->arg->strs[0].s;

		if (strcasecmp(name, "i;octet") == 0)
			n->cmp = SIEVE_CMP_OCTET;
		else if (strcasecmp(name, "i;ascii-numeric") == 0 &&
		    sieve_check_has(c, SIEVE_EXT_NUMERIC))
			n->cmp = SIEVE_CMP_NUMERIC;
		else if (strcasecmp(name, "i;ascii-casemap") != 0)
			return sieve_error_at(c->error, NULL, tv->arg->line,
			    tv->arg->column, "unknown comparator \"%.64s\"",
			    name);
	}
	if (n->cmp == SIEVE_CMP_NUMERIC && (n->match == SIEVE_MATCH_CONTAINS ||
	    n->match == SIEVE_MATCH_MATCHES || n->match == SIEVE_MATCH_REGEX))
		return sieve_check_fail(c, n->line, n->column, "%s",
		    "i;ascii-numeric supports only :is, :value and :count");
	return 0;
}

const struct sieve_arg *
sieve_node_keys(const struct sieve_node *n)
{
	switch (n->op) {
	case SIEVE_OP_BODY:
	case SIEVE_OP_SPAMTEST:
	case SIEVE_OP_VIRUSTEST:
		return n->pos[0];
	case SIEVE_OP_DATE:
		return n->pos[2];
	default:
		return n->pos_count > 1 ? n->pos[1] : NULL;
	}
}

/* RFC 5229 §3: compile constant :regex keys once, per script. */
static int
sieve_check_regex(struct sieve_check *c, struct sieve_node *n)
{
	struct sieve_arg *keys = (struct sieve_arg *)sieve_node_keys(n);
	struct sieve_script *s = c->script;
	size_t i;

	if (n->match != SIEVE_MATCH_REGEX || keys == NULL)
		return 0;
	keys->regex = arena_zalloc(s->arena, keys->count * sizeof(void *));
	for (i = 0; i < keys->count; i++) {
		int code;
		PCRE2_SIZE off;
		pcre2_code *re;

		if (keys->strs[i].vars)
			continue;
		re = pcre2_compile((PCRE2_SPTR)keys->strs[i].s,
		    keys->strs[i].len, n->cmp == SIEVE_CMP_CASEMAP ?
		    PCRE2_CASELESS : 0, &code, &off, NULL);
		if (re == NULL) {
			PCRE2_UCHAR msg[120];

			if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
				msg[0] = '\0';
			return sieve_error_at(c->error, NULL, keys->line,
			    keys->column, "bad regular expression: %s",
			    (const char *)msg);
		}
		if (s->regex_count == s->regex_cap) {
			s->regex_cap = s->regex_cap ? s->regex_cap * 2 : 8;
			s->regexes = xrealloc(s->regexes,
			    s->regex_cap * sizeof(*s->regexes));
		}
		s->regexes[s->regex_count++] = re;
		keys->regex[i] = re;
	}
	return 0;
}

static int
sieve_check_constants(struct sieve_check *c, const struct sieve_arg *a,
    bool (*ok)(const char *), const char *what)
{
	size_t i;

	if (a == NULL)
		return 0;
	for (i = 0; i < a->count; i++)
		if (!a->strs[i].vars && !ok(a->strs[i].s))
			return sieve_error_at(c->error, NULL, a->line,
			    a->column, "%s \"%.64s\"", what, a->strs[i].s);
	return 0;
}

static bool
sieve_check_envpart(const char *s)
{
	return strcasecmp(s, "from") == 0 || strcasecmp(s, "to") == 0;
}

static bool
sieve_check_mailbox(const char *s)
{
	return sieve_mailbox_valid(s, strlen(s));
}

static bool
sieve_check_address(const char *s)
{
	return sieve_redirect_valid(s, strlen(s));
}

static bool
sieve_check_include_name(const char *s)
{
	return s[0] != '\0' && strchr(s, '/') == NULL;
}

/* RFC 5230 §4.3, §4.5: :from is one mailbox, :addresses addresses. */
static int
sieve_check_vacation(struct sieve_check *c, const struct sieve_node *n)
{
	const struct sieve_tagval *from = sieve_node_tag(n, SIEVE_TAG_FROM);

	if (from != NULL && sieve_check_constants(c, from->arg,
	    sieve_mailbox_address_valid, "bad :from address") < 0)
		return -1;
	from = sieve_node_tag(n, SIEVE_TAG_ADDRESSES);
	return from == NULL ? 0 : sieve_check_constants(c, from->arg,
	    sieve_check_address, "bad :addresses entry");
}

/* Arguments that must be constant, and constants with a fixed syntax. */
/* RFC 5260 §6: :last only with :index (addheader's :last aside). */
static int
sieve_check_index(struct sieve_check *c, const struct sieve_node *n)
{
	const struct sieve_tagval *tv = sieve_node_tag(n, SIEVE_TAG_INDEX);

	if (sieve_node_tag(n, SIEVE_TAG_LAST) != NULL && tv == NULL &&
	    n->op != SIEVE_OP_DUPLICATE && n->op != SIEVE_OP_ADDHEADER)
		return sieve_check_fail(c, n->line, n->column, "%s",
		    ":last needs :index");
	if (tv != NULL && tv->arg->number == 0)
		return sieve_check_fail(c, tv->arg->line, tv->arg->column,
		    "%s", ":index counts from 1");
	return 0;
}

static int
sieve_check_values(struct sieve_check *c, struct sieve_node *n)
{
	switch (n->op) {
	case SIEVE_OP_SET:
		if (n->pos[0]->strs[0].vars)
			return sieve_check_fail(c, n->line, n->column, "%s",
			    "set: the variable name must be a constant");
		return sieve_check_constants(c, n->pos[0],
		    sieve_identifier_valid, "bad variable name");
	case SIEVE_OP_GLOBAL:
		/* RFC 6609 §3.3: global variables need "variables" too */
		if (!sieve_check_has(c, SIEVE_EXT_VARIABLES))
			return sieve_check_fail(c, n->line, n->column, "%s",
			    "global needs require \"variables\"");
		return sieve_check_constants(c, n->pos[0],
		    sieve_identifier_valid, "bad variable name");
	case SIEVE_OP_VACATION:
		return sieve_check_vacation(c, n);
	case SIEVE_OP_SETFLAG:
	case SIEVE_OP_ADDFLAG:
	case SIEVE_OP_REMOVEFLAG:
	case SIEVE_OP_HASFLAG:
		if (n->pos[0] != NULL && !sieve_check_has(c,
		    SIEVE_EXT_VARIABLES))
			return sieve_check_fail(c, n->line, n->column,
			    "%s: a variable name needs require \"variables\"",
			    n->name);
		return sieve_check_constants(c, n->pos[0],
		    sieve_identifier_valid, "bad variable name");
	case SIEVE_OP_INCLUDE:
		if (n->pos[0]->strs[0].vars)
			return sieve_check_fail(c, n->line, n->column, "%s",
			    "include: the script name must be a constant");
		return sieve_check_constants(c, n->pos[0],
		    sieve_check_include_name, "bad script name");
	case SIEVE_OP_SIZE:
		if (n->tag_count != 1)
			return sieve_check_fail(c, n->line, n->column, "%s",
			    "size needs :over or :under");
		return 0;
	case SIEVE_OP_ADDRESS:
		return sieve_check_constants(c, n->pos[0],
		    sieve_address_header, "not an address header");
	case SIEVE_OP_ENVELOPE:
		return sieve_check_constants(c, n->pos[0], sieve_check_envpart,
		    "unknown envelope part");
	case SIEVE_OP_DATE:
		return sieve_check_constants(c, n->pos[1],
		    sieve_date_part_valid, "unknown date part");
	case SIEVE_OP_CURRENTDATE:
		return sieve_check_constants(c, n->pos[0],
		    sieve_date_part_valid, "unknown date part");
	case SIEVE_OP_ADDHEADER:
	case SIEVE_OP_DELETEHEADER:
		return sieve_check_constants(c, n->pos[0],
		    sieve_field_name_valid, "bad header field name");
	case SIEVE_OP_REDIRECT:
		return sieve_check_constants(c, n->pos[0], sieve_check_address,
		    "bad redirect address");
	case SIEVE_OP_FILEINTO:
		return sieve_check_constants(c, n->pos[0], sieve_check_mailbox,
		    "bad mailbox name");
	case SIEVE_OP_MAILBOXEXISTS:
		return sieve_check_constants(c, n->pos[0], sieve_check_mailbox,
		    "bad mailbox name");
	default:
		return 0;
	}
}

/* if/elsif/else placement, blocks and test counts. */
static int
sieve_check_shape(struct sieve_check *c, struct sieve_node *n,
    const struct sieve_node *prev, const struct sieve_cmd_spec *spec)
{
	if ((n->op == SIEVE_OP_ELSIF || n->op == SIEVE_OP_ELSE) &&
	    (prev == NULL || (prev->op != SIEVE_OP_IF &&
	    prev->op != SIEVE_OP_ELSIF)))
		return sieve_check_fail(c, n->line, n->column,
		    "%s without a preceding if", n->name);
	if (spec->block != n->has_block)
		return sieve_check_fail(c, n->line, n->column,
		    spec->block ? "%s needs a block" :
		    "%s takes no block (missing ';'?)", n->name);
	if (spec->tests < 0 && n->test_count > 0)
		return sieve_check_fail(c, n->line, n->column,
		    "%s takes no test", n->name);
	if ((spec->tests == 1 && n->test_count != 1) ||
	    (spec->tests == 2 && n->test_count == 0))
		return sieve_check_fail(c, n->line, n->column,
		    spec->tests == 1 ? "%s needs exactly one test" :
		    "%s needs a test list", n->name);
	return 0;
}

int
sieve_check_node(struct sieve_check *c, struct sieve_node *n,
    const struct sieve_node *prev, bool test)
{
	const struct sieve_cmd_spec *spec = sieve_cmd_find(n->name, test);

	if (spec == NULL || !sieve_check_has(c, spec->ext))
		return sieve_error_at(c->error, NULL, n->line, n->column,
		    "unknown %s \"%.64s\"%s%s%s", test ? "test" : "command",
		    n->name, spec ? " (missing require \"" : "",
		    spec ? sieve_ext_name(spec->ext) : "", spec ? "\")" : "");
	n->op = spec->op;
	if (sieve_check_shape(c, n, prev, spec) < 0 ||
	    sieve_check_args(c, n, spec) < 0 ||
	    sieve_check_match(c, n) < 0)
		return -1;
	if (n->op == SIEVE_OP_REQUIRE)
		return sieve_check_require(c, n);
	if (sieve_check_index(c, n) < 0 || sieve_check_values(c, n) < 0)
		return -1;
	return sieve_check_regex(c, n);
}

/* SPDX-License-Identifier: MIT */
/*
 * Executing compiled Sieve scripts: sieve_run() walks the program of each
 * script in the chain (if/elsif/else, stop, the actions, variables,
 * flags, header edits, include/return of RFC 6609 through the caller's
 * callback), counting steps so that no script runs unbounded, then
 * closes the action list. The message is read in place, never copied.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sieve/sieve.h"

#include <pcre2.h>
#include <string.h>

#include "core/log.h"
#include "sieve/sieve_run_impl.h"

struct sieve_limits
sieve_limits_default(void)
{
	struct sieve_limits lim = {
		.script_max = 1 << 20,
		.nesting_max = 64,
		.strings_max = 1024,
		.include_depth_max = 10,
		.includes_max = 32,
		.steps_max = 100000,
		.actions_max = 32,
		.redirects_max = 4,
		.var_count_max = 128,
		.var_size_max = 4096,
		.header_edits_max = 64,
		.mime_parts_max = 256,
		.memory_max = 64 << 20,
		.match_octets_max = (size_t)1 << 30,
		.regex_match_limit = 1000000,
		.regex_depth_limit = 10000,
		.regex_heap_kib = 20 * 1024,
		.vacation_min_seconds = 3600,
		.vacation_max_seconds = 90 * 86400,
		.duplicate_max_seconds = 7 * 86400,
	};

	return lim;
}

int
sieve_run_fail(struct sieve_run *r, const struct sieve_node *n,
    enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)sieve_error_vat(r->error, r->script->name, n ? n->line : 0,
	    n ? n->column : 0, fmt, ap);
	va_end(ap);
	r->error->err.kind = kind;
	if (r->depth > 1)	/* inside an included script: name it */
		err_prefix(&r->error->err, "%s", r->script->name);
	if (kind == ERR_TEMP)
		memcpy(r->error->err.dsn, "4.7.0", 6);
	return -1;
}

int
sieve_run_step(struct sieve_run *r, const struct sieve_node *n)
{
	if (++r->steps > r->lim->steps_max)
		return sieve_run_fail(r, n, ERR_PERM,
		    "too many steps (at most %zu): the script is stopped",
		    r->lim->steps_max);
	if (sieve_run_over_memory(r))
		return sieve_run_fail(r, n, ERR_PERM,
		    "the script needs more than %zu octets of memory",
		    r->lim->memory_max);
	return 0;
}

bool
sieve_run_over_memory(const struct sieve_run *r)
{
	return arena_used(r->arena) - r->arena_base > r->lim->memory_max;
}

static int sieve_exec(struct sieve_run *r, const struct sieve_node *n);

static bool
sieve_run_listed(const struct sieve_script *const *v, size_t n,
    const struct sieve_script *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == s)
			return true;
	return false;
}

/* Fetch an included script through the callback; 1, 0 (skip), -1. */
static int
sieve_run_fetch(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_script **out)
{
	const struct sieve_callbacks *cb = &r->in->cb;
	const char *name = n->pos[0]->strs[0].s;
	bool optional = sieve_node_tag(n, SIEVE_TAG_OPTIONAL) != NULL;
	enum sieve_location loc = sieve_node_tag(n, SIEVE_TAG_GLOBAL) ?
	    SIEVE_LOCATION_GLOBAL : SIEVE_LOCATION_PERSONAL;
	struct err err;
	int rc = 0;

	if (++r->includes > r->lim->includes_max)
		return sieve_run_fail(r, n, ERR_PERM,
		    "too many includes (at most %zu)", r->lim->includes_max);
	if (r->depth >= r->lim->include_depth_max ||
	    r->depth >= sizeof(r->stack) / sizeof(r->stack[0]))
		return sieve_run_fail(r, n, ERR_PERM, "%s",
		    "includes nested too deep");
	err_clear(&err);
	if (cb->include_fn != NULL)
		rc = cb->include_fn(cb->ctx, loc, name, out, &err);
	if (rc < 0)
		return sieve_run_fail(r, n, err.kind == ERR_TEMP ? ERR_TEMP :
		    ERR_PERM, "include \"%s\": %s", name, err.text);
	if (rc == 0)
		return optional ? 0 : sieve_run_fail(r, n, ERR_PERM,
		    "include: no %s script \"%s\"",
		    loc == SIEVE_LOCATION_GLOBAL ? "global" : "personal", name);
	return 1;
}

/* RFC 6609 §3.2: run another script in its own variable scope. */
static int
sieve_run_include(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_script *s, *saved = r->script;
	struct sieve_scope scope, *saved_scope = r->scope;
	int rc;

	if ((rc = sieve_run_fetch(r, n, &s)) <= 0)
		return rc;
	if (sieve_node_tag(n, SIEVE_TAG_ONCE) != NULL) {
		if (sieve_run_listed(r->once, r->once_count, s))
			return 0;
		if (r->once_count % 8 == 0) {
			const struct sieve_script **nv = arena_alloc(r->arena,
			    (r->once_count + 8) * sizeof(*nv));

			if (r->once_count > 0)
				memcpy(nv, r->once,
				    r->once_count * sizeof(*nv));
			r->once = nv;
		}
		r->once[r->once_count++] = s;
	}
	if (sieve_run_listed(r->stack, r->depth, s))
		return sieve_run_fail(r, n, ERR_PERM,
		    "include \"%s\" includes itself", s->name);
	memset(&scope, 0, sizeof(scope));
	r->stack[r->depth++] = s;
	r->script = s;
	r->scope = &scope;
	rc = sieve_exec(r, s->first);
	r->returned = false;
	r->depth--;
	if (rc == 0) {	/* on error, keep the failing script's name */
		r->script = saved;
	}
	r->scope = saved_scope;
	return rc;
}

static int
sieve_exec_cmd(struct sieve_run *r, const struct sieve_node *n)
{
	switch (n->op) {
	case SIEVE_OP_REQUIRE:
		return 0;
	case SIEVE_OP_STOP:
		r->stopped = true;
		return 0;
	case SIEVE_OP_RETURN:
		r->returned = true;
		return 0;
	case SIEVE_OP_KEEP:
	case SIEVE_OP_DISCARD:
	case SIEVE_OP_REDIRECT:
	case SIEVE_OP_FILEINTO:
	case SIEVE_OP_REJECT:
	case SIEVE_OP_EREJECT:
		return sieve_action_cmd(r, n);
	case SIEVE_OP_VACATION:
		return sieve_vacation_cmd(r, n);
	case SIEVE_OP_SETFLAG:
	case SIEVE_OP_ADDFLAG:
	case SIEVE_OP_REMOVEFLAG:
		return sieve_flags_cmd(r, n);
	case SIEVE_OP_SET:
		return sieve_vars_set(r, n);
	case SIEVE_OP_GLOBAL:
		return sieve_vars_global(r, n);
	case SIEVE_OP_INCLUDE:
		return sieve_run_include(r, n);
	case SIEVE_OP_ADDHEADER:
	case SIEVE_OP_DELETEHEADER:
		return sieve_msg_edit(r, n);
	default:
		PANIC("%s: %s is not a command", __func__, n->name);
	}
}

/* A command sequence; taken tells elsif/else an earlier branch ran. */
static int
sieve_exec(struct sieve_run *r, const struct sieve_node *n)
{
	bool taken = false;
	int rc;

	for (; n != NULL && !r->stopped && !r->returned; n = n->next) {
		if (sieve_run_step(r, n) < 0)
			return -1;
		if (n->op == SIEVE_OP_IF)
			taken = false;
		if (n->op == SIEVE_OP_IF || n->op == SIEVE_OP_ELSIF) {
			if (taken)
				continue;
			if ((rc = sieve_test(r, n->tests[0])) < 0)
				return -1;
			taken = rc == 1;
			if (taken && sieve_exec(r, n->block) < 0)
				return -1;
		} else if (n->op == SIEVE_OP_ELSE) {
			if (!taken && sieve_exec(r, n->block) < 0)
				return -1;
		} else if (sieve_exec_cmd(r, n) < 0) {
			return -1;
		}
	}
	return 0;
}

static bool
sieve_run_kept(const struct sieve_run *r)
{
	size_t i;

	if (!r->keep_cancelled)
		return true;
	for (i = 0; i < r->action_count; i++)
		if (r->actions[i].kind == SIEVE_ACTION_KEEP)
			return true;
	return false;
}

static int
sieve_run_chain(struct sieve_run *r, const struct sieve_script *const *v,
    size_t count)
{
	size_t i;

	for (i = 0; i < count && !r->stopped; i++) {
		struct sieve_scope scope;

		/* the next script runs only while the message is kept */
		if (i > 0 && !sieve_run_kept(r))
			break;
		r->keep_cancelled = false;
		memset(&scope, 0, sizeof(scope));
		r->scope = &scope;
		r->script = v[i];
		r->stack[0] = v[i];
		r->depth = 1;
		r->returned = false;
		if (sieve_exec(r, v[i]->first) < 0)
			return -1;
	}
	return 0;
}

int
sieve_run(const struct sieve_script *const *scripts, size_t count,
    const struct sieve_input *in, const struct sieve_limits *lim,
    struct arena *arena, struct sieve_result *result_out,
    struct sieve_error *error_out)
{
	struct sieve_error local;
	struct sieve_run r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.in = in;
	r.lim = lim;
	r.arena = arena;
	r.error = error_out ? error_out : &local;
	r.arena_base = arena_used(arena);
	memset(r.error, 0, sizeof(*r.error));
	memset(result_out, 0, sizeof(*result_out));
	if (count == 0)
		return sieve_actions_finish(&r, result_out);
	r.script = scripts[0];
	if (sieve_msg_init(&r) == 0 && sieve_run_chain(&r, scripts,
	    count) == 0)
		rc = sieve_actions_finish(&r, result_out);
	pcre2_match_data_free(r.match_data);
	pcre2_match_context_free(r.match_ctx);
	return rc;
}

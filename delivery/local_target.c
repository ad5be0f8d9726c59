/* SPDX-License-Identifier: MIT */
/*
 * The targets of one request and what became of them. A target reached
 * twice (two recipients aliased to one person, an alias listing a user
 * twice) is delivered once: de-duplication is per request, by kind and
 * key, as Postfix's local does. Each recipient's result sums up its
 * targets -- any deferral defers it (qmgr retries it whole), else any
 * bounce bounces it -- and every target gets its own log line in
 * Postfix's shape, so a log analyser sees each mailbox and forward.
 */
#include "local.h"

#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"

static enum deliver_status
local_target_status(const char *dsn)
{
	if (dsn[0] == '2')
		return DELIVER_SENT;
	return dsn[0] == '5' ? DELIVER_BOUNCED : DELIVER_DEFERRED;
}

/* Add target index ti to recipient rcpt's list. */
static void
local_target_link(struct local_req *r, size_t rcpt, size_t ti)
{
	struct local_rcpt *rc = &r->rcpts[rcpt];
	size_t *grown;

	if (rc->ntargets == rc->cap) {
		rc->cap = rc->cap == 0 ? 4 : rc->cap * 2;
		grown = arena_alloc(r->arena, rc->cap * sizeof(*grown));
		if (rc->ntargets > 0)
			memcpy(
			    grown, rc->targets, rc->ntargets * sizeof(*grown));
		rc->targets = grown;
	}
	rc->targets[rc->ntargets++] = ti;
}

static struct local_target *
local_target_new(struct local_req *r, size_t rcpt)
{
	struct local_target *t;

	if (r->ntargets == r->cap) {
		struct local_target *tv;

		r->cap = r->cap == 0 ? 8 : r->cap * 2;
		tv = arena_alloc(r->arena, r->cap * sizeof(*tv));
		if (r->ntargets > 0)
			memcpy(tv, r->targets, r->ntargets * sizeof(*tv));
		r->targets = tv;
	}
	t = &r->targets[r->ntargets];
	memset(t, 0, sizeof(*t));
	t->rcpt = rcpt;
	local_target_link(r, rcpt, r->ntargets++);
	return t;
}

static void local_target_vset(struct local_req *r, struct local_target *t,
    const char *dsn, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
local_target_vset(struct local_req *r, struct local_target *t, const char *dsn,
    const char *fmt, va_list ap)
{
	t->resolved_done = true;
	t->status = local_target_status(dsn);
	t->dsn = arena_strdup(r->arena, dsn);
	t->reason = arena_vprintf(r->arena, fmt, ap);
}

void
local_target_fail(struct local_req *r, size_t rcpt, const char *address,
    const char *dsn, const char *fmt, ...)
{
	struct local_target *t = local_target_new(r, rcpt);
	va_list ap;

	t->kind = LOCAL_TARGET_FAIL;
	t->address = arena_strdup(r->arena, address);
	va_start(ap, fmt);
	local_target_vset(r, t, dsn, fmt, ap);
	va_end(ap);
}

struct local_target *
local_target_add(struct local_req *r, size_t rcpt, enum local_target_kind kind,
    const char *key, const char *address)
{
	struct local_rcpt *rc = &r->rcpts[rcpt];
	struct local_target *t;
	size_t i, j;

	for (i = 0; i < r->ntargets; i++) {
		t = &r->targets[i];
		if (t->kind != kind || t->key == NULL ||
		    strcmp(t->key, key) != 0)
			continue;
		/* Shared: linked once to each recipient that reaches it. */
		for (j = 0; j < rc->ntargets; j++)
			if (rc->targets[j] == i)
				return NULL;
		local_target_link(r, rcpt, i);
		return NULL;
	}
	if (rc->ntargets >= (size_t)r->lc->conf->local_expansion_limit) {
		local_target_fail(r, rcpt, address, "5.3.0",
		    "expansion of <%s> reaches more than "
		    "local_expansion_limit (%lld) targets",
		    r->req->env.rcpts[rcpt].address,
		    r->lc->conf->local_expansion_limit);
		return NULL;
	}
	t = local_target_new(r, rcpt);
	t->kind = kind;
	t->key = arena_strdup(r->arena, key);
	t->address = arena_strdup(r->arena, address);
	return t;
}

void
local_target_done(struct local_req *r, struct local_target *t, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	local_target_vset(r, t, dsn, fmt, ap);
	va_end(ap);
}

void
local_target_err(
    struct local_req *r, struct local_target *t, const struct err *err)
{
	const char *dsn = err->dsn;

	if (err->kind == ERR_TEMP && dsn[0] != '4')
		dsn = "4.3.0";
	else if (err->kind != ERR_TEMP && dsn[0] != '5')
		dsn = "5.3.0";
	local_target_done(r, t, dsn, "%s", err->text);
}

/* Seconds with one decimal below 10, whole seconds above, as Postfix. */
static void
local_target_secs(struct buf *out, uint64_t ms)
{
	if (ms < 10000)
		buf_printf(out, "%llu.%llu", (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000 / 100));
	else
		buf_printf(out, "%llu", (unsigned long long)(ms / 1000));
}

static void
local_target_log(struct local_req *r, size_t i, const struct local_target *t)
{
	const struct queue_env *env = &r->req->env;
	const char *rcpt = env->rcpts[i].address;
	uint64_t now = event_now_ms(), arrival_ms, before;
	struct buf line;

	/* delays=a/b/c/d: before local got the request, 0 (qmgr's part
	 * is in a), resolving this recipient, delivering. */
	arrival_ms = env->arrival_sec * 1000 + env->arrival_usec / 1000;
	before =
	    r->start_wall_ms > arrival_ms ? r->start_wall_ms - arrival_ms : 0;
	buf_init(&line);
	buf_printf(&line, "to=<%s>", t->address);
	if (strcasecmp(t->address, rcpt) != 0)
		buf_printf(&line, ", orig_to=<%s>", rcpt);
	buf_puts(&line, ", relay=local, delay=");
	local_target_secs(&line, before + (now - r->start_ms));
	buf_puts(&line, ", delays=");
	local_target_secs(&line, before);
	buf_puts(&line, "/0/");
	local_target_secs(&line, r->rcpts[i].resolve_ms);
	buf_puts(&line, "/");
	local_target_secs(&line, now - r->resolved_ms);
	buf_printf(&line, ", dsn=%s, status=%s (%s)", t->dsn,
	    deliver_status_name(t->status), t->reason);
	log_info("%s", line.data);
	buf_deinit(&line);
}

void
local_target_result(struct local_req *r, size_t i, struct deliver_result *out)
{
	const struct local_rcpt *rc = &r->rcpts[i];
	const struct local_target *worst = NULL, *t;
	size_t j;

	for (j = 0; j < rc->ntargets; j++) {
		t = &r->targets[rc->targets[j]];
		if (!t->resolved_done)
			PANIC("%s: target %s was never delivered", __func__,
			    t->address);
		local_target_log(r, i, t);
		if (worst == NULL ||
		    (t->status == DELIVER_DEFERRED &&
		        worst->status != DELIVER_DEFERRED) ||
		    (t->status == DELIVER_BOUNCED &&
		        worst->status == DELIVER_SENT))
			worst = t;
	}
	out->relay = "local";
	if (worst == NULL) {
		/* An alias or include file that lists nobody. */
		out->status = DELIVER_BOUNCED;
		out->dsn = "5.1.1";
		out->reason = "alias expands to no target";
		log_info("to=<%s>, relay=local, dsn=5.1.1, status=bounced "
		         "(alias expands to no target)",
		    r->req->env.rcpts[i].address);
		return;
	}
	out->status = worst->status;
	out->dsn = worst->dsn;
	out->reason = worst->reason;
}

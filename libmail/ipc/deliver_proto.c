/* SPDX-License-Identifier: MIT */
/*
 * The delivery request and its reply (deliver_proto.h) on top of the
 * attribute codec. qmgr encodes requests and decodes replies; delivery
 * agents do the reverse. Each side treats what it decodes as untrusted:
 * counts, indexes and enumerations are checked here, once, so neither
 * qmgr nor an agent acts on a malformed frame. Pure: no I/O, no logging.
 *
 * Attributes of a request: req=deliver, queue_id, transport, nexthop,
 * offset, size, arrival_sec, arrival_usec, sender, envid, ret, body,
 * smtputf8, client_name, client_addr, helo, protocol, sasl_user, nrcpt,
 * then per recipient i: rcpt_<i>, orcpt_<i>, notify_<i>, index_<i>.
 * A reply: status=ok, nrcpt, then per recipient r<i>_status (sent,
 * deferred, bounced), r<i>_dsn, r<i>_relay, r<i>_reason; or
 * status=error with a reason.
 */
#include "ipc/deliver_proto.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"

#define DELIVER_VERB "deliver"
/* Far above any destination recipient limit; bounds arena use. */
#define DELIVER_MAX_RCPT 100000
#define DELIVER_MAX_INDEX 10000000
/* Longest attribute name built here: "reason" with a 6-digit index. */
#define DELIVER_NAME_SIZE 32

static const char *const deliver_status_names[] = {
    [DELIVER_SENT] = "sent",
    [DELIVER_DEFERRED] = "deferred",
    [DELIVER_BOUNCED] = "bounced",
};

static const char *const deliver_ret_names[] = {
    [QUEUE_RET_NONE] = "",
    [QUEUE_RET_FULL] = "FULL",
    [QUEUE_RET_HDRS] = "HDRS",
};

static const char *const deliver_body_names[] = {
    [QUEUE_BODY_NONE] = "",
    [QUEUE_BODY_7BIT] = "7BIT",
    [QUEUE_BODY_8BITMIME] = "8BITMIME",
    [QUEUE_BODY_BINARYMIME] = "BINARYMIME",
};

const char *
deliver_status_name(enum deliver_status status)
{
	if ((unsigned)status > DELIVER_BOUNCED)
		return "?";
	return deliver_status_names[status];
}

/* "rcpt_12", "r12_dsn": names of per-recipient attributes. */
static const char *
deliver_name(char out[DELIVER_NAME_SIZE], const char *prefix, size_t i,
    const char *suffix)
{
	int n = snprintf(
	    out, DELIVER_NAME_SIZE, "%s%zu%s", prefix, i, suffix);

	if (n < 0 || n >= DELIVER_NAME_SIZE)
		PANIC("%s: attribute name too long", __func__);
	return out;
}

static void
deliver_add_opt(struct ipc_msg *out, const char *name, const char *value)
{
	if (value != NULL)
		ipc_msg_add_str(out, name, value);
}

void
deliver_request_encode(const struct deliver_request *req, struct ipc_msg *out)
{
	const struct queue_env *env = &req->env;
	char name[DELIVER_NAME_SIZE];
	size_t i;

	ipc_msg_add_str(out, "req", DELIVER_VERB);
	ipc_msg_add_str(out, "queue_id", req->queue_id);
	ipc_msg_add_str(out, "transport", req->transport);
	ipc_msg_add_str(out, "nexthop", req->nexthop != NULL ? req->nexthop : "");
	ipc_msg_add_num(out, "offset", (long long)req->content_offset);
	ipc_msg_add_num(out, "size", (long long)req->content_size);
	ipc_msg_add_num(out, "arrival_sec", (long long)env->arrival_sec);
	ipc_msg_add_num(out, "arrival_usec", (long long)env->arrival_usec);
	ipc_msg_add_str(out, "sender", env->sender);
	deliver_add_opt(out, "envid", env->envid);
	ipc_msg_add_str(out, "ret", deliver_ret_names[env->ret]);
	ipc_msg_add_str(out, "body", deliver_body_names[env->body]);
	ipc_msg_add_num(out, "smtputf8", env->smtputf8 ? 1 : 0);
	deliver_add_opt(out, "client_name", env->client_name);
	deliver_add_opt(out, "client_addr", env->client_addr);
	deliver_add_opt(out, "helo", env->helo);
	deliver_add_opt(out, "protocol", env->protocol);
	deliver_add_opt(out, "sasl_user", env->sasl_user);
	ipc_msg_add_num(out, "nrcpt", (long long)env->nrcpt);
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		ipc_msg_add_str(out, deliver_name(name, "rcpt_", i, ""),
		    r->address);
		deliver_add_opt(out, deliver_name(name, "orcpt_", i, ""),
		    r->orcpt);
		ipc_msg_add_num(out, deliver_name(name, "notify_", i, ""),
		    (long long)r->notify);
		ipc_msg_add_num(out, deliver_name(name, "index_", i, ""),
		    (long long)req->rcpt_index[i]);
	}
	ipc_msg_finish(out);
}

void
deliver_reply_encode(
    const struct deliver_result *results, size_t n, struct ipc_msg *out)
{
	char name[DELIVER_NAME_SIZE];
	size_t i;

	ipc_msg_add_str(out, "status", "ok");
	ipc_msg_add_num(out, "nrcpt", (long long)n);
	for (i = 0; i < n; i++) {
		const struct deliver_result *r = &results[i];

		ipc_msg_add_str(out, deliver_name(name, "r", i, "_status"),
		    deliver_status_name(r->status));
		ipc_msg_add_str(out, deliver_name(name, "r", i, "_dsn"),
		    r->dsn != NULL ? r->dsn : "");
		deliver_add_opt(
		    out, deliver_name(name, "r", i, "_relay"), r->relay);
		deliver_add_opt(
		    out, deliver_name(name, "r", i, "_reason"), r->reason);
	}
	ipc_msg_finish(out);
}

void
deliver_reply_error_encode(const char *reason, struct ipc_msg *out)
{
	ipc_msg_add_str(out, "status", "error");
	ipc_msg_add_str(out, "reason", reason != NULL ? reason : "error");
	ipc_msg_finish(out);
}

/* Index of word in names[0..n), or -1. */
static int
deliver_word(const char *word, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, names[i]) == 0)
			return (int)i;
	return -1;
}

/* An optional string attribute copied into arena (NULL when absent). */
static int
deliver_get_opt(struct ipc_reader *rd, const char *name, const char **out,
    struct arena *arena, struct err *err)
{
	const char *v;
	int rc = ipc_get_str(rd, name, false, &v, err);

	*out = rc == 1 ? arena_strdup(arena, v) : NULL;
	return rc < 0 ? -1 : 0;
}

static int
deliver_get_req(struct ipc_reader *rd, const char *name, const char **out,
    struct arena *arena, struct err *err)
{
	const char *v;

	if (ipc_get_str(rd, name, true, &v, err) < 0)
		return -1;
	*out = arena_strdup(arena, v);
	return 0;
}

static int
deliver_get_u64(struct ipc_reader *rd, const char *name, long long max,
    uint64_t *out, struct err *err)
{
	long long v;

	if (ipc_get_num(rd, name, true, 0, max, &v, err) < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* The envelope-wide fields of a request. */
static int
deliver_decode_env(struct ipc_reader *rd, struct queue_env *env,
    struct arena *arena, struct err *err)
{
	const char *word;
	long long v;
	int i;

	if (deliver_get_u64(rd, "arrival_sec", INT64_MAX, &env->arrival_sec,
	        err) < 0 ||
	    ipc_get_num(rd, "arrival_usec", true, 0, 999999, &v, err) < 0)
		return -1;
	env->arrival_usec = (uint32_t)v;
	if (deliver_get_req(rd, "sender", &env->sender, arena, err) < 0 ||
	    deliver_get_opt(rd, "envid", &env->envid, arena, err) < 0 ||
	    ipc_get_str(rd, "ret", true, &word, err) < 0)
		return -1;
	if ((i = deliver_word(word, deliver_ret_names, 3)) < 0)
		return err_set(err, ERR_PERM, "5.5.0", "bad ret value");
	env->ret = (enum queue_ret)i;
	if (ipc_get_str(rd, "body", true, &word, err) < 0)
		return -1;
	if ((i = deliver_word(word, deliver_body_names, 4)) < 0)
		return err_set(err, ERR_PERM, "5.5.0", "bad body value");
	env->body = (enum queue_body)i;
	if (ipc_get_num(rd, "smtputf8", true, 0, 1, &v, err) < 0)
		return -1;
	env->smtputf8 = v == 1;
	if (deliver_get_opt(rd, "client_name", &env->client_name, arena,
	        err) < 0 ||
	    deliver_get_opt(rd, "client_addr", &env->client_addr, arena,
	        err) < 0 ||
	    deliver_get_opt(rd, "helo", &env->helo, arena, err) < 0 ||
	    deliver_get_opt(rd, "protocol", &env->protocol, arena, err) < 0 ||
	    deliver_get_opt(rd, "sasl_user", &env->sasl_user, arena, err) < 0)
		return -1;
	return 0;
}

static int
deliver_decode_rcpts(struct ipc_reader *rd, struct deliver_request *out,
    struct arena *arena, struct err *err)
{
	struct queue_env *env = &out->env;
	char name[DELIVER_NAME_SIZE];
	long long n, v;
	size_t i;

	if (ipc_get_num(rd, "nrcpt", true, 1, DELIVER_MAX_RCPT, &n, err) < 0)
		return -1;
	env->nrcpt = (size_t)n;
	env->rcpts = arena_zalloc(arena, env->nrcpt * sizeof(*env->rcpts));
	out->rcpt_index =
	    arena_zalloc(arena, env->nrcpt * sizeof(*out->rcpt_index));
	for (i = 0; i < env->nrcpt; i++) {
		struct queue_rcpt *r = &env->rcpts[i];

		if (deliver_get_req(rd, deliver_name(name, "rcpt_", i, ""),
		        &r->address, arena, err) < 0 ||
		    deliver_get_opt(rd, deliver_name(name, "orcpt_", i, ""),
		        &r->orcpt, arena, err) < 0 ||
		    ipc_get_num(rd, deliver_name(name, "notify_", i, ""), true,
		        0, QUEUE_NOTIFY_ALL, &v, err) < 0)
			return -1;
		r->notify = (unsigned)v;
		if (ipc_get_num(rd, deliver_name(name, "index_", i, ""), true,
		        0, DELIVER_MAX_INDEX, &v, err) < 0)
			return -1;
		out->rcpt_index[i] = (size_t)v;
	}
	return 0;
}

int
deliver_request_decode(struct ipc_reader *rd, struct deliver_request *out,
    struct arena *arena, struct err *err)
{
	const char *verb;

	memset(out, 0, sizeof(*out));
	if (ipc_get_str(rd, "req", true, &verb, err) < 0)
		return -1;
	if (strcmp(verb, DELIVER_VERB) != 0)
		return err_set(err, ERR_PERM, "5.5.0", "not a delivery request");
	if (deliver_get_req(rd, "queue_id", &out->queue_id, arena, err) < 0 ||
	    deliver_get_req(rd, "transport", &out->transport, arena, err) < 0 ||
	    deliver_get_req(rd, "nexthop", &out->nexthop, arena, err) < 0 ||
	    deliver_get_u64(rd, "offset", INT64_MAX, &out->content_offset,
	        err) < 0 ||
	    deliver_get_u64(rd, "size", INT64_MAX, &out->content_size, err) <
	        0 ||
	    deliver_decode_env(rd, &out->env, arena, err) < 0 ||
	    deliver_decode_rcpts(rd, out, arena, err) < 0)
		return -1;
	if (out->content_offset > INT64_MAX - out->content_size)
		return err_set(err, ERR_PERM, "5.5.0", "content out of range");
	return ipc_reader_done(rd, err);
}

/* "2.0.0": class digit, dot, 1-3 digits, dot, 1-3 digits (RFC 3463). */
static bool
deliver_dsn_valid(const char *dsn, char cls)
{
	const char *p = dsn;
	int part, digits;

	if (*p != cls || p[1] != '.')
		return false;
	p += 2;
	for (part = 0; part < 2; part++) {
		for (digits = 0; *p >= '0' && *p <= '9'; p++)
			digits++;
		if (digits < 1 || digits > 3)
			return false;
		if (part == 0 && *p++ != '.')
			return false;
	}
	return *p == '\0';
}

static int
deliver_decode_result(struct ipc_reader *rd, size_t i,
    struct deliver_result *r, struct arena *arena, struct err *err)
{
	static const char classes[] = {
	    [DELIVER_SENT] = '2', [DELIVER_DEFERRED] = '4',
	    [DELIVER_BOUNCED] = '5'};
	char name[DELIVER_NAME_SIZE];
	const char *word;
	int st;

	if (ipc_get_str(rd, deliver_name(name, "r", i, "_status"), true, &word,
	        err) < 0)
		return -1;
	if ((st = deliver_word(word, deliver_status_names, 3)) < 0)
		return err_set(err, ERR_PERM, "5.5.0",
		    "result %zu: bad status", i);
	r->status = (enum deliver_status)st;
	if (deliver_get_req(rd, deliver_name(name, "r", i, "_dsn"), &r->dsn,
	        arena, err) < 0)
		return -1;
	if (!deliver_dsn_valid(r->dsn, classes[st]))
		return err_set(err, ERR_PERM, "5.5.0",
		    "result %zu: bad status code for %s", i, word);
	if (deliver_get_opt(rd, deliver_name(name, "r", i, "_relay"),
	        &r->relay, arena, err) < 0 ||
	    deliver_get_opt(rd, deliver_name(name, "r", i, "_reason"),
	        &r->reason, arena, err) < 0)
		return -1;
	return 0;
}

int
deliver_reply_decode(struct ipc_reader *rd, size_t nrcpt,
    struct deliver_result *results_out, struct arena *arena,
    struct err *err)
{
	const char *status, *reason = NULL;
	long long n;
	size_t i;

	if (ipc_get_str(rd, "status", true, &status, err) < 0)
		return -1;
	if (strcmp(status, "error") == 0) {
		if (ipc_get_str(rd, "reason", false, &reason, err) < 0)
			return -1;
		return err_set(err, ERR_TEMP, "4.3.0",
		    "delivery agent refused the request: %.300s",
		    reason != NULL ? reason : "no reason given");
	}
	if (strcmp(status, "ok") != 0)
		return err_set(err, ERR_PERM, "5.5.0", "bad reply status");
	if (ipc_get_num(rd, "nrcpt", true, 0, DELIVER_MAX_RCPT, &n, err) < 0)
		return -1;
	if ((size_t)n != nrcpt)
		return err_set(err, ERR_PERM, "5.5.0",
		    "reply has %lld results for %zu recipients", n, nrcpt);
	for (i = 0; i < nrcpt; i++)
		if (deliver_decode_result(rd, i, &results_out[i], arena, err) <
		    0)
			return -1;
	return ipc_reader_done(rd, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * Envelope records (queue_env.h). Top-level record types are upper-case
 * letters, a recipient's sub-records lower-case. The parser treats its
 * input as hostile: a queue file may be damaged by a crash of the disk,
 * an admin's editor, or a bug, and must then be set aside, not crash
 * qmgr.
 */
#include "queue/queue_env.h"

#include <stddef.h>
#include <string.h>

#include "queue/queue_rec.h"

/* Top-level record types. */
#define QUEUE_ENV_TIME 'T'
#define QUEUE_ENV_USEC 'M'
#define QUEUE_ENV_RET 'N'
#define QUEUE_ENV_BODY 'B'
#define QUEUE_ENV_UTF8 'Y'
#define QUEUE_ENV_RCPT 'R'
/* Recipient sub-record types. */
#define QUEUE_ENV_R_ADDR 'a'
#define QUEUE_ENV_R_ORCPT 'o'
#define QUEUE_ENV_R_NOTIFY 'n'

/* The optional text fields, all handled alike. */
static const struct {
	char type;
	size_t offset;
} queue_env_strs[] = {
    {'S', offsetof(struct queue_env, sender)},
    {'E', offsetof(struct queue_env, envid)},
    {'C', offsetof(struct queue_env, client_name)},
    {'A', offsetof(struct queue_env, client_addr)},
    {'H', offsetof(struct queue_env, helo)},
    {'P', offsetof(struct queue_env, protocol)},
    {'L', offsetof(struct queue_env, sasl_user)},
};
#define QUEUE_ENV_NSTRS (sizeof(queue_env_strs) / sizeof(queue_env_strs[0]))

static const char *const queue_env_rets[] = {"", "FULL", "HDRS"};
static const char *const queue_env_bodies[] = {
    "", "7BIT", "8BITMIME", "BINARYMIME"};

static const char **
queue_env_str_field(struct queue_env *env, size_t i)
{
	return (const char **)((char *)env + queue_env_strs[i].offset);
}

static void
queue_env_encode_rcpt(
    const struct queue_rcpt *r, struct buf *out, struct buf *tmp)
{
	buf_reset(tmp);
	queue_rec_put_str(tmp, QUEUE_ENV_R_ADDR, r->address);
	queue_rec_put_str(tmp, QUEUE_ENV_R_ORCPT, r->orcpt);
	if (r->notify != 0)
		queue_rec_put_num(tmp, QUEUE_ENV_R_NOTIFY, r->notify);
	queue_rec_put(out, QUEUE_ENV_RCPT, tmp->data, tmp->len);
}

int
queue_env_encode(const struct queue_env *env, struct buf *out, struct err *err)
{
	struct buf tmp;
	size_t i;

	if (env->sender == NULL)
		return err_set(err, ERR_PERM, "5.3.0", "no envelope sender");
	if (env->nrcpt == 0)
		return err_set(err, ERR_PERM, "5.5.1", "no recipients");
	for (i = 0; i < env->nrcpt; i++)
		if (env->rcpts[i].address == NULL)
			return err_set(err, ERR_PERM, "5.1.3",
			    "recipient %zu has no address", i);
	if ((unsigned)env->ret >= 3 || (unsigned)env->body >= 4 ||
	    env->arrival_usec >= 1000000)
		return err_set(err, ERR_PERM, "5.5.4", "bad envelope value");
	queue_rec_put_num(out, QUEUE_ENV_TIME, env->arrival_sec);
	queue_rec_put_num(out, QUEUE_ENV_USEC, env->arrival_usec);
	for (i = 0; i < QUEUE_ENV_NSTRS; i++)
		queue_rec_put_str(out, queue_env_strs[i].type,
		    *queue_env_str_field((struct queue_env *)env, i));
	if (env->ret != QUEUE_RET_NONE)
		queue_rec_put_str(out, QUEUE_ENV_RET, queue_env_rets[env->ret]);
	if (env->body != QUEUE_BODY_NONE)
		queue_rec_put_str(
		    out, QUEUE_ENV_BODY, queue_env_bodies[env->body]);
	if (env->smtputf8)
		queue_rec_put_str(out, QUEUE_ENV_UTF8, "1");
	buf_init(&tmp);
	for (i = 0; i < env->nrcpt; i++)
		queue_env_encode_rcpt(&env->rcpts[i], out, &tmp);
	buf_deinit(&tmp);
	return 0;
}

static int
queue_env_corrupt(struct err *err, const char *what)
{
	return err_set(err, ERR_PERM, "4.3.0", "corrupt queue file: %s", what);
}

/* A text field: bounded, no NUL, copied into the arena. */
static int
queue_env_text(const char *v, size_t len, const struct queue_limits *lim,
    struct arena *arena, const char **out, struct err *err)
{
	if (len > lim->max_field)
		return queue_env_corrupt(err, "field too long");
	if (memchr(v, '\0', len) != NULL)
		return queue_env_corrupt(err, "NUL in a text field");
	*out = arena_strndup(arena, v, len);
	return 0;
}

static int
queue_env_keyword(
    const char *v, size_t len, const char *const *names, size_t n, int *out)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], v, len) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

static int
queue_env_parse_rcpt(const char *in, size_t len, const struct queue_limits *lim,
    struct queue_rcpt *r, struct arena *arena, struct err *err)
{
	size_t off = 0, vlen;
	const char *v;
	uint64_t num;
	char type;
	int rc;

	memset(r, 0, sizeof(*r));
	while ((rc = queue_rec_next(in, len, &off, &type, &v, &vlen)) > 0) {
		const char **field = NULL;

		if (type == QUEUE_ENV_R_ADDR)
			field = &r->address;
		else if (type == QUEUE_ENV_R_ORCPT)
			field = &r->orcpt;
		if (field != NULL) {
			if (*field != NULL)
				return queue_env_corrupt(
				    err, "duplicate recipient field");
			if (queue_env_text(v, vlen, lim, arena, field, err) < 0)
				return -1;
		} else if (type == QUEUE_ENV_R_NOTIFY) {
			if (queue_rec_num(v, vlen, &num) < 0 || num == 0 ||
			    num > QUEUE_NOTIFY_ALL || r->notify != 0)
				return queue_env_corrupt(err, "bad NOTIFY");
			r->notify = (unsigned)num;
		}
	}
	if (rc < 0)
		return queue_env_corrupt(err, "truncated recipient");
	if (r->address == NULL)
		return queue_env_corrupt(err, "recipient without address");
	return 0;
}

/* Count the recipient records first, so the array is allocated once. */
static int
queue_env_count_rcpts(const void *in, size_t len,
    const struct queue_limits *lim, size_t *n_out, struct err *err)
{
	size_t off = 0, vlen, n = 0;
	const char *v;
	char type;
	int rc;

	while ((rc = queue_rec_next(in, len, &off, &type, &v, &vlen)) > 0)
		if (type == QUEUE_ENV_RCPT && ++n > lim->max_rcpts)
			return queue_env_corrupt(err, "too many recipients");
	if (rc < 0)
		return queue_env_corrupt(err, "truncated envelope record");
	if (n == 0)
		return queue_env_corrupt(err, "no recipients");
	*n_out = n;
	return 0;
}

/* One top-level record other than a recipient; *seen catches duplicates. */
static int
queue_env_parse_field(struct queue_env *env, char type, const char *v,
    size_t vlen, const struct queue_limits *lim, uint32_t *seen,
    struct arena *arena, struct err *err)
{
	static const char others[] = {QUEUE_ENV_TIME, QUEUE_ENV_USEC,
	    QUEUE_ENV_RET, QUEUE_ENV_BODY, QUEUE_ENV_UTF8};
	uint64_t num;
	size_t i;
	int kw;

	for (i = 0; i < QUEUE_ENV_NSTRS; i++)
		if (queue_env_strs[i].type == type)
			break;
	if (i == QUEUE_ENV_NSTRS) {
		const char *p = memchr(others, type, sizeof(others));

		if (p == NULL)
			return 0; /* unknown: a later minor version */
		i = QUEUE_ENV_NSTRS + (size_t)(p - others);
	}
	if (*seen & (1u << i))
		return queue_env_corrupt(err, "duplicate envelope field");
	*seen |= 1u << i;
	if (i < QUEUE_ENV_NSTRS)
		return queue_env_text(
		    v, vlen, lim, arena, queue_env_str_field(env, i), err);
	switch (type) {
	case QUEUE_ENV_TIME:
		if (queue_rec_num(v, vlen, &num) < 0)
			return queue_env_corrupt(err, "bad arrival time");
		env->arrival_sec = num;
		return 0;
	case QUEUE_ENV_USEC:
		if (queue_rec_num(v, vlen, &num) < 0 || num >= 1000000)
			return queue_env_corrupt(err, "bad arrival time");
		env->arrival_usec = (uint32_t)num;
		return 0;
	case QUEUE_ENV_RET:
		if (queue_env_keyword(v, vlen, queue_env_rets, 3, &kw) < 0)
			return queue_env_corrupt(err, "bad RET");
		env->ret = (enum queue_ret)kw;
		return 0;
	case QUEUE_ENV_BODY:
		if (queue_env_keyword(v, vlen, queue_env_bodies, 4, &kw) < 0)
			return queue_env_corrupt(err, "bad BODY");
		env->body = (enum queue_body)kw;
		return 0;
	default:
		if (vlen != 1 || v[0] != '1')
			return queue_env_corrupt(err, "bad SMTPUTF8");
		env->smtputf8 = true;
		return 0;
	}
}

int
queue_env_parse(const void *in, size_t len, const struct queue_limits *lim,
    struct queue_env *env_out, struct arena *arena, struct err *err)
{
	size_t off = 0, vlen, n = 0;
	uint32_t seen = 0;
	const char *v;
	char type;

	memset(env_out, 0, sizeof(*env_out));
	if (len > lim->max_envelope)
		return queue_env_corrupt(err, "envelope too large");
	if (queue_env_count_rcpts(in, len, lim, &env_out->nrcpt, err) < 0)
		return -1;
	env_out->rcpts =
	    arena_alloc(arena, env_out->nrcpt * sizeof(*env_out->rcpts));
	/* Counting proved every record header is in bounds. */
	while (queue_rec_next(in, len, &off, &type, &v, &vlen) > 0) {
		if (type == QUEUE_ENV_RCPT) {
			if (queue_env_parse_rcpt(v, vlen, lim,
			        &env_out->rcpts[n++], arena, err) < 0)
				return -1;
		} else if (queue_env_parse_field(env_out, type, v, vlen, lim,
		               &seen, arena, err) < 0)
			return -1;
	}
	if (env_out->sender == NULL)
		return queue_env_corrupt(err, "no sender record");
	if (!(seen & (1u << QUEUE_ENV_NSTRS)))
		return queue_env_corrupt(err, "no arrival time");
	return 0;
}

const char *
queue_env_state_name(enum queue_rcpt_state state)
{
	switch (state) {
	case QUEUE_RCPT_PENDING:
		return "pending";
	case QUEUE_RCPT_DEFERRED:
		return "deferred";
	case QUEUE_RCPT_DONE:
		return "done";
	case QUEUE_RCPT_BOUNCED:
		return "bounced";
	}
	return "unknown";
}

/* SPDX-License-Identifier: MIT */
/*
 * Result log frames (queue_log.h). Appending a frame and fdatasync()ing
 * it is how a recipient's delivery state becomes durable; see
 * docs/queue.md for why this beats rewriting fields in place.
 */
#include "queue/queue_log.h"

#include <string.h>

#include "core/byteorder.h"
#include "core/log.h"
#include "queue/queue_rec.h"

#define QUEUE_LOG_IDX 'i'
#define QUEUE_LOG_STATE 's'
#define QUEUE_LOG_TIME 't'
#define QUEUE_LOG_DSN 'c'
#define QUEUE_LOG_REASON 'r'

/* Frames larger than this are not ours: treat them as a torn tail. */
#define QUEUE_LOG_PAYLOAD_MAX 4096

static const char queue_log_states[] = "pfdb"; /* enum queue_rcpt_state */

void
queue_log_encode(struct buf *out, size_t idx, enum queue_rcpt_state state,
    uint64_t now, const char *dsn, const char *reason)
{
	unsigned char word[4] = {0};
	size_t start = out->len, rlen;
	uint32_t crc;

	if (state == QUEUE_RCPT_PENDING || (unsigned)state > 3)
		PANIC("%s: bad state %d", __func__, (int)state);
	buf_append(out, word, sizeof(word)); /* length, filled below */
	queue_rec_put_num(out, QUEUE_LOG_IDX, idx);
	queue_rec_put(out, QUEUE_LOG_STATE, &queue_log_states[state], 1);
	queue_rec_put_num(out, QUEUE_LOG_TIME, now);
	if (dsn != NULL)
		queue_rec_put(
		    out, QUEUE_LOG_DSN, dsn, strnlen(dsn, QUEUE_LOG_DSN_MAX));
	if (reason != NULL) {
		rlen = strcspn(reason, "\r\n");
		if (rlen > QUEUE_LOG_REASON_MAX)
			rlen = QUEUE_LOG_REASON_MAX;
		queue_rec_put(out, QUEUE_LOG_REASON, reason, rlen);
	}
	byteorder_put_be32((unsigned char *)out->data + start,
	    (uint32_t)(out->len - start - 4));
	crc = queue_rec_crc32(0, out->data + start, out->len - start);
	byteorder_put_be32(word, crc);
	buf_append(out, word, sizeof(word));
}

static int
queue_log_corrupt(struct err *err, const char *what)
{
	return err_set(
	    err, ERR_PERM, "4.3.0", "corrupt queue file: result log: %s", what);
}

struct queue_log_entry {
	uint64_t idx, time;
	int state;
	const char *dsn, *reason;
	size_t dsn_len, reason_len;
};

static int
queue_log_parse_payload(
    const char *p, size_t len, struct queue_log_entry *e, struct err *err)
{
	size_t off = 0, vlen;
	const char *v, *s;
	char type;
	int rc, have = 0;

	memset(e, 0, sizeof(*e));
	while ((rc = queue_rec_next(p, len, &off, &type, &v, &vlen)) > 0) {
		if (type == QUEUE_LOG_IDX &&
		    queue_rec_num(v, vlen, &e->idx) == 0)
			have |= 1;
		else if (type == QUEUE_LOG_TIME &&
		    queue_rec_num(v, vlen, &e->time) == 0)
			have |= 2;
		else if (type == QUEUE_LOG_STATE && vlen == 1 && v[0] != '\0' &&
		    v[0] != 'p' &&
		    (s = strchr(queue_log_states, v[0])) != NULL) {
			e->state = (int)(s - queue_log_states);
			have |= 4;
		} else if (type == QUEUE_LOG_DSN && vlen <= QUEUE_LOG_DSN_MAX &&
		    memchr(v, '\0', vlen) == NULL) {
			e->dsn = v;
			e->dsn_len = vlen;
		} else if (type == QUEUE_LOG_REASON &&
		    vlen <= QUEUE_LOG_REASON_MAX &&
		    memchr(v, '\0', vlen) == NULL) {
			e->reason = v;
			e->reason_len = vlen;
		} else
			return queue_log_corrupt(err, "bad record");
	}
	if (rc < 0 || have != 7)
		return queue_log_corrupt(err, "incomplete frame");
	return 0;
}

int
queue_log_apply(const void *in, size_t len, struct queue_env *env,
    struct arena *arena, size_t *valid_out, struct err *err)
{
	const unsigned char *p = in;
	struct queue_log_entry e;
	struct queue_rcpt *r;
	size_t off = 0;
	uint32_t plen;

	for (;;) {
		*valid_out = off;
		if (len - off < QUEUE_LOG_OVERHEAD)
			return 0;
		plen = byteorder_get_be32(p + off);
		if (plen > QUEUE_LOG_PAYLOAD_MAX ||
		    plen > len - off - QUEUE_LOG_OVERHEAD)
			return 0;
		if (queue_rec_crc32(0, p + off, 4 + (size_t)plen) !=
		    byteorder_get_be32(p + off + 4 + plen))
			return 0;
		if (queue_log_parse_payload(
		        (const char *)p + off + 4, plen, &e, err) < 0)
			return -1;
		if (e.idx >= env->nrcpt)
			return queue_log_corrupt(err, "no such recipient");
		r = &env->rcpts[e.idx];
		r->state = (enum queue_rcpt_state)e.state;
		r->state_time = e.time;
		r->dsn = e.dsn ? arena_strndup(arena, e.dsn, e.dsn_len) : NULL;
		r->reason = e.reason
		    ? arena_strndup(arena, e.reason, e.reason_len)
		    : NULL;
		if (r->attempts < UINT32_MAX)
			r->attempts++;
		off += QUEUE_LOG_OVERHEAD + plen;
	}
}

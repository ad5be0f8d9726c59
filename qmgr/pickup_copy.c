/* SPDX-License-Identifier: MIT */
/*
 * One maildrop file into the queue. The file was written by postdrop
 * for some local user, so it is untrusted: its envelope is parsed by the
 * bounded queue reader, only the fields a local user may set are kept
 * (sender, recipients and their DSN parameters, ENVID, RET, BODY,
 * SMTPUTF8), every address is checked and qualified with $myorigin, and
 * the content is re-read through the header parser with limits.
 *
 * On the way the message gets what RFC 5322 requires and local programs
 * often omit: a Received: line (as Postfix's pickup), and Date:,
 * Message-ID: and From: when missing (From: the envelope sender). Line
 * ends become CR LF, as smtpd stores them, so every queue file reads
 * alike. The maildrop file is removed only after the new file is
 * committed: a crash in between gives a duplicate, never a loss.
 */
#include "pickup.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "msg/address.h"
#include "msg/dsn.h"
#include "msg/header.h"
#include "queue/queue_file.h"
#include "queue/queue_id.h"
#include "queue/queue_writer.h"

#define PICKUP_CHUNK 65536
#define PICKUP_MAX_RCPTS 10000
#define PICKUP_ENVID_MAX 100

/* Header fields a message must have, added when missing. */
enum { PICKUP_DATE, PICKUP_MSGID, PICKUP_FROM, PICKUP_NFIELDS };

static const char *const pickup_fields[PICKUP_NFIELDS] = {
    "Date", "Message-ID", "From"};

struct pickup_out {
	struct queue_writer *w;
	struct buf tmp;
	bool cr; /* the last byte written was a CR */
	bool seen[PICKUP_NFIELDS];
	int rc;
};

/* Write with bare LF turned into CR LF. */
static void
pickup_put(struct pickup_out *o, const char *p, size_t len, struct err *err)
{
	size_t i;

	if (o->rc < 0)
		return;
	buf_reset(&o->tmp);
	for (i = 0; i < len; i++) {
		if (p[i] == '\n' && !o->cr)
			buf_putc(&o->tmp, '\r');
		buf_putc(&o->tmp, p[i]);
		o->cr = p[i] == '\r';
	}
	o->rc = queue_writer_write(o->w, o->tmp.data, o->tmp.len, err);
}

static void
pickup_puts(struct pickup_out *o, const char *s, struct err *err)
{
	pickup_put(o, s, strlen(s), err);
}

/*
 * A submitted address in internal form: qualified with $myorigin when
 * it has no domain, then parsed as RFC 5321 requires. NULL if invalid.
 */
static const char *
pickup_addr(const struct conf *conf, const char *in, bool utf8,
    struct arena *a, struct err *err)
{
	struct address addr;
	const char *q = strchr(in, '@') != NULL
	    ? in
	    : arena_printf(a, "%s@%s", in, conf->myorigin);

	if (address_parse(q, strlen(q), utf8 ? ADDRESS_SMTPUTF8 : 0, &addr, a,
	        err) < 0)
		return NULL;
	return address_internal(&addr, a);
}

/* The envelope pickup writes: only what a local user may choose. */
static int
pickup_env(const struct conf *conf, const struct queue_env *in,
    struct queue_env *out, struct arena *a, struct err *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->sender = "";
	if (in->sender[0] != '\0' &&
	    (out->sender = pickup_addr(conf, in->sender, in->smtputf8, a,
	         err)) == NULL)
		return -1;
	if (in->envid != NULL && strlen(in->envid) <= PICKUP_ENVID_MAX)
		out->envid = in->envid;
	out->ret = in->ret;
	out->body = in->body;
	out->smtputf8 = in->smtputf8;
	out->protocol = "LOCAL";
	out->nrcpt = in->nrcpt;
	out->rcpts = arena_zalloc(a, in->nrcpt * sizeof(*out->rcpts));
	for (i = 0; i < in->nrcpt; i++) {
		out->rcpts[i].address = pickup_addr(
		    conf, in->rcpts[i].address, in->smtputf8, a, err);
		if (out->rcpts[i].address == NULL)
			return -1;
		out->rcpts[i].orcpt = in->rcpts[i].orcpt;
		out->rcpts[i].notify = in->rcpts[i].notify;
	}
	return 0;
}

static void
pickup_missing(struct pickup_out *o, const struct conf *conf,
    const struct queue_env *env, const char *id, struct err *err)
{
	struct buf line;

	buf_init(&line);
	if (!o->seen[PICKUP_DATE]) {
		buf_puts(&line, "Date: ");
		dsn_format_date((uint64_t)time(NULL), &line);
		buf_puts(&line, "\r\n");
	}
	if (!o->seen[PICKUP_MSGID])
		buf_printf(&line, "Message-ID: <%s@%s>\r\n", id, conf->myhostname);
	if (!o->seen[PICKUP_FROM])
		buf_printf(&line, "From: %s\r\n",
		    env->sender[0] != '\0' ? env->sender : "MAILER-DAEMON");
	buf_puts(&line, "\r\n");
	pickup_put(o, line.data, line.len, err);
	buf_deinit(&line);
}

static void
pickup_event(struct pickup_out *o, const struct header_event *ev,
    const struct conf *conf, const struct queue_env *env, const char *id,
    struct err *err)
{
	size_t i;

	switch (ev->kind) {
	case HEADER_EV_FIELD:
		for (i = 0; i < PICKUP_NFIELDS; i++)
			if (ev->name_len == strlen(pickup_fields[i]) &&
			    strncasecmp(ev->name, pickup_fields[i],
			        ev->name_len) == 0)
				o->seen[i] = true;
		pickup_put(o, ev->raw, ev->raw_len, err);
		break;
	case HEADER_EV_END:
		pickup_missing(o, conf, env, id, err);
		break;
	case HEADER_EV_BODY:
		pickup_put(o, ev->raw, ev->raw_len, err);
		break;
	}
}

/* Stream the content through the header parser into the new file. */
static int
pickup_content(struct queue_file *qf, struct pickup_out *o,
    const struct conf *conf, const struct queue_env *env, struct err *err)
{
	const struct header_limits lim = {
	    .line_max = 65536, .count_max = 10000, .size_max = 1 << 20};
	const char *id = queue_writer_id(o->w);
	uint64_t off = 0, size = queue_file_content_size(qf);
	struct header_parser p;
	struct header_event ev;
	char *chunk = xmalloc(PICKUP_CHUNK);
	bool finished = false;
	int rc = 0;

	header_init(&p, &lim);
	while (rc == 0 && o->rc == 0 && !finished) {
		ssize_t n = 0;

		if (off < size) {
			n = queue_file_read(qf, off, chunk, PICKUP_CHUNK, err);
			if (n < 0)
				break;
			header_feed(&p, chunk, (size_t)n);
			off += (uint64_t)n;
		} else {
			header_finish(&p);
			finished = true;
		}
		while ((rc = header_next(&p, &ev, err)) == 1)
			pickup_event(o, &ev, conf, env, id, err);
		if (rc > 0)
			rc = 0;
	}
	header_deinit(&p);
	free(chunk);
	return rc < 0 || o->rc < 0 || !finished ? -1 : 0;
}

static int
pickup_write(struct queue_dir *qd, const struct conf *conf,
    struct queue_file *qf, const struct queue_env *env, uid_t uid,
    char id_out[QUEUE_ID_SIZE], struct err *err)
{
	struct pickup_out o = {.rc = 0};
	struct buf rcvd;
	int rc = -1;

	buf_init(&o.tmp);
	buf_init(&rcvd);
	if (queue_writer_open(qd, QUEUE_INCOMING, &o.w, err) < 0)
		goto out;
	if (queue_writer_envelope(o.w, env, err) < 0)
		goto out;
	buf_printf(&rcvd, "Received: by %s (%s, from userid %lu)\r\n\tid %s; ",
	    conf->myhostname, conf->mail_name, (unsigned long)uid,
	    queue_writer_id(o.w));
	dsn_format_date((uint64_t)time(NULL), &rcvd);
	buf_puts(&rcvd, "\r\n");
	pickup_puts(&o, rcvd.data, err);
	if (o.rc == 0 && pickup_content(qf, &o, conf, env, err) == 0 &&
	    queue_writer_commit(o.w, NULL, err) == 0) {
		memcpy(id_out, queue_writer_id(o.w), QUEUE_ID_SIZE);
		rc = 0;
	}
out:
	queue_writer_free(&o.w);
	buf_deinit(&o.tmp);
	buf_deinit(&rcvd);
	return rc;
}

static void
pickup_corrupt(struct queue_dir *qd, const char *id, unsigned long uid,
    const char *why)
{
	struct err err;

	if (queue_dir_move(qd, id, QUEUE_MAILDROP, QUEUE_CORRUPT, true, &err) <
	    0)
		log_error("maildrop/%s: uid=%lu: %s; cannot move it to "
		          "corrupt: %s",
		    id, uid, why, err.text);
	else
		log_warning("maildrop/%s: uid=%lu: %s; moved to corrupt", id,
		    uid, why);
}

int
pickup_copy(struct queue_dir *qd, const struct conf *conf, const char *id)
{
	struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	struct queue_file *qf = NULL;
	struct queue_env env;
	struct arena *a = arena_new();
	char newid[QUEUE_ID_SIZE], sender[1300];
	struct stat st;
	struct err err;
	int dir_fd, rc;

	lim.max_rcpts = PICKUP_MAX_RCPTS;
	if ((dir_fd = queue_dir_fd(qd, QUEUE_MAILDROP, &err)) < 0 ||
	    fstatat(dir_fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		arena_free(&a);
		return 0;
	}
	rc = queue_file_open(qd, QUEUE_MAILDROP, id, false, &lim, &qf, &err);
	if (rc > 0 &&
	    pickup_env(conf, queue_file_env(qf), &env, a, &err) < 0)
		rc = -1;
	if (rc > 0 &&
	    pickup_write(qd, conf, qf, &env, st.st_uid, newid, &err) < 0)
		rc = -1;
	if (rc < 0 && err.kind == ERR_PERM)
		pickup_corrupt(qd, id, (unsigned long)st.st_uid, err.text);
	else if (rc < 0)
		log_warning("maildrop/%s: %s; will try again", id, err.text);
	if (rc > 0) {
		log_info("%s: uid=%lu from=<%s>", newid, (unsigned long)st.st_uid,
		    log_escape(env.sender, strlen(env.sender), 300, sender,
		        sizeof(sender)));
		if (queue_dir_remove(qd, QUEUE_MAILDROP, id, &err) < 0)
			log_error("maildrop/%s: cannot remove it after queueing "
			          "it as %s: %s",
			    id, newid, err.text);
	}
	queue_file_close(&qf);
	arena_free(&a);
	return rc > 0 ? 1 : 0;
}

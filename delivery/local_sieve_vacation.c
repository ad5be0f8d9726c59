/* SPDX-License-Identifier: MIT */
/*
 * Sieve vacation in local delivery (RFC 5230, RFC 6131 seconds): the
 * engine has already decided whether the message deserves an answer at
 * all (lists, bulk, auto-submitted mail, MAILER-DAEMON/owner-/-request
 * senders, the user not in To/Cc); here the per-sender period is
 * enforced, in an LMDB file in the user's sieve directory
 * (<maildir>/sieve/.vacation.lmdb: key handle NUL sender, value the
 * time the next reply is allowed), and the reply is queued through
 * maildrop/ with the null sender, Auto-Submitted: auto-replied and
 * In-Reply-To/References. Anything failing is logged and skipped: a
 * lost auto-reply is better than a deferred delivery or a duplicate.
 */
#include "local.h"
#include "local_sieve.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/conf.h"
#include "core/log.h"
#include "db/db_lmdb.h"
#include "ipc/ipc_trigger.h"
#include "queue/queue_dir.h"
#include "queue/queue_writer.h"

#define LOCAL_VACATION_DB "sieve/.vacation.lmdb"
#define LOCAL_VACATION_PICKUP "public/pickup"

/* The period check and record, in one write transaction. */
struct local_vacation_key {
	struct buf key;
	uint64_t now;
	uint64_t seconds;
};

static int
local_vacation_txn(struct db_lmdb_txn *txn, void *ctx, struct err *err)
{
	struct local_vacation_key *k = ctx;
	struct db_lmdb_val val;
	char next[32];
	int rc;

	rc = db_lmdb_get(txn, k->key.data, k->key.len, &val, err);
	if (rc < 0)
		return -1;
	if (rc == 1 && val.len < sizeof(next)) {
		memcpy(next, val.data, val.len);
		next[val.len] = '\0';
		if (strtoull(next, NULL, 10) > k->now)
			return 0;
	}
	snprintf(next, sizeof(next), "%" PRIu64, k->now + k->seconds);
	if (db_lmdb_put(
	        txn, k->key.data, k->key.len, next, strlen(next), err) != 0)
		return -1;
	return 1;
}

/* 1 a reply is due (and recorded), 0 one went out within the period. */
static int
local_vacation_due(
    const char *root, const struct sieve_vacation *v, struct err *err)
{
	struct db_lmdb_opts opts = {.flags = DB_LMDB_CREATE};
	struct local_vacation_key k = {
	    .now = (uint64_t)time(NULL), .seconds = v->seconds};
	struct db_lmdb *db;
	struct buf path;
	size_t i;
	int rc = -1;

	if (v->seconds == 0)
		return 1;
	buf_init(&path);
	buf_init(&k.key);
	/* A sieve_before vacation may answer for a user without scripts. */
	buf_printf(&path, "%s/sieve", root);
	if (mkdir(path.data, 0700) != 0 && errno != EEXIST)
		log_debug("mkdir %s: %s", path.data, strerror(errno));
	buf_reset(&path);
	buf_printf(&path, "%s/%s", root, LOCAL_VACATION_DB);
	buf_puts(&k.key, v->handle);
	buf_putc(&k.key, '\0');
	for (i = 0; v->to[i] != '\0'; i++)
		buf_putc(&k.key,
		    (char)(v->to[i] >= 'A' && v->to[i] <= 'Z'
		            ? v->to[i] + 'a' - 'A'
		            : v->to[i]));
	if ((db = db_lmdb_open(path.data, &opts, err)) != NULL) {
		if (k.key.len > db_lmdb_key_max(db))
			buf_truncate(&k.key, db_lmdb_key_max(db));
		rc = db_lmdb_write(db, local_vacation_txn, &k, err);
		db_lmdb_close(&db);
	}
	buf_deinit(&path);
	buf_deinit(&k.key);
	return rc;
}

/* Is text printable ASCII (safe as a raw header value)? */
static bool
local_vacation_ascii(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20 || (unsigned char)*text > 0x7e)
			return false;
	return true;
}

/* The reply message, LF line ends (the queue file takes them as is). */
static void
local_vacation_compose(struct local_req *r, const char *from,
    const struct sieve_vacation *v, struct buf *out)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	struct buf id;

	buf_init(&id);
	maildir_name_uniq_next(&r->lc->uniq, (uint64_t)now, 0, &id);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		date[0] = '\0';
	buf_printf(out, "From: <%s>\nTo: <%s>\n", from, v->to);
	/* RFC 2047 encoding is not done: a non-ASCII subject is replaced. */
	buf_printf(out, "Subject: %s\n",
	    local_vacation_ascii(v->subject) ? v->subject : "Auto: away");
	if (date[0] != '\0')
		buf_printf(out, "Date: %s\n", date);
	buf_printf(out, "Message-ID: <%s.vacation@%s>\n", id.data,
	    r->lc->conf->myhostname);
	if (v->in_reply_to != NULL && local_vacation_ascii(v->in_reply_to))
		buf_printf(out, "In-Reply-To: %s\nReferences: %s\n",
		    v->in_reply_to, v->in_reply_to);
	buf_puts(out,
	    "Auto-Submitted: auto-replied (vacation)\n"
	    "Precedence: bulk\nMIME-Version: 1.0\n");
	/* RFC 5230 §5.8: with :mime the reason has its own MIME header. */
	if (!v->mime)
		buf_puts(out,
		    "Content-Type: text/plain; charset=utf-8\n"
		    "Content-Transfer-Encoding: 8bit\n\n");
	buf_puts(out, v->reason);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	buf_deinit(&id);
}

/* Queue msg from the null sender to one recipient; the id into id_out. */
static int
local_vacation_queue(struct local_req *r, const char *to, const struct buf *msg,
    struct buf *id_out, struct err *err)
{
	struct queue_rcpt rcpt = {.address = to};
	struct queue_env env = {
	    .sender = "", .protocol = "LOCAL", .rcpts = &rcpt, .nrcpt = 1};
	struct queue_writer *w = NULL;
	struct queue_dir *qd;
	int rc = -1;

	if ((qd = local_setup_queue(r->lc, err)) != NULL &&
	    queue_writer_open(qd, QUEUE_MAILDROP, &w, err) == 0 &&
	    queue_writer_envelope(w, &env, err) == 0 &&
	    queue_writer_write(w, msg->data, msg->len, err) == 0 &&
	    queue_writer_commit(w, NULL, err) == 0) {
		buf_set(id_out, queue_writer_id(w));
		rc = 0;
	}
	queue_writer_free(&w);
	return rc;
}

void
local_sieve_vacation(
    struct local_req *r, size_t ti, const struct sieve_vacation *v)
{
	const struct local_target *t = &r->targets[ti];
	const char *from = v->from != NULL ? v->from : t->address;
	struct buf msg, id;
	struct err err;
	int rc;

	if (v->skip_reason != NULL) {
		log_info("%s: sieve: vacation: no reply to <%s>: %s",
		    t->address, v->to, v->skip_reason);
		return;
	}
	if ((rc = local_vacation_due(t->path, v, &err)) <= 0) {
		if (rc < 0)
			log_warning(
			    "%s: sieve: vacation: %s", t->address, err.text);
		else
			log_info("%s: sieve: vacation: <%s> already answered",
			    t->address, v->to);
		return;
	}
	buf_init(&msg);
	buf_init(&id);
	local_vacation_compose(r, from, v, &msg);
	if (local_vacation_queue(r, v->to, &msg, &id, &err) != 0)
		log_warning("%s: sieve: vacation reply to <%s>: %s", t->address,
		    v->to, err.text);
	else {
		log_info("%s: sieve: vacation reply to <%s> queued as %s",
		    t->address, v->to, id.data);
		if (ipc_trigger_send(LOCAL_VACATION_PICKUP, "W", 1, &err) != 0)
			log_warning("cannot wake pickup: %s", err.text);
	}
	buf_deinit(&msg);
	buf_deinit(&id);
}

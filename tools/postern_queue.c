/* SPDX-License-Identifier: MIT */
/*
 * postern queue: the administrator's view of the mail queue, working on
 * the queue directory directly (as root or mail_owner), like Postfix's
 * mailq/postqueue/postsuper: list, show ID, delete, hold, release,
 * requeue, flush [DOMAIN]. Moves are fsync()ed before the command reports them,
 * so a hold survives a crash. qmgr notices a moved or deleted message
 * by itself (its next rename finds nothing); it is woken through
 * public/qmgr when mail should be tried now.
 */
#include "postern_queue.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "core/xmalloc.h"
#include "ipc/ipc_trigger.h"
#include "postern.h"

#define POSTERN_QUEUE_SUB(s) (1u << (s))
#define POSTERN_QUEUE_ALL_SUBS                                                 \
	(POSTERN_QUEUE_SUB(QUEUE_MAILDROP) | POSTERN_QUEUE_SUB(QUEUE_INCOMING) | \
	    POSTERN_QUEUE_SUB(QUEUE_ACTIVE) | POSTERN_QUEUE_SUB(QUEUE_DEFERRED) | \
	    POSTERN_QUEUE_SUB(QUEUE_HOLD))

static int
postern_queue_collect(const char *id, void *vctx)
{
	struct postern_queue *pq = vctx;
	struct postern_queue_item *it;

	pq->items = xreallocarray(pq->items, pq->nitems + 1, sizeof(*it));
	it = &pq->items[pq->nitems++];
	memcpy(it->id, id, strlen(id) + 1);
	return 0;
}

static int
postern_queue_cmp(const void *a, const void *b)
{
	const struct postern_queue_item *x = a, *y = b;

	return strcmp(x->id, y->id);
}

int
postern_queue_open(struct postern_queue *pq, const struct conf *conf,
    unsigned subs)
{
	struct err err;
	int s;

	memset(pq, 0, sizeof(*pq));
	pq->conf = conf;
	if (queue_dir_open(conf->queue_directory, &pq->qd, &err) < 0) {
		postern_error("queue: %s", err.text);
		return -1;
	}
	for (s = 0; s < QUEUE_NSUB; s++) {
		size_t first = pq->nitems, i;

		if ((subs & POSTERN_QUEUE_SUB(s)) == 0)
			continue;
		if (queue_dir_scan(pq->qd, (enum queue_sub)s,
		        postern_queue_collect, pq, &err) < 0) {
			postern_error("queue: %s (run as root or mail_owner)",
			    err.text);
			postern_queue_close(pq);
			return -1;
		}
		for (i = first; i < pq->nitems; i++)
			pq->items[i].sub = (enum queue_sub)s;
	}
	/* Ids sort by arrival time (queue/queue_id.h). */
	if (pq->nitems > 0)
		qsort(pq->items, pq->nitems, sizeof(*pq->items),
		    postern_queue_cmp);
	return 0;
}

void
postern_queue_close(struct postern_queue *pq)
{
	queue_dir_close(&pq->qd);
	free(pq->items);
	pq->items = NULL;
	pq->nitems = 0;
}

bool
postern_queue_trigger(const struct conf *conf, const char *bytes)
{
	struct buf path;
	struct err err;
	int rc;

	buf_init(&path);
	buf_printf(&path, "%s/public/qmgr", conf->queue_directory);
	rc = ipc_trigger_send(path.data, bytes, strlen(bytes), &err);
	buf_deinit(&path);
	if (rc < 0)
		postern_warning("queue: cannot wake qmgr (is the mail system "
		                "running?): %s",
		    err.text);
	return rc == 0;
}

/* flush [DOMAIN]: everything deferred, or the mail for one domain. */
static int
postern_queue_flush(const struct conf *conf, const char *site)
{
	struct buf bytes;
	const char *p;
	bool ok;

	if (site == NULL)
		return postern_queue_trigger(conf, "F") ? POSTERN_EXIT_OK
		                                        : POSTERN_EXIT_FAIL;
	for (p = site; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			break;
	if (*p != '\0' || p == site || p - site > 255) {
		postern_error("queue flush: %s: not a domain name", site);
		return POSTERN_EXIT_USAGE;
	}
	buf_init(&bytes);
	buf_printf(&bytes, "S%s\n", site);
	ok = postern_queue_trigger(conf, bytes.data);
	buf_deinit(&bytes);
	return ok ? POSTERN_EXIT_OK : POSTERN_EXIT_FAIL;
}

enum postern_queue_op { PQ_DELETE, PQ_HOLD, PQ_RELEASE, PQ_REQUEUE };

static const struct {
	const char *name;
	unsigned from; /* subdirectories the operation applies to */
	enum queue_sub to;
	const char *done; /* "deleted", "held", ... */
} postern_queue_ops[] = {
    [PQ_DELETE] = {"delete", POSTERN_QUEUE_ALL_SUBS, QUEUE_CORRUPT,
        "deleted"},
    [PQ_HOLD] = {"hold",
        POSTERN_QUEUE_SUB(QUEUE_INCOMING) | POSTERN_QUEUE_SUB(QUEUE_ACTIVE) |
            POSTERN_QUEUE_SUB(QUEUE_DEFERRED),
        QUEUE_HOLD, "placed on hold"},
    [PQ_RELEASE] = {"release", POSTERN_QUEUE_SUB(QUEUE_HOLD), QUEUE_DEFERRED,
        "released from hold"},
    [PQ_REQUEUE] = {"requeue",
        POSTERN_QUEUE_SUB(QUEUE_ACTIVE) | POSTERN_QUEUE_SUB(QUEUE_DEFERRED) |
            POSTERN_QUEUE_SUB(QUEUE_HOLD),
        QUEUE_INCOMING, "requeued"},
};

/* Released mail is due at once: its retry time is its mtime. */
static void
postern_queue_make_due(struct postern_queue *pq, const char *id)
{
	struct err err;
	int fd = queue_dir_fd(pq->qd, QUEUE_DEFERRED, &err);

	if (fd >= 0)
		(void)utimensat(fd, id, NULL, AT_SYMLINK_NOFOLLOW);
}

/* 1 done, 0 not there any more, -1 failed (printed). */
static int
postern_queue_apply(struct postern_queue *pq, enum postern_queue_op op,
    const struct postern_queue_item *it)
{
	struct err err;
	int rc;

	if (op == PQ_DELETE)
		rc = queue_dir_remove(pq->qd, it->sub, it->id, &err);
	else
		rc = queue_dir_move(pq->qd, it->id, it->sub,
		    postern_queue_ops[op].to, true, &err);
	if (rc < 0)
		postern_error("queue: %s: %s", it->id, err.text);
	if (rc > 0 && op == PQ_RELEASE)
		postern_queue_make_due(pq, it->id);
	return rc;
}

static int
postern_queue_op_run(const struct conf *conf, enum postern_queue_op op,
    const char *target, unsigned subs)
{
	struct postern_queue pq;
	size_t i, done = 0;
	bool all = strcmp(target, "ALL") == 0, found = false, failed = false;

	if (!all && !queue_id_valid(target)) {
		postern_error("queue: %s: not a queue id", target);
		return POSTERN_EXIT_USAGE;
	}
	if (postern_queue_open(&pq, conf, subs & postern_queue_ops[op].from) < 0)
		return POSTERN_EXIT_FAIL;
	for (i = 0; i < pq.nitems; i++) {
		int rc;

		if (!all && strcmp(pq.items[i].id, target) != 0)
			continue;
		found = true;
		rc = postern_queue_apply(&pq, op, &pq.items[i]);
		done += rc > 0;
		failed |= rc < 0;
	}
	postern_queue_close(&pq);
	if (!all && !found) {
		postern_error("queue: %s: no such message to %s", target,
		    postern_queue_ops[op].name);
		return POSTERN_EXIT_FAIL;
	}
	printf("%zu message%s %s\n", done, done == 1 ? "" : "s",
	    postern_queue_ops[op].done);
	if (done > 0 && op == PQ_RELEASE)
		(void)postern_queue_trigger(conf, "D");
	if (done > 0 && op == PQ_REQUEUE)
		(void)postern_queue_trigger(conf, "A");
	return failed ? POSTERN_EXIT_FAIL : POSTERN_EXIT_OK;
}

/* "delete ALL deferred": the optional queue name after the target. */
static int
postern_queue_subs(const char *name, unsigned *subs_out)
{
	enum queue_sub sub;

	*subs_out = POSTERN_QUEUE_ALL_SUBS;
	if (name == NULL)
		return 0;
	if (queue_dir_sub_parse(name, &sub) < 0 || sub == QUEUE_CORRUPT) {
		postern_error("queue: %s: not a queue (maildrop, incoming, "
		              "active, deferred, hold)",
		    name);
		return -1;
	}
	*subs_out = POSTERN_QUEUE_SUB(sub);
	return 0;
}

static int
postern_queue_usage(void)
{
	postern_error("usage: postern queue list | show ID | "
	              "delete|hold|release|requeue ID|ALL [queue] | flush [DOMAIN]");
	return POSTERN_EXIT_USAGE;
}

int
postern_cmd_queue(struct postern_ctx *ctx, int argc, char **argv)
{
	const struct conf *conf;
	struct postern_queue pq;
	struct err err;
	unsigned subs;
	size_t op;
	int rc;

	if (argc < 2)
		return postern_queue_usage();
	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("%s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0) {
		if (argc != (argv[1][0] == 'l' ? 2 : 3))
			return postern_queue_usage();
		if (postern_queue_open(&pq, conf, POSTERN_QUEUE_ALL_SUBS) < 0)
			return POSTERN_EXIT_FAIL;
		rc = argc == 2 ? postern_queue_list(&pq)
		               : postern_queue_show(&pq, argv[2]);
		postern_queue_close(&pq);
		return rc;
	}
	if (strcmp(argv[1], "flush") == 0) {
		if (argc > 3)
			return postern_queue_usage();
		return postern_queue_flush(conf, argc == 3 ? argv[2] : NULL);
	}
	for (op = 0; op < sizeof(postern_queue_ops) / sizeof(postern_queue_ops[0]);
	     op++)
		if (strcmp(argv[1], postern_queue_ops[op].name) == 0)
			break;
	if (op == sizeof(postern_queue_ops) / sizeof(postern_queue_ops[0]) ||
	    argc < 3 || argc > 4)
		return postern_queue_usage();
	if (postern_queue_subs(argc == 4 ? argv[3] : NULL, &subs) < 0)
		return POSTERN_EXIT_USAGE;
	return postern_queue_op_run(conf, (enum postern_queue_op)op, argv[2],
	    subs);
}

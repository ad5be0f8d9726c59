/* SPDX-License-Identifier: MIT */
/*
 * qmgr's life cycle: tables opened as root, the queue opened inside the
 * chroot, recovery of what a previous qmgr left in active/, and the
 * trigger bytes that wake it. The process state is one struct qmgr,
 * owned here and reached by the hooks through server_ctx().
 */
#include "qmgr_server.h"

#include <stdlib.h>
#include <time.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "map/map.h"
#include "qmgr.h"
#include "queue/queue_dir.h"
#include "server/server.h"

/* Writers' temporary files older than this are leftovers of a crash. */
#define QMGR_TEMP_MAX_AGE (24 * 3600)

static struct qmgr *
qmgr_of(struct server *srv)
{
	struct qmgr *q = server_ctx(srv);

	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->srv = srv;
		server_set_ctx(srv, q);
	}
	return q;
}

void
qmgr_server_pre_jail(struct server *srv)
{
	struct qmgr *q = qmgr_of(srv);
	const struct conf *conf = server_conf(srv);
	struct err err;

	/* Table files live outside the queue directory: open them now. */
	if (conf->transport_maps[0] != '\0') {
		q->transport_maps = maps_open(conf->transport_maps, &err);
		if (q->transport_maps == NULL)
			log_fatal("transport_maps: %s", err.text);
	}
}

void
qmgr_server_post_jail(struct server *srv)
{
	struct qmgr *q = qmgr_of(srv);
	unsigned removed = 0;
	struct err err;

	q->conf = server_conf(srv);
	q->loop = server_loop(srv);
	/* The skeleton left us in queue_directory, chrooted or not. */
	if (queue_dir_open(".", &q->qd, &err) < 0)
		log_fatal("%s", err.text);
	if (queue_dir_clean_temp(q->qd, QUEUE_INCOMING,
	        (int64_t)time(NULL) - QMGR_TEMP_MAX_AGE, &removed, &err) < 0)
		log_warning("incoming: %s", err.text);
	else if (removed > 0)
		log_info("removed %u stale temporary files from incoming",
		    removed);
	/* What a previous qmgr was delivering: docs/queue.md row 6. */
	qmgr_scan_active(q);
	qmgr_scan_incoming(q);
	qmgr_scan_deferred(q, false);
	qmgr_scan_timer_arm(q);
}

/*
 * A site flush: "S" domain "\n" at data[*i]; *i is left on its last
 * byte. Anyone in the postdrop group can send triggers, so the domain
 * is checked before it is used.
 */
static void
qmgr_server_site(struct qmgr *q, const char *data, size_t len, size_t *i)
{
	char site[QMGR_SITE_MAX + 1];
	size_t n = 0;
	bool ok = true;

	for (++*i; *i < len && data[*i] != '\n'; ++*i) {
		char c = data[*i];

		if (n == QMGR_SITE_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '.'))
			ok = false;
		else
			site[n++] = c;
	}
	site[n] = '\0';
	if (!ok || n == 0 || *i == len) {
		log_warning("flush: ignoring a bad site trigger");
		return;
	}
	log_info("flush: deferred mail for %s is tried now", site);
	qmgr_dest_resume_all(q);
	qmgr_scan_flush(q, site);
}

void
qmgr_server_trigger(struct server *srv, const char *data, size_t len)
{
	struct qmgr *q = qmgr_of(srv);
	bool incoming = false, deferred = false, flush = false;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (data[i]) {
		case QMGR_TRIGGER_SITE:
			qmgr_server_site(q, data, len, &i);
			break;
		case QMGR_TRIGGER_NEW:
		case QMGR_TRIGGER_INCOMING:
		case QMGR_TRIGGER_WAKEUP:
			incoming = true;
			break;
		case QMGR_TRIGGER_DEFERRED:
			deferred = true;
			break;
		case QMGR_TRIGGER_FLUSH:
			flush = true;
			break;
		default:
			break;
		}
	}
	if (flush) {
		log_info("flush: all deferred mail is tried now");
		qmgr_wait_cancel_all(q);
		qmgr_dest_resume_all(q);
	}
	if (incoming || flush)
		qmgr_scan_incoming(q);
	if (flush)
		qmgr_scan_flush(q, NULL);
	else if (deferred)
		qmgr_scan_deferred(q, false);
}

void
qmgr_server_exit(struct server *srv)
{
	struct qmgr *q = server_ctx(srv);
	size_t i;

	if (q == NULL)
		return;
	/*
	 * Deliveries in flight are dropped; their files stay in active/
	 * and the next qmgr delivers them again (at-least-once).
	 */
	qmgr_dest_free_all(q);
	for (i = 0; i < QMGR_HASH_SIZE; i++)
		while (q->msgs[i] != NULL) {
			struct qmgr_msg *m = q->msgs[i];

			qmgr_msg_free(q, &m);
		}
	qmgr_wait_cancel_all(q);
	maps_close(&q->transport_maps);
	queue_dir_close(&q->qd);
	server_set_ctx(srv, NULL);
	free(q);
}

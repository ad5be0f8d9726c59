/* SPDX-License-Identifier: MIT */
/*
 * Private header of qmgr, the queue manager: one SERVER_TRIGGER process
 * running as mail_owner, chrooted to the queue directory. It moves mail
 * from incoming/ (and deferred/, when due) to active/, hands each
 * recipient to a delivery agent over private/<transport>, records the
 * results in the queue file, and then removes, defers or bounces the
 * message. Everything it reads from disk is an untrusted queue file
 * (queue/queue_file.h); everything it reads from agents is an untrusted
 * reply (ipc/deliver_proto.h). See docs/qmgr.md.
 */
#ifndef QMGR_QMGR_H
#define QMGR_QMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "queue/queue_dir.h"
#include "queue/queue_env.h"
#include "queue/queue_id.h"

struct conf;
struct event_loop;
struct maps;
struct queue_file;
struct server;
struct qmgr_dest;

/* Trigger bytes (DESIGN.md section 8); anything else is ignored. */
#define QMGR_TRIGGER_NEW 'A' /* new mail in incoming/ */
#define QMGR_TRIGGER_INCOMING 'I' /* the same */
#define QMGR_TRIGGER_WAKEUP 'W' /* the master's timer: incoming/ */
#define QMGR_TRIGGER_DEFERRED 'D' /* deferred mail that is due */
#define QMGR_TRIGGER_FLUSH 'F' /* all deferred mail, due or not */
/* "S" domain "\n": deferred mail with recipients in domain, as 'F'. */
#define QMGR_TRIGGER_SITE 'S'
#define QMGR_SITE_MAX 255

/* One message in the active queue (in memory while in active/). */
struct qmgr_msg {
	char id[QUEUE_ID_SIZE];
	struct queue_file *qf; /* open for update while active */
	int fd; /* read-only, passed to the agents */
	uint64_t content_offset; /* of the content in the file */
	uint64_t active_since; /* seconds: when qmgr took it */
	size_t jobs; /* delivery jobs not finished yet */
	/* Activated by a flush: defer_transports and hold_outbound are
	 * lifted for this pass. */
	bool flush;
	/* Recipients delivered in this pass whose sender asked to know. */
	bool *success;
	struct qmgr_msg *next; /* in its hash bucket */
};

/* One delivery request: some recipients of one message, one destination. */
struct qmgr_job {
	struct qmgr *q;
	struct qmgr_msg *msg;
	struct qmgr_dest *dest;
	size_t *rcpt; /* indexes into the message's recipients */
	size_t nrcpt;
	/* While running: the agent connection. */
	int fd;
	bool watched; /* fd is in the event loop */
	uint64_t timer;
	struct buf in; /* reply bytes read so far */
	bool hello_done;
	struct qmgr_job *next; /* in the destination's queue */
};

/* A transport and next hop with its own concurrency limit. */
struct qmgr_dest {
	struct qmgr *q;
	char *transport;
	char *nexthop; /* "" for local */
	char *key; /* transport, NUL, nexthop or recipient: hash key */
	unsigned limit; /* deliveries at once */
	unsigned recipient_limit; /* recipients per request */
	unsigned running;
	struct qmgr_job *head, *tail; /* waiting jobs */
	struct qmgr_job *busy; /* running jobs */
	bool dispatching; /* in qmgr_dest_dispatch: do not free or recurse */
	/* Dead: no server answered; its jobs are deferred at once until
	 * the timer fires (or a flush). */
	uint64_t dead_timer;
	char *dead_reason;
	struct qmgr_dest *next; /* in its hash bucket */
};

/* A deferred message qmgr knows about, waiting for its timer. */
struct qmgr_wait {
	char id[QUEUE_ID_SIZE];
	uint64_t timer;
	struct qmgr *q;
	struct qmgr_wait *next; /* in its hash bucket */
};

/* Messages, waits and destinations are found by key in these buckets. */
#define QMGR_HASH_SIZE 4096

struct qmgr {
	struct server *srv;
	const struct conf *conf;
	struct event_loop *loop;
	struct queue_dir *qd;
	struct maps *transport_maps; /* NULL when none */
	struct qmgr_msg *msgs[QMGR_HASH_SIZE]; /* by id */
	size_t nmsgs;
	struct qmgr_dest *dests[QMGR_HASH_SIZE]; /* by transport, hop */
	struct qmgr_wait *waits[QMGR_HASH_SIZE]; /* by id */
	uint64_t scan_timer; /* deferred/ scan */
	bool incoming_left; /* the active limit stopped an incoming scan */
	bool flushing; /* a flush scan is activating messages */
	uint64_t rescan_timer; /* incoming/ again once there is room */
};

/* qmgr_scan.c: finding work in the queue directories. */
void qmgr_scan_incoming(struct qmgr *q);
/* The same from the event loop, once the current work is done. */
void qmgr_scan_incoming_soon(struct qmgr *q);
void qmgr_scan_active(struct qmgr *q);
/* Deferred mail due now; with all, every deferred message. */
void qmgr_scan_deferred(struct qmgr *q, bool all);
/* A flush: every deferred message, or those with a recipient in site
 * (the domain or a subdomain), held transports included. */
void qmgr_scan_flush(struct qmgr *q, const char *site);
/* (Re)arm the periodic deferred scan. */
void qmgr_scan_timer_arm(struct qmgr *q);
/* True when id is in the active queue (in memory). */
bool qmgr_known(const struct qmgr *q, const char *id);
/*
 * Move id from sub to active/ and start delivering it. Returns 1 taken,
 * 0 gone or already known, -1 when the active limit is reached.
 */
int qmgr_activate(struct qmgr *q, const char *id, enum queue_sub sub);

/* qmgr_msg.c: a message's pass through the active queue. */
/* Open the file in active/ and plan its deliveries; frees on failure. */
void qmgr_msg_start(struct qmgr *q, const char *id);
/* A job of msg ended; the last one finishes the pass. */
void qmgr_msg_job_done(struct qmgr *q, struct qmgr_msg *msg);
/*
 * Record a result for recipient idx durably and log it when qmgr (not
 * an agent) made the decision (log true). A failed record is logged;
 * the recipient then stays as it was and is tried again later.
 */
void qmgr_msg_record(struct qmgr *q, struct qmgr_msg *msg, size_t idx,
    enum queue_rcpt_state state, const char *dsn, const char *reason,
    const char *relay, bool log);
/* Log "ID: to=<...>, relay=..., delay=..., status=..." in Postfix's shape. */
void qmgr_msg_log_rcpt(const struct qmgr_msg *msg, size_t idx,
    const char *relay, const char *dsn, const char *status,
    const char *reason);

/* qmgr_route.c: the transport and next hop of a recipient. */
struct qmgr_route {
	struct buf transport;
	struct buf nexthop;
	bool local;
};
/* 0, or -1 with err (ERR_TEMP: a table lookup failed). */
int qmgr_route(const struct qmgr *q, const char *address,
    struct qmgr_route *out, struct err *err);
/*
 * Why mail on route r must wait for a flush (defer_transports,
 * hold_outbound), or NULL when it may go.
 */
const char *qmgr_route_held(const struct qmgr *q, const struct qmgr_route *r);
/* True when address is in site or one of its subdomains. */
bool qmgr_route_in_site(const char *address, const char *site);

/* qmgr_dest.c: destinations, their queues and concurrency. */
struct qmgr_dest *qmgr_dest_get(struct qmgr *q, const struct qmgr_route *r,
    const char *address);
/* Queue a job (taking ownership) and start what the limits allow. */
void qmgr_dest_enqueue(struct qmgr *q, struct qmgr_job *job);
/* A running job ended: free it, start the next waiting ones. */
void qmgr_dest_job_end(struct qmgr *q, struct qmgr_job *job);
/*
 * No server of d could be reached: defer its mail without trying for
 * minimal_backoff_time, with reason, instead of one attempt per message.
 */
void qmgr_dest_suspend(struct qmgr *q, struct qmgr_dest *d, const char *reason);
/* A flush: every suspended destination may be tried again. */
void qmgr_dest_resume_all(struct qmgr *q);
void qmgr_dest_free_all(struct qmgr *q);

/* qmgr_deliver.c: one conversation with a delivery agent. */
/* Connect and send; on failure the job's recipients are deferred. */
void qmgr_deliver_start(struct qmgr *q, struct qmgr_job *job);
/* Defer the job's recipients because its destination is suspended. */
void qmgr_deliver_suspended(
    struct qmgr *q, struct qmgr_job *job, const char *reason);

/* qmgr_defer.c: what happens after a pass. */
/* Next attempt for a message deferred at now (back-off, seconds). */
uint64_t qmgr_defer_backoff(const struct conf *conf, uint64_t arrival,
    uint64_t now);
/* Move to deferred/ with its retry time and a timer; frees msg. */
void qmgr_defer_msg(struct qmgr *q, struct qmgr_msg *msg);
/* Give active/id the next attempt time due, move it to deferred/. */
void qmgr_defer_file(struct qmgr *q, const char *id, uint64_t due);
/* Bounce whatever is left when the message is older than its lifetime. */
bool qmgr_defer_expire(struct qmgr *q, struct qmgr_msg *msg);
/* The delay notice, once, when delay_warning_time has passed. */
void qmgr_defer_warn(struct qmgr *q, struct qmgr_msg *msg);
/* Remember a deferred message and wake it at due (seconds). */
void qmgr_wait_add(struct qmgr *q, const char *id, uint64_t due);
void qmgr_wait_cancel_all(struct qmgr *q);
/* Drop the timer of id, if there is one. */
void qmgr_wait_forget(struct qmgr *q, const char *id);

/* qmgr_bounce.c: notices to the sender (RFC 3464). */
/*
 * Commit a failure notice for every BOUNCED recipient whose NOTIFY
 * allows it (or to double_bounce_notice_recipient for one of our own
 * notices). 0 when the notice is committed or none is owed; -1 when it
 * could not be written (the message must stay queued).
 */
int qmgr_bounce_failed(struct qmgr *q, struct qmgr_msg *msg);
/* Success notices for msg->success recipients; best effort. */
void qmgr_bounce_success(struct qmgr *q, struct qmgr_msg *msg);
/* A delay notice for the DEFERRED/PENDING recipients; 0 or -1. */
int qmgr_bounce_delay(struct qmgr *q, struct qmgr_msg *msg, uint64_t until);

/* Forget a message (its file stays where it is); *msgp becomes NULL. */
void qmgr_msg_free(struct qmgr *q, struct qmgr_msg **msgp);
/* Wall-clock seconds (queue times are wall-clock: they outlive us). */
uint64_t qmgr_now(void);
/* Bucket of a key made of one or two strings (b may be NULL). */
size_t qmgr_hash(const char *a, const char *b);
/* Untrusted text (an address from a queue file) made fit for a log. */
const char *qmgr_esc(const char *s, char *out, size_t outsz);

#endif

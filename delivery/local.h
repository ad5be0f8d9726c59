/* SPDX-License-Identifier: MIT */
/*
 * local's private header: the state of the process and of one delivery
 * request. local runs as mail_store_owner, unchrooted, one qmgr client
 * at a time. A request names a queue file (passed as a descriptor) and
 * recipients; each recipient is resolved (virtual aliases, aliases,
 * users through authd, forwards) into targets -- mailboxes, addresses to
 * re-submit, commands, files -- which are delivered and then summed up
 * into one result per recipient. docs/local.md is the admin's view.
 */
#ifndef DELIVERY_LOCAL_H
#define DELIVERY_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "ipc/deliver_proto.h"
#include "store/maildir_name.h"

struct auth_client;
struct conf;
struct maps;
struct queue_dir;
struct server;
struct local_helper;
struct local_sieve_cache;

/* Process state, built in pre_jail/post_jail (local_main.c). */
struct local {
	struct server *srv;
	const struct conf *conf;
	struct auth_client *auth;
	struct maps *alias_maps; /* NULL: none configured */
	struct maps *virtual_maps; /* NULL: none configured */
	/* Configured but could not be opened: their users defer. */
	bool alias_unusable;
	bool virtual_unusable;
	struct local_helper *helper; /* |command and /file runner */
	struct queue_dir *qd; /* for maildrop/, opened on first use */
	struct maildir_name_uniq uniq;
	struct local_sieve_cache *sieve_cache; /* compiled scripts */
	int timeout_ms; /* qmgr's socket */
};

/* The queued message: content in the passed queue file. */
struct local_msg {
	int fd;
	uint64_t offset; /* of the content in the file */
	uint64_t size;
	bool crlf; /* the first line ends in CR LF */
	const char **delivered_to; /* Delivered-To: values, lowercased */
	size_t ndelivered;
};

enum local_target_kind {
	LOCAL_TARGET_MAILBOX,
	LOCAL_TARGET_FORWARD, /* a remote address: re-submitted */
	LOCAL_TARGET_COMMAND,
	LOCAL_TARGET_FILE,
	LOCAL_TARGET_FAIL, /* resolution failed: result already known */
};

/* One thing to deliver to, shared by every recipient that reaches it. */
struct local_target {
	enum local_target_kind kind;
	const char *key; /* de-duplication key; NULL for FAIL */
	const char *address; /* the address that reached it (log "to=") */
	const char *via; /* FORWARD: the local address it was reached
	                    through (Delivered-To of the new message) */
	const char *path; /* MAILBOX: maildir root; FILE: the file;
	                     COMMAND: the shell command */
	uint64_t quota; /* MAILBOX: bytes, 0 none */
	const char *folder; /* MAILBOX: Maildir++ folder from Sieve
	                       fileinto; NULL: INBOX */
	uint64_t flags; /* MAILBOX: MAILDIR_NAME_* flags from Sieve */
	bool sieved; /* MAILBOX: Sieve has run for it (or made it) */
	size_t rcpt; /* the request recipient that reached it first */
	bool resolved_done; /* outcome known */
	enum deliver_status status;
	const char *dsn;
	const char *reason;
};

/* One request recipient: the targets it reached. */
struct local_rcpt {
	size_t *targets;
	size_t ntargets;
	size_t cap;
	uint64_t resolve_ms; /* time spent resolving */
};

/* One delivery request. */
struct local_req {
	struct local *lc;
	struct arena *arena;
	const struct deliver_request *req;
	struct local_msg msg;
	struct local_target *targets;
	size_t ntargets;
	size_t cap;
	struct local_rcpt *rcpts;
	uint64_t start_ms; /* request received (event_now_ms) */
	uint64_t start_wall_ms; /* the same, in ms since the epoch */
	uint64_t resolved_ms; /* every recipient resolved */
};

/* ---- local_setup.c: process set-up (server hooks) ---- */

void local_setup_pre_jail(struct server *srv);
void local_setup_post_jail(struct server *srv);
void local_setup_exit(struct server *srv);
/* The queue directory for maildrop/, opened on first use; NULL + err. */
struct queue_dir *local_setup_queue(struct local *lc, struct err *err);

/* ---- local_request.c: one qmgr connection ---- */

/* SERVER_ONE_CLIENT on_client hook. */
void local_request_serve(struct server *srv, int fd);

/* ---- local_msg.c: reading the queued message ---- */

/*
 * Scan the header section of the content for Delivered-To: fields and
 * the line-end style. 0, or -1 with err (ERR_TEMP: the file could not
 * be read).
 */
int local_msg_scan(struct local_msg *m, struct arena *arena, struct err *err);
/* Read up to len content bytes at content offset off: bytes, 0, -1. */
ssize_t local_msg_read(const struct local_msg *m, uint64_t off, void *buf,
    size_t len, struct err *err);
/* True when address (lowercase) is one of the Delivered-To: values. */
bool local_msg_delivered_to(const struct local_msg *m, const char *address);
/*
 * Copy the content to fn in chunks; with lf, CR LF line ends become LF
 * (the Maildir and mbox convention). fn returns 0 or -1 with err.
 */
typedef int local_msg_sink_fn(
    void *ctx, const char *data, size_t len, struct err *err);
int local_msg_copy(const struct local_msg *m, bool lf, local_msg_sink_fn *fn,
    void *ctx, struct err *err);

/* ---- local_target.c: the target table and results ---- */

/*
 * Add a new target for recipient rcpt and return it for the caller to
 * fill in. NULL when there is nothing to fill in: a target of the same
 * kind and key exists (it is shared with rcpt), or rcpt reached
 * local_expansion_limit targets (a FAIL is recorded).
 */
struct local_target *local_target_add(struct local_req *r, size_t rcpt,
    enum local_target_kind kind, const char *key, const char *address);
/* Record a resolution failure for rcpt (dsn's class picks the status). */
void local_target_fail(struct local_req *r, size_t rcpt, const char *address,
    const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Set a target's outcome (dsn's class picks the status). */
void local_target_done(struct local_req *r, struct local_target *t,
    const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same from a struct err (ERR_TEMP defers, else bounces). */
void local_target_err(
    struct local_req *r, struct local_target *t, const struct err *err);
/* Sum up recipient i's targets into one result (deferred > bounced >
 * sent), logging one line per target. */
void local_target_result(
    struct local_req *r, size_t i, struct deliver_result *out);

/* ---- local_resolve.c: recipients to targets ---- */

/* Resolve request recipient i into targets. Never fails: failures are
 * FAIL targets. */
void local_resolve(struct local_req *r, size_t i);

/* ---- local_alias.c: alias_maps and :include: ---- */

/* One level of expansion, linked to the level that expanded it. */
struct local_walk {
	size_t rcpt; /* request recipient */
	unsigned depth;
	const char *klass; /* "alias", "forward", "include": for the
	                      allow_mail_to_* lists */
	const char *address; /* expanded at this level; NULL at the top */
	const struct local_walk *parent;
};

/*
 * Expand the alias of address (a mydestination domain), w being its
 * level: 1 expanded (or failed, with a FAIL recorded), 0 no alias.
 */
int local_alias_expand(
    struct local_req *r, const struct local_walk *w, const char *address);
/*
 * Resolve one address reached from level parent (local_resolve.c);
 * skip names the steps not to apply again (an address mapped to
 * itself).
 */
void local_resolve_address(struct local_req *r, const struct local_walk *parent,
    const char *address, unsigned skip);
#define LOCAL_SKIP_VIRTUAL 1u
#define LOCAL_SKIP_ALIAS 2u
#define LOCAL_SKIP_FORWARD 4u

/* ---- local_virtual.c: virtual_alias_maps ---- */

/*
 * Look address up in virtual_alias_maps (Postfix virtual(5) order,
 * with the extension of an unextended match carried over to the
 * results). 1 with the result list in value_out, 0, -1 with err.
 */
int local_virtual_lookup(struct local_req *r, const char *address,
    bool local_domain, struct buf *value_out, struct err *err);

/* ---- local_mailbox.c: Maildir delivery ---- */

/* Deliver every MAILBOX target. */
void local_mailbox_deliver(struct local_req *r);

/* ---- local_sieve.c: Sieve filtering of mailbox targets ---- */

/*
 * Run sieve_before, the user's active script and sieve_after on every
 * MAILBOX target, and turn the actions into targets: fileinto and keep
 * become MAILBOX targets (folder, flags), redirect a FORWARD target,
 * reject a 5.7.1 failure (qmgr's DSN carries the reason), discard
 * cancels the mailbox. A runtime error keeps the message in INBOX; a
 * temporary failure defers the target.
 */
void local_sieve_apply(struct local_req *r);
/* Release the compiled scripts (local_sieve_cache.c). */
void local_sieve_cache_free(struct local_sieve_cache **cp);

/* ---- local_quota.c ---- */

/*
 * Bytes used by the maildir root (new/ and cur/ of the root and every
 * Maildir++ folder; ",S=" sizes where names carry them). A missing
 * root is 0. 0 or -1 with err (ERR_TEMP).
 */
int local_quota_usage(const char *root, uint64_t *used_out, struct err *err);
/*
 * deliver_agent_usage_fn: the usage of the mailbox of the account with
 * primary address address (smtpd's quota check at RCPT).
 */
int local_quota_answer(
    void *ctx, const char *address, uint64_t *used_out, struct err *err);

/* ---- local_forward.c: re-submission through maildrop/ ---- */

/* Re-submit every FORWARD target, durably, then wake pickup. */
void local_forward_deliver(struct local_req *r);

/* ---- local_helper.c: |command and /file as default_privs ---- */

/*
 * Fork the helper (in pre_jail, while still root): it drops to
 * default_privs at once and then runs commands and file appends for
 * local, one at a time. NULL when it cannot be started (deliveries to
 * commands and files then defer).
 */
struct local_helper *local_helper_start(const struct conf *conf);
void local_helper_stop(struct local_helper **hp);
/* Deliver every COMMAND and FILE target through the helper. */
void local_helper_deliver(struct local_req *r);

/* ---- local_header.c: headers local adds ---- */

/*
 * The fields prepended to a copy for request recipient i, in out:
 * Return-Path, Delivered-To (the recipient), X-Original-To (its ORCPT
 * address, else the recipient). eol is "\n" or "\r\n".
 */
void local_header_block(
    const struct local_req *r, size_t i, const char *eol, struct buf *out);

/* ---- local_domain.c ---- */

enum local_class {
	LOCAL_CLASS_LOCAL, /* mydestination */
	LOCAL_CLASS_VALIAS, /* virtual_alias_domains */
	LOCAL_CLASS_VMAILBOX, /* virtual_mailbox_domains */
	LOCAL_CLASS_REMOTE,
};

enum local_class local_domain_class(
    const struct conf *conf, const char *domain);

#endif

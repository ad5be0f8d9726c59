/* SPDX-License-Identifier: MIT */
/*
 * authd's private header: the service state shared by its files. authd
 * runs as auth_owner, is not chrooted, holds the users database open
 * read-only and answers many clients in one event loop. Every client is
 * hostile until proved otherwise: requests are validated and refused
 * with status=error, and a broken client never stops the service.
 */
#ifndef AUTH_AUTHD_H
#define AUTH_AUTHD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/err.h"
#include "ipc/auth_client.h"
#include "ipc/ipc_msg.h"

struct conf;
struct server;
struct userdb;

/* Requests are one short address; a frame bigger than this is abuse. */
#define AUTHD_FRAME_MAX (16 * 1024)
/* Replies a client leaves unread before authd stops reading from it. */
#define AUTHD_OUT_MAX (256 * 1024)
/* Users whose processes may ask: root, mail_owner, mail_store_owner
 * and authd's own user. */
#define AUTHD_PEERS_MAX 4

struct authd {
	struct server *srv;
	const struct conf *conf;
	struct userdb *db; /* NULL until the file exists */
	bool db_missing_logged;
	uid_t peers[AUTHD_PEERS_MAX];
	size_t npeers;
	int timeout_ms; /* authd_timeout */
};

/* ---- authd_conn.c: one client connection in the event loop ---- */

/* SERVER_EVENT on_client hook. */
void authd_conn_accept(struct server *srv, int fd);

/* ---- authd_req.c: requests, validated, to reply frames ---- */

/*
 * Answer one decoded frame into reply (reset by the caller, finished
 * here). *hello_done says whether the handshake happened; the first
 * frame must be the hello. Returns false when the connection must be
 * closed after the reply is sent (a failed handshake).
 */
bool authd_req_handle(struct authd *ad, struct ipc_reader *rd, bool *hello_done,
    struct ipc_msg *reply);
/* The reply for a frame that did not decode: status=error. */
void authd_req_refuse(const char *reason, struct ipc_msg *reply);

/* ---- authd_db.c: the users database ---- */

/*
 * Open user_database read-only, or note that it does not exist yet (a
 * later lookup tries again). Fatal only for a path that cannot work.
 */
void authd_db_open(struct authd *ad);
void authd_db_close(struct authd *ad);
/*
 * Look address up: 1 found (acct filled, strings in arena, no secret),
 * 0 no such user (also: no database yet), -1 with err (ERR_TEMP).
 */
int authd_db_lookup(struct authd *ad, const char *address,
    struct auth_account *acct, struct arena *arena, struct err *err);

/* ---- authd_peer.c: who may connect ---- */

/* Fill ad->peers from the service users in the configuration. */
void authd_peer_init(struct authd *ad);
/* True when the process at the other end of fd may use authd. */
bool authd_peer_allowed(const struct authd *ad, int fd);

#endif

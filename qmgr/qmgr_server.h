/* SPDX-License-Identifier: MIT */
/*
 * The skeleton hooks of qmgr (qmgr_server.c), for main.c only.
 */
#ifndef QMGR_QMGR_SERVER_H
#define QMGR_QMGR_SERVER_H

#include <stddef.h>

struct server;

/* As root, before the chroot: open transport_maps. */
void qmgr_server_pre_jail(struct server *srv);
/* Open the queue, recover active/, scan incoming/ and deferred/. */
void qmgr_server_post_jail(struct server *srv);
/* Trigger bytes: 'A'/'I'/'W' incoming/, 'D' due deferred, 'F' flush. */
void qmgr_server_trigger(struct server *srv, const char *data, size_t len);
/* Stop: in-flight deliveries are abandoned; their files stay in active/. */
void qmgr_server_exit(struct server *srv);

#endif

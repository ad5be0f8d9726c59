/* SPDX-License-Identifier: MIT */
/*
 * Internals of the authd client stub, shared by its implementation files
 * only (auth_client.c: connection and lookups; auth_client_login.c:
 * logins). Callers use ipc/auth_client.h.
 */
#ifndef IPC_AUTH_CLIENT_IMPL_H
#define IPC_AUTH_CLIENT_IMPL_H

#include <stdbool.h>

#include "core/err.h"
#include "ipc/ipc_msg.h"

/* Replies carry a few short fields; anything bigger is not authd. */
#define AUTH_CLIENT_REPLY_MAX (256 * 1024)

struct auth_client {
	char *path;
	int timeout_ms;
	int fd; /* -1 while not connected */
};

/*
 * Send the finished request msg and read authd's reply into rd
 * (initialised by the caller). Connects first when needed. With retry, a
 * kept connection that turns out broken (idle time-out, authd restart)
 * is replaced by one fresh attempt; without it (a step of an exchange
 * that lived on the old connection) a broken connection is a failure.
 * May block up to the client's time-out per I/O. 0, or -1 with err
 * (ERR_TEMP).
 */
int auth_client_call(struct auth_client *ac, const struct ipc_msg *msg,
    bool retry, struct ipc_reader *rd, struct err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Wake-up triggers (DESIGN.md section 8): a few bytes written to a
 * service's fifo or UNIX socket under queue_directory, e.g. smtpd and
 * pickup telling qmgr that incoming/ has new mail. The receiving side is
 * the server skeleton's SERVER_TRIGGER mode. A trigger is a hint: the
 * service also scans on its own timer, so a lost trigger delays mail but
 * never loses it.
 */
#ifndef IPC_IPC_TRIGGER_H
#define IPC_IPC_TRIGGER_H

#include <stddef.h>

#include "core/err.h"

/*
 * Write data (len bytes, len > 0) to the fifo or UNIX stream socket at
 * path without ever blocking: a full fifo or a listener with a full
 * backlog already has a wake-up pending, so that counts as success.
 * 0, or -1 with err (ERR_TEMP) when the path is missing, is neither a
 * fifo nor a socket, or nobody listens.
 */
int ipc_trigger_send(
    const char *path, const void *data, size_t len, struct err *err);

#endif

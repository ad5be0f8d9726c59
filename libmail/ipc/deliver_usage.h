/* SPDX-License-Identifier: MIT */
/*
 * How much of a mailbox is used, asked of the local delivery agent: the
 * one process that may read users' Maildirs and knows where they are.
 * smtpd asks it at RCPT time, when the client announced the message
 * size and the recipient has a quota (RFC 1870 section 6), so that an
 * over-quota message is refused before it is sent rather than bounced
 * after.
 *
 * Over private/<local_transport>, after the "deliver" handshake: the
 * frame req=usage address=<the account's primary address>; the answer
 * status=ok used=<bytes>, or status=error reason=<text>.
 */
#ifndef IPC_DELIVER_USAGE_H
#define IPC_DELIVER_USAGE_H

#include <stdint.h>

#include "core/err.h"
#include "ipc/ipc_msg.h"

#define DELIVER_USAGE_VERB "usage"

/*
 * Ask the agent at socket_path for the bytes address's mailbox uses.
 * 0, or -1 with err (ERR_TEMP: no answer, or the agent's trouble).
 */
int deliver_usage_query(const char *socket_path, const char *address,
    int timeout_ms, uint64_t *used_out, struct err *err);

/* The agent's side: the answer for used bytes, into out (finished). */
void deliver_usage_reply(uint64_t used, struct ipc_msg *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Blocking UNIX-socket helpers with time-outs, for request/reply
 * exchanges between processes (client stubs, the status socket), and the
 * version handshake every connection opens with.
 */
#ifndef IPC_IPC_SOCK_H
#define IPC_IPC_SOCK_H

#include <stddef.h>

#include "core/err.h"
#include "ipc/ipc_msg.h"

/*
 * Connect to a UNIX stream socket; returns fd or -1 (ERR_TEMP; ERR_PERM
 * for a path too long). The fd is non-blocking and close-on-exec; the
 * send/recv helpers below work on blocking and non-blocking fds alike.
 */
int ipc_sock_connect(const char *path, int timeout_ms, struct err *err);
/*
 * Create a listening UNIX stream socket at path (removing a stale
 * socket, never another kind of file) with the given mode; returns a
 * close-on-exec fd or -1.
 */
int ipc_sock_listen(const char *path, int mode, int backlog, struct err *err);
/* Write a finished message, all of it, within timeout_ms. 0 or -1. */
int ipc_sock_send(
    int fd, const struct ipc_msg *msg, int timeout_ms, struct err *err);
/*
 * Read one frame of at most max bytes within timeout_ms and decode it
 * into rd. 0, or -1 on time-out, EOF, oversize or bad frame.
 */
int ipc_sock_recv(
    int fd, struct ipc_reader *rd, size_t max, int timeout_ms, struct err *err);
/*
 * Pass one open descriptor over a UNIX stream socket (SCM_RIGHTS), as
 * its own one-byte message after a frame sent with ipc_sock_send (the
 * delivery request: ipc/deliver_proto.h). The sender keeps its copy of
 * fd open. 0, or -1 with err (ERR_TEMP) on time-out or a broken socket.
 */
int ipc_sock_send_fd(int sock, int fd, int timeout_ms, struct err *err);
/*
 * Receive a descriptor sent with ipc_sock_send_fd, within timeout_ms.
 * The peer is not trusted: a message carrying no descriptor, more than
 * one, truncated control data or a byte other than the marker is
 * refused, and every descriptor that did arrive is closed. Returns the
 * descriptor (close-on-exec; the caller owns it), or -1 with err
 * (ERR_TEMP for I/O and time-out, ERR_PERM for a malformed message).
 */
int ipc_sock_recv_fd(int sock, int timeout_ms, struct err *err);

/*
 * Handshake: the client sends req=hello service=<name>
 * version=<major.minor>; the server answers status=ok, or, for another
 * service or a different major version, status=fail with a reason and
 * returns -1 so the caller closes. Both return 0 or -1 with err filled.
 */
int ipc_sock_hello_client(int fd, const char *service, int major, int minor,
    int timeout_ms, struct err *err);
int ipc_sock_hello_server(
    int fd, const char *service, int major, int timeout_ms, struct err *err);
/*
 * The two halves of ipc_sock_hello_client, for a client that runs its
 * own event loop (qmgr talking to many delivery agents): build the hello
 * frame into out (initialised by the caller, finished here), and check
 * the server's answer once decoded into rd. 0 or -1 with err filled.
 */
void ipc_sock_hello_encode(
    const char *service, int major, int minor, struct ipc_msg *out);
int ipc_sock_hello_check(
    struct ipc_reader *rd, const char *service, struct err *err);

#endif

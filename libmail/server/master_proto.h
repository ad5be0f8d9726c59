/* SPDX-License-Identifier: MIT */
/*
 * The contract between master and the processes it starts. Both sides
 * include this header and nothing else defines these numbers.
 *
 * The master execs  <daemon_directory>/<command> -n <service> -t <type>
 *   -c <config_directory> [-S] [-r] [-o name=value]... [-f] [-v] [args...]
 * with these descriptors open and nothing else beyond 0-2:
 *   MASTER_STATUS_FD   write end of the service's status pipe
 *   MASTER_LIFELINE_FD read end of a pipe whose write end only the master
 *                      holds: EOF means the master is gone, so exit
 *   MASTER_LISTEN_FD   the service's listening socket (inet, unix) or
 *                      fifo, opened by the master
 * -S tells a child the master ran as root and expects it to drop to its
 * service user; -r means master.cf's chroot column is y: chroot to
 * queue_directory (as root only); -f means foreground, log to stderr as
 * well; -v raises the log level to debug.
 *
 * Status messages are one fixed-size text record each, written with a
 * single write() (atomic for a pipe), never a raw struct:
 *   "B 0000012345\n"  busy: this pid accepted a client
 *   "I 0000012345\n"  idle: this pid waits for the next client
 */
#ifndef SERVER_MASTER_PROTO_H
#define SERVER_MASTER_PROTO_H

#define MASTER_STATUS_FD 3
#define MASTER_LIFELINE_FD 4
#define MASTER_LISTEN_FD 5

#define MASTER_STATUS_BUSY 'B'
#define MASTER_STATUS_IDLE 'I'
/* 'B' ' ' ten digits '\n' */
#define MASTER_STATUS_LEN 13

/*
 * Below queue_directory: the master's pid/lock file, and its status
 * socket, which postern(1) reads (IPC codec, req=status).
 */
#define MASTER_PID_FILE "pid/master.pid"
#define MASTER_STATUS_SOCKET "pid/master.sock"
/* The status socket's handshake: service "master", version 1.0. */
#define MASTER_IPC_SERVICE	"master"
#define MASTER_IPC_MAJOR	1
#define MASTER_IPC_MINOR	0

#endif

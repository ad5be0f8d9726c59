/* SPDX-License-Identifier: MIT */
/*
 * pop3d's private header: the process state (struct pop3d, built once
 * per process before and after the jail), the session (struct
 * pop3d_session, one per client connection, RFC 1939 states
 * AUTHORIZATION and TRANSACTION; UPDATE happens inside QUIT), and the
 * functions each pop3d_*.c file offers the others. Nothing outside
 * pop3d/ includes it. Everything a session reads from its client is
 * untrusted.
 */
#ifndef POP3D_POP3D_H
#define POP3D_POP3D_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/stream.h"
#include "ipc/auth_client.h"
#include "pop3/pop3_cmd.h"
#include "tls/tls.h"

struct conf;
struct mbox_index;
struct mbox_view;
struct server;

/* The lock file in the Maildir++ root that one POP3 session holds. */
#define POP3D_LOCK_FILE "postern-pop3.lock"

/* ---- pop3d_setup.c: the process ---- */

struct pop3d {
	struct server *srv;
	const struct conf *conf; /* borrowed from the skeleton */
	struct auth_client *auth;
	struct tls_ctx *tls; /* NULL: no TLS */
	enum tls_level tls_level; /* pop3d_tls_security_level */
	bool tls_wrapper; /* pop3s: TLS at connect */
	struct stat store; /* mail_store_directory, seen before the jail */
	/* chrooted to mail_store_directory: paths below it start at "/" */
	bool jailed;
};

/* Server hooks (main.c). */
void pop3d_setup_pre_jail(struct server *srv);
void pop3d_setup_post_jail(struct server *srv);
void pop3d_setup_exit(struct server *srv);

/* ---- pop3d_session.c: one client ---- */

enum pop3d_state {
	POP3D_AUTHORIZATION,
	POP3D_TRANSACTION,
};

/* One message of the maildrop, in the order of the index (UID). */
struct pop3d_msg {
	uint32_t uid;
	bool size_known;
	uint64_t size; /* octets with CR LF line ends, as RETR sends them */
	bool deleted; /* DELE: removed at QUIT */
	bool retrieved; /* RETR: marked \Seen at QUIT */
};

struct pop3d_session {
	struct pop3d *pd;
	const struct conf *conf;
	struct arena *arena; /* the session's lifetime */
	struct arena *cmd_arena; /* reset after each command line */
	struct stream io;
	char addr[64]; /* the client's IP address */
	struct tls_session *tls; /* NULL until a handshake succeeded */
	enum pop3d_state state;
	/* RFC 1939 §7: the APOP banner timestamp; "" when APOP is off */
	char timestamp[128];
	const char *user_arg; /* USER given, waiting for PASS; arena */
	const char *user; /* the authenticated account; arena */
	const char *method; /* how it logged in: PLAIN, USER, APOP */
	int errors;
	bool done; /* end the session after this command */
	/* The maildrop (pop3d_mailbox.c), once logged in. */
	const char *root; /* Maildir++ root; arena */
	int lock_fd;
	struct mbox_index *ix;
	struct mbox_view *view;
	uint32_t uidvalidity;
	struct pop3d_msg *msgs;
	size_t nmsgs;
	/* Counters for the logout log line. */
	unsigned ntop, nretr;
	unsigned ndele; /* marked by DELE */
	unsigned nexpunged; /* removed at QUIT */
	uint64_t retr_bytes;
};

/* Serve one client on fd to the end (server on_client hook). */
void pop3d_session_run(struct server *srv, int fd);
/* Queue "+OK text" (printf-formatted). */
void pop3d_ok(struct pop3d_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Queue "-ERR [code] text" (code NULL: none; RFC 2449 RESP-CODES, RFC
 * 3206) and count a client error (the session ends at
 * pop3d_hard_error_limit) unless code names a server-side condition
 * (SYS/TEMP, SYS/PERM, IN-USE).
 */
void pop3d_err(struct pop3d_session *s, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/*
 * Send what is queued when it has grown past the output cap (RETR of a
 * large message, a client that pipelines without reading). 0, or -1
 * after the connection was lost (the session is then done).
 */
int pop3d_session_drain(struct pop3d_session *s);
/*
 * Flush, then read one more line for an AUTH exchange. 1 with the line
 * (borrowed until the next stream call), 0 for a line over the limit
 * (its text is gone), -1 when the connection was lost (logged; done).
 */
int pop3d_session_read_line(
    struct pop3d_session *s, const char **line_out, size_t *len_out);
/* The login context for authd. */
void pop3d_session_login_ctx(
    const struct pop3d_session *s, struct auth_login_ctx *ctx_out);

/* ---- pop3d_cmd.c: dispatch and CAPA ---- */

/* Parse and execute one command line (line end removed). */
void pop3d_cmd_line(struct pop3d_session *s, const char *line, size_t len);

/* ---- pop3d_auth.c: USER, PASS, APOP, AUTH ---- */

void pop3d_auth_user(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_auth_pass(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_auth_apop(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_auth_sasl(struct pop3d_session *s, const struct pop3_cmd *cmd);
/*
 * The SASL mechanisms authd offers on this connection, space-separated,
 * in sasl_out (reset here), and whether APOP is on. 0, or -1 when authd
 * cannot say (err).
 */
int pop3d_auth_mechs(struct pop3d_session *s, struct buf *sasl_out,
    bool *apop_out, struct err *err);
/* True when the space-separated list holds word (case-insensitive). */
bool pop3d_auth_listed(const char *list, const char *word);
/* Set s->timestamp when APOP is on for this connection (the banner). */
void pop3d_auth_banner_timestamp(struct pop3d_session *s);

/* ---- pop3d_mailbox.c: the maildrop ---- */

/*
 * Find the Maildir of the authenticated user (authd lookup; the same
 * rule as local delivery), create it when missing, take the POP3 lock,
 * sync the index and take the snapshot. 0; 1 when another POP3 session
 * holds the lock; -1 with err (ERR_TEMP or ERR_PERM).
 */
int pop3d_mailbox_open(struct pop3d_session *s, struct err *err);
/* Release the lock, the snapshot and the index (any state). */
void pop3d_mailbox_close(struct pop3d_session *s);
/*
 * The size of message i as sent, read from its file once and cached.
 * 0, or -1 with err.
 */
int pop3d_mailbox_size(struct pop3d_session *s, size_t i, struct err *err);
/* Set the size of message i from its whole file, held in data. */
void pop3d_mailbox_size_whole(
    struct pop3d_session *s, size_t i, const char *data, size_t len);
/*
 * Open message i's file for reading; a file renamed by another Maildir
 * tool since the snapshot is found again through a sync. The
 * descriptor, or -1 with err (ERR_PERM when the message is gone).
 */
int pop3d_mailbox_open_msg(
    struct pop3d_session *s, size_t i, struct err *err);
/*
 * The UPDATE state (RFC 1939 §6): expunge the messages marked deleted
 * (files and index records), mark retrieved ones \Seen. 0, or -1 with
 * err when some deleted messages could not be removed.
 */
int pop3d_mailbox_update(struct pop3d_session *s, struct err *err);

/* ---- pop3d_msg.c: the TRANSACTION commands ---- */

void pop3d_msg_stat(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_msg_list(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_msg_uidl(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_msg_retr(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_msg_dele(struct pop3d_session *s, const struct pop3_cmd *cmd);
void pop3d_msg_rset(struct pop3d_session *s, const struct pop3_cmd *cmd);

/* ---- pop3d_tls.c: STLS and pop3s ---- */

/* Build the TLS context (pre_jail, as root). */
void pop3d_tls_setup(struct pop3d *pd);
/* True when CAPA should list STLS. */
bool pop3d_tls_offered(const struct pop3d_session *s);
/* Wrapper mode: the handshake before the greeting. 0 or -1 (done). */
int pop3d_tls_wrapper(struct pop3d_session *s);
/* The STLS command. */
void pop3d_tls_stls(struct pop3d_session *s, const struct pop3_cmd *cmd);
/* Send close_notify at the end of the session, if TLS is on. */
void pop3d_tls_end(struct pop3d_session *s);

#endif

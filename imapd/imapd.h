/* SPDX-License-Identifier: MIT */
/*
 * imapd's private header: the process state and one IMAP session, shared
 * by imapd_*.c. imapd runs as mail_store_owner, chrooted to the mail
 * store, and serves many sessions in one event loop; everything a client
 * sends is hostile. An idle session holds its socket, its TLS state and
 * struct imapd_session: input buffers, the command arena and output
 * buffers exist only while a command is read, run or answered.
 */
#ifndef IMAPD_IMAPD_H
#define IMAPD_IMAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "imap/imap_parse.h"
#include "store/maildir_name.h"
#include "tls/tls.h"

struct auth_client;
struct conf;
struct event_loop;
struct imapd_mailbox;
struct imapd_session;
struct imapd_user;
struct mbox_index;
struct server;

/* Unanswered output above which a session stops reading commands. */
#define IMAPD_OUT_HIGH (256 * 1024)
/* Bytes taken from the socket per read. */
#define IMAPD_READ_CHUNK 16384
/* Nesting of parenthesised lists in a command. */
#define IMAPD_DEPTH_MAX 16

/* The process. */
struct imapd {
	struct server *srv;
	const struct conf *conf;
	struct event_loop *loop;
	struct tls_ctx *tls; /* NULL: no TLS offered */
	enum tls_level tls_level;
	bool tls_wrapper; /* imaps */
	struct auth_client *auth;
	bool auth_lost; /* authd unreachable from the jail: retire */
	uint64_t keepalive_timer; /* keeps the authd connection open */
	char *mechs_plain; /* SASL mechanisms offered without TLS */
	char *mechs_tls; /* ... and with TLS */
	dev_t store_dev; /* mail_store_directory, seen before the jail */
	ino_t store_ino;
	bool chrooted; /* the jail is the mail store */
	struct imapd_session *sessions; /* every live session */
	struct imapd_user *users; /* open mailboxes, shared by sessions */
	uint64_t next_id;
	struct maildir_name_uniq uniq; /* names of APPENDed and copied files */
	int inotify_fd; /* -1 when unavailable */
	struct imapd_watch *watches;
};

enum imapd_state {
	IMAPD_NOTAUTH,
	IMAPD_AUTH,
	IMAPD_SELECTED,
	IMAPD_LOGOUT,
};

/* What a session waits for besides the next command. */
enum imapd_wait {
	IMAPD_WAIT_NONE,
	IMAPD_WAIT_AUTH, /* AUTHENTICATE: the client's next response line */
	IMAPD_WAIT_IDLE, /* IDLE: "DONE" */
	IMAPD_WAIT_DELAY, /* authd's throttle delay before the reply */
	IMAPD_WAIT_TLS, /* the TLS handshake */
};

/* ENABLEd extensions (RFC 5161). */
enum {
	IMAPD_ENABLED_UTF8 = 1 << 0,
	IMAPD_ENABLED_CONDSTORE = 1 << 1,
};

struct imapd_session {
	struct imapd *d;
	struct imapd_session *next, *prev;
	struct imapd_session *watch_next; /* sessions of one watch */
	int fd;
	uint64_t id;
	char addr[64]; /* client IP address (core/peer_addr.h) */
	struct tls_session *tls;
	short tls_want; /* handshake: POLLIN/POLLOUT */
	struct imap_parser parser;
	struct buf *in; /* unparsed input from in_off; NULL when empty */
	size_t in_off;
	struct buf *out; /* unsent output from out_off; NULL when empty */
	size_t out_off;
	struct arena *arena; /* the current command's; NULL between */
	/* A command that answers in steps (FETCH): called again once the
	 * client has taken the output; NULL when none is in progress. The
	 * command's arena and arguments stay until it clears this. */
	void (*resume)(struct imapd_session *s);
	void *resume_ctx;
	uint64_t logout_timer;
	uint64_t delay_timer;
	enum imapd_state state;
	enum imapd_wait wait;
	bool closing; /* send what is queued, then close */
	bool want_line; /* after the reset, the next line is raw */
	unsigned enabled; /* IMAPD_ENABLED_* */
	char *tag; /* the tag of a command spanning events */
	char *pending; /* WAIT_DELAY: the reply to send, or WAIT_AUTH: the
	                  exchange id */
	bool pending_ok; /* WAIT_DELAY: the login succeeded */
	char *user; /* the logged-in account (its primary address) */
	struct imapd_user *u;
	struct imapd_mailbox *mbox; /* SELECTED */
};

/* ---- imapd_setup.c: the process ---- */

void imapd_setup_pre_jail(struct server *srv);
void imapd_setup_post_jail(struct server *srv);
void imapd_setup_exit(struct server *srv);

/* APPENDLIMIT: imapd_append_limit, or the most a literal may be. */
uint64_t imapd_append_limit(const struct imapd *d);

/* ---- imapd_session.c: one connection's life ---- */

/* SERVER_EVENT on_client hook. */
void imapd_session_accept(struct server *srv, int fd);
/* End the session now (socket closed, state freed). */
void imapd_session_free(struct imapd_session *s);
/* After the TLS handshake (imaps: the greeting follows). */
void imapd_session_tls_ready(struct imapd_session *s);
/* Rearm the auto-logout timer for the session's state. */
void imapd_session_touch(struct imapd_session *s);
/* Sessions of user (also counted: the one being logged in). */
size_t imapd_session_count_user(const struct imapd *d, const char *user);

/* ---- imapd_io.c: bytes in and out ---- */

/* The event callback of the session's socket. */
void imapd_io_event(
    struct event_loop *loop, int fd, unsigned events, void *ctx);
/* The command reader with the limits of the session's state. */
void imapd_io_parser_init(struct imapd_session *s);
/* Start the reader afresh (after a command, or with new limits). */
void imapd_io_parser_reset(struct imapd_session *s);
/* Free the input and output buffers. */
void imapd_io_release(struct imapd_session *s);

/* Read, parse and run commands until the session must wait. */
void imapd_io_pump(struct imapd_session *s);
/* Set the event mask for what the session waits for. */
void imapd_io_watch(struct imapd_session *s);
/* The output buffer (made on demand). */
struct buf *imapd_io_out(struct imapd_session *s);
/* Bytes queued and not yet written. */
size_t imapd_io_pending_out(const struct imapd_session *s);
/* Write queued output; false when the connection failed. */
bool imapd_io_flush(struct imapd_session *s);
/* Start the TLS handshake (STARTTLS done, or imaps at connect). */
void imapd_io_start_tls(struct imapd_session *s);

/* ---- imapd_cmd.c: the command table and replies ---- */

/* Run one parsed command. */
void imapd_cmd_run(struct imapd_session *s, const struct imap_cmd *cmd);
/* Run a raw line (AUTHENTICATE response, DONE). */
void imapd_cmd_line(struct imapd_session *s, const char *line, size_t len);
/* Tagged reply "tag OK|NO|BAD text" (text may start with "[CODE] "). */
void imapd_reply(struct imapd_session *s, const char *tag, const char *status,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Untagged reply "* text". */
void imapd_untagged(struct imapd_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A parser or store error as NO [code] / BAD. */
void imapd_reply_err(
    struct imapd_session *s, const char *tag, const struct err *err);
/* The capability list for the session's state, appended to out. */
void imapd_cmd_capability_list(const struct imapd_session *s, struct buf *out);

/* ---- imapd_auth.c: STARTTLS, LOGIN, AUTHENTICATE ---- */

void imapd_auth_starttls(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_auth_login(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_auth_authenticate(
    struct imapd_session *s, const struct imap_cmd *cmd);
/* The client's response to an AUTHENTICATE challenge. */
void imapd_auth_line(struct imapd_session *s, const char *line, size_t len);
/* True when LOGIN and plaintext mechanisms are refused (no TLS yet). */
bool imapd_auth_plain_disabled(const struct imapd_session *s);
/* The mechanisms to announce now; borrowed from the process. */
const char *imapd_auth_mechs(const struct imapd_session *s);

/* ---- imapd_any.c: commands valid in every state ---- */

void imapd_any_capability(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_any_noop(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_any_logout(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_any_id(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_any_enable(struct imapd_session *s, const struct imap_cmd *cmd);
void imapd_any_namespace(struct imapd_session *s, const struct imap_cmd *cmd);

#endif

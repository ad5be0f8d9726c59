/* SPDX-License-Identifier: MIT */
/*
 * smtpd's private header: the process state (struct smtpd, built once
 * per process in pre_jail/post_jail), the session (struct smtpd_session,
 * one per client connection), and the functions each smtpd_*.c file
 * offers the others. Nothing outside smtpd/ includes it. Everything a
 * session holds came from the network and is untrusted.
 */
#ifndef SMTPD_SMTPD_H
#define SMTPD_SMTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/stream.h"
#include "queue/queue_env.h"
#include "queue/queue_id.h"
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_data.h"
#include "tls/tls.h"

struct auth_client;
struct conf;
struct maps;
struct queue_commit;
struct queue_dir;
struct queue_writer;
struct server;
struct smtpd_nets;
struct smtpd_policy;

/* Where qmgr listens for "new mail in incoming/" (a fifo or socket). */
#define SMTPD_QMGR_TRIGGER_PATH "public/qmgr"
/* The wake-up byte: scan incoming/ (as Postfix's qmgr 'I' request). */
#define SMTPD_QMGR_TRIGGER_BYTE "I"

/* ---- smtpd_setup.c: the process ---- */

/* Process state, built before the first client; lives until exit. */
struct smtpd {
	const struct conf *conf; /* borrowed from the skeleton */
	struct smtpd_policy *policy; /* the restriction lists */
	struct smtpd_nets *mynetworks;
	struct maps *alias_maps; /* NULL when the parameter is empty */
	struct maps *virtual_alias_maps;
	struct maps *sender_login_maps; /* NULL when not set */
	struct queue_dir *qd;
	struct queue_commit *commit; /* group commit of incoming/ */
	struct auth_client *auth;
	enum smtp_data_bare_lf bare_lf;
	struct tls_ctx *tls; /* NULL: no TLS (level none, or disabled) */
	enum tls_level tls_level; /* smtpd_tls_security_level */
	bool tls_wrapper; /* smtpd_tls_wrappermode: TLS at connect */
};

/* Server hooks (main.c). pre_jail opens maps; post_jail the queue. */
void smtpd_setup_pre_jail(struct server *srv);
void smtpd_setup_post_jail(struct server *srv);
void smtpd_setup_exit(struct server *srv);

/* ---- smtpd_session.c: one client ---- */

/* Commands counted for the disconnect log line, indexed by verb. */
#define SMTPD_NVERB (SMTP_CMD_STARTTLS + 1)

/* One mail transaction; strings live in the session's txn_arena. */
struct smtpd_txn {
	bool active; /* MAIL accepted */
	const char *sender; /* internal form, "" for <> */
	struct smtp_cmd_mail mail;
	struct queue_rcpt *rcpts;
	size_t nrcpt, rcpt_cap;
	struct queue_writer *writer; /* from the first accepted RCPT */
	char id[QUEUE_ID_SIZE]; /* "" until the writer exists */
	/* Content: DATA or BDAT chunks. */
	bool content_started; /* envelope and Received: written */
	bool bdat; /* BDAT in progress */
	struct smtp_data data;
	struct buf pending; /* decoded content not yet written */
	uint64_t since_space_check;
	/* A failure met while content flows: replied at its end. */
	int fail_code; /* 0: none */
	struct err fail;
};

struct smtpd_session {
	struct smtpd *sd;
	const struct conf *conf;
	struct arena *arena; /* the session's lifetime */
	struct arena *txn_arena; /* reset with each transaction */
	struct arena *cmd_arena; /* reset with each command line */
	struct stream io; /* the client connection (core/stream.h) */
	/* The client. */
	char addr[64]; /* "192.0.2.1", "2001:db8::1" */
	char name[256]; /* verified host name or "unknown" */
	char namaddr[330]; /* "name[addr]" for log lines */
	/* HELO/EHLO. */
	const char *helo; /* helo_buf.data, or NULL before HELO */
	struct buf helo_buf;
	bool esmtp; /* EHLO was used */
	unsigned ext; /* SMTP_CMD_EXT_* announced */
	const char *sasl_user; /* NULL: not authenticated */
	const char *sasl_method; /* its mechanism ("PLAIN"), or NULL */
	struct buf auth_mechs; /* offered in the last EHLO reply */
	struct tls_session *tls; /* NULL until the handshake is done */
	struct buf tls_desc; /* "TLSv1.3 with cipher ..." once TLS is on */
	struct smtpd_txn txn;
	int errors;
	const char *where; /* last command, for "timeout after X" */
	bool done; /* end the session after this command */
	unsigned ncmd[SMTPD_NVERB]; /* commands received */
	unsigned nok[SMTPD_NVERB]; /* of which succeeded */
};

/* Serve one client on fd to the end (server on_client hook). */
void smtpd_session_run(struct server *srv, int fd);
/*
 * Append a reply to the output: text is printf-formatted and may hold
 * '\n' to make a multi-line reply. dsn is sent only to clients that
 * used EHLO (RFC 2034); NULL for none.
 */
void smtpd_reply(struct smtpd_session *s, int code, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same for a failed request described by err. */
void smtpd_reply_err(struct smtpd_session *s, int code, const struct err *err);
/*
 * The client went away (errnum 0 or an I/O error) or stalled (errnum
 * ETIMEDOUT: 421 4.4.2 is sent): log it once and end the session.
 */
void smtpd_session_lost(struct smtpd_session *s, int errnum);
/* End the transaction: drop the queue file unless committed. */
void smtpd_session_txn_reset(struct smtpd_session *s);
/* "SMTP", "ESMTP", "UTF8SMTP", ... for Received: and logs (RFC 3848). */
const char *smtpd_session_protocol(const struct smtpd_session *s);

/* ---- smtpd_client.c: who is connected ---- */

/* Fill s->addr, s->name, s->namaddr from the socket fd. */
void smtpd_client_identify(struct smtpd_session *s, int fd);

/* ---- smtpd_cmd.c: command dispatch ---- */

/*
 * Parse and execute one command line (line end removed), appending
 * replies to s->io.out; counts errors and applies the error limits.
 * too_long: the line was over line_length_limit (its text is gone).
 */
void smtpd_cmd_line(
    struct smtpd_session *s, const char *line, size_t len, bool too_long);

/* ---- one file per command or command group ---- */

/*
 * Each returns 0 when the command succeeded, -1 when it failed (the
 * reply is queued either way; a failure counts toward the error
 * limits), 1 when it was refused without counting as an error.
 */
int smtpd_ehlo(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_helo(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_mail(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_rcpt(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_data(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_bdat(struct smtpd_session *s, const struct smtp_cmd *cmd);
int smtpd_vrfy(struct smtpd_session *s, const struct smtp_cmd *cmd);

/* ---- smtpd_auth.c: SMTP AUTH (RFC 4954) ---- */

/* True when AUTH is on offer now (enabled, and TLS on if required). */
bool smtpd_auth_enabled(const struct smtpd_session *s);
/*
 * For the EHLO reply: ask authd for the mechanisms of this TLS state,
 * keep them in s->auth_mechs, append "AUTH <mechs>\n" to text and allow
 * AUTH= on MAIL. Nothing when AUTH is off or authd cannot answer
 * (logged). May block on authd.
 */
void smtpd_auth_ehlo(struct smtpd_session *s, struct buf *text);
/* The AUTH command (as the command handlers above). Blocks on authd. */
int smtpd_auth(struct smtpd_session *s, const struct smtp_cmd *cmd);

/* ---- smtpd_tls.c: STARTTLS and smtps ---- */

/*
 * Read the smtpd_tls_* settings and build the server context (pre_jail,
 * as root: the key is readable by root only). At level may a missing or
 * unloadable certificate disables TLS with a warning; at encrypt or in
 * wrapper mode it is fatal.
 */
void smtpd_tls_setup(struct smtpd *sd);
/* True when EHLO should list STARTTLS (offered, not yet on). */
bool smtpd_tls_offered(const struct smtpd_session *s);
/*
 * At level encrypt before TLS, refuse verbs that need it (MAIL, RCPT,
 * DATA, BDAT, VRFY, EXPN, AUTH) with 530 5.7.0; true when refused (the
 * reply is queued).
 */
bool smtpd_tls_refused(struct smtpd_session *s, enum smtp_cmd_verb verb);
/*
 * Wrapper mode: the handshake before the greeting. 0 (also when not in
 * wrapper mode), or -1 after logging the failure (end the session).
 */
int smtpd_tls_wrapper(struct smtpd_session *s);
/* The STARTTLS command (as the command handlers below). */
int smtpd_tls_starttls(struct smtpd_session *s, const struct smtp_cmd *cmd);
/* Send close_notify at the end of the session, if TLS is on. */
void smtpd_tls_end(struct smtpd_session *s);

/* ---- smtpd_policy.c: the restriction lists ---- */

enum smtpd_list {
	SMTPD_LIST_CLIENT,
	SMTPD_LIST_HELO,
	SMTPD_LIST_SENDER,
	SMTPD_LIST_RELAY,
	SMTPD_LIST_RECIPIENT,
	SMTPD_LIST_DATA,
	SMTPD_LIST_N,
};

/* What restrictions may look at besides the session. */
struct smtpd_check {
	const char *stage; /* "MAIL", "RCPT", "DATA" (logs) */
	const struct address *rcpt; /* parsed recipient, or NULL */
	const char *recipient; /* its internal form, or NULL */
};

/* A refusal: the reply, ready to send and to log. */
struct smtpd_verdict {
	int code;
	char dsn[16];
	char text[600];
};

/* Fill a verdict; text is printf-formatted. */
void smtpd_verdict_set(struct smtpd_verdict *v, int code, const char *dsn,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Parse the six restriction lists and open their tables (pre_jail).
 * NULL with err (naming the parameter) for an unknown restriction, a
 * missing table argument or a table that does not open.
 */
struct smtpd_policy *smtpd_policy_open(
    const struct conf *conf, struct err *err);
void smtpd_policy_close(struct smtpd_policy **pp);
/*
 * Evaluate one list. 0: the list permitted or ended without a decision;
 * -1: refused, with the reply in *v (4xx for defer and temporary lookup
 * failures, never 5xx for those). May block on map and authd lookups.
 */
int smtpd_policy_check(struct smtpd_session *s, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v);
/* The lists a command runs (smtpd_delay_reject decides which). */
int smtpd_policy_rcpt(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v);
int smtpd_policy_mail(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v);

/* ---- smtpd_auth_sender.c: who may use which sender address ---- */

/*
 * reject_sender_login_mismatch: 1 when the sender is the client's to
 * use (smtpd_sender_login_maps names no owner and the client is not
 * authenticated, or names the authenticated user, or the sender is the
 * login name itself); 0 refused with 553
 * 5.7.1 in *v; -1 a lookup failed, with a 4xx in *v. May block on maps.
 */
int smtpd_auth_sender_owned(struct smtpd_session *s, struct smtpd_verdict *v);

/* ---- smtpd_nets.c: mynetworks ---- */

/*
 * Parse a mynetworks value: IPv4 "a.b.c.d/len" or address, IPv6
 * "[addr]/len" or "[addr]", and type:table items looked up with the
 * client address. NULL with err for a bad item.
 */
struct smtpd_nets *smtpd_nets_open(const char *list, struct err *err);
void smtpd_nets_close(struct smtpd_nets **np);
/* 1 the address is inside, 0 not, -1 a table lookup failed (err). */
int smtpd_nets_match(struct smtpd_nets *n, const char *addr, struct err *err);

/* ---- smtpd_recipient.c: whose mail we take ---- */

enum smtpd_rcpt_class {
	SMTPD_RCPT_LOCAL, /* mydestination */
	SMTPD_RCPT_VALIAS, /* virtual_alias_domains */
	SMTPD_RCPT_VMAILBOX, /* virtual_mailbox_domains */
	SMTPD_RCPT_RELAY, /* relay_domains */
	SMTPD_RCPT_REMOTE, /* anything else */
};

enum smtpd_rcpt_class smtpd_recipient_class(
    const struct smtpd_session *s, const struct address *a);
/*
 * True when a recipient may be accepted from any client: a domain we
 * serve or relay for, without sender-specified routing (user%remote@,
 * remote!user@, "user@remote"@, source routes), which would otherwise
 * make us an open relay.
 */
bool smtpd_recipient_authorized(
    const struct smtpd_session *s, const struct address *a);
/*
 * Is the recipient known (aliases, virtual aliases, authd users), and
 * may it take a message of the declared SIZE (quota)? 1 yes; 0 no, with
 * the refusal in *v (550 5.1.1 unknown, 552 5.2.2 or 452 4.2.2 over
 * quota); -1 a lookup failed temporarily, with a 4xx in *v. Remote
 * recipients are always "known". May block on maps and authd.
 */
int smtpd_recipient_check(struct smtpd_session *s, const struct address *a,
    const char *internal, struct smtpd_verdict *v);

/* ---- smtpd_received.c ---- */

/* Append the Received: header (RFC 5321 §4.4) for this message. */
void smtpd_received(struct smtpd_session *s, struct buf *out);

/* ---- smtpd_queue.c: the queue file ---- */

/* Create the queue file (first accepted RCPT). 0 or -1 with err. */
int smtpd_queue_open(struct smtpd_session *s, struct err *err);
/* Write the envelope and the Received: header. 0 or -1 with err. */
int smtpd_queue_start(struct smtpd_session *s, struct err *err);
/*
 * Pass decoded content from s->txn.pending to the file when enough has
 * gathered (or always, with force), checking queue_minfree on the way.
 * 0 or -1 with err (4.3.x, ERR_TEMP).
 */
int smtpd_queue_write(struct smtpd_session *s, bool force, struct err *err);
/*
 * Make the message durable (group commit), then wake qmgr. Only after
 * 0 may the client hear 250. -1 with err (ERR_TEMP).
 */
int smtpd_queue_commit(struct smtpd_session *s, struct err *err);
/*
 * Is there room for a message of size bytes (0: unknown)? 0, or -1 with
 * err 452 4.3.1 when free space would drop below queue_minfree (or
 * below 1.5 message_size_limit).
 */
int smtpd_queue_space(struct smtpd_session *s, uint64_t size, struct err *err);

/* ---- smtpd_log.c: Postfix-shaped log lines ---- */

void smtpd_log_connect(const struct smtpd_session *s);
void smtpd_log_disconnect(const struct smtpd_session *s);
/* "<id|NOQUEUE>: reject: RCPT from name[addr]: 554 5.7.1 ...; from=<>..." */
void smtpd_log_reject(const struct smtpd_session *s, const char *stage,
    const struct smtpd_verdict *v, const char *recipient);
/*
 * "ID: client=name[addr]" when the queue file is created, with
 * ", sasl_method=M, sasl_username=U" for an authenticated client.
 */
void smtpd_log_queued_client(const struct smtpd_session *s);
/*
 * "warning: name[addr]: <what> <text>: <detail>", with text (client or
 * table data) escaped; detail is ours (an err text).
 */
void smtpd_log_warning(const struct smtpd_session *s, const char *what,
    const char *text, const char *detail);
/* "timeout after DATA (12 bytes) from name[addr]" and friends. */
void smtpd_log_event(const struct smtpd_session *s, const char *what);

#endif

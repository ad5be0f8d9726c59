/* SPDX-License-Identifier: MIT */
/*
 * smtp's private header: the SMTP/LMTP delivery agent (docs/smtp.md).
 * It runs as mail_owner, chrooted to the queue directory, one qmgr
 * request at a time. A request names a next hop and recipients; the
 * agent turns the next hop into a list of servers (MX, A/AAAA, a unix
 * socket), tries them in order until one takes the transaction, and
 * answers one result per recipient. Everything a server sends is
 * untrusted; replies are parsed by smtp/smtp_reply.h.
 */
#ifndef DELIVERY_SMTP_H
#define DELIVERY_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/stream.h"
#include "dns/dns.h"
#include "ipc/deliver_proto.h"
#include "smtp/smtp_reply.h"
#include "tls/tls.h"

struct conf;
struct maps;
struct server;

/* Process state, built in pre_jail (smtp_setup.c). */
struct smtp_agent {
	const struct conf *conf;
	bool lmtp; /* the service is named lmtp: LHLO, per-rcpt DATA
	              replies, next hops unix:/path and inet:host:port */
	struct dns_resolver *dns; /* NULL: smtp_host_lookup lacks dns */
	bool native; /* smtp_host_lookup has native */
	unsigned families; /* DNS_FAMILY_* from inet_protocols */
	enum tls_level tls_level;
	struct tls_ctx *tls; /* NULL when the level is none, or the
	                        context could not be made (then mail that
	                        needs TLS defers) */
	struct maps *sasl_maps; /* NULL: no client AUTH */
	struct dns_addr *own; /* our addresses (loop detection) */
	size_t nown;
	int ipc_timeout_ms;
	struct server *srv;
	/* The idle connection kept for the next request (smtp_cache.c). */
	struct smtp_sess *cache;
	char *cache_nexthop;
	uint64_t cache_timer; /* closes it when it has idled too long */
	/* The last TLS session, offered again to the same server. */
	struct buf tls_resume;
	char *tls_resume_relay;
};

/* One server to try. */
struct smtp_host {
	const char *name; /* host name, or the socket path */
	bool unix_path; /* LMTP over a UNIX socket */
	struct dns_addr addr;
	unsigned port;
	char addr_text[48];
};

/* One qmgr request. */
struct smtp_job {
	struct smtp_agent *ag;
	const struct deliver_request *req;
	int qfd;
	struct arena *arena;
	struct deliver_result *results; /* status unset while !final[i] */
	bool *final; /* recipient i has its result */
	uint64_t start_ms;
	const char *sasl_key; /* the next hop as written, for the
	                         smtp_sasl_password_maps lookup */
	bool has8bit; /* content holds octets over 127 (scanned lazily) */
	bool scanned;
};

/* Server extensions (EHLO keywords) we use. */
#define SMTP_EXT_PIPELINING 0x01u
#define SMTP_EXT_SIZE 0x02u
#define SMTP_EXT_8BITMIME 0x04u
#define SMTP_EXT_SMTPUTF8 0x08u
#define SMTP_EXT_DSN 0x10u
#define SMTP_EXT_STARTTLS 0x20u
#define SMTP_EXT_AUTH 0x40u
#define SMTP_EXT_ENHANCED 0x80u

/* One connection to one server; it may outlive a job (smtp_cache.c). */
struct smtp_sess {
	struct smtp_agent *ag;
	struct smtp_job *job; /* the job it works for now; NULL while the
	                         connection waits in the cache */
	struct smtp_host host; /* name in arena */
	int fd;
	struct stream st;
	struct tls_session *tls;
	struct smtp_reply_parser rp;
	struct arena *arena; /* the session's own strings (relay, host
	                        name, AUTH list); per-transaction ones
	                        go to the job's arena */
	unsigned ext; /* SMTP_EXT_* */
	uint64_t size_max; /* SIZE value; 0: none announced */
	const char *auth_mechs; /* AUTH keyword's list, or NULL */
	const char *relay; /* "name[addr]:port" for logs and reasons */
	const char *stage; /* the command in progress, for reasons */
	bool plain; /* TLS failed with this server: retry without */
	bool tls_failed; /* the handshake failed in this session */
	unsigned txns; /* transactions carried */
	bool broken; /* replies left unread: not to be reused */
};

/* ---- smtp_setup.c: server hooks ---- */

void smtp_setup_pre_jail(struct server *srv);
void smtp_setup_exit(struct server *srv);

/* ---- smtp_request.c: one qmgr request ---- */

/* SERVER_ONE_CLIENT on_client hook. */
void smtp_request_serve(struct server *srv, int fd);
/* Set recipient i's result (copied into the job's arena), unless it
 * has one, and log it. dsn's class picks the status. */
void smtp_request_result(struct smtp_job *job, size_t i, const char *relay,
    const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same for every recipient still without a result. */
void smtp_request_result_all(struct smtp_job *job, const char *relay,
    const char *dsn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Recipients still without a result. */
size_t smtp_request_pending(const struct smtp_job *job);

/* ---- smtp_nexthop.c: next hop to servers ---- */

/*
 * The servers for the job's next hop, in the order to try: MX hosts by
 * preference (random among equals) unless the name is [bracketed] or
 * there is no MX (then the name's own addresses), each host's
 * addresses; or one UNIX socket (LMTP "unix:/path"). 0 with at least
 * one host, or -1 with err (ERR_PERM for a domain that does not exist,
 * a null MX, mail looping back to us; ERR_TEMP for lookup failures
 * and a malformed next hop).
 */
int smtp_nexthop_hosts(struct smtp_job *job, struct smtp_host **hosts_out,
    size_t *n_out, struct err *err);

/* ---- smtp_conn.c: connections ---- */

/* Connect to host within smtp_connect_timeout. The descriptor, or -1
 * with err (ERR_TEMP). */
int smtp_conn_open(
    const struct smtp_agent *ag, const struct smtp_host *host, struct err *err);
/* Start a session's stream and reply parser on the connected fd. */
void smtp_conn_start(struct smtp_sess *s, int fd);
/* Queue a command line (CRLF added); smtp_conn_reply flushes. */
void smtp_conn_cmd(struct smtp_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Flush queued commands within timeout_s. 0, or -1 with err. */
int smtp_conn_flush(struct smtp_sess *s, long long timeout_s, struct err *err);
/* Read one whole reply within timeout_s (s->stage names the command
 * in errors). 0 with out filled, or -1 with err (ERR_TEMP). */
int smtp_conn_reply(struct smtp_sess *s, long long timeout_s,
    struct smtp_reply *out, struct err *err);
/* A reply's text as one line (lines joined by spaces) without control
 * octets, so no server text can break a log line or a DSN; in the
 * session arena. */
const char *smtp_conn_text(struct smtp_sess *s, const struct smtp_reply *r);
/* "host X[ip] said: 550 5.1.1 text (in reply to RCPT TO command)" as
 * the reason for a reply, in the session arena. */
const char *smtp_conn_said(struct smtp_sess *s, const struct smtp_reply *r);

/* ---- smtp_session.c: greeting, EHLO/LHLO/HELO, TLS, AUTH ---- */

/*
 * Run one session with host: open, greet, negotiate, and hand the
 * transaction to smtp_txn_run. 0 when the server took part in the
 * transaction (results are set); -1 with err when this server could
 * not be used and the next one should be tried; the err is permanent
 * when no server will do (policy: TLS required, loop).
 */
int smtp_session_run(
    struct smtp_job *job, const struct smtp_host *host, struct err *err);

/* Close a session (QUIT first when quit is set, with
 * smtp_quit_timeout) and free it. Nothing given NULL. */
void smtp_session_free(struct smtp_sess **sp, bool quit);

/* ---- smtp_cache.c: connection reuse ---- */

/*
 * Run the job over the connection kept for its next hop, if there is
 * one: RSET, then the transaction. 0 when every recipient has its
 * result; -1 when there was no usable connection or it failed (err
 * set, the recipients without a result go the normal way).
 */
int smtp_cache_run(struct smtp_job *job, struct err *err);
/* Keep s, whose transaction succeeded, for the next request to the
 * same next hop, or close it (limits, caching off). Takes s. */
void smtp_cache_put(struct smtp_sess *s);
/* Close the kept connection, if any (QUIT first). */
void smtp_cache_drop(struct smtp_agent *ag);

/* ---- smtp_login.c: AUTH to the relay host ---- */

/*
 * Authenticate with the credentials smtp_sasl_password_maps gives for
 * the next hop (PLAIN or LOGIN). 0 done or not needed; -1 with err.
 */
int smtp_login(struct smtp_sess *s, struct err *err);

/* ---- smtp_txn.c: MAIL, RCPT, DATA and the results ---- */

/* One transaction on a ready session: 0 when every recipient has its
 * result; -1 with err when the session failed first (the recipients
 * without a result may be tried at another server). */
int smtp_txn_run(struct smtp_sess *s, struct err *err);

/* ---- smtp_body.c: sending the content ---- */

/*
 * Send the content after the DATA reply: line ends as CR LF, leading
 * dots doubled, the final dot; converted to quoted-printable first when
 * convert is set (smtp/smtp_mime.h); only the final dot when empty is.
 * 0, or -1 with err.
 */
int smtp_body_send(
    struct smtp_sess *s, bool convert, bool empty, struct err *err);
/* Whether the content has 8-bit octets (scanned once per job). */
int smtp_body_has8bit(struct smtp_job *job, bool *out, struct err *err);

#endif

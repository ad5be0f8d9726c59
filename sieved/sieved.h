/* SPDX-License-Identifier: MIT */
/*
 * sieved's private header: the process state (struct sieved, built in
 * pre_jail/post_jail), the session (struct sieved_session, one per
 * client connection), and what each sieved_*.c file offers the others.
 * Nothing outside sieved/ includes it. Everything a session holds came
 * from the network and is untrusted, except what authd said.
 */
#ifndef SIEVED_SIEVED_H
#define SIEVED_SIEVED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/stream.h"
#include "managesieve/managesieve_cmd.h"
#include "store/sieve_store.h"
#include "tls/tls.h"

struct auth_client;
struct conf;
struct server;

/* ---- sieved_setup.c: the process ---- */

struct sieved {
	struct server *srv;
	const struct conf *conf; /* borrowed from the skeleton */
	struct auth_client *auth; /* connected before the jail */
	struct tls_ctx *tls; /* NULL: no STARTTLS */
	enum tls_level tls_level; /* sieved_tls_security_level */
	struct stat store; /* mail_store_directory, before the jail */
	bool jailed; /* chrooted to the mail store */
};

void sieved_setup_pre_jail(struct server *srv);
void sieved_setup_post_jail(struct server *srv);
void sieved_setup_exit(struct server *srv);

/* ---- sieved_session.c: one client ---- */

struct sieved_session {
	struct sieved *sd;
	const struct conf *conf;
	struct arena *arena; /* the session's lifetime */
	struct arena *cmd_arena; /* reset after each command */
	struct stream io;
	char addr[64]; /* the client's IP address, or "unknown" */
	struct managesieve_limits lim;
	struct tls_session *tls; /* NULL until STARTTLS succeeded */
	const char *user; /* NULL until AUTHENTICATE succeeded */
	struct sieve_store *store; /* the user's scripts, once logged in */
	/* Input to throw away after a protocol error. */
	size_t discard; /* octets */
	bool discard_eol; /* then up to the next line end */
	int errors;
	bool done; /* end the session after this command */
};

/* Serve one client on fd to the end (server on_client hook). */
void sieved_session_run(struct server *srv, int fd);
/*
 * Read the next line (a command when with_name, else an AUTHENTICATE
 * continuation) into *cmd (in cmd_arena): 1 read; 0 the session is
 * over (s->done set, logged); -1 a syntax error, already answered
 * with NO (or BYE when the input cannot be resynchronised).
 */
int sieved_session_read(
    struct sieved_session *s, bool with_name, struct managesieve_cmd *cmd);
/* A protocol error was answered: count it, end at the limit. */
void sieved_session_error(struct sieved_session *s);

/* ---- sieved_reply.c: responses (RFC 5804 §1.3, §4) ---- */

/* A string: quoted when short and plain, else a literal. */
void sieved_reply_string(
    struct sieved_session *s, const char *data, size_t len);
/*
 * "OK", "NO" or "BYE", then " (code)" when code is not NULL, then the
 * printf-formatted human text as a string when fmt is not NULL.
 */
void sieved_reply(struct sieved_session *s, const char *status,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* NO (TRYLATER) for a temporary failure, logged with the user. */
void sieved_reply_temp(struct sieved_session *s, const struct err *err);

/* ---- sieved_cmd.c: dispatch ---- */

/* Check state and arguments, run the command. */
void sieved_cmd_run(
    struct sieved_session *s, const struct managesieve_cmd *cmd);

/* ---- sieved_caps.c ---- */

/* The capability lines (no OK): greeting, CAPABILITY, after STARTTLS. */
void sieved_caps_write(struct sieved_session *s);

/* ---- command handlers: arguments already checked by sieved_cmd.c ---- */

/* sieved_tls.c */
void sieved_tls_setup(struct sieved *sd);
void sieved_tls_starttls(struct sieved_session *s);
/* At level encrypt before TLS: refuse AUTHENTICATE (true: answered). */
bool sieved_tls_refused(struct sieved_session *s);
void sieved_tls_end(struct sieved_session *s);

/* sieved_auth.c */
void sieved_auth_authenticate(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_auth_unauthenticate(struct sieved_session *s);
/* The SASL mechanisms to announce ("" when authd cannot say). */
void sieved_auth_mechanisms(struct sieved_session *s, struct buf *out);

/* sieved_script.c: the script commands of an authenticated session */
void sieved_script_put(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_check(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_list(struct sieved_session *s);
void sieved_script_get(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_delete(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_rename(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_setactive(
    struct sieved_session *s, const struct managesieve_cmd *cmd);
void sieved_script_havespace(
    struct sieved_session *s, const struct managesieve_cmd *cmd);

#endif

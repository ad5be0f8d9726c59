/* SPDX-License-Identifier: MIT */
/*
 * pipe's private header. pipe(8) delivers to an external command named
 * in its master.cf entry, Postfix style:
 *
 *   uucp unix - n n - - pipe flags=Fqhu user=uucp argv=uux -r -n -z
 *        -a$sender - $nexthop!rmail ($recipient)
 *
 * The process runs as the entry's user= (never root; DESIGN.md section
 * 3: "per-transport user"), unchrooted, one qmgr request at a time. It
 * writes the message, with the header lines its flags ask for, into an
 * anonymous memory file and runs the command with that as standard
 * input (core/command.h), once per recipient when the arguments name a
 * recipient, else once for all of them. docs/pipe.md is the admin's
 * view.
 */
#ifndef DELIVERY_PIPE_H
#define DELIVERY_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "ipc/deliver_proto.h"

struct conf;
struct server;

/* flags= letters (Postfix pipe(8)). */
enum {
	PIPE_F_FROM = 1u << 0, /* F: a "From sender date" first line */
	PIPE_F_RETURN_PATH = 1u << 1, /* R: Return-Path: */
	PIPE_F_DELIVERED_TO = 1u << 2, /* D: Delivered-To: */
	PIPE_F_ORIGINAL_TO = 1u << 3, /* O: X-Original-To: */
	PIPE_F_DOT = 1u << 4, /* .: a leading "." becomes ".." */
	PIPE_F_QUOTE_FROM = 1u << 5, /* >: a leading "From " gets ">" */
	PIPE_F_BLANK = 1u << 6, /* B: a blank line after the message */
	PIPE_F_LOWER_USER = 1u << 7, /* u: lowercase user macros */
	PIPE_F_LOWER_HOST = 1u << 8, /* h: lowercase domain macros */
	PIPE_F_FINAL = 1u << 9, /* X: final delivery (accepted) */
};

/* The entry's arguments, parsed once (pipe_args.c). */
struct pipe_args {
	unsigned flags;
	const char **argv; /* the command template, argv[0] a path */
	size_t argc;
	const char *eol; /* "\n" (default) or "\r\n" */
	uint64_t size_limit; /* size=: bytes, 0 = none */
	bool per_rcpt; /* the template names a recipient macro */
};

struct pipe {
	struct server *srv;
	const struct conf *conf;
	struct pipe_args args;
	const char *service; /* the transport name, for results */
	const char *user; /* whom commands run as, for the environment */
	int timeout_ms; /* qmgr's socket */
};

/* The recipient side of a command run (pipe_macro.c). */
struct pipe_rcpt_view {
	const char *address; /* NULL: a command for all recipients */
	const char *original; /* ORCPT address or the address */
};

/* ---- pipe_args.c ---- */

/*
 * Parse the master.cf arguments (flags=, user=, argv=, size=, eol=);
 * 0, or -1 with err naming the bad argument.
 */
int pipe_args_parse(const char *const *args, size_t nargs,
    struct pipe_args *out, struct err *err);

/* ---- pipe_macro.c ---- */

/*
 * Expand ${name} and $name in one template argument for one command run
 * (rv->address NULL: the recipient macros expand to every recipient of
 * the request, space separated). NULL, with err (ERR_PERM), for an
 * unknown macro.
 */
char *pipe_macro_expand(const struct pipe *p, const struct deliver_request *req,
    const char *tmpl, const struct pipe_rcpt_view *rv, struct arena *arena,
    struct err *err);
/* True when tmpl names a per-recipient macro. */
bool pipe_macro_per_rcpt(const char *tmpl);

/* ---- pipe_msg.c ---- */

/*
 * Write the message for one command run into a new memory file: the
 * lines the flags ask for, then the content with line ends made eol and
 * the quoting the flags ask for. The descriptor, or -1 with err.
 */
int pipe_msg_build(const struct pipe *p, const struct deliver_request *req,
    int qfd, const struct pipe_rcpt_view *rv, struct err *err);

/* ---- pipe_deliver.c ---- */

/* SERVER_ONE_CLIENT on_client hook. */
void pipe_deliver_serve(struct server *srv, int fd);

#endif

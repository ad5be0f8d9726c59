/* SPDX-License-Identifier: MIT */
/*
 * Private to sendmail(1) (tools/postern_sendmail*.c): the options, the
 * message being submitted, and the hand-over to postdrop.
 */
#ifndef TOOLS_POSTERN_SENDMAIL_H
#define TOOLS_POSTERN_SENDMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "queue/queue_env.h"

struct arena;
struct conf;
struct postern_ctx;

struct postern_sendmail {
	char mode; /* -b: 'm' deliver, 'p' list, 'i' aliases, 's' SMTP;
	              'q' flush */
	bool dot_ends; /* a line "." ends the input (no -i / -oi) */
	bool extract; /* -t */
	const char *sender; /* -f / -r, else the login name */
	const char *fullname; /* -F */
	const char *envid; /* -V */
	unsigned notify; /* -N, enum queue_notify bits */
	enum queue_ret ret; /* -R */
	char **rcpts; /* command-line recipients (borrowed from argv) */
	size_t nrcpts;
};

/* One message on its way to postdrop. */
struct postern_sendmail_msg {
	const struct conf *conf;
	struct arena *arena; /* addresses */
	struct buf content;
	struct queue_env env;
	size_t rcpt_cap;
};

void postern_sendmail_msg_init(struct postern_sendmail_msg *m,
    const struct conf *conf);
void postern_sendmail_msg_deinit(struct postern_sendmail_msg *m);
/* Add a recipient (qualified with $myorigin, duplicates dropped). */
void postern_sendmail_add_rcpt(struct postern_sendmail_msg *m,
    const char *address, unsigned notify);
/* The envelope sender, qualified; "" or "<>" is the null sender. */
const char *postern_sendmail_qualify(struct postern_sendmail_msg *m,
    const char *address);

/*
 * Read the message from in (to EOF, or to a "." line unless -i), within
 * message_size_limit. 0, or an exit status after printing why.
 */
int postern_sendmail_read(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m, FILE *in);
/*
 * Envelope and headers: -t recipients from To/Cc/Bcc (Bcc removed), a
 * From: with -F when there is none. 0, or an exit status.
 */
int postern_sendmail_build(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m);
/* Hand the message to postdrop; its exit status. */
int postern_sendmail_postdrop(const struct conf *conf,
    struct postern_sendmail_msg *m);
/*
 * Run $daemon_directory/postdrop -q $queue_directory [flag] with the
 * parts on its standard input; returns its exit status (sysexits.h).
 */
int postern_sendmail_run_postdrop(const struct conf *conf, const char *flag,
    const struct buf *const *parts, size_t nparts);

/* sendmail -bs: SMTP on stdin/stdout (tools/postern_sendmail_smtp.c). */
int postern_sendmail_smtp(struct postern_ctx *ctx,
    const struct postern_sendmail *sm);

#endif

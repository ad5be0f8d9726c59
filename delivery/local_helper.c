/* SPDX-License-Identifier: MIT */
/*
 * local's side of the helper (local_helper.h): start it in pre_jail,
 * hand it the COMMAND and FILE targets with the message, take its
 * verdicts. local is not root once it serves mail, so it cannot run
 * anything as default_privs itself; the helper, forked while local
 * still was root, already is default_privs and nothing more. A command
 * gets the copy a mailbox would (local's header fields, LF line ends);
 * a file gets it in mbox form: a "From sender date" line first, body
 * lines starting with "From " (after any '>') quoted with one more '>',
 * an empty line last (the mboxrd convention).
 */
#include "local_helper.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/ipc_sock.h"
#include "msg/address.h"
#include "server/server.h"

/* Beyond the command's own limit, for the helper to answer. */
#define LOCAL_HELPER_GRACE_MS (30 * 1000)

struct local_helper {
	pid_t pid;
	int fd;
};

/* Streams the copy to the helper in data frames. */
struct local_helper_out {
	int fd;
	int timeout_ms;
	bool mbox;
	struct buf line; /* mbox: the current line, for quoting */
	struct buf chunk; /* bytes for the next data frame */
};

struct local_helper *
local_helper_start(const struct conf *conf)
{
	struct local_helper *h;
	pid_t pid, parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warning_errno(errno, "helper: socketpair");
		return NULL;
	}
	if ((pid = fork()) < 0) {
		log_warning_errno(errno, "helper: fork");
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		close(sv[0]);
		local_helper_main(conf, sv[1], parent);
	}
	close(sv[1]);
	h = xcalloc(1, sizeof(*h));
	h->pid = pid;
	h->fd = sv[0];
	return h;
}

void
local_helper_stop(struct local_helper **hp)
{
	struct local_helper *h = *hp;

	if (h == NULL)
		return;
	/* EOF ends an idle helper; a running command dies with it. */
	close(h->fd);
	kill(h->pid, SIGTERM);
	while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(h);
	*hp = NULL;
}

/* Send the queued bytes as data frames of at most a chunk each. */
static int
local_helper_flush(struct local_helper_out *o, struct err *err)
{
	struct ipc_msg msg;
	size_t off, n;
	int rc = 0;

	ipc_msg_init(&msg);
	for (off = 0; rc == 0 && off < o->chunk.len; off += n) {
		n = o->chunk.len - off;
		if (n > LOCAL_HELPER_CHUNK)
			n = LOCAL_HELPER_CHUNK;
		ipc_msg_reset(&msg);
		ipc_msg_add_str(&msg, "req", "data");
		ipc_msg_add(&msg, "data", o->chunk.data + off, n);
		ipc_msg_finish(&msg);
		rc = ipc_sock_send(o->fd, &msg, o->timeout_ms, err);
	}
	ipc_msg_deinit(&msg);
	buf_reset(&o->chunk);
	return rc;
}

/* Queue bytes of the copy; whole lines get mboxrd quoting first. */
static int
local_helper_put(void *ctx, const char *data, size_t len, struct err *err)
{
	struct local_helper_out *o = ctx;
	const char *nl, *p;

	while (len > 0) {
		if (!o->mbox) {
			buf_append(&o->chunk, data, len);
			len = 0;
		} else {
			nl = memchr(data, '\n', len);
			size_t take =
			    nl != NULL ? (size_t)(nl - data) + 1 : len;

			buf_append(&o->line, data, take);
			data += take;
			len -= take;
			if (nl == NULL)
				break;
			for (p = o->line.data; *p == '>'; p++)
				;
			if (strncmp(p, "From ", 5) == 0)
				buf_putc(&o->chunk, '>');
			buf_append(&o->chunk, o->line.data, o->line.len);
			buf_reset(&o->line);
		}
		if (o->chunk.len >= LOCAL_HELPER_CHUNK &&
		    local_helper_flush(o, err) != 0)
			return -1;
	}
	return 0;
}

/* The first frame of a job: kind, target, limit, environment. */
static void
local_helper_job_msg(
    struct local_req *r, const struct local_target *t, struct ipc_msg *msg)
{
	const struct conf *conf = r->lc->conf;
	struct address_parts p;
	char *s;

	ipc_msg_add_str(
	    msg, "req", t->kind == LOCAL_TARGET_COMMAND ? "command" : "file");
	ipc_msg_add_str(msg, "target", t->path);
	ipc_msg_add_num(msg, "time_limit", conf->command_time_limit);
	ipc_msg_add_str(msg, "env_sender", r->req->env.sender);
	ipc_msg_add_str(msg, "env_recipient", t->address);
	ipc_msg_add_str(
	    msg, "env_original_recipient", r->req->env.rcpts[t->rcpt].address);
	address_split(
	    t->address, strlen(t->address), conf->recipient_delimiter, &p);
	s = arena_strndup(r->arena, t->address,
	    p.domain != NULL ? (size_t)(p.domain - t->address) - 1
	                     : strlen(t->address));
	ipc_msg_add_str(msg, "env_local", s);
	if (p.domain != NULL)
		ipc_msg_add_str(msg, "env_domain",
		    arena_strndup(r->arena, p.domain, p.domain_len));
	if (p.ext != NULL)
		ipc_msg_add_str(msg, "env_extension",
		    arena_strndup(r->arena, p.ext, p.ext_len));
}

/* Send one job's frames: 0 or -1 with err (the helper is lost). */
static int
local_helper_send(struct local_req *r, const struct local_target *t,
    struct local_helper_out *o, struct err *err)
{
	struct buf head;
	struct ipc_msg msg;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	ipc_msg_init(&msg);
	local_helper_job_msg(r, t, &msg);
	ipc_msg_finish(&msg);
	rc = ipc_sock_send(o->fd, &msg, o->timeout_ms, err);
	buf_init(&head);
	if (o->mbox) {
		/* The asctime(3) layout the mbox From_ line has always had. */
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
		    localtime_r(&now, &tm));
		buf_printf(&head, "From %s  %s\n",
		    r->req->env.sender[0] != '\0' ? r->req->env.sender
		                                  : "MAILER-DAEMON",
		    date);
		buf_append(&o->chunk, head.data, head.len);
	}
	local_header_block(r, t->rcpt, "\n", &head);
	if (rc == 0)
		rc = local_helper_put(o, head.data, head.len, err);
	if (rc == 0)
		rc = local_msg_copy(&r->msg, true, local_helper_put, o, err);
	if (rc == 0 && o->mbox) {
		/* An unterminated last line, then the separating blank. */
		if (o->line.len > 0)
			rc = local_helper_put(o, "\n", 1, err);
		buf_putc(&o->chunk, '\n');
	}
	if (rc == 0)
		rc = local_helper_flush(o, err);
	ipc_msg_reset(&msg);
	ipc_msg_add_str(&msg, "req", "end");
	ipc_msg_finish(&msg);
	if (rc == 0)
		rc = ipc_sock_send(o->fd, &msg, o->timeout_ms, err);
	ipc_msg_deinit(&msg);
	buf_deinit(&head);
	return rc;
}

/* Run one target; false when the helper broke and was stopped. */
static bool
local_helper_one(struct local_req *r, struct local_target *t)
{
	struct local_helper *h = r->lc->helper;
	struct local_helper_out o = {
	    .fd = h->fd, .mbox = t->kind == LOCAL_TARGET_FILE};
	const char *dsn, *reason;
	struct ipc_reader rd;
	struct err err;
	int rc;

	o.timeout_ms = (int)(r->lc->conf->command_time_limit * 1000) +
	    LOCAL_HELPER_GRACE_MS;
	buf_init(&o.line);
	buf_init(&o.chunk);
	ipc_reader_init(&rd);
	rc = local_helper_send(r, t, &o, &err);
	if (rc == 0)
		rc = ipc_sock_recv(
		    h->fd, &rd, IPC_FRAME_MAX_DEFAULT, o.timeout_ms, &err);
	if (rc == 0 &&
	    (ipc_get_str(&rd, "status", true, &dsn, &err) < 0 ||
	        ipc_get_str(&rd, "reason", true, &reason, &err) < 0 ||
	        (dsn[0] != '2' && dsn[0] != '4' && dsn[0] != '5')))
		rc = err_set(&err, ERR_TEMP, "4.3.0", "bad helper reply");
	if (rc == 0)
		local_target_done(r, t, dsn, "%s", reason);
	else
		local_target_done(r, t, "4.3.0", "helper: %s", err.text);
	ipc_reader_deinit(&rd);
	buf_deinit(&o.chunk);
	buf_deinit(&o.line);
	return rc == 0;
}

void
local_helper_deliver(struct local_req *r)
{
	struct local_target *t;
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		t = &r->targets[i];
		if ((t->kind != LOCAL_TARGET_COMMAND &&
		        t->kind != LOCAL_TARGET_FILE) ||
		    t->resolved_done)
			continue;
		if (r->lc->helper == NULL) {
			local_target_done(r, t, "4.3.0",
			    "command and file "
			    "deliveries are unavailable (no helper process)");
			continue;
		}
		if (!local_helper_one(r, t)) {
			/* Out of step or gone: start over next process. */
			local_helper_stop(&r->lc->helper);
			server_stop(r->lc->srv);
		}
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * The message sendmail(1) submits: reading it (a "." line ends it unless
 * -i), recipients from the command line or, with -t, from To:, Cc: and
 * Bcc: (Bcc: is then removed, as RFC 5322 section 3.6.3 intends), and
 * the hand-over to postdrop: on its standard input a 4-byte big-endian
 * length, the envelope as queue records (queue/queue_env.h), then the
 * content. postdrop and pickup check all of it again: this side runs as
 * the user and is not trusted.
 */
#include "postern_sendmail.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/xmalloc.h"
#include "msg/address_list.h"
#include "msg/header.h"
#include "postern.h"

#define POSTERN_SENDMAIL_MAX_RCPTS 10000

void
postern_sendmail_msg_init(struct postern_sendmail_msg *m,
    const struct conf *conf)
{
	memset(m, 0, sizeof(*m));
	m->conf = conf;
	m->arena = arena_new();
	buf_init(&m->content);
	m->env.sender = "";
}

void
postern_sendmail_msg_deinit(struct postern_sendmail_msg *m)
{
	free(m->env.rcpts);
	buf_deinit(&m->content);
	arena_free(&m->arena);
}

const char *
postern_sendmail_qualify(struct postern_sendmail_msg *m, const char *address)
{
	size_t len = strlen(address);

	/* "<a@b>" as some programs pass it. */
	if (len >= 2 && address[0] == '<' && address[len - 1] == '>')
		address = arena_strndup(m->arena, address + 1, len - 2);
	if (address[0] == '\0' || strchr(address, '@') != NULL)
		return address;
	return arena_printf(m->arena, "%s@%s", address, m->conf->myorigin);
}

void
postern_sendmail_add_rcpt(struct postern_sendmail_msg *m, const char *address,
    unsigned notify)
{
	const char *q = postern_sendmail_qualify(m, address);
	size_t i;

	if (q[0] == '\0')
		return;
	for (i = 0; i < m->env.nrcpt; i++)
		if (strcasecmp(m->env.rcpts[i].address, q) == 0)
			return;
	if (m->env.nrcpt == m->rcpt_cap) {
		m->rcpt_cap = m->rcpt_cap ? 2 * m->rcpt_cap : 8;
		m->env.rcpts = xreallocarray(
		    m->env.rcpts, m->rcpt_cap, sizeof(*m->env.rcpts));
	}
	memset(&m->env.rcpts[m->env.nrcpt], 0, sizeof(*m->env.rcpts));
	m->env.rcpts[m->env.nrcpt].address = q;
	m->env.rcpts[m->env.nrcpt++].notify = notify;
}

int
postern_sendmail_read(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m, FILE *in)
{
	long long limit = m->conf->message_size_limit;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) > 0) {
		if (sm->dot_ends &&
		    (strcmp(line, ".\n") == 0 || strcmp(line, ".\r\n") == 0 ||
		        (n == 1 && line[0] == '.')))
			break;
		buf_append(&m->content, line, (size_t)n);
		if (limit > 0 && m->content.len > (size_t)limit) {
			free(line);
			postern_error("sendmail: message larger than "
			              "message_size_limit (%lld bytes)",
			    limit);
			return EX_DATAERR;
		}
	}
	free(line);
	if (ferror(in)) {
		postern_error("sendmail: reading the message: %s",
		    strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

static bool
postern_sendmail_is(const struct header_event *ev, const char *name)
{
	return ev->name_len == strlen(name) &&
	    strncasecmp(ev->name, name, ev->name_len) == 0;
}

/* Recipients of one To/Cc/Bcc field. 0 or an exit status. */
static int
postern_sendmail_field_rcpts(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m, const struct header_event *ev)
{
	struct address_list list;
	struct err err;
	size_t i;

	if (address_list_parse(ev->value, ev->value_len, ADDRESS_SMTPUTF8,
	        POSTERN_SENDMAIL_MAX_RCPTS, &list, m->arena, &err) < 0) {
		postern_error("sendmail: -t: %.*s: %s", (int)ev->name_len,
		    ev->name, err.text);
		return EX_DATAERR;
	}
	for (i = 0; i < list.count; i++)
		if (!list.items[i].empty)
			postern_sendmail_add_rcpt(m,
			    address_internal(&list.items[i].addr, m->arena),
			    sm->notify);
	return 0;
}

/* One pass over the headers: -t recipients, Bcc removed, From seen. */
static int
postern_sendmail_headers(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m, struct buf *out, bool *has_from)
{
	const struct header_limits lim = {
	    .line_max = 65536, .count_max = 10000, .size_max = 1 << 20};
	struct header_parser p;
	struct header_event ev;
	struct err err;
	int rc = 0, next;

	header_init(&p, &lim);
	header_feed(&p, m->content.data, m->content.len);
	header_finish(&p);
	while (rc == 0 && (next = header_next(&p, &ev, &err)) == 1) {
		if (ev.kind == HEADER_EV_FIELD) {
			bool bcc = postern_sendmail_is(&ev, "Bcc");

			*has_from |= postern_sendmail_is(&ev, "From");
			if (sm->extract &&
			    (bcc || postern_sendmail_is(&ev, "To") ||
			        postern_sendmail_is(&ev, "Cc")))
				rc = postern_sendmail_field_rcpts(sm, m, &ev);
			if (!(sm->extract && bcc))
				buf_append(out, ev.raw, ev.raw_len);
		} else if (ev.kind == HEADER_EV_END) {
			/* The empty line that ended the headers. */
			if (!ev.malformed && !ev.eof)
				buf_puts(out, "\n");
		} else
			buf_append(out, ev.raw, ev.raw_len);
	}
	if (rc == 0 && next < 0) {
		postern_error("sendmail: message headers: %s", err.text);
		rc = EX_DATAERR;
	}
	header_deinit(&p);
	return rc;
}

int
postern_sendmail_build(const struct postern_sendmail *sm,
    struct postern_sendmail_msg *m)
{
	struct buf out;
	bool has_from = false;
	size_t i;
	int rc;

	m->env.sender = postern_sendmail_qualify(m, sm->sender);
	m->env.envid = sm->envid;
	m->env.ret = sm->ret;
	for (i = 0; i < sm->nrcpts; i++)
		postern_sendmail_add_rcpt(m, sm->rcpts[i], sm->notify);
	buf_init(&out);
	rc = postern_sendmail_headers(sm, m, &out, &has_from);
	if (rc == 0 && sm->fullname != NULL && !has_from) {
		struct buf from;

		/* A quoted-string display name (RFC 5322 section 3.2.4). */
		buf_init(&from);
		buf_puts(&from, "From: \"");
		for (i = 0; sm->fullname[i] != '\0'; i++) {
			if (sm->fullname[i] == '"' || sm->fullname[i] == '\\')
				buf_putc(&from, '\\');
			if (sm->fullname[i] != '\n' && sm->fullname[i] != '\r')
				buf_putc(&from, sm->fullname[i]);
		}
		buf_printf(&from, "\" <%s>\n", m->env.sender);
		buf_append(&from, out.data, out.len);
		buf_deinit(&out);
		out = from;
	}
	if (rc == 0) {
		buf_deinit(&m->content);
		m->content = out;
	} else
		buf_deinit(&out);
	if (rc == 0 && m->env.nrcpt == 0) {
		postern_error("sendmail: no recipients found");
		rc = EX_USAGE;
	}
	return rc;
}

int
postern_sendmail_postdrop(const struct conf *conf,
    struct postern_sendmail_msg *m)
{
	struct buf env;
	const struct buf *parts[2] = {&env, &m->content};
	struct err err;
	uint32_t len;
	int rc;

	buf_init(&env);
	buf_append(&env, "\0\0\0\0", 4);
	if (queue_env_encode(&m->env, &env, &err) < 0) {
		buf_deinit(&env);
		postern_error("sendmail: %s", err.text);
		return EX_DATAERR;
	}
	len = (uint32_t)(env.len - 4);
	env.data[0] = (char)(len >> 24);
	env.data[1] = (char)(len >> 16);
	env.data[2] = (char)(len >> 8);
	env.data[3] = (char)len;
	rc = postern_sendmail_run_postdrop(conf, NULL, parts, 2);
	buf_deinit(&env);
	return rc;
}

static void
postern_sendmail_write_all(int fd, const struct buf *const *parts,
    size_t nparts)
{
	size_t i, off;
	ssize_t n;

	for (i = 0; i < nparts; i++)
		for (off = 0; off < parts[i]->len; off += (size_t)n) {
			n = write(fd, parts[i]->data + off, parts[i]->len - off);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			/* postdrop gave up: its exit status says why. */
			if (n <= 0)
				return;
		}
}

int
postern_sendmail_run_postdrop(const struct conf *conf, const char *flag,
    const struct buf *const *parts, size_t nparts)
{
	char *path = xasprintf("%s/postdrop", conf->daemon_directory);
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) < 0) {
		free(path);
		postern_error("sendmail: pipe: %s", strerror(errno));
		return EX_OSERR;
	}
	if ((pid = fork()) < 0) {
		postern_error("sendmail: fork: %s", strerror(errno));
		free(path);
		return EX_OSERR;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		signal(SIGPIPE, SIG_DFL);
		execl(path, "postdrop", "-q", conf->queue_directory, flag,
		    (char *)NULL);
		postern_error("sendmail: cannot run %s: %s", path,
		    strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	free(path);
	close(fds[0]);
	postern_sendmail_write_all(fds[1], parts, nparts);
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EX_OSERR;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	postern_error("sendmail: postdrop was killed by signal %d",
	    WTERMSIG(status));
	return EX_SOFTWARE;
}

/* SPDX-License-Identifier: MIT */
/*
 * One ManageSieve session, from the greeting (the capabilities, then
 * OK) to LOGOUT, a time-out, the error limit or a lost connection. The
 * session owns an arena for its lifetime and one per command. Input is
 * raw network data, parsed by managesieve/managesieve_cmd.h; after a
 * syntax error the rest of the bad line, or the whole of an oversize
 * literal, is thrown away unread.
 */
#include "sieved.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/peer_addr.h"
#include "core/xmalloc.h"
#include "ipc/auth_client.h"
#include "server/server.h"

/* Longest line outside literals: room for a quoted SASL response. */
#define SIEVED_LINE_MAX (AUTH_SASL_B64_MAX + 1024)
#define SIEVED_ARGS_MAX 4

void
sieved_session_error(struct sieved_session *s)
{
	if (++s->errors < s->conf->sieved_hard_error_limit)
		return;
	sieved_reply(s, "BYE", NULL, "Too many errors");
	log_info("too many errors from [%s]", s->addr);
	s->done = true;
}

/* The connection failed or timed out: say so if we can, and end. */
static void
sieved_session_lost(struct sieved_session *s, int errnum)
{
	if (errnum == ETIMEDOUT) {
		sieved_reply(s, "BYE", NULL, "Disconnected for inactivity");
		(void)stream_flush(&s->io);
		log_info("timeout from [%s]", s->addr);
	} else {
		log_info("lost connection from [%s]", s->addr);
	}
	s->done = true;
}

/* Throw away input after an error; true when something was dropped. */
static bool
sieved_session_skip(struct sieved_session *s, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	if (s->discard > 0) {
		n = len < s->discard ? len : s->discard;
		stream_consume(&s->io, n);
		s->discard -= n;
		return true;
	}
	if (!s->discard_eol)
		return false;
	nl = memchr(data, '\n', len);
	stream_consume(&s->io, nl != NULL ? (size_t)(nl - data) + 1 : len);
	s->discard_eol = nl == NULL;
	return true;
}

/* Answer a syntax error and arrange the skip. */
static void
sieved_session_bad(struct sieved_session *s, size_t len, size_t skip, bool eol,
    const struct err *err)
{
	if (skip == SIZE_MAX) {
		sieved_reply(s, "BYE", NULL, "%s", err->text);
		s->done = true;
		return;
	}
	stream_consume(&s->io, skip < len ? skip : len);
	s->discard = skip < len ? 0 : skip - len;
	s->discard_eol = eol;
	/* The parser's only error that skips a literal whole. */
	sieved_reply(s, "NO",
	    strcmp(err->text, "literal too large") == 0 ? "QUOTA/MAXSIZE"
	                                                : NULL,
	    "%s", err->text);
	sieved_session_error(s);
}

int
sieved_session_read(
    struct sieved_session *s, bool with_name, struct managesieve_cmd *cmd)
{
	const char *data;
	size_t len, skip;
	struct err err;
	bool eol;
	int rc;

	while (!s->done) {
		data = stream_peek(&s->io, &len);
		if (len > 0 && sieved_session_skip(s, data, len))
			continue;
		rc = managesieve_cmd_parse(data, len, with_name, &s->lim, cmd,
		    s->cmd_arena, &skip, &eol, &err);
		if (rc == 1) {
			stream_consume(&s->io, cmd->consumed);
			return 1;
		}
		if (rc < 0) {
			sieved_session_bad(s, len, skip, eol, &err);
			return -1;
		}
		/* Answer what was pipelined before waiting for more. */
		if (stream_flush(&s->io) != 0) {
			sieved_session_lost(s, errno);
			break;
		}
		if ((rc = stream_fill(&s->io)) <= 0)
			sieved_session_lost(s, rc == 0 ? 0 : errno);
	}
	return 0;
}

static struct sieved_session *
sieved_session_new(struct sieved *sd, int fd)
{
	struct sieved_session *s = xcalloc(1, sizeof(*s));
	size_t script_max = (size_t)sd->conf->sieve_max_script_size;

	s->sd = sd;
	s->conf = sd->conf;
	s->arena = arena_new();
	s->cmd_arena = arena_new();
	stream_init(&s->io, fd, (int)(s->conf->sieved_timeout * 1000));
	s->lim.line_max = SIEVED_LINE_MAX;
	s->lim.quoted_max = AUTH_SASL_B64_MAX;
	s->lim.literal_max =
	    script_max > AUTH_SASL_B64_MAX ? script_max : AUTH_SASL_B64_MAX;
	s->lim.args_max = SIEVED_ARGS_MAX;
	peer_addr(fd, s->addr, sizeof(s->addr));
	return s;
}

static void
sieved_session_free(struct sieved_session **sp)
{
	struct sieved_session *s = *sp;

	sieve_store_free(&s->store);
	stream_deinit(&s->io);
	tls_session_free(&s->tls);
	arena_free(&s->cmd_arena);
	arena_free(&s->arena);
	free(s);
	*sp = NULL;
}

void
sieved_session_run(struct server *srv, int fd)
{
	struct sieved_session *s = sieved_session_new(server_ctx(srv), fd);
	struct managesieve_cmd cmd;

	log_info("connect from [%s]", s->addr);
	sieved_caps_write(s);
	sieved_reply(s, "OK", NULL, "%s ManageSieve ready", s->conf->mail_name);
	while (!s->done) {
		if (sieved_session_read(s, true, &cmd) == 1)
			sieved_cmd_run(s, &cmd);
		arena_reset(s->cmd_arena);
	}
	(void)stream_flush(&s->io);
	sieved_tls_end(s);
	log_info("disconnect from [%s]%s%s", s->addr,
	    s->user != NULL ? " user=" : "", s->user != NULL ? s->user : "");
	sieved_session_free(&s);
}

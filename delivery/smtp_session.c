/* SPDX-License-Identifier: MIT */
/*
 * One session with one server: the greeting, EHLO (HELO when EHLO is
 * refused; LHLO for LMTP) and its extensions, STARTTLS by
 * smtp_tls_security_level, AUTH to the relay, then the transaction
 * (smtp_txn.c) and QUIT. A server that cannot be used (no connection,
 * no greeting, TLS required but missing) makes the caller try the next
 * one; an SMTP greeting that names us means the mail would loop.
 */
#include "smtp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* One extension line of an EHLO/LHLO reply (RFC 5321 4.1.1.1). */
static void
smtp_session_ext_line(struct smtp_sess *s, const char *line, size_t len)
{
	static const struct {
		const char *word;
		unsigned bit;
	} words[] = {
	    {"PIPELINING", SMTP_EXT_PIPELINING},
	    {"SIZE", SMTP_EXT_SIZE},
	    {"8BITMIME", SMTP_EXT_8BITMIME},
	    {"SMTPUTF8", SMTP_EXT_SMTPUTF8},
	    {"DSN", SMTP_EXT_DSN},
	    {"STARTTLS", SMTP_EXT_STARTTLS},
	    {"AUTH", SMTP_EXT_AUTH},
	    {"ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCED},
	};
	const char *arg;
	size_t i, wlen;

	for (wlen = 0; wlen < len && line[wlen] != ' '; wlen++)
		;
	arg = arena_strndup(s->arena, line + wlen, len - wlen);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strlen(words[i].word) != wlen ||
		    strncasecmp(line, words[i].word, wlen) != 0)
			continue;
		s->ext |= words[i].bit;
		if (words[i].bit == SMTP_EXT_SIZE)
			s->size_max = strtoull(arg, NULL, 10);
		if (words[i].bit == SMTP_EXT_AUTH)
			s->auth_mechs = arg;
	}
}

/* Record the extensions; the first line is the greeting text. */
static void
smtp_session_ext(struct smtp_sess *s, const struct smtp_reply *r)
{
	const char *p = r->text, *end = r->text + r->text_len, *eol;

	s->ext = 0;
	s->size_max = 0;
	s->auth_mechs = NULL;
	while ((eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p = eol + 1;
		eol = memchr(p, '\n', (size_t)(end - p));
		smtp_session_ext_line(
		    s, p, (size_t)((eol != NULL ? eol : end) - p));
	}
}

/* EHLO or LHLO, falling back to HELO for SMTP. 0, or -1 with err. */
static int
smtp_session_helo(struct smtp_sess *s, struct err *err)
{
	const struct conf *conf = s->job->ag->conf;
	struct smtp_reply r;

	s->stage = s->job->ag->lmtp ? "LHLO" : "EHLO";
	smtp_conn_cmd(s, "%s %s", s->stage, conf->smtp_helo_name);
	if (smtp_conn_reply(s, conf->smtp_helo_timeout, &r, err) != 0)
		return -1;
	if (r.code / 100 == 2) {
		smtp_session_ext(s, &r);
		return 0;
	}
	if (s->job->ag->lmtp)
		goto refused;
	s->stage = "HELO";
	smtp_conn_cmd(s, "HELO %s", conf->smtp_helo_name);
	if (smtp_conn_reply(s, conf->smtp_helo_timeout, &r, err) != 0)
		return -1;
	s->ext = 0;
	if (r.code / 100 == 2)
		return 0;
refused:
	return err_set(err, ERR_TEMP, "4.0.0", "%s", smtp_conn_said(s, &r));
}

/* Offer the TLS session kept from the last connection to this server
 * (RFC 8446 2.2), which saves the expensive part of the handshake. */
static void
smtp_session_resume(struct smtp_sess *s)
{
	struct smtp_agent *ag = s->ag;
	struct err err;

	if (ag->tls_resume_relay == NULL ||
	    strcmp(ag->tls_resume_relay, s->relay) != 0)
		return;
	if (tls_session_import(
	        s->tls, ag->tls_resume.data, ag->tls_resume.len, &err) != 0)
		log_debug("%s: %s", s->relay, err.text);
}

/* Keep the session's TLS session for the next connection. */
static void
smtp_session_keep_tls(struct smtp_sess *s)
{
	struct smtp_agent *ag = s->ag;

	buf_reset(&ag->tls_resume);
	free(ag->tls_resume_relay);
	ag->tls_resume_relay = NULL;
	if (tls_session_export(s->tls, &ag->tls_resume) == 1)
		ag->tls_resume_relay = xstrdup(s->relay);
}

/* STARTTLS and the handshake, then EHLO again (RFC 3207 4.2). */
static int
smtp_session_tls(struct smtp_sess *s, struct err *err)
{
	const struct smtp_agent *ag = s->job->ag;
	/* An address as the name sends no SNI (tls_session_client_new) and
	 * fails at level verify, as it must: there is no name to check. */
	const char *name = s->host.unix_path ? NULL : s->host.name;
	struct smtp_reply r;
	struct buf how;

	s->stage = "STARTTLS";
	smtp_conn_cmd(s, "STARTTLS");
	if (smtp_conn_reply(s, ag->conf->smtp_starttls_timeout, &r, err) != 0)
		return -1;
	if (r.code != 220) {
		if (ag->tls_level == TLS_LEVEL_MAY)
			return 0;
		return err_set(err, ERR_TEMP, "4.7.5",
		    "TLS is required, but %s", smtp_conn_said(s, &r));
	}
	if ((s->tls = tls_session_client_new(ag->tls, s->fd, name, err)) ==
	    NULL)
		return -1;
	smtp_session_resume(s);
	s->st.timeout_ms = (int)(ag->conf->smtp_starttls_timeout * 1000);
	if (tls_stream_start(&s->st, s->tls, NULL, err) != 0) {
		s->tls_failed = true;
		err_prefix(err, "TLS with %s", s->relay);
		return -1;
	}
	buf_init(&how);
	tls_session_describe(s->tls, &how);
	log_info("%s TLS connection established to %s: %s%s",
	    tls_session_trust(s->tls), s->relay, how.data,
	    tls_session_reused(s->tls) ? " (resumed)" : "");
	buf_deinit(&how);
	return smtp_session_helo(s, err);
}

/* Apply smtp_tls_security_level. 0, or -1 with err. */
static int
smtp_session_tls_policy(struct smtp_sess *s, struct err *err)
{
	const struct smtp_agent *ag = s->job->ag;

	if (ag->tls_level == TLS_LEVEL_NONE || s->plain)
		return 0;
	if (ag->tls == NULL && ag->tls_level == TLS_LEVEL_MAY)
		return 0;
	if (ag->tls == NULL)
		return err_set(err, ERR_TEMP, "4.7.5",
		    "TLS is required, but the TLS client could not be set up "
		    "(see the log)");
	if ((s->ext & SMTP_EXT_STARTTLS) != 0)
		return smtp_session_tls(s, err);
	if (ag->tls_level == TLS_LEVEL_MAY)
		return 0;
	return err_set(err, ERR_TEMP, "4.7.4",
	    "TLS is required, but was not offered by host %s", s->relay);
}

/* The greeting; for SMTP, a 220 that names us is a loop (an LMTP
 * server is often on this very host, as Postfix also assumes). */
static int
smtp_session_greeting(struct smtp_sess *s, struct err *err)
{
	const struct conf *conf = s->job->ag->conf;
	size_t hlen = strlen(conf->myhostname);
	struct smtp_reply r;

	s->stage = "initial greeting";
	if (smtp_conn_reply(s, conf->smtp_helo_timeout, &r, err) != 0)
		return -1;
	if (r.code != 220)
		return err_set(err, ERR_TEMP, "4.0.0",
		    "host %s refused to talk to me: %d %s", s->relay, r.code,
		    smtp_conn_text(s, &r));
	if (!s->job->ag->lmtp && r.text_len >= hlen &&
	    strncasecmp(r.text, conf->myhostname, hlen) == 0 &&
	    (r.text_len == hlen || r.text[hlen] == ' ' || r.text[hlen] == '\n'))
		return err_set(err, ERR_PERM, "5.4.6",
		    "mail for %s loops back to myself", s->job->req->nexthop);
	return 0;
}

static int
smtp_session_talk(struct smtp_sess *s, struct err *err)
{
	if (smtp_session_greeting(s, err) != 0 ||
	    smtp_session_helo(s, err) != 0 ||
	    smtp_session_tls_policy(s, err) != 0 || smtp_login(s, err) != 0 ||
	    smtp_txn_run(s, err) != 0)
		return -1;
	return 0;
}

void
smtp_session_free(struct smtp_sess **sp, bool quit)
{
	struct smtp_sess *s = *sp;
	struct smtp_reply r;
	struct err err;

	if (s == NULL)
		return;
	if (quit) {
		s->stage = "QUIT";
		smtp_conn_cmd(s, "QUIT");
		(void)smtp_conn_reply(
		    s, s->ag->conf->smtp_quit_timeout, &r, &err);
	}
	if (s->tls != NULL && !s->tls_failed)
		smtp_session_keep_tls(s);
	if (s->tls != NULL)
		tls_session_shutdown(s->tls);
	stream_deinit(&s->st);
	tls_session_free(&s->tls);
	close(s->fd);
	arena_free(&s->arena);
	free(s);
	*sp = NULL;
}

/* One connection to host; plain: without STARTTLS. */
static int
smtp_session_once(struct smtp_job *job, const struct smtp_host *host,
    bool plain, bool *tls_failed_out, struct err *err)
{
	struct smtp_sess *s;
	int fd;

	*tls_failed_out = false;
	if ((fd = smtp_conn_open(job->ag, host, err)) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->ag = job->ag;
	s->job = job;
	s->arena = arena_new();
	s->host = *host;
	s->host.name = arena_strdup(s->arena, host->name);
	s->plain = plain;
	s->relay = host->unix_path
	    ? s->host.name
	    : arena_printf(s->arena, "%s[%s]:%u", host->name, host->addr_text,
	          host->port);
	smtp_conn_start(s, fd);
	if (smtp_session_talk(s, err) != 0) {
		*tls_failed_out = s->tls_failed;
		smtp_session_free(&s, false);
		return -1;
	}
	smtp_cache_put(s);
	return 0;
}

int
smtp_session_run(
    struct smtp_job *job, const struct smtp_host *host, struct err *err)
{
	bool tls_failed;

	if (smtp_session_once(job, host, false, &tls_failed, err) == 0)
		return 0;
	/* Opportunistic TLS must not make mail undeliverable: after a
	 * failed handshake, the same server once more in plaintext. */
	if (!tls_failed || job->ag->tls_level != TLS_LEVEL_MAY)
		return -1;
	log_info("%s; trying again without TLS", err->text);
	return smtp_session_once(job, host, true, &tls_failed, err);
}

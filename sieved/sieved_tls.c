/* SPDX-License-Identifier: MIT */
/*
 * TLS in sieved (RFC 5804 §2.2 STARTTLS): the server context built
 * before the jail (the key is root's), the STARTTLS command, and the
 * gate of sieved_tls_security_level = encrypt. Bytes the client
 * pipelined after STARTTLS came in plaintext and are thrown away
 * (tls_stream_start), never read as commands.
 */
#include "sieved.h"

#include "conf/conf.h"
#include "core/log.h"
#include "tls/tls.h"
#include "tls/tls_daemon.h"

void
sieved_tls_setup(struct sieved *sd)
{
	struct tls_daemon t;

	tls_daemon_setup(sd->conf, "sieved", &t);
	sd->tls = t.ctx;
	sd->tls_level = t.level;
}

bool
sieved_tls_refused(struct sieved_session *s)
{
	if (s->sd->tls_level != TLS_LEVEL_ENCRYPT || s->tls != NULL)
		return false;
	sieved_reply(s, "NO", "ENCRYPT-NEEDED", "Issue STARTTLS first");
	return true;
}

void
sieved_tls_starttls(struct sieved_session *s)
{
	struct err err;
	size_t discarded = 0;

	if (s->tls != NULL || s->sd->tls == NULL) {
		sieved_reply(s, "NO", NULL, "TLS is %s",
		    s->tls != NULL ? "already active" : "not available");
		sieved_session_error(s);
		return;
	}
	sieved_reply(s, "OK", NULL, "Begin TLS negotiation now");
	if (stream_flush(&s->io) != 0) {
		s->done = true;
		return;
	}
	if (tls_ctx_check(s->sd->tls, &err) < 0)
		log_warning(
		    "TLS: keeping the loaded certificate: %s", err.text);
	if ((s->tls = tls_session_server_new(s->sd->tls, s->io.fd, &err)) ==
	        NULL ||
	    tls_stream_start(&s->io, s->tls, &discarded, &err) != 0) {
		log_info(
		    "TLS handshake failed from [%s]: %s", s->addr, err.text);
		/* The stream still runs over the plain fd: safe to free. */
		tls_session_free(&s->tls);
		s->done = true;
		return;
	}
	if (discarded > 0)
		log_warning("[%s]: discarded %zu bytes of plaintext pipelined "
		            "after STARTTLS",
		    s->addr, discarded);
	/* Forget any input-discarding state of the plaintext phase. */
	s->discard = 0;
	s->discard_eol = false;
	log_info("%s TLS connection established from [%s]",
	    tls_session_trust(s->tls), s->addr);
	/* RFC 5804 §2.2: the capabilities again, then OK. */
	sieved_caps_write(s);
	sieved_reply(s, "OK", NULL, "TLS negotiation successful");
}

void
sieved_tls_end(struct sieved_session *s)
{
	if (s->tls != NULL)
		tls_session_shutdown(s->tls);
}

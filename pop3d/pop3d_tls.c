/* SPDX-License-Identifier: MIT */
/*
 * TLS in pop3d (RFC 2595 STLS, RFC 8314 implicit TLS on pop3s): the
 * server context built before the jail (the key is readable by root
 * only), the STLS command, the handshake at connect in wrapper mode.
 * Bytes the client pipelined after STLS came in plaintext and are
 * thrown away (tls_stream_start), never read as commands.
 */
#include "pop3d.h"

#include "conf/conf.h"
#include "core/log.h"
#include "tls/tls_daemon.h"

void
pop3d_tls_setup(struct pop3d *pd)
{
	struct tls_daemon t;

	tls_daemon_setup(pd->conf, "pop3d", &t);
	pd->tls = t.ctx;
	pd->tls_level = t.level;
	pd->tls_wrapper = t.wrapper;
}

bool
pop3d_tls_offered(const struct pop3d_session *s)
{
	return s->pd->tls != NULL && s->tls == NULL &&
	    s->state == POP3D_AUTHORIZATION;
}

/* Handshake on the stream; on failure log it and end the session. */
static int
pop3d_tls_handshake(struct pop3d_session *s)
{
	struct err err;
	struct buf desc;
	size_t discarded = 0;

	if (tls_ctx_check(s->pd->tls, &err) < 0)
		log_warning("TLS: keeping the loaded certificate: %s",
		    err.text);
	if ((s->tls = tls_session_server_new(s->pd->tls, s->io.fd, &err)) ==
	        NULL ||
	    tls_stream_start(&s->io, s->tls, &discarded, &err) != 0) {
		log_info("SSL_accept error from [%s]: %s", s->addr, err.text);
		/* The stream still runs over the plain fd: safe to free. */
		tls_session_free(&s->tls);
		s->done = true;
		return -1;
	}
	if (discarded > 0)
		log_warning("[%s]: discarded %zu bytes of plaintext pipelined "
		            "after STLS",
		    s->addr, discarded);
	buf_init(&desc);
	tls_session_describe(s->tls, &desc);
	log_info("%s TLS connection established from [%s]: %s",
	    tls_session_trust(s->tls), s->addr, desc.data);
	buf_deinit(&desc);
	return 0;
}

int
pop3d_tls_wrapper(struct pop3d_session *s)
{
	if (!s->pd->tls_wrapper)
		return 0;
	return pop3d_tls_handshake(s);
}

void
pop3d_tls_stls(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	(void)cmd;
	if (s->tls != NULL) {
		pop3d_err(s, NULL, "TLS already active");
		return;
	}
	if (s->pd->tls == NULL) {
		pop3d_err(s, NULL, "TLS support isn't enabled");
		return;
	}
	pop3d_ok(s, "Begin TLS negotiation now");
	if (pop3d_tls_handshake(s) != 0)
		return;
	/*
	 * RFC 2595 §4: the client must discard what it knew; we forget a
	 * USER given before TLS. The APOP timestamp stays: it was sent
	 * once, in the greeting.
	 */
	s->user_arg = NULL;
}

void
pop3d_tls_end(struct pop3d_session *s)
{
	if (s->tls != NULL)
		tls_session_shutdown(s->tls);
}

/* SPDX-License-Identifier: MIT */
/*
 * The ManageSieve capabilities (RFC 5804 §1.7): sent in the greeting,
 * for CAPABILITY, and again after STARTTLS. The SASL mechanisms come
 * from authd (which drops plaintext ones before TLS when
 * allow_plaintext_auth = no); the Sieve extensions from the engine.
 */
#include "sieved.h"

#include <string.h>

#include "conf/conf.h"
#include "sieve/sieve.h"
#include "sieve/sieve_conf.h"

/* One capability line: "NAME" or "NAME" "value". */
static void
sieved_caps_line(struct sieved_session *s, const char *name, const char *value)
{
	sieved_reply_string(s, name, strlen(name));
	if (value != NULL) {
		stream_write(&s->io, " ", 1);
		sieved_reply_string(s, value, strlen(value));
	}
	stream_write(&s->io, "\r\n", 2);
}

void
sieved_caps_write(struct sieved_session *s)
{
	struct sieve_limits lim = sieve_limits_from_conf(s->conf);
	struct buf text;

	buf_init(&text);
	buf_printf(&text, "%s %s", s->conf->mail_name, POSTERN_VERSION);
	sieved_caps_line(s, "IMPLEMENTATION", text.data);
	sieved_caps_line(s, "SIEVE", sieve_extensions());
	/* RFC 5804 §1.7: no SASL list once authenticated. */
	if (s->user == NULL) {
		sieved_auth_mechanisms(s, &text);
		sieved_caps_line(s, "SASL", text.data);
	}
	if (s->sd->tls != NULL && s->tls == NULL)
		sieved_caps_line(s, "STARTTLS", NULL);
	buf_reset(&text);
	buf_printf(&text, "%zu", lim.redirects_max);
	sieved_caps_line(s, "MAXREDIRECTS", text.data);
	sieved_caps_line(s, "VERSION", "1.0");
	buf_deinit(&text);
}

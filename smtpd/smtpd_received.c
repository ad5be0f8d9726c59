/* SPDX-License-Identifier: MIT */
/*
 * The Received: header smtpd prepends to each message (RFC 5321 §4.4,
 * RFC 5322 §3.6.7): who sent it (HELO name, verified host name,
 * address), who took it, with what protocol (RFC 3848), the queue id,
 * the TLS version and cipher when TLS is on, the login name when
 * smtpd_sasl_authenticated_header is set, the recipient when there is
 * exactly one, and the time. The HELO name is client text: anything
 * that could break the header is replaced.
 */
#include "smtpd.h"

#include <string.h>
#include <time.h>

#include "conf/conf.h"

/* Longest HELO name copied into the header. */
#define SMTPD_RECEIVED_HELO_MAX 255

/* Copy client text, keeping only visible ASCII outside comment syntax. */
static void
smtpd_received_clean(struct buf *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '\\')
			c = '?';
		buf_putc(out, (char)c);
	}
}

void
smtpd_received(struct smtpd_session *s, struct buf *out)
{
	const struct smtpd_txn *t = &s->txn;
	char date[64];
	struct tm tm;
	time_t now = time(NULL);

	buf_puts(out, "Received: from ");
	if (s->helo != NULL)
		smtpd_received_clean(out, s->helo, SMTPD_RECEIVED_HELO_MAX);
	else
		buf_puts(out, s->name);
	/* RFC 5321 §4.1.3 address literal form for IPv6. */
	buf_printf(out, " (%s [%s%s])\r\n", s->name,
	    strchr(s->addr, ':') != NULL ? "IPv6:" : "", s->addr);
	/* As Postfix writes it with smtpd_tls_received_header = yes. */
	if (s->tls != NULL)
		buf_printf(out,
		    "\t(using %s)\r\n\t(No client certificate requested)\r\n",
		    s->tls_desc.data);
	/* Off by default: it names a user to every later reader. */
	if (s->sasl_user != NULL && s->conf->smtpd_sasl_authenticated_header) {
		buf_puts(out, "\t(Authenticated sender: ");
		smtpd_received_clean(
		    out, s->sasl_user, SMTPD_RECEIVED_HELO_MAX);
		buf_puts(out, ")\r\n");
	}
	buf_printf(out, "\tby %s (%s) with %s id %s", s->conf->myhostname,
	    s->conf->mail_name, smtpd_session_protocol(s), t->id);
	if (t->nrcpt == 1)
		buf_printf(out, "\r\n\tfor <%s>", t->rcpts[0].address);
	localtime_r(&now, &tm);
	if (strftime(
	        date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z (%Z)", &tm) == 0)
		date[0] = '\0';
	buf_printf(out, "; %s\r\n", date);
}

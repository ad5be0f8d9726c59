/* SPDX-License-Identifier: MIT */
/*
 * A protocol daemon's TLS at start-up (smtpd, imapd, pop3d, sieved):
 * the <service>_tls_* settings read and the server context built before
 * the jail (key files are usually root's), with the policy admins
 * expect: TLS that is required (level encrypt, or wrapper mode) and
 * cannot be set up stops the daemon with a message saying why; TLS that
 * is only offered (level may) is dropped with a warning instead.
 */
#ifndef TLS_TLS_DAEMON_H
#define TLS_TLS_DAEMON_H

#include <stdbool.h>

#include "tls/tls.h"

struct conf;

struct tls_daemon {
	struct tls_ctx *ctx; /* NULL: no TLS offered */
	enum tls_level level; /* NONE when "may" could not be set up */
	bool wrapper; /* TLS from the first byte (smtps, imaps, pop3s) */
};

/* Fill out for service ("smtpd"); log_fatal when TLS is required but
 * impossible. */
void tls_daemon_setup(
    const struct conf *conf, const char *service, struct tls_daemon *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Start-up TLS of a protocol daemon (tls_daemon.h).
 */
#include "tls/tls_daemon.h"

#include <string.h>

#include "core/log.h"

void
tls_daemon_setup(
    const struct conf *conf, const char *service, struct tls_daemon *out)
{
	struct tls_server_config cfg;
	struct err err;
	bool optional;

	memset(out, 0, sizeof(*out));
	if (tls_conf_server(conf, service, &cfg, &err) != 0)
		log_fatal("%s", err.text);
	out->level = cfg.level;
	out->wrapper = cfg.wrappermode;
	if (cfg.level == TLS_LEVEL_NONE && !cfg.wrappermode)
		return;
	optional = cfg.level == TLS_LEVEL_MAY && !cfg.wrappermode;
	if (cfg.cert_file[0] == '\0' || cfg.key_file[0] == '\0') {
		if (!optional)
			log_fatal("TLS is required, but %s_tls_cert_file or "
			          "%s_tls_key_file is empty",
			    service, service);
		log_warning("TLS disabled: %s_tls_cert_file or "
		            "%s_tls_key_file is empty",
		    service, service);
		out->level = TLS_LEVEL_NONE;
		return;
	}
	if ((out->ctx = tls_ctx_server_new(&cfg, &err)) != NULL)
		return;
	if (!optional)
		log_fatal("TLS: %s", err.text);
	log_warning("TLS disabled: %s", err.text);
	out->level = TLS_LEVEL_NONE;
}

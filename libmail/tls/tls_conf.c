/* SPDX-License-Identifier: MIT */
/*
 * TLS settings from main.cf: each service reads <service>_tls_* and
 * falls back to the instance's tls_* default (in params.def, e.g.
 * smtpd_tls_cert_file = $tls_cert_file), so one certificate serves every
 * protocol unless a service names its own. Values are the admin's.
 */
#include "tls/tls.h"

#include <stdio.h>

#include "conf/conf.h"

/* The field of <service>_<suffix>, or of tls_<suffix> when the service
 * has no such parameter; NULL if neither exists with that type. */
static const void *
tls_conf_field(const struct conf *conf, const char *service, const char *suffix,
    enum conf_type type, const char **name_out)
{
	const struct conf_param *p;
	char name[128];
	int i, n;

	for (i = 0; i < 2; i++) {
		n = i == 0
		    ? snprintf(name, sizeof(name), "%s_tls_%s", service, suffix)
		    : snprintf(name, sizeof(name), "tls_%s", suffix);
		if (n < 0 || (size_t)n >= sizeof(name))
			continue;
		if ((p = conf_param_find(name)) == NULL || p->type != type)
			continue;
		*name_out = p->name;
		return (const char *)conf + p->offset;
	}
	*name_out = NULL;
	return NULL;
}

static const char *
tls_conf_str(const struct conf *conf, const char *service, const char *suffix,
    enum conf_type type)
{
	const char *name;
	const char *const *v =
	    tls_conf_field(conf, service, suffix, type, &name);

	return v != NULL && *v != NULL ? *v : "";
}

static int
tls_conf_level(const struct conf *conf, const char *service, bool client,
    enum tls_level *out, struct err *err)
{
	const char *name;
	const char *const *v = tls_conf_field(
	    conf, service, "security_level", CONF_TYPE_STRING, &name);

	if (v == NULL || *v == NULL) {
		*out = TLS_LEVEL_NONE;
		return 0;
	}
	if (tls_parse_level(*v, client, out, err) != 0) {
		err_prefix(err, "%s", name);
		return -1;
	}
	return 0;
}

int
tls_conf_server(const struct conf *conf, const char *service,
    struct tls_server_config *out, struct err *err)
{
	const char *name;
	const bool *wrap =
	    tls_conf_field(conf, service, "wrappermode", CONF_TYPE_BOOL, &name);

	*out = (struct tls_server_config){
	    .service = service,
	    .wrappermode = wrap != NULL && *wrap,
	    .cert_file =
	        tls_conf_str(conf, service, "cert_file", CONF_TYPE_STRING),
	    .key_file =
	        tls_conf_str(conf, service, "key_file", CONF_TYPE_STRING),
	    .chain_file =
	        tls_conf_str(conf, service, "chain_file", CONF_TYPE_STRING),
	    .protocols =
	        tls_conf_str(conf, service, "protocols", CONF_TYPE_LIST),
	    .ticket_key_file = conf->tls_session_ticket_key_file,
	    .session_timeout = conf->tls_session_cache_timeout,
	};
	return tls_conf_level(conf, service, false, &out->level, err);
}

int
tls_conf_client(const struct conf *conf, const char *service,
    struct tls_client_config *out, struct err *err)
{
	*out = (struct tls_client_config){
	    .protocols =
	        tls_conf_str(conf, service, "protocols", CONF_TYPE_LIST),
	    .ca_file = tls_conf_str(conf, service, "CAfile", CONF_TYPE_STRING),
	    .ca_path = tls_conf_str(conf, service, "CApath", CONF_TYPE_STRING),
	};
	return tls_conf_level(conf, service, true, &out->level, err);
}

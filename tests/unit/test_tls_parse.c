/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the TLS main.cf values: protocol lists, security
 * levels, and each service's settings with the instance defaults.
 */
#include "tls/tls.h"

#include <string.h>

#include <openssl/ssl.h>

#include "conf/conf.h"

#include "t.h"

static void
protocol_lists(void)
{
	static const struct {
		const char *text;
		int min, max;
		const char *error; /* start of err.text, or NULL */
	} cases[] = {
	    {"", TLS1_2_VERSION, 0, NULL},
	    {"  \t", TLS1_2_VERSION, 0, NULL},
	    {">=TLSv1.2", TLS1_2_VERSION, 0, NULL},
	    {">=TLSv1.3", TLS1_3_VERSION, 0, NULL},
	    {"<=TLSv1.2", SSL3_VERSION, TLS1_2_VERSION, NULL},
	    {">=TLSv1.1 <=TLSv1.2", TLS1_1_VERSION, TLS1_2_VERSION, NULL},
	    {"TLSv1.2 TLSv1.3", TLS1_2_VERSION, 0, NULL},
	    {"TLSv1.2,TLSv1.3", TLS1_2_VERSION, 0, NULL},
	    {"tlsv1.2", TLS1_2_VERSION, TLS1_2_VERSION, NULL},
	    {"TLSv1", TLS1_VERSION, TLS1_VERSION, NULL},
	    {"!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", TLS1_2_VERSION, 0, NULL},
	    {"!SSLv2 !SSLv3", TLS1_VERSION, 0, NULL},
	    {"!TLSv1.3", SSL3_VERSION, TLS1_2_VERSION, NULL},
	    {"TLSv1.2 TLSv1.3 !TLSv1.3", TLS1_2_VERSION, TLS1_2_VERSION, NULL},
	    {"TLSv1.4", 0, 0, "unknown TLS protocol \"TLSv1.4\""},
	    {">=", 0, 0, "unknown TLS protocol \">=\""},
	    {"!", 0, 0, "unknown TLS protocol \"!\""},
	    {"=>TLSv1.2", 0, 0, "unknown TLS protocol"},
	    {"TLSv1 TLSv1.3", 0, 0,
	        "TLS protocols \"TLSv1 TLSv1.3\" are "
	        "not one contiguous range"},
	    {"!TLSv1.2", 0, 0, "TLS protocols"},
	    {"SSLv2", 0, 0, "no TLS protocol left"},
	    {">=TLSv1.3 <=TLSv1.2", 0, 0, "no TLS protocol left"},
	};
	struct err err;
	size_t i;
	int min, max, rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		min = max = -1;
		err_clear(&err);
		rc = tls_parse_protocols(cases[i].text, &min, &max, &err);
		if (cases[i].error == NULL) {
			if (!T_EQ_INT(rc, 0))
				fprintf(
				    stderr, "  case %zu: %s\n", i, err.text);
			T_EQ_INT(min, cases[i].min);
			T_EQ_INT(max, cases[i].max);
		} else {
			T_EQ_INT(rc, -1);
			if (!T_CHECK(strncmp(err.text, cases[i].error,
			                 strlen(cases[i].error)) == 0))
				fprintf(
				    stderr, "  case %zu: %s\n", i, err.text);
			T_EQ_INT(err.kind, ERR_PERM);
		}
	}
}

static void
security_levels(void)
{
	static const struct {
		const char *text;
		bool client;
		int want; /* level, or -1 for an error */
	} cases[] = {
	    {"", false, TLS_LEVEL_NONE},
	    {"none", false, TLS_LEVEL_NONE},
	    {"may", false, TLS_LEVEL_MAY},
	    {"MAY", true, TLS_LEVEL_MAY},
	    {"encrypt", false, TLS_LEVEL_ENCRYPT},
	    {"verify", true, TLS_LEVEL_VERIFY},
	    {"verify", false, -1},
	    {"secure", true, -1},
	    {"may ", false, -1},
	};
	enum tls_level level;
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		level = TLS_LEVEL_NONE;
		rc = tls_parse_level(
		    cases[i].text, cases[i].client, &level, &err);
		if (cases[i].want < 0) {
			T_EQ_INT(rc, -1);
			T_CHECK(strstr(err.text, "bad TLS security level"));
		} else {
			T_EQ_INT(rc, 0);
			T_EQ_INT(level, cases[i].want);
		}
	}
}

static struct conf *
tp_conf(const char *const *settings, size_t n)
{
	struct conf *conf = conf_new();
	struct err err;
	size_t i;
	const char *eq;
	char name[64];

	for (i = 0; i < n; i++) {
		eq = strchr(settings[i], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - settings[i]),
		    settings[i]);
		T_EQ_INT(conf_set(conf, name, eq + 1, "test", &err), 0);
	}
	if (!T_EQ_INT(conf_finish(conf, NULL, &err), 0))
		fprintf(stderr, "  %s\n", err.text);
	return conf;
}

static void
service_settings_and_defaults(void)
{
	static const char *const settings[] = {
	    "data_directory=/data",
	    "tls_cert_file=/etc/cert.pem",
	    "tls_key_file=/etc/key.pem",
	    "imapd_tls_cert_file=/etc/imap.pem",
	    "imapd_tls_wrappermode=yes",
	    "pop3d_tls_security_level=encrypt",
	    "tls_protocols=>=TLSv1.3",
	    "smtp_tls_security_level=verify",
	    "smtp_tls_CAfile=/etc/ca.pem",
	};
	struct conf *conf = tp_conf(settings, 9);
	struct tls_server_config s;
	struct tls_client_config c;
	struct err err;

	T_EQ_INT(tls_conf_server(conf, "smtpd", &s, &err), 0);
	T_EQ_STR(s.service, "smtpd");
	T_EQ_INT(s.level, TLS_LEVEL_MAY);
	T_CHECK(!s.wrappermode);
	T_EQ_STR(s.cert_file, "/etc/cert.pem");
	T_EQ_STR(s.key_file, "/etc/key.pem");
	T_EQ_STR(s.chain_file, "");
	T_EQ_STR(s.protocols, ">=TLSv1.3");
	T_EQ_STR(s.ticket_key_file, "/data/tls/ticket.key");
	T_EQ_INT(s.session_timeout, 3600);
	T_EQ_INT(tls_conf_server(conf, "imapd", &s, &err), 0);
	T_EQ_STR(s.cert_file, "/etc/imap.pem");
	T_EQ_STR(s.key_file, "/etc/key.pem");
	T_CHECK(s.wrappermode);
	T_EQ_INT(tls_conf_server(conf, "pop3d", &s, &err), 0);
	T_EQ_INT(s.level, TLS_LEVEL_ENCRYPT);
	/* sieved has no wrapper mode; an unknown service gets the
	 * instance defaults and no TLS. */
	T_EQ_INT(tls_conf_server(conf, "sieved", &s, &err), 0);
	T_CHECK(!s.wrappermode);
	T_EQ_INT(tls_conf_server(conf, "lmtpd", &s, &err), 0);
	T_EQ_INT(s.level, TLS_LEVEL_NONE);
	T_EQ_STR(s.cert_file, "/etc/cert.pem");
	T_EQ_INT(tls_conf_client(conf, "smtp", &c, &err), 0);
	T_EQ_INT(c.level, TLS_LEVEL_VERIFY);
	T_EQ_STR(c.ca_file, "/etc/ca.pem");
	T_EQ_STR(c.ca_path, "");
	T_EQ_STR(c.protocols, ">=TLSv1.3");
	conf_free(&conf);
}

static void
bad_level_names_the_parameter(void)
{
	static const char *const settings[] = {
	    "smtpd_tls_security_level=verify",
	};
	struct conf *conf = tp_conf(settings, 1);
	struct tls_server_config s;
	struct err err;

	T_EQ_INT(tls_conf_server(conf, "smtpd", &s, &err), -1);
	T_CHECK(
	    strncmp(err.text, "smtpd_tls_security_level: bad TLS", 33) == 0);
	conf_free(&conf);
}

T_MAIN(T_CASE(protocol_lists), T_CASE(security_levels),
    T_CASE(service_settings_and_defaults),
    T_CASE(bad_level_names_the_parameter))

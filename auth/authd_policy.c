/* SPDX-License-Identifier: MIT */
/*
 * Who may log in, and how: the four login services and their user
 * database protocol bits, the mechanisms offered per service
 * (smtpd_sasl_mechanisms, imapd_auth_mechanisms, pop3d_auth_mechanisms,
 * sieved_auth_mechanisms), plaintext only over TLS unless
 * allow_plaintext_auth, and the account checks after the credentials.
 */
#include "authd.h"

#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "server/server.h"
#include "userdb/userdb.h"

static const struct authd_service authd_policy_services[] = {
    {"smtp", USERDB_PROTO_SMTP},
    {"imap", USERDB_PROTO_IMAP},
    {"pop3", USERDB_PROTO_POP3},
    {"sieve", USERDB_PROTO_SIEVE},
};

/* What authd can run, and whether each sends a password in the clear. */
static const struct {
	const char *name;
	bool plaintext;
	bool secret; /* needs the stored plaintext-equivalent secret */
} authd_policy_mechs_known[] = {
    {"PLAIN", true, false},
    {"LOGIN", true, false},
    {"CRAM-MD5", false, true},
    {"SCRAM-SHA-256", false, true},
    {"APOP", false, true},
};
#define AUTHD_POLICY_NMECHS                                                    \
	(sizeof(authd_policy_mechs_known) / sizeof(authd_policy_mechs_known[0]))

const struct authd_service *
authd_policy_service(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(authd_policy_services) /
	         sizeof(authd_policy_services[0]);
	     i++)
		if (strcmp(name, authd_policy_services[i].name) == 0)
			return &authd_policy_services[i];
	return NULL;
}

static const char *
authd_policy_list(const struct conf *conf, const struct authd_service *svc)
{
	switch (svc->proto) {
	case USERDB_PROTO_SMTP:
		return conf->smtpd_sasl_mechanisms;
	case USERDB_PROTO_IMAP:
		return conf->imapd_auth_mechanisms;
	case USERDB_PROTO_POP3:
		return conf->pop3d_auth_mechanisms;
	default:
		return conf->sieved_auth_mechanisms;
	}
}

bool
authd_policy_plaintext_ok(const struct authd *ad, bool tls)
{
	return tls || server_conf(ad->srv)->allow_plaintext_auth;
}

/* Index of a usable mech for svc over this connection, or -1. */
static int
authd_policy_find(const struct authd *ad, const struct authd_service *svc,
    bool tls, const char *mech)
{
	const char *list = authd_policy_list(server_conf(ad->srv), svc);
	size_t i;

	for (i = 0; i < AUTHD_POLICY_NMECHS; i++) {
		if (strcasecmp(mech, authd_policy_mechs_known[i].name) != 0)
			continue;
		if (!conf_list_has(list, mech) ||
		    (authd_policy_mechs_known[i].plaintext &&
		        !authd_policy_plaintext_ok(ad, tls)) ||
		    (strcmp(authd_policy_mechs_known[i].name, "APOP") == 0 &&
		        svc->proto != USERDB_PROTO_POP3))
			return -1;
		return (int)i;
	}
	return -1;
}

void
authd_policy_mechs(const struct authd *ad, const struct authd_service *svc,
    bool tls, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < AUTHD_POLICY_NMECHS; i++) {
		const char *name = authd_policy_mechs_known[i].name;

		if (authd_policy_find(ad, svc, tls, name) < 0)
			continue;
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_append(out, name, strlen(name));
	}
}

bool
authd_policy_mech_ok(const struct authd *ad, const struct authd_service *svc,
    bool tls, const char *mech)
{
	return authd_policy_find(ad, svc, tls, mech) >= 0;
}

const char *
authd_policy_user(const struct userdb_user *u, const struct authd_service *svc)
{
	if (!u->mail_enabled)
		return "mail disabled";
	if ((u->protocols & svc->proto) == 0)
		return "protocol not allowed for the user";
	return NULL;
}

bool
authd_policy_secret_mech(const char *mech)
{
	size_t i;

	for (i = 0; i < AUTHD_POLICY_NMECHS; i++)
		if (strcasecmp(mech, authd_policy_mechs_known[i].name) == 0)
			return authd_policy_mechs_known[i].secret;
	return false;
}

bool
authd_policy_secret_ok(const struct userdb_user *u, const char *mech)
{
	/* One secret, for the mechanisms the admin allowed it. */
	return u->secret[0] != '\0' &&
	    (u->secret_for & userdb_secret_mech_bit(mech)) != 0;
}

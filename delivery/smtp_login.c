/* SPDX-License-Identifier: MIT */
/*
 * AUTH to a relay host (RFC 4954) with the user:password that
 * smtp_sasl_password_maps holds for the next hop (looked up as written
 * in the request, e.g. "[relay.example]:587", then by the server's
 * host name). PLAIN is preferred, LOGIN otherwise. Secrets are never
 * logged and are wiped from memory after use.
 */
#include "smtp.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "map/map.h"

/* Longest user:password accepted from the table. */
#define SMTP_LOGIN_SECRET_MAX 1024

/* Queue "prefix BASE64(data)" as one line. */
static void
smtp_login_send64(
    struct smtp_sess *s, const char *prefix, const void *data, size_t len)
{
	unsigned char enc[4 * ((SMTP_LOGIN_SECRET_MAX + 2) / 3) + 8];
	int n = EVP_EncodeBlock(enc, data, (int)len);

	smtp_conn_cmd(s, "%s%.*s", prefix, n, (const char *)enc);
	explicit_bzero(enc, sizeof(enc));
}

/* Send the exchange for mech; 0 after a 235, -1 with err. */
static int
smtp_login_run(struct smtp_sess *s, const char *mech, const char *user,
    const char *pass, struct err *err)
{
	long long t = s->job->ag->conf->smtp_mail_timeout;
	size_t ulen = strlen(user), plen = strlen(pass);
	char plain[2 * SMTP_LOGIN_SECRET_MAX + 2];
	struct smtp_reply r;

	s->stage = "AUTH";
	if (strcmp(mech, "PLAIN") == 0) {
		plain[0] = '\0';
		memcpy(plain + 1, user, ulen);
		plain[ulen + 1] = '\0';
		memcpy(plain + ulen + 2, pass, plen);
		smtp_login_send64(s, "AUTH PLAIN ", plain, ulen + plen + 2);
		explicit_bzero(plain, sizeof(plain));
	} else {
		smtp_conn_cmd(s, "AUTH LOGIN");
		if (smtp_conn_reply(s, t, &r, err) != 0)
			return -1;
		if (r.code != 334)
			goto refused;
		smtp_login_send64(s, "", user, ulen);
		if (smtp_conn_reply(s, t, &r, err) != 0)
			return -1;
		if (r.code != 334)
			goto refused;
		smtp_login_send64(s, "", pass, plen);
	}
	if (smtp_conn_reply(s, t, &r, err) != 0)
		return -1;
	if (r.code == 235)
		return 0;
refused:
	/* Deferred even for a 5xx, as Postfix's smtp_sasl_auth_soft_bounce:
	 * a wrong password in our table must not bounce mail. */
	return err_set(err, ERR_TEMP, "4.7.0",
	    "SASL authentication failed; server %s said: %d %s", s->relay,
	    r.code, smtp_conn_text(s, &r));
}

/* The mechanism to use from the server's list, or NULL. */
static const char *
smtp_login_mech(const char *mechs)
{
	const char *want[] = {"PLAIN", "LOGIN"};
	const char *p;
	size_t i;

	/* Both names are five letters long. */
	for (i = 0; i < 2; i++) {
		for (p = mechs; (p = strcasestr(p, want[i])) != NULL; p++) {
			if ((p == mechs || p[-1] == ' ') &&
			    (p[5] == ' ' || p[5] == '\0'))
				return want[i];
		}
	}
	return NULL;
}

int
smtp_login(struct smtp_sess *s, struct err *err)
{
	const struct smtp_agent *ag = s->job->ag;
	const char *mech, *colon;
	struct buf secret;
	int rc;

	if (!ag->conf->smtp_sasl_auth_enable ||
	    ag->conf->smtp_sasl_password_maps[0] == '\0')
		return 0;
	if (ag->sasl_maps == NULL)
		return err_set(err, ERR_TEMP, "4.7.0",
		    "smtp_sasl_password_maps could not be opened (see the "
		    "log)");
	buf_init(&secret);
	rc = maps_lookup(ag->sasl_maps, s->job->sasl_key, &secret, err);
	if (rc == 0 && !s->host.unix_path)
		rc = maps_lookup(ag->sasl_maps, s->host.name, &secret, err);
	if (rc <= 0 || (s->ext & SMTP_EXT_AUTH) == 0) {
		buf_deinit(&secret);
		return rc < 0 ? -1 : 0; /* no credentials, or no AUTH */
	}
	colon = strchr(secret.data, ':');
	mech = smtp_login_mech(s->auth_mechs);
	if (colon == NULL || secret.len > SMTP_LOGIN_SECRET_MAX)
		rc = err_set(err, ERR_TEMP, "4.7.0",
		    "smtp_sasl_password_maps: the entry for %s is not "
		    "user:password",
		    s->job->sasl_key);
	else if (mech == NULL)
		rc = err_set(err, ERR_TEMP, "4.7.0",
		    "no SASL mechanism in common with %s (we have PLAIN and "
		    "LOGIN)",
		    s->relay);
	else {
		secret.data[colon - secret.data] = '\0';
		rc = smtp_login_run(s, mech, secret.data,
		    secret.data + (colon - secret.data) + 1, err);
	}
	explicit_bzero(secret.data, secret.len);
	buf_deinit(&secret);
	return rc;
}

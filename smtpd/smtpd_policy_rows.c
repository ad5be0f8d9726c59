/* SPDX-License-Identifier: MIT */
/*
 * The restrictions smtpd knows, one row each: permit, reject, defer,
 * the mynetworks and authentication permits, the authentication
 * requirement and sender login check (smtpd_auth_sender.c), the relay
 * and recipient checks, the check_*_access tables (results as Postfix
 * access(5): OK, DUNNO, REJECT, DEFER, 4NN/5NN text) and the syntax
 * checks on the HELO name and addresses. Later restrictions (DNSBLs,
 * rate limits) are new rows here. A failed lookup always gives a 4xx refusal.
 */
#include "smtpd_policy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "core/log.h"
#include "map/map.h"

typedef enum smtpd_policy_result smtpd_policy_result_t;

/* What a list's generic reject names ("<x@y>: Recipient address"). */
static void
smtpd_policy_subject(const struct smtpd_session *s, enum smtpd_list list,
    const struct smtpd_check *chk, const char **subject_out,
    const char **what_out)
{
	*subject_out = s->namaddr;
	*what_out = "Client host";
	if (list == SMTPD_LIST_HELO && s->helo != NULL) {
		*subject_out = s->helo;
		*what_out = "Helo command";
	} else if (list == SMTPD_LIST_SENDER && s->txn.sender != NULL) {
		*subject_out = s->txn.sender;
		*what_out = "Sender address";
	} else if ((list == SMTPD_LIST_RELAY || list == SMTPD_LIST_RECIPIENT) &&
	    chk->recipient != NULL) {
		*subject_out = chk->recipient;
		*what_out = "Recipient address";
	} else if (list == SMTPD_LIST_DATA) {
		*subject_out = chk->stage;
		*what_out = "Data command";
	}
}

static smtpd_policy_result_t
smtpd_policy_refuse(struct smtpd_verdict *v, int code, const char *dsn,
    const char *subject, const char *what, const char *text)
{
	smtpd_verdict_set(
	    v, code, dsn, "<%s>: %s rejected: %s", subject, what, text);
	return SMTPD_POLICY_REJECT;
}

static smtpd_policy_result_t
smtpd_policy_tempfail(const struct smtpd_session *s, struct smtpd_verdict *v,
    const char *subject, const char *what, const struct err *err)
{
	smtpd_log_warning(s, "restriction lookup for", subject, err->text);
	return smtpd_policy_refuse(
	    v, 451, "4.3.0", subject, what, "Temporary lookup failure");
}

/* "d.ddd.ddd " of the same class as code at the start of text; length. */
static size_t
smtpd_policy_dsn(const char *text, int code)
{
	const char *p = text;
	int part, digits;

	if (*p != '0' + code / 100)
		return 0;
	for (part = 0; part < 3; part++) {
		if (part > 0 && *p++ != '.')
			return 0;
		for (digits = 0; isdigit((unsigned char)*p); digits++)
			p++;
		if (digits == 0 || digits > 3 || (part == 0 && digits != 1))
			return 0;
	}
	return *p == ' ' || *p == '\0' ? (size_t)(p - text) : 0;
}

/* An access(5) result: OK, DUNNO, REJECT, DEFER, or "4NN/5NN text". */
static smtpd_policy_result_t
smtpd_policy_action(const struct smtpd_session *s, const char *value,
    const char *subject, const char *what, struct smtpd_verdict *v)
{
	size_t word = strcspn(value, " \t");
	const char *text = value + word + strspn(value + word, " \t");
	char dsn[16];
	size_t dl;
	int code;

	if (strcasecmp(value, "OK") == 0 ||
	    (word > 0 && strspn(value, "0123456789") == word && *text == '\0'))
		return SMTPD_POLICY_PERMIT;
	if (strcasecmp(value, "DUNNO") == 0)
		return SMTPD_POLICY_DUNNO;
	if (word == 6 && strncasecmp(value, "REJECT", 6) == 0)
		return smtpd_policy_refuse(v, 554, "5.7.1", subject, what,
		    *text ? text : "Access denied");
	if (word == 5 && strncasecmp(value, "DEFER", 5) == 0)
		return smtpd_policy_refuse(v, 450, "4.7.1", subject, what,
		    *text ? text : "Access denied");
	if (word == 3 && (value[0] == '4' || value[0] == '5') &&
	    isdigit((unsigned char)value[1]) &&
	    isdigit((unsigned char)value[2])) {
		code = (value[0] - '0') * 100 + (value[1] - '0') * 10 +
		    (value[2] - '0');
		snprintf(dsn, sizeof(dsn), "%c.7.1", value[0]);
		if ((dl = smtpd_policy_dsn(text, code)) > 0 &&
		    dl < sizeof(dsn)) {
			memcpy(dsn, text, dl);
			dsn[dl] = '\0';
			text += dl + strspn(text + dl, " ");
		}
		return smtpd_policy_refuse(v, code, dsn, subject, what,
		    *text ? text : "Access denied");
	}
	smtpd_log_warning(s, "access table result for", subject,
	    "unknown action (see docs/smtpd.md)");
	return smtpd_policy_refuse(
	    v, 451, "4.3.5", subject, what, "Server configuration error");
}

/* A table lookup's outcome turned into a decision. */
static smtpd_policy_result_t
smtpd_policy_lookup_result(const struct smtpd_session *s, int rc,
    const struct buf *value, const struct err *err, const char *subject,
    const char *what, struct smtpd_verdict *v)
{
	if (rc < 0)
		return smtpd_policy_tempfail(s, v, subject, what, err);
	if (rc == 0)
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_action(s, value->data, subject, what, v);
}

static smtpd_policy_result_t
smtpd_policy_permit(struct smtpd_session *s, const struct smtpd_policy_entry *e,
    enum smtpd_list list, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	(void)s, (void)e, (void)list, (void)chk, (void)v;
	return SMTPD_POLICY_PERMIT;
}

static smtpd_policy_result_t
smtpd_policy_reject(struct smtpd_session *s, const struct smtpd_policy_entry *e,
    enum smtpd_list list, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	const char *subject, *what;

	(void)e;
	smtpd_policy_subject(s, list, chk, &subject, &what);
	return smtpd_policy_refuse(
	    v, 554, "5.7.1", subject, what, "Access denied");
}

static smtpd_policy_result_t
smtpd_policy_defer(struct smtpd_session *s, const struct smtpd_policy_entry *e,
    enum smtpd_list list, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	const char *subject, *what;

	(void)e;
	smtpd_policy_subject(s, list, chk, &subject, &what);
	return smtpd_policy_refuse(
	    v, 450, "4.7.1", subject, what, "Try again later");
}

static smtpd_policy_result_t
smtpd_policy_permit_mynetworks(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	struct err err;
	int rc = smtpd_nets_match(s->sd->mynetworks, s->addr, &err);

	(void)e, (void)list, (void)chk;
	if (rc < 0)
		return smtpd_policy_tempfail(
		    s, v, s->namaddr, "Client host", &err);
	return rc == 1 ? SMTPD_POLICY_PERMIT : SMTPD_POLICY_DUNNO;
}

static smtpd_policy_result_t
smtpd_policy_permit_sasl(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list, (void)chk, (void)v;
	return s->sasl_user != NULL ? SMTPD_POLICY_PERMIT : SMTPD_POLICY_DUNNO;
}

/* RFC 4954 §6: 530 for a client that has not authenticated. */
static smtpd_policy_result_t
smtpd_policy_unauthenticated(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list, (void)chk;
	if (s->sasl_user != NULL)
		return SMTPD_POLICY_DUNNO;
	smtpd_verdict_set(v, 530, "5.7.0", "Authentication required");
	return SMTPD_POLICY_REJECT;
}

static smtpd_policy_result_t
smtpd_policy_login_mismatch(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list, (void)chk;
	return smtpd_auth_sender_owned(s, v) == 1 ? SMTPD_POLICY_DUNNO
	                                          : SMTPD_POLICY_REJECT;
}

/* reject_ and defer_unauth_destination: the relay check. */
static smtpd_policy_result_t
smtpd_policy_unauth(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v, int code, const char *dsn)
{
	if (chk->rcpt == NULL || smtpd_recipient_authorized(s, chk->rcpt))
		return SMTPD_POLICY_DUNNO;
	smtpd_verdict_set(
	    v, code, dsn, "<%s>: Relay access denied", chk->recipient);
	return SMTPD_POLICY_REJECT;
}

static smtpd_policy_result_t
smtpd_policy_reject_unauth(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list;
	return smtpd_policy_unauth(s, chk, v, 554, "5.7.1");
}

static smtpd_policy_result_t
smtpd_policy_defer_unauth(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list;
	return smtpd_policy_unauth(s, chk, v, 450, "4.7.1");
}

static smtpd_policy_result_t
smtpd_policy_permit_auth(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list, (void)v;
	if (chk->rcpt != NULL && smtpd_recipient_authorized(s, chk->rcpt))
		return SMTPD_POLICY_PERMIT;
	return SMTPD_POLICY_DUNNO;
}

static smtpd_policy_result_t
smtpd_policy_unlisted_rcpt(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list;
	if (chk->rcpt == NULL ||
	    smtpd_recipient_check(s, chk->rcpt, chk->recipient, v) == 1)
		return SMTPD_POLICY_DUNNO;
	return SMTPD_POLICY_REJECT;
}

static smtpd_policy_result_t
smtpd_policy_client_access(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	struct buf value;
	struct err err;
	int rc;

	(void)list, (void)chk;
	buf_init(&value);
	rc = maps_lookup_client(e->maps,
	    strcmp(s->name, "unknown") != 0 ? s->name : NULL, s->addr, &value,
	    &err);
	rc = smtpd_policy_lookup_result(
	    s, rc, &value, &err, s->namaddr, "Client host", v);
	buf_deinit(&value);
	return rc;
}

static smtpd_policy_result_t
smtpd_policy_helo_access(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	struct buf value;
	struct err err;
	int rc;

	(void)list, (void)chk;
	if (s->helo == NULL)
		return SMTPD_POLICY_DUNNO;
	buf_init(&value);
	rc = maps_lookup_client(e->maps, s->helo, NULL, &value, &err);
	rc = smtpd_policy_lookup_result(
	    s, rc, &value, &err, s->helo, "Helo command", v);
	buf_deinit(&value);
	return rc;
}

/* check_sender_access / check_recipient_access on one address. */
static smtpd_policy_result_t
smtpd_policy_address_access(struct smtpd_session *s, struct maps *maps,
    const char *addr, const char *what, struct smtpd_verdict *v)
{
	struct buf value;
	struct err err;
	int rc;

	buf_init(&value);
	/* The null sender is looked up as "<>", as Postfix does. */
	if (*addr == '\0')
		rc = maps_lookup(maps, "<>", &value, &err);
	else
		rc = maps_lookup_access(
		    maps, addr, s->conf->recipient_delimiter, &value, &err);
	rc = smtpd_policy_lookup_result(s, rc, &value, &err, addr, what, v);
	buf_deinit(&value);
	return rc;
}

static smtpd_policy_result_t
smtpd_policy_sender_access(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)list, (void)chk;
	if (s->txn.sender == NULL)
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_address_access(
	    s, e->maps, s->txn.sender, "Sender address", v);
}

static smtpd_policy_result_t
smtpd_policy_rcpt_access(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)list;
	if (chk->recipient == NULL)
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_address_access(
	    s, e->maps, chk->recipient, "Recipient address", v);
}

/* A domain with a dot, or an address literal. */
static bool
smtpd_policy_fqdn(const char *domain)
{
	return domain != NULL &&
	    (domain[0] == '[' ||
	        (strchr(domain, '.') != NULL &&
	            domain[strlen(domain) - 1] != '.'));
}

static const char *
smtpd_policy_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : NULL;
}

static smtpd_policy_result_t
smtpd_policy_nonfqdn_sender(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	const char *sender = s->txn.sender;

	(void)e, (void)list, (void)chk;
	if (sender == NULL || *sender == '\0' ||
	    smtpd_policy_fqdn(smtpd_policy_domain(sender)))
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_refuse(v, 504, "5.5.2", sender, "Sender address",
	    "need fully-qualified address");
}

static smtpd_policy_result_t
smtpd_policy_nonfqdn_rcpt(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)s, (void)e, (void)list;
	if (chk->recipient == NULL ||
	    smtpd_policy_fqdn(smtpd_policy_domain(chk->recipient)))
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_refuse(v, 504, "5.5.2", chk->recipient,
	    "Recipient address", "need fully-qualified address");
}

static smtpd_policy_result_t
smtpd_policy_nonfqdn_helo(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	(void)e, (void)list, (void)chk;
	if (s->helo == NULL || smtpd_policy_fqdn(s->helo))
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_refuse(v, 504, "5.5.2", s->helo, "Helo command",
	    "need fully-qualified hostname");
}

static smtpd_policy_result_t
smtpd_policy_invalid_helo(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	enum address_domain_kind kind;

	(void)e, (void)list, (void)chk;
	if (s->helo == NULL ||
	    address_parse_domain(
	        s->helo, strlen(s->helo), ADDRESS_SMTPUTF8, &kind, NULL) == 0)
		return SMTPD_POLICY_DUNNO;
	return smtpd_policy_refuse(
	    v, 501, "5.5.2", s->helo, "Helo command", "Invalid name");
}

static const struct smtpd_policy_row smtpd_policy_rows[] = {
    {"permit", false, smtpd_policy_permit},
    {"reject", false, smtpd_policy_reject},
    {"defer", false, smtpd_policy_defer},
    {"permit_mynetworks", false, smtpd_policy_permit_mynetworks},
    {"permit_sasl_authenticated", false, smtpd_policy_permit_sasl},
    {"reject_unauthenticated", false, smtpd_policy_unauthenticated},
    {"reject_sender_login_mismatch", false, smtpd_policy_login_mismatch},
    {"reject_unauth_destination", false, smtpd_policy_reject_unauth},
    {"defer_unauth_destination", false, smtpd_policy_defer_unauth},
    {"permit_auth_destination", false, smtpd_policy_permit_auth},
    {"reject_unlisted_recipient", false, smtpd_policy_unlisted_rcpt},
    {"check_client_access", true, smtpd_policy_client_access},
    {"check_helo_access", true, smtpd_policy_helo_access},
    {"check_sender_access", true, smtpd_policy_sender_access},
    {"check_recipient_access", true, smtpd_policy_rcpt_access},
    {"reject_non_fqdn_sender", false, smtpd_policy_nonfqdn_sender},
    {"reject_non_fqdn_recipient", false, smtpd_policy_nonfqdn_rcpt},
    {"reject_non_fqdn_helo_hostname", false, smtpd_policy_nonfqdn_helo},
    {"reject_invalid_helo_hostname", false, smtpd_policy_invalid_helo},
};

const struct smtpd_policy_row *
smtpd_policy_row_find(const char *name)
{
	size_t i;

	for (i = 0;
	     i < sizeof(smtpd_policy_rows) / sizeof(smtpd_policy_rows[0]); i++)
		if (strcasecmp(smtpd_policy_rows[i].name, name) == 0)
			return &smtpd_policy_rows[i];
	return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * reject_sender_login_mismatch (as Postfix): smtpd_sender_login_maps
 * maps a sender address (looked up as user@domain, user, @domain) to
 * the login names that own it, separated by commas or spaces. A client
 * may send as an owned address only when logged in as one of its
 * owners, and a logged-in client only as an address it owns; a login
 * name, being the user's own address, is always its own. The
 * sender is client text; the table is the admin's.
 */
#include "smtpd.h"

#include <strings.h>

#include "conf/conf.h"
#include "core/log.h"
#include "map/map.h"

/* True when user is one of the owners listed in value. */
static bool
smtpd_auth_sender_listed(const char *value, const char *user)
{
	const char *cur = value;
	struct buf item;
	bool found = false;

	buf_init(&item);
	while (!found && conf_list_next(&cur, &item))
		found = strcasecmp(item.data, user) == 0;
	buf_deinit(&item);
	return found;
}

int
smtpd_auth_sender_owned(struct smtpd_session *s, struct smtpd_verdict *v)
{
	const char *sender = s->txn.sender, *user = s->sasl_user;
	struct buf owners;
	struct err err;
	int rc;

	/* Logins are addresses: a user always owns its own. */
	if (sender == NULL || *sender == '\0' ||
	    (user != NULL && strcasecmp(sender, user) == 0))
		return 1;
	if (s->sd->sender_login_maps == NULL) {
		smtpd_log_warning(s, "reject_sender_login_mismatch for", sender,
		    "smtpd_sender_login_maps is empty");
		smtpd_verdict_set(v, 451, "4.3.5",
		    "<%s>: Sender address rejected: Server configuration error",
		    sender);
		return -1;
	}
	buf_init(&owners);
	rc = maps_lookup_access(s->sd->sender_login_maps, sender,
	    s->conf->recipient_delimiter, &owners, &err);
	if (rc < 0) {
		smtpd_log_warning(
		    s, "sender login lookup for", sender, err.text);
		smtpd_verdict_set(v, 451, "4.3.0",
		    "<%s>: Sender address rejected: Temporary lookup failure",
		    sender);
	} else if (rc == 1 && user == NULL) {
		smtpd_verdict_set(v, 553, "5.7.1",
		    "<%s>: Sender address rejected: not logged in", sender);
		rc = 0;
	} else if (user != NULL &&
	    (rc == 0 || !smtpd_auth_sender_listed(owners.data, user))) {
		smtpd_verdict_set(v, 553, "5.7.1",
		    "<%s>: Sender address rejected: not owned by user %s",
		    sender, user);
		rc = 0;
	} else {
		rc = 1;
	}
	buf_deinit(&owners);
	return rc;
}

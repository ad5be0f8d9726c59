/* SPDX-License-Identifier: MIT */
/*
 * The restriction engine: one evaluator for the six smtpd_*_restrictions
 * lists. Each list is parsed once per process into entries that point at
 * rows of one table (name, whether a type:table argument follows, and
 * the function that decides); a new restriction is a new row, not a new
 * code path. Entries answer permit (this list is done), reject (with the
 * reply) or dunno (go on), as in Postfix. The rows themselves live in
 * smtpd_policy_rows.c. Inputs are client data; tables are the admin's.
 */
#include "smtpd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "core/xmalloc.h"
#include "map/map.h"
#include "smtpd_policy.h"

struct smtpd_policy {
	struct smtpd_policy_entry *entries[SMTPD_LIST_N];
	size_t n[SMTPD_LIST_N];
};

void
smtpd_verdict_set(
    struct smtpd_verdict *v, int code, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	v->code = code;
	snprintf(v->dsn, sizeof(v->dsn), "%s", dsn != NULL ? dsn : "");
	va_start(ap, fmt);
	/* Truncation is acceptable: the reply builder cuts lines anyway. */
	(void)vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
}

static const char *
smtpd_policy_param(enum smtpd_list list)
{
	static const char *const names[SMTPD_LIST_N] = {
	    [SMTPD_LIST_CLIENT] = "smtpd_client_restrictions",
	    [SMTPD_LIST_HELO] = "smtpd_helo_restrictions",
	    [SMTPD_LIST_SENDER] = "smtpd_sender_restrictions",
	    [SMTPD_LIST_RELAY] = "smtpd_relay_restrictions",
	    [SMTPD_LIST_RECIPIENT] = "smtpd_recipient_restrictions",
	    [SMTPD_LIST_DATA] = "smtpd_data_restrictions",
	};

	return names[list];
}

static const char *
smtpd_policy_value(const struct conf *conf, enum smtpd_list list)
{
	switch (list) {
	case SMTPD_LIST_CLIENT:
		return conf->smtpd_client_restrictions;
	case SMTPD_LIST_HELO:
		return conf->smtpd_helo_restrictions;
	case SMTPD_LIST_SENDER:
		return conf->smtpd_sender_restrictions;
	case SMTPD_LIST_RELAY:
		return conf->smtpd_relay_restrictions;
	case SMTPD_LIST_RECIPIENT:
		return conf->smtpd_recipient_restrictions;
	case SMTPD_LIST_DATA:
	case SMTPD_LIST_N:
		break;
	}
	return conf->smtpd_data_restrictions;
}

/* Parse one list; -1 with err naming the parameter. */
static int
smtpd_policy_parse(struct smtpd_policy *p, const struct conf *conf,
    enum smtpd_list list, struct err *err)
{
	const char *cur = smtpd_policy_value(conf, list);
	const char *param = smtpd_policy_param(list);
	const struct smtpd_policy_row *row;
	struct smtpd_policy_entry *e;
	struct buf item;
	int rc = 0;

	buf_init(&item);
	while (rc == 0 && conf_list_next(&cur, &item)) {
		if ((row = smtpd_policy_row_find(item.data)) == NULL) {
			rc = err_set(err, ERR_PERM, "4.3.5",
			    "%s: unknown restriction \"%s\"", param, item.data);
			break;
		}
		p->entries[list] =
		    xreallocarray(p->entries[list], p->n[list] + 1, sizeof(*e));
		e = &p->entries[list][p->n[list]++];
		e->row = row;
		e->maps = NULL;
		if (!row->table)
			continue;
		if (!conf_list_next(&cur, &item))
			rc = err_set(err, ERR_PERM, "4.3.5",
			    "%s: %s needs a "
			    "type:table argument",
			    param, row->name);
		else if ((e->maps = maps_open(item.data, err)) == NULL) {
			err_prefix(err, "%s", param);
			rc = -1;
		}
	}
	buf_deinit(&item);
	return rc;
}

struct smtpd_policy *
smtpd_policy_open(const struct conf *conf, struct err *err)
{
	struct smtpd_policy *p = xcalloc(1, sizeof(*p));
	int list;

	for (list = 0; list < SMTPD_LIST_N; list++) {
		if (smtpd_policy_parse(p, conf, (enum smtpd_list)list, err) !=
		    0) {
			smtpd_policy_close(&p);
			return NULL;
		}
	}
	return p;
}

void
smtpd_policy_close(struct smtpd_policy **pp)
{
	struct smtpd_policy *p = *pp;
	size_t i;
	int list;

	if (p == NULL)
		return;
	for (list = 0; list < SMTPD_LIST_N; list++) {
		for (i = 0; i < p->n[list]; i++)
			maps_close(&p->entries[list][i].maps);
		free(p->entries[list]);
	}
	free(p);
	*pp = NULL;
}

int
smtpd_policy_check(struct smtpd_session *s, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v)
{
	const struct smtpd_policy *p = s->sd->policy;
	const struct smtpd_policy_entry *e;
	size_t i;

	for (i = 0; i < p->n[list]; i++) {
		e = &p->entries[list][i];
		switch (e->row->fn(s, e, list, chk, v)) {
		case SMTPD_POLICY_PERMIT:
			return 0;
		case SMTPD_POLICY_REJECT:
			return -1;
		case SMTPD_POLICY_DUNNO:
			break;
		}
	}
	return 0;
}

/* Client, HELO and sender lists, in Postfix's order. */
static int
smtpd_policy_early(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	if (smtpd_policy_check(s, SMTPD_LIST_CLIENT, chk, v) != 0 ||
	    smtpd_policy_check(s, SMTPD_LIST_HELO, chk, v) != 0 ||
	    smtpd_policy_check(s, SMTPD_LIST_SENDER, chk, v) != 0)
		return -1;
	return 0;
}

int
smtpd_policy_mail(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	if (s->conf->smtpd_delay_reject)
		return 0;
	return smtpd_policy_early(s, chk, v);
}

int
smtpd_policy_rcpt(struct smtpd_session *s, const struct smtpd_check *chk,
    struct smtpd_verdict *v)
{
	/* smtpd_delay_reject: the early lists run here, per recipient. */
	if (s->conf->smtpd_delay_reject && smtpd_policy_early(s, chk, v) != 0)
		return -1;
	if (smtpd_policy_check(s, SMTPD_LIST_RELAY, chk, v) != 0)
		return -1;
	return smtpd_policy_check(s, SMTPD_LIST_RECIPIENT, chk, v);
}

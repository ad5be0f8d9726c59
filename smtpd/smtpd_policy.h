/* SPDX-License-Identifier: MIT */
/*
 * Inside the restriction engine: the row table that smtpd_policy.c
 * evaluates and smtpd_policy_rows.c fills. Only those two files include
 * this header.
 */
#ifndef SMTPD_SMTPD_POLICY_H
#define SMTPD_SMTPD_POLICY_H

#include <stdbool.h>

#include "smtpd.h"

enum smtpd_policy_result {
	SMTPD_POLICY_DUNNO, /* no decision: next entry */
	SMTPD_POLICY_PERMIT, /* this list is satisfied */
	SMTPD_POLICY_REJECT, /* refused; the reply is in the verdict */
};

struct smtpd_policy_entry;

/* Decide one entry of list; fill v when rejecting. May block on maps. */
typedef enum smtpd_policy_result smtpd_policy_fn(struct smtpd_session *s,
    const struct smtpd_policy_entry *e, enum smtpd_list list,
    const struct smtpd_check *chk, struct smtpd_verdict *v);

struct smtpd_policy_row {
	const char *name; /* as written in main.cf */
	bool table; /* a type:table argument follows */
	smtpd_policy_fn *fn;
};

/* One restriction of a parsed list. */
struct smtpd_policy_entry {
	const struct smtpd_policy_row *row;
	struct maps *maps; /* the table argument, owned; or NULL */
};

/* The row named name (case-insensitive), or NULL. */
const struct smtpd_policy_row *smtpd_policy_row_find(const char *name);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The vacation action (RFC 5230, with RFC 6131 :seconds): the reply's
 * fields, its handle and period, and whether the message may be answered
 * at all (§4.5, §4.6, RFC 3834 §2: never a null or daemon/list sender,
 * an auto-submitted, list or bulk message, nor mail that does not name
 * the recipient in To/Cc). The per-sender "once per period" memory is the
 * caller's (it has the database). Input is the untrusted message.
 */
#include "sieve/sieve_run_impl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msg/address_list.h"

#define SIEVE_VACATION_DEFAULT_DAYS 7	/* RFC 5230 §4.1 */

static bool
sieve_vacation_has(struct sieve_run *r, const char *name)
{
	size_t n;

	(void)sieve_msg_fields(r, name, 0, false, &n);
	return n > 0;
}

/* The first field called name, or NULL. */
static const char *
sieve_vacation_first(struct sieve_run *r, const char *name)
{
	size_t n;
	const struct sieve_field **f = sieve_msg_fields(r, name, 1, false,
	    &n);

	return n > 0 ? f[0]->value : NULL;
}

/* RFC 3834 §2: senders that must not get automatic replies. */
static bool
sieve_vacation_bad_sender(const char *from)
{
	const char *at = strrchr(from, '@');
	size_t llen = at ? (size_t)(at - from) : strlen(from);

	return (llen == 13 && strncasecmp(from, "MAILER-DAEMON", 13) == 0) ||
	    strncasecmp(from, "owner-", 6) == 0 ||
	    (llen >= 8 && strncasecmp(from + llen - 8, "-request", 8) == 0) ||
	    (llen == 8 && strncasecmp(from, "listserv", 8) == 0) ||
	    (llen == 8 && strncasecmp(from, "majordom", 8) == 0);
}

static bool
sieve_vacation_mine(const struct sieve_input *in,
    const struct sieve_arg *extra, struct sieve_run *r, const char *addr)
{
	size_t i, len;

	if (in->env.to != NULL && strcasecmp(addr, in->env.to) == 0)
		return true;
	for (i = 0; i < in->environment.user_address_count; i++)
		if (strcasecmp(addr, in->environment.user_addresses[i]) == 0)
			return true;
	for (i = 0; extra != NULL && i < extra->count; i++)
		if (strcasecmp(addr, sieve_str(r, &extra->strs[i], &len)) == 0)
			return true;
	return false;
}

/* RFC 5230 §4.5: is one of the user's addresses in To, Cc, Bcc...? */
static bool
sieve_vacation_addressed(struct sieve_run *r, const struct sieve_arg *extra)
{
	static const char *const names[] = { "to", "cc", "bcc", "resent-to",
		"resent-cc", "resent-bcc" };
	size_t i, j, k, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct sieve_field **f = sieve_msg_fields(r, names[i], 0,
		    false, &n);

		for (j = 0; j < n; j++) {
			struct address_list list;

			if (address_list_parse(f[j]->value, f[j]->value_len,
			    ADDRESS_SMTPUTF8, 1000, &list, r->arena, NULL) < 0)
				continue;
			for (k = 0; k < list.count; k++) {
				const struct address *a = &list.items[k].addr;
				const char *s = a->domain ?
				    arena_printf(r->arena, "%s@%s", a->local,
				    a->domain) : a->local;

				if (sieve_vacation_mine(r->in, extra, r, s))
					return true;
			}
		}
	}
	return false;
}

static const char *
sieve_vacation_skip(struct sieve_run *r, const struct sieve_arg *extra)
{
	const char *from = r->in->env.from ? r->in->env.from : "";
	const char *v;

	if (from[0] == '\0')
		return "null envelope sender";
	if (sieve_vacation_bad_sender(from))
		return "the sender is a daemon or a mailing list";
	if (sieve_vacation_mine(r->in, extra, r, from))
		return "the sender is the recipient";
	v = sieve_vacation_first(r, "Auto-Submitted");
	if (v != NULL && strncasecmp(v, "no", 2) != 0)
		return "the message is auto-submitted";
	if (sieve_vacation_has(r, "List-Id") ||
	    sieve_vacation_has(r, "List-Post") ||
	    sieve_vacation_has(r, "List-Unsubscribe") ||
	    sieve_vacation_has(r, "List-Help"))
		return "the message comes from a mailing list";
	v = sieve_vacation_first(r, "Precedence");
	if (v != NULL && (strcasecmp(v, "bulk") == 0 ||
	    strcasecmp(v, "list") == 0 || strcasecmp(v, "junk") == 0))
		return "the message is bulk mail";
	if (!sieve_vacation_addressed(r, extra))
		return "the recipient is not in To/Cc";
	return NULL;
}

/* RFC 5230 §4.2: without :handle, the same arguments are one reply. */
static const char *
sieve_vacation_handle(struct sieve_run *r, const struct sieve_vacation *v)
{
	const char *parts[3] = { v->reason, v->subject, v->from };
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < 3; i++) {
		const char *p = parts[i] ? parts[i] : "";

		for (; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	h ^= v->mime;
	return arena_printf(r->arena, "vacation-%016llx", (unsigned long long)h);
}

static const char *
sieve_vacation_tag(struct sieve_run *r, const struct sieve_node *n,
    enum sieve_tag tag)
{
	const struct sieve_tagval *tv = sieve_node_tag(n, tag);

	return tv ? sieve_str(r, &tv->arg->strs[0], NULL) : NULL;
}

static uint64_t
sieve_vacation_period(const struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *d = sieve_node_tag(n, SIEVE_TAG_DAYS);
	const struct sieve_tagval *s = sieve_node_tag(n, SIEVE_TAG_SECONDS);
	uint64_t v = (uint64_t)SIEVE_VACATION_DEFAULT_DAYS * 86400;

	if (d != NULL)
		v = d->arg->number > UINT64_MAX / 86400 ? UINT64_MAX :
		    d->arg->number * 86400;
	else if (s != NULL)
		v = s->arg->number;
	if (v < r->lim->vacation_min_seconds)
		v = r->lim->vacation_min_seconds;
	if (v > r->lim->vacation_max_seconds)
		v = r->lim->vacation_max_seconds;
	return v;
}

int
sieve_vacation_cmd(struct sieve_run *r, const struct sieve_node *n)
{
	const struct sieve_tagval *extra = sieve_node_tag(n,
	    SIEVE_TAG_ADDRESSES);
	struct sieve_action a;
	struct sieve_vacation *v = &a.vacation;
	size_t len;

	memset(&a, 0, sizeof(a));
	a.kind = SIEVE_ACTION_VACATION;
	a.line = n->line;
	a.column = n->column;
	v->to = r->in->env.from ? r->in->env.from : "";
	v->reason = sieve_str(r, &n->pos[0]->strs[0], NULL);
	v->from = sieve_vacation_tag(r, n, SIEVE_TAG_FROM);
	v->subject = sieve_vacation_tag(r, n, SIEVE_TAG_SUBJECT);
	v->mime = sieve_node_tag(n, SIEVE_TAG_MIME) != NULL;
	v->handle = sieve_vacation_tag(r, n, SIEVE_TAG_HANDLE);
	if (v->handle == NULL)
		v->handle = sieve_vacation_handle(r, v);
	if (v->subject == NULL) {
		const char *s = sieve_vacation_first(r, "Subject");

		/* RFC 5230 §4.7: "Auto:" and the original subject */
		v->subject = s == NULL ? "Automated reply" :
		    arena_printf(r->arena, "Auto: %s",
		    sieve_mime_decode_header(r->arena, s, strlen(s), &len));
	}
	v->seconds = sieve_vacation_period(r, n);
	v->in_reply_to = sieve_vacation_first(r, "Message-ID");
	v->skip_reason = sieve_vacation_skip(r, extra ? extra->arg : NULL);
	return sieve_action_add(r, n, &a);
}

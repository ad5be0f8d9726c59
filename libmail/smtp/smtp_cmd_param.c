/* SPDX-License-Identifier: MIT */
/*
 * ESMTP parameters of MAIL FROM and RCPT TO (RFC 5321 §4.1.2 esmtp-param)
 * with the values defined by RFC 1870, 6152, 3030, 3461, 4954 and 6531.
 * Input is the raw tail of a client command line.
 */
#include "smtp/smtp_cmd.h"

#include <string.h>
#include <strings.h>

#include "msg/utf8.h"
#include "smtp/smtp_cmd_impl.h"
#include "smtp/smtp_xtext.h"

/* RFC 3461 §4.4 and §4.2: limits on the encoded values. */
#define SMTP_CMD_ENVID_MAX 100
#define SMTP_CMD_ORCPT_MAX 500

struct smtp_cmd_param {
	const char *kw;
	size_t kwlen;
	const char *val; /* NULL when there was no "=" */
	size_t vlen;
};

/* Parameter bits, for duplicate detection. */
enum {
	SMTP_CMD_P_SIZE = 1 << 0,
	SMTP_CMD_P_BODY = 1 << 1,
	SMTP_CMD_P_SMTPUTF8 = 1 << 2,
	SMTP_CMD_P_RET = 1 << 3,
	SMTP_CMD_P_ENVID = 1 << 4,
	SMTP_CMD_P_AUTH = 1 << 5,
	SMTP_CMD_P_NOTIFY = 1 << 6,
	SMTP_CMD_P_ORCPT = 1 << 7,
};

static bool
smtp_cmd_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * esmtp-value   = 1*(%d33-60 / %d62-126), plus UTF-8 under SMTPUTF8
 *                 (RFC 6531 §3.3).
 */
static bool
smtp_cmd_param_ok(const struct smtp_cmd_param *p, unsigned ext)
{
	const unsigned char *v = (const unsigned char *)p->val;
	size_t i, n;

	if (p->kwlen == 0 || !smtp_cmd_alnum(p->kw[0]))
		return false;
	for (i = 1; i < p->kwlen; i++)
		if (!smtp_cmd_alnum(p->kw[i]) && p->kw[i] != '-')
			return false;
	if (v == NULL)
		return true;
	if (p->vlen == 0)
		return false;
	for (i = 0; i < p->vlen; i++) {
		if (v[i] >= 33 && v[i] <= 126 && v[i] != '=')
			continue;
		if (v[i] < 0x80 || !(ext & SMTP_CMD_EXT_SMTPUTF8) ||
		    (n = utf8_seq_len(v + i, p->vlen - i)) == 0)
			return false;
		i += n - 1;
	}
	return true;
}

/* Next parameter from s[*pos..len); false at the end. */
static bool
smtp_cmd_param_next(
    const char *s, size_t len, size_t *pos, struct smtp_cmd_param *p)
{
	size_t i = *pos, start;
	const char *eq;

	while (i < len && smtp_cmd_is_wsp(s[i]))
		i++;
	if (i == len)
		return false;
	start = i;
	while (i < len && !smtp_cmd_is_wsp(s[i]))
		i++;
	*pos = i;
	p->kw = s + start;
	eq = memchr(p->kw, '=', i - start);
	if (eq == NULL) {
		p->kwlen = i - start;
		p->val = NULL;
		p->vlen = 0;
	} else {
		p->kwlen = (size_t)(eq - p->kw);
		p->val = eq + 1;
		p->vlen = (size_t)(s + i - p->val);
	}
	return true;
}

static bool
smtp_cmd_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

static bool
smtp_cmd_kw(const struct smtp_cmd_param *p, const char *lit)
{
	return smtp_cmd_is(p->kw, p->kwlen, lit);
}

static int
smtp_cmd_bad_value(
    struct smtp_cmd *out, const struct smtp_cmd_param *p, struct err *err)
{
	return SMTP_CMD_FAIL(out, err, 501, "5.5.4", "Bad %.*s parameter value",
	    (int)p->kwlen, p->kw);
}

static int
smtp_cmd_unsupported(
    struct smtp_cmd *out, const struct smtp_cmd_param *p, struct err *err)
{
	return SMTP_CMD_FAIL(out, err, 555, "5.5.4", "Unsupported option: %.*s",
	    (int)(p->kwlen > 64 ? 64 : p->kwlen), p->kw);
}

/*
 * Common checks: syntax, count, the extension being offered, duplicates.
 * 1 when the parameter is known and may be processed, -1 on error.
 */
static int
smtp_cmd_param_check(struct smtp_cmd *out, const struct smtp_cmd_param *p,
    const struct smtp_cmd_limits *lim, size_t n, unsigned ext_needed,
    unsigned bit, unsigned *seen, struct err *err)
{
	if (n > lim->param_max)
		return SMTP_CMD_FAIL(
		    out, err, 501, "5.5.4", "Too many parameters");
	if (!(lim->ext & ext_needed))
		return smtp_cmd_unsupported(out, p, err);
	if (*seen & bit)
		return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
		    "Duplicate %.*s parameter", (int)p->kwlen, p->kw);
	*seen |= bit;
	return 1;
}

static int
smtp_cmd_size(
    struct smtp_cmd *out, const struct smtp_cmd_param *p, struct err *err)
{
	uint64_t v = 0;
	size_t i;

	/* RFC 1870: size-value = 1*20DIGIT */
	if (p->val == NULL || p->vlen > 20)
		return smtp_cmd_bad_value(out, p, err);
	for (i = 0; i < p->vlen; i++) {
		unsigned d = (unsigned)(p->val[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return smtp_cmd_bad_value(out, p, err);
		v = v * 10 + d;
	}
	out->mail.size = v;
	out->mail.has_size = true;
	return 0;
}

static int
smtp_cmd_body(struct smtp_cmd *out, const struct smtp_cmd_param *p,
    const struct smtp_cmd_limits *lim, struct err *err)
{
	if (p->val == NULL)
		return smtp_cmd_bad_value(out, p, err);
	if (smtp_cmd_is(p->val, p->vlen, "7BIT")) {
		out->mail.body = SMTP_CMD_BODY_7BIT;
	} else if (smtp_cmd_is(p->val, p->vlen, "8BITMIME")) {
		out->mail.body = SMTP_CMD_BODY_8BITMIME;
	} else if (smtp_cmd_is(p->val, p->vlen, "BINARYMIME")) {
		if (!(lim->ext & SMTP_CMD_EXT_BINARYMIME))
			return SMTP_CMD_FAIL(out, err, 504, "5.5.4",
			    "BODY=BINARYMIME not supported");
		out->mail.body = SMTP_CMD_BODY_BINARYMIME;
	} else {
		return smtp_cmd_bad_value(out, p, err);
	}
	return 0;
}

/* Decode an xtext value of at most max encoded octets (0: no limit). */
static int
smtp_cmd_xtext(struct smtp_cmd *out, const struct smtp_cmd_param *p, size_t max,
    char **dst, struct arena *arena, struct err *err)
{
	if (p->val == NULL || (max > 0 && p->vlen > max) ||
	    (*dst = smtp_xtext_decode(p->val, p->vlen, arena, NULL)) == NULL)
		return smtp_cmd_bad_value(out, p, err);
	return 0;
}

static int
smtp_cmd_mail_one(struct smtp_cmd *out, const struct smtp_cmd_param *p,
    const struct smtp_cmd_limits *lim, size_t n, unsigned *seen,
    struct arena *arena, struct err *err)
{
	if (smtp_cmd_kw(p, "SIZE"))
		return smtp_cmd_param_check(out, p, lim, n, SMTP_CMD_EXT_SIZE,
		           SMTP_CMD_P_SIZE, seen, err) < 0
		    ? -1
		    : smtp_cmd_size(out, p, err);
	if (smtp_cmd_kw(p, "BODY"))
		return smtp_cmd_param_check(out, p, lim, n,
		           SMTP_CMD_EXT_8BITMIME | SMTP_CMD_EXT_BINARYMIME,
		           SMTP_CMD_P_BODY, seen, err) < 0
		    ? -1
		    : smtp_cmd_body(out, p, lim, err);
	if (smtp_cmd_kw(p, "SMTPUTF8")) {
		if (smtp_cmd_param_check(out, p, lim, n, SMTP_CMD_EXT_SMTPUTF8,
		        SMTP_CMD_P_SMTPUTF8, seen, err) < 0)
			return -1;
		if (p->val != NULL)
			return smtp_cmd_bad_value(out, p, err);
		out->mail.smtputf8 = true;
		return 0;
	}
	if (smtp_cmd_kw(p, "RET")) {
		if (smtp_cmd_param_check(out, p, lim, n, SMTP_CMD_EXT_DSN,
		        SMTP_CMD_P_RET, seen, err) < 0)
			return -1;
		if (p->val != NULL && smtp_cmd_is(p->val, p->vlen, "FULL"))
			out->mail.ret = SMTP_CMD_RET_FULL;
		else if (p->val != NULL && smtp_cmd_is(p->val, p->vlen, "HDRS"))
			out->mail.ret = SMTP_CMD_RET_HDRS;
		else
			return smtp_cmd_bad_value(out, p, err);
		return 0;
	}
	if (smtp_cmd_kw(p, "ENVID"))
		return smtp_cmd_param_check(out, p, lim, n, SMTP_CMD_EXT_DSN,
		           SMTP_CMD_P_ENVID, seen, err) < 0
		    ? -1
		    : smtp_cmd_xtext(out, p, SMTP_CMD_ENVID_MAX,
		          &out->mail.envid, arena, err);
	if (smtp_cmd_kw(p, "AUTH"))
		return smtp_cmd_param_check(out, p, lim, n, SMTP_CMD_EXT_AUTH,
		           SMTP_CMD_P_AUTH, seen, err) < 0
		    ? -1
		    : smtp_cmd_xtext(out, p, 0, &out->mail.auth, arena, err);
	if (n > lim->param_max)
		return SMTP_CMD_FAIL(
		    out, err, 501, "5.5.4", "Too many parameters");
	return smtp_cmd_unsupported(out, p, err);
}

int
smtp_cmd_param_mail(const char *s, size_t len,
    const struct smtp_cmd_limits *lim, struct smtp_cmd *out,
    struct arena *arena, struct err *err)
{
	struct smtp_cmd_param p;
	size_t pos = 0, n = 0;
	unsigned seen = 0;

	while (smtp_cmd_param_next(s, len, &pos, &p)) {
		if (!smtp_cmd_param_ok(&p, lim->ext))
			return SMTP_CMD_FAIL(
			    out, err, 501, "5.5.4", "Bad parameter syntax");
		if (smtp_cmd_mail_one(out, &p, lim, ++n, &seen, arena, err) !=
		    0)
			return -1;
	}
	return 0;
}

/* NOTIFY = "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ) */
static unsigned
smtp_cmd_notify_word(const char *s, size_t len)
{
	if (smtp_cmd_is(s, len, "NEVER"))
		return SMTP_CMD_NOTIFY_NEVER;
	if (smtp_cmd_is(s, len, "SUCCESS"))
		return SMTP_CMD_NOTIFY_SUCCESS;
	if (smtp_cmd_is(s, len, "FAILURE"))
		return SMTP_CMD_NOTIFY_FAILURE;
	if (smtp_cmd_is(s, len, "DELAY"))
		return SMTP_CMD_NOTIFY_DELAY;
	return 0;
}

static int
smtp_cmd_notify(
    struct smtp_cmd *out, const struct smtp_cmd_param *p, struct err *err)
{
	size_t i = 0, j;
	unsigned bits = 0, b;

	if (p->val == NULL)
		return smtp_cmd_bad_value(out, p, err);
	for (;;) {
		for (j = i; j < p->vlen && p->val[j] != ','; j++)
			;
		if ((b = smtp_cmd_notify_word(p->val + i, j - i)) == 0)
			return smtp_cmd_bad_value(out, p, err);
		bits |= b;
		if (j == p->vlen)
			break;
		i = j + 1;
	}
	if ((bits & SMTP_CMD_NOTIFY_NEVER) && bits != SMTP_CMD_NOTIFY_NEVER)
		return smtp_cmd_bad_value(out, p, err);
	out->rcpt.notify = bits;
	return 0;
}

/* ORCPT = addr-type ";" xtext, at most 500 characters in all. */
static int
smtp_cmd_orcpt(struct smtp_cmd *out, const struct smtp_cmd_param *p,
    struct arena *arena, struct err *err)
{
	const char *semi;
	struct smtp_cmd_param x;
	size_t i, tlen;

	if (p->val == NULL || p->vlen > SMTP_CMD_ORCPT_MAX ||
	    (semi = memchr(p->val, ';', p->vlen)) == NULL || semi == p->val)
		return smtp_cmd_bad_value(out, p, err);
	tlen = (size_t)(semi - p->val);
	for (i = 0; i < tlen; i++)
		if (!smtp_cmd_alnum(p->val[i]) && p->val[i] != '-')
			return smtp_cmd_bad_value(out, p, err);
	x = *p;
	x.val = semi + 1;
	x.vlen = p->vlen - tlen - 1;
	if (smtp_cmd_xtext(out, &x, 0, &out->rcpt.orcpt, arena, err) != 0)
		return -1;
	out->rcpt.orcpt_type = arena_strndup(arena, p->val, tlen);
	return 0;
}

int
smtp_cmd_param_rcpt(const char *s, size_t len,
    const struct smtp_cmd_limits *lim, struct smtp_cmd *out,
    struct arena *arena, struct err *err)
{
	struct smtp_cmd_param p;
	size_t pos = 0, n = 0;
	unsigned seen = 0;
	int rc;

	while (smtp_cmd_param_next(s, len, &pos, &p)) {
		if (!smtp_cmd_param_ok(&p, lim->ext))
			return SMTP_CMD_FAIL(
			    out, err, 501, "5.5.4", "Bad parameter syntax");
		n++;
		if (smtp_cmd_kw(&p, "NOTIFY"))
			rc = smtp_cmd_param_check(out, &p, lim, n,
			         SMTP_CMD_EXT_DSN, SMTP_CMD_P_NOTIFY, &seen,
			         err) < 0
			    ? -1
			    : smtp_cmd_notify(out, &p, err);
		else if (smtp_cmd_kw(&p, "ORCPT"))
			rc = smtp_cmd_param_check(out, &p, lim, n,
			         SMTP_CMD_EXT_DSN, SMTP_CMD_P_ORCPT, &seen,
			         err) < 0
			    ? -1
			    : smtp_cmd_orcpt(out, &p, arena, err);
		else if (n > lim->param_max)
			rc = SMTP_CMD_FAIL(
			    out, err, 501, "5.5.4", "Too many parameters");
		else
			rc = smtp_cmd_unsupported(out, &p, err);
		if (rc != 0)
			return -1;
	}
	return 0;
}

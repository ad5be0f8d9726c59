/* SPDX-License-Identifier: MIT */
/*
 * SMTP command lines: verb table, per-verb argument syntax and the
 * MAIL FROM / RCPT TO paths. Input is one raw client line; ESMTP
 * parameters are handled in smtp_cmd_param.c.
 */
#include "smtp/smtp_cmd.h"

#include <string.h>
#include <strings.h>

#include "smtp/smtp_cmd_impl.h"

static const struct {
	const char *name;
	enum smtp_cmd_verb verb;
} smtp_cmd_verbs[] = {
    {"EHLO", SMTP_CMD_EHLO},
    {"HELO", SMTP_CMD_HELO},
    {"MAIL", SMTP_CMD_MAIL},
    {"RCPT", SMTP_CMD_RCPT},
    {"DATA", SMTP_CMD_DATA},
    {"BDAT", SMTP_CMD_BDAT},
    {"RSET", SMTP_CMD_RSET},
    {"NOOP", SMTP_CMD_NOOP},
    {"QUIT", SMTP_CMD_QUIT},
    {"HELP", SMTP_CMD_HELP},
    {"VRFY", SMTP_CMD_VRFY},
    {"EXPN", SMTP_CMD_EXPN},
    {"AUTH", SMTP_CMD_AUTH},
    {"STARTTLS", SMTP_CMD_STARTTLS},
};

#define SMTP_CMD_NVERBS (sizeof(smtp_cmd_verbs) / sizeof(smtp_cmd_verbs[0]))

/* RFC 4422 §3.1: a SASL mechanism name is at most 20 characters. */
#define SMTP_CMD_MECH_MAX 20

const char *
smtp_cmd_verb_name(enum smtp_cmd_verb verb)
{
	size_t i;

	for (i = 0; i < SMTP_CMD_NVERBS; i++)
		if (smtp_cmd_verbs[i].verb == verb)
			return smtp_cmd_verbs[i].name;
	return "UNKNOWN";
}

static enum smtp_cmd_verb
smtp_cmd_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < SMTP_CMD_NVERBS; i++)
		if (strlen(smtp_cmd_verbs[i].name) == len &&
		    strncasecmp(smtp_cmd_verbs[i].name, s, len) == 0)
			return smtp_cmd_verbs[i].verb;
	return SMTP_CMD_UNKNOWN;
}

/* Split off the next white-space separated word of s[*pos..len). */
static bool
smtp_cmd_word(const char *s, size_t len, size_t *pos, const char **w_out,
    size_t *wlen_out)
{
	size_t i = *pos, start;

	while (i < len && smtp_cmd_is_wsp(s[i]))
		i++;
	start = i;
	while (i < len && !smtp_cmd_is_wsp(s[i]))
		i++;
	*pos = i;
	*w_out = s + start;
	*wlen_out = i - start;
	return i > start;
}

static int
smtp_cmd_helo(struct smtp_cmd *out, size_t alen, struct err *err)
{
	if (alen == 0)
		return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
		    "Syntax: %s hostname", smtp_cmd_verb_name(out->verb));
	out->helo.name = out->arg;
	out->helo.valid =
	    address_parse_domain(out->arg, alen, 0, &out->helo.kind, NULL) == 0;
	return 0;
}

static bool
smtp_cmd_is_base64(const char *s, size_t len)
{
	size_t i;

	if (len == 1 && s[0] == '=')
		return true; /* RFC 4954 §4: an empty initial response */
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		        s[i] == '/' || s[i] == '='))
			return false;
	return true;
}

static int
smtp_cmd_auth(
    struct smtp_cmd *out, size_t alen, struct arena *arena, struct err *err)
{
	const char *mech, *resp, *extra;
	size_t mlen, rlen, xlen, pos = 0, i;
	bool has_resp;

	if (!smtp_cmd_word(out->arg, alen, &pos, &mech, &mlen))
		return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
		    "Syntax: AUTH mechanism [initial-response]");
	has_resp = smtp_cmd_word(out->arg, alen, &pos, &resp, &rlen);
	if (smtp_cmd_word(out->arg, alen, &pos, &extra, &xlen))
		return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
		    "Syntax: AUTH mechanism [initial-response]");
	if (mlen > SMTP_CMD_MECH_MAX)
		return SMTP_CMD_FAIL(
		    out, err, 501, "5.5.4", "Bad SASL mechanism name");
	out->auth.mech = arena_strndup(arena, mech, mlen);
	for (i = 0; i < mlen; i++) {
		char c = out->auth.mech[i];

		if (c >= 'a' && c <= 'z')
			out->auth.mech[i] = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		             c == '-' || c == '_'))
			return SMTP_CMD_FAIL(
			    out, err, 501, "5.5.4", "Bad SASL mechanism name");
	}
	if (has_resp) {
		if (!smtp_cmd_is_base64(resp, rlen))
			return SMTP_CMD_FAIL(out, err, 501, "5.5.2",
			    "Cannot decode AUTH initial response");
		out->auth.initial = arena_strndup(arena, resp, rlen);
	}
	return 0;
}

static int
smtp_cmd_bdat(struct smtp_cmd *out, size_t alen, struct err *err)
{
	const char *w, *x;
	size_t wlen, xlen, pos = 0, i;
	uint64_t v = 0;

	if (!smtp_cmd_word(out->arg, alen, &pos, &w, &wlen) || wlen > 20)
		return SMTP_CMD_FAIL(
		    out, err, 501, "5.5.4", "Syntax: BDAT chunk-size [LAST]");
	for (i = 0; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(w[i] - '0')) / 10)
			return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
			    "Syntax: BDAT chunk-size [LAST]");
		v = v * 10 + (uint64_t)(w[i] - '0');
	}
	out->bdat.size = v;
	if (smtp_cmd_word(out->arg, alen, &pos, &w, &wlen)) {
		if (wlen != 4 || strncasecmp(w, "LAST", 4) != 0 ||
		    smtp_cmd_word(out->arg, alen, &pos, &x, &xlen))
			return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
			    "Syntax: BDAT chunk-size [LAST]");
		out->bdat.last = true;
	}
	return 0;
}

/* End of a bracketed path: the '>' that is not inside a quoted string. */
static const char *
smtp_cmd_path_end(const char *s, size_t len)
{
	bool inq = false;
	size_t i;

	for (i = 1; i < len; i++) {
		if (inq && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			inq = !inq;
		else if (!inq && s[i] == '>')
			return s + i;
	}
	return NULL;
}

struct smtp_cmd_path {
	const char *text; /* between the brackets */
	size_t len;
	bool no_brackets;
	size_t rest; /* offset of the parameters in the argument */
};

/* "FROM:" / "TO:", optional white space, then the path. */
static int
smtp_cmd_find_path(struct smtp_cmd *out, size_t alen,
    const struct smtp_cmd_limits *lim, struct smtp_cmd_path *p, struct err *err)
{
	bool mail = out->verb == SMTP_CMD_MAIL;
	const char *kw = mail ? "FROM:" : "TO:",
	           *dsn = mail ? "5.1.7" : "5.1.3";
	const char *s = out->arg, *end;
	size_t klen = strlen(kw), i;

	if (alen < klen || strncasecmp(s, kw, klen) != 0)
		return SMTP_CMD_FAIL(out, err, 501, "5.5.2", "Syntax: %s",
		    mail ? "MAIL FROM:<address>" : "RCPT TO:<address>");
	for (i = klen; i < alen && smtp_cmd_is_wsp(s[i]); i++)
		;
	if (i < alen && s[i] == '<') {
		if ((end = smtp_cmd_path_end(s + i, alen - i)) == NULL)
			return SMTP_CMD_FAIL(out, err, 501, dsn,
			    "Bad %s address syntax",
			    mail ? "sender" : "recipient");
		p->text = s + i + 1;
		p->len = (size_t)(end - p->text);
		p->rest = (size_t)(end - s) + 1;
	} else {
		if ((lim->flags & SMTP_CMD_STRICT_PATH) || i == alen)
			return SMTP_CMD_FAIL(out, err, 501, "5.5.2",
			    "Syntax: %s",
			    mail ? "MAIL FROM:<address>" : "RCPT TO:<address>");
		p->text = s + i;
		while (i < alen && !smtp_cmd_is_wsp(s[i]))
			i++;
		p->len = (size_t)(s + i - p->text);
		p->rest = i;
		p->no_brackets = true;
	}
	if (p->len + 2 > lim->path_max)
		return SMTP_CMD_FAIL(out, err, 501, dsn, "%s address too long",
		    mail ? "Sender" : "Recipient");
	if (p->rest < alen && !smtp_cmd_is_wsp(s[p->rest]))
		return SMTP_CMD_FAIL(out, err, 501, dsn,
		    "Bad %s address syntax", mail ? "sender" : "recipient");
	return 0;
}

static int
smtp_cmd_mail(struct smtp_cmd *out, size_t alen,
    const struct smtp_cmd_limits *lim, struct arena *arena, struct err *err)
{
	struct smtp_cmd_path p = {0};

	if (smtp_cmd_find_path(out, alen, lim, &p, err) != 0 ||
	    smtp_cmd_param_mail(
	        out->arg + p.rest, alen - p.rest, lim, out, arena, err) != 0)
		return -1;
	out->mail.no_brackets = p.no_brackets;
	if (p.len == 0 && !p.no_brackets) {
		out->mail.null_sender = true;
		return 0;
	}
	if (address_parse(p.text, p.len,
	        out->mail.smtputf8 ? ADDRESS_SMTPUTF8 : 0, &out->mail.addr,
	        arena, err) != 0) {
		err_prefix(err, "Bad sender address syntax");
		/* RFC 3463 X.1.7: bad sender's mailbox address syntax. */
		if (err != NULL)
			memcpy(err->dsn, "5.1.7", sizeof("5.1.7"));
		out->code = 501;
		return -1;
	}
	return 0;
}

static int
smtp_cmd_rcpt(struct smtp_cmd *out, size_t alen,
    const struct smtp_cmd_limits *lim, struct arena *arena, struct err *err)
{
	struct smtp_cmd_path p = {0};

	if (smtp_cmd_find_path(out, alen, lim, &p, err) != 0 ||
	    smtp_cmd_param_rcpt(
	        out->arg + p.rest, alen - p.rest, lim, out, arena, err) != 0)
		return -1;
	out->rcpt.no_brackets = p.no_brackets;
	/* RFC 5321 §4.1.1.3: <Postmaster> without a domain must work. */
	if (p.len == 10 && strncasecmp(p.text, "postmaster", 10) == 0) {
		out->rcpt.postmaster = true;
		out->rcpt.addr.local = arena_strdup(arena, "Postmaster");
		return 0;
	}
	if (p.len == 0)
		return SMTP_CMD_FAIL(out, err, 501, "5.1.3",
		    "Bad recipient address syntax: empty address");
	if (address_parse(p.text, p.len,
	        (lim->flags & SMTP_CMD_UTF8_TXN) ? ADDRESS_SMTPUTF8 : 0,
	        &out->rcpt.addr, arena, err) != 0) {
		err_prefix(err, "Bad recipient address syntax");
		out->code = 501;
		return -1;
	}
	return 0;
}

static int
smtp_cmd_dispatch(struct smtp_cmd *out, size_t alen,
    const struct smtp_cmd_limits *lim, struct arena *arena, struct err *err)
{
	switch (out->verb) {
	case SMTP_CMD_EHLO:
	case SMTP_CMD_HELO:
		return smtp_cmd_helo(out, alen, err);
	case SMTP_CMD_MAIL:
		return smtp_cmd_mail(out, alen, lim, arena, err);
	case SMTP_CMD_RCPT:
		return smtp_cmd_rcpt(out, alen, lim, arena, err);
	case SMTP_CMD_BDAT:
		return smtp_cmd_bdat(out, alen, err);
	case SMTP_CMD_AUTH:
		return smtp_cmd_auth(out, alen, arena, err);
	case SMTP_CMD_VRFY:
	case SMTP_CMD_EXPN:
		if (alen == 0)
			return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
			    "Syntax: %s address",
			    smtp_cmd_verb_name(out->verb));
		return 0;
	case SMTP_CMD_NOOP:
	case SMTP_CMD_HELP:
		return 0;
	case SMTP_CMD_DATA:
	case SMTP_CMD_RSET:
	case SMTP_CMD_QUIT:
	case SMTP_CMD_STARTTLS:
		if (alen != 0)
			return SMTP_CMD_FAIL(out, err, 501, "5.5.4",
			    "Syntax: %s", smtp_cmd_verb_name(out->verb));
		return 0;
	case SMTP_CMD_UNKNOWN:
		break;
	}
	return SMTP_CMD_FAIL(
	    out, err, 500, "5.5.1", "Error: command not recognized");
}

int
smtp_cmd_parse(const char *in, size_t len, const struct smtp_cmd_limits *lim,
    struct smtp_cmd *out, struct arena *arena, struct err *err)
{
	const char *verb;
	size_t vlen, pos = 0, end;

	memset(out, 0, sizeof(*out));
	out->arg = arena_strdup(arena, "");
	if (len > SIZE_MAX - 2 || len + 2 > lim->line_max)
		return SMTP_CMD_FAIL(
		    out, err, 500, "5.5.6", "Error: line too long");
	if (memchr(in, '\0', len) != NULL)
		return SMTP_CMD_FAIL(
		    out, err, 500, "5.5.2", "Error: NUL character in command");
	(void)smtp_cmd_word(in, len, &pos, &verb, &vlen);
	out->verb = smtp_cmd_lookup(verb, vlen);
	if (out->verb == SMTP_CMD_UNKNOWN)
		return SMTP_CMD_FAIL(
		    out, err, 500, "5.5.1", "Error: command not recognized");
	while (pos < len && smtp_cmd_is_wsp(in[pos]))
		pos++;
	for (end = len; end > pos && smtp_cmd_is_wsp(in[end - 1]); end--)
		;
	out->arg = arena_strndup(arena, in + pos, end - pos);
	return smtp_cmd_dispatch(out, end - pos, lim, arena, err);
}

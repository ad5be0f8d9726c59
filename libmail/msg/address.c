/* SPDX-License-Identifier: MIT */
/*
 * RFC 5321 §4.1.2 Mailbox and path parsing, canonical forms, extension
 * split and routing predicates. Input is raw client text from MAIL FROM /
 * RCPT TO; every byte is checked against the grammar before it is copied.
 */
#include "msg/address.h"

#include <arpa/inet.h>
#include <string.h>

#include "msg/utf8.h"

#define ADDRESS_LABEL_MAX 63 /* RFC 1035 §2.3.4 */
#define ADDRESS_DOMAIN_MAX 255 /* RFC 5321 §4.5.3.1.2 */

struct address_cur {
	const unsigned char *p;
	size_t len;
	size_t pos;
	unsigned flags;
};

static bool
address_is_atext(unsigned char c)
{
	/* RFC 5322 §3.2.3 atext. */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
address_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Length of the UTF-8 sequence at the cursor, 0 if not allowed there. */
static size_t
address_utf8_at(const struct address_cur *c)
{
	if (!(c->flags & ADDRESS_SMTPUTF8))
		return 0;
	return utf8_seq_len(c->p + c->pos, c->len - c->pos);
}

static bool
address_at_end(const struct address_cur *c)
{
	return c->pos >= c->len;
}

static int
address_peek(const struct address_cur *c)
{
	return c->pos < c->len ? c->p[c->pos] : -1;
}

/*
 * Dot-string local part. Empty atoms ("a..b", "a.") are tolerated as
 * Postfix does, because some mobile carriers hand out such addresses; the
 * canonical form quotes them.
 */
static int
address_dot_string(struct address_cur *c, struct address *out,
    struct arena *arena, struct err *err)
{
	size_t start = c->pos, n;
	int ch;

	while ((ch = address_peek(c)) != -1 && ch != '@') {
		if (address_is_atext((unsigned char)ch) || ch == '.') {
			c->pos++;
			continue;
		}
		if (ch >= 0x80 && (n = address_utf8_at(c)) > 0) {
			c->pos += n;
			out->utf8 = true;
			continue;
		}
		return err_set(
		    err, ERR_PERM, "5.1.3", "invalid character in local part");
	}
	if (c->pos == start)
		return err_set(err, ERR_PERM, "5.1.3", "empty local part");
	out->local =
	    arena_strndup(arena, (const char *)c->p + start, c->pos - start);
	return 0;
}

/* RFC 5321 Quoted-string: qtextSMTP and quoted-pairSMTP, unquoted. */
static int
address_quoted(struct address_cur *c, struct address *out, struct arena *arena,
    struct err *err)
{
	char *dst = arena_alloc(arena, c->len - c->pos + 1);
	size_t n = 0, k;
	int ch;

	c->pos++; /* opening DQUOTE */
	for (;;) {
		if ((ch = address_peek(c)) == -1)
			return err_set(err, ERR_PERM, "5.1.3",
			    "unterminated quoted local part");
		if (ch == '"')
			break;
		if (ch == '\\') {
			c->pos++;
			ch = address_peek(c);
			if (ch < 32 || ch > 126)
				return err_set(err, ERR_PERM, "5.1.3",
				    "invalid quoted pair in local part");
			dst[n++] = (char)ch;
			c->pos++;
		} else if (ch >= 32 && ch <= 126) {
			dst[n++] = (char)ch;
			c->pos++;
		} else if (ch >= 0x80 && (k = address_utf8_at(c)) > 0) {
			memcpy(dst + n, c->p + c->pos, k);
			n += k;
			c->pos += k;
			out->utf8 = true;
		} else {
			return err_set(err, ERR_PERM, "5.1.3",
			    "invalid character in quoted local part");
		}
	}
	c->pos++; /* closing DQUOTE */
	dst[n] = '\0';
	out->local = dst;
	out->quoted = true;
	return 0;
}

/* Ldh-str, or RFC 5321 §4.1.3 General-address-literal tag. */
static bool
address_is_ldh(const unsigned char *s, size_t len)
{
	size_t i;

	if (len == 0 || !address_is_alnum(s[0]) ||
	    !address_is_alnum(s[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (!address_is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static int
address_literal_kind(const char *s, size_t len,
    enum address_domain_kind *kind_out, struct err *err)
{
	unsigned char bin[16];
	char tmp[ADDRESS_DOMAIN_MAX + 1];
	const char *colon;
	size_t i;

	if (len < 2 || s[0] != '[' || s[len - 1] != ']' ||
	    len > ADDRESS_DOMAIN_MAX)
		return err_set(err, ERR_PERM, "5.1.3", "bad address literal");
	memcpy(tmp, s + 1, len - 2);
	tmp[len - 2] = '\0';
	if (strspn(tmp, "0123456789.") == len - 2) {
		*kind_out = ADDRESS_DOMAIN_IPV4;
		if (inet_pton(AF_INET, tmp, bin) != 1)
			return err_set(
			    err, ERR_PERM, "5.1.3", "bad IPv4 address literal");
		return 0;
	}
	if (strncasecmp(tmp, "IPv6:", 5) == 0) {
		*kind_out = ADDRESS_DOMAIN_IPV6;
		if (inet_pton(AF_INET6, tmp + 5, bin) != 1)
			return err_set(
			    err, ERR_PERM, "5.1.3", "bad IPv6 address literal");
		return 0;
	}
	colon = memchr(tmp, ':', len - 2);
	if (colon == NULL || colon[1] == '\0' ||
	    !address_is_ldh((const unsigned char *)tmp, (size_t)(colon - tmp)))
		return err_set(err, ERR_PERM, "5.1.3", "bad address literal");
	for (i = (size_t)(colon - tmp) + 1; i < len - 2; i++) {
		unsigned char ch = (unsigned char)tmp[i];

		/* dcontent = %d33-90 / %d94-126 */
		if (ch < 33 || ch > 126 || ch == '[' || ch == '\\' || ch == ']')
			return err_set(
			    err, ERR_PERM, "5.1.3", "bad address literal");
	}
	*kind_out = ADDRESS_DOMAIN_GENERAL;
	return 0;
}

/* One label ending at '.' or at a character that cannot be in a domain. */
static int
address_label(struct address_cur *c, bool *utf8_out, struct err *err)
{
	size_t start = c->pos, n;
	int ch;

	while ((ch = address_peek(c)) != -1) {
		if (address_is_alnum((unsigned char)ch) || ch == '-' ||
		    ch == '_') {
			c->pos++;
		} else if (ch >= 0x80 && (n = address_utf8_at(c)) > 0) {
			c->pos += n;
			*utf8_out = true;
		} else {
			break;
		}
	}
	if (c->pos == start)
		return err_set(err, ERR_PERM, "5.1.3", "empty domain label");
	if (c->pos - start > ADDRESS_LABEL_MAX)
		return err_set(err, ERR_PERM, "5.1.3", "domain label too long");
	if (c->p[start] == '-' || c->p[c->pos - 1] == '-')
		return err_set(err, ERR_PERM, "5.1.3",
		    "domain label starts or ends with '-'");
	return 0;
}

/* Domain (or address literal when literal_ok) from the cursor on. */
static int
address_domain(struct address_cur *c, bool literal_ok,
    enum address_domain_kind *kind_out, bool *utf8_out, struct err *err)
{
	size_t start = c->pos;
	const unsigned char *close;

	if (address_peek(c) == '[') {
		if (!literal_ok)
			return err_set(err, ERR_PERM, "5.1.3",
			    "address literal not allowed here");
		close = memchr(c->p + c->pos, ']', c->len - c->pos);
		if (close == NULL)
			return err_set(err, ERR_PERM, "5.1.3",
			    "unterminated address literal");
		c->pos = (size_t)(close - c->p) + 1;
		return address_literal_kind(
		    (const char *)c->p + start, c->pos - start, kind_out, err);
	}
	for (;;) {
		if (address_label(c, utf8_out, err) != 0)
			return -1;
		if (address_peek(c) != '.')
			break;
		c->pos++;
	}
	if (c->pos - start > ADDRESS_DOMAIN_MAX)
		return err_set(err, ERR_PERM, "5.1.3", "domain too long");
	*kind_out = ADDRESS_DOMAIN_NAME;
	return 0;
}

/* RFC 5321 A-d-l = At-domain *( "," At-domain ), followed by ":". */
static int
address_route(struct address_cur *c, struct address *out, struct arena *arena,
    struct err *err)
{
	enum address_domain_kind kind;
	bool utf8 = false;

	for (;;) {
		if (address_peek(c) != '@')
			return err_set(
			    err, ERR_PERM, "5.1.3", "bad source route");
		c->pos++;
		if (address_domain(c, false, &kind, &utf8, err) != 0)
			return -1;
		if (address_peek(c) == ':')
			break;
		if (address_peek(c) != ',')
			return err_set(
			    err, ERR_PERM, "5.1.3", "bad source route");
		c->pos++;
	}
	out->route = arena_strndup(arena, (const char *)c->p, c->pos);
	c->pos++; /* ':' */
	return 0;
}

int
address_parse(const char *in, size_t len, unsigned flags, struct address *out,
    struct arena *arena, struct err *err)
{
	struct address_cur c = {(const unsigned char *)in, len, 0, flags};
	size_t dstart;
	bool utf8 = false;

	memset(out, 0, sizeof(*out));
	if (address_peek(&c) == '@' && address_route(&c, out, arena, err) != 0)
		return -1;
	if (address_peek(&c) == '"') {
		if (address_quoted(&c, out, arena, err) != 0)
			return -1;
	} else if (address_dot_string(&c, out, arena, err) != 0) {
		return -1;
	}
	if (address_peek(&c) != '@')
		return err_set(
		    err, ERR_PERM, "5.1.3", "missing domain in address");
	c.pos++;
	dstart = c.pos;
	if (address_domain(&c, true, &out->domain_kind, &utf8, err) != 0)
		return -1;
	if (!address_at_end(&c))
		return err_set(
		    err, ERR_PERM, "5.1.3", "garbage after domain in address");
	out->domain = arena_strndup(arena, in + dstart, len - dstart);
	out->utf8 = out->utf8 || utf8;
	return 0;
}

int
address_parse_domain(const char *in, size_t len, unsigned flags,
    enum address_domain_kind *kind_out, struct err *err)
{
	struct address_cur c = {(const unsigned char *)in, len, 0, flags};
	bool utf8 = false;

	if (address_domain(&c, true, kind_out, &utf8, err) != 0) {
		/* A bare domain is a command argument, not a mailbox. */
		if (err != NULL)
			memcpy(err->dsn, "5.5.2", sizeof("5.5.2"));
		return -1;
	}
	if (!address_at_end(&c))
		return err_set(
		    err, ERR_PERM, "5.5.2", "invalid character in domain");
	return 0;
}

bool
address_local_is_dot_string(const char *local, size_t len)
{
	const unsigned char *p = (const unsigned char *)local;
	size_t i, n;

	if (len == 0 || p[0] == '.' || p[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (p[i + 1] == '.')
				return false;
		} else if (p[i] >= 0x80) {
			if ((n = utf8_seq_len(p + i, len - i)) == 0)
				return false;
			i += n - 1;
		} else if (!address_is_atext(p[i])) {
			return false;
		}
	}
	return true;
}

static void
address_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

char *
address_canonical(const struct address *a, struct arena *arena)
{
	size_t llen = strlen(a->local), dlen, i, n = 0;
	char *out, *dom;

	dlen = a->domain != NULL ? strlen(a->domain) : 0;
	/* Worst case: every octet escaped, two quotes, '@', NUL. */
	out = arena_alloc(arena, 2 * llen + dlen + 4);
	if (address_local_is_dot_string(a->local, llen)) {
		memcpy(out, a->local, llen);
		n = llen;
	} else {
		out[n++] = '"';
		for (i = 0; i < llen; i++) {
			if (a->local[i] == '"' || a->local[i] == '\\')
				out[n++] = '\\';
			out[n++] = a->local[i];
		}
		out[n++] = '"';
	}
	out[n] = '\0';
	if (a->domain != NULL) {
		out[n++] = '@';
		dom = out + n;
		memcpy(dom, a->domain, dlen + 1);
		address_lower(dom);
	}
	return out;
}

char *
address_internal(const struct address *a, struct arena *arena)
{
	char *out;
	size_t llen = strlen(a->local);

	if (a->domain == NULL)
		return arena_strdup(arena, a->local);
	out = arena_printf(arena, "%s@%s", a->local, a->domain);
	address_lower(out + llen + 1);
	return out;
}

static bool
address_ieq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/* Postfix compatibility: names that are never split at a delimiter. */
static bool
address_no_split(const char *local, size_t len, const char *delims)
{
	if (address_ieq(local, len, "postmaster") ||
	    address_ieq(local, len, "MAILER-DAEMON"))
		return true;
	if (strchr(delims, '-') == NULL)
		return false;
	if (len >= 6 && strncasecmp(local, "owner-", 6) == 0)
		return true;
	return len > 8 && strncasecmp(local + len - 8, "-request", 8) == 0;
}

void
address_split(
    const char *addr, size_t len, const char *delims, struct address_parts *out)
{
	const char *at = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = len; i > 0; i--) {
		if (addr[i - 1] == '@') {
			at = addr + i - 1;
			break;
		}
	}
	out->local = addr;
	out->local_len = at != NULL ? (size_t)(at - addr) : len;
	if (at != NULL) {
		out->domain = at + 1;
		out->domain_len = len - out->local_len - 1;
	}
	if (delims == NULL || *delims == '\0' ||
	    address_no_split(addr, out->local_len, delims))
		return;
	for (i = 1; i < out->local_len; i++) {
		if (addr[i] != '\0' && strchr(delims, addr[i]) != NULL) {
			out->delim = addr[i];
			out->ext = addr + i + 1;
			out->ext_len = out->local_len - i - 1;
			out->local_len = i;
			return;
		}
	}
}

unsigned
address_routing(const struct address *a)
{
	unsigned r = 0;

	if (strchr(a->local, '%') != NULL)
		r |= ADDRESS_ROUTE_PERCENT;
	if (strchr(a->local, '!') != NULL)
		r |= ADDRESS_ROUTE_BANG;
	if (strchr(a->local, '@') != NULL)
		r |= ADDRESS_ROUTE_AT;
	if (a->route != NULL)
		r |= ADDRESS_ROUTE_SOURCE;
	return r;
}

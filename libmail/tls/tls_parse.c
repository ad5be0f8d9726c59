/* SPDX-License-Identifier: MIT */
/*
 * Parsers for the TLS main.cf values: protocol lists and security
 * levels. Pure (text in, value or error out); fuzzed by
 * tests/fuzz/fuzz_tls_parse.c. Input is an admin's text, or a master.cf
 * -o override.
 */
#include "tls/tls.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>

/* Known versions, oldest first: the bit of each is its index. */
static const struct {
	const char *name;
	int version; /* OpenSSL's number; 0: none OpenSSL 3 speaks */
} tls_parse_versions[] = {
    {"SSLv2", 0},
    {"SSLv3", SSL3_VERSION},
    {"TLSv1", TLS1_VERSION},
    {"TLSv1.1", TLS1_1_VERSION},
    {"TLSv1.2", TLS1_2_VERSION},
    {"TLSv1.3", TLS1_3_VERSION},
};
#define TLS_PARSE_NVERSIONS                                                    \
	(sizeof(tls_parse_versions) / sizeof(tls_parse_versions[0]))
#define TLS_PARSE_ALL ((1u << TLS_PARSE_NVERSIONS) - 1)
/* The default: TLSv1.2 and everything newer. */
#define TLS_PARSE_DEFAULT ">=TLSv1.2"

static int
tls_parse_version(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < TLS_PARSE_NVERSIONS; i++)
		if (strlen(tls_parse_versions[i].name) == len &&
		    strncasecmp(tls_parse_versions[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

static bool
tls_parse_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Apply one item to the allowed sets; 0 or -1 with err. */
static int
tls_parse_item(
    const char *s, size_t len, unsigned *incl, unsigned *excl, struct err *err)
{
	const char *name = s;
	size_t nlen = len;
	int v;

	if (len >= 2 && (s[0] == '>' || s[0] == '<') && s[1] == '=') {
		name += 2;
		nlen -= 2;
	} else if (len >= 1 && s[0] == '!') {
		name++;
		nlen--;
	}
	if ((v = tls_parse_version(name, nlen)) < 0)
		return err_set(err, ERR_PERM, "5.7.0",
		    "unknown TLS protocol \"%.*s\"", (int)(len > 32 ? 32 : len),
		    s);
	if (s[0] == '>')
		*excl |= (1u << v) - 1;
	else if (s[0] == '<')
		*excl |= TLS_PARSE_ALL & ~((2u << v) - 1);
	else if (s[0] == '!')
		*excl |= 1u << v;
	else
		*incl |= 1u << v;
	return 0;
}

int
tls_parse_protocols(
    const char *text, int *min_out, int *max_out, struct err *err)
{
	unsigned incl = 0, excl = 0, allowed;
	const char *p = text;
	size_t len;
	int lo, hi;

	while (*p != '\0' && tls_parse_sep(*p))
		p++;
	if (*p == '\0')
		p = TLS_PARSE_DEFAULT;
	for (; *p != '\0'; p += len) {
		while (*p != '\0' && tls_parse_sep(*p))
			p++;
		for (len = 0; p[len] != '\0' && !tls_parse_sep(p[len]); len++)
			;
		if (len > 0 && tls_parse_item(p, len, &incl, &excl, err) != 0)
			return -1;
	}
	allowed = (incl != 0 ? incl : TLS_PARSE_ALL) & ~excl;
	/* OpenSSL 3 cannot speak SSLv2: a range may not rest on it. */
	allowed &= ~1u;
	if (allowed == 0)
		return err_set(err, ERR_PERM, "5.7.0",
		    "no TLS protocol left in \"%.64s\"", text);
	for (lo = 0; (allowed & (1u << lo)) == 0; lo++)
		;
	for (hi = (int)TLS_PARSE_NVERSIONS - 1; (allowed & (1u << hi)) == 0;
	     hi--)
		;
	if (allowed != (((2u << hi) - 1) & ~((1u << lo) - 1)))
		return err_set(err, ERR_PERM, "5.7.0",
		    "TLS protocols \"%.64s\" are not one contiguous range",
		    text);
	*min_out = tls_parse_versions[lo].version;
	/* The newest known version is no upper bound: newer ones may come. */
	*max_out = hi == (int)TLS_PARSE_NVERSIONS - 1
	    ? 0
	    : tls_parse_versions[hi].version;
	return 0;
}

int
tls_parse_level(
    const char *text, bool client, enum tls_level *out, struct err *err)
{
	static const struct {
		const char *name;
		enum tls_level level;
	} levels[] = {
	    {"", TLS_LEVEL_NONE},
	    {"none", TLS_LEVEL_NONE},
	    {"may", TLS_LEVEL_MAY},
	    {"encrypt", TLS_LEVEL_ENCRYPT},
	    {"verify", TLS_LEVEL_VERIFY},
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcasecmp(text, levels[i].name) != 0)
			continue;
		if (levels[i].level == TLS_LEVEL_VERIFY && !client)
			break;
		*out = levels[i].level;
		return 0;
	}
	return err_set(err, ERR_PERM, "5.7.0",
	    "bad TLS security level \"%.32s\" (want none, may, encrypt%s)",
	    text, client ? " or verify" : "");
}

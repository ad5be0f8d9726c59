/* SPDX-License-Identifier: MIT */
/*
 * The date and currentdate tests (RFC 5260): an RFC 5322 date-time read
 * from a header field (parsed by libmail/mime) or the caller's "now", moved to the local zone,
 * to :zone, or kept in its own zone with :originalzone, then one date
 * part extracted as text and matched. A field that does not hold a
 * date makes the test false. Input is untrusted header text; the clock
 * is the caller's (sieve_environment.now), never read here.
 */
#include "sieve/sieve_run_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime/mime.h"

static const char *const sieve_date_months[12] = { "Jan", "Feb", "Mar",
	"Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const sieve_date_days[7] = { "Sun", "Mon", "Tue", "Wed",
	"Thu", "Fri", "Sat" };

/* A :zone argument (RFC 5260 §4.1.1): "+hhmm" or "-hhmm". */
static bool
sieve_date_zone(const char *p, int *minutes_out)
{
	int v = 0, i;

	if ((p[0] != '+' && p[0] != '-') || strlen(p) != 5)
		return false;
	for (i = 1; i < 5; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	if (v % 100 > 59)
		return false;
	*minutes_out = (v / 100 * 60 + v % 100) * (p[0] == '-' ? -1 : 1);
	return true;
}

/* The date part of utc seen in zone (minutes east), into out. */
static void
sieve_date_part(const char *part, int64_t utc, int zone, char *out,
    size_t size)
{
	int64_t local = utc + (int64_t)zone * 60;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t secs = local - days * 86400, z = days + 719468, era, y;
	unsigned doe, yoe, doy, mp, d, m;
	char zs[8];
	int az = zone < 0 ? -zone : zone, n;

	/* civil from days (the inverse of days_from_civil) */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	(void)snprintf(zs, sizeof(zs), "%c%02d%02d", zone < 0 ? '-' : '+',
	    az / 60 % 100, az % 60);
#define P(...) n = snprintf(out, size, __VA_ARGS__)
	if (strcasecmp(part, "year") == 0)
		P("%04lld", (long long)y);
	else if (strcasecmp(part, "month") == 0)
		P("%02u", m);
	else if (strcasecmp(part, "day") == 0)
		P("%02u", d);
	else if (strcasecmp(part, "date") == 0)
		P("%04lld-%02u-%02u", (long long)y, m, d);
	else if (strcasecmp(part, "julian") == 0)	/* MJD: from 1858-11-17 */
		P("%lld", (long long)(days + 40587));
	else if (strcasecmp(part, "hour") == 0)
		P("%02d", (int)(secs / 3600));
	else if (strcasecmp(part, "minute") == 0)
		P("%02d", (int)(secs / 60 % 60));
	else if (strcasecmp(part, "second") == 0)
		P("%02d", (int)(secs % 60));
	else if (strcasecmp(part, "time") == 0)
		P("%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60),
		    (int)(secs % 60));
	else if (strcasecmp(part, "iso8601") == 0)
		P("%04lld-%02u-%02uT%02d:%02d:%02d%.3s:%s", (long long)y, m, d,
		    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
		    zs, zs + 3);
	else if (strcasecmp(part, "std11") == 0)
		P("%s, %u %s %04lld %02d:%02d:%02d %s",
		    sieve_date_days[(days % 7 + 11) % 7], d,
		    sieve_date_months[m - 1], (long long)y, (int)(secs / 3600),
		    (int)(secs / 60 % 60), (int)(secs % 60), zs);
	else if (strcasecmp(part, "zone") == 0)
		P("%s", zs);
	else if (strcasecmp(part, "weekday") == 0)	/* 1970-01-01: Thu */
		P("%d", (int)((days % 7 + 11) % 7));
	else
		P("%s", "");
#undef P
	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
}

int
sieve_test_date(struct sieve_run *r, const struct sieve_node *n)
{
	bool current = n->op == SIEVE_OP_CURRENTDATE;
	const struct sieve_tagval *zt = sieve_node_tag(n, SIEVE_TAG_ZONE);
	const struct sieve_tagval *ix = sieve_node_tag(n, SIEVE_TAG_INDEX);
	const struct sieve_arg *part_arg = n->pos[current ? 0 : 1];
	int zone = r->in->environment.zone_minutes, orig = 0;
	int64_t utc = (int64_t)r->in->environment.now;
	time_t t;
	struct sieve_matcher m;
	char value[80];
	const char *part;
	int rc;

	if (!current) {
		size_t count;
		const struct sieve_field **f = sieve_msg_fields(r,
		    sieve_str(r, &n->pos[0]->strs[0], NULL),
		    ix ? ix->arg->number : 1,
		    sieve_node_tag(n, SIEVE_TAG_LAST) != NULL, &count);

		if (count == 0 || mime_date_parse(f[0]->value,
		    f[0]->value_len, &t, &orig) < 0)
			return 0;
		utc = (int64_t)t;
		if (sieve_node_tag(n, SIEVE_TAG_ORIGINALZONE) != NULL)
			zone = orig;
	}
	if (zt != NULL && !sieve_date_zone(sieve_str(r, &zt->arg->strs[0],
	    NULL), &zone))
		return 0;
	part = sieve_str(r, &part_arg->strs[0], NULL);
	if (!sieve_date_part_valid(part))
		return 0;
	sieve_date_part(part, utc, zone, value, sizeof(value));
	sieve_match_init(&m, n, sieve_node_keys(n));
	rc = sieve_match_value(r, &m, value, strlen(value));
	return rc < 0 ? -1 : sieve_match_done(r, &m, rc);
}

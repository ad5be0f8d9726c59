/* SPDX-License-Identifier: MIT */
/*
 * RFC 5322 §3.3 date-time values (the Date: field), with the obsolete
 * syntax of §4.3 that old mail carries, for SEARCH SENT* and SORT DATE.
 * Input is an untrusted header value; comments and white space are
 * skipped; nothing is allocated.
 */
#include "mime/mime.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct mime_date_cur {
	const char *p;
	const char *end;
};

/* Skip white space, commas and comments (nesting counted). */
static void
mime_date_skip(struct mime_date_cur *c)
{
	size_t depth = 0;

	while (c->p < c->end) {
		if (*c->p == '(')
			depth++;
		else if (*c->p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *c->p != ' ' && *c->p != '\t' &&
		    *c->p != ',' && *c->p != '\r' && *c->p != '\n')
			return;
		c->p++;
	}
}

/* A number of 1..max_digits digits, or -1. */
static long
mime_date_num(struct mime_date_cur *c, int max_digits, int *ndigits_out)
{
	long v = 0;
	int n = 0;

	while (
	    c->p < c->end && isdigit((unsigned char)*c->p) && n < max_digits) {
		v = v * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	if (ndigits_out != NULL)
		*ndigits_out = n;
	return n > 0 ? v : -1;
}

static size_t
mime_date_word(struct mime_date_cur *c, const char **w_out)
{
	size_t n = 0;

	*w_out = c->p;
	while (c->p < c->end && isalpha((unsigned char)*c->p)) {
		c->p++;
		n++;
	}
	return n;
}

static int
mime_date_month(const char *w, size_t n)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int i;

	if (n < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (strncasecmp(w, months + 3 * i, 3) == 0)
			return i;
	return -1;
}

/* The zone: +hhmm/-hhmm, or an obsolete name (§4.3). Minutes east. */
static int
mime_date_zone(struct mime_date_cur *c)
{
	static const struct {
		const char *name;
		int off;
	} zones[] = {{"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0}, {"EST", -300},
	    {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420},
	    {"MDT", -360}, {"PST", -480}, {"PDT", -420}};
	const char *w;
	size_t n, i;

	if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
		int sign = *c->p == '-' ? -1 : 1, nd;
		long v;

		c->p++;
		v = mime_date_num(c, 4, &nd);
		if (nd != 4 || v % 100 >= 60)
			return 0;
		return sign * (int)(v / 100 * 60 + v % 100);
	}
	n = mime_date_word(c, &w);
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strlen(zones[i].name) == n &&
		    strncasecmp(zones[i].name, w, n) == 0)
			return zones[i].off;
	return 0; /* §4.3: other zones (military) mean unknown: +0000 */
}

int
mime_date_parse(const char *s, size_t len, time_t *t_out, int *tz_out)
{
	struct mime_date_cur c = {.p = s, .end = s + len};
	struct tm tm = {0};
	const char *w;
	long day, year, hh, mm, ss = 0;
	int mon, nd;
	size_t n;

	mime_date_skip(&c);
	n = mime_date_word(&c, &w); /* optional day of week */
	if (n > 0)
		mime_date_skip(&c);
	day = mime_date_num(&c, 2, NULL);
	mime_date_skip(&c);
	n = mime_date_word(&c, &w);
	mon = mime_date_month(w, n);
	mime_date_skip(&c);
	year = mime_date_num(&c, 4, &nd);
	if (day < 1 || day > 31 || mon < 0 || year < 0)
		return -1;
	/* §4.3: two digits are 19xx from 50 on, else 20xx; three: +1900. */
	if (nd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	mime_date_skip(&c);
	hh = mime_date_num(&c, 2, NULL);
	if (c.p >= c.end || *c.p != ':')
		return -1;
	c.p++;
	mm = mime_date_num(&c, 2, NULL);
	if (c.p < c.end && *c.p == ':') {
		c.p++;
		ss = mime_date_num(&c, 2, NULL);
	}
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	mime_date_skip(&c);
	*tz_out = mime_date_zone(&c);
	tm.tm_year = (int)year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = (int)day;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	*t_out = timegm(&tm) - (time_t)*tz_out * 60;
	return 0;
}

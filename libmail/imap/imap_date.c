/* SPDX-License-Identifier: MIT */
/*
 * IMAP dates (RFC 3501 §9 date, date-time): SEARCH's "1-Feb-1994" and
 * APPEND's "17-Jul-1996 02:44:25 -0700", parsed from client tokens and
 * written into responses (INTERNALDATE).
 */
#include "imap/imap_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "imap/imap_impl.h"

static const char imap_date_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int
imap_date_mdays(int year, int month)
{
	static const int mdays[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : mdays[month - 1];
}

static int
imap_date_digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "d-Mon-yyyy" where d is 1 or 2 characters (a leading space allowed). */
int
imap_date_parse(
    const char *s, size_t len, struct imap_date *out, struct err *err)
{
	const char *dash = memchr(s, '-', len), *end = s + len;
	size_t dlen;
	int m;

	if (dash == NULL)
		return imap_syntax_error(err, "bad date");
	dlen = (size_t)(dash - s);
	if (dlen == 2 && s[0] == ' ') {
		s++;
		dlen = 1;
	}
	if (dlen < 1 || dlen > 2 || imap_date_digits(s, dlen, &out->day) != 0 ||
	    end - dash != 9 || dash[4] != '-' ||
	    imap_date_digits(dash + 5, 4, &out->year) != 0)
		return imap_syntax_error(err, "bad date");
	for (m = 0; m < 12; m++)
		if (strncasecmp(dash + 1, imap_date_months[m], 3) == 0)
			break;
	if (m == 12 || out->day < 1 ||
	    out->day > imap_date_mdays(out->year, m + 1))
		return imap_syntax_error(err, "bad date");
	out->month = m + 1;
	return 0;
}

int64_t
imap_date_days(const struct imap_date *d)
{
	/* Days from the civil date (proleptic Gregorian calendar). */
	int64_t y = d->year - (d->month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d->month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* "dd-Mon-yyyy hh:mm:ss +zzzz" (26 octets, day may be " d"). */
int
imap_datetime_parse(
    const char *s, size_t len, time_t *t_out, int *tz_out, struct err *err)
{
	struct imap_date d;
	int hh, mm, ss, zone;
	const char *t;

	if (len < 25 || len > 26 || imap_date_parse(s, len - 15, &d, err) != 0)
		return imap_syntax_error(err, "bad date-time");
	t = s + len - 15;
	if (t[0] != ' ' || t[3] != ':' || t[6] != ':' || t[9] != ' ' ||
	    (t[10] != '+' && t[10] != '-') ||
	    imap_date_digits(t + 1, 2, &hh) != 0 ||
	    imap_date_digits(t + 4, 2, &mm) != 0 ||
	    imap_date_digits(t + 7, 2, &ss) != 0 ||
	    imap_date_digits(t + 11, 4, &zone) != 0 || hh > 23 || mm > 59 ||
	    ss > 60 || zone % 100 > 59)
		return imap_syntax_error(err, "bad date-time");
	*tz_out = (zone / 100 * 60 + zone % 100) * (t[10] == '-' ? -1 : 1);
	*t_out =
	    (time_t)(imap_date_days(&d) * 86400 + hh * 3600 + mm * 60 + ss) -
	    (time_t)*tz_out * 60;
	return 0;
}

void
imap_datetime_write(struct buf *out, time_t t, int tz)
{
	struct tm tm;
	time_t local = t + (time_t)tz * 60;
	int az = tz < 0 ? -tz : tz;

	gmtime_r(&local, &tm);
	buf_printf(out, "\"%02d-%s-%04d %02d:%02d:%02d %c%02d%02d\"",
	    tm.tm_mday, imap_date_months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, tz < 0 ? '-' : '+', az / 60,
	    az % 60);
}

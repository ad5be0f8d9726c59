/* SPDX-License-Identifier: MIT */
/*
 * RFC 5256 §2.1 base subject extraction for SORT and THREAD. Input is a
 * message's Subject: field, untrusted; the work is on an arena copy.
 */
#include "imap/imap_subject.h"

#include <string.h>
#include <strings.h>

#include "mime/mime.h"

struct imap_subject {
	const char *s; /* normalised text */
	size_t start; /* base subject is s[start, end) */
	size_t end;
	bool reply;
};

/* Step 1 (without RFC 2047): every run of white space becomes one SP. */
static char *
imap_subject_squash(const char *s, size_t len, size_t *len_out, struct arena *a)
{
	char *out = arena_alloc(a, len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		bool ws =
		    s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n';

		if (!ws)
			out[n++] = s[i];
		else if (n == 0 || out[n - 1] != ' ')
			out[n++] = ' ';
	}
	out[n] = '\0';
	*len_out = n;
	return out;
}

/* Step 2: subj-trailer = "(fwd)" / WSP, removed from the end. */
static void
imap_subject_trailer(struct imap_subject *x)
{
	for (;;) {
		if (x->end > x->start && x->s[x->end - 1] == ' ') {
			x->end--;
		} else if (x->end - x->start >= 5 &&
		    strncasecmp(x->s + x->end - 5, "(fwd)", 5) == 0) {
			x->end -= 5;
			x->reply = true;
		} else {
			return;
		}
	}
}

/* subj-blob = "[" *BLOBCHAR "]" *WSP: the offset after it, or 0. */
static size_t
imap_subject_blob(const struct imap_subject *x, size_t pos)
{
	if (pos >= x->end || x->s[pos] != '[')
		return 0;
	for (pos++; pos < x->end && x->s[pos] != ']'; pos++)
		if (x->s[pos] == '[')
			return 0;
	if (pos >= x->end)
		return 0;
	for (pos++; pos < x->end && x->s[pos] == ' '; pos++)
		;
	return pos;
}

/*
 * subj-leader = (*subj-blob subj-refwd) / WSP, with
 * subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":".
 * The offset after one leader at pos, or 0.
 */
static size_t
imap_subject_leader(const struct imap_subject *x, size_t pos)
{
	size_t next;

	if (pos < x->end && x->s[pos] == ' ')
		return pos + 1;
	while ((next = imap_subject_blob(x, pos)) != 0)
		pos = next;
	if (x->end - pos >= 2 && strncasecmp(x->s + pos, "re", 2) == 0)
		pos += 2;
	else if (x->end - pos >= 3 && strncasecmp(x->s + pos, "fwd", 3) == 0)
		pos += 3;
	else if (x->end - pos >= 2 && strncasecmp(x->s + pos, "fw", 2) == 0)
		pos += 2;
	else
		return 0;
	while (pos < x->end && x->s[pos] == ' ')
		pos++;
	if ((next = imap_subject_blob(x, pos)) != 0)
		pos = next;
	return pos < x->end && x->s[pos] == ':' ? pos + 1 : 0;
}

/* Steps 3-5: leaders, then a leading blob if text remains after it. */
static void
imap_subject_leaders(struct imap_subject *x)
{
	bool changed;

	do {
		size_t next;

		changed = false;
		while ((next = imap_subject_leader(x, x->start)) != 0) {
			if (x->s[x->start] != ' ')
				x->reply = true;
			x->start = next;
			changed = true;
		}
		next = imap_subject_blob(x, x->start);
		if (next != 0 && next < x->end) {
			x->start = next;
			changed = true;
		}
	} while (changed);
}

char *
imap_subject_base(const char *s, size_t len, bool *reply_out, struct arena *a)
{
	struct imap_subject x = {0};
	struct buf dec;
	size_t n;

	/* Step 1: decode RFC 2047 words, then squash white space. */
	buf_init(&dec);
	mime_rfc2047_decode(s, len, &dec);
	x.s = imap_subject_squash(dec.data, dec.len, &n, a);
	buf_deinit(&dec);
	x.end = n;
	for (;;) {
		imap_subject_trailer(&x);
		imap_subject_leaders(&x);
		/* Step 6: subj-fwd = "[fwd:" subj-base "]" */
		if (x.end - x.start < 6 ||
		    strncasecmp(x.s + x.start, "[fwd:", 5) != 0 ||
		    x.s[x.end - 1] != ']')
			break;
		x.start += 5;
		x.end--;
		x.reply = true;
	}
	if (reply_out != NULL)
		*reply_out = x.reply;
	return arena_strndup(a, x.s + x.start, x.end - x.start);
}

/* SPDX-License-Identifier: MIT */
/*
 * Maildir names (maildir_name.h), following the conventions of
 * cr.yp.to/proto/maildir.html and Maildir++ so that mutt, mblaze and
 * Dovecot read our mailboxes and we read theirs.
 */
#include "store/maildir_name.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

void
maildir_name_uniq_init(struct maildir_name_uniq *u, const char *host)
{
	char raw[256];
	size_t i, o = 0;

	if (host == NULL) {
		if (gethostname(raw, sizeof(raw)) < 0)
			raw[0] = '\0';
		raw[sizeof(raw) - 1] = '\0';
		host = raw[0] != '\0' ? raw : "localhost";
	}
	for (i = 0; host[i] != '\0' && o + 5 < sizeof(u->host); i++) {
		unsigned char c = (unsigned char)host[i];

		if (c == '/' || c == ':' || c == ',' || c == '\\' || c < 0x20) {
			u->host[o++] = '\\';
			u->host[o++] = (char)('0' + (c >> 6));
			u->host[o++] = (char)('0' + ((c >> 3) & 7));
			u->host[o++] = (char)('0' + (c & 7));
		} else
			u->host[o++] = (char)c;
	}
	u->host[o] = '\0';
	u->pid = getpid();
	u->counter = 0;
}

void
maildir_name_uniq_next(
    struct maildir_name_uniq *u, uint64_t sec, uint32_t usec, struct buf *out)
{
	buf_printf(out, "%" PRIu64 ".M%" PRIu32 "P%ldQ%lu.%s", sec, usec,
	    (long)u->pid, u->counter++, u->host);
}

int
maildir_name_info_parse(
    const char *name, size_t len, size_t *base_len_out, uint64_t *flags_out)
{
	const char *colon = memchr(name, ':', len);
	uint64_t flags = 0, bit;
	size_t i;

	*flags_out = 0;
	if (colon == NULL) {
		*base_len_out = len;
		return 0;
	}
	*base_len_out = (size_t)(colon - name);
	i = *base_len_out + 1;
	if (len - i < 2 || name[i] != '2' || name[i + 1] != ',')
		return -1;
	for (i += 2; i < len; i++) {
		if ((bit = MAILDIR_NAME_FLAG(name[i])) == 0)
			return -1;
		flags |= bit;
	}
	*flags_out = flags;
	return 1;
}

void
maildir_name_info_format(
    const char *base, size_t base_len, uint64_t flags, struct buf *out)
{
	char c;

	buf_append(out, base, base_len);
	buf_puts(out, ":2,");
	for (c = 'A'; c <= 'Z'; c++)
		if (flags & MAILDIR_NAME_FLAG(c))
			buf_putc(out, c);
	for (c = 'a'; c <= 'z'; c++)
		if (flags & MAILDIR_NAME_FLAG(c))
			buf_putc(out, c);
}

int
maildir_name_size(const char *name, size_t len, uint64_t *size_out)
{
	const char *colon = memchr(name, ':', len);
	size_t end = colon != NULL ? (size_t)(colon - name) : len, i;
	uint64_t v = 0;

	/* The fields follow the host part, after its first ','. */
	for (i = 0; i + 3 <= end; i++) {
		if (name[i] != ',' || name[i + 1] != 'S' || name[i + 2] != '=')
			continue;
		i += 3;
		if (i >= end || name[i] < '0' || name[i] > '9')
			return 0;
		for (; i < end && name[i] >= '0' && name[i] <= '9'; i++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(name[i] - '0');
		}
		if (i < end && name[i] != ',')
			return 0;
		*size_out = v;
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The queued message as local sees it: a byte range of the queue file
 * qmgr passed. Reads are positional (pread), so no offset is shared
 * with qmgr's copy of the descriptor. The header section is scanned
 * once, with msg/header.h, for the Delivered-To: fields that loop
 * detection compares against; the content is untrusted text, and a
 * header section the parser gives up on simply ends the scan.
 */
#include "local.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "msg/header.h"

#define LOCAL_MSG_CHUNK 65536
/* Delivered-To: fields looked at; a loop shows up in the first few. */
#define LOCAL_MSG_DELIVERED_MAX 256

ssize_t
local_msg_read(const struct local_msg *m, uint64_t off, void *buf, size_t len,
    struct err *err)
{
	ssize_t n;

	if (off >= m->size)
		return 0;
	if (len > m->size - off)
		len = (size_t)(m->size - off);
	do
		n = pread(m->fd, buf, len, (off_t)(m->offset + off));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set(err, ERR_TEMP, "4.3.0", "read queue file: %s",
		    strerror(errno));
		return -1;
	}
	if (n == 0)
		return err_set(err, ERR_TEMP, "4.3.0",
		    "queue file shorter than its content size");
	return n;
}

/* Remember one Delivered-To: value: trimmed, <> removed, lowercased. */
static void
local_msg_note(
    struct local_msg *m, const char *v, size_t len, struct arena *arena)
{
	const char **grown;
	char *s;
	size_t i;

	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	if (len >= 2 && v[0] == '<' && v[len - 1] == '>') {
		v++;
		len -= 2;
	}
	if (len == 0 || m->ndelivered >= LOCAL_MSG_DELIVERED_MAX)
		return;
	s = arena_strndup(arena, v, len);
	for (i = 0; s[i] != '\0'; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	grown = arena_alloc(arena, (m->ndelivered + 1) * sizeof(*grown));
	if (m->ndelivered > 0)
		memcpy(grown, m->delivered_to, m->ndelivered * sizeof(*grown));
	grown[m->ndelivered++] = s;
	m->delivered_to = grown;
}

/* Pull header events; 1 when the header section is over. */
static int
local_msg_events(
    struct local_msg *m, struct header_parser *p, struct arena *arena)
{
	struct header_event ev;
	struct err err;
	int rc;

	while ((rc = header_next(p, &ev, &err)) == 1) {
		if (ev.kind != HEADER_EV_FIELD)
			return 1;
		if (ev.name_len == 12 &&
		    strncasecmp(ev.name, "Delivered-To", 12) == 0)
			local_msg_note(m, ev.value, ev.value_len, arena);
	}
	return rc < 0 ? 1 : 0;
}

int
local_msg_scan(struct local_msg *m, struct arena *arena, struct err *err)
{
	static const struct header_limits lim = {
	    .line_max = 64 * 1024,
	    .count_max = 10000,
	    .size_max = 4 * 1024 * 1024,
	};
	struct header_parser p;
	char buf[LOCAL_MSG_CHUNK];
	uint64_t off = 0;
	ssize_t n;
	int done = 0, rc = 0;
	char *nl;

	header_init(&p, &lim);
	while (!done && off < m->size) {
		if ((n = local_msg_read(m, off, buf, sizeof(buf), err)) < 0) {
			rc = -1;
			break;
		}
		if (off == 0 && (nl = memchr(buf, '\n', (size_t)n)) != NULL)
			m->crlf = nl > buf && nl[-1] == '\r';
		off += (uint64_t)n;
		header_feed(&p, buf, (size_t)n);
		done = local_msg_events(m, &p, arena);
	}
	if (rc == 0 && !done) {
		header_finish(&p);
		local_msg_events(m, &p, arena);
	}
	header_deinit(&p);
	if (off == 0)
		m->crlf = true;
	return rc;
}

bool
local_msg_delivered_to(const struct local_msg *m, const char *address)
{
	size_t i;

	for (i = 0; i < m->ndelivered; i++)
		if (strcasecmp(m->delivered_to[i], address) == 0)
			return true;
	return false;
}

/* Drop the CR of each CR LF; a CR ending the chunk waits in *held. */
static size_t
local_msg_to_lf(const char *in, size_t n, char *out, bool *held)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (*held) {
			*held = false;
			if (in[i] != '\n')
				out[o++] = '\r';
		}
		if (in[i] == '\r')
			*held = true;
		else
			out[o++] = in[i];
	}
	return o;
}

int
local_msg_copy(const struct local_msg *m, bool lf, local_msg_sink_fn *fn,
    void *ctx, struct err *err)
{
	char buf[LOCAL_MSG_CHUNK], out[LOCAL_MSG_CHUNK];
	uint64_t off = 0;
	bool held = false;
	ssize_t n;

	while (off < m->size) {
		if ((n = local_msg_read(m, off, buf, sizeof(buf), err)) < 0)
			return -1;
		off += (uint64_t)n;
		if (!lf) {
			if (fn(ctx, buf, (size_t)n, err) != 0)
				return -1;
			continue;
		}
		if (fn(ctx, out, local_msg_to_lf(buf, (size_t)n, out, &held),
		        err) != 0)
			return -1;
	}
	if (held && fn(ctx, "\r", 1, err) != 0)
		return -1;
	return 0;
}

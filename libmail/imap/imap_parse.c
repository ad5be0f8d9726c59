/* SPDX-License-Identifier: MIT */
/*
 * The incremental IMAP command reader: frames commands from the byte
 * stream (lines, and literals announced at their ends), checks every
 * size before buffering, reports synchronising literals so imapd can
 * answer "+" or refuse them before the client sends a byte of them
 * (RFC 3501 §7.5, RFC 7888 LITERAL+/LITERAL-), then hands the complete
 * command to the tokeniser. Input is raw network data.
 */
#include "imap/imap_parse.h"

#include <ctype.h>
#include <string.h>

#include "imap/imap_impl.h"

enum imap_parse_state {
	IMAP_PARSE_ST_LINE = 0,
	IMAP_PARSE_ST_LITERAL,
	IMAP_PARSE_ST_FAILED, /* a fatal error: nothing more is read */
};

/* A literal size with more digits is refused unread. */
#define IMAP_PARSE_DIGITS_MAX 19

/*
 * Idle sessions must stay small: after a command bigger than this (an
 * APPEND), the buffer's memory is given back instead of kept.
 */
#define IMAP_PARSE_KEEP_MAX 16384

void
imap_parse_init(struct imap_parser *p, const struct imap_parse_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->lim = *lim;
	buf_init(&p->cmd);
}

void
imap_parse_deinit(struct imap_parser *p)
{
	buf_deinit(&p->cmd);
}

void
imap_parse_set_limits(
    struct imap_parser *p, const struct imap_parse_limits *lim)
{
	p->lim = *lim;
}

static void
imap_parse_empty(struct imap_parser *p)
{
	if (p->cmd.cap > IMAP_PARSE_KEEP_MAX) {
		buf_deinit(&p->cmd);
		buf_init(&p->cmd);
	} else {
		buf_reset(&p->cmd);
	}
}

void
imap_parse_abort(struct imap_parser *p)
{
	imap_parse_empty(p);
	p->line_start = 0;
	p->lit_left = 0;
	p->state = IMAP_PARSE_ST_LINE;
}

void
imap_parse_want_line(struct imap_parser *p)
{
	p->raw_line = true;
}

/* The tag of the command being read, for an error reply; NULL if none. */
static const char *
imap_parse_tag(const struct imap_parser *p, struct arena *a)
{
	size_t n = 0;

	while (n < p->cmd.len && imap_lex_is_tag_char(p->cmd.data[n]))
		n++;
	if (n == 0 || n >= p->cmd.len || p->cmd.data[n] != ' ')
		return NULL;
	return arena_strndup(a, p->cmd.data, n);
}

static enum imap_parse_status
imap_parse_fail(struct imap_parser *p, struct imap_parse_event *ev, bool fatal,
    struct arena *a)
{
	ev->status = IMAP_PARSE_ERROR;
	ev->tag = imap_parse_tag(p, a);
	ev->fatal = fatal;
	imap_parse_abort(p);
	if (fatal)
		p->state = IMAP_PARSE_ST_FAILED;
	return IMAP_PARSE_ERROR;
}

/*
 * Does the line just read (ending at cmd.len with LF) announce a
 * literal? 1 with *n_out and *sync_out set, 0 if not, -1 when the size
 * has too many digits to be acceptable.
 */
static int
imap_parse_announce(
    const struct imap_parser *p, uint64_t *n_out, bool *sync_out)
{
	const char *s = p->cmd.data + p->line_start;
	size_t e = p->cmd.len - p->line_start - 1, d;
	uint64_t n = 0;

	if (e > 0 && s[e - 1] == '\r')
		e--;
	if (e < 3 || s[e - 1] != '}')
		return 0;
	e--;
	*sync_out = s[e - 1] != '+';
	if (!*sync_out)
		e--;
	for (d = e; d > 0 && isdigit((unsigned char)s[d - 1]); d--)
		;
	if (d == 0 || d == e || s[d - 1] != '{')
		return 0;
	if (e - d > IMAP_PARSE_DIGITS_MAX)
		return -1;
	for (; d < e; d++)
		n = n * 10 + (uint64_t)(s[d] - '0');
	*n_out = n;
	return 1;
}

/* A line is complete: a literal follows, or the command is. */
static enum imap_parse_status
imap_parse_line_done(struct imap_parser *p, struct arena *a,
    struct imap_parse_event *ev, struct err *err)
{
	uint64_t n = 0;
	bool sync = true;
	int rc = imap_parse_announce(p, &n, &sync);

	if (rc != 0) {
		uint64_t max = sync ? p->lim.literal_max : p->lim.nonsync_max;

		if (rc < 0 || n > max || n > p->lim.literal_max ||
		    n + 1 > p->lim.command_max - p->cmd.len) {
			err_set(err, ERR_PERM, "TOOBIG",
			    "literal too big (limit %llu)",
			    (unsigned long long)max);
			return imap_parse_fail(p, ev, !sync, a);
		}
		p->lit_left = n;
		p->state = IMAP_PARSE_ST_LITERAL;
		if (!sync)
			return IMAP_PARSE_MORE;
		ev->status = IMAP_PARSE_LITERAL;
		ev->literal_size = n;
		return IMAP_PARSE_LITERAL;
	}
	p->done = true;
	p->line_start = 0;
	if (imap_lex_command(p->cmd.data, p->cmd.len, &p->lim, &ev->cmd,
	        &ev->tag, a, err) != 0) {
		ev->status = IMAP_PARSE_ERROR;
		return IMAP_PARSE_ERROR;
	}
	ev->status = IMAP_PARSE_COMMAND;
	return IMAP_PARSE_COMMAND;
}

static enum imap_parse_status
imap_parse_raw_line(struct imap_parser *p, struct imap_parse_event *ev)
{
	size_t n = p->cmd.len;

	while (
	    n > 0 && (p->cmd.data[n - 1] == '\n' || p->cmd.data[n - 1] == '\r'))
		n--;
	buf_truncate(&p->cmd, n);
	p->raw_line = false;
	p->done = true;
	ev->status = IMAP_PARSE_LINE;
	ev->line = p->cmd.data;
	ev->line_len = n;
	return IMAP_PARSE_LINE;
}

/* Take line bytes up to and including LF; check the line and command. */
static enum imap_parse_status
imap_parse_take_line(struct imap_parser *p, const char *data, size_t len,
    size_t *used, struct arena *a, struct imap_parse_event *ev, struct err *err)
{
	const char *lf = memchr(data + *used, '\n', len - *used);
	size_t n = lf == NULL ? len - *used : (size_t)(lf - data) + 1 - *used;

	if (p->cmd.len - p->line_start + n > p->lim.line_max ||
	    p->cmd.len + n > p->lim.command_max) {
		size_t room = p->lim.line_max - (p->cmd.len - p->line_start);

		/* Keep what fits, so the error can name the tag. */
		if (p->cmd.len + room <= p->lim.command_max)
			buf_append(&p->cmd, data + *used, room);
		err_set(err, ERR_PERM, "TOOBIG", "command line too long");
		return imap_parse_fail(p, ev, true, a);
	}
	buf_append(&p->cmd, data + *used, n);
	*used += n;
	if (lf == NULL)
		return IMAP_PARSE_MORE;
	if (p->raw_line)
		return imap_parse_raw_line(p, ev);
	return imap_parse_line_done(p, a, ev, err);
}

static void
imap_parse_take_literal(
    struct imap_parser *p, const char *data, size_t len, size_t *used)
{
	size_t n = len - *used;

	if (n > p->lit_left)
		n = (size_t)p->lit_left;
	buf_append(&p->cmd, data + *used, n);
	*used += n;
	p->lit_left -= n;
	if (p->lit_left == 0) {
		/* The NUL makes the literal a C string for the tokens. */
		buf_putc(&p->cmd, '\0');
		p->line_start = p->cmd.len;
		p->state = IMAP_PARSE_ST_LINE;
	}
}

enum imap_parse_status
imap_parse_feed(struct imap_parser *p, const char *data, size_t len,
    size_t *used_out, struct arena *a, struct imap_parse_event *ev,
    struct err *err)
{
	enum imap_parse_status st = IMAP_PARSE_MORE;

	memset(ev, 0, sizeof(*ev));
	*used_out = 0;
	if (p->done) {
		imap_parse_empty(p);
		p->done = false;
	}
	if (p->state == IMAP_PARSE_ST_FAILED) {
		err_set(err, ERR_PERM, "", "connection must be closed");
		ev->status = IMAP_PARSE_ERROR;
		ev->fatal = true;
		return IMAP_PARSE_ERROR;
	}
	while (st == IMAP_PARSE_MORE && *used_out < len) {
		if (p->state == IMAP_PARSE_ST_LITERAL) {
			imap_parse_take_literal(p, data, len, used_out);
			continue;
		}
		st = imap_parse_take_line(p, data, len, used_out, a, ev, err);
	}
	/* A literal of zero octets is complete without input. */
	if (st == IMAP_PARSE_MORE && p->state == IMAP_PARSE_ST_LITERAL &&
	    p->lit_left == 0)
		imap_parse_take_literal(p, data, len, used_out);
	return st;
}

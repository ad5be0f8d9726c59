/* SPDX-License-Identifier: MIT */
/*
 * The TRANSACTION commands on the session's snapshot (RFC 1939 §5):
 * STAT, LIST, UIDL, RETR, TOP, DELE, RSET. Message numbers are 1-based
 * positions in the snapshot, which never changes during a session;
 * messages marked deleted are invisible until RSET. UIDL is derived from
 * the index (UID and UIDVALIDITY, as Dovecot's default %08Xu%08Xv), so
 * it is stable across sessions and names the message IMAP sees. RETR
 * and TOP stream the file through msg/dotstuff in chunks.
 */
#include "pop3d.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "msg/dotstuff.h"

/* Read size of one RETR chunk. */
#define POP3D_MSG_CHUNK (64 * 1024)

/* Message number n (1-based) if it exists and is not deleted. */
static bool
pop3d_msg_pick(struct pop3d_session *s, uint32_t n, size_t *i_out)
{
	if (n == 0 || n > s->nmsgs || s->msgs[n - 1].deleted) {
		pop3d_err(s, NULL, "No such message");
		return false;
	}
	*i_out = n - 1;
	return true;
}

/* The size of message i, or a [SYS/TEMP] reply. */
static bool
pop3d_msg_size(struct pop3d_session *s, size_t i)
{
	struct err err;

	if (pop3d_mailbox_size(s, i, &err) == 0)
		return true;
	log_warning("user=<%s>: message %zu: %s", s->user, i + 1, err.text);
	pop3d_err(s, err.kind == ERR_PERM ? NULL : "SYS/TEMP",
	    "Cannot read the message");
	return false;
}

void
pop3d_msg_stat(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	uint64_t total = 0;
	size_t i, n = 0;

	(void)cmd;
	for (i = 0; i < s->nmsgs; i++) {
		if (s->msgs[i].deleted)
			continue;
		if (!pop3d_msg_size(s, i))
			return;
		total += s->msgs[i].size;
		n++;
	}
	pop3d_ok(s, "%zu %llu", n, (unsigned long long)total);
}

/* LIST and UIDL share their shape: one message, or all of them. */
static void
pop3d_msg_listing(struct pop3d_session *s, const struct pop3_cmd *cmd,
    bool uidl)
{
	size_t i, first = 0, end = s->nmsgs;
	struct buf *out = &s->io.out;

	if (cmd->nargs == 1) {
		if (!pop3d_msg_pick(s, cmd->num[0], &first))
			return;
		end = first + 1;
	}
	/* Sizes first, so a failure is still a single -ERR. */
	for (i = first; i < end && !uidl; i++)
		if (!s->msgs[i].deleted && !pop3d_msg_size(s, i))
			return;
	if (cmd->nargs == 1)
		buf_puts(out, "+OK ");
	else
		buf_puts(out, "+OK\r\n");
	for (i = first; i < end; i++) {
		if (s->msgs[i].deleted)
			continue;
		if (uidl)
			buf_printf(out, "%zu %08X%08X\r\n", i + 1,
			    s->msgs[i].uid, s->uidvalidity);
		else
			buf_printf(out, "%zu %llu\r\n", i + 1,
			    (unsigned long long)s->msgs[i].size);
		if (pop3d_session_drain(s) != 0)
			return;
	}
	if (cmd->nargs == 0)
		buf_puts(out, ".\r\n");
}

void
pop3d_msg_list(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	pop3d_msg_listing(s, cmd, false);
}

void
pop3d_msg_uidl(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	pop3d_msg_listing(s, cmd, true);
}

/*
 * Stream the file through the encoder, the first chunk already read.
 * Once "+OK" is out, an error can no longer be reported in the
 * protocol: the connection is dropped so the client never takes a
 * truncated message for a whole one.
 */
static void
pop3d_msg_send(struct pop3d_session *s, int fd, char *chunk, size_t size,
    ssize_t n, const struct pop3_cmd *cmd)
{
	bool top = cmd->verb == POP3_CMD_TOP;
	struct dotstuff d;

	dotstuff_init(&d, top, top ? cmd->num[1] : 0);
	while (n > 0) {
		if (dotstuff_feed(&d, chunk, (size_t)n, &s->io.out))
			break;
		if (pop3d_session_drain(s) != 0)
			return;
		n = read(fd, chunk, size);
	}
	if (n < 0) {
		log_warning("user=<%s>: read: %s; disconnecting", s->user,
		    strerror(errno));
		s->done = true;
		return;
	}
	dotstuff_end(&d, &s->io.out);
}

/* A message that cannot be read: logged, answered. */
static void
pop3d_msg_unreadable(struct pop3d_session *s, size_t i, const struct err *err)
{
	log_warning("user=<%s>: message %zu: %s", s->user, i + 1, err->text);
	pop3d_err(s, err->kind == ERR_PERM ? NULL : "SYS/TEMP",
	    "Cannot read the message");
}

void
pop3d_msg_retr(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	char chunk[POP3D_MSG_CHUNK];
	struct err err;
	ssize_t n;
	size_t i;
	int fd;

	if (!pop3d_msg_pick(s, cmd->num[0], &i))
		return;
	if ((fd = pop3d_mailbox_open_msg(s, i, &err)) < 0) {
		pop3d_msg_unreadable(s, i, &err);
		return;
	}
	/* A file read whole by the first read is sized from it: one pass. */
	n = read(fd, chunk, sizeof(chunk));
	if (n >= 0 && (size_t)n < sizeof(chunk) && !s->msgs[i].size_known)
		pop3d_mailbox_size_whole(s, i, chunk, (size_t)n);
	if (n < 0 || pop3d_mailbox_size(s, i, &err) != 0) {
		if (n < 0)
			err_set(&err, ERR_TEMP, "", "read: %s", strerror(errno));
		pop3d_msg_unreadable(s, i, &err);
		close(fd);
		return;
	}
	if (cmd->verb == POP3_CMD_TOP) {
		pop3d_ok(s, "Top of message follows");
		s->ntop++;
	} else {
		pop3d_ok(s, "%llu octets", (unsigned long long)s->msgs[i].size);
		s->msgs[i].retrieved = true;
		s->nretr++;
		s->retr_bytes += s->msgs[i].size;
	}
	pop3d_msg_send(s, fd, chunk, sizeof(chunk), n, cmd);
	close(fd);
}

void
pop3d_msg_dele(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	size_t i;

	if (!pop3d_msg_pick(s, cmd->num[0], &i))
		return;
	s->msgs[i].deleted = true;
	s->ndele++;
	pop3d_ok(s, "Marked to be deleted");
}

void
pop3d_msg_rset(struct pop3d_session *s, const struct pop3_cmd *cmd)
{
	size_t i;

	(void)cmd;
	for (i = 0; i < s->nmsgs; i++)
		s->msgs[i].deleted = false;
	s->ndele = 0;
	pop3d_ok(s, "%zu messages", s->nmsgs);
}

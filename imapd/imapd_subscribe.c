/* SPDX-License-Identifier: MIT */
/*
 * Subscriptions (RFC 3501 §6.3.6-6.3.9): the "subscriptions" file in
 * the Maildir++ root, one IMAP name per line, as Dovecot and Courier
 * keep it, so a client sees the same subscriptions through either
 * server. SUBSCRIBE and UNSUBSCRIBE rewrite it whole (a temporary file
 * renamed over it); two sessions changing it at the same moment may
 * lose one change, which is harmless for subscriptions. The file's
 * contents are untrusted.
 */
#include "imapd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imapd_mailbox.h"

#define IMAPD_SUBSCRIBE_FILE "subscriptions"
/* A bigger file is not ours to read whole. */
#define IMAPD_SUBSCRIBE_MAX (1024 * 1024)

/* Read the file into b (empty when missing). 0, or -1 with err. */
static int
imapd_subscribe_read(struct imapd_session *s, struct buf *b, struct err *err)
{
	char *path =
	    arena_printf(s->arena, "%s/%s", s->u->root, IMAPD_SUBSCRIBE_FILE);
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	buf_reset(b);
	if (fd < 0)
		return errno == ENOENT
		    ? 0
		    : err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", path,
		          strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
	    b->len < IMAPD_SUBSCRIBE_MAX)
		buf_append(b, chunk, (size_t)n);
	close(fd);
	if (n < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "read %s: %s", path,
		    strerror(errno));
	return 0;
}

/* The next line of b from *off ("V\t..." version lines are skipped, as
 * is anything with a control character). NULL at the end. */
static const char *
imapd_subscribe_next(struct imapd_session *s, const struct buf *b, size_t *off)
{
	while (*off < b->len) {
		const char *p = b->data + *off,
		           *nl = memchr(p, '\n', b->len - *off);
		size_t len = nl != NULL ? (size_t)(nl - p) : b->len - *off;
		size_t i;

		*off += len + (nl != NULL);
		for (i = 0;
		     i < len && (unsigned char)p[i] >= 0x20 && p[i] != 0x7f;
		     i++)
			;
		if (len > 0 && i == len &&
		    !(p[0] == 'V' && len > 1 && p[1] == '\t'))
			return arena_strndup(s->arena, p, len);
	}
	return NULL;
}

bool
imapd_subscribe_has(struct imapd_session *s, const char *name)
{
	struct buf b;
	struct err err;
	const char *line;
	size_t off = 0;
	bool found = false;

	buf_init(&b);
	if (imapd_subscribe_read(s, &b, &err) == 0)
		while (!found && (line = imapd_subscribe_next(s, &b, &off)))
			found = strcmp(line, name) == 0;
	buf_deinit(&b);
	return found;
}

void
imapd_subscribe_lsub(struct imapd_session *s, const struct imap_cmd *cmd)
{
	struct buf b;
	struct err err;
	const char *pattern, *line;
	size_t off = 0;

	if (cmd->count != 2 || !imap_arg_is_astring(&cmd->args[0]) ||
	    !imap_arg_is_astring(&cmd->args[1])) {
		imapd_reply(s, cmd->tag, "BAD",
		    "LSUB needs a reference and a "
		    "mailbox pattern");
		return;
	}
	pattern =
	    arena_printf(s->arena, "%s%s", cmd->args[0].str, cmd->args[1].str);
	buf_init(&b);
	if (imapd_subscribe_read(s, &b, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		buf_deinit(&b);
		return;
	}
	while ((line = imapd_subscribe_next(s, &b, &off)) != NULL) {
		if (imapd_folder_match(pattern, line))
			imapd_untagged(s, "LSUB () \"/\" \"%s\"", line);
	}
	buf_deinit(&b);
	imapd_reply(s, cmd->tag, "OK", "LSUB completed");
}

/* Write the new list: a temporary file, then rename. 0 or -1. */
static int
imapd_subscribe_write(
    struct imapd_session *s, const struct buf *b, struct err *err)
{
	char *path =
	    arena_printf(s->arena, "%s/%s", s->u->root, IMAPD_SUBSCRIBE_FILE);
	char *tmp = arena_printf(s->arena, "%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok;

	if (fd < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", tmp,
		    strerror(errno));
	ok = write(fd, b->data, b->len) == (ssize_t)b->len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return err_set(err, ERR_TEMP, "4.3.0", "write %s: %s", path,
		    strerror(errno));
	}
	return 0;
}

void
imapd_subscribe_change(struct imapd_session *s, const struct imap_cmd *cmd)
{
	bool add = strcmp(cmd->name, "SUBSCRIBE") == 0;
	struct buf name, old, new;
	struct err err;
	const char *line;
	size_t off = 0;

	if (cmd->count != 1) {
		imapd_reply(
		    s, cmd->tag, "BAD", "%s takes a mailbox name", cmd->name);
		return;
	}
	buf_init(&name);
	buf_init(&old);
	buf_init(&new);
	if (imapd_select_name(s, &cmd->args[0], &name, &err) != 0 ||
	    imapd_subscribe_read(s, &old, &err) != 0) {
		imapd_reply_err(s, cmd->tag, &err);
		goto out;
	}
	while ((line = imapd_subscribe_next(s, &old, &off)) != NULL)
		if (strcmp(line, name.data) != 0)
			buf_printf(&new, "%s\n", line);
	if (add)
		buf_printf(&new, "%s\n", name.data);
	if (imapd_subscribe_write(s, &new, &err) != 0)
		imapd_reply_err(s, cmd->tag, &err);
	else
		imapd_reply(s, cmd->tag, "OK", "%s completed", cmd->name);
out:
	buf_deinit(&name);
	buf_deinit(&old);
	buf_deinit(&new);
}

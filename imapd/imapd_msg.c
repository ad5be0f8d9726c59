/* SPDX-License-Identifier: MIT */
/*
 * A message file of the selected folder, read whole for FETCH, SEARCH
 * and COPY, with its line ends made CRLF: local delivery writes Maildir
 * files in Unix form, IMAP sizes and literals count CRLF (RFC 3501
 * §2.3.4). A file another process renamed since the snapshot (a flag
 * change) is found again through the index. The contents are
 * untrusted; the size is capped at what APPEND would accept.
 */
#include "imapd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "imapd_mailbox.h"
#include "store/maildir.h"
#include "store/mbox_index.h"
#include "store/mbox_view.h"

/* Read path into raw; 1 read, 0 no such file, -1 with err. */
static int
imapd_msg_read(const char *path, uint64_t max, struct buf *raw, struct err *err)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT
		    ? 0
		    : err_set(err, ERR_TEMP, "4.3.0", "open %s: %s", path,
		          strerror(errno));
	buf_reset(raw);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (raw->len + (size_t)n > max) {
			close(fd);
			return err_set(err, ERR_PERM, "LIMIT",
			    "Message too large to read");
		}
		buf_append(raw, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0)
		return err_set(err, ERR_TEMP, "4.3.0", "read %s: %s", path,
		    strerror(errno));
	return 1;
}

void
imapd_msg_crlf(const char *data, size_t len, struct buf *out)
{
	size_t i, start = 0;

	buf_reserve(out, len + len / 32);
	for (i = 0; i < len; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
			buf_append(out, data + start, i - start);
			buf_puts(out, "\r\n");
			start = i + 1;
		}
	}
	buf_append(out, data + start, len - start);
}

int
imapd_msg_load(
    struct imapd_session *s, size_t pos, struct buf *out, struct err *err)
{
	const struct mbox_index_msg *msg = mbox_view_msg(s->mbox->view, pos);
	/* A stored message may have grown by its CRs. */
	uint64_t max = 2 * imapd_append_limit(s->d) + 65536;
	struct mbox_index_msg now;
	struct buf path, raw, name;
	int rc;

	buf_init(&path);
	buf_init(&raw);
	buf_init(&name);
	mbox_view_path(s->mbox->view, pos, &path);
	rc = imapd_msg_read(path.data, max, &raw, err);
	if (rc == 0) {
		/* Renamed since the snapshot (flags), or expunged. */
		rc = mbox_index_lookup(
		    s->u->ix, s->mbox->folder, msg->uid, &now, &name, err);
		buf_reset(&path);
		if (rc > 0 &&
		    maildir_folder_path(
		        s->u->root, s->mbox->folder, &path, err) == 0) {
			buf_printf(&path, "/%s/%s", now.in_cur ? "cur" : "new",
			    now.name);
			rc = imapd_msg_read(path.data, max, &raw, err);
		}
		if (rc == 0)
			err_set(err, ERR_PERM, "EXPUNGEISSUED",
			    "Message %lu was expunged",
			    (unsigned long)msg->uid);
	}
	if (rc > 0) {
		buf_reset(out);
		imapd_msg_crlf(raw.data, raw.len, out);
	}
	buf_deinit(&path);
	buf_deinit(&raw);
	buf_deinit(&name);
	return rc > 0 ? 0 : -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * How much of its quota a mailbox uses: the sizes of the messages in
 * new/ and cur/ of the Maildir++ root and of every folder in it. The
 * ",S=<size>" field of a name is trusted when present (it is what we
 * and Dovecot write); other names are stat()ed. This walks the mailbox
 * on every delivery to a user with a quota, and when smtpd asks before
 * accepting a message of announced size; the per-user index
 * (store/mbox_index.h) could keep a running total instead.
 */
#include "local.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "ipc/auth_client.h"
#include "store/maildir_root.h"

/* Add the sizes of the messages in dir (new/ or cur/). */
static int
local_quota_dir(const char *dir, uint64_t *used, struct err *err)
{
	struct dirent *de;
	struct stat st;
	uint64_t size;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, ERR_TEMP, "4.3.0", "quota: %s: %s", dir,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (maildir_name_size(de->d_name, strlen(de->d_name), &size))
			*used += size;
		else if (fstatat(dirfd(d), de->d_name, &st,
		             AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			*used += (uint64_t)st.st_size;
	}
	closedir(d);
	return 0;
}

/* new/ and cur/ of one maildir directory. */
static int
local_quota_maildir(const char *path, uint64_t *used, struct err *err)
{
	struct buf sub;
	int rc;

	buf_init(&sub);
	buf_printf(&sub, "%s/new", path);
	rc = local_quota_dir(sub.data, used, err);
	if (rc == 0) {
		buf_reset(&sub);
		buf_printf(&sub, "%s/cur", path);
		rc = local_quota_dir(sub.data, used, err);
	}
	buf_deinit(&sub);
	return rc;
}

int
local_quota_usage(const char *root, uint64_t *used_out, struct err *err)
{
	struct dirent *de;
	struct buf path;
	DIR *d;
	int rc;

	*used_out = 0;
	if ((rc = local_quota_maildir(root, used_out, err)) != 0)
		return rc;
	if ((d = opendir(root)) == NULL)
		return errno == ENOENT
		    ? 0
		    : err_set(err, ERR_TEMP, "4.3.0", "quota: %s: %s", root,
		          strerror(errno));
	buf_init(&path);
	/* Maildir++ folders are the ".Name" directories of the root. */
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", root, de->d_name);
		rc = local_quota_maildir(path.data, used_out, err);
	}
	closedir(d);
	buf_deinit(&path);
	return rc;
}

int
local_quota_answer(
    void *ctx, const char *address, uint64_t *used_out, struct err *err)
{
	struct local *lc = ctx;
	struct arena *arena = arena_new();
	struct auth_account acct;
	int rc;

	rc = auth_client_lookup(lc->auth, address, &acct, arena, err);
	if (rc == 0)
		err_set(err, ERR_PERM, "5.1.1", "%s: no such user", address);
	if (rc > 0)
		rc = local_quota_usage(maildir_root_path(acct.store,
		                           lc->conf->mail_store_directory,
		                           acct.address, arena),
		    used_out, err);
	else
		rc = -1;
	arena_free(&arena);
	return rc;
}

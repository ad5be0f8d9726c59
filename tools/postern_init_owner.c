/* SPDX-License-Identifier: MIT */
/*
 * postern init as root: the service users (DESIGN.md section 3) and who
 * owns what outside the queue (whose table is libmail/queue/
 * queue_layout.c): the mail store belongs to mail_store_owner, TLS
 * material to root (services read the key before they drop privileges);
 * docs/postern-init.md has the full table.
 */
#include "postern_init.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf.h"

extern char **environ;

/* The group whose members may write to maildrop/ (Postfix's postdrop). */
#define POSTERN_INIT_POSTDROP_GROUP "postdrop"

/* Run a system tool (useradd, groupadd) for name and wait for it. */
static int
postern_init_spawn(char *const argv[], const char *name, struct err *err)
{
	pid_t pid;
	int rc, status;

	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0)
		return err_set(err, ERR_PERM, "", "cannot run %s: %s",
		    argv[0], strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(err, ERR_PERM, "", "waitpid %s: %s",
			    argv[0], strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(err, ERR_PERM, "", "%s %s failed (status %d)",
		    argv[0], name, status);
	return 0;
}

/* The user named by a main.cf parameter's default, created if missing. */
static int
postern_init_user(const char *param, uid_t *uid_out, gid_t *gid_out,
    struct err *err)
{
	const struct conf_param *p = conf_param_find(param);
	char *argv[] = { "useradd", "--system", "--user-group",
	    "--no-create-home", "--home-dir", "/nonexistent", "--shell",
	    "/usr/sbin/nologin", NULL, NULL };
	struct passwd *pw;

	if (p == NULL || p->def == NULL || p->def[0] == '\0')
		return err_set(err, ERR_PERM, "", "parameter %s is not "
		    "declared", param);
	if ((pw = getpwnam(p->def)) == NULL) {
		argv[8] = (char *)p->def;
		if (postern_init_spawn(argv, p->def, err) != 0)
			return -1;
		printf("postern: created the system user %s\n", p->def);
		if ((pw = getpwnam(p->def)) == NULL)
			return err_set(err, ERR_PERM, "", "user %s missing "
			    "after useradd", p->def);
	}
	*uid_out = pw->pw_uid;
	*gid_out = pw->pw_gid;
	return 0;
}

static int
postern_init_postdrop(gid_t *gid_out, struct err *err)
{
	char *argv[] = { "groupadd", "--system",
	    POSTERN_INIT_POSTDROP_GROUP, NULL };
	struct group *gr;

	if ((gr = getgrnam(POSTERN_INIT_POSTDROP_GROUP)) == NULL) {
		if (postern_init_spawn(argv, POSTERN_INIT_POSTDROP_GROUP,
		    err) != 0)
			return -1;
		if ((gr = getgrnam(POSTERN_INIT_POSTDROP_GROUP)) == NULL)
			return err_set(err, ERR_PERM, "", "group %s missing "
			    "after groupadd", POSTERN_INIT_POSTDROP_GROUP);
	}
	*gid_out = gr->gr_gid;
	return 0;
}

/*
 * local runs as mail_store_owner and sends forwarded mail on through
 * maildrop/, and reaches authd in public/: both need the postdrop group
 * (docs/local.md).
 */
static int
postern_init_store_postdrop(struct err *err)
{
	const struct conf_param *p = conf_param_find("mail_store_owner");
	char *argv[] = { "usermod", "--append", "--groups",
	    POSTERN_INIT_POSTDROP_GROUP, NULL, NULL };
	struct group *gr = getgrnam(POSTERN_INIT_POSTDROP_GROUP);
	char **mem;

	if (p == NULL || gr == NULL)
		return 0;
	for (mem = gr->gr_mem; *mem != NULL; mem++)
		if (strcmp(*mem, p->def) == 0)
			return 0;
	argv[4] = (char *)p->def;
	return postern_init_spawn(argv, p->def, err);
}

int
postern_init_users(struct postern_init *init, struct err *err)
{
	if (postern_init_user("mail_owner", &init->mail_uid, &init->mail_gid,
	    err) != 0 ||
	    postern_init_user("mail_store_owner", &init->store_uid,
	    &init->store_gid, err) != 0 ||
	    postern_init_user("auth_owner", &init->auth_uid, &init->auth_gid,
	    err) != 0 ||
	    postern_init_postdrop(&init->postdrop_gid, err) != 0 ||
	    postern_init_store_postdrop(err) != 0)
		return -1;
	return 0;
}

static int
postern_init_own(const struct postern_init *init, const char *path,
    uid_t uid, gid_t gid, mode_t mode, struct err *err)
{
	const char *fs = postern_init_fs(init, path);

	if (chown(fs, uid, gid) != 0 || chmod(fs, mode) != 0)
		return err_set(err, ERR_PERM, "", "set owner of %s: %s", fs,
		    strerror(errno));
	return 0;
}

int
postern_init_owners(const struct postern_init *init, struct err *err)
{
	/* Service users must be able to reach their directories. */
	if (!init->system && postern_init_own(init, init->instance, 0, 0,
	    0755, err) != 0)
		return -1;
	/* The queue got its owners from queue_layout_create. */
	if (postern_init_own(init, init->store_dir, init->store_uid,
	    init->store_gid, 0700, err) != 0 ||
	    postern_init_own(init, init->data_dir, 0, 0, 0755, err) != 0 ||
	    postern_init_own(init, init->tls_dir, 0, 0, 0700, err) != 0 ||
	    postern_init_own(init, init->key_file, 0, 0, 0600, err) != 0 ||
	    postern_init_own(init, init->cert_file, 0, 0, 0644, err) != 0)
		return -1;
	return 0;
}

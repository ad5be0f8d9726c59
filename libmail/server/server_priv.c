/* SPDX-License-Identifier: MIT */
/*
 * Each process's one visible place for privileges (DESIGN.md section 3):
 * working directory, pre_jail, chroot and the drop to the service user.
 * Started as root, no daemon keeps root past this point: every daemon
 * parses network or queue input. Not started as root, the same code
 * path runs with the drop skipped and one log line saying so.
 */
#include "server/server_impl.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/buf.h"
#include "core/log.h"

/* The value of the master.cf argument "<name>=value"; 0 when absent. */
static int
server_priv_arg(const struct server *srv, const char *name, struct buf *out)
{
	size_t i, len = strlen(name);

	for (i = 0; i < srv->nargs; i++)
		if (strncmp(srv->args[i], name, len) == 0 &&
		    srv->args[i][len] == '=') {
			buf_set(out, srv->args[i] + len + 1);
			return 1;
		}
	return 0;
}

/* The service user, looked up before chroot hides /etc/passwd. */
static void
server_priv_lookup(
    struct server *srv, struct buf *user, uid_t *uid_out, gid_t *gid_out)
{
	const char *param = srv->spec->user_param != NULL
	    ? srv->spec->user_param
	    : "mail_owner";
	struct passwd *pw;
	struct err err;
	int rc;

	err_clear(&err);
	if (srv->spec->user_arg != NULL) {
		param = srv->spec->user_arg;
		rc = server_priv_arg(srv, param, user);
	} else {
		rc = conf_value(srv->conf, param, user, &err);
	}
	if (rc < 0)
		log_fatal("service %s: %s: %s", srv->service, param, err.text);
	if (rc == 0 || user->len == 0)
		log_fatal("service %s: %s names no user", srv->service, param);
	errno = 0;
	pw = getpwnam(user->data);
	if (pw == NULL)
		log_fatal("service %s: %s = %s: no such user%s%s", srv->service,
		    param, user->data, errno ? ": " : "",
		    errno ? strerror(errno) : "");
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		log_fatal("service %s: %s = %s: refusing to run with root "
		          "privileges",
		    srv->service, param, user->data);
	*uid_out = pw->pw_uid;
	*gid_out = pw->pw_gid;
}

/* setuid() succeeding must be irreversible; prove it before any input. */
static void
server_priv_verify(const struct server *srv, uid_t uid, gid_t gid)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) != 0 ||
	    getresgid(&rgid, &egid, &sgid) != 0)
		log_fatal_errno(errno, "service %s: getresuid", srv->service);
	if (ruid != uid || euid != uid || suid != uid || rgid != gid ||
	    egid != gid || sgid != gid)
		log_fatal(
		    "service %s: privilege drop incomplete", srv->service);
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		log_fatal("service %s: root privileges could be regained",
		    srv->service);
}

/* The chroot directory: spec->chroot_param's value, or queue_directory. */
static void
server_priv_jail_dir(struct server *srv, struct buf *out)
{
	struct err err;
	int rc;

	if (srv->spec->chroot_param == NULL) {
		buf_set(out, srv->conf->queue_directory);
		return;
	}
	err_clear(&err);
	rc = conf_value(srv->conf, srv->spec->chroot_param, out, &err);
	if (rc < 0)
		log_fatal("service %s: %s: %s", srv->service,
		    srv->spec->chroot_param, err.text);
	if (rc == 0 || out->data[0] != '/')
		log_fatal("service %s: %s is not an absolute path",
		    srv->service, srv->spec->chroot_param);
}

static void
server_priv_drop(struct server *srv)
{
	struct buf user, jail;
	uid_t uid;
	gid_t gid;

	buf_init(&user);
	buf_init(&jail);
	server_priv_lookup(srv, &user, &uid, &gid);
	/* initgroups reads /etc/group, which the chroot hides. */
	if (initgroups(user.data, gid) != 0)
		log_fatal_errno(errno, "service %s: initgroups %s",
		    srv->service, user.data);
	if (srv->chroot) {
		server_priv_jail_dir(srv, &jail);
		if (chroot(jail.data) != 0)
			log_fatal_errno(errno, "service %s: chroot %s",
			    srv->service, jail.data);
		if (chdir("/") != 0)
			log_fatal_errno(errno, "service %s: chdir / in chroot",
			    srv->service);
	}
	if (setgid(gid) != 0)
		log_fatal_errno(
		    errno, "service %s: setgid %ld", srv->service, (long)gid);
	if (setuid(uid) != 0)
		log_fatal_errno(
		    errno, "service %s: setuid %ld", srv->service, (long)uid);
	server_priv_verify(srv, uid, gid);
	log_debug("running as %s (uid %ld)%s%s", user.data, (long)uid,
	    srv->chroot ? ", chrooted to " : "", srv->chroot ? jail.data : "");
	buf_deinit(&user);
	buf_deinit(&jail);
}

void
server_priv_jail(struct server *srv)
{
	const char *qdir = srv->conf->queue_directory;

	/* Relative queue paths then mean the same inside and outside a jail. */
	if (chdir(qdir) != 0)
		log_fatal_errno(errno, "service %s: chdir queue_directory %s",
		    srv->service, qdir);
	if (srv->spec->pre_jail != NULL)
		srv->spec->pre_jail(srv);
	if (geteuid() != 0) {
		log_info("not running as root: privilege drop and chroot "
		         "skipped");
		return;
	}
	server_priv_drop(srv);
}

/* SPDX-License-Identifier: MIT */
/*
 * smtpd's process state and its privileges, in one place: before the
 * jail (as root, outside the chroot) it opens every table it will
 * consult (restriction tables, mynetworks, alias_maps,
 * virtual_alias_maps, smtpd_sender_login_maps), builds the TLS context
 * (the key is root's) and loads the time zone; after it (as
 * mail_owner, inside queue_directory) it opens the queue, the group
 * committer of incoming/ and the authd client. A setting that cannot
 * work is fatal: the master logs it and retries with back-off.
 */
#include "smtpd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/auth_client.h"
#include "map/map.h"
#include "queue/queue_commit.h"
#include "queue/queue_dir.h"
#include "server/server.h"

/* Open a maps parameter; NULL when it is empty. Fatal on error. */
static struct maps *
smtpd_setup_maps(const char *param, const char *value)
{
	struct maps *m;
	struct err err;

	if (value == NULL || value[strspn(value, " \t,")] == '\0')
		return NULL;
	if ((m = maps_open(value, &err)) == NULL)
		log_fatal("%s: %s", param, err.text);
	return m;
}

static enum smtp_data_bare_lf
smtpd_setup_bare_lf(const char *value)
{
	if (strcmp(value, "normalize") == 0 || strcmp(value, "no") == 0)
		return SMTP_DATA_BARE_LF_NORMALIZE;
	if (strcmp(value, "reject") == 0 || strcmp(value, "yes") == 0)
		return SMTP_DATA_BARE_LF_REJECT;
	log_fatal("smtpd_forbid_bare_newline: bad value \"%s\" (normalize "
	          "or reject)",
	    value);
}

void
smtpd_setup_pre_jail(struct server *srv)
{
	struct smtpd *sd = xcalloc(1, sizeof(*sd));
	const struct conf *conf = server_conf(srv);
	struct err err;

	sd->conf = conf;
	/* Local time for Received: headers, before the chroot hides it. */
	tzset();
	sd->bare_lf = smtpd_setup_bare_lf(conf->smtpd_forbid_bare_newline);
	if ((sd->policy = smtpd_policy_open(conf, &err)) == NULL)
		log_fatal("%s", err.text);
	if ((sd->mynetworks = smtpd_nets_open(conf->mynetworks, &err)) == NULL)
		log_fatal("mynetworks: %s", err.text);
	sd->alias_maps = smtpd_setup_maps("alias_maps", conf->alias_maps);
	sd->virtual_alias_maps =
	    smtpd_setup_maps("virtual_alias_maps", conf->virtual_alias_maps);
	sd->sender_login_maps = smtpd_setup_maps(
	    "smtpd_sender_login_maps", conf->smtpd_sender_login_maps);
	smtpd_tls_setup(sd);
	server_set_ctx(srv, sd);
}

void
smtpd_setup_post_jail(struct server *srv)
{
	struct smtpd *sd = server_ctx(srv);
	struct err err;
	int fd;

	/* The working directory is queue_directory, in or out of a jail. */
	if (queue_dir_open(".", &sd->qd, &err) != 0)
		log_fatal("queue directory: %s", err.text);
	if ((fd = queue_dir_fd(sd->qd, QUEUE_INCOMING, &err)) < 0)
		log_fatal("queue directory: %s", err.text);
	/* Without the committer, each message syncs incoming/ itself. */
	if (queue_commit_open(fd, &sd->commit, &err) != 0) {
		log_warning("group commit unavailable: %s", err.text);
		sd->commit = NULL;
	}
	sd->auth = auth_client_new(
	    AUTH_SOCKET, (int)(sd->conf->smtpd_authd_timeout * 1000));
}

void
smtpd_setup_exit(struct server *srv)
{
	struct smtpd *sd = server_ctx(srv);

	if (sd == NULL)
		return;
	auth_client_free(&sd->auth);
	queue_commit_close(&sd->commit);
	queue_dir_close(&sd->qd);
	maps_close(&sd->sender_login_maps);
	maps_close(&sd->virtual_alias_maps);
	maps_close(&sd->alias_maps);
	smtpd_nets_close(&sd->mynetworks);
	smtpd_policy_close(&sd->policy);
	tls_ctx_free(&sd->tls);
	free(sd);
	server_set_ctx(srv, NULL);
}

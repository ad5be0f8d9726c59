/* SPDX-License-Identifier: MIT */
/*
 * The master's configuration: main.cf through conf_load and master.cf
 * through mastercf_read, read as one unit so that start-up, -t and a
 * reload validate exactly the same way. Input is the administrator's
 * files, trusted but checked.
 */
#include "master.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"

static int
master_config_owner(struct master_config *cfg, struct err *err)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(cfg->conf->mail_owner);
	if (pw == NULL)
		return err_set(err, ERR_PERM, "", "mail_owner %s: %s",
		    cfg->conf->mail_owner,
		    errno != 0 ? strerror(errno) : "no such user");
	if (pw->pw_uid == 0)
		return err_set(err, ERR_PERM, "",
		    "mail_owner %s: must not be the super-user",
		    cfg->conf->mail_owner);
	cfg->owner_uid = pw->pw_uid;
	cfg->owner_gid = pw->pw_gid;
	return 0;
}

int
master_config_load(
    const char *dir, bool root, struct master_config *cfg_out, struct err *err)
{
	char *path;
	int rc;

	memset(cfg_out, 0, sizeof(*cfg_out));
	cfg_out->owner_uid = (uid_t)-1;
	cfg_out->owner_gid = (gid_t)-1;
	cfg_out->conf = conf_load(dir, NULL, 0, err);
	if (cfg_out->conf == NULL)
		return -1;
	path = xasprintf("%s/master.cf", dir);
	rc = mastercf_read(path, &cfg_out->mcf, err);
	free(path);
	if (rc < 0) {
		conf_free(&cfg_out->conf);
		return -1;
	}
	cfg_out->have_mcf = true;
	if (root && master_config_owner(cfg_out, err) < 0) {
		master_config_deinit(cfg_out);
		return -1;
	}
	return 0;
}

void
master_config_deinit(struct master_config *cfg)
{
	if (cfg->have_mcf)
		mastercf_deinit(&cfg->mcf);
	cfg->have_mcf = false;
	conf_free(&cfg->conf);
}

void
master_config_logging(const struct master_config *cfg, bool verbose)
{
	const struct conf *conf = cfg->conf;
	enum log_level level;

	if (log_level_parse(conf->log_level, &level) < 0) {
		log_warning(
		    "log_level %s: unknown level, using info", conf->log_level);
		level = LOG_LEVEL_INFO;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : level);
	log_to_syslog(conf->syslog_enable);
	if (conf->maillog_file[0] != '\0' &&
	    log_open_file(conf->maillog_file) < 0)
		log_warning_errno(
		    errno, "open maillog_file %s", conf->maillog_file);
}

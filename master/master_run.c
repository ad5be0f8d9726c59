/* SPDX-License-Identifier: MIT */
/*
 * The life of the master, in order: configuration, detach, lock, signals,
 * listeners and services, status socket, then the event loop until a
 * stop. Also the -t check, which validates and exits.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

static int
master_init(struct master *m, const struct master_opts *opts)
{
	char real[PATH_MAX], *main_cf, *etc;

	memset(m, 0, sizeof(*m));
	m->opts = *opts;
	/* Children start elsewhere (we chdir), so the path must be absolute. */
	if (realpath(opts->config_dir, real) == NULL) {
		log_error_errno(
		    errno, "configuration directory %s", opts->config_dir);
		return -1;
	}
	/* Like postern(1), also accept an instance directory holding etc/. */
	main_cf = xasprintf("%s/main.cf", real);
	etc = xasprintf("%s/etc/main.cf", real);
	if (access(main_cf, F_OK) != 0 && access(etc, F_OK) == 0)
		m->opts.config_dir = xasprintf("%s/etc", real);
	else
		m->opts.config_dir = xstrdup(real);
	free(main_cf);
	free(etc);
	m->root = geteuid() == 0;
	m->lifeline[0] = m->lifeline[1] = -1;
	m->lock_fd = m->stat_fd = -1;
	m->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (m->devnull < 0)
		log_fatal_errno(errno, "open /dev/null");
	return 0;
}

static void
master_deinit(struct master *m)
{
	while (m->services != NULL && m->services->procs == NULL)
		master_service_free(m->services);
	master_status_sweep(m, true);
	master_statsock_close(m);
	master_lock_release(m);
	master_config_deinit(&m->cfg);
	arena_free(&m->env_arena);
	event_loop_free(&m->loop);
	if (m->lifeline[1] >= 0) {
		close(m->lifeline[0]);
		close(m->lifeline[1]);
	}
	close(m->devnull);
	free((char *)m->opts.config_dir);
}

/* -t: everything a start would check, short of binding. */
static int
master_check(const struct master *m, struct master_config *cfg)
{
	struct master_svcdef *defs;
	struct err err;
	int rc;

	err_clear(&err);
	rc = master_service_build(m, cfg, &defs, &err);
	if (rc < 0)
		log_error("%s", err.text);
	master_service_free_defs(&defs);
	master_config_deinit(cfg);
	return rc < 0 ? 1 : 0;
}

/* Lock, signals, listeners, status socket: 0 or -1 (logged). */
static int
master_start(struct master *m, struct master_config *cfg)
{
	char *queue_dir = xstrdup(cfg->conf->queue_directory);
	struct err err;
	int rc = -1;

	err_clear(&err);
	m->loop = event_loop_new();
	if (chdir(queue_dir) < 0)
		log_error_errno(errno, "queue_directory %s", queue_dir);
	else if (master_lock_acquire(m, queue_dir, &err) < 0 ||
	    master_reload_apply(m, cfg, &err) < 0 ||
	    master_statsock_open(m, queue_dir, &err) < 0)
		log_error("%s", err.text);
	else if (master_reap_init(m) < 0 || master_stop_init(m) < 0 ||
	    master_reload_init(m) < 0)
		log_error_errno(errno, "signal set-up");
	else
		rc = 0;
	free(queue_dir);
	return rc;
}

int
master_run(const struct master_opts *opts)
{
	struct master_config cfg;
	struct master m;
	struct err err;
	int ready = -1;

	log_init("master");
	log_to_stderr(true);
	umask(022);
	if (master_init(&m, opts) < 0)
		return 1;
	err_clear(&err);
	if (master_config_load(m.opts.config_dir, m.root, &cfg, &err) < 0) {
		log_error("%s", err.text);
		master_deinit(&m);
		return 1;
	}
	if (opts->check) {
		int rc = master_check(&m, &cfg);

		master_deinit(&m);
		return rc;
	}
	master_config_logging(&cfg, opts->verbose);
	if (!opts->foreground)
		master_daemon_detach(&ready);
	signal(SIGPIPE, SIG_IGN);
	if (!m.root)
		log_info("not running as root: privilege drop and chroot "
		         "skipped; services run as %s",
		    getpwuid(geteuid()) ? getpwuid(geteuid())->pw_name : "?");
	if (master_start(&m, &cfg) < 0) {
		master_config_deinit(&cfg);
		master_deinit(&m);
		return 1;
	}
	m.started = time(NULL);
	log_info("daemon started -- version %s, configuration %s",
	    POSTERN_VERSION, m.opts.config_dir);
	master_daemon_ready(&ready, m.devnull);
	if (event_loop_run(m.loop) < 0)
		log_fatal_errno(errno, "event loop");
	master_deinit(&m);
	return 0;
}

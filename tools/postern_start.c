/* SPDX-License-Identifier: MIT */
/*
 * postern start, stop and reload: the life cycle of a running instance.
 * start runs <daemon_directory>/master (in the foreground with -f, by
 * exec); stop and reload ask the master over its status socket and fall
 * back to signals to the pid in its pid file.
 */
#include "postern.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/xmalloc.h"
#include "ipc/master_client.h"

/* The master stops its children within 5 s; leave room for slow ones. */
#define POSTERN_STOP_TIMEOUT_S 30

/* No operands; only the options in opts. */
static int
postern_start_noargs(const char *cmd, int argc, char **argv,
    const char *opts, bool *flag_out)
{
	int c;

	while ((c = getopt(argc, argv, opts)) != -1) {
		if (c == '?')
			return postern_bad_option(cmd, argv);
		*flag_out = true;
	}
	if (optind < argc) {
		postern_error("%s: unexpected argument \"%s\"", cmd,
		    argv[optind]);
		return POSTERN_EXIT_USAGE;
	}
	return 0;
}

static const struct conf *
postern_start_conf(struct postern_ctx *ctx, const char *cmd)
{
	const struct conf *conf;
	struct err err;

	if ((conf = postern_ctx_conf(ctx, &err)) == NULL)
		postern_error("%s: %s", cmd, err.text);
	return conf;
}

/* Run the master detached; it exits 0 once it is up, 1 if it failed. */
static int
postern_start_background(const char *master, char *const argv[],
    const struct conf *conf)
{
	pid_t pid;
	int status;

	if ((pid = fork()) < 0) {
		postern_error("start: fork: %s", strerror(errno));
		return POSTERN_EXIT_FAIL;
	}
	if (pid == 0) {
		execv(master, argv);
		postern_error("start: exec %s: %s", master, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			postern_error("start: waitpid: %s", strerror(errno));
			return POSTERN_EXIT_FAIL;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		postern_error("start: the master did not start; see %s",
		    conf->maillog_file[0] != '\0' ? conf->maillog_file
		    : "the mail log");
		return POSTERN_EXIT_FAIL;
	}
	printf("postern: the mail system is running (configuration %s)\n",
	    conf->config_directory);
	return POSTERN_EXIT_OK;
}

int
postern_cmd_start(struct postern_ctx *ctx, int argc, char **argv)
{
	const struct conf *conf;
	bool foreground = false;
	char *master, *margv[6];
	struct err err;
	pid_t pid;
	int status, n = 0;

	if ((status = postern_start_noargs("start", argc, argv, "f",
	    &foreground)) != 0)
		return status;
	if ((conf = postern_start_conf(ctx, "start")) == NULL)
		return POSTERN_EXIT_FAIL;
	if ((status = master_client_running(conf->queue_directory, &pid,
	    &err)) != 0) {
		if (status > 0)
			postern_error("start: the mail system is already "
			    "running (pid %ld)", (long)pid);
		else
			postern_error("start: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	master = xasprintf("%s/master", conf->daemon_directory);
	if (access(master, X_OK) != 0) {
		postern_error("start: %s: %s", master, strerror(errno));
		free(master);
		return POSTERN_EXIT_FAIL;
	}
	margv[n++] = "master";
	margv[n++] = "-c";
	margv[n++] = (char *)conf->config_directory;
	if (foreground)
		margv[n++] = "-f";
	margv[n] = NULL;
	if (foreground) {
		fflush(NULL);
		execv(master, margv);
		postern_error("start: exec %s: %s", master, strerror(errno));
		free(master);
		return POSTERN_EXIT_FAIL;
	}
	status = postern_start_background(master, margv, conf);
	free(master);
	return status;
}

/* Ask over the status socket; else signal the pid holding the lock. */
static int
postern_start_signal(const struct conf *conf, const char *cmd,
    const char *verb, int sig, struct err *err)
{
	struct arena *a = arena_new();
	struct err sockerr;
	pid_t pid;
	int rc;

	rc = master_client_request(conf->queue_directory, verb, a, NULL,
	    &sockerr);
	arena_free(&a);
	if (rc == 0)
		return 0;
	/* The master answered and refused (a bad configuration): say why. */
	if (sockerr.kind == ERR_PERM) {
		*err = sockerr;
		return -1;
	}
	if ((rc = master_client_running(conf->queue_directory, &pid, err))
	    < 0)
		return -1;
	if (rc == 0)
		return err_set(err, ERR_PERM, "", "the mail system is not "
		    "running");
	if (kill(pid, sig) != 0)
		return err_set(err, ERR_TEMP, "", "%s: kill %ld: %s", cmd,
		    (long)pid, strerror(errno));
	return 0;
}

int
postern_cmd_stop(struct postern_ctx *ctx, int argc, char **argv)
{
	const struct conf *conf;
	bool unused = false;
	struct err err;
	pid_t pid;
	int status;

	if ((status = postern_start_noargs("stop", argc, argv, "", &unused))
	    != 0)
		return status;
	if ((conf = postern_start_conf(ctx, "stop")) == NULL)
		return POSTERN_EXIT_FAIL;
	if ((status = master_client_running(conf->queue_directory, &pid,
	    &err)) <= 0) {
		postern_error("stop: %s", status < 0 ? err.text
		    : "the mail system is not running");
		return POSTERN_EXIT_FAIL;
	}
	if (postern_start_signal(conf, "stop", "stop", SIGTERM, &err) != 0 ||
	    master_client_wait_gone(conf->queue_directory,
	    POSTERN_STOP_TIMEOUT_S, &err) != 0) {
		postern_error("stop: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	printf("postern: the mail system is stopped\n");
	return POSTERN_EXIT_OK;
}

int
postern_cmd_reload(struct postern_ctx *ctx, int argc, char **argv)
{
	const struct conf *conf;
	bool unused = false;
	struct err err;
	int status;

	if ((status = postern_start_noargs("reload", argc, argv, "",
	    &unused)) != 0)
		return status;
	if ((conf = postern_start_conf(ctx, "reload")) == NULL)
		return POSTERN_EXIT_FAIL;
	if (postern_start_signal(conf, "reload", "reload", SIGHUP, &err)
	    != 0) {
		postern_error("reload: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	printf("postern: the configuration is reloaded\n");
	return POSTERN_EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * Starting service processes: the exec arguments and environment of each
 * service, and fork + exec with exactly the descriptors master_proto.h
 * promises (0-2, status, lifeline, listener) and nothing else.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "server/master_proto.h"

/* Room for the fixed options: -n -t -c -S -r -f -v and their values. */
#define MASTER_SPAWN_FIXED_ARGS 16

void
master_spawn_argv(const struct master *m, const struct mastercf_service *ent,
    struct master_svcdef *def)
{
	size_t n = 0, i, max;
	char **argv;

	max = MASTER_SPAWN_FIXED_ARGS + 2 * ent->noverrides + ent->nargs + 1;
	argv = arena_zalloc(def->arena, max * sizeof(*argv));
	argv[n++] = (char *)def->path;
	argv[n++] = "-n";
	argv[n++] = (char *)def->name;
	argv[n++] = "-t";
	argv[n++] = (char *)mastercf_type_name(def->type);
	argv[n++] = "-c";
	argv[n++] = arena_strdup(def->arena, m->opts.config_dir);
	if (m->root)
		argv[n++] = "-S";
	if (def->chroot)
		argv[n++] = "-r";
	for (i = 0; i < ent->noverrides; i++) {
		argv[n++] = "-o";
		argv[n++] = arena_strdup(def->arena, ent->overrides[i]);
	}
	if (m->opts.foreground)
		argv[n++] = "-f";
	if (m->opts.verbose)
		argv[n++] = "-v";
	for (i = 0; i < ent->nargs; i++)
		argv[n++] = arena_strdup(def->arena, ent->args[i]);
	argv[n] = NULL;
	def->argv = argv;
}

/* import_environment: "NAME" copies ours when set; "NAME=value" sets it. */
void
master_spawn_env(struct master *m, const struct conf *conf)
{
	const char *cur = conf->import_environment, *val;
	struct arena *a = arena_new();
	struct buf item;
	size_t n = 0, max = 8;
	char **env = arena_zalloc(a, max * sizeof(*env)), **grown;

	buf_init(&item);
	while (conf_list_next(&cur, &item)) {
		if (n + 1 >= max) {
			grown = arena_zalloc(a, 2 * max * sizeof(*env));
			memcpy(grown, env, n * sizeof(*env));
			env = grown;
			max *= 2;
		}
		if (strchr(item.data, '=') != NULL)
			env[n++] = arena_strdup(a, item.data);
		else if ((val = getenv(item.data)) != NULL)
			env[n++] = arena_printf(a, "%s=%s", item.data, val);
	}
	buf_deinit(&item);
	env[n] = NULL;
	arena_free(&m->env_arena);
	m->env_arena = a;
	m->env = env;
}

static void
master_spawn_close_rest(void)
{
	struct rlimit rl;
	int fd;

	if (close_range(MASTER_LISTEN_FD + 1, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	for (fd = MASTER_LISTEN_FD + 1; fd < (int)rl.rlim_cur; fd++)
		(void)close(fd);
}

/*
 * In the child. The master is single-threaded, so the libc calls below
 * are safe after fork(). Descriptors are first moved above the fixed
 * numbers so that no dup2() overwrites a source still needed.
 */
static _Noreturn void
master_spawn_child(
    struct master *m, struct master_service *svc, struct master_listener *lst)
{
	int src[3] = {svc->status_fd[1], m->lifeline[0], lst->fd};
	int dst[3] = {MASTER_STATUS_FD, MASTER_LIFELINE_FD, MASTER_LISTEN_FD};
	int hi[3], i;
	sigset_t none;

	/* The loop blocked the signals it delivers; children start clean. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* A terminal's ^C is for the master, which stops its children. */
	(void)setsid();
	for (i = 0; i < 3; i++) {
		hi[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
		if (hi[i] < 0)
			log_fatal_errno(errno, "%s: dup", svc->def->path);
	}
	if (dup2(m->devnull, STDIN_FILENO) < 0)
		log_fatal_errno(errno, "%s: dup2 stdin", svc->def->path);
	for (i = 0; i < 3; i++) {
		if (dup2(hi[i], dst[i]) < 0)
			log_fatal_errno(errno, "%s: dup2", svc->def->path);
	}
	master_spawn_close_rest();
	execve(svc->def->path, svc->def->argv, m->env);
	log_error_errno(errno, "exec %s", svc->def->path);
	_exit(127);
}

int
master_spawn(struct master *m, struct master_listener *lst)
{
	struct master_service *svc = lst->svc;
	struct master_proc *proc;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		log_warning_errno(errno, "fork for service %s", svc->def->name);
		return -1;
	}
	if (pid == 0)
		master_spawn_child(m, svc, lst);
	proc = xcalloc(1, sizeof(*proc));
	proc->pid = pid;
	proc->svc = svc;
	proc->lst = lst;
	proc->gen = m->gen;
	proc->started = time(NULL);
	proc->next = svc->procs;
	svc->procs = proc;
	svc->nprocs++;
	svc->used = true;
	/* A new process counts as available until it reports busy. */
	lst->avail++;
	log_debug("service %s/%s: started %s pid %ld for %s", svc->def->name,
	    mastercf_type_name(svc->def->type), svc->def->path, (long)pid,
	    lst->addr.text);
	master_status_listen(svc);
	return 0;
}

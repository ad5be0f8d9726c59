/* SPDX-License-Identifier: MIT */
/*
 * The service table: one definition per master.cf entry whose program
 * exists (daemons land one by one, so a missing one is a warning, not a
 * fatal error), and the running services built from those definitions.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* The program path: absolute commands are taken as they are. */
static const char *
master_service_path(const struct conf *conf, const struct mastercf_service *ent,
    struct arena *a)
{
	if (ent->command[0] == '/')
		return arena_strdup(a, ent->command);
	return arena_printf(a, "%s/%s", conf->daemon_directory, ent->command);
}

/* "smtpd -o a=b arg", as the administrator wrote it, for status. */
static const char *
master_service_cmdline(const struct mastercf_service *ent, struct arena *a)
{
	struct buf b;
	const char *s;
	size_t i;

	buf_init(&b);
	buf_puts(&b, ent->command);
	for (i = 0; i < ent->noverrides; i++)
		buf_printf(&b, " -o %s", ent->overrides[i]);
	for (i = 0; i < ent->nargs; i++)
		buf_printf(&b, " %s", ent->args[i]);
	s = arena_strdup(a, b.data);
	buf_deinit(&b);
	return s;
}

static bool
master_service_runnable(const struct mastercf_service *ent, const char *path)
{
	int saved;

	if (ent->type == MASTERCF_PASS) {
		log_warning("service %s/%s: pass services are not supported; "
		            "service disabled",
		    ent->name, mastercf_type_name(ent->type));
		return false;
	}
	if (access(path, X_OK) == 0)
		return true;
	saved = errno;
	if (saved == ENOENT)
		log_warning("service %s/%s: program %s not found; "
		            "service disabled",
		    ent->name, mastercf_type_name(ent->type), path);
	else
		log_warning_errno(saved,
		    "service %s/%s: program %s; "
		    "service disabled",
		    ent->name, mastercf_type_name(ent->type), path);
	return false;
}

static struct master_svcdef *
master_service_def(const struct master *m, const struct conf *conf,
    const struct mastercf_service *ent, struct err *err)
{
	struct master_svcdef *def = xcalloc(1, sizeof(*def));
	struct arena *a = arena_new();

	def->arena = a;
	def->path = master_service_path(conf, ent, a);
	if (!master_service_runnable(ent, def->path)) {
		master_service_free_def(&def);
		return NULL;
	}
	def->name = arena_strdup(a, ent->name);
	def->type = ent->type;
	def->cmdline = master_service_cmdline(ent, a);
	def->private_svc = ent->private_svc;
	def->chroot = ent->chroot;
	def->wakeup = ent->wakeup;
	def->wakeup_if_used = ent->wakeup_if_used;
	def->maxproc =
	    ent->maxproc < 0 ? (int)conf->default_process_limit : ent->maxproc;
	if (master_listen_resolve(conf, ent, def, err) < 0) {
		err_prefix(err, "%s:%d: service %s/%s", ent->file, ent->line,
		    ent->name, mastercf_type_name(ent->type));
		master_service_free_def(&def);
		err->kind = ERR_PERM;
		return NULL;
	}
	if (def->wakeup > 0 && def->type == MASTERCF_INET) {
		log_warning("%s:%d: service %s/inet: wakeup ignored for inet "
		            "services",
		    ent->file, ent->line, ent->name);
		def->wakeup = 0;
	}
	master_spawn_argv(m, ent, def);
	return def;
}

int
master_service_build(const struct master *m, const struct master_config *cfg,
    struct master_svcdef **list_out, struct err *err)
{
	struct master_svcdef *head = NULL, **tail = &head, *def;
	size_t i;

	err_clear(err);
	for (i = 0; i < cfg->mcf.nservices; i++) {
		def = master_service_def(
		    m, cfg->conf, &cfg->mcf.services[i], err);
		if (def == NULL) {
			if (err->kind != ERR_NONE) {
				master_service_free_defs(&head);
				return -1;
			}
			continue;
		}
		*tail = def;
		tail = &def->next;
	}
	*list_out = head;
	return 0;
}

void
master_service_free_def(struct master_svcdef **defp)
{
	struct master_svcdef *def = *defp;

	if (def == NULL)
		return;
	arena_free(&def->arena);
	free(def);
	*defp = NULL;
}

void
master_service_free_defs(struct master_svcdef **listp)
{
	struct master_svcdef *def = *listp, *next;

	while (def != NULL) {
		next = def->next;
		master_service_free_def(&def);
		def = next;
	}
	*listp = NULL;
}

struct master_service *
master_service_find(
    const struct master *m, const char *name, enum mastercf_type type)
{
	struct master_service *svc;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		if (!svc->draining && svc->def->type == type &&
		    strcmp(svc->def->name, name) == 0)
			return svc;
	}
	return NULL;
}

struct master_service *
master_service_new(struct master *m, struct master_svcdef *def)
{
	struct master_service *svc = xcalloc(1, sizeof(*svc)), **tail;

	svc->m = m;
	svc->def = def;
	def->next = NULL;
	if (pipe2(svc->status_fd, O_CLOEXEC) < 0)
		log_fatal_errno(errno, "service %s: status pipe", def->name);
	if (fcntl(svc->status_fd[0], F_SETFL, O_NONBLOCK) < 0)
		log_fatal_errno(errno, "service %s: status pipe", def->name);
	buf_init(&svc->status_in);
	svc->started = time(NULL);
	svc->backoff_ms = 0;
	for (tail = &m->services; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = svc;
	master_status_attach(svc);
	return svc;
}

void
master_service_free(struct master_service *svc)
{
	struct master_service **pp;
	size_t i;

	if (svc->procs != NULL)
		PANIC("%s: service %s still has processes", __func__,
		    svc->def->name);
	for (pp = &svc->m->services; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == svc) {
			*pp = svc->next;
			break;
		}
	}
	master_wakeup_stop(svc);
	master_reap_unthrottle(svc);
	master_status_detach(svc);
	close(svc->status_fd[0]);
	close(svc->status_fd[1]);
	for (i = 0; i < svc->nlst; i++)
		master_listen_close(svc->m, &svc->lst[i]);
	free(svc->lst);
	buf_deinit(&svc->status_in);
	master_service_free_def(&svc->def);
	free(svc);
}

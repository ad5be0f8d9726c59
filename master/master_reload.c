/* SPDX-License-Identifier: MIT */
/*
 * Reload (SIGHUP, or req=reload on the status socket), also used for the
 * first start from an empty table. Both files are re-read and validated
 * and every new listener is opened before anything changes, so an error
 * leaves the running configuration untouched.
 *
 * Generations: each reload starts a new lifeline pipe and closes the old
 * one. A process of the old generation sees EOF on its lifeline the next
 * time it waits for a client, so it finishes the client it has and then
 * exits; it is never counted as available again, so new clients go to
 * processes started with the new settings. Listeners whose address is
 * unchanged stay open throughout, so no connection is refused.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

/* The listeners one new definition will own. */
struct master_reload_plan {
	struct master_svcdef *def;
	struct master_listener **lst;
	size_t nlst;
};

/* An open listener of the running table with the same type and address. */
static struct master_listener *
master_reload_claim(struct master *m, enum mastercf_type type, const char *text)
{
	struct master_service *svc;
	size_t i;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		if (svc->draining || svc->def->type != type)
			continue;
		for (i = 0; i < svc->nlst; i++) {
			if (!svc->lst[i]->claimed &&
			    strcmp(svc->lst[i]->addr.text, text) == 0) {
				svc->lst[i]->claimed = true;
				return svc->lst[i];
			}
		}
	}
	return NULL;
}

/* Undo a partial prepare: close what it opened, release what it claimed. */
static void
master_reload_rollback(
    struct master *m, struct master_reload_plan *plan, size_t nplan)
{
	size_t i, j;

	for (i = 0; i < nplan; i++) {
		for (j = 0; j < plan[i].nlst; j++) {
			if (plan[i].lst[j]->svc == NULL)
				master_listen_close(m, &plan[i].lst[j]);
			else
				plan[i].lst[j]->claimed = false;
		}
		free(plan[i].lst);
	}
	free(plan);
}

static struct master_reload_plan *
master_reload_prepare(struct master *m, const struct master_config *cfg,
    struct master_svcdef *defs, size_t *nplan_out, struct err *err)
{
	struct master_reload_plan *plan;
	struct master_svcdef *def;
	struct master_listener *lst;
	size_t n = 0, i = 0, j;

	for (def = defs; def != NULL; def = def->next)
		n++;
	plan = xcalloc(n + 1, sizeof(*plan));
	for (def = defs; def != NULL; def = def->next, i++) {
		plan[i].def = def;
		plan[i].lst = xcalloc(def->naddrs + 1, sizeof(*plan[i].lst));
		for (j = 0; j < def->naddrs; j++) {
			lst = master_reload_claim(
			    m, def->type, def->addrs[j].text);
			if (lst == NULL)
				lst = master_listen_open(
				    m, cfg, def, &def->addrs[j], err);
			if (lst == NULL) {
				err_prefix(err, "service %s/%s", def->name,
				    mastercf_type_name(def->type));
				master_reload_rollback(m, plan, i + 1);
				return NULL;
			}
			plan[i].lst[plan[i].nlst++] = lst;
		}
	}
	*nplan_out = n;
	return plan;
}

/* Retire every listener nobody claimed; claimed ones move in the plan. */
static void
master_reload_release(struct master *m)
{
	struct master_service *svc;
	size_t i;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		for (i = 0; i < svc->nlst; i++) {
			if (!svc->lst[i]->claimed)
				master_listen_retire(m, svc->lst[i]);
		}
		free(svc->lst);
		svc->lst = NULL;
		svc->nlst = 0;
		svc->mark = false;
	}
}

static void
master_reload_adopt(struct master *m, struct master_reload_plan *p)
{
	struct master_service *svc;
	size_t i;

	svc = master_service_find(m, p->def->name, p->def->type);
	if (svc != NULL && !svc->mark) {
		master_service_free_def(&svc->def);
		svc->def = p->def;
		master_reap_unthrottle(svc);
	} else {
		svc = master_service_new(m, p->def);
		if (m->started != 0)
			log_info("service %s/%s added", svc->def->name,
			    mastercf_type_name(svc->def->type));
	}
	svc->mark = true;
	svc->lst = p->lst;
	svc->nlst = p->nlst;
	for (i = 0; i < svc->nlst; i++) {
		struct master_listener *lst = svc->lst[i];

		lst->svc = svc;
		lst->claimed = false;
		lst->avail = 0;
		if (lst->registered)
			continue;
		master_status_listener_add(m, lst);
		log_info("listening on %s (%s/%s)", lst->addr.text,
		    svc->def->name, mastercf_type_name(svc->def->type));
	}
	master_wakeup_start(svc);
}

/* A new generation: a new lifeline; the old one's EOF retires children. */
static void
master_reload_generation(struct master *m)
{
	if (m->lifeline[1] >= 0) {
		close(m->lifeline[0]);
		close(m->lifeline[1]);
	}
	if (pipe2(m->lifeline, O_CLOEXEC) < 0)
		log_fatal_errno(errno, "lifeline pipe");
	m->gen++;
	master_status_retire_all(m);
}

static void
master_reload_commit(
    struct master *m, struct master_reload_plan *plan, size_t nplan)
{
	struct master_service *svc, *next;
	size_t i;

	master_reload_generation(m);
	master_reload_release(m);
	for (i = 0; i < nplan; i++)
		master_reload_adopt(m, &plan[i]);
	free(plan);
	for (svc = m->services; svc != NULL; svc = next) {
		next = svc->next;
		if (svc->mark || svc->draining)
			continue;
		log_info("service %s/%s removed", svc->def->name,
		    mastercf_type_name(svc->def->type));
		svc->draining = true;
		master_wakeup_stop(svc);
		master_reap_unthrottle(svc);
		if (svc->procs == NULL)
			master_service_free(svc);
	}
	for (svc = m->services; svc != NULL; svc = svc->next)
		master_status_listen(svc);
	master_status_sweep(m, false);
}

int
master_reload_apply(
    struct master *m, struct master_config *cfg, struct err *err)
{
	struct master_reload_plan *plan;
	struct master_svcdef *defs;
	size_t nplan;

	if (master_listen_dirs(m, cfg, err) < 0)
		return -1;
	if (master_service_build(m, cfg, &defs, err) < 0)
		return -1;
	plan = master_reload_prepare(m, cfg, defs, &nplan, err);
	if (plan == NULL) {
		master_service_free_defs(&defs);
		return -1;
	}
	/* From here on nothing fails: the new table replaces the old. */
	master_config_deinit(&m->cfg);
	m->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	master_spawn_env(m, m->cfg.conf);
	master_reload_commit(m, plan, nplan);
	return 0;
}

int
master_reload(struct master *m, struct err *err)
{
	struct master_config cfg;

	if (m->stopping)
		return err_set(err, ERR_TEMP, "", "the master is stopping");
	if (master_config_load(m->opts.config_dir, m->root, &cfg, err) < 0 ||
	    master_reload_apply(m, &cfg, err) < 0) {
		master_config_deinit(&cfg);
		log_error("reload failed, keeping the running configuration: "
		          "%s",
		    err->text);
		return -1;
	}
	master_config_logging(&m->cfg, m->opts.verbose);
	log_info("reload -- version %s, configuration %s", POSTERN_VERSION,
	    m->opts.config_dir);
	return 0;
}

static void
master_reload_signal(struct event_loop *loop, int signo, void *ctx)
{
	struct master *m = ctx;
	struct err err;

	(void)loop;
	(void)signo;
	err_clear(&err);
	(void)master_reload(m, &err);
}

int
master_reload_init(struct master *m)
{
	return event_signal_add(m->loop, SIGHUP, master_reload_signal, m);
}

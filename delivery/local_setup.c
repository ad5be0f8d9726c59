/* SPDX-License-Identifier: MIT */
/*
 * local's set-up: before the privilege drop, the helper that runs
 * |command and /file deliveries as default_privs (it must be forked
 * while we can still switch users); after it, the authd client and the
 * alias tables, opened as mail_store_owner so they are read with the
 * rights local delivers with.
 */
#include "local.h"

#include <stdlib.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "ipc/auth_client.h"
#include "map/map.h"
#include "queue/queue_dir.h"
#include "server/server.h"

/* qmgr sends its request right after connecting. */
#define LOCAL_IPC_TIMEOUT_MS (300 * 1000)

void
local_setup_pre_jail(struct server *srv)
{
	struct local *lc = xcalloc(1, sizeof(*lc));

	lc->srv = srv;
	lc->conf = server_conf(srv);
	lc->timeout_ms = LOCAL_IPC_TIMEOUT_MS;
	lc->helper = local_helper_start(lc->conf);
	server_set_ctx(srv, lc);
}

/* An unusable table is not fatal: the recipients that need it defer. */
static struct maps *
local_setup_maps(const char *name, const char *spec, bool *unusable_out)
{
	struct maps *m;
	struct err err;

	*unusable_out = false;
	if (spec == NULL || spec[0] == '\0')
		return NULL;
	if ((m = maps_open(spec, &err)) == NULL) {
		*unusable_out = true;
		log_warning("%s: %s: %s (recipients that need it are "
		            "deferred)",
		    name, spec, err.text);
	}
	return m;
}

void
local_setup_post_jail(struct server *srv)
{
	struct local *lc = server_ctx(srv);

	lc->auth = auth_client_new(
	    AUTH_SOCKET, (int)(lc->conf->local_authd_timeout * 1000));
	lc->alias_maps = local_setup_maps(
	    "alias_maps", lc->conf->alias_maps, &lc->alias_unusable);
	lc->virtual_maps = local_setup_maps("virtual_alias_maps",
	    lc->conf->virtual_alias_maps, &lc->virtual_unusable);
	maildir_name_uniq_init(&lc->uniq, NULL);
}

struct queue_dir *
local_setup_queue(struct local *lc, struct err *err)
{
	/* The skeleton runs us in queue_directory. */
	if (lc->qd == NULL && queue_dir_open(".", &lc->qd, err) != 0)
		return NULL;
	return lc->qd;
}

void
local_setup_exit(struct server *srv)
{
	struct local *lc = server_ctx(srv);

	if (lc == NULL)
		return;
	local_helper_stop(&lc->helper);
	auth_client_free(&lc->auth);
	maps_close(&lc->alias_maps);
	maps_close(&lc->virtual_maps);
	queue_dir_close(&lc->qd);
	local_sieve_cache_free(&lc->sieve_cache);
	free(lc);
	server_set_ctx(srv, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * postern status: what the running master reports on its status
 * socket, as a table of services: type, listen addresses, processes
 * busy/total, pids, connections accepted, start time. Exits 1 when no
 * master answers, so scripts can test it.
 */
#include "postern.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "ipc/master_client.h"

enum postern_status_col {
	POSTERN_COL_SERVICE,
	POSTERN_COL_TYPE,
	POSTERN_COL_LISTEN,
	POSTERN_COL_PROCS,
	POSTERN_COL_PIDS,
	POSTERN_COL_CONNS,
	POSTERN_COL_STARTED,
	POSTERN_COL_STATE,
	POSTERN_NCOLS,
};

static const char *const postern_status_heads[POSTERN_NCOLS] = {
	"SERVICE", "TYPE", "LISTEN", "BUSY/PROCS", "PIDS", "CONNECTIONS",
	"STARTED", "STATE",
};

static const char *
postern_status_time(struct arena *a, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char text[32];

	if (t <= 0 || localtime_r(&tt, &tm) == NULL ||
	    strftime(text, sizeof(text), "%b %d %H:%M:%S", &tm) == 0)
		return "-";
	return arena_strdup(a, text);
}

/* The cells of one service row, in the arena. */
static void
postern_status_row(struct arena *a, const struct master_client_svc *s,
    const char **cells)
{
	cells[POSTERN_COL_SERVICE] = s->name;
	cells[POSTERN_COL_TYPE] = s->type;
	cells[POSTERN_COL_LISTEN] = s->listen[0] != '\0' ? s->listen : "-";
	cells[POSTERN_COL_PROCS] = s->maxproc > 0
	    ? arena_printf(a, "%lld/%lld (max %lld)", s->busy, s->procs,
	    s->maxproc) : arena_printf(a, "%lld/%lld", s->busy, s->procs);
	cells[POSTERN_COL_PIDS] = s->pids[0] != '\0' ? s->pids : "-";
	cells[POSTERN_COL_CONNS] = arena_printf(a, "%lld", s->connections);
	cells[POSTERN_COL_STARTED] = postern_status_time(a, s->started);
	cells[POSTERN_COL_STATE] = s->state;
}

static void
postern_status_table(struct arena *a, const struct master_client_status *st)
{
	const char **cells = arena_zalloc(a, sizeof(*cells) * POSTERN_NCOLS *
	    (st->nservices + 1));
	size_t width[POSTERN_NCOLS] = { 0 }, r, c, len;

	for (c = 0; c < POSTERN_NCOLS; c++)
		cells[c] = postern_status_heads[c];
	for (r = 0; r < st->nservices; r++)
		postern_status_row(a, &st->services[r],
		    cells + (r + 1) * POSTERN_NCOLS);
	for (r = 0; r <= st->nservices; r++)
		for (c = 0; c < POSTERN_NCOLS; c++)
			if ((len = strlen(cells[r * POSTERN_NCOLS + c])) >
			    width[c])
				width[c] = len;
	for (r = 0; r <= st->nservices; r++) {
		for (c = 0; c < POSTERN_NCOLS; c++)
			printf(c + 1 < POSTERN_NCOLS ? "%-*s  " : "%-*s\n",
			    c + 1 < POSTERN_NCOLS ? (int)width[c] : 0,
			    cells[r * POSTERN_NCOLS + c]);
	}
}

int
postern_cmd_status(struct postern_ctx *ctx, int argc, char **argv)
{
	struct master_client_status st = { 0 };
	const struct conf *conf;
	struct arena *a;
	struct err err, err2;
	pid_t pid;
	int status = POSTERN_EXIT_OK;

	if (getopt(argc, argv, "") != -1)
		return postern_bad_option("status", argv);
	if (optind < argc) {
		postern_error("status: unexpected argument \"%s\"",
		    argv[optind]);
		return POSTERN_EXIT_USAGE;
	}
	if ((conf = postern_ctx_conf(ctx, &err)) == NULL) {
		postern_error("status: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	a = arena_new();
	if (master_client_request(conf->queue_directory, "status", a, &st,
	    &err) != 0) {
		if (master_client_running(conf->queue_directory, &pid, &err2)
		    == 0)
			postern_error("status: the mail system is not running");
		else
			postern_error("status: %s", err.text);
		status = POSTERN_EXIT_FAIL;
	} else {
		printf("master pid %lld, version %s, %s since %s, "
		    "configuration %s\n\n", st.pid, st.version, st.state,
		    postern_status_time(a, st.started), st.config_directory);
		postern_status_table(a, &st);
	}
	arena_free(&a);
	return status;
}

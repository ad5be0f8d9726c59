/* SPDX-License-Identifier: MIT */
/*
 * postern conf -M: show master.cf entries as one normalised line each
 * (defaults spelled out), or replace an entry as postconf -M does with
 * "service/type=entry". conf_edit_master parses a new entry before
 * master.cf is touched, so a typo never breaks the table.
 */
#include "postern_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_edit.h"
#include "conf/mastercf.h"
#include "core/buf.h"
#include "core/xmalloc.h"
#include "postern.h"

static void
postern_conf_master_line(const struct mastercf_service *s, struct buf *out)
{
	char wakeup[24], maxproc[24];
	size_t i;

	if (s->wakeup == 0)
		snprintf(wakeup, sizeof(wakeup), "-");
	else
		snprintf(wakeup, sizeof(wakeup), "%d%s", s->wakeup,
		    s->wakeup_if_used ? "?" : "");
	if (s->maxproc < 0)
		snprintf(maxproc, sizeof(maxproc), "-");
	else
		snprintf(maxproc, sizeof(maxproc), "%d", s->maxproc);
	buf_printf(out, "%-15s %-5s %-7s %-7s %-7s %-7s %-7s %s", s->name,
	    mastercf_type_name(s->type), s->private_svc ? "y" : "n",
	    s->unpriv ? "y" : "n", s->chroot ? "y" : "n", wakeup, maxproc,
	    s->command);
	for (i = 0; i < s->noverrides; i++)
		buf_printf(out, " -o %s", s->overrides[i]);
	for (i = 0; i < s->nargs; i++)
		buf_printf(out, " %s", s->args[i]);
	buf_putc(out, '\n');
}

/* "smtp" selects every type of smtp; "smtp/unix" one entry. */
static bool
postern_conf_master_match(const struct mastercf_service *s, const char *sel)
{
	const char *slash = strchr(sel, '/');
	size_t len = slash != NULL ? (size_t)(slash - sel) : strlen(sel);

	if (strlen(s->name) != len || strncmp(s->name, sel, len) != 0)
		return false;
	return slash == NULL ||
	    strcmp(slash + 1, mastercf_type_name(s->type)) == 0;
}

static int
postern_conf_master_show(const struct mastercf *mcf, int argc, char **argv)
{
	struct buf out;
	size_t i;
	int a, status = POSTERN_EXIT_OK;
	bool found;

	buf_init(&out);
	for (i = 0; i < mcf->nservices; i++) {
		found = argc == 0;
		for (a = 0; a < argc && !found; a++)
			found = postern_conf_master_match(&mcf->services[i],
			    argv[a]);
		if (found)
			postern_conf_master_line(&mcf->services[i], &out);
	}
	for (a = 0; a < argc; a++) {
		for (i = 0; i < mcf->nservices; i++)
			if (postern_conf_master_match(&mcf->services[i],
			    argv[a]))
				break;
		if (i == mcf->nservices) {
			postern_warning("%s: no such service in master.cf",
			    argv[a]);
			status = POSTERN_EXIT_FAIL;
		}
	}
	fputs(out.data, stdout);
	buf_deinit(&out);
	return status;
}

static int
postern_conf_master_edit(const char *path, const char *arg, struct err *err)
{
	const char *eq = strchr(arg, '='), *slash = strchr(arg, '/');
	char *service, *type;
	int rc;

	if (eq == NULL || slash == NULL || slash > eq || slash == arg ||
	    slash + 1 == eq)
		return err_set(err, ERR_PERM, "", "%s: expected "
		    "service/type=entry", arg);
	service = xstrndup(arg, (size_t)(slash - arg));
	type = xstrndup(slash + 1, (size_t)(eq - slash - 1));
	/* conf_edit_master parses the entry before it writes anything. */
	rc = conf_edit_master(path, service, type, eq + 1, err);
	free(service);
	free(type);
	return rc;
}

int
postern_conf_master(struct postern_ctx *ctx, int argc, char **argv)
{
	struct mastercf mcf;
	const char *dir;
	struct err err;
	char *path;
	int a, status = POSTERN_EXIT_OK;
	bool edit = false;

	if ((dir = postern_ctx_config_dir(ctx, &err)) == NULL) {
		postern_error("conf: %s", err.text);
		return POSTERN_EXIT_FAIL;
	}
	path = xasprintf("%s/master.cf", dir);
	for (a = 0; a < argc; a++)
		edit = edit || strchr(argv[a], '=') != NULL;
	if (edit) {
		for (a = 0; a < argc && status == POSTERN_EXIT_OK; a++)
			if (postern_conf_master_edit(path, argv[a], &err) != 0) {
				postern_error("conf: %s", err.text);
				status = POSTERN_EXIT_FAIL;
			}
	} else if (mastercf_read(path, &mcf, &err) != 0) {
		postern_error("conf: %s", err.text);
		status = POSTERN_EXIT_FAIL;
	} else {
		status = postern_conf_master_show(&mcf, argc, argv);
		mastercf_deinit(&mcf);
	}
	free(path);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * The server skeleton's start-up: the options the master passes
 * (server/master_proto.h), main.cf with the -o overrides, and the log
 * destinations. Trusts its argv (written by the master or an admin);
 * every failure here is fatal, since the process cannot do its job.
 */
#include "server/server_impl.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define SERVER_DEFAULT_CONFIG_DIR "/etc/postern"

static _Noreturn void
server_opts_usage(const struct server *srv)
{
	log_fatal("usage: %s -n service -t type -c config_directory "
	          "[-o name=value]... [-S] [-r] [-f] [-v] [args...]",
	    srv->spec->name);
}

void
server_opts_parse(struct server *srv, int argc, char **argv)
{
	int c;

	srv->overrides = xcalloc((size_t)argc + 1, sizeof(*srv->overrides));
	srv->service = srv->spec->name;
	srv->type = "unix";
	srv->config_dir = SERVER_DEFAULT_CONFIG_DIR;
	/* "+": stop at the first non-option, the master.cf arguments. */
	optind = 1;
	while ((c = getopt(argc, argv, "+n:t:c:o:Srfv")) != -1) {
		switch (c) {
		case 'n':
			srv->service = optarg;
			break;
		case 't':
			srv->type = optarg;
			break;
		case 'c':
			srv->config_dir = optarg;
			break;
		case 'o':
			if (strchr(optarg, '=') == NULL)
				log_fatal("-o %s: expected name=value", optarg);
			srv->overrides[srv->noverrides++] = optarg;
			break;
		case 'S':
			srv->master_root = true;
			break;
		case 'r':
			srv->chroot = true;
			break;
		case 'f':
			srv->foreground = true;
			break;
		case 'v':
			srv->verbose = true;
			break;
		default:
			server_opts_usage(srv);
		}
	}
	srv->args = (const char *const *)argv + optind;
	srv->nargs = (size_t)(argc - optind);
}

void
server_opts_load_conf(struct server *srv)
{
	struct err err;

	err_clear(&err);
	srv->conf =
	    conf_load(srv->config_dir, srv->overrides, srv->noverrides, &err);
	if (srv->conf == NULL)
		log_fatal(
		    "service %s: configuration: %s", srv->service, err.text);
	srv->client_limit = srv->conf->client_limit;
}

/*
 * Destinations come from main.cf. stderr stays on with -f, and also when
 * main.cf names no other destination, so a message is never lost.
 */
void
server_opts_setup_log(struct server *srv)
{
	const struct conf *conf = srv->conf;
	enum log_level level;
	bool file = conf->maillog_file != NULL && conf->maillog_file[0] != '\0';

	if (log_level_parse(conf->log_level, &level) != 0)
		log_fatal("service %s: log_level: unknown level \"%s\"",
		    srv->service, conf->log_level);
	log_set_level(srv->verbose ? LOG_LEVEL_DEBUG : level);
	/* Opened before any chroot; the descriptor survives it. */
	if (file && log_open_file(conf->maillog_file) != 0)
		log_fatal_errno(errno, "service %s: open maillog_file %s",
		    srv->service, conf->maillog_file);
	log_to_syslog(conf->syslog_enable);
	log_to_stderr(srv->foreground || (!file && !conf->syslog_enable));
}

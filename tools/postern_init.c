/* SPDX-License-Identifier: MIT */
/*
 * postern init: create a runnable instance. Decide every path and
 * setting first (the plan in struct postern_init), refuse to touch an
 * existing instance, then write the configuration, the directory tree,
 * the TLS material and, as root, the service users and ownership.
 * Input is the administrator's command line.
 */
#include "postern_init.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "postern.h"

static const struct {
	const char *name;
	const char *port;
	const char *system_port;
} postern_init_services[POSTERN_PORT_COUNT] = {
	[POSTERN_PORT_SMTP] = { "smtp", "2525", "25" },
	[POSTERN_PORT_SUBMISSION] = { "submission", "2587", "587" },
	[POSTERN_PORT_SMTPS] = { "smtps", "2465", "465" },
	[POSTERN_PORT_IMAP] = { "imap", "2143", "143" },
	[POSTERN_PORT_IMAPS] = { "imaps", "2993", "993" },
	[POSTERN_PORT_POP3] = { "pop3", "2110", "110" },
	[POSTERN_PORT_POP3S] = { "pop3s", "2995", "995" },
	[POSTERN_PORT_SIEVE] = { "sieve", "4190", "4190" },
};

const char *
postern_init_port_name(enum postern_init_port port)
{
	return postern_init_services[port].name;
}

const char *
postern_init_port_default(enum postern_init_port port, bool system)
{
	return system ? postern_init_services[port].system_port
	    : postern_init_services[port].port;
}

const char *
postern_init_fs(const struct postern_init *init, const char *path)
{
	if (init->root[0] == '\0')
		return path;
	return arena_printf(init->arena, "%s%s", init->root, path);
}

/* "--port imap=10143": a known service and a port number 1..65535. */
static int
postern_init_set_port(struct postern_init *init, const char *arg,
    struct err *err)
{
	const char *eq = strchr(arg, '=');
	char *end;
	long port;
	int i;

	if (eq == NULL)
		return err_set(err, ERR_PERM, "", "--port %s: expected "
		    "SERVICE=PORT", arg);
	port = strtol(eq + 1, &end, 10);
	if (eq[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return err_set(err, ERR_PERM, "", "--port %s: bad port "
		    "number", arg);
	for (i = 0; i < POSTERN_PORT_COUNT; i++) {
		if (strlen(postern_init_services[i].name) ==
		    (size_t)(eq - arg) && strncmp(arg,
		    postern_init_services[i].name, (size_t)(eq - arg)) == 0) {
			init->ports[i] = arena_printf(init->arena, "%ld", port);
			return 0;
		}
	}
	return err_set(err, ERR_PERM, "", "--port %s: unknown service "
	    "(smtp, submission, smtps, imap, imaps, pop3, pop3s, sieve)", arg);
}

/*
 * Postfix's defaults: myhostname is the system's host name, mydomain
 * its parent domain. An unqualified host name is qualified with
 * --domain when given.
 */
static void
postern_init_names(struct postern_init *init, const char *hostname,
    const char *domain)
{
	char host[HOST_NAME_MAX + 1];
	const char *dot;

	if (hostname == NULL) {
		if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		hostname = host;
		if (strchr(host, '.') == NULL && domain != NULL)
			hostname = arena_printf(init->arena, "%s.%s", host,
			    domain);
	}
	init->hostname = arena_strdup(init->arena, hostname);
	if (domain == NULL) {
		dot = strchr(init->hostname, '.');
		domain = dot != NULL && dot[1] != '\0' ? dot + 1
		    : "localdomain";
	}
	init->domain = arena_strdup(init->arena, domain);
}

/* Where everything goes: below DIR, or the standard system paths. */
static void
postern_init_paths(struct postern_init *init)
{
	struct arena *a = init->arena;
	const char *d = init->instance;

	if (init->system) {
		init->config_dir = "/etc/postern";
		init->queue_dir = "/var/spool/postern";
		init->data_dir = "/var/lib/postern";
		init->store_dir = "/var/mail/postern";
		init->log_dir = "/var/log";
		init->log_file = "/var/log/postern.log";
		init->inet_interfaces = "all";
		init->instance = init->root[0] != '\0' ? init->root : "/";
	} else {
		init->config_dir = arena_printf(a, "%s/etc", d);
		init->queue_dir = arena_printf(a, "%s/queue", d);
		init->data_dir = arena_printf(a, "%s/data", d);
		init->store_dir = arena_printf(a, "%s/mail", d);
		init->log_dir = arena_printf(a, "%s/log", d);
		init->log_file = arena_printf(a, "%s/log/maillog", d);
		init->inet_interfaces = "127.0.0.1";
	}
	init->tls_dir = arena_printf(a, "%s/tls", init->data_dir);
	init->cert_file = arena_printf(a, "%s/cert.pem", init->tls_dir);
	init->key_file = arena_printf(a, "%s/key.pem", init->tls_dir);
}

/* The instance directory as an absolute path, created when missing. */
static int
postern_init_instance_dir(struct postern_init *init, const char *dir,
    struct err *err)
{
	char *real;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return err_set(err, ERR_PERM, "", "%s: %s", dir,
		    strerror(errno));
	if ((real = realpath(dir, NULL)) == NULL)
		return err_set(err, ERR_PERM, "", "%s: %s", dir,
		    strerror(errno));
	init->instance = arena_strdup(init->arena, real);
	free(real);
	return 0;
}

static const struct option postern_init_options[] = {
	{ "domain", required_argument, NULL, 'd' },
	{ "hostname", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "system", no_argument, NULL, 's' },
	{ "demo", no_argument, NULL, 'D' },
	{ NULL, 0, NULL, 0 },
};

/* Parse argv into init; returns 0, or an exit status after a message. */
static int
postern_init_parse(struct postern_init *init, int argc, char **argv,
    const char **dir_out)
{
	const char *hostname = NULL, *domain = NULL;
	struct err err;
	int c;

	while ((c = getopt_long(argc, argv, "", postern_init_options,
	    NULL)) != -1) {
		switch (c) {
		case 'd': domain = optarg; break;
		case 'H': hostname = optarg; break;
		case 's': init->system = true; break;
		case 'D': init->demo = true; break;
		case 'p':
			if (postern_init_set_port(init, optarg, &err) != 0) {
				postern_error("init: %s", err.text);
				return POSTERN_EXIT_USAGE;
			}
			break;
		default:
			return postern_bad_option("init", argv);
		}
	}
	if (argc - optind > 1 || (argc - optind == 0 && !init->system)) {
		postern_error("init: usage: postern init DIR [options] "
		    "(see postern init --help)");
		return POSTERN_EXIT_USAGE;
	}
	*dir_out = optind < argc ? argv[optind] : NULL;
	postern_init_names(init, hostname, domain);
	return 0;
}

/* Refuse to overwrite: an existing main.cf or master.cf means "stop". */
static int
postern_init_refuse_existing(const struct postern_init *init,
    struct err *err)
{
	static const char *const files[] = { "main.cf", "master.cf" };
	struct stat st;
	const char *path;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path = postern_init_fs(init, arena_printf(init->arena, "%s/%s",
		    init->config_dir, files[i]));
		if (lstat(path, &st) == 0)
			return err_set(err, ERR_PERM, "", "%s already exists; "
			    "not overwriting an existing instance", path);
	}
	return 0;
}

static int
postern_init_run(struct postern_init *init, const char *dir,
    struct err *err)
{
	if (dir != NULL && postern_init_instance_dir(init, dir, err) != 0)
		return -1;
	if (init->system && init->instance != NULL)
		init->root = init->instance;
	postern_init_paths(init);
	if (postern_init_refuse_existing(init, err) != 0)
		return -1;
	if (init->as_root && postern_init_users(init, err) != 0)
		return -1;
	if (postern_init_tree(init, err) != 0 ||
	    postern_init_templates(init, err) != 0 ||
	    postern_init_tls(init, err) != 0)
		return -1;
	if (init->as_root && postern_init_owners(init, err) != 0)
		return -1;
	if (init->demo && postern_init_demo(init, err) != 0)
		return -1;
	return 0;
}

int
postern_cmd_init(struct postern_ctx *ctx, int argc, char **argv)
{
	struct postern_init init = { 0 };
	const char *dir = NULL;
	struct err err;
	int status, i;

	(void)ctx;
	init.arena = arena_new();
	init.root = "";
	init.as_root = geteuid() == 0;
	status = postern_init_parse(&init, argc, argv, &dir);
	for (i = 0; status == 0 && i < POSTERN_PORT_COUNT; i++)
		if (init.ports[i] == NULL)
			init.ports[i] = postern_init_port_default(i,
			    init.system);
	if (status == 0 && postern_init_run(&init, dir, &err) != 0) {
		postern_error("init: %s", err.text);
		status = POSTERN_EXIT_FAIL;
	} else if (status == 0) {
		printf("postern: created the instance in %s (configuration "
		    "%s)\n", init.instance, postern_init_fs(&init,
		    init.config_dir));
	}
	arena_free(&init.arena);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * Private to the files of "postern init": the plan of a new instance
 * (every path and setting decided before anything is written) and the
 * steps that carry it out. Input is the administrator's command line.
 */
#ifndef TOOLS_POSTERN_INIT_H
#define TOOLS_POSTERN_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/err.h"

struct arena;

/* The inet services of master.cf, in template order. */
enum postern_init_port {
	POSTERN_PORT_SMTP,
	POSTERN_PORT_SUBMISSION,
	POSTERN_PORT_SMTPS,
	POSTERN_PORT_IMAP,
	POSTERN_PORT_IMAPS,
	POSTERN_PORT_POP3,
	POSTERN_PORT_POP3S,
	POSTERN_PORT_SIEVE,
	POSTERN_PORT_COUNT,
};

/*
 * Every string lives in the arena. Paths named "fs_*" are where files
 * are written; the others are what main.cf says. They differ only for
 * --system with a staging root.
 */
struct postern_init {
	struct arena *arena;
	const char *instance;		/* absolute instance directory */
	const char *root;		/* --system staging root, or "" */
	bool system;
	bool demo;
	bool as_root;			/* geteuid() == 0: users, chown */
	const char *hostname;
	const char *domain;
	const char *inet_interfaces;
	const char *config_dir;
	const char *queue_dir;
	const char *data_dir;
	const char *store_dir;
	const char *log_dir;
	const char *log_file;
	const char *tls_dir;
	const char *cert_file;
	const char *key_file;
	const char *ports[POSTERN_PORT_COUNT];
	/* Service users, resolved by postern_init_users (as_root only). */
	uid_t mail_uid, store_uid, auth_uid;
	gid_t mail_gid, store_gid, auth_gid;
	gid_t postdrop_gid;		/* may write to maildrop/ */
};

/* Service names as accepted by --port: "smtp", "submission", ... */
const char *postern_init_port_name(enum postern_init_port port);
/* The default port of a service: 2525... or, with --system, 25... */
const char *postern_init_port_default(enum postern_init_port port,
    bool system);

/* The file-system path of a path named in main.cf (staging root). */
const char *postern_init_fs(const struct postern_init *init,
    const char *path);

/*
 * Create the directories of the instance (mode mode; existing ones are
 * accepted only where the plan allows, e.g. the instance directory).
 * 0 or -1 with err naming the path.
 */
int postern_init_mkdir(const struct postern_init *init, const char *path,
    mode_t mode, struct err *err);
/*
 * Write text to a new file (O_EXCL: never overwrite) with mode, fsync'd.
 * 0 or -1 with err naming the path.
 */
int postern_init_write(const struct postern_init *init, const char *path,
    const char *text, size_t len, mode_t mode, struct err *err);

/*
 * Expand etc/main.cf.in, master.cf.in, aliases.in into the config dir
 * and build aliases.lmdb from aliases.
 */
int postern_init_templates(const struct postern_init *init, struct err *err);
/*
 * The whole directory tree: the queue (queue_layout_create, with owners
 * when root), the mail store, data, tls and log directories.
 */
int postern_init_tree(const struct postern_init *init, struct err *err);
/*
 * A self-signed certificate for hostname (EC P-256, SHA-256, SAN
 * DNS:hostname) and its key (mode 0600) at cert_file and key_file.
 */
int postern_init_tls(const struct postern_init *init, struct err *err);
/*
 * As root: create the service users when missing (useradd --system) and
 * record their ids in init. May run useradd(8); blocks. 0 or -1.
 */
int postern_init_users(struct postern_init *init, struct err *err);
/* As root: set owners and modes on the tree (docs/postern-init.md). */
int postern_init_owners(const struct postern_init *init, struct err *err);
/*
 * --demo: create two users with random passwords and write them to
 * <instance>/demo-users.txt (0600). 0 or -1.
 */
int postern_init_demo(const struct postern_init *init, struct err *err);

#endif

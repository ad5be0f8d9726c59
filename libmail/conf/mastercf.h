/* SPDX-License-Identifier: MIT */
/*
 * master.cf: the service table, in Postfix's columns:
 *   service type private unpriv chroot wakeup maxproc command [args]
 * "-" means the column's default. Lines starting with white space
 * continue the previous one; '#' starts a comment line. Arguments
 * "-o name=value", "-o" "name=value" and "-oname=value" become
 * per-service parameter overrides; "{ text }" makes one argument of
 * text that holds spaces (Postfix 3).
 */
#ifndef CONF_MASTERCF_H
#define CONF_MASTERCF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct arena;

/* Longest logical line (continuation lines joined), in bytes. */
#define MASTERCF_LINE_MAX (64 * 1024)
/* Most arguments after the command, -o pairs included. */
#define MASTERCF_ARGS_MAX 256
/* Largest wakeup and maxproc column values accepted. */
#define MASTERCF_WAKEUP_MAX (365 * 86400)
#define MASTERCF_MAXPROC_MAX 1000000

enum mastercf_type {
	MASTERCF_INET,
	MASTERCF_UNIX,
	MASTERCF_FIFO,
	MASTERCF_PASS,
};

struct mastercf_service {
	const char *name;	/* as written: "smtp", "127.0.0.1:2525" */
	const char *host;	/* inet only: "127.0.0.1", "::1" from
				   "[::1]:25", or NULL for all */
	const char *port;	/* inet only: "2525" or "smtp" */
	enum mastercf_type type;
	bool private_svc;	/* default yes; always no for inet */
	bool unpriv;		/* default yes */
	bool chroot;		/* default no */
	int wakeup;		/* seconds; 0 = none */
	bool wakeup_if_used;	/* "60?": only after first use */
	int maxproc;		/* -1 = default_process_limit; 0 = no limit */
	const char *command;	/* program name in daemon_directory */
	const char **args;	/* remaining arguments, -o pairs removed;
				   NULL-terminated */
	size_t nargs;
	const char **overrides;	/* "name=value" from -o, blanks around
				   name and value removed; NULL-terminated */
	size_t noverrides;
	const char *file;	/* for messages */
	int line;		/* first line of the entry */
};

struct mastercf {
	struct mastercf_service *services;
	size_t nservices;
	struct arena *arena;	/* owns every string above */
};

/*
 * Parse master.cf text (pure: no I/O). filename is used in messages
 * ("master.cf:7: bad type \"tcp\""). Errors: a bad type, y/n column,
 * wakeup or maxproc, a missing column, a duplicate service name/type
 * pair, a bad -o argument, an inet service that is private or whose
 * host:port is malformed, a unix/fifo/pass name that is not a plain file
 * name, and the limits above. On success the caller owns out and
 * releases it with mastercf_deinit(); on error out is empty. 0 or -1.
 */
int mastercf_parse(const char *text, size_t len, const char *filename,
    struct mastercf *out, struct err *err);
/* Read and parse a file; messages name path. Blocks on disk I/O. */
int mastercf_read(const char *path, struct mastercf *out, struct err *err);
/* Release everything; out is left empty. NULL is a no-op. */
void mastercf_deinit(struct mastercf *mcf);
/* The entry for name/type, or NULL. */
const struct mastercf_service *mastercf_find(const struct mastercf *mcf,
    const char *name, enum mastercf_type type);
/* "inet", "unix", "fifo" or "pass"; a static string. */
const char *mastercf_type_name(enum mastercf_type type);
/* Parse "inet", "unix", ...; 0 or -1. */
int mastercf_type_parse(const char *s, enum mastercf_type *out);

#endif

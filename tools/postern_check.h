/* SPDX-License-Identifier: MIT */
/*
 * Private to postern check: the state of one run (what was loaded, how
 * many problems were found) and the checks, one file per concern.
 */
#ifndef TOOLS_POSTERN_CHECK_H
#define TOOLS_POSTERN_CHECK_H

#include <stdbool.h>

struct conf;
struct mastercf;

struct postern_check {
	const char *config_dir;
	const struct conf *conf;	/* NULL when main.cf is broken */
	bool as_root;			/* owners are checked only as root */
	int errors;
	int warnings;
};

/* One problem, one line on stderr: "postern: [warning: ]text". */
void postern_check_error(struct postern_check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void postern_check_warning(struct postern_check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * master.cf against main.cf: each service's program exists in
 * daemon_directory (a missing one is a warning: the master skips it),
 * its -o overrides name known parameters and still give a valid
 * configuration.
 */
void postern_check_services(struct postern_check *ck,
    const struct mastercf *mcf);
/* Directories exist, with owners (as root) and modes that are safe. */
void postern_check_dirs(struct postern_check *ck);
/* Every *_maps table opens; an lmdb: table is not older than its source. */
void postern_check_maps(struct postern_check *ck);
/* The TLS certificate and key are readable, match, and are not expired. */
void postern_check_tls(struct postern_check *ck);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * master [-c config_dir] [-f] [-t] [-v]: the Postern supervisor. Options
 * only; the daemon's life is master_run() (docs/master.md).
 */
#include "master.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct master_opts opts = {.config_dir = "/etc/postern"};
	int c;

	if (getenv("POSTERN_CONFIG_DIR") != NULL)
		opts.config_dir = getenv("POSTERN_CONFIG_DIR");
	while ((c = getopt(argc, argv, "c:ftv")) != -1) {
		if (c == 'c')
			opts.config_dir = optarg;
		else if (c == 'f')
			opts.foreground = true;
		else if (c == 't')
			opts.check = true;
		else if (c == 'v')
			opts.verbose = true;
		else {
			fprintf(stderr,
			    "usage: master [-c config_dir] [-f] "
			    "[-t] [-v]\n");
			return 2;
		}
	}
	return master_run(&opts);
}

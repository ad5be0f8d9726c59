/* SPDX-License-Identifier: MIT */
/*
 * master [-c config_dir] [-f] [-t] [-v]: the Postern supervisor. Options
 * only; the daemon's life is master_run().
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

	if (getenv("MAIL_CONFIG") != NULL)
		opts.config_dir = getenv("MAIL_CONFIG");
	while ((c = getopt(argc, argv, "c:ftv")) != -1) {
		switch (c) {
		case 'c':
			opts.config_dir = optarg;
			break;
		case 'f':
			opts.foreground = true;
			break;
		case 't':
			opts.check = true;
			break;
		case 'v':
			opts.verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-c config_dir] [-f] [-t] "
			    "[-v]\n", argv[0]);
			return 2;
		}
	}
	return master_run(&opts);
}

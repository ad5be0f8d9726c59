/* SPDX-License-Identifier: MIT */
/*
 * Private header of "postern sieve": one function per subcommand, each
 * in its own tools/postern_sieve_*.c, dispatched by postern_sieve.c.
 */
#ifndef TOOLS_POSTERN_SIEVE_H
#define TOOLS_POSTERN_SIEVE_H

#include "postern.h"

/*
 * postern sieve test SCRIPT MESSAGE [--envelope-from A] [--envelope-to B]:
 * argv[0] is "test". Returns a POSTERN_EXIT_* status.
 */
int postern_sieve_test(struct postern_ctx *ctx, int argc, char **argv);

#endif

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

/*
 * A user's stored scripts (tools/postern_sieve_admin.c): argv[0] is the
 * subcommand, argv[1] USER, then NAME and FILE where they apply:
 * list USER, get USER NAME, put USER NAME [FILE] (stdin without FILE),
 * activate USER NAME, deactivate USER, check USER [NAME] (the active
 * script without NAME). Each returns a POSTERN_EXIT_* status.
 */
int postern_sieve_list(struct postern_ctx *ctx, int argc, char **argv);
int postern_sieve_get(struct postern_ctx *ctx, int argc, char **argv);
int postern_sieve_put(struct postern_ctx *ctx, int argc, char **argv);
int postern_sieve_activate(struct postern_ctx *ctx, int argc, char **argv);
int postern_sieve_deactivate(struct postern_ctx *ctx, int argc, char **argv);
int postern_sieve_check(struct postern_ctx *ctx, int argc, char **argv);

#endif

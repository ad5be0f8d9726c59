/* SPDX-License-Identifier: MIT */
/*
 * Private to postern conf: the master.cf half (-M), in its own file.
 */
#ifndef TOOLS_POSTERN_CONF_H
#define TOOLS_POSTERN_CONF_H

struct postern_ctx;

/*
 * postern conf -M [service[/type]]... | -M service/type=entry...:
 * print master.cf entries one per line, or replace/append an entry
 * (validated by parsing it first). argv holds only the operands.
 * Returns the exit status.
 */
int postern_conf_master(struct postern_ctx *ctx, int argc, char **argv);

#endif

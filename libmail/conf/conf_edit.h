/* SPDX-License-Identifier: MIT */
/*
 * Editing main.cf and master.cf in place for "postern conf -e" and
 * "postern conf -M": one setting or one service entry is replaced (or
 * appended, or removed) and everything else, comments and order
 * included, is kept byte for byte. The *_text functions are pure; the
 * others read the file and replace it atomically.
 */
#ifndef CONF_CONF_EDIT_H
#define CONF_CONF_EDIT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Into out (replacing its contents): text with the logical line that
 * sets name (continuation lines included) replaced by "name = value".
 * When name is set more than once, the first setting is replaced and the
 * later ones removed, so the result sets it exactly once. Comment lines
 * inside a replaced line are kept after it. When name is not set, the
 * line is appended. value NULL removes the setting instead. filename is
 * for messages. 0, or -1 with err: a bad name, a value with a line
 * break, or text the main.cf reader would refuse (NUL, lone CR, overlong
 * line).
 */
int conf_edit_main_text(const char *text, size_t len, const char *filename,
    const char *name, const char *value, struct buf *out, struct err *err);
/*
 * The same for master.cf: the entry whose first two columns are service
 * and type is replaced by entry, the whole text of a master.cf entry
 * (continuation lines allowed), or entry is appended. entry must parse
 * as exactly one service with that name and type. entry NULL removes
 * the service. 0 or -1 with err.
 */
int conf_edit_master_text(const char *text, size_t len, const char *filename,
    const char *service, const char *type, const char *entry, struct buf *out,
    struct err *err);

/*
 * Apply conf_edit_main_text() to the file at path (a missing file is
 * empty) and replace it atomically: temporary file, fsync, rename. The
 * old file's mode and owner are kept. 0 or -1 with err. Blocks.
 */
int conf_edit_main(
    const char *path, const char *name, const char *value, struct err *err);
/* The same with conf_edit_master_text(). */
int conf_edit_master(const char *path, const char *service, const char *type,
    const char *entry, struct err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Whole-file reads and atomic replacement for configuration files;
 * private to libmail/conf. Used by the main.cf and master.cf readers and
 * by the editors behind "postern conf -e" and "postern conf -M".
 */
#ifndef CONF_CONF_FILE_H
#define CONF_CONF_FILE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Largest configuration file read, in bytes. */
#define CONF_FILE_MAX (16u * 1024 * 1024)

/*
 * Read path (at most CONF_FILE_MAX bytes) into out, replacing its
 * contents. Returns 1 when read, 0 when path does not exist, -1 with
 * err ("path: reason") otherwise. Blocks on disk I/O.
 */
int conf_file_read(const char *path, struct buf *out, struct err *err);
/*
 * Replace path with data: write a temporary file in the same directory
 * with the old file's mode and owner (0644 when new), fsync it, rename
 * it over path and fsync the directory. Readers see the old or the new
 * file, never a mix. 0 or -1 with err. Blocks on disk I/O.
 */
int conf_file_replace(
    const char *path, const char *data, size_t len, struct err *err);

#endif

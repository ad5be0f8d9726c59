/* SPDX-License-Identifier: MIT */
/*
 * A user's Sieve scripts in the mail store, shared by sieved, local
 * delivery and postern sieve. Layout (docs/decisions.md, "where the
 * active Sieve script lives"):
 *   <maildir root>/sieve/<name>.sieve   one file per script, mode 0600
 *   <maildir root>/sieve/.active        symlink to "<name>.sieve" of the
 *                                       active script; absent: none
 * The store is the truth about which script is active; the users
 * database's sieve_script field is not consulted. Everything runs as
 * the mail store owner, so files are created with that owner. Script
 * names and texts are untrusted (a ManageSieve client's); the maildir
 * root comes from maildir_root_path() and is trusted.
 */
#ifndef STORE_SIEVE_STORE_H
#define STORE_SIEVE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* The longest script name in octets (the file name adds ".sieve"). */
#define SIEVE_STORE_NAME_MAX 128

/* Why an operation failed; each maps to a ManageSieve response code. */
enum sieve_store_status {
	SIEVE_STORE_OK,
	SIEVE_STORE_NONEXISTENT, /* no such script */
	SIEVE_STORE_EXISTS, /* RENAMESCRIPT: the new name is taken */
	SIEVE_STORE_ACTIVE, /* DELETESCRIPT of the active script */
	SIEVE_STORE_MAXSCRIPTS, /* sieve_max_scripts reached */
	SIEVE_STORE_MAXSIZE, /* over sieve_max_script_size */
	SIEVE_STORE_BADNAME, /* not a valid script name */
	SIEVE_STORE_FAIL, /* I/O trouble; err says what (ERR_TEMP) */
};

/* Per-user limits; 0 means no limit. */
struct sieve_store_limits {
	size_t max_scripts;
	size_t max_size;
};

struct sieve_store;

/* One script of a listing. */
struct sieve_store_entry {
	const char *name; /* in the arena given to sieve_store_list */
	bool active;
};

/*
 * The script store under maildir root (copied). No I/O: the directory
 * is created by the first write. Caller owns the result.
 */
struct sieve_store *sieve_store_new(
    const char *root, const struct sieve_store_limits *lim);
void sieve_store_free(struct sieve_store **stp);

/*
 * RFC 5804 §1.6 script names (UTF-8, no control characters, no U+2028
 * or U+2029), and ours: 1 to SIEVE_STORE_NAME_MAX octets, no '/', no
 * leading '.'. true when name is acceptable.
 */
bool sieve_store_name_valid(const char *name);

/*
 * The file of script name (<root>/sieve/<name>.sieve) into out (reset
 * first), for readers that cache compiled scripts by file identity.
 * name must be valid (sieve_store_name_valid).
 */
void sieve_store_path(
    const struct sieve_store *st, const char *name, struct buf *out);

/*
 * The scripts, sorted by name, with the active one marked; entries and
 * names in arena. 0, or -1 with err (ERR_TEMP). A missing store is an
 * empty list.
 */
int sieve_store_list(struct sieve_store *st, struct arena *arena,
    struct sieve_store_entry **list_out, size_t *n_out, struct err *err);
/*
 * The active script's name into name_out: 1 found, 0 none (also when
 * the link names a script that is gone), -1 with err.
 */
int sieve_store_active(
    struct sieve_store *st, struct buf *name_out, struct err *err);
/* A script's text into text_out (reset first). */
enum sieve_store_status sieve_store_get(struct sieve_store *st,
    const char *name, struct buf *text_out, struct err *err);
/*
 * Could name be stored with size octets (RFC 5804 HAVESPACE)? Counts a
 * new name against max_scripts; replacing a script does not.
 */
enum sieve_store_status sieve_store_havespace(
    struct sieve_store *st, const char *name, size_t size, struct err *err);

/* ---- sieve_store_write.c ---- */

/*
 * Store text as name, replacing any script of that name atomically
 * (temporary file, fsync, rename), after the HAVESPACE checks. The
 * caller has checked that the text compiles.
 */
enum sieve_store_status sieve_store_put(struct sieve_store *st,
    const char *name, const char *text, size_t len, struct err *err);
/* Delete a script; never the active one (SIEVE_STORE_ACTIVE). */
enum sieve_store_status sieve_store_delete(
    struct sieve_store *st, const char *name, struct err *err);
/* Rename a script; the active mark follows it. */
enum sieve_store_status sieve_store_rename(
    struct sieve_store *st, const char *from, const char *to, struct err *err);
/*
 * Make name the active script (atomically replacing the link); NULL or
 * "" deactivates whatever is active.
 */
enum sieve_store_status sieve_store_activate(
    struct sieve_store *st, const char *name, struct err *err);

#endif

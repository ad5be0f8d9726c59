/* SPDX-License-Identifier: MIT */
/*
 * IMAP keywords of a Maildir++ folder: the letters 'a'..'z' of the
 * ":2," info suffix (bits 26..51 of the message flags) are named by the
 * folder's "dovecot-keywords" file, one "<n> <name>" line per letter
 * (n = 0 for 'a' ... 25 for 'z'), the file Dovecot keeps, so both
 * servers show the same keywords. The mapping lives beside the files,
 * not in the index, because the files are the truth and an index rebuild
 * must not lose keyword names. Used by imapd; the parser is pure and
 * takes untrusted file contents.
 */
#ifndef STORE_MBOX_KEYWORDS_H
#define STORE_MBOX_KEYWORDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/mbox_index.h"

#define MBOX_KEYWORDS_FILE "dovecot-keywords"
#define MBOX_KEYWORDS_MAX 26
/* Longest keyword name kept; longer lines are skipped. */
#define MBOX_KEYWORDS_NAME_MAX 128

/* The names of one folder's keyword letters; NULL where unused. */
struct mbox_keywords {
	const char *names[MBOX_KEYWORDS_MAX]; /* [0] is 'a' */
	size_t skipped; /* lines that were not "<0..25> <atom>" */
};

/* The flag bit of keyword slot i (< MBOX_KEYWORDS_MAX). */
static inline uint64_t
mbox_keywords_bit(unsigned i)
{
	return UINT64_C(1) << (26 + i);
}

/*
 * Parse the contents of a keywords file, data[0..len), into kw_out
 * (names copied into arena a). A line that is not a slot number 0..25,
 * one space and a name of IMAP atom characters (RFC 3501 flag-keyword,
 * at most MBOX_KEYWORDS_NAME_MAX bytes) is skipped and counted, as is a
 * second line for a slot or a second slot for a name (the first one
 * wins). CR before LF is ignored. Always returns 0. Pure.
 */
int mbox_keywords_parse(const char *data, size_t len, struct arena *a,
    struct mbox_keywords *kw_out);

/* Slot of name (case-insensitive, RFC 3501 2.3.2), or -1. */
int mbox_keywords_find(const struct mbox_keywords *kw, const char *name);

/*
 * Read folder's keywords file (a missing file means no keywords) into
 * kw_out, names in arena a. Folder is in Maildir++ form. 0, or -1 with
 * err (ERR_TEMP). Blocks on disk.
 */
int mbox_keywords_load(struct mbox_index *ix, const char *folder,
    struct arena *a, struct mbox_keywords *kw_out, struct err *err);

/*
 * The flag bit for keyword name in folder, giving it the first free
 * letter when it has none: the file is re-read and replaced (temporary
 * file, rename) inside an index write transaction, which serialises
 * this against other processes. 1 with *bit_out set, 0 when all 26
 * letters are taken, -1 with err (ERR_PERM 5.5.4 for a name that is not
 * an atom). Blocks.
 */
int mbox_keywords_add(struct mbox_index *ix, const char *folder,
    const char *name, uint64_t *bit_out, struct err *err);

#endif

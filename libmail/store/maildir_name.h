/* SPDX-License-Identifier: MIT */
/*
 * Maildir file names: unique names for new messages, the ",S=<size>"
 * Maildir++ size field and the ":2,<flags>" info suffix that carries
 * IMAP flags. Used by local (delivery), imapd and pop3d. Pure functions
 * over names, which may come from other Maildir tools and are untrusted.
 *
 *   <sec>.M<usec>P<pid>Q<n>.<host>,S=<size>:2,<flags>
 */
#ifndef STORE_MAILDIR_NAME_H
#define STORE_MAILDIR_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"

/*
 * Flags are the letters of the info suffix, one bit each: 'A'..'Z' are
 * bits 0..25 and 'a'..'z' (Dovecot keywords) bits 26..51, so ascending
 * bit order is the ASCII order the convention asks for.
 */
#define MAILDIR_NAME_FLAG(c)                                                   \
	((c) >= 'A' && (c) <= 'Z'          ? UINT64_C(1) << ((c) - 'A')        \
	        : (c) >= 'a' && (c) <= 'z' ? UINT64_C(1) << ((c) - 'a' + 26)   \
	                                   : 0)
/* The standard flags; the macro argument is evaluated more than once. */
#define MAILDIR_NAME_DRAFT MAILDIR_NAME_FLAG('D')
#define MAILDIR_NAME_FLAGGED MAILDIR_NAME_FLAG('F')
#define MAILDIR_NAME_PASSED MAILDIR_NAME_FLAG('P')
#define MAILDIR_NAME_REPLIED MAILDIR_NAME_FLAG('R')
#define MAILDIR_NAME_SEEN MAILDIR_NAME_FLAG('S')
#define MAILDIR_NAME_TRASHED MAILDIR_NAME_FLAG('T')

/* Source of unique names; caller storage, one per process. */
struct maildir_name_uniq {
	char host[256]; /* host name with '/', ':' and ',' escaped */
	pid_t pid;
	unsigned long counter; /* Q<n>: names made by this process */
};

/*
 * Initialise u for this process (getpid) and host (NULL: gethostname).
 * Characters that would break a name ('/', ':', ',') become \ooo
 * escapes, as the Maildir convention prescribes for '/' and ':'.
 */
void maildir_name_uniq_init(struct maildir_name_uniq *u, const char *host);

/*
 * Append to out the next unique base name for a message arriving at
 * sec.usec: "<sec>.M<usec>P<pid>Q<n>.<host>". Never the same twice in
 * one process; across processes the pid and microseconds differ.
 */
void maildir_name_uniq_next(
    struct maildir_name_uniq *u, uint64_t sec, uint32_t usec, struct buf *out);

/*
 * Split name[0..len) at its info suffix. *base_len_out gets the length
 * before the ':' (len when there is none). Returns 1 with *flags_out
 * set for a ":2,<letters>" suffix; 0 when there is no suffix (flags 0);
 * -1 when there is a suffix this code does not understand (another
 * version, or a non-letter flag), flags 0.
 */
int maildir_name_info_parse(
    const char *name, size_t len, size_t *base_len_out, uint64_t *flags_out);

/* Append base[0..base_len) + ":2," + the flags in ASCII order to out. */
void maildir_name_info_format(
    const char *base, size_t base_len, uint64_t flags, struct buf *out);

/*
 * Find the Maildir++ ",S=<size>" field in the base part of name[0..len).
 * 1 with *size_out set, 0 when absent or malformed.
 */
int maildir_name_size(const char *name, size_t len, uint64_t *size_out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Writing IMAP strings into responses (RFC 3501 §4.3, §9 string/nstring/
 * astring; RFC 6855 UTF-8 quoted strings): the one place that decides
 * between atom, quoted string, literal and NIL. Used by imapd and the
 * ENVELOPE/BODYSTRUCTURE producers. The text may come from a message or
 * a client, so anything a quoted string cannot carry goes as a literal.
 * Pure; appends to the caller's buf.
 */
#ifndef IMAP_IMAP_WRITE_H
#define IMAP_IMAP_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

enum {
	/* The client enabled UTF8=ACCEPT or IMAP4rev2: well-formed UTF-8
	   may go in a quoted string (RFC 6855 §3). */
	IMAP_WRITE_UTF8 = 1 << 0,
	/* Use literal8 "~{n}" for a string holding NUL (BINARY[]). */
	IMAP_WRITE_BINARY = 1 << 1,
};

/*
 * Append s (len bytes) as a string: a quoted string when every octet is
 * printable ASCII (or well-formed UTF-8 with IMAP_WRITE_UTF8) and
 * len <= 1024, with '"' and '\' escaped; otherwise a literal "{n}\r\n"
 * followed by the bytes (with IMAP_WRITE_BINARY and a NUL inside:
 * "~{n}\r\n").
 */
void imap_write_string(
    struct buf *out, const char *s, size_t len, unsigned flags);
/* As imap_write_string(), NIL when s is NULL (nstring). */
void imap_write_nstring(struct buf *out, const char *s, unsigned flags);
/* As imap_write_string() for a NUL-terminated s. */
void imap_write_cstring(struct buf *out, const char *s, unsigned flags);
/*
 * An astring: an atom when s (len bytes) is non-empty, made only of
 * ATOM-CHARs (and ']', which astring allows) and is not "NIL" in any
 * case; a string otherwise.
 */
void imap_write_astring(
    struct buf *out, const char *s, size_t len, unsigned flags);
/* A literal "{len}\r\n" + bytes, always. */
void imap_write_literal(struct buf *out, const char *s, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * 8-bit to 7-bit conversion for the SMTP client (RFC 6152 section 3:
 * a server without 8BITMIME must not get 8-bit data): every leaf MIME
 * part whose body holds octets over 127 and whose encoding is 7bit,
 * 8bit or absent gets "Content-Transfer-Encoding: quoted-printable"
 * (RFC 2045 section 6.7) and an encoded body; the part tree comes from
 * mime/mime.h, to a depth limit. Covered: the top level
 * and multipart nesting. Not converted (copied as they are):
 * message parts, binary and unknown encodings, 8-bit octets in
 * header fields, and parts past the depth limit. Input is an untrusted
 * message; pure: no I/O, no logging.
 */
#ifndef SMTP_SMTP_MIME_H
#define SMTP_SMTP_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Deepest multipart nesting that is walked. */
#define SMTP_MIME_DEPTH_MAX 20

/* True when in[0..len) holds an octet over 127. */
bool smtp_mime_has8bit(const char *in, size_t len);
/*
 * Append the converted message in[0..len) to out. Lines that are
 * copied keep their line ends; lines that are written new end in CR
 * LF. Never fails: malformed MIME is copied as it is.
 */
void smtp_mime_to7bit(const char *in, size_t len, struct buf *out);

#endif

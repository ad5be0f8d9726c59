/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the mime_*.c files only: line scanning and the
 * structured-field parsers (Content-Type, Content-Disposition).
 */
#ifndef MIME_MIME_IMPL_H
#define MIME_MIME_IMPL_H

#include <stddef.h>

#include "core/arena.h"
#include "mime/mime.h"

/* End of the line starting at pos: the offset just past its LF, or end. */
size_t mime_line_next(const char *data, size_t pos, size_t end);

/* Length of the line end at pos (2 for CRLF, 1 for LF, 0 if none). */
size_t mime_eol_len(const char *data, size_t pos, size_t end);

/*
 * Split the region [off, end) into header and body spans (see the
 * decisions in mime.h).
 */
void mime_header_split(const char *data, size_t off, size_t end,
    struct mime_span *header_out, struct mime_span *body_out);

/*
 * Parse a Content-Type or Content-Disposition value: the first token
 * (lowercased; for Content-Type split at '/' into *type_out and
 * *subtype_out, for Content-Disposition subtype_out is NULL), then its
 * parameters (at most max, RFC 2231 continuations joined). Returns 0, or
 * -1 when the value has no usable type (outputs then untouched).
 */
int mime_param_parse_value(const char *value, const char **type_out,
    const char **subtype_out, struct mime_param **params_out,
    size_t *nparams_out, size_t max, struct arena *a);

#endif

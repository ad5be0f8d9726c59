/* SPDX-License-Identifier: MIT */
/*
 * Push decoder for message content received by smtpd: the DATA phase
 * (RFC 5321 §4.1.1.4, dot-unstuffing per §4.5.2) and BDAT chunks (RFC
 * 3030, exact byte counts, no unstuffing). Input is raw socket bytes from
 * the client, fed in any chunks; the result never depends on how the
 * bytes were split. Pure: no I/O, no logging, no allocation besides
 * appending to the caller's buf.
 *
 * End of data is recognised ONLY as CR LF "." CR LF: the line "." must end
 * with CR LF and the line before it must have ended with CR LF too (the
 * DATA command's own CR LF counts for the first line). So "\n.\n",
 * "\n.\r\n", "\r.\n", "\r.\r\n", "\r\n.\n" and "\r\n.\r" never end the
 * message nor let a second message start inside it: that is the SMTP
 * smuggling class of CVE-2023-51764, where two servers disagree on where
 * a message ends.
 *
 * Bare LF (an LF without a CR before it), as Postfix's
 * smtpd_forbid_bare_newline:
 * - SMTP_DATA_BARE_LF_NORMALIZE: a bare LF ends a content line and is
 *   stored as CR LF; a "." line ended or preceded by a bare LF is content.
 * - SMTP_DATA_BARE_LF_REJECT: the same decoding, but smtp_data_finish()
 *   then refuses the message with 550 5.5.2.
 * A bare CR (a CR not followed by LF) is never a line end: it stays in the
 * content as it is and is counted in bare_cr. The stored form uses CR LF
 * line ends throughout, and size counts it, so size matches RFC 1870 SIZE.
 */
#ifndef SMTP_SMTP_DATA_H
#define SMTP_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum smtp_data_bare_lf {
	SMTP_DATA_BARE_LF_NORMALIZE = 0, /* the default */
	SMTP_DATA_BARE_LF_REJECT,
};

struct smtp_data_opts {
	enum smtp_data_bare_lf bare_lf;
	uint64_t size_max; /* message_size_limit; 0: no limit */
	bool binary; /* BODY=BINARYMIME over BDAT: bare CR and LF
	                are data, never a reason to reject */
};

/* RFC 5322 §2.1.1: lines longer than this are flagged in long_line. */
#define SMTP_DATA_LINE_MAX 998

/*
 * Decoder state in caller storage; nothing to free. The fields after
 * "results" may be read at any time.
 */
struct smtp_data {
	struct smtp_data_opts opts;
	int state; /* private */
	bool prev_crlf; /* private: the last line ended in CR LF */
	bool pending_cr; /* private: BDAT, a CR was the last byte */
	bool bdat; /* private: chunk mode */
	bool chunk_last; /* private */
	uint64_t chunk_left; /* octets of the current BDAT chunk to come */
	size_t line_len; /* private: octets in the current line */

	/* results */
	bool done; /* end of data seen / last chunk consumed */
	uint64_t size; /* message octets so far (CR LF line ends),
	                  counted on past size_max */
	bool oversize; /* size passed opts.size_max: from then on
	                  nothing is appended and the output is
	                  incomplete; smtp_data_finish says 552 */
	bool has_8bit; /* an octet above 127 was seen */
	bool has_nul; /* a NUL octet was seen */
	bool long_line; /* a line longer than SMTP_DATA_LINE_MAX */
	uint64_t bare_lf; /* bare LFs seen */
	uint64_t bare_cr; /* bare CRs seen */
	uint64_t body_offset; /* offset in the output just past the first
	                         empty line (the header/body boundary), 0
	                         while none has been seen */
};

/* Prepare for one message; opts is copied. */
void smtp_data_init(struct smtp_data *d, const struct smtp_data_opts *opts);

/*
 * DATA phase: decode up to len bytes of in, appending message content to
 * out (dot-unstuffed, CR LF line ends, the final "." line excluded).
 * Returns how many bytes were consumed; fewer than len only when the end
 * of data was reached (d->done), and the bytes left over are the client's
 * next, pipelined, commands. Never blocks.
 */
size_t smtp_data_feed(
    struct smtp_data *d, const char *in, size_t len, struct buf *out);

/*
 * BDAT: start a chunk of size octets (from "BDAT size [LAST]"). Chunks
 * follow each other in one struct smtp_data; DATA and BDAT never mix in
 * one message (a caller bug: PANIC).
 */
void smtp_data_chunk(struct smtp_data *d, uint64_t size, bool last);

/*
 * BDAT: consume up to len bytes of in belonging to the current chunk,
 * appending them unchanged to out. Returns how many were consumed (fewer
 * than len when the chunk ended; the rest are the next commands). When
 * d->chunk_left reaches 0 the chunk is complete, and d->done is set if it
 * was the LAST one.
 */
size_t smtp_data_feed_chunk(
    struct smtp_data *d, const char *in, size_t len, struct buf *out);

/*
 * After d->done: 0 when the message may be queued; -1 with *code_out and
 * err (ERR_PERM) when it must be refused: 552 5.3.4 over size_max, 550
 * 5.5.2 bare LF under SMTP_DATA_BARE_LF_REJECT (unless opts.binary).
 */
int smtp_data_finish(const struct smtp_data *d, int *code_out, struct err *err);

#endif

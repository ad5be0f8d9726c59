/* SPDX-License-Identifier: MIT */
/*
 * The Sieve engine (RFC 5228 and its extensions): compile a user's or an
 * admin's script once into an immutable program, then run it against a
 * message as often as needed. Used by local delivery (run), sieved and
 * postern (compile to check a script, list the capabilities). The script
 * and the message are untrusted. The engine is pure: no I/O, no logging,
 * no clock; the message, the envelope, the environment (including "now")
 * and the lookups it cannot do itself (included scripts, mailbox
 * existence, duplicate tracking) all come from the caller, and the result
 * is a list of actions the caller carries out.
 *
 * Extensions (the "require" names): fileinto, reject, ereject, envelope,
 * encoded-character, vacation, vacation-seconds, imap4flags, body,
 * variables, relational, subaddress, copy, comparator-i;ascii-numeric,
 * regex, include, date, index, editheader, duplicate, spamtest,
 * spamtestplus, virustest, mailbox. Comparators i;octet and
 * i;ascii-casemap are always available.
 */
#ifndef SIEVE_SIEVE_H
#define SIEVE_SIEVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/err.h"

/*
 * Limits, so a hostile script can neither loop nor flood. Every field must
 * be non-zero; sieve_limits_default() gives sane values, and local
 * delivery overrides them from main.cf (sieve_max_* parameters).
 */
struct sieve_limits {
	size_t script_max;	/* octets of one script source */
	size_t nesting_max;	/* nested blocks and tests in one script */
	size_t strings_max;	/* strings in one string list */
	size_t include_depth_max; /* nested include levels (RFC 6609 §3.2) */
	size_t includes_max;	/* scripts included in one execution */
	size_t steps_max;	/* commands and tests run in one execution */
	size_t actions_max;	/* actions in the result */
	size_t redirects_max;	/* redirect actions (sieve_max_redirects) */
	size_t var_count_max;	/* variables of one script (RFC 5229 §6) */
	size_t var_size_max;	/* octets of one variable value */
	size_t header_edits_max; /* addheader/deleteheader edits */
	size_t mime_parts_max;	/* MIME parts walked by body :content */
	size_t memory_max;	/* octets the run may allocate */
	size_t match_octets_max; /* octets compared, all matches together
				   (bounds the work of one test, too) */
	uint32_t regex_match_limit; /* pcre2_set_match_limit */
	uint32_t regex_depth_limit; /* pcre2_set_depth_limit */
	uint32_t regex_heap_kib; /* pcre2_set_heap_limit */
	uint64_t vacation_min_seconds; /* shortest :days/:seconds period */
	uint64_t vacation_max_seconds; /* longest :days/:seconds period */
	uint64_t duplicate_max_seconds; /* longest duplicate :seconds */
};

/* The limits used when the caller has no configuration of its own. */
struct sieve_limits sieve_limits_default(void);

/*
 * Why a compile or a run failed. err.text reads "line:column: reason"
 * (prefixed with "script: " when the failure is inside an included
 * script); line and column are 1-based, and 0 when the failure is not
 * tied to a position (a callback's temporary failure, a limit of the
 * whole execution).
 */
struct sieve_error {
	struct err err;		/* ERR_PERM for script errors, ERR_TEMP
				   for a callback or regex temporary failure */
	unsigned line;
	unsigned column;
	char script[128];	/* name of the script at fault ("" if none) */
};

/* A compiled script: immutable, may be shared by any number of runs. */
struct sieve_script;

/*
 * Lex, parse and check a script (syntax, require, argument types and
 * tags, extension rules) and compile it into a program. name (copied) is
 * used in error messages. text need not be NUL-terminated; it is not
 * referenced after the call. Caller owns the result: sieve_script_free().
 * NULL with error_out filled (ERR_PERM, "5.7.1" with line and column) for
 * any error, including a script over lim->script_max. Does not block.
 */
struct sieve_script *sieve_compile(const char *name, const char *text,
    size_t len, const struct sieve_limits *lim,
    struct sieve_error *error_out);
void sieve_script_free(struct sieve_script **sp);
/* The name given to sieve_compile (borrowed from the script). */
const char *sieve_script_name(const struct sieve_script *s);

/*
 * The space-separated list of supported extensions, as ManageSieve's
 * SIEVE capability and Pigeonhole print it. Static string.
 */
const char *sieve_extensions(void);

/* The message being delivered. Borrowed for the run; never copied. */
struct sieve_message {
	const char *data;	/* the whole message: header, empty line, body */
	size_t len;
};

/* The SMTP envelope (RFC 5228 §5.4, RFC 5233), as envelope tests it. */
struct sieve_envelope {
	const char *from;	/* MAIL FROM address, "" for <>; also where
				   a vacation reply goes */
	const char *to;		/* the recipient being delivered to (after
				   aliases), "user+detail@domain" */
	/* Not read by any test yet (no envelope-dsn / auth extension);
	   local delivery fills them for such extensions. May be NULL. */
	const char *orig_to;	/* ORCPT or the address before aliasing */
	const char *auth;	/* authenticated submitter */
};

/*
 * Where the numbers for spamtest/virustest (RFC 5235) come from: the
 * value of header (first occurrence), read as a decimal number that is
 * scaled from [0, max] onto the RFC's scale. header NULL: not tested
 * (the tests then see "0").
 */
struct sieve_score_source {
	const char *header;	/* e.g. "X-Spam-Score" */
	double max;		/* the score meaning "certainly spam" */
};

/* What the engine needs to know about the recipient and the host. */
struct sieve_environment {
	const char *recipient_delimiter; /* main.cf's; "" or NULL: none */
	const char *const *user_addresses; /* the recipient's addresses,
					      for vacation's To/Cc check */
	size_t user_address_count;
	const char *domain;	/* the recipient's domain (mydomain); not
				   read by the engine yet, may be NULL */
	time_t now;		/* the delivery time (currentdate, vacation) */
	int zone_minutes;	/* local offset from UTC, e.g. +60 */
	struct sieve_score_source spam;
	struct sieve_score_source virus;	/* max is 5 for a 0..5 header */
};

/* RFC 6609 §3.2: where an included script is looked up. */
enum sieve_location {
	SIEVE_LOCATION_PERSONAL,
	SIEVE_LOCATION_GLOBAL,
};

/*
 * Lookups only the caller can do. Every function returns 1 (found / yes),
 * 0 (not found / no) or -1 with err filled (temporary: the run fails with
 * ERR_TEMP and the delivery is deferred). Any function may be NULL: the
 * lookup then answers 0. ctx is passed back unchanged.
 */
struct sieve_callbacks {
	void *ctx;
	/*
	 * The compiled script called name at loc. The script is borrowed:
	 * it must stay valid until sieve_run() returns (a caller caches
	 * compiled scripts). A script that does not compile is reported as
	 * -1 with an ERR_PERM err.
	 */
	int (*include_fn)(void *ctx, enum sieve_location loc,
	    const char *name, const struct sieve_script **script_out,
	    struct err *err);
	/* RFC 5490 §3.1 mailboxexists; also :create's target check. */
	int (*mailbox_exists_fn)(void *ctx, const char *mailbox,
	    struct err *err);
	/*
	 * RFC 7352: has id (the handle and the tracked value, as one
	 * opaque string) been seen within its period? The engine never
	 * records anything: the result lists what to record after the
	 * message is delivered (sieve_result.duplicates).
	 */
	int (*duplicate_seen_fn)(void *ctx, const char *id, struct err *err);
};

/* What sieve_run() reads. All pointers are borrowed for the call. */
struct sieve_input {
	struct sieve_message msg;
	struct sieve_envelope env;
	struct sieve_environment environment;
	struct sieve_callbacks cb;
};

enum sieve_action_kind {
	SIEVE_ACTION_KEEP,	/* store in INBOX (explicit or implicit) */
	SIEVE_ACTION_FILEINTO,	/* store in mailbox */
	SIEVE_ACTION_REDIRECT,	/* forward to address */
	SIEVE_ACTION_REJECT,	/* refuse with an MDN (RFC 5429 §2.2) */
	SIEVE_ACTION_EREJECT,	/* refuse in SMTP if possible (§2.1) */
	SIEVE_ACTION_DISCARD,	/* cancel the implicit keep, store nothing */
	SIEVE_ACTION_VACATION,	/* send an auto-reply (RFC 5230) */
};

/* RFC 5230 vacation, with RFC 6131 seconds. */
struct sieve_vacation {
	const char *to;		/* where the reply goes: the envelope sender
				   (RFC 5230 §4.5) */
	const char *from;	/* :from, or NULL: the recipient */
	const char *subject;	/* :subject, or "Auto: " + original subject */
	const char *reason;	/* body text, or a MIME entity when mime */
	bool mime;		/* :mime: reason has its own MIME headers */
	const char *handle;	/* :handle, or one derived from the
				   arguments (§4.2); tracking key with to */
	uint64_t seconds;	/* :days / :seconds, clamped to the limits;
				   0 = reply every time (6131 §2) */
	const char *in_reply_to; /* the original Message-ID, or NULL */
	/*
	 * NULL when a reply is due as far as the message goes. Otherwise why
	 * none must be sent (RFC 5230 §4.5, §4.6: the recipient not in
	 * To/Cc, a list or bulk message, an auto-submitted one, a
	 * MAILER-DAEMON/owner-/-request sender, a null sender). The
	 * per-sender period (handle, to, seconds) is the caller's to track.
	 */
	const char *skip_reason;
};

/*
 * One action. Strings live in the result's arena. line/column say where
 * the script asked for it (0 for the implicit keep).
 */
struct sieve_action {
	enum sieve_action_kind kind;
	const char *mailbox;	/* FILEINTO: the folder as the script
				   names it (UTF-8, no controls); the
				   caller maps it onto its store */
	const char *address;	/* REDIRECT: the forwarding address */
	const char *reason;	/* REJECT / EREJECT: the text */
	const char *const *flags; /* KEEP / FILEINTO: IMAP flags to set
				     (RFC 5232), flag_count entries */
	size_t flag_count;
	bool create;		/* FILEINTO :create (RFC 5490 §3.2) */
	bool copy;		/* FILEINTO / REDIRECT :copy (RFC 3894) */
	bool implicit;		/* KEEP: the implicit keep */
	struct sieve_vacation vacation; /* VACATION */
	unsigned line;
	unsigned column;
};

enum sieve_edit_kind {
	SIEVE_EDIT_ADD,		/* add a field (RFC 5293 §4) */
	SIEVE_EDIT_DELETE,	/* delete a field of the original header */
};

/*
 * One header edit, applied by the caller in order when it stores the
 * message (RFC 5293: edits apply to kept/filed copies, and the engine's
 * own later tests already see them). ADD: name and value (unfolded
 * UTF-8; the caller encodes and folds), prepended unless last. DELETE:
 * field is the 0-based position of the field in the original header
 * section.
 */
struct sieve_edit {
	enum sieve_edit_kind kind;
	const char *name;
	const char *value;
	bool last;
	size_t field;
};

/* RFC 7352: an id to record as seen for seconds once delivery succeeds. */
struct sieve_duplicate {
	const char *id;
	uint64_t seconds;
};

/*
 * The outcome of a run. Arrays and strings live in the arena given to
 * sieve_run(). The action list is already validated (RFC 5228 §4.2
 * duplicates merged, RFC 5429 §2.1 incompatibilities refused, limits
 * checked) and includes the implicit keep when it applies.
 */
struct sieve_result {
	struct sieve_action *actions;
	size_t action_count;
	struct sieve_edit *edits;
	size_t edit_count;
	struct sieve_duplicate *duplicates;
	size_t duplicate_count;
};

/*
 * Run scripts[0..count-1] in order on one message, as local delivery's
 * sieve_before / user / sieve_after chain: the next script runs only
 * while the actions so far keep the message (explicitly or implicitly);
 * the implicit keep is decided once, after the last script that ran.
 * The scripts are borrowed. lim bounds the whole execution. Temporary
 * data and the result live in arena.
 *
 * Returns 0 with result_out filled. Returns -1 with error_out filled for
 * a runtime error (ERR_PERM: RFC 5228 §2.10.6, the caller keeps the
 * message in INBOX and logs why; a limit exceeded is such an error) or a
 * temporary failure (ERR_TEMP: a callback failed or a regex limit was
 * hit; defer the delivery). Does not block, except in the callbacks.
 */
int sieve_run(const struct sieve_script *const *scripts, size_t count,
    const struct sieve_input *in, const struct sieve_limits *lim,
    struct arena *arena, struct sieve_result *result_out,
    struct sieve_error *error_out);

/* "keep", "fileinto", ... for logs and postern sieve test. */
const char *sieve_action_name(enum sieve_action_kind kind);

#endif

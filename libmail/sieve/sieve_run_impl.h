/* SPDX-License-Identifier: MIT */
/*
 * Internals of one Sieve execution, shared by the run-time files of
 * libmail/sieve/ only: the message view (header fields, with the edits of
 * editheader), variables, match state, the growing action list, and the
 * functions each part of the run provides to the others.
 */
#ifndef SIEVE_SIEVE_RUN_IMPL_H
#define SIEVE_SIEVE_RUN_IMPL_H

#include "sieve/sieve_impl.h"

/* One header field of the message as the script currently sees it. */
struct sieve_field {
	const char *name;	/* NUL-terminated, in the run arena */
	const char *value;	/* unfolded, trimmed, NUL-terminated */
	size_t value_len;
	size_t orig;		/* position in the original header, or
				   SIZE_MAX for a field added by addheader */
	bool deleted;
};

/* The message: header fields (parsed once) and where the body starts. */
struct sieve_msgview {
	struct sieve_field *fields;	/* current order */
	size_t count;
	size_t cap;
	size_t body_off;		/* offset of the body in msg.data */
};

/* One leaf MIME part, for body :content / :text (RFC 5173). */
struct sieve_mimepart {
	const char *type;	/* "text/plain", lower case */
	const char *data;	/* transfer-decoded content (in the message
				   when it needed no decoding, else arena) */
	size_t len;
};

/* One variable scope (a script; include gives the next one its own). */
struct sieve_var {
	const char *name;	/* lower case */
	char *value;		/* in the run arena */
	size_t len;
};

struct sieve_scope {
	struct sieve_var *vars;
	size_t count;
	size_t cap;
	const char **globals;	/* names declared global in this scope */
	size_t global_count;
};

struct sieve_run {
	const struct sieve_input *in;
	const struct sieve_limits *lim;
	struct arena *arena;
	size_t arena_base;		/* arena_used() when the run began */
	size_t match_octets;		/* compared so far */
	const struct sieve_field **scratch; /* sieve_msg_fields' result */
	size_t scratch_cap;
	struct sieve_error *error;
	const struct sieve_script *script;	/* running now */
	struct sieve_msgview msg;
	size_t steps;
	struct sieve_scope *scope;
	struct sieve_scope globals;
	size_t var_total;		/* variables created, all scopes */
	/* match variables ${0}..${9} of the last successful match */
	const char *mvars[10];
	size_t mvar_len[10];
	size_t mvar_count;
	/* imap4flags internal variable: space separated flags */
	char *flags;
	/* include: scripts on the stack and those run with :once */
	const struct sieve_script *stack[16];
	size_t depth;
	const struct sieve_script **once;
	size_t once_count;
	size_t includes;
	bool stopped;			/* stop: end the whole run */
	bool returned;			/* return: end this script */
	/* the result being built */
	struct sieve_action *actions;
	size_t action_count;
	size_t action_cap;
	size_t redirects;
	bool keep_cancelled;		/* the implicit keep is off */
	bool explicit_keep;
	struct sieve_edit *edits;
	size_t edit_count;
	size_t edit_cap;
	struct sieve_duplicate *dups;
	size_t dup_count;
	size_t dup_cap;
	struct sieve_mimepart *parts;	/* walked once, on first use */
	size_t part_count;
	bool parts_done;
	void *match_ctx;		/* pcre2_match_context, lazily */
	void *match_data;		/* pcre2_match_data, lazily */
};

/* Fail the run at n (line/column, script name); returns -1. */
int sieve_run_fail(struct sieve_run *r, const struct sieve_node *n,
    enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Count one step; -1 (run error) past lim->steps_max or memory_max. */
int sieve_run_step(struct sieve_run *r, const struct sieve_node *n);
/* Has the run allocated more than lim->memory_max? */
bool sieve_run_over_memory(const struct sieve_run *r);

/* Message view (sieve_msg.c). */
int sieve_msg_init(struct sieve_run *r);
/* Apply addheader / deleteheader of n; 0 or -1. */
int sieve_msg_edit(struct sieve_run *r, const struct sieve_node *n);
/*
 * Values of the fields called name in the current header, in order (or
 * reversed with last), index 1-based (0: all); count in *n_out. The
 * array is reused: valid until the next call.
 */
const struct sieve_field **sieve_msg_fields(struct sieve_run *r,
    const char *name, size_t index, bool last, size_t *n_out);

/* Strings (sieve_vars.c): s with variables expanded (arena or s->s). */
const char *sieve_str(struct sieve_run *r, const struct sieve_str *s,
    size_t *len_out);
/* Run set, global and the flag commands' variable access. */
int sieve_vars_set(struct sieve_run *r, const struct sieve_node *n);
int sieve_vars_global(struct sieve_run *r, const struct sieve_node *n);
/* The value of variable name ("" if unset), or assign it (truncated). */
const char *sieve_var_get(struct sieve_run *r, const char *name,
    size_t *len_out);
int sieve_var_put(struct sieve_run *r, const struct sieve_node *n,
    const char *name, const char *value, size_t len);
/* Record the match variables of a successful :matches / :regex. */
void sieve_mvars_set(struct sieve_run *r, const char *const *v,
    const size_t *len, size_t count);

/* Matching (sieve_match.c). */
struct sieve_matcher {
	const struct sieve_node *n;
	const struct sieve_arg *keys;
	size_t values;			/* values seen, for :count */
};
void sieve_match_init(struct sieve_matcher *m, const struct sieve_node *n,
    const struct sieve_arg *keys);
/* Does one value match a key? 1, 0, or -1 (run failed). */
int sieve_match_value(struct sieve_run *r, struct sieve_matcher *m,
    const char *v, size_t len);
/* After every value: the answer for :count (else returns so_far). */
int sieve_match_done(struct sieve_run *r, struct sieve_matcher *m,
    int so_far);
/* Comparator equality and order: <0, 0, >0 as for strcmp. */
int sieve_cmp_order(enum sieve_cmp cmp, const char *a, size_t alen,
    const char *b, size_t blen);

/* Tests (sieve_tests.c, sieve_address.c, sieve_body.c, sieve_date.c). */
int sieve_test(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_address(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_envelope(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_body(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_date(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_duplicate(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_score(struct sieve_run *r, const struct sieve_node *n);
/* RFC 2047 decoding of a header value into the arena (or value). */
const char *sieve_mime_decode_header(struct arena *a, const char *value,
    size_t len, size_t *len_out);
/* Walk the message's leaf parts into r->parts (once); 0 or -1. */
int sieve_mime_walk(struct sieve_run *r);

/* Flags (sieve_flags.c). */
int sieve_flags_cmd(struct sieve_run *r, const struct sieve_node *n);
int sieve_test_hasflag(struct sieve_run *r, const struct sieve_node *n);
/* The flag list given by a :flags tag or the internal variable. */
void sieve_flags_for_action(struct sieve_run *r, const struct sieve_node *n,
    struct sieve_action *a);

/* Actions (sieve_actions.c, sieve_vacation.c). */
int sieve_action_cmd(struct sieve_run *r, const struct sieve_node *n);
int sieve_vacation_cmd(struct sieve_run *r, const struct sieve_node *n);
/* Add a to the result after the RFC checks; 0 or -1. */
int sieve_action_add(struct sieve_run *r, const struct sieve_node *n,
    const struct sieve_action *a);
/* Close the result: the implicit keep, if still on. */
int sieve_actions_finish(struct sieve_run *r,
    struct sieve_result *result_out);

#endif

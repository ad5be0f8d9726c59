/* SPDX-License-Identifier: MIT */
/*
 * FETCH BODY and BODYSTRUCTURE (RFC 3501 §7.4.2 body, body-type-1part,
 * body-type-mpart, body-ext-*) from a mime_parse() tree. Recursion
 * follows the tree, whose depth mime_parse() bounded.
 */
#include "imap/imap_bodystructure.h"

#include <ctype.h>
#include <string.h>

#include "imap/imap_envelope.h"
#include "imap/imap_write.h"

struct imap_bs_ctx {
	struct buf *out;
	const struct mime_message *m;
	bool extended;
	unsigned flags;
	struct arena *a;
};

static void imap_bs_part(struct imap_bs_ctx *c, const struct mime_part *p);

static void
imap_bs_upper(struct imap_bs_ctx *c, const char *s)
{
	char *u = arena_strdup(c->a, s);
	size_t i;

	for (i = 0; u[i] != '\0'; i++)
		u[i] = (char)toupper((unsigned char)u[i]);
	imap_write_cstring(c->out, u, c->flags);
}

/* body-fld-param; text parts without a charset get US-ASCII (§5.2). */
static void
imap_bs_params(struct imap_bs_ctx *c, const struct mime_param *params, size_t n,
    bool add_charset)
{
	size_t i;

	if (n == 0 && !add_charset) {
		buf_puts(c->out, "NIL");
		return;
	}
	buf_putc(c->out, '(');
	if (add_charset)
		buf_puts(c->out,
		    n > 0 ? "\"CHARSET\" \"US-ASCII\" "
		          : "\"CHARSET\" \"US-ASCII\"");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(c->out, ' ');
		imap_bs_upper(c, params[i].name);
		buf_putc(c->out, ' ');
		imap_write_cstring(c->out, params[i].value, c->flags);
	}
	buf_putc(c->out, ')');
}

/* body-fld-lang: a list of strings, or NIL. */
static void
imap_bs_language(struct imap_bs_ctx *c, const char *lang)
{
	const char *p = lang, *tok[16];
	size_t len[16], n = 0, i;

	while (p != NULL && *p != '\0' && n < 16) {
		size_t l;

		p += strspn(p, " \t,");
		l = strcspn(p, " \t,");
		if (l > 0) {
			tok[n] = p;
			len[n++] = l;
		}
		p += l;
	}
	if (n == 0) {
		buf_puts(c->out, "NIL");
		return;
	}
	/* Always the list form, as Dovecot sends it. */
	buf_putc(c->out, '(');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(c->out, ' ');
		imap_write_string(c->out, tok[i], len[i], c->flags);
	}
	buf_putc(c->out, ')');
}

/* body-fld-dsp SP body-fld-lang SP body-fld-loc */
static void
imap_bs_ext_common(struct imap_bs_ctx *c, const struct mime_part *p)
{
	buf_putc(c->out, ' ');
	if (p->disposition == NULL) {
		buf_puts(c->out, "NIL");
	} else {
		buf_putc(c->out, '(');
		imap_bs_upper(c, p->disposition);
		buf_putc(c->out, ' ');
		imap_bs_params(c, p->disp_params, p->ndisp_params, false);
		buf_putc(c->out, ')');
	}
	buf_putc(c->out, ' ');
	imap_bs_language(c, p->language);
	buf_putc(c->out, ' ');
	imap_write_nstring(c->out, p->location, c->flags);
}

static void
imap_bs_multipart(struct imap_bs_ctx *c, const struct mime_part *p)
{
	const struct mime_part *child;

	buf_putc(c->out, '(');
	for (child = p->children; child != NULL; child = child->next)
		imap_bs_part(c, child);
	buf_putc(c->out, ' ');
	imap_bs_upper(c, p->subtype);
	if (c->extended) {
		buf_putc(c->out, ' ');
		imap_bs_params(c, p->params, p->nparams, false);
		imap_bs_ext_common(c, p);
	}
	buf_putc(c->out, ')');
}

/* body-fields: params, id, description, encoding, octets. */
static void
imap_bs_fields(struct imap_bs_ctx *c, const struct mime_part *p, bool text)
{
	imap_bs_upper(c, p->type);
	buf_putc(c->out, ' ');
	imap_bs_upper(c, p->subtype);
	buf_putc(c->out, ' ');
	imap_bs_params(c, p->params, p->nparams,
	    text && mime_param_get(p->params, p->nparams, "charset") == NULL);
	buf_putc(c->out, ' ');
	imap_write_nstring(c->out, p->id, c->flags);
	buf_putc(c->out, ' ');
	imap_write_nstring(c->out, p->description, c->flags);
	buf_putc(c->out, ' ');
	imap_bs_upper(c, p->encoding_name != NULL ? p->encoding_name : "7bit");
	buf_printf(c->out, " %zu", p->body.len);
}

static bool
imap_bs_is_rfc822(const struct mime_part *p)
{
	return strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	        strcmp(p->subtype, "global") == 0);
}

static void
imap_bs_part(struct imap_bs_ctx *c, const struct mime_part *p)
{
	bool text = strcmp(p->type, "text") == 0;

	if (mime_part_is_multipart(p)) {
		imap_bs_multipart(c, p);
		return;
	}
	buf_putc(c->out, '(');
	imap_bs_fields(c, p, text);
	if (p->message != NULL) {
		/* body-type-msg: envelope, body, lines */
		buf_putc(c->out, ' ');
		imap_envelope_write(c->out, c->m, p->message, c->flags, c->a);
		buf_putc(c->out, ' ');
		imap_bs_part(c, p->message);
		buf_printf(c->out, " %zu", p->body_lines);
	} else if (imap_bs_is_rfc822(p)) {
		/* Not parsed (encoded, or past the depth limit): clients
		   still expect body-type-msg for this type, so describe an
		   empty message. */
		buf_printf(c->out,
		    " (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
		    " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL"
		    " \"7BIT\" 0 0%s) %zu",
		    c->extended ? " NIL NIL NIL NIL" : "", p->body_lines);
	} else if (text) {
		buf_printf(c->out, " %zu", p->body_lines);
	}
	if (c->extended) {
		buf_putc(c->out, ' ');
		imap_write_nstring(c->out, p->md5, c->flags);
		imap_bs_ext_common(c, p);
	}
	buf_putc(c->out, ')');
}

void
imap_bodystructure_write(struct buf *out, const struct mime_message *m,
    const struct mime_part *part, bool extended, unsigned flags,
    struct arena *a)
{
	struct imap_bs_ctx c = {
	    .out = out, .m = m, .extended = extended, .flags = flags, .a = a};

	imap_bs_part(&c, part);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/mime: header fields, the part tree (multipart,
 * message/rfc822, limits), Content-Type parameters, IMAP sections,
 * transfer-encoding decoding and Date: parsing.
 */
#include "mime/mime.h"

#include <string.h>

#include "t.h"

static const struct mime_limits lim = {
    .depth_max = 20, .parts_max = 100, .params_max = 16};

static const char nested[] =
    "From: a@example.com\r\n"
    "Subject: outer\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "part one\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "\r\n"
    "alt 1\r\n"
    "--inner\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>alt 2</b>\r\n"
    "--inner--\r\n"
    "--outer--\r\n"
    "epilogue\r\n";

/* Section text as a NUL-terminated string in the arena, or "(none)". */
static const char *
section(const struct mime_message *m, const char *spec_parts,
    enum mime_section_kind kind, const char **fields, size_t nfields,
    struct arena *a)
{
	struct mime_section sec = {
	    .kind = kind, .fields = fields, .nfields = nfields};
	const char *p = spec_parts, *out;
	size_t len;

	while (*p != '\0') {
		sec.part[sec.depth++] = (uint32_t)strtoul(p, (char **)&p, 10);
		if (*p == '.')
			p++;
	}
	if (mime_section_get(m, &sec, a, &out, &len) == 0)
		return "(none)";
	return arena_strndup(a, out, len);
}

static void
test_header_fields(void)
{
	static const char msg[] = "Subject: hello\r\n  world \r\n"
	                          "X-Empty:\r\n"
	                          "from : a@b\r\n"
	                          "\r\n"
	                          "body\r\n";
	struct arena *a = arena_new();
	struct mime_message m;
	struct mime_header_iter it;
	struct mime_field f;
	int n = 0;

	T_EQ_INT(mime_parse(msg, sizeof(msg) - 1, &lim, &m, a, NULL), 0);
	T_EQ_STR(
	    mime_header_get(msg, m.root->header, "SUBJECT", a), "hello  world");
	T_EQ_STR(mime_header_get(msg, m.root->header, "From", a), "a@b");
	T_EQ_STR(mime_header_get(msg, m.root->header, "x-empty", a), "");
	T_CHECK(mime_header_get(msg, m.root->header, "To", a) == NULL);
	mime_header_iter_init(&it, msg, m.root->header);
	while (mime_header_next(&it, &f))
		n++;
	T_EQ_INT(n, 3);
	T_EQ_INT(m.root->body.len, 6);
	T_EQ_INT(m.root->body_lines, 1);
	T_EQ_STR(m.root->type, "text");
	T_EQ_STR(m.root->subtype, "plain");
	arena_free(&a);
}

static void
test_header_malformed(void)
{
	/* A non-field line ends the header; bare LF line ends work. */
	static const char msg[] = "A: 1\nnot a header\nmore\n";
	struct arena *a = arena_new();
	struct mime_message m;

	T_EQ_INT(mime_parse(msg, sizeof(msg) - 1, &lim, &m, a, NULL), 0);
	T_EQ_INT(m.root->header.len, 5);
	T_EQ_INT(m.root->body.off, 5);
	T_EQ_INT(m.root->body_lines, 2);
	/* No header at all, no line end at all. */
	T_EQ_INT(mime_parse(" x", 2, &lim, &m, a, NULL), 0);
	T_EQ_INT(m.root->header.len, 0);
	T_EQ_INT(m.root->body_lines, 0);
	T_EQ_INT(mime_parse("", 0, &lim, &m, a, NULL), 0);
	T_EQ_INT(m.root->body.len, 0);
	T_EQ_INT(m.root->body_lines, 0);
	arena_free(&a);
}

static void
test_tree(void)
{
	struct arena *a = arena_new();
	struct mime_message m;
	const struct mime_part *p, *inner;

	T_EQ_INT(mime_parse(nested, sizeof(nested) - 1, &lim, &m, a, NULL), 0);
	T_EQ_INT(m.nparts, 6);
	T_EQ_INT(m.flags, 0);
	T_CHECK(mime_part_is_multipart(m.root));
	p = m.root->children;
	T_EQ_STR(p->type, "text");
	T_EQ_INT(p->number, 1);
	p = p->next;
	T_EQ_STR(p->subtype, "rfc822");
	T_EQ_INT(p->number, 2);
	T_CHECK(p->next == NULL);
	inner = p->message;
	T_CHECK(inner != NULL && mime_part_is_multipart(inner));
	T_EQ_STR(inner->subtype, "alternative");
	T_EQ_STR(inner->children->type, "text");
	T_EQ_STR(inner->children->next->subtype, "html");
	arena_free(&a);
}

static void
test_sections(void)
{
	static const char *subj[] = {"subject"};
	struct arena *a = arena_new();
	struct mime_message m;

	T_EQ_INT(mime_parse(nested, sizeof(nested) - 1, &lim, &m, a, NULL), 0);
	T_EQ_STR(section(&m, "", MIME_SECTION_ALL, NULL, 0, a), nested);
	T_EQ_STR(section(&m, "1", MIME_SECTION_ALL, NULL, 0, a), "part one");
	T_EQ_STR(section(&m, "1", MIME_SECTION_MIME, NULL, 0, a),
	    "Content-Type: text/plain\r\n\r\n");
	T_EQ_STR(section(&m, "2.1", MIME_SECTION_ALL, NULL, 0, a), "alt 1");
	T_EQ_STR(
	    section(&m, "2.2", MIME_SECTION_ALL, NULL, 0, a), "<b>alt 2</b>");
	T_EQ_STR(section(&m, "2.2", MIME_SECTION_MIME, NULL, 0, a),
	    "Content-Type: text/html\r\n\r\n");
	T_EQ_STR(section(&m, "2", MIME_SECTION_HEADER, NULL, 0, a),
	    "Subject: inner\r\n"
	    "Content-Type: multipart/alternative; boundary=inner\r\n\r\n");
	T_EQ_STR(section(&m, "2", MIME_SECTION_HEADER_FIELDS, subj, 1, a),
	    "Subject: inner\r\n\r\n");
	T_EQ_STR(section(&m, "", MIME_SECTION_HEADER_FIELDS_NOT, subj, 1, a),
	    "From: a@example.com\r\n"
	    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
	T_EQ_STR(section(&m, "", MIME_SECTION_TEXT, NULL, 0, a),
	    nested + (strstr(nested, "\r\n\r\n") - nested) + 4);
	T_EQ_STR(section(&m, "3", MIME_SECTION_ALL, NULL, 0, a), "(none)");
	T_EQ_STR(section(&m, "1", MIME_SECTION_HEADER, NULL, 0, a), "(none)");
	T_EQ_STR(section(&m, "1.1", MIME_SECTION_ALL, NULL, 0, a), "(none)");
	T_EQ_STR(section(&m, "", MIME_SECTION_MIME, NULL, 0, a), "(none)");
	arena_free(&a);
}

static void
test_single_part_sections(void)
{
	static const char msg[] = "Subject: s\r\n\r\nbody\r\n";
	struct arena *a = arena_new();
	struct mime_message m;

	T_EQ_INT(mime_parse(msg, sizeof(msg) - 1, &lim, &m, a, NULL), 0);
	/* RFC 3501 §6.4.5: part 1 of a non-multipart message is its body. */
	T_EQ_STR(section(&m, "1", MIME_SECTION_ALL, NULL, 0, a), "body\r\n");
	T_EQ_STR(section(&m, "2", MIME_SECTION_ALL, NULL, 0, a), "(none)");
	T_EQ_STR(section(&m, "", MIME_SECTION_HEADER, NULL, 0, a),
	    "Subject: s\r\n\r\n");
	arena_free(&a);
}

static void
test_multipart_edge(void)
{
	static const char nobound[] =
	    "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n";
	static const char unclosed[] =
	    "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
	    "--x\r\n\r\none\r\n--xy\r\n--x \r\n\r\ntwo";
	static const char digest[] =
	    "Content-Type: multipart/digest; boundary=d\r\n\r\n"
	    "--d\r\n\r\nSubject: x\r\n\r\nbody\r\n--d--\r\n";
	struct arena *a = arena_new();
	struct mime_message m;

	T_EQ_INT(
	    mime_parse(nobound, sizeof(nobound) - 1, &lim, &m, a, NULL), 0);
	/* One empty text/plain child stands in for the parts. */
	T_CHECK(mime_part_is_multipart(m.root));
	T_EQ_STR(m.root->children->subtype, "plain");
	T_EQ_STR(section(&m, "1", MIME_SECTION_ALL, NULL, 0, a), "");
	T_EQ_STR(section(&m, "2", MIME_SECTION_ALL, NULL, 0, a), "(none)");
	T_EQ_INT(
	    mime_parse(unclosed, sizeof(unclosed) - 1, &lim, &m, a, NULL), 0);
	T_EQ_STR(section(&m, "1", MIME_SECTION_ALL, NULL, 0, a), "one\r\n--xy");
	T_EQ_STR(section(&m, "2", MIME_SECTION_ALL, NULL, 0, a), "two");
	T_EQ_INT(mime_parse(digest, sizeof(digest) - 1, &lim, &m, a, NULL), 0);
	T_EQ_STR(m.root->children->type, "message");
	T_CHECK(m.root->children->message != NULL);
	T_EQ_STR(section(&m, "1.1", MIME_SECTION_ALL, NULL, 0, a), "body");
	arena_free(&a);
}

static void
test_limits(void)
{
	static const char wrap[] = "Content-Type: message/rfc822\r\n\r\n";
	struct mime_limits small = {
	    .depth_max = 5, .parts_max = 3, .params_max = 2};
	struct arena *a = arena_new();
	struct mime_message m;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < 500; i++)
		buf_puts(&b, wrap);
	buf_puts(&b, "end\r\n");
	T_EQ_INT(mime_parse(b.data, b.len, &lim, &m, a, NULL), 0);
	T_CHECK(m.flags & MIME_MESSAGE_TRUNCATED);
	T_EQ_INT(m.nparts, 21);
	T_EQ_INT(
	    mime_parse(nested, sizeof(nested) - 1, &small, &m, a, NULL), 0);
	T_CHECK(m.flags & MIME_MESSAGE_TRUNCATED);
	T_EQ_INT(m.nparts, 3);
	small.depth_max = 0;
	T_EQ_INT(
	    mime_parse(nested, sizeof(nested) - 1, &small, &m, a, NULL), -1);
	buf_deinit(&b);
	arena_free(&a);
}

static void
test_params(void)
{
	static const char msg[] =
	    "Content-Type: Application/X-Thing (comment) ; name*0=\"a \\\"q\";"
	    "\r\n name*1=b.txt; filename*=utf-8''x%20y ; junk; Q=\"open\r\n"
	    "Content-Disposition: ATTACHMENT; size=12;\r\n"
	    " title*1*=%20fun; title*0*=us-ascii'en'This%20is\r\n"
	    "Content-Transfer-Encoding: Base64 \r\n"
	    "\r\n";
	struct arena *a = arena_new();
	struct mime_message m;
	const struct mime_part *p;

	T_EQ_INT(mime_parse(msg, sizeof(msg) - 1, &lim, &m, a, NULL), 0);
	p = m.root;
	T_EQ_STR(p->type, "application");
	T_EQ_STR(p->subtype, "x-thing");
	T_EQ_INT(p->nparams, 3);
	T_EQ_STR(mime_param_get(p->params, p->nparams, "NAME"), "a \"qb.txt");
	T_EQ_STR(
	    mime_param_get(p->params, p->nparams, "filename*"), "utf-8''x%20y");
	T_EQ_STR(mime_param_get(p->params, p->nparams, "q"), "open");
	T_EQ_STR(p->disposition, "attachment");
	T_EQ_STR(mime_param_get(p->disp_params, p->ndisp_params, "size"), "12");
	/* RFC 2231 §4.1 example: extended sections keep the "*". */
	T_EQ_STR(mime_param_get(p->disp_params, p->ndisp_params, "title*"),
	    "us-ascii'en'This%20is%20fun");
	T_EQ_INT(p->ndisp_params, 2);
	T_EQ_INT(p->encoding, MIME_ENC_BASE64);
	T_EQ_STR(p->encoding_name, "Base64");
	/* An unusable Content-Type keeps the default. */
	T_EQ_INT(
	    mime_parse("Content-Type: text\r\n\r\n", 22, &lim, &m, a, NULL), 0);
	T_EQ_STR(m.root->subtype, "plain");
	arena_free(&a);
}

static void
check_decode(enum mime_encoding enc, const char *in, const char *want)
{
	struct buf out;

	buf_init(&out);
	T_EQ_INT(mime_decode(enc, in, strlen(in), &out, NULL), 0);
	T_EQ_STR(out.data, want);
	buf_deinit(&out);
}

static void
test_decode(void)
{
	struct buf out;
	struct err err;

	check_decode(MIME_ENC_BASE64, "SGVs\r\nbG8=\r\n", "Hello");
	check_decode(MIME_ENC_BASE64, "SGVsbG8", "Hello");
	check_decode(MIME_ENC_BASE64, "!S*GVsbA==junk", "Hell");
	check_decode(MIME_ENC_BASE64, "", "");
	check_decode(MIME_ENC_QP, "a=3Db=\r\nc  \r\nd=4", "a=bc\r\nd=4");
	check_decode(MIME_ENC_QP, "x=\ny=C3=A9 \t\n=zz=", "xy\xc3\xa9\r\n=zz");
	check_decode(MIME_ENC_8BIT, "a\r\nb", "a\r\nb");
	T_EQ_INT(mime_encoding_from_name("QUOTED-PRINTABLE", 16), MIME_ENC_QP);
	T_EQ_INT(mime_encoding_from_name("x-uuencode", 10), MIME_ENC_UNKNOWN);
	buf_init(&out);
	T_EQ_INT(mime_decode(MIME_ENC_UNKNOWN, "x", 1, &out, &err), -1);
	T_EQ_STR(err.dsn, "UNKNOWN-CTE");
	buf_deinit(&out);
}

static void
check_date(const char *s, int rc, time_t want, int want_tz)
{
	time_t t = 0;
	int tz = 0;

	T_EQ_INT(mime_date_parse(s, strlen(s), &t, &tz), rc);
	if (rc == 0) {
		T_EQ_INT(t, want);
		T_EQ_INT(tz, want_tz);
	}
}

static void
test_date(void)
{
	check_date("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", 0, 837595405, -420);
	check_date("17 Jul 1996 09:23:25 +0000", 0, 837595405, 0);
	check_date(" 17 jul 96 02:23 PDT", 0, 837595405 - 25, -420);
	check_date("Wed, 17 Jul 1996 09:23:25 GMT", 0, 837595405, 0);
	check_date("Wed, 17 Jul 1996", -1, 0, 0);
	check_date("", -1, 0, 0);
	check_date("32 Jul 1996 00:00:00 +0000", -1, 0, 0);
	check_date("1 Foo 1996 00:00:00 +0000", -1, 0, 0);
}

static void
check_2047(const char *in, const char *want)
{
	struct buf out;

	buf_init(&out);
	mime_rfc2047_decode(in, strlen(in), &out);
	T_EQ_STR(out.data, want);
	buf_deinit(&out);
}

static void
test_rfc2047(void)
{
	/* RFC 2047 §8 examples. */
	check_2047("=?ISO-8859-1?Q?a?=", "a");
	check_2047("=?ISO-8859-1?Q?a?= b", "a b");
	check_2047("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab");
	check_2047("=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=", "ab");
	check_2047("=?ISO-8859-1?Q?a_b?=", "a b");
	check_2047("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b");
	check_2047("(=?ISO-8859-1?Q?a?=)", "(a)");
	check_2047("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore");
	check_2047("=?utf-8?b?Y2Fmw6k=?=", "caf\xc3\xa9");
	check_2047("=?iso-8859-1?q?caf=E9?= x", "caf\xc3\xa9 x");
	/* Kept as written: unknown charset, bad UTF-8, broken words. */
	check_2047("=?x-bogus?q?a?= =?utf-8?q?b?=", "=?x-bogus?q?a?= b");
	check_2047("=?utf-8?q?=FF?=", "=?utf-8?q?=FF?=");
	check_2047("=?utf-8?x?a?=", "=?utf-8?x?a?=");
	check_2047("=?utf-8?q?a b?=", "=?utf-8?q?a b?=");
	check_2047("=?utf-8?q?a", "=?utf-8?q?a");
	check_2047("plain caf\xc3\xa9", "plain caf\xc3\xa9");
}

T_MAIN(T_CASE(test_header_fields), T_CASE(test_rfc2047),
    T_CASE(test_header_malformed), T_CASE(test_tree), T_CASE(test_sections),
    T_CASE(test_single_part_sections), T_CASE(test_multipart_edge),
    T_CASE(test_limits), T_CASE(test_params), T_CASE(test_decode),
    T_CASE(test_date))

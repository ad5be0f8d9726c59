/* SPDX-License-Identifier: MIT */
/*
 * smtp/smtp_mime: 8-bit leaves become quoted-printable (soft breaks,
 * trailing white space, '='), multiparts are walked by boundary, and
 * what needs no conversion is copied byte for byte.
 */
#include "smtp/smtp_mime.h"

#include <string.h>

#include "t.h"

static void
check(const char *in, const char *want)
{
	struct buf out;

	buf_init(&out);
	smtp_mime_to7bit(in, strlen(in), &out);
	T_EQ_STR(out.data, want);
	buf_deinit(&out);
}

static void
mime_untouched(void)
{
	/* 7-bit text, base64 parts and message/rfc822 stay as they are. */
	check("Subject: x\n\nplain\n", "Subject: x\n\nplain\n");
	check("Content-Transfer-Encoding: binary\n\n\xc3\xa9\n",
	    "Content-Transfer-Encoding: binary\n\n\xc3\xa9\n");
	check("Content-Type: message/rfc822\n\nSubject: \xc3\xa9\n",
	    "Content-Type: message/rfc822\n\nSubject: \xc3\xa9\n");
	check("", "");
	check("Subject: no body", "Subject: no body");
}

static void
mime_top_level_leaf(void)
{
	check("Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
	      "caf\xc3\xa9 = ok \r\n",
	    "Subject: x\r\nMIME-Version: 1.0\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "caf=C3=A9 =3D ok=20\r\n");
	/* A folded Content-Transfer-Encoding field goes whole. */
	check("MIME-Version: 1.0\nContent-Transfer-Encoding:\n 8bit\n\n"
	      "\xff\n",
	    "MIME-Version: 1.0\nContent-Transfer-Encoding: "
	    "quoted-printable\r\n\n=FF\r\n");
	/* No line end at the end: none added. */
	check("\n\xe9",
	    "MIME-Version: 1.0\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\n=E9");
}

static void
mime_soft_breaks(void)
{
	char in[200];
	const char *p, *nl;
	struct buf out;
	size_t i;

	strcpy(in, "\n");
	for (i = 0; i < 100; i++)
		strcat(in, "\xe9");
	buf_init(&out);
	smtp_mime_to7bit(in, strlen(in), &out);
	/* 25 "=E9" tokens (75 octets) and "=" make each full line. */
	T_CHECK(strstr(out.data, "=E9=\r\n=E9") != NULL);
	p = strstr(out.data, "\r\n\n") + 3;
	T_EQ_INT((int)(strstr(p, "\r\n") - p), 76);
	for (; (nl = strstr(p, "\r\n")) != NULL; p = nl + 2)
		T_CHECK(nl - p <= 76);
	buf_deinit(&out);
}

static void
mime_multipart(void)
{
	check("Content-Type: multipart/mixed;\n boundary=\"b1\"\n\n"
	      "pre \xe9\n--b1\n\nascii\n--b1\nContent-Type: text/plain\n\n"
	      "\xe9\n--b1--\npost\n",
	    "Content-Type: multipart/mixed;\n boundary=\"b1\"\n\n"
	    "pre \xe9\n--b1\n\nascii\n--b1\nContent-Type: text/plain\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\n"
	    "=E9\n--b1--\npost\n");
	/* Nested, and a boundary that is a prefix of a line is no
	 * delimiter. */
	check("Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	      "Content-Type: multipart/alternative; boundary=i\n\n--i\n\n"
	      "\xe9\n--i--\n--ox\n--o--\n",
	    "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	    "Content-Type: multipart/alternative; boundary=i\n\n--i\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\n=E9\n"
	    "--i--\n--ox\n--o--\n");
	/* No closing delimiter: the last part runs to the end. */
	check("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n\xe9",
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\n=E9");
}

static void
mime_depth_limit(void)
{
	struct buf in, out;
	int i;

	buf_init(&in);
	buf_init(&out);
	for (i = 0; i < SMTP_MIME_DEPTH_MAX + 5; i++)
		buf_printf(&in,
		    "Content-Type: multipart/mixed; boundary=b%d\n"
		    "\n--b%d\n",
		    i, i);
	buf_puts(&in, "\n\xe9\n");
	smtp_mime_to7bit(in.data, in.len, &out);
	/* Too deep to walk: copied as it is. */
	T_EQ_INT((int)out.len, (int)in.len);
	T_CHECK(memcmp(out.data, in.data, in.len) == 0);
	T_CHECK(smtp_mime_has8bit(in.data, in.len));
	T_CHECK(!smtp_mime_has8bit("abc", 3));
	buf_deinit(&in);
	buf_deinit(&out);
}

T_MAIN(T_CASE(mime_untouched), T_CASE(mime_top_level_leaf),
    T_CASE(mime_soft_breaks), T_CASE(mime_multipart), T_CASE(mime_depth_limit))

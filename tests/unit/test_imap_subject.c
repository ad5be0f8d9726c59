/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the RFC 5256 §2.1 base subject: leaders, blobs,
 * trailers, [fwd: ] wrappers and the reply/forward indication.
 */
#include "imap/imap_subject.h"

#include <string.h>

#include "t.h"

static void
check(const char *in, const char *want, bool want_reply)
{
	struct arena *a = arena_new();
	bool reply = !want_reply;

	T_EQ_STR(imap_subject_base(in, strlen(in), &reply, a), want);
	T_EQ_INT(reply, want_reply);
	arena_free(&a);
}

static void
test_base_subject(void)
{
	check("Hello", "Hello", false);
	check("  Hello \t  world  ", "Hello world", false);
	check("Re: Hello", "Hello", true);
	check("RE: re:FWD: fw : Hello", "Hello", true);
	check("Re[2]: Hello", "Hello", true);
	check("[list] Re: Hello", "Hello", true);
	check("[list] [x] Hello", "Hello", false);
	check("[list]", "[list]", false);
	check("Hello (fwd) (FWD)", "Hello", true);
	check("[Fwd: Re: Hello]", "Hello", true);
	check("[fwd: [fwd: Hello] (fwd)]", "Hello", true);
	check("Rebate: half price", "Rebate: half price", false);
	check("Re:", "", true);
	check("", "", false);
	check("[a[b] x", "[a[b] x", false);
	check("Re: [unterminated", "[unterminated", true);
	check("=?utf-8?q?Re=3A_caf=C3=A9?=", "caf\xc3\xa9", true);
	check("=?ISO-8859-1?B?UmU6IGNhZuk=?= =?utf-8?q?_au_lait?=",
	    "caf\xc3\xa9 au lait", true);
}

T_MAIN(T_CASE(test_base_subject))

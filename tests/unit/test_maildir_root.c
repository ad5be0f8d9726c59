/* SPDX-License-Identifier: MIT */
/* Unit tests for libmail/store/maildir_root: where a user's Maildir is. */
#include "store/maildir_root.h"

#include "t.h"

static void
default_store_and_alternate_location(void)
{
	struct arena *a = arena_new();

	T_EQ_STR(maildir_root_path(NULL, "/var/mail/postern", "joe@example.com",
	             a),
	    "/var/mail/postern/example.com/joe/Maildir");
	T_EQ_STR(maildir_root_path("", "/store", "joe@example.com", a),
	    "/store/example.com/joe/Maildir");
	T_EQ_STR(maildir_root_path("/srv/alt", "/store", "joe@example.com", a),
	    "/srv/alt/example.com/joe/Maildir");
	arena_free(&a);
}

static void
slash_and_percent_are_escaped(void)
{
	struct arena *a = arena_new();

	T_EQ_STR(maildir_root_path(NULL, "/s", "a/b%c@x.test", a),
	    "/s/x.test/a%2Fb%25c/Maildir");
	/* The last '@' separates the domain. */
	T_EQ_STR(maildir_root_path(NULL, "/s", "\"a@b\"@x.test", a),
	    "/s/x.test/\"a@b\"/Maildir");
	T_EQ_STR(maildir_root_path(NULL, "/s", "postmaster", a),
	    "/s/localhost/postmaster/Maildir");
	T_EQ_STR(maildir_root_path(NULL, "/s", "", a), "/s/localhost//Maildir");
	arena_free(&a);
}

T_MAIN(T_CASE(default_store_and_alternate_location),
    T_CASE(slash_and_percent_are_escaped))

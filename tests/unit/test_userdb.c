/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/userdb: address syntax, protocol names, record
 * round trip and corrupt records, password hashing and verification,
 * and the LMDB store (unique addresses, lookup by any address).
 */
#include "userdb/userdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "ipc/ipc_msg.h"

#include "t.h"

static void
address_syntax(void)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: refused */
	} cases[] = {
	    {"Alice@Example.COM", "alice@example.com"},
	    {"a.b+tag@mail.example.org", "a.b+tag@mail.example.org"},
	    {"x@localhost", "x@localhost"},
	    {"o'neil@ex-ample.com", "o'neil@ex-ample.com"},
	    {"", NULL},
	    {"alice", NULL},
	    {"@example.com", NULL},
	    {"alice@", NULL},
	    {".alice@example.com", NULL},
	    {"al..ice@example.com", NULL},
	    {"alice.@example.com", NULL},
	    {"al ice@example.com", NULL},
	    {"alice@exa_mple.com", NULL},
	    {"alice@-example.com", NULL},
	    {"alice@example-.com", NULL},
	    {"alice@example..com", NULL},
	    {"alice@example.com.", NULL},
	    {"a@b@example.com", NULL},
	    {"al\"ice@example.com", NULL},
	    {"al\x80ice@example.com", NULL},
	};
	struct buf out;
	struct err err;
	char local[80];
	size_t i;

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = userdb_address_normalize(cases[i].in, &out, &err);

		if (cases[i].want == NULL) {
			if (!T_EQ_INT(rc, -1))
				fprintf(
				    stderr, "  accepted \"%s\"\n", cases[i].in);
			T_EQ_STR(err.dsn, "5.1.3");
		} else if (T_EQ_INT(rc, 0)) {
			T_EQ_STR(out.data, cases[i].want);
		}
	}
	/* Local part: 64 bytes is the maximum, 65 one past it. */
	memset(local, 'a', 64);
	strcpy(local + 64, "@x.org");
	T_EQ_INT(userdb_address_normalize(local, &out, &err), 0);
	memset(local, 'a', 65);
	strcpy(local + 65, "@x.org");
	T_EQ_INT(userdb_address_normalize(local, &out, &err), -1);
	buf_deinit(&out);
}

static void
protocol_names(void)
{
	struct buf out;
	struct err err;
	unsigned bits;

	buf_init(&out);
	T_EQ_INT(userdb_user_protocols_parse("imap, POP3", &bits, &err), 0);
	T_EQ_INT(bits, USERDB_PROTO_IMAP | USERDB_PROTO_POP3);
	userdb_user_protocols_format(bits, &out);
	T_EQ_STR(out.data, "imap,pop3");
	T_EQ_INT(userdb_user_protocols_parse("all", &bits, &err), 0);
	T_EQ_INT(bits, USERDB_PROTO_ALL);
	userdb_user_protocols_format(bits, &out);
	T_EQ_STR(out.data, "imap,pop3,smtp,sieve");
	T_EQ_INT(userdb_user_protocols_parse("none", &bits, &err), 0);
	T_EQ_INT(bits, 0);
	userdb_user_protocols_format(0, &out);
	T_EQ_STR(out.data, "none");
	T_EQ_INT(userdb_user_protocols_parse("imap,nntp", &bits, &err), -1);
	T_CHECK(strstr(err.text, "nntp") != NULL);
	T_EQ_INT(userdb_user_protocols_parse("imaps", &bits, &err), -1);
	buf_deinit(&out);
}

/* A user with every field set, strings in arena. */
static void
full_user(struct userdb_user *u, struct arena *a)
{
	userdb_user_init(u, "alice@example.com");
	T_EQ_INT(userdb_user_list_add(
	             a, &u->aliases, &u->naliases, "a.smith@example.com"),
	    0);
	T_EQ_INT(userdb_user_list_add(
	             a, &u->aliases, &u->naliases, "alice@example.org"),
	    0);
	T_EQ_INT(userdb_user_list_add(
	             a, &u->aliases, &u->naliases, "ALICE@example.org"),
	    -1);
	T_EQ_INT(userdb_user_list_add(
	             a, &u->forwards, &u->nforwards, "alice@elsewhere.net"),
	    0);
	u->password_hash = arena_strdup(a, "$6$salt$hash");
	u->mail_enabled = false;
	u->protocols = USERDB_PROTO_IMAP | USERDB_PROTO_SIEVE;
	u->quota = 1073741824LL;
	u->store = "/srv/mail2";
	u->keep_copy = true;
	u->sieve_script = "vacation";
	u->secret = arena_strdup(a, "cram secret");
}

static void
record_round_trip(void)
{
	struct arena *a = arena_new(), *b = arena_new();
	struct userdb_user u, v;
	struct buf rec;
	struct err err;

	buf_init(&rec);
	full_user(&u, a);
	T_EQ_INT(userdb_user_check(&u, &err), 0);
	userdb_record_encode(&u, &rec);
	T_EQ_INT(userdb_record_decode(rec.data, rec.len, b, &v, &err), 0);
	T_EQ_STR(v.address, "alice@example.com");
	T_EQ_INT(v.naliases, 2);
	if (v.naliases == 2) {
		T_EQ_STR(v.aliases[0], "a.smith@example.com");
		T_EQ_STR(v.aliases[1], "alice@example.org");
	}
	T_EQ_INT(v.nforwards, 1);
	if (v.nforwards == 1)
		T_EQ_STR(v.forwards[0], "alice@elsewhere.net");
	T_EQ_STR(v.password_hash, "$6$salt$hash");
	T_EQ_INT(v.mail_enabled, false);
	T_EQ_INT(v.protocols, USERDB_PROTO_IMAP | USERDB_PROTO_SIEVE);
	T_EQ_INT(v.quota, 1073741824LL);
	T_EQ_STR(v.store, "/srv/mail2");
	T_EQ_INT(v.keep_copy, true);
	T_EQ_STR(v.sieve_script, "vacation");
	T_EQ_STR(v.secret, "cram secret");
	userdb_user_wipe(&v);
	T_EQ_INT(v.secret[0], '\0');
	T_EQ_INT(v.password_hash[0], '\0');

	/* Defaults survive too. */
	userdb_user_init(&u, "bob@example.com");
	buf_reset(&rec);
	userdb_record_encode(&u, &rec);
	T_EQ_INT(userdb_record_decode(rec.data, rec.len, b, &v, &err), 0);
	T_EQ_INT(v.naliases, 0);
	T_EQ_INT(v.mail_enabled, true);
	T_EQ_INT(v.protocols, USERDB_PROTO_ALL);
	T_EQ_STR(v.password_hash, "");
	buf_deinit(&rec);
	arena_free(&a);
	arena_free(&b);
}

/* Decode a hand-built frame; returns what userdb_record_decode did. */
static int
decode_msg(struct ipc_msg *msg, struct arena *a, struct err *err)
{
	struct userdb_user u;

	ipc_msg_finish(msg);
	return userdb_record_decode(msg->buf.data, msg->buf.len, a, &u, err);
}

static void
record_corrupt(void)
{
	struct arena *a = arena_new();
	struct userdb_user u, v;
	struct ipc_msg msg;
	struct buf rec;
	struct err err;
	size_t i;

	buf_init(&rec);
	full_user(&u, a);
	userdb_record_encode(&u, &rec);
	/* Every truncation fails, and so does one extra byte. */
	for (i = 0; i < rec.len; i++)
		T_EQ_INT(userdb_record_decode(rec.data, i, a, &v, &err), -1);
	buf_putc(&rec, 'x');
	T_EQ_INT(userdb_record_decode(rec.data, rec.len, a, &v, &err), -1);
	/* Flipping any single byte never crashes; most flips fail. */
	buf_truncate(&rec, rec.len - 1);
	for (i = 0; i < rec.len; i++) {
		rec.data[i] ^= 0x5a;
		(void)userdb_record_decode(rec.data, rec.len, a, &v, &err);
		rec.data[i] ^= 0x5a;
	}
	T_EQ_INT(userdb_record_decode(rec.data, rec.len, a, &v, &err), 0);

	ipc_msg_init(&msg);
	/* A newer format is refused, not misread. */
	ipc_msg_add_num(&msg, "userdb_format", USERDB_FORMAT_VERSION + 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	T_CHECK(strstr(err.text, "newer") != NULL);
	/* No address. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* Version not first. */
	ipc_msg_reset(&msg);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_num(&msg, "userdb_format", 1);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* Embedded NUL in the address. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add(&msg, "address", "bob\0@example.com", 16);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* Uppercase key address: not a stored form. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "Bob@example.com");
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* A list count with missing items. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_num(&msg, "aliases", 2);
	ipc_msg_add_str(&msg, "alias_0", "b@example.com");
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* Counts past the limit, negative quotas, bad booleans. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_num(&msg, "forwards", USERDB_LIST_MAX + 1);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_num(&msg, "quota", -1);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_num(&msg, "mail_enabled", 2);
	T_EQ_INT(decode_msg(&msg, a, &err), -1);
	/* The minimal valid record, with an unknown attribute ignored. */
	ipc_msg_reset(&msg);
	ipc_msg_add_num(&msg, "userdb_format", 1);
	ipc_msg_add_str(&msg, "address", "bob@example.com");
	ipc_msg_add_str(&msg, "from_the_future", "x");
	T_EQ_INT(decode_msg(&msg, a, &err), 0);
	ipc_msg_deinit(&msg);
	buf_deinit(&rec);
	arena_free(&a);
}

static void
record_check(void)
{
	struct arena *a = arena_new();
	struct userdb_user u;
	struct err err;

	userdb_user_init(&u, "alice@example.com");
	T_EQ_INT(userdb_user_check(&u, &err), 0);
	u.store = "relative/path";
	T_EQ_INT(userdb_user_check(&u, &err), -1);
	u.store = "";
	u.sieve_script = "../etc";
	T_EQ_INT(userdb_user_check(&u, &err), -1);
	u.sieve_script = "";
	userdb_user_list_add(a, &u.aliases, &u.naliases, "alice@example.com");
	T_EQ_INT(userdb_user_check(&u, &err), -1);
	T_EQ_INT(
	    userdb_user_list_del(u.aliases, &u.naliases, "ALICE@example.com"),
	    1);
	T_EQ_INT(userdb_user_list_del(u.aliases, &u.naliases, "x@y"), 0);
	userdb_user_list_add(a, &u.forwards, &u.nforwards, "not-an-address");
	T_EQ_INT(userdb_user_check(&u, &err), -1);
	arena_free(&a);
}

static void
password_verify(void)
{
	struct buf hash;
	struct err err;

	buf_init(&hash);
	T_EQ_INT(userdb_password_hash("correct horse", &hash, &err), 0);
	T_CHECK(strncmp(hash.data, "$y$", 3) == 0 ||
	    strncmp(hash.data, "$6$", 3) == 0);
	T_CHECK(strstr(hash.data, "correct") == NULL);
	T_CHECK(userdb_password_verify(hash.data, "correct horse"));
	T_CHECK(!userdb_password_verify(hash.data, "correct horsE"));
	T_CHECK(!userdb_password_verify(hash.data, ""));
	T_CHECK(!userdb_password_verify("", ""));
	T_CHECK(!userdb_password_verify("", "correct horse"));
	T_CHECK(!userdb_password_verify("!", ""));
	T_CHECK(!userdb_password_verify("*", "*"));
	T_CHECK(!userdb_password_verify("garbage", "garbage"));
	/* A SHA-512 crypt hash made elsewhere still verifies. */
	T_CHECK(userdb_password_verify(
	    "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd"
	    "2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
	    "password"));
	/* Two hashes of one password differ (fresh salt). */
	{
		struct buf again;

		buf_init(&again);
		T_EQ_INT(
		    userdb_password_hash("correct horse", &again, &err), 0);
		T_CHECK(strcmp(again.data, hash.data) != 0);
		buf_deinit(&again);
	}
	T_EQ_INT(userdb_password_hash("", &hash, &err), -1);
	buf_deinit(&hash);
}

/* A fresh directory for one database; caller removes it. */
static char *
db_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if (asprintf(&dir, "%s/test_userdb.XXXXXX", tmp) < 0)
		abort();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

static void
db_dir_remove(char *dir, const char *path)
{
	char *lock;

	if (asprintf(&lock, "%s-lock", path) < 0)
		abort();
	unlink(path);
	unlink(lock);
	rmdir(dir);
	free(lock);
	free(dir);
}

static int
collect(const struct userdb_user *u, void *ctx)
{
	buf_printf(ctx, "%s;", u->address);
	return 0;
}

static int
stop_at_second(const struct userdb_user *u, void *ctx)
{
	(void)u;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void
db_store(void)
{
	char *dir = db_dir(), *path;
	struct arena *a = arena_new();
	struct userdb_user u, bob, got;
	struct userdb *db;
	struct buf list;
	struct err err;
	int calls = 0;

	if (asprintf(&path, "%s/users.lmdb", dir) < 0)
		abort();
	buf_init(&list);
	/* Reading a database that does not exist yet. */
	errno = 0;
	T_CHECK(userdb_open(path, USERDB_READ, &err) == NULL);
	T_EQ_INT(errno, ENOENT);
	db = userdb_open(path, USERDB_WRITE, &err);
	if (!T_CHECK(db != NULL)) {
		fprintf(stderr, "  %s\n", err.text);
		goto out;
	}
	full_user(&u, a);
	T_EQ_INT(userdb_put(db, &u, USERDB_PUT_ADD, &err), 0);
	T_EQ_INT(userdb_put(db, &u, USERDB_PUT_ADD, &err), -1);
	T_CHECK(strstr(err.text, "already exists") != NULL);

	/* Found by any of its addresses, in any case. */
	T_EQ_INT(userdb_get(db, "ALICE@example.com", a, &got, &err), 1);
	T_EQ_INT(userdb_get(db, "alice@EXAMPLE.org", a, &got, &err), 1);
	T_EQ_STR(got.address, "alice@example.com");
	T_EQ_STR(got.secret, "cram secret");
	T_EQ_INT(userdb_get(db, "nobody@example.com", a, &got, &err), 0);
	T_EQ_INT(userdb_get(db, "not an address", a, &got, &err), 0);

	/* An address belongs to one user only. */
	userdb_user_init(&bob, "bob@example.com");
	userdb_user_list_add(
	    a, &bob.aliases, &bob.naliases, "alice@example.org");
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_ADD, &err), -1);
	T_CHECK(strstr(err.text,
	            "already belongs to user "
	            "alice@example.com") != NULL);
	T_EQ_INT(userdb_get(db, "bob@example.com", a, &got, &err), 0);
	userdb_user_init(&bob, "a.smith@example.com");
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_ADD, &err), -1);
	userdb_user_init(&bob, "bob@example.com");
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_REPLACE, &err), -1);
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_ADD, &err), 0);

	/* Replacing releases dropped addresses for others to take. */
	T_EQ_INT(
	    userdb_user_list_del(u.aliases, &u.naliases, "alice@example.org"),
	    1);
	T_EQ_INT(userdb_put(db, &u, USERDB_PUT_REPLACE, &err), 0);
	T_EQ_INT(userdb_get(db, "alice@example.org", a, &got, &err), 0);
	T_EQ_INT(userdb_get(db, "a.smith@example.com", a, &got, &err), 1);
	userdb_user_list_add(
	    a, &bob.aliases, &bob.naliases, "alice@example.org");
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_REPLACE, &err), 0);
	T_EQ_INT(userdb_get(db, "alice@example.org", a, &got, &err), 1);
	T_EQ_STR(got.address, "bob@example.com");

	/* Passwords. */
	T_EQ_INT(
	    userdb_set_password(db, "A.Smith@example.com", "s3cret", &err), 1);
	T_EQ_INT(userdb_set_password(db, "zed@example.com", "x", &err), 0);
	T_EQ_INT(userdb_get(db, "alice@example.com", a, &got, &err), 1);
	T_CHECK(userdb_password_verify(got.password_hash, "s3cret"));
	T_CHECK(!userdb_password_verify(got.password_hash, "S3cret"));
	T_EQ_STR(got.sieve_script, "vacation");
	T_EQ_STR(got.secret, "");

	/* Iteration in address order, and stopping early. */
	T_EQ_INT(userdb_iterate(db, collect, &list, &err), 0);
	T_EQ_STR(list.data, "alice@example.com;bob@example.com;");
	T_EQ_INT(userdb_iterate(db, stop_at_second, &calls, &err), 7);

	/* Delete by primary address only; every address goes with it. */
	T_EQ_INT(userdb_delete(db, "alice@example.org", &err), 0);
	T_EQ_INT(userdb_delete(db, "Bob@example.com", &err), 1);
	T_EQ_INT(userdb_get(db, "alice@example.org", a, &got, &err), 0);
	T_EQ_INT(userdb_get(db, "bob@example.com", a, &got, &err), 0);
	T_EQ_INT(userdb_delete(db, "bob@example.com", &err), 0);
	userdb_user_init(&bob, "carol@example.com");
	userdb_user_list_add(
	    a, &bob.aliases, &bob.naliases, "alice@example.org");
	T_EQ_INT(userdb_put(db, &bob, USERDB_PUT_ADD, &err), 0);
	userdb_close(&db);
	T_CHECK(db == NULL);

	/* A read-only open sees what was written. */
	db = userdb_open(path, USERDB_READ, &err);
	if (T_CHECK(db != NULL)) {
		T_EQ_INT(userdb_get(db, "alice@example.org", a, &got, &err), 1);
		T_EQ_STR(got.address, "carol@example.com");
		userdb_close(&db);
	}
out:
	buf_deinit(&list);
	arena_free(&a);
	db_dir_remove(dir, path);
	free(path);
}

T_MAIN(T_CASE(address_syntax), T_CASE(protocol_names),
    T_CASE(record_round_trip), T_CASE(record_corrupt), T_CASE(record_check),
    T_CASE(password_verify), T_CASE(db_store))

/* SPDX-License-Identifier: MIT */
/*
 * The users database (DESIGN.md section 7): one LMDB file, at the path of
 * the user_database parameter, holding per user the address, additional
 * addresses, a crypt(3) password hash, mail and protocol switches, quota,
 * store location, forwards, the active Sieve script and an optional
 * plaintext-equivalent secret. Only authd and the postern CLI open it: no
 * other process may read user secrets. Records are IPC attribute frames
 * with a format version (userdb_record.c); no raw struct reaches disk.
 */
#ifndef USERDB_USERDB_H
#define USERDB_USERDB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* Protocols a user may log in with (bit set in userdb_user.protocols). */
enum userdb_proto {
	USERDB_PROTO_IMAP = 1u << 0,
	USERDB_PROTO_POP3 = 1u << 1,
	USERDB_PROTO_SMTP = 1u << 2, /* SMTP AUTH (submission) */
	USERDB_PROTO_SIEVE = 1u << 3, /* ManageSieve */
};
#define USERDB_PROTO_ALL 0x0fu

/* Mechanisms the plaintext-equivalent secret may serve (secret_for). */
enum userdb_secret_mech {
	USERDB_SECRET_CRAM_MD5 = 1u << 0,
	USERDB_SECRET_APOP = 1u << 1,
	USERDB_SECRET_SCRAM_SHA_256 = 1u << 2,
};
#define USERDB_SECRET_ALL 0x07u

/* RFC 5321 section 4.5.3.1: local part 64, whole path 256 with <>. */
#define USERDB_LOCAL_MAX 64
#define USERDB_ADDRESS_MAX 254
/* Additional addresses and forwards per user, each. */
#define USERDB_LIST_MAX 256
/* Store path, Sieve script name, secrets, hashes: bytes each. */
#define USERDB_FIELD_MAX 4096
/* The record format this code writes; older ones are still read. */
#define USERDB_FORMAT_VERSION 1

/*
 * One user. Strings are never NULL ("" when unset). Who owns them is
 * said by whoever filled the struct: userdb_get() and
 * userdb_record_decode() copy everything into the arena they are given.
 */
struct userdb_user {
	const char *address; /* primary address, lowercase; the key */
	const char **aliases; /* additional addresses, lowercase */
	size_t naliases;
	const char *password_hash; /* crypt(3) string; "" = no password */
	bool mail_enabled; /* false: no delivery and no login */
	unsigned protocols; /* enum userdb_proto bits */
	long long quota; /* bytes; 0 = no quota */
	const char *store; /* "" = default under mail_store_directory */
	const char **forwards; /* forward addresses */
	size_t nforwards;
	bool keep_copy; /* with forwards: also deliver locally */
	const char *sieve_script; /* active Sieve script name; "" = none */
	/* Plaintext-equivalent secret for CRAM-MD5/APOP; "" = none stored. */
	const char *secret;
	/* enum userdb_secret_mech bits the secret may serve; records
	 * written before this field allow every one. */
	unsigned secret_for;
};

/* ---- In-memory records (userdb_user.c) ---- */

/*
 * Fill u with the defaults of a new user: mail enabled, every protocol,
 * no quota, no password, nothing else. address is borrowed.
 */
void userdb_user_init(struct userdb_user *u, const char *address);
/*
 * Append a copy of item (in arena) to the list *list of *n entries.
 * Returns 0, or -1 when item is already in the list (case-insensitive).
 */
int userdb_user_list_add(
    struct arena *arena, const char ***list, size_t *n, const char *item);
/* Remove item from the list; 1 removed, 0 it was not there. */
int userdb_user_list_del(const char **list, size_t *n, const char *item);
/* True if address is the primary or an additional address of u. */
bool userdb_user_has_address(const struct userdb_user *u, const char *address);
/*
 * Check every field against the format's rules (address syntax, list
 * sizes, field lengths, no duplicate addresses within the record).
 * 0 or -1 with err filled (ERR_PERM).
 */
int userdb_user_check(const struct userdb_user *u, struct err *err);
/*
 * Overwrite the password hash and secret bytes with zeros. Only for
 * records whose strings are writable (those from userdb_get() and
 * userdb_record_decode()); call before releasing their arena.
 */
void userdb_user_wipe(struct userdb_user *u);
/*
 * "imap,pop3" (commas and/or spaces), "all" or "none" to bits. Pure.
 * 0 or -1 with err filled (ERR_PERM) naming the unknown protocol.
 */
int userdb_user_protocols_parse(
    const char *text, unsigned *bits_out, struct err *err);
/* Bits to "imap,pop3,smtp,sieve" order ("none" for 0), into out. */
void userdb_user_protocols_format(unsigned bits, struct buf *out);

/* ---- Secret mechanisms (userdb_secret.c) ---- */

/*
 * "cram-md5,apop" (commas and/or spaces, any case), "all" or "none" to
 * bits. Pure. 0 or -1 with err filled (ERR_PERM) naming the unknown one.
 */
int userdb_secret_for_parse(
    const char *text, unsigned *bits_out, struct err *err);
/* Bits to "cram-md5,apop,scram-sha-256" order ("none" for 0), into out. */
void userdb_secret_for_format(unsigned bits, struct buf *out);
/* The bit of a SASL-style mechanism name ("CRAM-MD5"), 0 for others. */
unsigned userdb_secret_mech_bit(const char *mech);

/* ---- Address syntax (userdb_address.c) ---- */

/*
 * Check that text is local@domain (a dot-atom local part, a domain of
 * letter/digit/hyphen labels) and write it lowercased into out (replacing
 * its contents). Pure. 0 or -1 with err filled (ERR_PERM, "5.1.3").
 */
int userdb_address_normalize(
    const char *text, struct buf *out, struct err *err);

/* ---- Record encoding (userdb_record.c) ---- */

/*
 * Append u, as one IPC attribute frame of format USERDB_FORMAT_VERSION,
 * to out. u must have passed userdb_user_check(). Never fails.
 */
void userdb_record_encode(const struct userdb_user *u, struct buf *out);
/*
 * Decode a record (the whole frame, length prefix included) into
 * user_out, every string copied into arena. Pure: input is untrusted
 * bytes. 0, or -1 with err filled (ERR_PERM) for a truncated, malformed
 * or newer-format record.
 */
int userdb_record_decode(const void *data, size_t len, struct arena *arena,
    struct userdb_user *user_out, struct err *err);

/* ---- Passwords (userdb_password.c) ---- */

/*
 * Hash password with a fresh random salt: yescrypt ("$y$") when libcrypt
 * offers it, else SHA-512 crypt ("$6$"). The hash replaces the contents
 * of hash_out. May block for tens of milliseconds (that is the point).
 * 0 or -1 with err filled (ERR_TEMP: no randomness or memory).
 */
int userdb_password_hash(
    const char *password, struct buf *hash_out, struct err *err);
/*
 * True if candidate hashes to hash (crypt(3) with hash as the setting,
 * compared in constant time). An empty or locked ("!", "*") hash never
 * verifies. May block like userdb_password_hash().
 */
bool userdb_password_verify(const char *hash, const char *candidate);

/* ---- The database (userdb.c) ---- */

struct userdb;

enum userdb_mode {
	USERDB_READ, /* shared readers: authd, postern user show/list */
	USERDB_WRITE, /* creates the file when missing: postern user */
};

enum userdb_put_how {
	USERDB_PUT_ADD, /* fails when the user exists */
	USERDB_PUT_REPLACE, /* fails when the user does not exist */
};

/*
 * Open the database file at path (the lock file is path + "-lock").
 * USERDB_READ on a missing file fails with ERR_PERM and errno set to
 * ENOENT, so a caller may treat it as an empty database. Caller owns the
 * result; close with userdb_close(). NULL with err filled.
 */
struct userdb *userdb_open(
    const char *path, enum userdb_mode mode, struct err *err);
/* Close; sets *dbp to NULL; NULL is a no-op. */
void userdb_close(struct userdb **dbp);
/* The path given to userdb_open(); borrowed from db. */
const char *userdb_path(const struct userdb *db);
/*
 * Find the user owning address (primary or additional, any case; text
 * that is no valid address is simply not found). The record is copied
 * into arena. 1 found, 0 not found, -1 failure (ERR_TEMP for database
 * trouble, ERR_PERM for a corrupt record).
 */
int userdb_get(struct userdb *db, const char *address, struct arena *arena,
    struct userdb_user *user_out, struct err *err);
/*
 * Store u (checked with userdb_user_check()) in one transaction. Every
 * address of u must belong to no other user: an address belongs to at
 * most one user. With USERDB_PUT_REPLACE the previous record's
 * additional addresses are released first. 0 or -1 with err filled
 * (ERR_PERM, "5.1.0" for a conflict or a missing/existing user).
 */
int userdb_put(struct userdb *db, const struct userdb_user *u,
    enum userdb_put_how how, struct err *err);
/*
 * Delete the user whose primary address is address, with all its
 * addresses. 1 deleted, 0 no such user (an additional address is not
 * enough: the caller names the user), -1 failure.
 */
int userdb_delete(struct userdb *db, const char *address, struct err *err);
/*
 * Replace the password hash of the user owning address with a hash of
 * password, and clear the plaintext-equivalent secret (it was the old
 * password). Hashes before taking the write lock. 1 done, 0 no such
 * user, -1 failure.
 */
int userdb_set_password(struct userdb *db, const char *address,
    const char *password, struct err *err);

/*
 * Called once per user, in primary address order, inside a read
 * transaction (so it must not use db); the record lives until the
 * callback returns. A positive return stops the iteration and is
 * returned by userdb_iterate(); a negative one stops it as a failure.
 */
typedef int userdb_iter_fn(const struct userdb_user *u, void *ctx);
/*
 * Visit every user in one read transaction. Returns 0 when all were
 * visited, the callback's non-zero value, or -1 with err filled (a
 * corrupt record stops the walk with ERR_PERM naming its key).
 */
int userdb_iterate(
    struct userdb *db, userdb_iter_fn *fn, void *ctx, struct err *err);

#endif

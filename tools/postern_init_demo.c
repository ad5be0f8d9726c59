/* SPDX-License-Identifier: MIT */
/*
 * postern init --demo: two mail users with random passwords, so a fresh
 * instance can be tried with any mail client at once. The credentials
 * go to <instance>/demo-users.txt (mode 0600), which "make run" prints.
 */
#include "postern_init.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/buf.h"
#include "postern.h"

#define POSTERN_DEMO_PASSWORD_LEN 16

static const char *const postern_demo_names[] = { "alice", "bob" };

/* Letters and digits, chosen without modulo bias. */
static int
postern_demo_password(char *out, size_t len, struct err *err)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const size_t n = sizeof(alphabet) - 1;
	unsigned char r;
	size_t i = 0;

	while (i < len) {
		if (getrandom(&r, 1, 0) != 1)
			return err_set(err, ERR_TEMP, "", "getrandom failed");
		/* 256 - 256 % n: the largest multiple of n below 256. */
		if (r >= 256 - 256 % n)
			continue;
		out[i++] = alphabet[r % n];
	}
	out[len] = '\0';
	return 0;
}

static void
postern_demo_footer(const struct postern_init *init, struct buf *out)
{
	buf_printf(out, "\nServer %s (%s): IMAP %s, IMAPS %s, POP3 %s, "
	    "POP3S %s,\nSMTP %s, submission %s (STARTTLS), SMTPS %s, "
	    "ManageSieve %s.\nThe certificate is self-signed: %s\n",
	    init->hostname, init->inet_interfaces,
	    init->ports[POSTERN_PORT_IMAP], init->ports[POSTERN_PORT_IMAPS],
	    init->ports[POSTERN_PORT_POP3], init->ports[POSTERN_PORT_POP3S],
	    init->ports[POSTERN_PORT_SMTP],
	    init->ports[POSTERN_PORT_SUBMISSION],
	    init->ports[POSTERN_PORT_SMTPS], init->ports[POSTERN_PORT_SIEVE],
	    init->cert_file);
}

static int
postern_demo_users(const struct postern_init *init, const struct conf *conf,
    struct buf *out, struct err *err)
{
	char password[POSTERN_DEMO_PASSWORD_LEN + 1];
	const char *address;
	size_t i;
	int rc = 0;

	buf_puts(out, "Demo users of this instance (postern init --demo):\n");
	for (i = 0; rc == 0 && i < sizeof(postern_demo_names) /
	    sizeof(postern_demo_names[0]); i++) {
		address = arena_printf(init->arena, "%s@%s",
		    postern_demo_names[i], init->domain);
		rc = postern_demo_password(password, sizeof(password) - 1, err);
		if (rc == 0)
			rc = postern_user_create(conf, address, password, err);
		if (rc == 0)
			buf_printf(out, "  %-30s password: %s\n", address,
			    password);
	}
	explicit_bzero(password, sizeof(password));
	return rc;
}

/*
 * Created by root, the users database must still be readable by authd,
 * its only reader (LMDB readers also write its lock file).
 */
static int
postern_demo_owner(const struct postern_init *init, const struct conf *conf,
    struct err *err)
{
	static const char *const suffixes[] = { "", "-lock" };
	struct buf path;
	size_t base, i;
	int rc = 0;

	buf_init(&path);
	if (conf_value(conf, "user_database", &path, err) != 1) {
		buf_deinit(&path);
		return err_set(err, ERR_PERM, "", "--demo: user_database is "
		    "not set");
	}
	base = path.len;
	for (i = 0; rc == 0 && i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		buf_truncate(&path, base);
		buf_puts(&path, suffixes[i]);
		if (chown(path.data, init->auth_uid, init->auth_gid) != 0 &&
		    errno != ENOENT)
			rc = err_set(err, ERR_PERM, "", "chown %s: %s",
			    path.data, strerror(errno));
	}
	buf_deinit(&path);
	return rc;
}

int
postern_init_demo(const struct postern_init *init, struct err *err)
{
	struct conf *conf;
	struct buf out;
	int rc;

	if (init->root[0] != '\0')
		return err_set(err, ERR_PERM, "", "--demo cannot be combined "
		    "with a staging root");
	if ((conf = conf_load(init->config_dir, NULL, 0, err)) == NULL)
		return -1;
	buf_init(&out);
	rc = postern_demo_users(init, conf, &out, err);
	if (rc == 0) {
		postern_demo_footer(init, &out);
		rc = postern_init_write(init, arena_printf(init->arena,
		    "%s/demo-users.txt", init->system ? init->config_dir
		    : init->instance), out.data, out.len, 0600, err);
	}
	if (rc == 0 && init->as_root)
		rc = postern_demo_owner(init, conf, err);
	explicit_bzero(out.data, out.len);
	buf_deinit(&out);
	conf_free(&conf);
	return rc;
}

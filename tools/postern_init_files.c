/* SPDX-License-Identifier: MIT */
/*
 * postern init: the files and directories of a new instance. The
 * configuration comes from the templates embedded at build time
 * (etc/<name>.in); files are created exclusively so nothing existing is
 * ever overwritten.
 */
#include "postern_init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "map/map.h"
#include "queue/queue_layout.h"
#include "postern_templates.h"

int
postern_init_mkdir(const struct postern_init *init, const char *path,
    mode_t mode, struct err *err)
{
	char *p = arena_strdup(init->arena, postern_init_fs(init, path));
	struct stat st;
	char *slash;

	/* mkdir -p: parents get 0755, the directory itself mode. */
	for (slash = strchr(p + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return err_set(err, ERR_PERM, "", "mkdir %s: %s", p,
			    strerror(errno));
		*slash = '/';
	}
	if (mkdir(p, mode) != 0) {
		if (errno != EEXIST)
			return err_set(err, ERR_PERM, "", "mkdir %s: %s", p,
			    strerror(errno));
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			return err_set(err, ERR_PERM, "", "%s exists and is "
			    "not a directory", p);
		return 0;
	}
	/* Not subject to the umask: the plan's mode is the mode. */
	if (chmod(p, mode) != 0)
		return err_set(err, ERR_PERM, "", "chmod %s: %s", p,
		    strerror(errno));
	return 0;
}

int
postern_init_write(const struct postern_init *init, const char *path,
    const char *text, size_t len, mode_t mode, struct err *err)
{
	const char *fs = postern_init_fs(init, path);
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(fs, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return err_set(err, ERR_PERM, "", "create %s: %s", fs,
		    strerror(errno));
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off < len || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		err_set(err, ERR_PERM, "", "write %s: %s", fs,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0)
		return err_set(err, ERR_PERM, "", "write %s: %s", fs,
		    strerror(errno));
	return 0;
}

/* "@PORT_SMTP@" values are padded so master.cf's columns line up. */
static const char *
postern_init_port_column(const struct postern_init *init,
    enum postern_init_port port)
{
	return arena_printf(init->arena, "%-15s", init->ports[port]);
}

static size_t
postern_init_vars(const struct postern_init *init,
    struct postern_template_var *vars)
{
	static const char *const port_vars[POSTERN_PORT_COUNT] = {
		"PORT_SMTP", "PORT_SUBMISSION", "PORT_SMTPS", "PORT_IMAP",
		"PORT_IMAPS", "PORT_POP3", "PORT_POP3S", "PORT_SIEVE",
	};
	size_t n = 0;
	int i;

	vars[n++] = (struct postern_template_var){ "INSTANCE",
	    init->instance };
	vars[n++] = (struct postern_template_var){ "CONFIG_DIRECTORY",
	    init->config_dir };
	vars[n++] = (struct postern_template_var){ "QUEUE_DIRECTORY",
	    init->queue_dir };
	vars[n++] = (struct postern_template_var){ "DATA_DIRECTORY",
	    init->data_dir };
	vars[n++] = (struct postern_template_var){ "MAIL_STORE_DIRECTORY",
	    init->store_dir };
	vars[n++] = (struct postern_template_var){ "MAILLOG_FILE",
	    init->log_file };
	vars[n++] = (struct postern_template_var){ "MYHOSTNAME",
	    init->hostname };
	vars[n++] = (struct postern_template_var){ "MYDOMAIN", init->domain };
	vars[n++] = (struct postern_template_var){ "INET_INTERFACES",
	    init->inet_interfaces };
	vars[n++] = (struct postern_template_var){ "TLS_CERT_FILE",
	    init->cert_file };
	vars[n++] = (struct postern_template_var){ "TLS_KEY_FILE",
	    init->key_file };
	for (i = 0; i < POSTERN_PORT_COUNT; i++)
		vars[n++] = (struct postern_template_var){ port_vars[i],
		    postern_init_port_column(init, i) };
	return n;
}

int
postern_init_templates(const struct postern_init *init, struct err *err)
{
	static const char *const names[] = { "main.cf", "master.cf",
	    "aliases" };
	struct postern_template_var vars[11 + POSTERN_PORT_COUNT];
	size_t nvars = postern_init_vars(init, vars), i;
	const char *text;
	struct buf out;
	int rc = 0;

	buf_init(&out);
	for (i = 0; rc == 0 && i < sizeof(names) / sizeof(names[0]); i++) {
		if ((text = postern_template_find(names[i])) == NULL) {
			rc = err_set(err, ERR_PERM, "", "template %s.in was "
			    "not built into postern", names[i]);
			break;
		}
		buf_reset(&out);
		if (postern_template_expand(text, vars, nvars, &out, err) != 0)
			rc = -1;
		else
			rc = postern_init_write(init, arena_printf(init->arena,
			    "%s/%s", init->config_dir, names[i]), out.data,
			    out.len, 0644, err);
	}
	buf_deinit(&out);
	/* alias_maps names the built table: build it, as newaliases would. */
	if (rc == 0 && map_build(postern_init_fs(init, arena_printf(
	    init->arena, "%s/aliases", init->config_dir)), MAP_SOURCE_ALIASES,
	    err) != 0)
		rc = -1;
	return rc;
}

/*
 * The tree. Private places are 0700 from the start, so nothing is ever
 * briefly open to other users; the queue's owners and modes come from
 * libmail's queue layout table, the one postern check verifies.
 */
int
postern_init_tree(const struct postern_init *init, struct err *err)
{
	struct queue_layout_owner own = {
		.owner_uid = init->as_root ? init->mail_uid : geteuid(),
		.owner_gid = init->as_root ? init->mail_gid : getegid(),
		.postdrop_gid = init->as_root ? init->postdrop_gid : getegid(),
		.set_owner = init->as_root,
	};

	if (postern_init_mkdir(init, init->config_dir, 0755, err) != 0 ||
	    postern_init_mkdir(init, init->queue_dir, 0755, err) != 0 ||
	    queue_layout_create(postern_init_fs(init, init->queue_dir), &own,
	    err) != 0 ||
	    postern_init_mkdir(init, init->data_dir, 0755, err) != 0 ||
	    postern_init_mkdir(init, init->tls_dir, 0700, err) != 0 ||
	    postern_init_mkdir(init, init->store_dir, 0700, err) != 0 ||
	    postern_init_mkdir(init, init->log_dir, 0755, err) != 0)
		return -1;
	return 0;
}

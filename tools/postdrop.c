/* SPDX-License-Identifier: MIT */
/*
 * postdrop: the set-group-id helper through which any local user's
 * sendmail(1) writes into maildrop/ (group postdrop, mode 0730: members
 * may create files there but not list or read them). It is installed
 * setgid postdrop by make install; in a development build run by root
 * it needs no bits at all.
 *
 * Being privileged, it trusts nothing it is given: not the environment,
 * not the queue directory argument (it writes only into a maildrop/
 * whose group is its own set-group-id, so only into a real maildrop),
 * not its input, whose envelope is parsed by the bounded queue envelope
 * parser and re-encoded. pickup checks everything again.
 *
 *   postdrop -q QUEUE_DIRECTORY       stdin: 4-byte length, envelope
 *                                     records, content; exit 0 once the
 *                                     file is durable in maildrop/
 *   postdrop -q QUEUE_DIRECTORY -F    only wake qmgr to flush the queue
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "ipc/ipc_trigger.h"
#include "queue/queue_dir.h"
#include "queue/queue_env.h"
#include "queue/queue_writer.h"

#define POSTDROP_ENV_MAX (16u << 20)
#define POSTDROP_CHUNK 65536

static int
postdrop_fail(int status, const char *what, const char *why)
{
	fprintf(stderr, "postdrop: %s: %s\n", what, why);
	return status;
}

static int
postdrop_read_all(int fd, char *p, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The envelope from stdin, parsed as the untrusted bytes it is. */
static int
postdrop_envelope(struct queue_env *env, struct arena *a, struct buf *raw)
{
	const struct queue_limits lim = {.max_envelope = POSTDROP_ENV_MAX,
	    .max_rcpts = 10000, .max_field = 4096, .max_log = 0};
	unsigned char hdr[4];
	struct err err;
	uint32_t len;

	if (postdrop_read_all(0, (char *)hdr, 4) < 0)
		return postdrop_fail(EX_DATAERR, "input", "no envelope");
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (len == 0 || len > POSTDROP_ENV_MAX)
		return postdrop_fail(EX_DATAERR, "input", "bad envelope size");
	buf_reserve(raw, len);
	if (postdrop_read_all(0, raw->data, len) < 0)
		return postdrop_fail(EX_DATAERR, "input", "short envelope");
	raw->len = len;
	if (queue_env_parse(raw->data, raw->len, &lim, env, a, &err) < 0)
		return postdrop_fail(EX_DATAERR, "envelope", err.text);
	/* What a local user may not claim: the writer stamps arrival. */
	env->arrival_sec = 0;
	env->arrival_usec = 0;
	env->client_name = env->client_addr = env->helo = NULL;
	env->sasl_user = NULL;
	env->protocol = "LOCAL";
	return 0;
}

/*
 * Only a real maildrop: when set-group-id, the directory's group must
 * be ours, so a user cannot aim us at a directory of their choosing.
 */
static int
postdrop_check_dir(struct queue_dir *qd)
{
	struct stat st;
	struct err err;
	int fd = queue_dir_fd(qd, QUEUE_MAILDROP, &err);

	if (fd < 0)
		return postdrop_fail(EX_NOPERM, "maildrop", err.text);
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return postdrop_fail(EX_NOPERM, "maildrop", "not a directory");
	if (getegid() != getgid() && st.st_gid != getegid())
		return postdrop_fail(
		    EX_NOPERM, "maildrop", "not owned by the postdrop group");
	return 0;
}

static int
postdrop_write(struct queue_dir *qd, const struct queue_env *env)
{
	struct queue_writer *w = NULL;
	char *chunk = malloc(POSTDROP_CHUNK);
	struct err err;
	ssize_t n;
	int rc = EX_TEMPFAIL;

	if (chunk == NULL)
		return postdrop_fail(EX_OSERR, "memory", strerror(errno));
	if (queue_writer_open(qd, QUEUE_MAILDROP, &w, &err) < 0 ||
	    queue_writer_envelope(w, env, &err) < 0)
		goto out;
	for (;;) {
		n = read(0, chunk, POSTDROP_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(&err, ERR_TEMP, "4.3.0", "read: %s",
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (queue_writer_write(w, chunk, (size_t)n, &err) < 0)
			goto out;
	}
	if (queue_writer_commit(w, NULL, &err) == 0)
		rc = 0;
out:
	if (rc != 0)
		postdrop_fail(rc, "maildrop", err.text);
	queue_writer_free(&w);
	free(chunk);
	return rc;
}

int
main(int argc, char **argv)
{
	struct queue_env env;
	struct queue_dir *qd = NULL;
	struct arena *a;
	struct buf raw;
	struct err err;
	bool flush = argc == 4 && strcmp(argv[3], "-F") == 0;
	int rc;

	log_init("postdrop");
	if ((argc != 3 && !flush) || strcmp(argv[1], "-q") != 0)
		return postdrop_fail(EX_USAGE, "usage",
		    "postdrop -q QUEUE_DIRECTORY [-F] < submission");
	/* Maildrop files must be readable by pickup, whatever our umask. */
	umask(022);
	if (queue_dir_open(argv[2], &qd, &err) < 0)
		return postdrop_fail(EX_TEMPFAIL, argv[2], err.text);
	if ((rc = postdrop_check_dir(qd)) != 0) {
		queue_dir_close(&qd);
		return rc;
	}
	a = arena_new();
	buf_init(&raw);
	rc = flush ? 0 : postdrop_envelope(&env, a, &raw);
	if (rc == 0 && !flush)
		rc = postdrop_write(qd, &env);
	queue_dir_close(&qd);
	/* A lost trigger only delays the mail: pickup also wakes itself. */
	if (rc == 0 && chdir(argv[2]) == 0)
		(void)ipc_trigger_send(flush ? "public/qmgr" : "public/pickup",
		    flush ? "F" : "W", 1, &err);
	buf_deinit(&raw);
	arena_free(&a);
	return rc;
}

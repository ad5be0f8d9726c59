/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the queue unit tests (test_queue_*.c): a fresh queue
 * tree in a temporary directory, counting its files, writing a message.
 * Included by each test program; everything is static.
 */
#ifndef TESTS_UNIT_TEST_QUEUE_UTIL_H
#define TESTS_UNIT_TEST_QUEUE_UTIL_H

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "queue/queue_commit.h"
#include "queue/queue_dir.h"
#include "queue/queue_env.h"
#include "queue/queue_id.h"
#include "queue/queue_layout.h"
#include "queue/queue_writer.h"

#include "t.h"

static inline int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh queue tree in a temporary directory; *qd_out opened on it. */
static inline char *
make_queue(struct queue_dir **qd_out)
{
	struct queue_layout_owner own = {.owner_uid = getuid(),
	    .owner_gid = getgid(),
	    .postdrop_gid = getgid()};
	char tmpl[] = "/tmp/test_queue.XXXXXX", *dir;
	struct err err;

	dir = mkdtemp(tmpl);
	if (!T_CHECK(dir != NULL))
		exit(1);
	dir = strdup(dir);
	if (!T_EQ_INT(queue_layout_create(dir, &own, &err), 0) ||
	    !T_EQ_INT(queue_dir_open(dir, qd_out, &err), 0)) {
		fprintf(stderr, "  %s\n", err.text);
		exit(1);
	}
	return dir;
}

static inline void
drop_queue(char *dir, struct queue_dir **qd)
{
	queue_dir_close(qd);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline size_t
count_entries(const char *dir, const char *sub)
{
	char path[512];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return (size_t)-1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline size_t
count_temp(const char *dir, const char *sub)
{
	char path[512];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return (size_t)-1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, QUEUE_DIR_TEMP_PREFIX,
		        strlen(QUEUE_DIR_TEMP_PREFIX)) == 0)
			n++;
	closedir(d);
	return n;
}

static struct queue_rcpt rcpts[] = {
    {.address = "one@example.org", .notify = QUEUE_NOTIFY_DELAY},
    {.address = "two@example.org", .orcpt = "rfc822;two@example.org"},
};

static inline struct queue_env
test_env(void)
{
	struct queue_env env = {.sender = "from@example.com",
	    .protocol = "ESMTP",
	    .client_addr = "127.0.0.1",
	    .rcpts = rcpts,
	    .nrcpt = 2};

	return env;
}

/* Write one message in pieces of chunk bytes; the id goes to id_out. */
static inline int
write_message(struct queue_dir *qd, struct queue_commit *gc, const char *msg,
    size_t len, size_t chunk, char id_out[QUEUE_ID_SIZE])
{
	struct queue_env env = test_env();
	struct queue_writer *w;
	struct err err;
	size_t off;

	if (queue_writer_open(qd, QUEUE_INCOMING, &w, &err) < 0)
		return -1;
	snprintf(id_out, QUEUE_ID_SIZE, "%s", queue_writer_id(w));
	if (queue_writer_envelope(w, &env, &err) < 0)
		goto fail;
	for (off = 0; off < len; off += chunk)
		if (queue_writer_write(w, msg + off,
		        len - off < chunk ? len - off : chunk, &err) < 0)
			goto fail;
	if (queue_writer_size(w) != len || queue_writer_commit(w, gc, &err) < 0)
		goto fail;
	queue_writer_free(&w);
	return 0;
fail:
	fprintf(stderr, "  write_message: %s\n", err.text);
	queue_writer_free(&w);
	return -1;
}

#endif

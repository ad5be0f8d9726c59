/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the queue writer and group committer: files round-trip
 * through the reader, the header/body boundary is found at every chunk
 * split, an abandoned writer leaves nothing, ids from forked processes
 * are unique and ordered, and the committer never lets a caller return
 * before an fsync that started after its rename.
 */
#include "queue/queue_writer.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "queue/queue_commit.h"
#include "queue/queue_dir.h"
#include "queue/queue_file.h"
#include "queue/queue_id.h"

#include "t.h"
#include "test_queue_util.h"

static const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;

static void
writer_round_trip(void)
{
	static const char msg[] = "Subject: test\r\nX: y\r\n\r\nline 1\r\n"
	                          "line 2\r\n";
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], got[64];
	const struct queue_env *env;
	struct queue_file *qf;
	uint64_t sec, off;
	uint32_t usec;
	struct err err;
	ssize_t n;

	T_EQ_INT(write_message(qd, NULL, msg, sizeof(msg) - 1, 7, id), 0);
	T_CHECK(queue_id_valid(id));
	T_EQ_INT(count_entries(dir, "incoming"), 1);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	T_EQ_STR(queue_file_id(qf), id);
	T_EQ_STR(env->sender, "from@example.com");
	T_EQ_STR(env->client_addr, "127.0.0.1");
	T_EQ_INT(env->nrcpt, 2);
	T_EQ_STR(env->rcpts[1].orcpt, "rfc822;two@example.org");
	T_EQ_INT(env->rcpts[0].notify, QUEUE_NOTIFY_DELAY);
	/* Arrival time defaults to the time in the id. */
	T_CHECK(queue_id_parse(id, strlen(id), &sec, &usec, NULL));
	T_CHECK(env->arrival_sec == sec);
	T_EQ_INT(env->arrival_usec, usec);
	T_CHECK(queue_file_content_size(qf) == sizeof(msg) - 1);
	T_CHECK(queue_file_body_offset(qf) == 23);
	/* Stream the body from its offset, in small reads. */
	off = queue_file_body_offset(qf);
	n = queue_file_read(qf, off, got, 5, &err);
	T_EQ_INT(n, 5);
	n = queue_file_read(qf, off + 5, got + 5, sizeof(got) - 5, &err);
	T_EQ_INT(n, 11);
	got[16] = '\0';
	T_EQ_STR(got, "line 1\r\nline 2\r\n");
	T_EQ_INT(
	    queue_file_read(qf, queue_file_content_size(qf), got, 5, &err), 0);
	T_CHECK(!queue_file_finished(qf));
	queue_file_close(&qf);
	T_CHECK(qf == NULL);
	drop_queue(dir, &qd);
}

static void
writer_body_offset_every_split(void)
{
	static const struct {
		const char *msg;
		uint64_t body;
	} cases[] = {
	    {"A: b\r\n\r\nbody", 8},
	    {"A: b\n\nbody", 6},
	    {"A: b\r\nC: d\r\n\r\n", 14},
	    {"no body at all", 14},
	    {"A: b\r\n", 6},
	    {"\r\nbody first", 2},
	    {"\nx", 1},
	    {"A\r\r\nB\r\n\r\nC", 9},
	    {"A\r\nB\r\rC\n\nD", 9},
	};
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE];
	struct queue_file *qf;
	struct err err;
	size_t i, chunk, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].msg);
		for (chunk = 1; chunk <= len; chunk++) {
			if (write_message(
			        qd, NULL, cases[i].msg, len, chunk, id) < 0 ||
			    !T_EQ_INT(queue_file_open(qd, QUEUE_INCOMING, id,
			                  false, &lim, &qf, &err),
			        1))
				continue;
			if (!T_EQ_INT(
			        queue_file_body_offset(qf), cases[i].body))
				fprintf(
				    stderr, "  case %zu chunk %zu\n", i, chunk);
			queue_file_close(&qf);
			queue_dir_remove(qd, QUEUE_INCOMING, id, &err);
		}
	}
	drop_queue(dir, &qd);
}

static void
writer_abandoned_leaves_nothing(void)
{
	struct queue_env env = test_env();
	struct queue_dir *qd;
	char *dir = make_queue(&qd);
	struct queue_writer *w;
	struct err err;

	T_EQ_INT(queue_writer_open(qd, QUEUE_INCOMING, &w, &err), 0);
	T_EQ_INT(count_temp(dir, "incoming"), 1);
	T_EQ_INT(queue_writer_envelope(w, &env, &err), 0);
	T_EQ_INT(queue_writer_write(w, "x\r\n", 3, &err), 0);
	queue_writer_free(&w);
	T_CHECK(w == NULL);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	T_EQ_INT(count_entries(dir, "incoming"), 0);
	T_EQ_INT(queue_writer_open(qd, QUEUE_INCOMING, &w, &err), 0);
	queue_writer_free(&w);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	/* A bad envelope is refused before anything is written. */
	env.nrcpt = 0;
	T_EQ_INT(queue_writer_open(qd, QUEUE_INCOMING, &w, &err), 0);
	T_EQ_INT(queue_writer_envelope(w, &env, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	queue_writer_free(&w);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	drop_queue(dir, &qd);
}

#define FORK_CHILDREN 4
#define FORK_MESSAGES 25

static void
writer_child(struct queue_dir *qd, struct queue_commit *gc, int out_fd)
{
	char id[QUEUE_ID_SIZE], line[QUEUE_ID_SIZE + 1];
	int i, n;

	for (i = 0; i < FORK_MESSAGES; i++) {
		if (write_message(qd, gc, "S: x\r\n\r\nb\r\n", 11, 4, id) < 0)
			_exit(1);
		n = snprintf(line, sizeof(line), "%s\n", id);
		if (write(out_fd, line, (size_t)n) != n)
			_exit(1);
	}
	_exit(0);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Children write at the same time (through the committer when group). */
static void
run_writers(
    struct queue_dir *qd, bool group, char *ids[FORK_CHILDREN][FORK_MESSAGES])
{
	struct queue_commit *gc = NULL;
	int p[FORK_CHILDREN][2], c, m, status;
	struct err err;
	char line[64];
	FILE *fp;

	for (c = 0; c < FORK_CHILDREN; c++) {
		T_EQ_INT(pipe(p[c]), 0);
		if (fork() == 0) {
			close(p[c][0]);
			if (group &&
			    queue_commit_open(
			        queue_dir_fd(qd, QUEUE_INCOMING, &err), &gc,
			        &err) < 0)
				_exit(1);
			writer_child(qd, gc, p[c][1]);
		}
		close(p[c][1]);
	}
	for (c = 0; c < FORK_CHILDREN; c++) {
		fp = fdopen(p[c][0], "r");
		for (m = 0; m < FORK_MESSAGES; m++) {
			ids[c][m] = NULL;
			if (fp == NULL || fgets(line, sizeof(line), fp) == NULL)
				continue;
			line[strcspn(line, "\n")] = '\0';
			ids[c][m] = strdup(line);
		}
		if (fp != NULL)
			fclose(fp);
	}
	for (c = 0; c < FORK_CHILDREN; c++) {
		T_CHECK(wait(&status) > 0);
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* Every file is there under its id and parses; ids unique and ordered. */
static void
check_ids(struct queue_dir *qd, char *ids[FORK_CHILDREN][FORK_MESSAGES])
{
	char *all[FORK_CHILDREN * FORK_MESSAGES];
	struct queue_file *qf;
	struct err err;
	size_t n = 0, i;
	int c, m;

	for (c = 0; c < FORK_CHILDREN; c++)
		for (m = 0; m < FORK_MESSAGES; m++) {
			if (!T_CHECK(ids[c][m] != NULL))
				continue;
			all[n++] = ids[c][m];
			T_CHECK(queue_id_valid(ids[c][m]));
			/* One process's ids are in arrival order. */
			if (m > 0 && ids[c][m - 1] != NULL)
				T_CHECK(memcmp(ids[c][m - 1], ids[c][m],
				            QUEUE_ID_TIME_LEN) <= 0);
			if (T_EQ_INT(queue_file_open(qd, QUEUE_INCOMING,
			                 ids[c][m], false, &lim, &qf, &err),
			        1))
				queue_file_close(&qf);
		}
	T_EQ_INT(n, FORK_CHILDREN * FORK_MESSAGES);
	qsort(all, n, sizeof(all[0]), cmp_str);
	for (i = 1; i < n; i++)
		T_CHECK(strcmp(all[i - 1], all[i]) != 0);
	for (i = 0; i < n; i++)
		free(all[i]);
}

static void
writer_ids_unique_across_processes(void)
{
	char *ids[FORK_CHILDREN][FORK_MESSAGES];
	struct queue_dir *qd;
	char *dir = make_queue(&qd);

	run_writers(qd, false, ids);
	check_ids(qd, ids);
	T_EQ_INT(count_entries(dir, "incoming"), FORK_CHILDREN * FORK_MESSAGES);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	drop_queue(dir, &qd);
}

static void
writer_group_commit_concurrent(void)
{
	char *ids[FORK_CHILDREN][FORK_MESSAGES];
	struct queue_dir *qd;
	char *dir = make_queue(&qd);

	run_writers(qd, true, ids);
	check_ids(qd, ids);
	T_EQ_INT(count_entries(dir, "incoming"), FORK_CHILDREN * FORK_MESSAGES);
	drop_queue(dir, &qd);
}

/*
 * The rule, step by step, with two committers in one process (each has
 * its own open file, so their flocks exclude each other as between
 * processes).
 */
static void
commit_waits_for_a_later_sync(void)
{
	struct queue_commit *a, *b;
	struct queue_dir *qd;
	char *dir = make_queue(&qd), path[512];
	unsigned char junk[16];
	struct err err;
	uint64_t t;
	bool led;
	int fd, dfd = queue_dir_fd(qd, QUEUE_INCOMING, &err);

	T_EQ_INT(queue_commit_open(dfd, &a, &err), 0);
	T_EQ_INT(queue_commit_open(dfd, &b, &err), 0);
	T_CHECK(queue_commit_is_for(a, dfd));
	T_CHECK(!queue_commit_is_for(a, queue_dir_fd(qd, QUEUE_ACTIVE, &err)));
	/* First caller ever: nobody synced after its ticket, so it leads. */
	T_EQ_INT(queue_commit_sync(a, &led, &err), 0);
	T_CHECK(led);
	/* A's change is done; B then starts and finishes a sync: it
	 * covers A's change, so A returns without syncing. */
	t = queue_commit_ticket(a);
	T_EQ_INT(queue_commit_sync(b, &led, &err), 0);
	T_CHECK(led);
	T_EQ_INT(queue_commit_wait(a, t, &led, &err), 0);
	T_CHECK(!led);
	/* A sync that finished before the ticket proves nothing. */
	T_EQ_INT(queue_commit_sync(b, &led, &err), 0);
	t = queue_commit_ticket(a);
	T_EQ_INT(queue_commit_wait(a, t, &led, &err), 0);
	T_CHECK(led);
	/* A ticket is good once: waiting again on it needs no sync. */
	T_EQ_INT(queue_commit_wait(b, t, &led, &err), 0);
	T_CHECK(!led);
	/* Garbage counters ("completed" far ahead) are not trusted. */
	snprintf(path, sizeof(path), "%s/incoming/%s", dir, QUEUE_COMMIT_FILE);
	memset(junk, 0xff, sizeof(junk));
	fd = open(path, O_WRONLY);
	T_CHECK(fd >= 0 && pwrite(fd, junk + 8, 8, 8) == 8);
	close(fd);
	t = queue_commit_ticket(a);
	T_EQ_INT(queue_commit_wait(a, t, &led, &err), 0);
	T_CHECK(led);
	queue_commit_close(&a);
	queue_commit_close(&b);
	T_CHECK(a == NULL);
	drop_queue(dir, &qd);
}

static void
clean_temp_removes_only_old_temp_files(void)
{
	struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], path[512];
	struct queue_writer *w;
	unsigned removed;
	struct err err;
	int fd;

	T_EQ_INT(write_message(qd, NULL, "x", 1, 1, id), 0);
	T_EQ_INT(queue_writer_open(qd, QUEUE_INCOMING, &w, &err), 0);
	snprintf(path, sizeof(path),
	    "%s/incoming/" QUEUE_DIR_TEMP_PREFIX "crashed", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	T_CHECK(fd >= 0);
	close(fd);
	T_EQ_INT(utimensat(AT_FDCWD, path, old, 0), 0);
	/* The id file is old too, but it is not a temporary file. */
	snprintf(path, sizeof(path), "%s/incoming/%s", dir, id);
	T_EQ_INT(utimensat(AT_FDCWD, path, old, 0), 0);
	T_EQ_INT(
	    queue_dir_clean_temp(qd, QUEUE_INCOMING, 2000, &removed, &err), 0);
	T_EQ_INT(removed, 1);
	T_EQ_INT(count_temp(dir, "incoming"), 1); /* the live writer */
	T_EQ_INT(count_entries(dir, "incoming"), 1);
	queue_writer_free(&w);
	T_EQ_INT(count_temp(dir, "incoming"), 0);
	drop_queue(dir, &qd);
}

T_MAIN(T_CASE(writer_round_trip), T_CASE(writer_body_offset_every_split),
    T_CASE(writer_abandoned_leaves_nothing),
    T_CASE(writer_ids_unique_across_processes),
    T_CASE(writer_group_commit_concurrent),
    T_CASE(commit_waits_for_a_later_sync),
    T_CASE(clean_temp_removes_only_old_temp_files))

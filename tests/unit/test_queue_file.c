/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the queue file reader: recipient results survive a
 * reopen and concurrent markers, a torn result tail is ignored and then
 * cut off, a file cut anywhere before its result log is corrupt (never a
 * crash), and files move between queue directories.
 */
#include "queue/queue_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "queue/queue_dir.h"
#include "queue/queue_hdr.h"
#include "queue/queue_id.h"
#include "queue/queue_log.h"

#include "t.h"
#include "test_queue_util.h"

static const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;

static const char msg[] = "Subject: s\r\n\r\nbody\r\n";

static char *
path_of(char out[512], const char *dir, const char *sub, const char *id)
{
	snprintf(out, 512, "%s/%s/%s", dir, sub, id);
	return out;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
marks_survive_reopen(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE];
	const struct queue_env *env;
	struct queue_file *qf;
	struct err err;

	T_EQ_INT(write_message(qd, NULL, msg, sizeof(msg) - 1, 64, id), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, true, &lim, &qf, &err), 1);
	T_EQ_INT(queue_file_mark(qf, 0, QUEUE_RCPT_DONE, "2.0.0",
	             "delivered to maildir", &err),
	    0);
	T_EQ_INT(queue_file_mark(qf, 1, QUEUE_RCPT_DEFERRED, "4.4.1",
	             "connection refused", &err),
	    0);
	env = queue_file_env(qf);
	T_EQ_INT(env->rcpts[0].state, QUEUE_RCPT_DONE);
	T_EQ_INT(env->rcpts[1].state, QUEUE_RCPT_DEFERRED);
	T_CHECK(!queue_file_finished(qf));
	queue_file_close(&qf);

	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, true, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	T_EQ_INT(env->rcpts[0].state, QUEUE_RCPT_DONE);
	T_EQ_STR(env->rcpts[0].reason, "delivered to maildir");
	T_EQ_INT(env->rcpts[1].state, QUEUE_RCPT_DEFERRED);
	T_EQ_STR(env->rcpts[1].dsn, "4.4.1");
	T_EQ_STR(env->rcpts[1].reason, "connection refused");
	T_CHECK(env->rcpts[1].state_time > 0);
	T_EQ_INT(queue_file_mark(
	             qf, 1, QUEUE_RCPT_BOUNCED, "5.1.1", "no such user", &err),
	    0);
	T_CHECK(queue_file_finished(qf));
	queue_file_close(&qf);

	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	T_EQ_INT(env->rcpts[1].state, QUEUE_RCPT_BOUNCED);
	T_EQ_INT(env->rcpts[1].attempts, 2);
	T_CHECK(queue_file_finished(qf));
	queue_file_close(&qf);
	drop_queue(dir, &qd);
}

#define MANY_RCPTS 24
#define MARKERS 4

static int
write_many(struct queue_dir *qd, char id[QUEUE_ID_SIZE])
{
	struct queue_rcpt r[MANY_RCPTS];
	struct queue_env env = {.sender = "", .rcpts = r, .nrcpt = MANY_RCPTS};
	char addr[MANY_RCPTS][32];
	struct queue_writer *w;
	struct err err;
	int i, rc;

	memset(r, 0, sizeof(r));
	for (i = 0; i < MANY_RCPTS; i++) {
		snprintf(addr[i], sizeof(addr[i]), "u%d@example.org", i);
		r[i].address = addr[i];
	}
	if (queue_writer_open(qd, QUEUE_INCOMING, &w, &err) < 0)
		return -1;
	snprintf(id, QUEUE_ID_SIZE, "%s", queue_writer_id(w));
	rc = queue_writer_envelope(w, &env, &err) < 0 ||
	        queue_writer_write(w, msg, sizeof(msg) - 1, &err) < 0 ||
	        queue_writer_commit(w, NULL, &err) < 0
	    ? -1
	    : 0;
	queue_writer_free(&w);
	return rc;
}

/* Processes marking different recipients of one file at the same time. */
static void
marks_from_several_processes(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE];
	const struct queue_env *env;
	struct queue_file *qf, *old;
	struct err err;
	int c, i, status;

	T_EQ_INT(write_many(qd, id), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &old, &err),
	    1);
	for (c = 0; c < MARKERS; c++) {
		if (fork() != 0)
			continue;
		if (queue_file_open(
		        qd, QUEUE_INCOMING, id, true, &lim, &qf, &err) != 1)
			_exit(1);
		for (i = c; i < MANY_RCPTS; i += MARKERS)
			if (queue_file_mark(qf, (size_t)i, QUEUE_RCPT_DONE,
			        "2.0.0", "ok", &err) < 0)
				_exit(1);
		queue_file_close(&qf);
		_exit(0);
	}
	for (c = 0; c < MARKERS; c++) {
		T_CHECK(wait(&status) > 0);
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	for (i = 0; i < MANY_RCPTS; i++) {
		T_EQ_INT(env->rcpts[i].state, QUEUE_RCPT_DONE);
		T_EQ_INT(env->rcpts[i].attempts, 1);
	}
	T_CHECK(queue_file_finished(qf));
	queue_file_close(&qf);
	/* A handle opened before the marks sees them after a refresh. */
	T_CHECK(!queue_file_finished(old));
	T_EQ_INT(queue_file_refresh(old, &err), 0);
	T_CHECK(queue_file_finished(old));
	queue_file_close(&old);
	drop_queue(dir, &qd);
}

static int
append_bytes(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, p, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * A marker that crashed mid-append leaves part of a frame: readers
 * ignore it, and the next marker cuts it off before appending.
 */
static void
torn_tail_is_ignored_then_cut(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], path[512];
	const struct queue_env *env;
	struct queue_file *qf;
	off_t clean, one_frame;
	struct buf frame;
	struct err err;

	buf_init(&frame);
	T_EQ_INT(write_message(qd, NULL, msg, sizeof(msg) - 1, 64, id), 0);
	path_of(path, dir, "incoming", id);
	clean = file_size(path);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, true, &lim, &qf, &err), 1);
	T_EQ_INT(
	    queue_file_mark(qf, 0, QUEUE_RCPT_DONE, "2.0.0", NULL, &err), 0);
	queue_file_close(&qf);
	one_frame = file_size(path) - clean;
	T_CHECK(one_frame > 8);
	/* The first 9 bytes of a frame marking recipient 1 done. */
	T_EQ_INT(append_bytes(path, "\0\0\0\x20\x69\0\0\0\x01", 9), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, true, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	T_EQ_INT(env->rcpts[0].state, QUEUE_RCPT_DONE);
	T_EQ_INT(env->rcpts[1].state, QUEUE_RCPT_PENDING);
	T_EQ_INT(
	    queue_file_mark(qf, 1, QUEUE_RCPT_DEFERRED, "4.2.0", "later", &err),
	    0);
	queue_file_close(&qf);
	/* The torn bytes are gone: exactly two whole frames follow. */
	queue_log_encode(&frame, 1, QUEUE_RCPT_DEFERRED, (uint64_t)time(NULL),
	    "4.2.0", "later");
	T_EQ_INT(file_size(path), clean + one_frame + (off_t)frame.len);
	buf_deinit(&frame);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &qf, &err), 1);
	env = queue_file_env(qf);
	T_EQ_INT(env->rcpts[0].state, QUEUE_RCPT_DONE);
	T_EQ_INT(env->rcpts[1].state, QUEUE_RCPT_DEFERRED);
	T_EQ_STR(env->rcpts[1].reason, "later");
	queue_file_close(&qf);
	drop_queue(dir, &qd);
}

static int
read_whole(const char *path, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	return 0;
}

/* The file as written, cut at every length, opened by the real reader. */
static void
cut_file_is_corrupt_never_a_crash(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], cut_id[QUEUE_ID_SIZE];
	char path[512];
	struct queue_file *qf;
	struct queue_hdr hdr;
	struct buf whole;
	struct err err;
	size_t cut, log_at;
	int fd, rc;

	buf_init(&whole);
	T_EQ_INT(write_message(qd, NULL, msg, sizeof(msg) - 1, 64, id), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, true, &lim, &qf, &err), 1);
	T_EQ_INT(
	    queue_file_mark(qf, 1, QUEUE_RCPT_DONE, "2.0.0", "x", &err), 0);
	queue_file_close(&qf);
	T_EQ_INT(read_whole(path_of(path, dir, "incoming", id), &whole), 0);
	T_EQ_INT(queue_hdr_parse(whole.data, whole.len, &hdr, &err), 0);
	log_at = (size_t)queue_hdr_log_offset(&hdr);
	for (cut = 0; cut <= whole.len; cut++) {
		queue_id_make(1, 0, cut + 1, cut_id);
		fd = open(path_of(path, dir, "deferred", cut_id),
		    O_WRONLY | O_CREAT | O_EXCL, 0600);
		T_CHECK(fd >= 0 && write(fd, whole.data, cut) == (ssize_t)cut);
		close(fd);
		err_clear(&err);
		qf = NULL;
		rc = queue_file_open(
		    qd, QUEUE_DEFERRED, cut_id, false, &lim, &qf, &err);
		if (cut < log_at) {
			if (!T_EQ_INT(rc, -1) || !T_EQ_INT(err.kind, ERR_PERM))
				fprintf(stderr, "  cut at %zu\n", cut);
		} else if (T_EQ_INT(rc, 1))
			/* Inside the log: the torn frame is simply absent. */
			T_EQ_INT(queue_file_env(qf)->rcpts[1].state,
			    cut == whole.len ? QUEUE_RCPT_DONE
			                     : QUEUE_RCPT_PENDING);
		queue_file_close(&qf);
	}
	buf_deinit(&whole);
	drop_queue(dir, &qd);
}

static int
scan_collect(const char *id, void *ctx)
{
	buf_printf(ctx, "%s\n", id);
	return 0;
}

static void
move_scan_and_remove(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], path[512];
	struct queue_file *qf;
	enum queue_sub sub;
	struct buf seen;
	struct err err;
	int fd;

	buf_init(&seen);
	T_EQ_INT(write_message(qd, NULL, msg, sizeof(msg) - 1, 64, id), 0);
	T_EQ_INT(
	    queue_dir_move(qd, id, QUEUE_INCOMING, QUEUE_ACTIVE, true, &err),
	    1);
	T_EQ_INT(
	    queue_dir_move(qd, id, QUEUE_INCOMING, QUEUE_ACTIVE, true, &err),
	    0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_INCOMING, id, false, &lim, &qf, &err), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_ACTIVE, id, true, &lim, &qf, &err), 1);
	/* An open file stays usable while qmgr moves it. */
	T_EQ_INT(
	    queue_dir_move(qd, id, QUEUE_ACTIVE, QUEUE_DEFERRED, false, &err),
	    1);
	T_EQ_INT(queue_dir_sync(qd, QUEUE_DEFERRED, &err), 0);
	T_EQ_INT(queue_file_mark(qf, 0, QUEUE_RCPT_DONE, NULL, NULL, &err), 0);
	queue_file_close(&qf);
	T_EQ_INT(
	    queue_dir_scan(qd, QUEUE_DEFERRED, scan_collect, &seen, &err), 0);
	T_CHECK(strncmp(seen.data, id, strlen(id)) == 0);
	T_EQ_INT(seen.len, strlen(id) + 1);
	/* A move never replaces a file of the same name. */
	fd = open(path_of(path, dir, "hold", id), O_WRONLY | O_CREAT, 0600);
	close(fd);
	T_EQ_INT(
	    queue_dir_move(qd, id, QUEUE_DEFERRED, QUEUE_HOLD, true, &err), -1);
	T_EQ_INT(err.kind, ERR_TEMP);
	T_EQ_INT(count_entries(dir, "deferred"), 1);
	T_EQ_INT(queue_dir_remove(qd, QUEUE_DEFERRED, id, &err), 1);
	T_EQ_INT(queue_dir_remove(qd, QUEUE_DEFERRED, id, &err), 0);
	T_EQ_INT(queue_dir_remove(qd, QUEUE_DEFERRED, "../x", &err), -1);
	T_EQ_INT(queue_dir_sub_parse("hold", &sub), 0);
	T_EQ_INT(sub, QUEUE_HOLD);
	T_EQ_STR(queue_dir_sub_name(QUEUE_CORRUPT), "corrupt");
	T_EQ_INT(queue_dir_sub_parse("spool", &sub), -1);
	buf_deinit(&seen);
	drop_queue(dir, &qd);
}

static void
odd_files_are_corrupt_or_absent(void)
{
	struct queue_dir *qd;
	char *dir = make_queue(&qd), id[QUEUE_ID_SIZE], path[512];
	struct queue_file *qf;
	struct err err;

	queue_id_make(1, 0, 1, id);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_ACTIVE, id, false, &lim, &qf, &err), 0);
	T_EQ_INT(queue_file_open(qd, QUEUE_ACTIVE, "../../etc/passwd", false,
	             &lim, &qf, &err),
	    0);
	T_EQ_INT(mkfifo(path_of(path, dir, "active", id), 0600), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_ACTIVE, id, false, &lim, &qf, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	queue_id_make(1, 0, 2, id);
	T_EQ_INT(symlink("/etc/passwd", path_of(path, dir, "active", id)), 0);
	T_EQ_INT(
	    queue_file_open(qd, QUEUE_ACTIVE, id, false, &lim, &qf, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	drop_queue(dir, &qd);
}

T_MAIN(T_CASE(marks_survive_reopen), T_CASE(marks_from_several_processes),
    T_CASE(torn_tail_is_ignored_then_cut),
    T_CASE(cut_file_is_corrupt_never_a_crash), T_CASE(move_scan_and_remove),
    T_CASE(odd_files_are_corrupt_or_absent))

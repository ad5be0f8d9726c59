/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/server: the test fixtures postern-test-echod
 * and postern-test-triggerd are started the way the master starts a
 * daemon (fds 3, 4, 5 set up here) in a temporary instance, and the
 * status records, max_use, max_idle, SIGTERM, the lifeline and the
 * privilege drop are checked from outside. Readiness comes from the
 * status pipe, never from sleeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/master_proto.h"

#include "t.h"

#ifndef POSTERN_TEST_BIN_DIR
#define POSTERN_TEST_BIN_DIR "."
#endif

#define WAIT_MS 20000

struct child {
	char dir[64];
	char path[100]; /* listening socket or fifo */
	pid_t pid;
	int status_fd; /* read end */
	int lifeline_fd; /* write end: close it and the child goes */
	int listen_fd;
	int stderr_fd; /* read end of the child's stderr */
};

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	T_CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
}

/* A temporary instance directory holding main.cf; it is also the queue. */
static void
instance_init(struct child *c, const char *extra)
{
	char maincf[256], text[2048];
	const char *user = "nobody";

	/* A hung child fails the test instead of hanging CTest. */
	alarm(120);
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->status_fd = c->lifeline_fd = c->listen_fd = c->stderr_fd = -1;
	snprintf(c->dir, sizeof(c->dir), "/tmp/postern-server-XXXXXX");
	T_CHECK(mkdtemp(c->dir) != NULL);
	chmod(c->dir, 0755);
	if (geteuid() != 0)
		user = getpwuid(geteuid())->pw_name;
	snprintf(text, sizeof(text),
	    "# test instance\n"
	    "queue_directory = %s\n"
	    "maillog_file = %s/log\n"
	    "syslog_enable = no\n"
	    "mail_owner = %s\n"
	    "myhostname = test.example\n"
	    "max_use = 2\n"
	    "%s",
	    c->dir, c->dir, user, extra);
	snprintf(maincf, sizeof(maincf), "%s/main.cf", c->dir);
	write_file(maincf, text);
}

static int
listen_unix(struct child *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(c->path, sizeof(c->path), "%s/sock", c->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	T_CHECK(fd >= 0);
	T_EQ_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	T_EQ_INT(listen(fd, 8), 0);
	return fd;
}

static int
connect_unix(const struct child *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	T_EQ_INT(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* In the child: put src[i] on dst[i] without clobbering a source. */
static void
child_fds(const int src[3], int errfd)
{
	int hi[3], i;

	for (i = 0; i < 3; i++)
		hi[i] = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD_CLOEXEC, 20);
	dup2(errfd, STDERR_FILENO);
	for (i = 0; i < 3; i++) {
		if (hi[i] >= 0)
			dup2(hi[i], MASTER_STATUS_FD + i);
		else
			close(MASTER_STATUS_FD + i);
	}
}

/* Start prog as the master would; with_fds false leaves 3-5 closed. */
static void
child_start(struct child *c, const char *prog, bool with_fds, const char *opt1,
    const char *opt2)
{
	char exe[256];
	const char *argv[16];
	int status[2], life[2], err[2], n = 0;

	snprintf(exe, sizeof(exe), "%s/%s", POSTERN_TEST_BIN_DIR, prog);
	argv[n++] = exe;
	argv[n++] = "-n";
	argv[n++] = "test-svc";
	argv[n++] = "-t";
	argv[n++] = "unix";
	argv[n++] = "-c";
	argv[n++] = c->dir;
	if (geteuid() == 0)
		argv[n++] = "-S";
	if (opt1 != NULL) {
		argv[n++] = "-o";
		argv[n++] = opt1;
	}
	if (opt2 != NULL) {
		argv[n++] = "-o";
		argv[n++] = opt2;
	}
	argv[n] = NULL;
	T_CHECK(pipe2(status, O_CLOEXEC) == 0 && pipe2(life, O_CLOEXEC) == 0 &&
	    pipe2(err, O_CLOEXEC) == 0);
	c->pid = fork();
	if (c->pid == 0) {
		int src[3] = {status[1], life[0], c->listen_fd};

		if (!with_fds)
			src[0] = src[1] = src[2] = -1;
		child_fds(src, err[1]);
		execv(exe, (char **)argv);
		_exit(127);
	}
	close(status[1]);
	close(life[0]);
	close(err[1]);
	c->status_fd = status[0];
	c->lifeline_fd = life[1];
	c->stderr_fd = err[0];
}

/* Read n bytes within WAIT_MS; returns the count read (0 on EOF). */
static size_t
read_wait(int fd, char *out, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&pfd, 1, WAIT_MS) <= 0)
			break;
		r = read(fd, out + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	return got;
}

/* After a failure: show what the child said, without blocking. */
static void
child_stderr(const struct child *c)
{
	char text[4096];
	ssize_t n;

	fcntl(c->stderr_fd, F_SETFL, O_NONBLOCK);
	n = read(c->stderr_fd, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = '\0';
		fprintf(stderr, "  child stderr: %s", text);
	}
}

/* The next status record must be "<kind> <pid>\n". */
static bool
expect_status(const struct child *c, char kind)
{
	char rec[MASTER_STATUS_LEN + 1], want[32];

	snprintf(want, sizeof(want), "%c %010ld\n", kind, (long)c->pid);
	read_wait(c->status_fd, rec, MASTER_STATUS_LEN);
	if (T_EQ_STR(rec, want))
		return true;
	child_stderr(c);
	return false;
}

/* One reply line, without its LF. */
static void
read_line(int fd, char *reply, size_t size)
{
	size_t got = 0;

	while (got + 1 < size) {
		if (read_wait(fd, reply + got, 1) != 1)
			break;
		if (reply[got++] == '\n')
			break;
	}
	reply[got] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
}

/* One request line, one reply line. */
static void
ask(int fd, const char *line, char *reply, size_t size)
{
	T_EQ_INT(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	read_line(fd, reply, size);
}

/* Wait for the child; returns its exit status, or -1 if killed. */
static int
child_wait(struct child *c)
{
	int status;

	if (waitpid(c->pid, &status, 0) != c->pid)
		return -2;
	c->pid = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
count_in_file(const char *path, const char *needle)
{
	char text[65536];
	FILE *fp = fopen(path, "r");
	size_t n;
	int count = 0;
	const char *p;

	if (fp == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		count++;
	return count;
}

static void
child_cleanup(struct child *c)
{
	char cmd[128];

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		child_wait(c);
	}
	if (c->status_fd >= 0)
		close(c->status_fd);
	if (c->lifeline_fd >= 0)
		close(c->lifeline_fd);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->stderr_fd >= 0)
		close(c->stderr_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	T_EQ_INT(system(cmd), 0);
}

static void
echo_session(const struct child *c, bool last)
{
	char reply[512], want[512];
	int fd = connect_unix(c);

	expect_status(c, 'B');
	ask(fd, "hello world\r\n", reply, sizeof(reply));
	snprintf(want, sizeof(want), "test-svc %ld hello world", (long)c->pid);
	T_EQ_STR(reply, want);
	/* Pipelined lines are all answered, in order. */
	ask(fd, "one\ntwo\n", reply, sizeof(reply));
	snprintf(want, sizeof(want), "test-svc %ld one", (long)c->pid);
	T_EQ_STR(reply, want);
	read_line(fd, reply, sizeof(reply));
	snprintf(want, sizeof(want), "test-svc %ld two", (long)c->pid);
	T_EQ_STR(reply, want);
	ask(fd, "CONF queue_directory\n", reply, sizeof(reply));
	T_EQ_STR(reply, c->dir);
	/* $myhostname expanded; the -o override beats main.cf. */
	ask(fd, "CONF myorigin\n", reply, sizeof(reply));
	T_EQ_STR(reply, "override.example");
	ask(fd, "CONF no_such_parameter\n", reply, sizeof(reply));
	T_EQ_STR(reply, "NOPARAM no_such_parameter");
	ask(fd, "IDS\n", reply, sizeof(reply));
	if (geteuid() == 0)
		T_CHECK(strncmp(reply, "0 ", 2) != 0 &&
		    strstr(reply, " 0 ") == NULL);
	ask(fd, "QUIT\n", reply, sizeof(reply));
	T_EQ_STR(reply, "BYE");
	close(fd);
	if (!last)
		expect_status(c, 'I');
}

static void
one_client_status_echo_max_use(void)
{
	struct child c;
	char log[128], rec[MASTER_STATUS_LEN + 1];

	instance_init(&c, "");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-echod", true,
	    "myhostname=override.example", NULL);
	expect_status(&c, 'I');
	echo_session(&c, false);
	echo_session(&c, true);
	/* max_use = 2: the process exits by itself, with no other record. */
	T_EQ_INT(child_wait(&c), 0);
	T_EQ_INT(read_wait(c.status_fd, rec, MASTER_STATUS_LEN), 0);
	snprintf(log, sizeof(log), "%s/log", c.dir);
	T_EQ_INT(
	    count_in_file(log, "not running as root"), geteuid() == 0 ? 0 : 1);
	child_cleanup(&c);
}

static void
exit_on_lifeline_eof(void)
{
	struct child c;

	instance_init(&c, "");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-echod", true, NULL, NULL);
	expect_status(&c, 'I');
	close(c.lifeline_fd);
	c.lifeline_fd = -1;
	T_EQ_INT(child_wait(&c), 0);
	child_cleanup(&c);
}

static void
exit_on_sigterm_and_idle(void)
{
	struct child c;

	instance_init(&c, "");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-echod", true, NULL, NULL);
	expect_status(&c, 'I');
	T_EQ_INT(kill(c.pid, SIGTERM), 0);
	T_EQ_INT(child_wait(&c), 0);
	child_cleanup(&c);

	/* max_idle = 1s and no client: a clean exit, not a hang. */
	instance_init(&c, "max_idle = 1s\n");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-echod", true, NULL, NULL);
	expect_status(&c, 'I');
	T_EQ_INT(child_wait(&c), 0);
	child_cleanup(&c);
}

static void
refuses_to_start_by_hand(void)
{
	struct child c;
	char err[1024];

	instance_init(&c, "");
	child_start(&c, "postern-test-echod", false, NULL, NULL);
	T_EQ_INT(child_wait(&c), 1);
	read_wait(c.stderr_fd, err, sizeof(err) - 1);
	T_CHECK(strstr(err, "started by the postern master") != NULL);
	child_cleanup(&c);
}

static void
bad_config_is_fatal(void)
{
	struct child c;
	char err[1024];

	instance_init(&c, "max_use = many\n");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-echod", true, NULL, NULL);
	T_EQ_INT(child_wait(&c), 1);
	read_wait(c.stderr_fd, err, sizeof(err) - 1);
	T_CHECK(strstr(err, "max_use") != NULL);
	child_cleanup(&c);
}

static void
trigger_fifo_and_socket(void)
{
	struct child c;
	char file[128], opt[192];

	instance_init(&c, "");
	snprintf(c.path, sizeof(c.path), "%s/fifo", c.dir);
	snprintf(file, sizeof(file), "%s/triggers", c.dir);
	snprintf(opt, sizeof(opt), "test_trigger_file=%s", file);
	T_EQ_INT(mkfifo(c.path, 0600), 0);
	c.listen_fd = open(c.path, O_RDWR | O_CLOEXEC);
	child_start(&c, "postern-test-triggerd", true, opt, NULL);
	expect_status(&c, 'I');
	T_EQ_INT(write(c.listen_fd, "W", 1), 1);
	expect_status(&c, 'B');
	expect_status(&c, 'I');
	T_EQ_INT(write(c.listen_fd, "XY", 2), 2);
	expect_status(&c, 'B');
	/* max_use = 2 counts triggers too: exit without another record. */
	T_EQ_INT(child_wait(&c), 0);
	T_EQ_INT(count_in_file(file, "WXY"), 1);
	child_cleanup(&c);

	/* The same over a unix socket: connect, write, hang up. */
	instance_init(&c, "");
	snprintf(file, sizeof(file), "%s/triggers", c.dir);
	snprintf(opt, sizeof(opt), "test_trigger_file=%s", file);
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-triggerd", true, opt, NULL);
	expect_status(&c, 'I');
	{
		int fd = connect_unix(&c);

		T_EQ_INT(write(fd, "F", 1), 1);
		close(fd);
	}
	expect_status(&c, 'B');
	expect_status(&c, 'I');
	T_EQ_INT(count_in_file(file, "F"), 1);
	close(c.lifeline_fd);
	c.lifeline_fd = -1;
	T_EQ_INT(child_wait(&c), 0);
	child_cleanup(&c);
}

/* Connect and get one answer, so the process has surely accepted. */
static int
event_client(const struct child *c, const char *tag)
{
	char line[64], reply[128], want[128];
	int fd = connect_unix(c);

	snprintf(line, sizeof(line), "%s\n", tag);
	ask(fd, line, reply, sizeof(reply));
	snprintf(want, sizeof(want), "test-svc %ld %s", (long)c->pid, tag);
	T_EQ_STR(reply, want);
	return fd;
}

/*
 * SERVER_EVENT: "B" only at client_limit or once max_use is used up;
 * records are ordered, so the absence of one shows in the next.
 */
static void
event_mode_limits(void)
{
	struct child c;
	int a, b, d;

	instance_init(&c, "client_limit = 2\nmax_use = 3\n");
	c.listen_fd = listen_unix(&c);
	child_start(&c, "postern-test-eventd", true, NULL, NULL);
	expect_status(&c, 'I');
	a = event_client(&c, "a");
	b = event_client(&c, "b");
	/* Two clients reach the limit: the first record since "I". */
	expect_status(&c, 'B');
	close(a);
	expect_status(&c, 'I');
	/* The third client uses up max_use: busy for good, then drain. */
	d = event_client(&c, "d");
	expect_status(&c, 'B');
	close(b);
	close(d);
	T_EQ_INT(child_wait(&c), 0);
	child_cleanup(&c);
}

T_MAIN(T_CASE(one_client_status_echo_max_use), T_CASE(exit_on_lifeline_eof),
    T_CASE(exit_on_sigterm_and_idle), T_CASE(refuses_to_start_by_hand),
    T_CASE(bad_config_is_fatal), T_CASE(trigger_fifo_and_socket),
    T_CASE(event_mode_limits))

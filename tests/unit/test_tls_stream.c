/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for core/stream (line reading, limits, deadlines, output)
 * and for TLS under a stream: STARTTLS with plaintext injected after the
 * command (CVE-2011-0411) and wrapper mode. The TLS peer runs in a
 * child process, since both handshakes block.
 */
#include "core/stream.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_tls_util.h"

static void
ts_feed(int fd, const char *text)
{
	size_t len = strlen(text);

	if (write(fd, text, len) != (ssize_t)len)
		exit(2);
}

static void
lines_and_partial_lines(void)
{
	struct stream st;
	const char *line;
	size_t len;
	bool too_long;
	int sv[2];

	tt_socketpair(sv);
	stream_init(&st, sv[0], 1000);
	ts_feed(sv[1], "EHLO a\r\nMAIL FROM:<x>\n\r\nRCPT");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 1);
	T_CHECK(len == 6 && memcmp(line, "EHLO a", 6) == 0 && !too_long);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 1);
	T_CHECK(len == 13 && memcmp(line, "MAIL FROM:<x>", 13) == 0);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 1);
	T_EQ_INT(len, 0);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 0);
	ts_feed(sv[1], " TO:<y>\r\n");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 1);
	T_CHECK(len == 11 && memcmp(line, "RCPT TO:<y>", 11) == 0);
	/* A CR alone is data, not a line end. */
	ts_feed(sv[1], "a\rb\r\n");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 100, &line, &len, &too_long), 1);
	T_CHECK(len == 3 && memcmp(line, "a\rb", 3) == 0);
	close(sv[1]);
	T_EQ_INT(stream_fill(&st), 0);
	stream_deinit(&st);
	close(sv[0]);
}

/* max counts the line end: 8 bytes + CR LF fit in 10, 9 + CR LF not. */
static void
line_limit_boundaries(void)
{
	struct stream st;
	const char *line;
	size_t len, avail;
	bool too_long;
	int sv[2];

	tt_socketpair(sv);
	stream_init(&st, sv[0], 1000);
	ts_feed(sv[1], "12345678\r\n123456789\r\nok\r\n");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 1);
	T_CHECK(len == 8 && !too_long);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 1);
	T_CHECK(too_long && len == 0);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 1);
	T_CHECK(!too_long && len == 2 && memcmp(line, "ok", 2) == 0);
	/* An over-long line arriving in pieces is dropped whole: its tail
	 * never becomes a line of its own. */
	ts_feed(sv[1], "0123456789ABCDEF");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 0);
	ts_feed(sv[1], "QUIT\r\nNOOP\r\n");
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 1);
	T_CHECK(too_long);
	T_EQ_INT(stream_line(&st, 10, &line, &len, &too_long), 1);
	T_CHECK(!too_long && len == 4 && memcmp(line, "NOOP", 4) == 0);
	/* Binary data: peek and consume. */
	T_EQ_INT(write(sv[1], "ab\0cd", 5), 5);
	T_EQ_INT(stream_fill(&st), 1);
	line = stream_peek(&st, &avail);
	T_CHECK(avail == 5 && memcmp(line, "ab\0cd", 5) == 0);
	stream_consume(&st, 3);
	line = stream_peek(&st, &avail);
	T_CHECK(avail == 2 && memcmp(line, "cd", 2) == 0);
	T_EQ_INT(stream_discard_input(&st), 2);
	T_EQ_INT(stream_discard_input(&st), 0);
	stream_deinit(&st);
	close(sv[0]);
	close(sv[1]);
}

static void
fill_deadline_and_flush(void)
{
	struct stream st;
	char in[64];
	int sv[2];

	tt_socketpair(sv);
	stream_init(&st, sv[0], 20);
	T_EQ_INT(stream_fill(&st), -1);
	T_EQ_INT(errno, ETIMEDOUT);
	stream_printf(&st, "220 %s ready\r\n", "mx.example");
	stream_write(&st, "250 ok\r\n", 8);
	T_EQ_INT(stream_flush(&st), 0);
	T_EQ_INT(st.out.len, 0);
	T_EQ_INT(read(sv[1], in, sizeof(in)), 30);
	T_CHECK(memcmp(in, "220 mx.example ready\r\n250 ok\r\n", 30) == 0);
	/* A peer that is gone: EPIPE, not a SIGPIPE. */
	close(sv[1]);
	stream_printf(&st, "221 bye\r\n");
	T_EQ_INT(stream_flush(&st), -1);
	T_EQ_INT(errno, EPIPE);
	stream_deinit(&st);
	close(sv[0]);
}

/* ---- TLS under a stream ---- */

struct ts_tls {
	char *dir, *cert, *key;
	struct tls_ctx *srv, *cli;
};

static void
ts_tls_init(struct ts_tls *t)
{
	struct tls_server_config scfg = {.service = "smtpd"};
	struct tls_client_config ccfg = {.level = TLS_LEVEL_ENCRYPT};
	struct err err;

	t->dir = tt_dir_new();
	t->cert = tt_path(t->dir, "cert.pem");
	t->key = tt_path(t->dir, "key.pem");
	tt_make_cert("mail.example.test", t->cert, t->key);
	scfg.cert_file = t->cert;
	scfg.key_file = t->key;
	t->srv = tls_ctx_server_new(&scfg, &err);
	t->cli = tls_ctx_client_new(&ccfg, &err);
	T_CHECK(t->srv != NULL && t->cli != NULL);
}

static void
ts_tls_deinit(struct ts_tls *t)
{
	tls_ctx_free(&t->srv);
	tls_ctx_free(&t->cli);
	free(t->cert);
	free(t->key);
	tt_dir_free(t->dir);
}

/* The child's side: exit status 0 when everything went as expected. */
static int
ts_client(struct tls_ctx *ctx, int fd, bool starttls)
{
	struct tls_session *c;
	struct stream st;
	const char *line;
	size_t len;
	bool too_long;
	int ok = 1;

	stream_init(&st, fd, 5000);
	if (starttls) {
		/* The attacker's trick: a command after STARTTLS, in the
		 * same packet, hoping it is read as sent over TLS. */
		stream_printf(&st, "STARTTLS\r\nRSET\r\n");
		if (stream_flush(&st) != 0 || stream_fill(&st) != 1 ||
		    stream_line(&st, 512, &line, &len, &too_long) != 1 ||
		    len < 3 || memcmp(line, "220", 3) != 0)
			return 3;
	}
	c = tls_session_client_new(ctx, fd, "mail.example.test", NULL);
	if (c == NULL || tls_stream_start(&st, c, NULL, NULL) != 0)
		return 4;
	stream_printf(&st, "EHLO good\r\n");
	if (stream_flush(&st) != 0 || stream_fill(&st) != 1 ||
	    stream_line(&st, 512, &line, &len, &too_long) != 1)
		return 5;
	ok = len == 6 && memcmp(line, "250 ok", 6) == 0;
	tls_session_shutdown(c);
	tls_session_free(&c);
	stream_deinit(&st);
	return ok ? 0 : 6;
}

static pid_t
ts_fork_client(struct ts_tls *t, int sv[2], bool starttls)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(sv[0]);
		_exit(ts_client(t->cli, sv[1], starttls));
	}
	close(sv[1]);
	return pid;
}

static void
ts_server_session(struct ts_tls *t, int fd, bool starttls)
{
	struct tls_session *s;
	struct stream st;
	const char *line;
	size_t len, discarded = 99;
	bool too_long;
	struct err err;

	stream_init(&st, fd, 5000);
	if (starttls) {
		T_EQ_INT(stream_fill(&st), 1);
		/* Both lines may already be here; only the first is read. */
		T_EQ_INT(stream_line(&st, 512, &line, &len, &too_long), 1);
		T_CHECK(len == 8 && memcmp(line, "STARTTLS", 8) == 0);
		stream_printf(&st, "220 2.0.0 Ready to start TLS\r\n");
	}
	s = tls_session_server_new(t->srv, fd, &err);
	T_EQ_INT(tls_stream_start(&st, s, &discarded, &err), 0);
	/* "RSET\r\n" was buffered with STARTTLS (one write), and dropped;
	 * had it been in flight, the handshake would have failed on it. */
	T_EQ_INT(discarded, starttls ? 6 : 0);
	T_EQ_INT(stream_fill(&st), 1);
	T_EQ_INT(stream_line(&st, 512, &line, &len, &too_long), 1);
	T_CHECK(len == 9 && memcmp(line, "EHLO good", 9) == 0);
	T_EQ_INT(stream_line(&st, 512, &line, &len, &too_long), 0);
	stream_printf(&st, "250 ok\r\n");
	T_EQ_INT(stream_flush(&st), 0);
	/* The client's close_notify ends the stream. */
	T_EQ_INT(stream_fill(&st), 0);
	tls_session_free(&s);
	stream_deinit(&st);
}

static void
ts_run(bool starttls)
{
	struct ts_tls t;
	int sv[2], status = -1;
	pid_t pid;

	ts_tls_init(&t);
	tt_socketpair(sv);
	pid = ts_fork_client(&t, sv, starttls);
	ts_server_session(&t, sv[0], starttls);
	close(sv[0]);
	T_EQ_INT(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFEXITED(status));
	T_EQ_INT(WEXITSTATUS(status), 0);
	ts_tls_deinit(&t);
}

static void
starttls_discards_injected_plaintext(void)
{
	ts_run(true);
}

static void
wrapper_mode(void)
{
	ts_run(false);
}

T_MAIN(T_CASE(lines_and_partial_lines), T_CASE(line_limit_boundaries),
    T_CASE(fill_deadline_and_flush),
    T_CASE(starttls_discards_injected_plaintext), T_CASE(wrapper_mode))

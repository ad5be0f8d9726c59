/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/tls across processes and time: session
 * resumption through the shared ticket key file (two contexts stand for
 * two processes of a service), ticket key rotation, and certificates
 * replaced on disk being picked up by tls_ctx_check().
 */
#include "tls/tls.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_tls_util.h"

struct tr_env {
	char *dir, *cert, *key, *tickets;
};

static void
tr_env_init(struct tr_env *env)
{
	env->dir = tt_dir_new();
	env->cert = tt_path(env->dir, "cert.pem");
	env->key = tt_path(env->dir, "key.pem");
	env->tickets = tt_path(env->dir, "ticket.key");
	tt_make_cert("mail.example.test", env->cert, env->key);
}

static void
tr_env_deinit(struct tr_env *env)
{
	free(env->cert);
	free(env->key);
	free(env->tickets);
	tt_dir_free(env->dir);
}

static struct tls_ctx *
tr_server(const struct tr_env *env, const char *service, const char *tickets,
    long long timeout)
{
	struct tls_server_config cfg = {.service = service,
	    .cert_file = env->cert,
	    .key_file = env->key,
	    .ticket_key_file = tickets,
	    .session_timeout = timeout};
	struct err err;
	struct tls_ctx *ctx = tls_ctx_server_new(&cfg, &err);

	if (!T_CHECK(ctx != NULL))
		fprintf(stderr, "  %s\n", err.text);
	return ctx;
}

static struct tls_ctx *
tr_client(const char *protocols, const char *ca)
{
	struct tls_client_config cfg = {
	    .level = ca ? TLS_LEVEL_VERIFY : TLS_LEVEL_MAY,
	    .protocols = protocols,
	    .ca_file = ca};
	struct err err;
	struct tls_ctx *ctx = tls_ctx_client_new(&cfg, &err);

	if (!T_CHECK(ctx != NULL))
		fprintf(stderr, "  %s\n", err.text);
	return ctx;
}

/*
 * One connection from cctx to sctx, offering the saved session (if
 * saved->len > 0) and replacing it with the session the server gave.
 * 1 resumed, 0 full handshake, -1 the handshake failed.
 */
static int
tr_connect(struct tls_ctx *sctx, struct tls_ctx *cctx, const char *name,
    struct buf *saved)
{
	struct tls_session *s, *c;
	struct err serr, cerr;
	int sv[2], rc = -1;

	tt_socketpair(sv);
	s = tls_session_server_new(sctx, sv[0], &serr);
	c = tls_session_client_new(cctx, sv[1], name, &cerr);
	if (saved != NULL && saved->len > 0)
		T_EQ_INT(
		    tls_session_import(c, saved->data, saved->len, &cerr), 0);
	if (tt_handshake(s, c, &serr, &cerr) == 0) {
		rc = tls_session_reused(s) ? 1 : 0;
		T_EQ_INT(tls_session_reused(c), rc);
		/* TLS 1.3 tickets come after the handshake: read them. */
		T_CHECK(tt_transfer(s, c, "220 ready\r\n"));
		if (saved != NULL) {
			buf_reset(saved);
			(void)tls_session_export(c, saved);
		}
	}
	tls_session_free(&s);
	tls_session_free(&c);
	close(sv[0]);
	close(sv[1]);
	return rc;
}

/* Two processes of one service share tickets; another key does not. */
static void
resumption_across_processes(void)
{
	static const char *const protocols[] = {"TLSv1.2", "TLSv1.3"};
	struct tr_env env;
	struct tls_ctx *a, *b, *other, *svc2, *cctx;
	char *tickets2;
	struct buf saved;
	struct stat sb;
	size_t i;

	tr_env_init(&env);
	tickets2 = tt_path(env.dir, "other.key");
	a = tr_server(&env, "smtpd", env.tickets, 3600);
	b = tr_server(&env, "smtpd", env.tickets, 3600);
	other = tr_server(&env, "smtpd", tickets2, 3600);
	svc2 = tr_server(&env, "imapd", env.tickets, 3600);
	/* The key file was made on first use: 80 secret bytes. */
	T_EQ_INT(stat(env.tickets, &sb), 0);
	T_EQ_INT(sb.st_size, 80);
	T_EQ_INT(sb.st_mode & 0777, 0600);
	buf_init(&saved);
	for (i = 0; i < 2; i++) {
		cctx = tr_client(protocols[i], NULL);
		buf_reset(&saved);
		T_EQ_INT(tr_connect(a, cctx, "mail.example.test", &saved), 0);
		T_CHECK(saved.len > 0);
		T_EQ_INT(tr_connect(b, cctx, "mail.example.test", &saved), 1);
		T_EQ_INT(tr_connect(a, cctx, "mail.example.test", &saved), 1);
		/* Another key, or another service: a full handshake. */
		T_EQ_INT(
		    tr_connect(other, cctx, "mail.example.test", &saved), 0);
		T_EQ_INT(
		    tr_connect(svc2, cctx, "mail.example.test", &saved), 0);
		tls_ctx_free(&cctx);
	}
	buf_deinit(&saved);
	tls_ctx_free(&a);
	tls_ctx_free(&b);
	tls_ctx_free(&other);
	tls_ctx_free(&svc2);
	free(tickets2);
	tr_env_deinit(&env);
}

static void
resumption_off(void)
{
	struct tr_env env;
	struct tls_ctx *a, *cctx;
	struct buf saved;

	tr_env_init(&env);
	a = tr_server(&env, "smtpd", env.tickets, 0);
	/* No resumption, so no key file either. */
	T_CHECK(access(env.tickets, F_OK) != 0);
	cctx = tr_client(NULL, NULL);
	buf_init(&saved);
	T_EQ_INT(tr_connect(a, cctx, NULL, &saved), 0);
	T_EQ_INT(saved.len, 0);
	T_EQ_INT(tr_connect(a, cctx, NULL, &saved), 0);
	buf_deinit(&saved);
	tls_ctx_free(&cctx);
	tls_ctx_free(&a);
	tr_env_deinit(&env);
}

/* A replaced key file: new tickets use it, old tickets still resume in
 * a process that saw both; a process that knows only the new key makes
 * a full handshake. */
static void
ticket_key_rotation(void)
{
	struct tr_env env;
	struct tls_ctx *a, *fresh, *cctx;
	struct buf saved, bad;
	struct err err;
	unsigned char key[80];
	FILE *fp;
	char *tmp;

	tr_env_init(&env);
	a = tr_server(&env, "smtpd", env.tickets, 3600);
	cctx = tr_client(NULL, NULL);
	buf_init(&saved);
	T_EQ_INT(tr_connect(a, cctx, NULL, &saved), 0);
	T_EQ_INT(tls_ctx_check(a, &err), 0);
	memset(key, 0x5a, sizeof(key));
	tmp = tt_path(env.dir, "ticket.key.new");
	fp = fopen(tmp, "w");
	T_CHECK(fp != NULL && fwrite(key, 1, 80, fp) == 80);
	fclose(fp);
	T_EQ_INT(rename(tmp, env.tickets), 0);
	T_EQ_INT(tls_ctx_check(a, &err), 1);
	T_EQ_INT(tls_ctx_check(a, &err), 0);
	fresh = tr_server(&env, "smtpd", env.tickets, 3600);
	buf_init(&bad);
	buf_append(&bad, saved.data, saved.len);
	T_EQ_INT(tr_connect(fresh, cctx, NULL, &bad), 0);
	/* The old ticket resumes at a, which issues one under the new key,
	 * and that one resumes at the fresh process. */
	T_EQ_INT(tr_connect(a, cctx, NULL, &saved), 1);
	T_EQ_INT(tr_connect(fresh, cctx, NULL, &saved), 1);
	/* A key file of the wrong size is refused, and a keeps its keys. */
	fp = fopen(tmp, "w");
	T_CHECK(fp != NULL && fwrite(key, 1, 40, fp) == 40);
	fclose(fp);
	T_EQ_INT(rename(tmp, env.tickets), 0);
	T_EQ_INT(tls_ctx_check(a, &err), -1);
	T_CHECK(strstr(err.text, "not a ticket key file") != NULL);
	T_EQ_INT(tr_connect(a, cctx, NULL, &saved), 1);
	buf_deinit(&saved);
	buf_deinit(&bad);
	free(tmp);
	tls_ctx_free(&cctx);
	tls_ctx_free(&a);
	tls_ctx_free(&fresh);
	tr_env_deinit(&env);
}

/* A client that trusts only one certificate tells which one is served. */
static void
certificate_replaced_on_disk(void)
{
	struct tr_env env;
	struct tls_ctx *srv, *trust_one, *trust_two;
	char *ca1 = NULL, *ca2 = NULL;
	struct err err;

	tr_env_init(&env);
	ca1 = tt_path(env.dir, "ca1.pem");
	ca2 = tt_path(env.dir, "ca2.pem");
	srv = tr_server(&env, "smtpd", NULL, 3600);
	T_EQ_INT(tls_ctx_check(srv, &err), 0);
	/* The clients trust a copy of each certificate. */
	T_EQ_INT(link(env.cert, ca1), 0);
	trust_one = tr_client(NULL, ca1);
	T_EQ_INT(tr_connect(srv, trust_one, "mail.example.test", NULL), 0);

	tt_make_cert("mail.example.test", env.cert, env.key);
	T_EQ_INT(link(env.cert, ca2), 0);
	trust_two = tr_client(NULL, ca2);
	/* Until the check, the old certificate is still served. */
	T_EQ_INT(tr_connect(srv, trust_two, "mail.example.test", NULL), -1);
	T_EQ_INT(tls_ctx_check(srv, &err), 1);
	T_EQ_INT(tls_ctx_check(srv, &err), 0);
	T_EQ_INT(tr_connect(srv, trust_two, "mail.example.test", NULL), 0);
	T_EQ_INT(tr_connect(srv, trust_one, "mail.example.test", NULL), -1);

	/* Half replaced (new certificate, old key): refused, the running
	 * context stays, and the next check after the key lands works. */
	tt_make_cert("mail.example.test", env.cert, NULL);
	T_EQ_INT(tls_ctx_check(srv, &err), -1);
	T_CHECK(strstr(err.text, "smtpd: cannot load key") != NULL);
	T_EQ_INT(tr_connect(srv, trust_two, "mail.example.test", NULL), 0);
	T_EQ_INT(tls_ctx_check(srv, &err), -1);
	tt_make_cert("mail.example.test", env.cert, env.key);
	T_EQ_INT(tls_ctx_check(srv, &err), 1);
	T_EQ_INT(tr_connect(srv, trust_two, "mail.example.test", NULL), -1);

	/* A file that cannot be reached (after chroot): nothing changes. */
	T_EQ_INT(unlink(env.cert), 0);
	T_EQ_INT(tls_ctx_check(srv, &err), 0);
	tls_ctx_free(&trust_one);
	tls_ctx_free(&trust_two);
	tls_ctx_free(&srv);
	free(ca1);
	free(ca2);
	tr_env_deinit(&env);
}

T_MAIN(T_CASE(resumption_across_processes), T_CASE(resumption_off),
    T_CASE(ticket_key_rotation), T_CASE(certificate_replaced_on_disk))

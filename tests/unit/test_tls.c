/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for libmail/tls: handshakes between a server and a client
 * session over a socketpair, protocol versions, what is reported to
 * logs, SNI and certificate checks, and the handshake deadline.
 * Resumption and reload are in test_tls_reload.c.
 */
#include "tls/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls/tls_impl.h"

#include "test_tls_util.h"

/* One scratch directory with a certificate for "mail.example.test". */
struct tt_env {
	char *dir, *cert, *key;
	struct tls_ctx *srv;
	int fds[2]; /* of the last tt_connect */
};

static void
tt_env_init(struct tt_env *env, const char *protocols)
{
	struct tls_server_config cfg = {.service = "smtpd"};
	struct err err;

	env->dir = tt_dir_new();
	env->cert = tt_path(env->dir, "cert.pem");
	env->key = tt_path(env->dir, "key.pem");
	tt_make_cert("mail.example.test", env->cert, env->key);
	cfg.cert_file = env->cert;
	cfg.key_file = env->key;
	cfg.protocols = protocols;
	cfg.session_timeout = 300;
	env->srv = tls_ctx_server_new(&cfg, &err);
	if (!T_CHECK(env->srv != NULL))
		fprintf(stderr, "  %s\n", err.text);
}

static void
tt_env_deinit(struct tt_env *env)
{
	tls_ctx_free(&env->srv);
	free(env->cert);
	free(env->key);
	tt_dir_free(env->dir);
}

static struct tls_ctx *
tt_client_ctx(enum tls_level level, const char *protocols, const char *ca)
{
	struct tls_client_config cfg = {
	    .level = level, .protocols = protocols, .ca_file = ca};
	struct err err;
	struct tls_ctx *c = tls_ctx_client_new(&cfg, &err);

	if (!T_CHECK(c != NULL))
		fprintf(stderr, "  %s\n", err.text);
	return c;
}

/*
 * Connect a client (ctx cctx, SNI name) to the env's server. 0 when both
 * handshakes succeeded. The sessions are returned for inspection.
 */
static int
tt_connect(struct tt_env *env, struct tls_ctx *cctx, const char *name,
    struct tls_session **srv_out, struct tls_session **cli_out,
    struct err *serr, struct err *cerr)
{
	int *sv = env->fds;

	tt_socketpair(sv);
	*srv_out = tls_session_server_new(env->srv, sv[0], serr);
	*cli_out = tls_session_client_new(cctx, sv[1], name, cerr);
	if (*srv_out == NULL || *cli_out == NULL)
		return -1;
	return tt_handshake(*srv_out, *cli_out, serr, cerr);
}

static void
tt_end(struct tt_env *env, struct tls_session **srv, struct tls_session **cli)
{
	tls_session_free(srv);
	tls_session_free(cli);
	close(env->fds[0]);
	close(env->fds[1]);
}

static void
handshake_and_data_both_ways(void)
{
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;
	struct buf d;
	char byte;
	short want = 0;

	tt_env_init(&env, NULL);
	cctx = tt_client_ctx(TLS_LEVEL_MAY, NULL, NULL);
	T_EQ_INT(
	    tt_connect(&env, cctx, "mail.example.test", &s, &c, &serr, &cerr),
	    0);
	T_CHECK(tt_transfer(c, s, "EHLO client.example\r\n"));
	T_CHECK(tt_transfer(s, c, "250 ok\r\n"));
	T_EQ_STR(tls_session_protocol(s), "TLSv1.3");
	T_EQ_STR(tls_session_protocol(c), "TLSv1.3");
	T_CHECK(!tls_session_reused(s));
	buf_init(&d);
	tls_session_describe(s, &d);
	T_EQ_STR(d.data,
	    "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)");
	buf_deinit(&d);
	/* Nothing more to read: EAGAIN, waiting for input. */
	T_EQ_INT(tls_session_read(s, &byte, 1, &want), -1);
	T_EQ_INT(errno, EAGAIN);
	T_EQ_INT(want, POLLIN);
	/* close_notify reads as end of file. */
	tls_session_shutdown(c);
	T_EQ_INT(tls_session_read(s, &byte, 1, &want), 0);
	tt_end(&env, &s, &c);
	tls_ctx_free(&cctx);
	tt_env_deinit(&env);
}

/* A plain EOF without close_notify is an end of stream, not an error. */
static void
unclean_eof_reads_as_end(void)
{
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;
	char byte;
	short want = 0;
	int sv[2];

	tt_env_init(&env, NULL);
	cctx = tt_client_ctx(TLS_LEVEL_MAY, NULL, NULL);
	tt_socketpair(sv);
	s = tls_session_server_new(env.srv, sv[0], &serr);
	c = tls_session_client_new(cctx, sv[1], NULL, &cerr);
	T_EQ_INT(tt_handshake(s, c, &serr, &cerr), 0);
	/* The client takes the server's tickets: closing a socket with
	 * unread data would reset the connection instead. */
	T_CHECK(tt_transfer(s, c, "220 go ahead\r\n"));
	tls_session_free(&c);
	close(sv[1]);
	sv[1] = -1;
	T_EQ_INT(tls_session_read(s, &byte, 1, &want), 0);
	tls_session_free(&s);
	close(sv[0]);
	tls_ctx_free(&cctx);
	tt_env_deinit(&env);
}

/* Old clients, built with OpenSSL directly: security level 0 lets the
 * client itself send TLS 1.0 and 1.1, so the refusal is our server's. */
static SSL *
tt_raw_client(SSL_CTX **sc_out, int version, int fd)
{
	SSL_CTX *sc = SSL_CTX_new(TLS_client_method());
	SSL *ssl;

	SSL_CTX_set_security_level(sc, 0);
	SSL_CTX_set_cipher_list(sc, "DEFAULT:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(sc, version);
	SSL_CTX_set_max_proto_version(sc, version);
	ssl = SSL_new(sc);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	SSL_set_fd(ssl, fd);
	SSL_set_connect_state(ssl);
	*sc_out = sc;
	return ssl;
}

/* 1 both done, -1 a side failed; the server's reason in serr. */
static int
tt_raw_handshake(struct tls_session *s, SSL *ssl, struct err *serr)
{
	int rs = 0, rc = 0, i, r;
	short want;

	for (i = 0; i < 200 && (rs == 0 || rc == 0); i++) {
		if (rs == 0)
			rs = tls_session_handshake_step(s, &want, serr);
		if (rc == 0) {
			r = SSL_do_handshake(ssl);
			if (r == 1)
				rc = 1;
			else if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ &&
			    SSL_get_error(ssl, r) != SSL_ERROR_WANT_WRITE)
				rc = -1;
		}
		if (rs < 0 && rc < 0)
			break;
	}
	return rs == 1 && rc == 1 ? 1 : -1;
}

static void
old_versions_refused_new_accepted(void)
{
	static const struct {
		int version;
		int want;
		const char *proto;
	} cases[] = {
	    {TLS1_VERSION, -1, NULL},
	    {TLS1_1_VERSION, -1, NULL},
	    {TLS1_2_VERSION, 1, "TLSv1.2"},
	    {TLS1_3_VERSION, 1, "TLSv1.3"},
	};
	struct tt_env env;
	struct tls_session *s;
	struct err serr;
	SSL_CTX *sc;
	SSL *ssl;
	size_t i;
	int sv[2];

	tt_env_init(&env, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tt_socketpair(sv);
		s = tls_session_server_new(env.srv, sv[0], &serr);
		ssl = tt_raw_client(&sc, cases[i].version, sv[1]);
		err_clear(&serr);
		T_EQ_INT(tt_raw_handshake(s, ssl, &serr), cases[i].want);
		if (cases[i].want > 0) {
			T_EQ_STR(tls_session_protocol(s), cases[i].proto);
		} else if (!T_CHECK(
		               strstr(serr.text, "unsupported protocol"))) {
			fprintf(stderr, "  case %zu: %s\n", i, serr.text);
		}
		SSL_free(ssl);
		SSL_CTX_free(sc);
		tls_session_free(&s);
		close(sv[0]);
		close(sv[1]);
	}
	tt_env_deinit(&env);
}

/* The client's own protocol setting: forced to TLS 1.2. */
static void
client_forced_to_tls12(void)
{
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;
	struct buf d;

	tt_env_init(&env, NULL);
	cctx = tt_client_ctx(TLS_LEVEL_ENCRYPT, "<=TLSv1.2", NULL);
	T_EQ_INT(tt_connect(&env, cctx, NULL, &s, &c, &serr, &cerr), 0);
	T_EQ_STR(tls_session_protocol(c), "TLSv1.2");
	buf_init(&d);
	tls_session_describe(c, &d);
	T_CHECK(strncmp(d.data, "TLSv1.2 with cipher ECDHE-ECDSA-", 32) == 0);
	T_CHECK(strstr(d.data, " bits)") != NULL);
	buf_deinit(&d);
	tt_end(&env, &s, &c);
	tls_ctx_free(&cctx);
	tt_env_deinit(&env);
}

/* A server limited to TLS 1.3 refuses a TLS 1.2-only client. */
static void
server_protocols_setting(void)
{
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;

	tt_env_init(&env, ">=TLSv1.3");
	cctx = tt_client_ctx(TLS_LEVEL_MAY, "TLSv1.2", NULL);
	T_EQ_INT(tt_connect(&env, cctx, NULL, &s, &c, &serr, &cerr), -1);
	T_CHECK(strstr(serr.text, "TLS handshake failed") != NULL);
	tt_end(&env, &s, &c);
	tls_ctx_free(&cctx);
	tt_env_deinit(&env);
}

static void
sni_and_trust(void)
{
	static const struct {
		enum tls_level level;
		bool with_ca;
		const char *name;
		int want;
		const char *trust;
	} cases[] = {
	    {TLS_LEVEL_MAY, false, "mail.example.test", 0, "Untrusted"},
	    {TLS_LEVEL_MAY, true, "mail.example.test", 0, "Verified"},
	    {TLS_LEVEL_MAY, true, "other.example.test", 0, "Trusted"},
	    {TLS_LEVEL_VERIFY, true, "mail.example.test", 0, "Verified"},
	    {TLS_LEVEL_VERIFY, true, "other.example.test", -1, NULL},
	    {TLS_LEVEL_VERIFY, false, "mail.example.test", -1, NULL},
	};
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;
	size_t i;

	tt_env_init(&env, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cctx = tt_client_ctx(
		    cases[i].level, NULL, cases[i].with_ca ? env.cert : NULL);
		T_EQ_INT(
		    tt_connect(&env, cctx, cases[i].name, &s, &c, &serr, &cerr),
		    cases[i].want);
		if (cases[i].want == 0) {
			T_EQ_STR(tls_session_trust(c), cases[i].trust);
			T_EQ_STR(tls_session_trust(s), "Anonymous");
			T_EQ_STR(tls_session_servername(s), cases[i].name);
		} else {
			T_CHECK(strstr(cerr.text, "certificate verification"));
		}
		tt_end(&env, &s, &c);
		tls_ctx_free(&cctx);
	}
	tt_env_deinit(&env);
}

/* RFC 6066 §3: no SNI for an address literal. */
static void
no_sni_for_an_address(void)
{
	struct tt_env env;
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;

	tt_env_init(&env, NULL);
	cctx = tt_client_ctx(TLS_LEVEL_MAY, NULL, NULL);
	T_EQ_INT(tt_connect(&env, cctx, "127.0.0.1", &s, &c, &serr, &cerr), 0);
	T_EQ_STR(tls_session_servername(s), NULL);
	T_EQ_STR(tls_session_servername(c), "127.0.0.1");
	tt_end(&env, &s, &c);
	tls_ctx_free(&cctx);
	tt_env_deinit(&env);
}

/* A silent peer: the blocking handshake gives up at its deadline. */
static void
handshake_deadline(void)
{
	struct tt_env env;
	struct tls_session *s;
	struct err err;
	int sv[2];

	tt_env_init(&env, NULL);
	tt_socketpair(sv);
	s = tls_session_server_new(env.srv, sv[0], &err);
	T_EQ_INT(tls_session_handshake(s, 30, &err), -1);
	T_CHECK(strstr(err.text, "timed out") != NULL);
	T_CHECK(strstr(tls_session_error(s)->text, "timed out") != NULL);
	tls_session_free(&s);
	close(sv[0]);
	close(sv[1]);
	tt_env_deinit(&env);
}

/* Plaintext where a ClientHello should be fails, without aborting. */
static void
garbage_instead_of_hello(void)
{
	struct tt_env env;
	struct tls_session *s;
	struct err err;
	int sv[2];

	tt_env_init(&env, NULL);
	tt_socketpair(sv);
	T_EQ_INT(write(sv[1], "EHLO x\r\nMAIL FROM:<a@b>\r\n", 25), 25);
	s = tls_session_server_new(env.srv, sv[0], &err);
	T_EQ_INT(tls_session_handshake(s, 1000, &err), -1);
	T_CHECK(strstr(err.text, "TLS handshake failed") != NULL);
	tls_session_free(&s);
	close(sv[0]);
	close(sv[1]);
	tt_env_deinit(&env);
}

static void
bad_server_settings(void)
{
	struct tls_server_config cfg = {
	    .service = "imapd", .session_timeout = 0};
	char *dir = tt_dir_new();
	char *cert = tt_path(dir, "cert.pem"), *key = tt_path(dir, "key.pem");
	char *key2 = tt_path(dir, "key2.pem");
	struct err err;

	T_CHECK(tls_ctx_server_new(&cfg, &err) == NULL);
	T_CHECK(strstr(err.text, "imapd: no TLS certificate") != NULL);
	cfg.cert_file = cert;
	cfg.key_file = key;
	T_CHECK(tls_ctx_server_new(&cfg, &err) == NULL);
	T_CHECK(strstr(err.text, "cannot load certificate") != NULL);
	tt_make_cert("a.test", cert, key);
	tt_make_cert("b.test", NULL, key2);
	cfg.key_file = key2;
	T_CHECK(tls_ctx_server_new(&cfg, &err) == NULL);
	/* OpenSSL notices when the key is loaded after the certificate. */
	if (!T_CHECK(strstr(err.text, "cannot load key") != NULL &&
	        strstr(err.text, "mismatch") != NULL))
		fprintf(stderr, "  %s\n", err.text);
	cfg.key_file = key;
	cfg.protocols = "TLSv1.4";
	T_CHECK(tls_ctx_server_new(&cfg, &err) == NULL);
	T_CHECK(strstr(err.text, "imapd: unknown TLS protocol") != NULL);
	cfg.protocols = NULL;
	cfg.chain_file = key;
	T_CHECK(tls_ctx_server_new(&cfg, &err) == NULL);
	T_CHECK(strstr(err.text, "no certificate in chain file") != NULL);
	free(cert);
	free(key);
	free(key2);
	tt_dir_free(dir);
}

/* A chain file adds its certificates to what the server sends. */
static void
chain_file_is_sent(void)
{
	struct tt_env env;
	struct tls_server_config cfg = {.service = "smtpd"};
	struct tls_ctx *cctx;
	struct tls_session *s, *c;
	struct err serr, cerr;
	char *chain;

	tt_env_init(&env, NULL);
	chain = tt_path(env.dir, "chain.pem");
	tt_make_cert("intermediate.test", chain, NULL);
	cfg.cert_file = env.cert;
	cfg.key_file = env.key;
	cfg.chain_file = chain;
	tls_ctx_free(&env.srv);
	env.srv = tls_ctx_server_new(&cfg, &serr);
	T_CHECK(env.srv != NULL);
	cctx = tt_client_ctx(TLS_LEVEL_MAY, NULL, NULL);
	T_EQ_INT(tt_connect(&env, cctx, NULL, &s, &c, &serr, &cerr), 0);
	/* White box: the chain the client received, leaf first. */
	T_EQ_INT(sk_X509_num(SSL_get_peer_cert_chain(c->ssl)), 2);
	tt_end(&env, &s, &c);
	tls_ctx_free(&cctx);
	free(chain);
	tt_env_deinit(&env);
}

T_MAIN(T_CASE(handshake_and_data_both_ways), T_CASE(unclean_eof_reads_as_end),
    T_CASE(old_versions_refused_new_accepted), T_CASE(client_forced_to_tls12),
    T_CASE(server_protocols_setting), T_CASE(sni_and_trust),
    T_CASE(no_sni_for_an_address), T_CASE(handshake_deadline),
    T_CASE(garbage_instead_of_hello), T_CASE(bad_server_settings),
    T_CASE(chain_file_is_sent))

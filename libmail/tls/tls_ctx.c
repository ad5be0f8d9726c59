/* SPDX-License-Identifier: MIT */
/*
 * TLS contexts: one per service in each process, built before the jail
 * from the service's certificate, key, chain and version range, and
 * rebuilt by tls_ctx_check() when those files are replaced, so a renewed
 * certificate is served without a restart. The files are trusted (the
 * admin's); peers never reach this code.
 */
#include "tls/tls_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/xmalloc.h"

/* RFC 5321 and friends run over sockets we own: no compression (CRIME),
 * no renegotiation (a client-driven CPU sink), and a missing
 * close_notify is an ordinary end of stream (every protocol here has
 * its own QUIT/LOGOUT, so truncation is not an attack). */
#define TLS_CTX_OPTIONS                                                        \
	(SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |                     \
	    SSL_OP_IGNORE_UNEXPECTED_EOF)
/* Writes behave like write(2) on a stream buffer that may move. */
#define TLS_CTX_MODES                                                          \
	(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)

static char *
tls_ctx_strdup(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

static SSL_CTX *
tls_ctx_new_ssl(const struct tls_ctx *ctx, struct err *err)
{
	SSL_CTX *sc = SSL_CTX_new(
	    ctx->server ? TLS_server_method() : TLS_client_method());

	if (sc == NULL) {
		tls_err_set(err, ERR_TEMP, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_options(sc,
	    TLS_CTX_OPTIONS |
	        (ctx->server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
	SSL_CTX_set_mode(sc, TLS_CTX_MODES);
	if (!SSL_CTX_set_min_proto_version(sc, ctx->min_version) ||
	    !SSL_CTX_set_max_proto_version(sc, ctx->max_version)) {
		tls_err_set(err, ERR_PERM, "cannot set the TLS versions");
		SSL_CTX_free(sc);
		return NULL;
	}
	return sc;
}

/* Add the certificates of a PEM file to the chain sent after ours. */
static int
tls_ctx_load_chain(SSL_CTX *sc, const char *path, struct err *err)
{
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;
	int n = 0;

	if (bio == NULL)
		return tls_err_set(
		    err, ERR_PERM, "cannot open chain file %s", path);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		n++;
		if (!SSL_CTX_add0_chain_cert(sc, x)) {
			X509_free(x);
			BIO_free(bio);
			return tls_err_set(
			    err, ERR_PERM, "cannot use chain file %s", path);
		}
	}
	BIO_free(bio);
	/* The loop ends on "no start line": expected, unless nothing came. */
	ERR_clear_error();
	if (n == 0)
		return err_set(err, ERR_PERM, "5.7.0",
		    "%s: no certificate in chain file", path);
	return 0;
}

/* Certificate, key, chain; ids_out records the files as loaded. */
static int
tls_ctx_load_files(const struct tls_ctx *ctx, SSL_CTX *sc,
    struct tls_file_id ids_out[TLS_CTX_NFILES], struct err *err)
{
	const char *cert = ctx->paths[TLS_CTX_FILE_CERT];
	const char *key = ctx->paths[TLS_CTX_FILE_KEY];
	const char *chain = ctx->paths[TLS_CTX_FILE_CHAIN];
	int i;

	for (i = 0; i < TLS_CTX_NFILES; i++)
		(void)tls_file_id_get(ctx->paths[i], &ids_out[i]);
	if (!SSL_CTX_use_certificate_chain_file(sc, cert))
		return tls_err_set(
		    err, ERR_PERM, "cannot load certificate %s", cert);
	if (!SSL_CTX_use_PrivateKey_file(sc, key, SSL_FILETYPE_PEM))
		return tls_err_set(err, ERR_PERM, "cannot load key %s", key);
	if (!SSL_CTX_check_private_key(sc))
		return tls_err_set(
		    err, ERR_PERM, "key %s does not match %s", key, cert);
	if (chain != NULL && tls_ctx_load_chain(sc, chain, err) != 0)
		return -1;
	return 0;
}

/* Resumption through tickets only: no per-process session cache, which
 * another process could not see anyway. */
static int
tls_ctx_resumption(struct tls_ctx *ctx, SSL_CTX *sc, struct err *err)
{
	size_t len = strlen(ctx->service);

	if (len > SSL_MAX_SID_CTX_LENGTH)
		len = SSL_MAX_SID_CTX_LENGTH;
	/* Sessions of one service never resume at another. */
	if (!SSL_CTX_set_session_id_context(
	        sc, (const unsigned char *)ctx->service, (unsigned)len))
		return tls_err_set(err, ERR_TEMP, "session id context");
	SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
	if (ctx->session_timeout <= 0) {
		SSL_CTX_set_options(sc, SSL_OP_NO_TICKET);
		(void)SSL_CTX_set_num_tickets(sc, 0);
		return 0;
	}
	SSL_CTX_set_timeout(sc, (long)ctx->session_timeout);
	if (ctx->tickets != NULL)
		return tls_ticket_install(ctx->tickets, sc, err);
	return 0;
}

static SSL_CTX *
tls_ctx_build_server(struct tls_ctx *ctx,
    struct tls_file_id ids_out[TLS_CTX_NFILES], struct err *err)
{
	SSL_CTX *sc = tls_ctx_new_ssl(ctx, err);

	if (sc == NULL)
		return NULL;
	if (tls_ctx_load_files(ctx, sc, ids_out, err) != 0 ||
	    tls_ctx_resumption(ctx, sc, err) != 0) {
		err_prefix(err, "%s", ctx->service);
		SSL_CTX_free(sc);
		return NULL;
	}
	return sc;
}

static SSL_CTX *
tls_ctx_build_client(struct tls_ctx *ctx, struct err *err)
{
	SSL_CTX *sc = tls_ctx_new_ssl(ctx, err);
	int ok;

	if (sc == NULL)
		return NULL;
	if (ctx->ca_file != NULL || ctx->ca_path != NULL)
		ok = SSL_CTX_load_verify_locations(
		    sc, ctx->ca_file, ctx->ca_path);
	else
		ok = SSL_CTX_set_default_verify_paths(sc);
	if (!ok) {
		tls_err_set(err, ERR_PERM, "cannot load trust anchors %s%s%s",
		    ctx->ca_file ? ctx->ca_file : "",
		    ctx->ca_file && ctx->ca_path ? " " : "",
		    ctx->ca_path ? ctx->ca_path : "");
		SSL_CTX_free(sc);
		return NULL;
	}
	/* Below verify the chain is still checked, for tls_session_trust. */
	SSL_CTX_set_verify(sc,
	    ctx->level == TLS_LEVEL_VERIFY ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	SSL_CTX_set_session_cache_mode(
	    sc, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(sc, tls_session_new_cb);
	return sc;
}

struct tls_ctx *
tls_ctx_server_new(const struct tls_server_config *cfg, struct err *err)
{
	struct tls_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *svc = cfg->service ? cfg->service : "tls";

	ctx->server = true;
	ctx->level = cfg->level;
	ctx->service = xstrdup(svc);
	ctx->session_timeout = cfg->session_timeout;
	ctx->paths[TLS_CTX_FILE_CERT] = tls_ctx_strdup(cfg->cert_file);
	ctx->paths[TLS_CTX_FILE_KEY] = tls_ctx_strdup(cfg->key_file);
	ctx->paths[TLS_CTX_FILE_CHAIN] = tls_ctx_strdup(cfg->chain_file);
	if (ctx->paths[TLS_CTX_FILE_CERT] == NULL ||
	    ctx->paths[TLS_CTX_FILE_KEY] == NULL) {
		err_set(err, ERR_PERM, "5.7.0",
		    "%s: no TLS certificate or key file configured", svc);
		goto fail;
	}
	if (tls_parse_protocols(cfg->protocols ? cfg->protocols : "",
	        &ctx->min_version, &ctx->max_version, err) != 0) {
		err_prefix(err, "%s", svc);
		goto fail;
	}
	if (cfg->session_timeout > 0 && cfg->ticket_key_file != NULL &&
	    *cfg->ticket_key_file != '\0' &&
	    (ctx->tickets = tls_ticket_open(cfg->ticket_key_file, err)) == NULL)
		goto fail;
	if ((ctx->ssl = tls_ctx_build_server(ctx, ctx->ids, err)) == NULL)
		goto fail;
	return ctx;
fail:
	tls_ctx_free(&ctx);
	return NULL;
}

struct tls_ctx *
tls_ctx_client_new(const struct tls_client_config *cfg, struct err *err)
{
	struct tls_ctx *ctx = xcalloc(1, sizeof(*ctx));

	ctx->level = cfg->level;
	ctx->service = xstrdup("smtp");
	ctx->ca_file = tls_ctx_strdup(cfg->ca_file);
	ctx->ca_path = tls_ctx_strdup(cfg->ca_path);
	if (tls_parse_protocols(cfg->protocols ? cfg->protocols : "",
	        &ctx->min_version, &ctx->max_version, err) != 0 ||
	    (ctx->ssl = tls_ctx_build_client(ctx, err)) == NULL) {
		tls_ctx_free(&ctx);
		return NULL;
	}
	return ctx;
}

int
tls_ctx_check(struct tls_ctx *ctx, struct err *err)
{
	struct tls_file_id ids[TLS_CTX_NFILES];
	bool changed = false;
	SSL_CTX *sc;
	int i, rc = 0;

	if (!ctx->server)
		return 0;
	if (ctx->tickets != NULL &&
	    (rc = tls_ticket_check(ctx->tickets, err)) < 0)
		return -1;
	for (i = 0; i < TLS_CTX_NFILES; i++)
		if (ctx->paths[i] != NULL &&
		    tls_file_id_changed(ctx->paths[i], &ctx->ids[i]))
			changed = true;
	if (!changed)
		return rc;
	/* A half-replaced pair (new cert, old key) fails here; the old
	 * context stays and the next session tries again. */
	if ((sc = tls_ctx_build_server(ctx, ids, err)) == NULL)
		return -1;
	SSL_CTX_free(ctx->ssl);
	ctx->ssl = sc;
	memcpy(ctx->ids, ids, sizeof(ids));
	return 1;
}

void
tls_ctx_free(struct tls_ctx **ctxp)
{
	struct tls_ctx *ctx = *ctxp;
	int i;

	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	tls_ticket_free(&ctx->tickets);
	for (i = 0; i < TLS_CTX_NFILES; i++)
		free(ctx->paths[i]);
	free(ctx->service);
	free(ctx->ca_file);
	free(ctx->ca_path);
	free(ctx);
	*ctxp = NULL;
}

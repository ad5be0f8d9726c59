/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the queue file format: records, envelope, header,
 * result log and whole-image parsing, including a file cut at every byte
 * offset and golden files written by an independent encoder.
 */
#include "queue/queue_env.h"
#include "queue/queue_hdr.h"
#include "queue/queue_image.h"
#include "queue/queue_log.h"
#include "queue/queue_rec.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/byteorder.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#include "t.h"

static const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;

static void
queue_rec_bounds(void)
{
	struct buf b;
	const char *v;
	size_t off = 0, vlen;
	uint64_t n;
	char type;

	buf_init(&b);
	queue_rec_put(&b, 'X', "a\0b", 3);
	queue_rec_put_num(&b, 'N', UINT64_MAX);
	T_EQ_INT(queue_rec_next(b.data, b.len, &off, &type, &v, &vlen), 1);
	T_EQ_INT(type, 'X');
	T_EQ_INT(vlen, 3);
	T_CHECK(memcmp(v, "a\0b", 3) == 0);
	T_EQ_INT(queue_rec_next(b.data, b.len, &off, &type, &v, &vlen), 1);
	T_EQ_INT(queue_rec_num(v, vlen, &n), 0);
	T_CHECK(n == UINT64_MAX);
	T_EQ_INT(queue_rec_next(b.data, b.len, &off, &type, &v, &vlen), 0);
	off = 0;
	T_EQ_INT(queue_rec_next(b.data, 7, &off, &type, &v, &vlen), -1);
	off = 0;
	T_EQ_INT(queue_rec_next(b.data, 4, &off, &type, &v, &vlen), -1);
	T_EQ_INT(queue_rec_num("18446744073709551616", 20, &n), -1);
	T_EQ_INT(queue_rec_num("01", 2, &n), -1);
	T_EQ_INT(queue_rec_num("", 0, &n), -1);
	T_EQ_INT(queue_rec_num("1a", 2, &n), -1);
	T_EQ_INT(queue_rec_num("0", 1, &n), 0);
	/* The standard check value of CRC-32. */
	T_CHECK(queue_rec_crc32(0, "123456789", 9) == 0xCBF43926u);
	buf_deinit(&b);
}

static struct queue_rcpt sample_rcpts[] = {
    {.address = "alice@example.org",
        .orcpt = "rfc822;Alice@Example.ORG",
        .notify = QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE},
    {.address = "bob@example.net"},
    {.address = "carol@example.com", .notify = QUEUE_NOTIFY_NEVER},
};

static struct queue_env
sample_env(void)
{
	struct queue_env env = {
	    .arrival_sec = 1700000000,
	    .arrival_usec = 654321,
	    .sender = "sender@example.com",
	    .envid = "QQ+2B314",
	    .ret = QUEUE_RET_HDRS,
	    .body = QUEUE_BODY_8BITMIME,
	    .smtputf8 = true,
	    .client_name = "mx.example.com",
	    .client_addr = "127.0.0.1",
	    .helo = "mx.example.com",
	    .protocol = "ESMTPSA",
	    .sasl_user = "sender",
	    .rcpts = sample_rcpts,
	    .nrcpt = 3,
	};

	return env;
}

static const char sample_content[] =
    "From: a@example.com\r\nSubject: hi\r\n\r\nbody line\r\n";

/* header | envelope | content | log */
static void
build_image(struct buf *img, const struct queue_env *env, const struct buf *log)
{
	struct queue_hdr h = {0};
	unsigned char hdr[QUEUE_HDR_LEN];
	struct buf e;

	buf_init(&e);
	T_EQ_INT(queue_env_encode(env, &e, NULL), 0);
	h.env_len = (uint32_t)e.len;
	h.env_crc = queue_rec_crc32(0, e.data, e.len);
	h.content_len = sizeof(sample_content) - 1;
	h.body_offset = strstr(sample_content, "\r\n\r\n") + 4 - sample_content;
	queue_hdr_encode(&h, hdr);
	buf_reset(img);
	buf_append(img, hdr, sizeof(hdr));
	buf_append(img, e.data, e.len);
	buf_append(img, sample_content, sizeof(sample_content) - 1);
	if (log != NULL)
		buf_append(img, log->data, log->len);
	buf_deinit(&e);
}

static void
queue_env_round_trip(void)
{
	struct queue_env env = sample_env(), *got;
	struct arena *a = arena_new();
	struct queue_image im;
	struct buf img;
	struct err err;

	buf_init(&img);
	build_image(&img, &env, NULL);
	T_EQ_INT(queue_image_parse(img.data, img.len, &lim, &im, a, &err), 0);
	got = &im.env;
	T_CHECK(got->arrival_sec == 1700000000);
	T_EQ_INT(got->arrival_usec, 654321);
	T_EQ_STR(got->sender, "sender@example.com");
	T_EQ_STR(got->envid, "QQ+2B314");
	T_EQ_INT(got->ret, QUEUE_RET_HDRS);
	T_EQ_INT(got->body, QUEUE_BODY_8BITMIME);
	T_CHECK(got->smtputf8);
	T_EQ_STR(got->client_name, "mx.example.com");
	T_EQ_STR(got->client_addr, "127.0.0.1");
	T_EQ_STR(got->helo, "mx.example.com");
	T_EQ_STR(got->protocol, "ESMTPSA");
	T_EQ_STR(got->sasl_user, "sender");
	T_EQ_INT(got->nrcpt, 3);
	T_EQ_STR(got->rcpts[0].address, "alice@example.org");
	T_EQ_STR(got->rcpts[0].orcpt, "rfc822;Alice@Example.ORG");
	T_EQ_INT(
	    got->rcpts[0].notify, QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE);
	T_EQ_STR(got->rcpts[1].address, "bob@example.net");
	T_EQ_STR(got->rcpts[1].orcpt, NULL);
	T_EQ_INT(got->rcpts[1].notify, 0);
	T_EQ_INT(got->rcpts[2].notify, QUEUE_NOTIFY_NEVER);
	T_EQ_INT(got->rcpts[2].state, QUEUE_RCPT_PENDING);
	T_CHECK(im.hdr.content_len == sizeof(sample_content) - 1);
	T_CHECK(im.hdr.body_offset == 36);
	T_EQ_INT(im.log_valid, 0);
	buf_deinit(&img);
	arena_free(&a);
}

static void
queue_env_minimal_and_null_sender(void)
{
	struct queue_rcpt r = {.address = "x@y"};
	struct queue_env env = {.sender = "", .rcpts = &r, .nrcpt = 1};
	struct arena *a = arena_new();
	struct queue_env got;
	struct buf b;
	struct err err;

	buf_init(&b);
	T_EQ_INT(queue_env_encode(&env, &b, &err), 0);
	T_EQ_INT(queue_env_parse(b.data, b.len, &lim, &got, a, &err), 0);
	T_EQ_STR(got.sender, "");
	T_EQ_STR(got.envid, NULL);
	T_EQ_STR(got.client_addr, NULL);
	T_EQ_INT(got.ret, QUEUE_RET_NONE);
	T_EQ_INT(got.body, QUEUE_BODY_NONE);
	T_CHECK(!got.smtputf8);
	env.nrcpt = 0;
	T_EQ_INT(queue_env_encode(&env, &b, &err), -1);
	env.nrcpt = 1;
	env.sender = NULL;
	T_EQ_INT(queue_env_encode(&env, &b, &err), -1);
	buf_deinit(&b);
	arena_free(&a);
}

/* Envelopes built record by record: each must fail, or pass, as said. */
static void
queue_env_rejects(void)
{
	static const struct {
		const char *recs; /* type,value pairs: "Tv|Tv|..." */
		int want;
	} cases[] = {
	    {"T1|M0|S|Ra", 0},
	    {"T1|M0|S|Ra|Qunknown", 0},
	    {"T1|M0|Sa|Sb|Ra", -1}, /* duplicate sender */
	    {"T1|M0|Ra", -1}, /* no sender */
	    {"M0|S|Ra", -1}, /* no time */
	    {"T1|M0|S", -1}, /* no recipient */
	    {"T01|M0|S|Ra", -1},
	    {"T1|M1000000|S|Ra", -1},
	    {"T1|M0|S|NFULLX|Ra", -1},
	    {"T1|M0|S|B8BITMIME|Ra", 0},
	    {"T1|M0|S|Bbinarymime|Ra", -1},
	    {"T1|M0|S|Y0|Ra", -1},
	    {"T1|M0|S|R", -1}, /* no address */
	    {"T1|M0|S|Rn", -1},
	};
	struct arena *a = arena_new();
	struct queue_env got;
	struct err err;
	struct buf b, sub;
	size_t i;

	buf_init(&b);
	buf_init(&sub);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char copy[128], *tok, *save = NULL;

		snprintf(copy, sizeof(copy), "%s", cases[i].recs);
		buf_reset(&b);
		for (tok = strtok_r(copy, "|", &save); tok != NULL;
		     tok = strtok_r(NULL, "|", &save)) {
			if (tok[0] != 'R') {
				queue_rec_put_str(&b, tok[0], tok + 1);
				continue;
			}
			buf_reset(&sub);
			if (tok[1] == 'a')
				queue_rec_put_str(&sub, 'a', "u@d");
			else if (tok[1] == 'n')
				queue_rec_put_str(&sub, 'n', "1");
			queue_rec_put(&b, 'R', sub.data, sub.len);
		}
		if (!T_EQ_INT(
		        queue_env_parse(b.data, b.len, &lim, &got, a, &err),
		        cases[i].want))
			fprintf(stderr, "  case %s\n", cases[i].recs);
	}
	/* A NUL inside a text field, and a field over the limit. */
	buf_reset(&b);
	queue_rec_put_str(&b, 'T', "1");
	queue_rec_put(&b, 'S', "a\0b", 3);
	buf_reset(&sub);
	queue_rec_put_str(&sub, 'a', "u@d");
	queue_rec_put(&b, 'R', sub.data, sub.len);
	T_EQ_INT(queue_env_parse(b.data, b.len, &lim, &got, a, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	buf_deinit(&sub);
	buf_deinit(&b);
	arena_free(&a);
}

static void
queue_log_last_result_wins(void)
{
	struct queue_env env = sample_env();
	struct arena *a = arena_new();
	struct queue_image im;
	struct buf img, log;
	struct err err;
	struct queue_rcpt *r;
	char longreason[3000];

	memset(longreason, 'x', sizeof(longreason) - 1);
	longreason[sizeof(longreason) - 1] = '\0';
	buf_init(&img);
	buf_init(&log);
	queue_log_encode(&log, 1, QUEUE_RCPT_DEFERRED, 100, "4.4.1",
	    "connect to mx: refused\r\nsecond line");
	queue_log_encode(&log, 0, QUEUE_RCPT_DONE, 101, "2.0.0", NULL);
	queue_log_encode(
	    &log, 1, QUEUE_RCPT_DEFERRED, 200, "4.4.2", longreason);
	queue_log_encode(
	    &log, 2, QUEUE_RCPT_BOUNCED, 300, "5.1.1", "user unknown");
	build_image(&img, &env, &log);
	T_EQ_INT(queue_image_parse(img.data, img.len, &lim, &im, a, &err), 0);
	T_EQ_INT(im.log_valid, log.len);
	r = im.env.rcpts;
	T_EQ_INT(r[0].state, QUEUE_RCPT_DONE);
	T_EQ_STR(r[0].dsn, "2.0.0");
	T_EQ_STR(r[0].reason, NULL);
	T_EQ_INT(r[0].attempts, 1);
	T_EQ_INT(r[1].state, QUEUE_RCPT_DEFERRED);
	T_EQ_INT(r[1].state_time, 200);
	T_EQ_STR(r[1].dsn, "4.4.2");
	T_EQ_INT(strlen(r[1].reason), QUEUE_LOG_REASON_MAX);
	T_EQ_INT(r[1].attempts, 2);
	T_EQ_INT(r[2].state, QUEUE_RCPT_BOUNCED);
	T_EQ_STR(r[2].reason, "user unknown");
	T_EQ_STR(queue_env_state_name(r[2].state), "bounced");

	/* A whole, checksummed frame naming recipient 3 of 3: corrupt. */
	buf_reset(&log);
	queue_log_encode(&log, 3, QUEUE_RCPT_DONE, 1, NULL, NULL);
	build_image(&img, &env, &log);
	T_EQ_INT(queue_image_parse(img.data, img.len, &lim, &im, a, &err), -1);
	T_EQ_INT(err.kind, ERR_PERM);
	buf_deinit(&log);
	buf_deinit(&img);
	arena_free(&a);
}

/*
 * Cut a file with two log frames at every length: before the log ends
 * the file is corrupt; inside the log, the whole frames count and the
 * torn one is ignored. A zero-filled tail (what some file systems show
 * after a crash) is a torn tail too.
 */
static void
queue_image_cut_everywhere(void)
{
	struct queue_env env = sample_env();
	struct arena *a = arena_new();
	struct queue_image im;
	struct buf img, log;
	struct err err;
	size_t cut, log_at, first;
	int rc;

	buf_init(&img);
	buf_init(&log);
	queue_log_encode(&log, 0, QUEUE_RCPT_DONE, 5, "2.0.0", "ok");
	first = log.len;
	queue_log_encode(&log, 2, QUEUE_RCPT_BOUNCED, 6, "5.0.0", "no");
	build_image(&img, &env, &log);
	log_at = img.len - log.len;
	for (cut = 0; cut <= img.len; cut++) {
		arena_reset(a);
		err_clear(&err);
		rc = queue_image_parse(img.data, cut, &lim, &im, a, &err);
		if (cut < log_at) {
			if (!T_EQ_INT(rc, -1) || !T_EQ_INT(err.kind, ERR_PERM))
				fprintf(stderr, "  cut at %zu\n", cut);
			continue;
		}
		T_EQ_INT(rc, 0);
		T_EQ_INT(im.env.rcpts[0].state,
		    cut - log_at >= first ? QUEUE_RCPT_DONE
		                          : QUEUE_RCPT_PENDING);
		T_EQ_INT(im.env.rcpts[2].state,
		    cut == img.len ? QUEUE_RCPT_BOUNCED : QUEUE_RCPT_PENDING);
		T_EQ_INT(im.log_valid,
		    cut == img.len              ? log.len
		        : cut - log_at >= first ? first
		                                : 0);
	}
	buf_append(&img, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	T_EQ_INT(queue_image_parse(img.data, img.len, &lim, &im, a, &err), 0);
	T_EQ_INT(im.log_valid, log.len);
	buf_deinit(&log);
	buf_deinit(&img);
	arena_free(&a);
}

/* Any single flipped byte before the content is caught by a checksum. */
static void
queue_image_flipped_bytes(void)
{
	struct queue_env env = sample_env();
	struct arena *a = arena_new();
	struct queue_image im;
	struct buf img;
	struct err err;
	size_t i, env_end;

	buf_init(&img);
	build_image(&img, &env, NULL);
	env_end = img.len - (sizeof(sample_content) - 1);
	for (i = 0; i < env_end; i++) {
		arena_reset(a);
		img.data[i] ^= 0x20;
		if (!T_EQ_INT(queue_image_parse(
		                  img.data, img.len, &lim, &im, a, &err),
		        -1))
			fprintf(stderr, "  flipped byte %zu\n", i);
		img.data[i] ^= 0x20;
	}
	T_EQ_INT(queue_image_parse(img.data, img.len, &lim, &im, a, &err), 0);
	buf_deinit(&img);
	arena_free(&a);
}

static void
queue_hdr_rejects_version(void)
{
	struct queue_hdr h = {
	    .env_len = 0, .content_len = 10, .body_offset = 11};
	unsigned char raw[QUEUE_HDR_LEN];
	struct err err;

	queue_hdr_encode(&h, raw);
	T_EQ_INT(queue_hdr_parse(raw, sizeof(raw), &h, &err), -1);
	h.body_offset = 10;
	queue_hdr_encode(&h, raw);
	T_EQ_INT(queue_hdr_parse(raw, sizeof(raw), &h, &err), 0);
	raw[11] = 2; /* version 2, checksum recomputed */
	byteorder_put_be32(raw + 36, queue_rec_crc32(0, raw, 36));
	T_EQ_INT(queue_hdr_parse(raw, sizeof(raw), &h, &err), -1);
	T_CHECK(strstr(err.text, "version 2") != NULL);
}

/* Seeds written by an independent encoder (Python) parse as intended. */
static int
read_file(const char *path, struct buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(out, chunk, n);
	fclose(fp);
	return 0;
}

static void
queue_image_golden_files(void)
{
	static const char dir[] = "../fuzz/corpus/fuzz_queue_file/";
	struct arena *a = arena_new();
	struct queue_image im;
	char path[256];
	struct buf b;
	struct err err;

	buf_init(&b);
	snprintf(path, sizeof(path), "%sfull_with_log", dir);
	T_EQ_INT(read_file(path, &b), 0);
	T_EQ_INT(queue_image_parse(b.data, b.len, &lim, &im, a, &err), 0);
	T_EQ_INT(im.env.nrcpt, 2);
	T_EQ_STR(im.env.sasl_user, "user");
	T_EQ_INT(im.env.rcpts[0].notify,
	    QUEUE_NOTIFY_SUCCESS | QUEUE_NOTIFY_FAILURE);
	T_EQ_INT(im.env.rcpts[0].state, QUEUE_RCPT_DONE);
	T_EQ_INT(im.env.rcpts[1].state, QUEUE_RCPT_DEFERRED);
	T_EQ_STR(im.env.rcpts[1].reason, "refused");
	snprintf(path, sizeof(path), "%storn_log", dir);
	T_EQ_INT(read_file(path, &b), 0);
	T_EQ_INT(queue_image_parse(b.data, b.len, &lim, &im, a, &err), 0);
	T_EQ_INT(im.env.rcpts[1].state, QUEUE_RCPT_PENDING);
	snprintf(path, sizeof(path), "%sminimal", dir);
	T_EQ_INT(read_file(path, &b), 0);
	T_EQ_INT(queue_image_parse(b.data, b.len, &lim, &im, a, &err), 0);
	snprintf(path, sizeof(path), "%struncated", dir);
	T_EQ_INT(read_file(path, &b), 0);
	T_EQ_INT(queue_image_parse(b.data, b.len, &lim, &im, a, &err), -1);
	buf_deinit(&b);
	arena_free(&a);
}

T_MAIN(T_CASE(queue_rec_bounds), T_CASE(queue_env_round_trip),
    T_CASE(queue_env_minimal_and_null_sender), T_CASE(queue_env_rejects),
    T_CASE(queue_log_last_result_wins), T_CASE(queue_image_cut_everywhere),
    T_CASE(queue_image_flipped_bytes), T_CASE(queue_hdr_rejects_version),
    T_CASE(queue_image_golden_files))

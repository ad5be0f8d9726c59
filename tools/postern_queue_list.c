/* SPDX-License-Identifier: MIT */
/*
 * "postern queue list" (also mailq and sendmail -bp) and "postern queue
 * show ID". The layout of list is Postfix's mailq, so scripts written
 * for it keep working: the queue id with '*' for mail being delivered
 * (active/) and '!' for held mail, size, arrival time, sender; then each
 * recipient still to deliver, after its last reason in parentheses.
 * Queue files are read with the same bounded reader qmgr uses.
 */
#include "postern_queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "postern.h"
#include "queue/queue_file.h"

#define POSTERN_QUEUE_SHOW_HEADERS_MAX (256 * 1024)

static char
postern_queue_mark(enum queue_sub sub)
{
	return sub == QUEUE_ACTIVE ? '*' : sub == QUEUE_HOLD ? '!' : ' ';
}

static void
postern_queue_date(uint64_t when, char *out, size_t outsz)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, outsz, "%a %b %e %H:%M:%S", &tm) == 0)
		snprintf(out, outsz, "-");
}

/* Untrusted text from a queue file, made printable. */
static const char *
postern_queue_esc(const char *s, char *out, size_t outsz)
{
	return log_escape(s, strlen(s), 300, out, outsz);
}

static void
postern_queue_entry(struct postern_queue_item *it, struct queue_file *qf,
    int idw)
{
	const struct queue_env *env = queue_file_env(qf);
	char date[64], text[1300];
	size_t i;

	postern_queue_date(env->arrival_sec, date, sizeof(date));
	printf("%s%c%*s %8" PRIu64 " %s  %s\n", it->id,
	    postern_queue_mark(it->sub), idw - (int)strlen(it->id), "",
	    queue_file_content_size(qf), date,
	    env->sender[0] != '\0'
	        ? postern_queue_esc(env->sender, text, sizeof(text))
	        : "MAILER-DAEMON");
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		if (r->state == QUEUE_RCPT_DONE)
			continue;
		if (r->reason != NULL)
			printf("%*s(%s)\n", idw + 2, "",
			    postern_queue_esc(r->reason, text, sizeof(text)));
		printf("%*s%s\n", idw + 33, "",
		    postern_queue_esc(r->address, text, sizeof(text)));
	}
	printf("\n");
}

int
postern_queue_list(struct postern_queue *pq)
{
	const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	uint64_t bytes = 0;
	size_t i, shown = 0;
	int idw = 10;
	struct err err;

	for (i = 0; i < pq->nitems; i++)
		if ((int)strlen(pq->items[i].id) > idw)
			idw = (int)strlen(pq->items[i].id);
	for (i = 0; i < pq->nitems; i++) {
		struct queue_file *qf = NULL;
		int rc = queue_file_open(pq->qd, pq->items[i].sub,
		    pq->items[i].id, false, &lim, &qf, &err);

		if (rc == 0)
			continue;
		if (shown == 0)
			printf("%-*s --Size-- ----Arrival Time---- "
			       "-Sender/Recipient-------\n",
			    idw + 1, "-Queue ID-");
		shown++;
		if (rc < 0) {
			printf("%s%c (unreadable: %s)\n\n", pq->items[i].id,
			    postern_queue_mark(pq->items[i].sub), err.text);
			continue;
		}
		bytes += queue_file_content_size(qf);
		postern_queue_entry(&pq->items[i], qf, idw);
		queue_file_close(&qf);
	}
	if (shown == 0)
		printf("Mail queue is empty\n");
	else
		printf("-- %" PRIu64 " Kbytes in %zu Request%s.\n",
		    (bytes + 1023) / 1024, shown, shown == 1 ? "" : "s");
	return POSTERN_EXIT_OK;
}

static void
postern_queue_show_env(const struct postern_queue_item *it,
    const struct queue_env *env)
{
	char date[64], text[1300];
	size_t i;

	postern_queue_date(env->arrival_sec, date, sizeof(date));
	printf("id: %s\nqueue: %s\narrival: %s\nsender: <%s>\n", it->id,
	    queue_dir_sub_name(it->sub), date,
	    postern_queue_esc(env->sender, text, sizeof(text)));
	if (env->client_addr != NULL)
		printf("client: %s[%s]\n",
		    env->client_name != NULL ? env->client_name : "unknown",
		    env->client_addr);
	if (env->protocol != NULL)
		printf("protocol: %s\n", env->protocol);
	for (i = 0; i < env->nrcpt; i++) {
		const struct queue_rcpt *r = &env->rcpts[i];

		printf("recipient: <%s> %s",
		    postern_queue_esc(r->address, text, sizeof(text)),
		    queue_env_state_name(r->state));
		if (r->dsn != NULL)
			printf(" %s", r->dsn);
		if (r->reason != NULL)
			printf(" (%s)",
			    postern_queue_esc(r->reason, text, sizeof(text)));
		printf("\n");
	}
}

int
postern_queue_show(struct postern_queue *pq, const char *id)
{
	const struct queue_limits lim = QUEUE_LIMITS_DEFAULT;
	struct queue_file *qf = NULL;
	char chunk[4096];
	uint64_t off = 0, end;
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < pq->nitems; i++)
		if (strcmp(pq->items[i].id, id) == 0)
			break;
	if (i == pq->nitems) {
		postern_error("queue: no message %s in the queue", id);
		return POSTERN_EXIT_FAIL;
	}
	rc = queue_file_open(
	    pq->qd, pq->items[i].sub, id, false, &lim, &qf, &err);
	if (rc <= 0) {
		postern_error("queue: %s: %s", id,
		    rc == 0 ? "left the queue meanwhile" : err.text);
		return POSTERN_EXIT_FAIL;
	}
	postern_queue_show_env(&pq->items[i], queue_file_env(qf));
	printf("\n");
	end = queue_file_body_offset(qf);
	if (end > POSTERN_QUEUE_SHOW_HEADERS_MAX)
		end = POSTERN_QUEUE_SHOW_HEADERS_MAX;
	while (off < end) {
		size_t want = end - off < sizeof(chunk) ? (size_t)(end - off)
		                                        : sizeof(chunk);
		ssize_t n = queue_file_read(qf, off, chunk, want, &err);

		if (n <= 0)
			break;
		fwrite(chunk, 1, (size_t)n, stdout);
		off += (uint64_t)n;
	}
	queue_file_close(&qf);
	return POSTERN_EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * The wakeup column: every N seconds the master writes one trigger byte
 * to a fifo or unix service, as Postfix does for pickup and qmgr, so
 * they scan their queues even when nobody pokes them. "N?" waits until
 * the service has been used once.
 */
#include "master.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/event.h"
#include "core/log.h"

/* The byte Postfix uses for a wakeup request. */
#define MASTER_WAKEUP_BYTE "W"

/* Through a new connection; the service accepts it like any client. */
static void
master_wakeup_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warning_errno(errno, "wakeup %s: socket", path);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, MASTER_WAKEUP_BYTE, 1) != 1) {
		/* A full backlog means the service has work queued anyway. */
		if (errno != EAGAIN)
			log_warning_errno(errno, "wakeup %s", path);
	}
	close(fd);
}

static void
master_wakeup_send(struct master_service *svc)
{
	struct master_listener *lst;

	if (svc->nlst == 0)
		return;
	lst = svc->lst[0];
	log_debug(
	    "wakeup %s/%s", svc->def->name, mastercf_type_name(svc->def->type));
	if (svc->def->type == MASTERCF_FIFO) {
		/* We hold the fifo open read-write, so a write cannot block. */
		if (write(lst->fd, MASTER_WAKEUP_BYTE, 1) < 0 &&
		    errno != EAGAIN)
			log_warning_errno(errno, "wakeup %s", lst->addr.text);
	} else if (svc->def->type == MASTERCF_UNIX) {
		master_wakeup_unix(lst->addr.text);
	}
}

static void
master_wakeup_event(struct event_loop *loop, void *ctx)
{
	struct master_service *svc = ctx;

	svc->wakeup_timer = 0;
	if (!svc->def->wakeup_if_used || svc->used)
		master_wakeup_send(svc);
	svc->wakeup_timer = event_timer_add(
	    loop, (uint64_t)svc->def->wakeup * 1000, master_wakeup_event, svc);
}

void
master_wakeup_start(struct master_service *svc)
{
	master_wakeup_stop(svc);
	if (svc->def->wakeup <= 0 || svc->draining)
		return;
	/*
	 * The first wake-up is immediate, as Postfix's master does it, so
	 * qmgr schedules deferred mail at once after a start or reload
	 * instead of one wakeup period later.
	 */
	svc->wakeup_timer = event_timer_add(svc->m->loop, 0,
	    master_wakeup_event, svc);
}

void
master_wakeup_stop(struct master_service *svc)
{
	if (svc->wakeup_timer != 0)
		event_timer_cancel(svc->m->loop, svc->wakeup_timer);
	svc->wakeup_timer = 0;
}

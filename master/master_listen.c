/* SPDX-License-Identifier: MIT */
/*
 * Listeners: where each service listens and the descriptors behind it.
 * inet services bind host:port, or every address of inet_interfaces for
 * the families of inet_protocols; unix sockets and fifos live below
 * queue_directory/private (owner only) or public (everyone).
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/arena.h"
#include "core/event.h"
#include "core/log.h"
#include "core/xmalloc.h"

#define MASTER_LISTEN_BACKLOG SOMAXCONN
#define MASTER_LISTEN_MAXADDR 64

/* Which families inet_protocols allows: bit 0 IPv4, bit 1 IPv6. */
static int
master_listen_families(const struct conf *conf, struct err *err)
{
	struct buf item;
	const char *cur = conf->inet_protocols;
	int fam = 0;

	buf_init(&item);
	while (conf_list_next(&cur, &item)) {
		if (strcasecmp(item.data, "all") == 0)
			fam |= 3;
		else if (strcasecmp(item.data, "ipv4") == 0)
			fam |= 1;
		else if (strcasecmp(item.data, "ipv6") == 0)
			fam |= 2;
		else {
			err_set(err, ERR_PERM, "",
			    "inet_protocols: unknown "
			    "protocol \"%s\"",
			    item.data);
			buf_deinit(&item);
			return -1;
		}
	}
	buf_deinit(&item);
	if (fam == 0)
		return err_set(err, ERR_PERM, "", "inet_protocols is empty");
	return fam;
}

/* Add one resolved address unless it is already there. */
static void
master_listen_add(struct master_svcdef *def, const struct addrinfo *ai)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	struct master_addr *a;
	const char *text;
	size_t i;

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv,
	        sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	text = ai->ai_family == AF_INET6
	    ? arena_printf(def->arena, "[%s]:%s", host, serv)
	    : arena_printf(def->arena, "%s:%s", host, serv);
	for (i = 0; i < def->naddrs; i++) {
		if (strcmp(def->addrs[i].text, text) == 0)
			return;
	}
	if (def->naddrs == MASTER_LISTEN_MAXADDR)
		return;
	a = &def->addrs[def->naddrs++];
	a->text = (char *)text;
	memcpy(&a->sa, ai->ai_addr, ai->ai_addrlen);
	a->salen = ai->ai_addrlen;
}

/* Resolve host (NULL: wildcard) and port for the allowed families. */
static int
master_listen_lookup(struct master_svcdef *def, const char *host,
    const char *port, int fam, struct err *err)
{
	struct addrinfo hints, *res, *ai;
	char *bare = NULL;
	size_t n;
	int rc;

	n = host != NULL ? strlen(host) : 0;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		host = bare = xstrndup(host + 1, n - 2);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = fam == 1 ? AF_INET : fam == 2 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		err_set(err, rc == EAI_AGAIN ? ERR_TEMP : ERR_PERM, "",
		    "%s:%s: %s", host != NULL ? host : "*", port,
		    gai_strerror(rc));
		free(bare);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			master_listen_add(def, ai);
	}
	freeaddrinfo(res);
	free(bare);
	return 0;
}

/* inet_interfaces: all, loopback-only, or a list of addresses/names. */
static int
master_listen_interfaces(const struct conf *conf, const char *port, int fam,
    struct master_svcdef *def, struct err *err)
{
	struct buf item;
	const char *cur = conf->inet_interfaces;
	int rc = 0;

	buf_init(&item);
	while (rc == 0 && conf_list_next(&cur, &item)) {
		if (strcasecmp(item.data, "all") == 0) {
			rc = master_listen_lookup(def, NULL, port, fam, err);
		} else if (strcasecmp(item.data, "loopback-only") == 0) {
			if (fam & 1)
				rc = master_listen_lookup(
				    def, "127.0.0.1", port, fam, err);
			if (rc == 0 && (fam & 2))
				rc = master_listen_lookup(
				    def, "::1", port, fam, err);
		} else {
			rc = master_listen_lookup(
			    def, item.data, port, fam, err);
		}
	}
	buf_deinit(&item);
	if (rc == 0 && def->naddrs == 0)
		return err_set(err, ERR_PERM, "",
		    "inet_interfaces and "
		    "inet_protocols leave no address to listen on");
	return rc;
}

int
master_listen_resolve(const struct conf *conf,
    const struct mastercf_service *ent, struct master_svcdef *def,
    struct err *err)
{
	struct sockaddr_un sun;
	const char *path;
	int fam;

	def->addrs = arena_zalloc(
	    def->arena, MASTER_LISTEN_MAXADDR * sizeof(*def->addrs));
	if (ent->type != MASTERCF_INET) {
		path =
		    arena_printf(def->arena, "%s/%s/%s", conf->queue_directory,
		        ent->private_svc ? "private" : "public", ent->name);
		if (strlen(path) >= sizeof(sun.sun_path))
			return err_set(err, ERR_PERM, "",
			    "socket path %s is "
			    "too long",
			    path);
		def->addrs[0].text = (char *)path;
		def->naddrs = 1;
		return 0;
	}
	fam = master_listen_families(conf, err);
	if (fam < 0)
		return -1;
	if (ent->host != NULL && ent->host[0] != '\0')
		return master_listen_lookup(
		    def, ent->host, ent->port, fam, err);
	return master_listen_interfaces(conf, ent->port, fam, def, err);
}

static int
master_listen_inet(const struct master_addr *addr, struct err *err)
{
	int fd, on = 1;

	fd = socket(
	    addr->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(err, ERR_TEMP, "", "socket %s: %s", addr->text,
		    strerror(errno));
	/* Restart without waiting for TIME_WAIT sockets of the old master. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* "::" must not also take the IPv4 wildcard that 0.0.0.0 binds. */
	if (addr->sa.ss_family == AF_INET6)
		(void)setsockopt(
		    fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&addr->sa, addr->salen) < 0 ||
	    listen(fd, MASTER_LISTEN_BACKLOG) < 0) {
		err_set(err, ERR_TEMP, "", "bind %s: %s", addr->text,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Private sockets belong to mail_owner alone; public ones to everyone. */
static int
master_listen_own(const struct master *m, const struct master_config *cfg,
    const struct master_svcdef *def, const char *path, mode_t mode,
    struct err *err)
{
	if (chmod(path, mode) < 0)
		return err_set(
		    err, ERR_TEMP, "", "chmod %s: %s", path, strerror(errno));
	if (m->root && def->private_svc &&
	    chown(path, cfg->owner_uid, cfg->owner_gid) < 0)
		return err_set(
		    err, ERR_TEMP, "", "chown %s: %s", path, strerror(errno));
	return 0;
}

static int
master_listen_unix(const struct master *m, const struct master_config *cfg,
    const struct master_svcdef *def, const char *path, struct err *err)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "", "socket %s: %s", path, strerror(errno));
	if (unlink(path) < 0 && errno != ENOENT)
		log_warning_errno(errno, "remove %s", path);
	/* Nobody may connect between bind() and the chmod() below. */
	old = umask(077);
	rc = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(fd, MASTER_LISTEN_BACKLOG) < 0) {
		err_set(
		    err, ERR_TEMP, "", "bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (master_listen_own(
	        m, cfg, def, path, def->private_svc ? 0600 : 0666, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
master_listen_fifo(const struct master *m, const struct master_config *cfg,
    const struct master_svcdef *def, const char *path, struct err *err)
{
	struct stat st;
	mode_t old;
	int fd, rc;

	if (unlink(path) < 0 && errno != ENOENT)
		log_warning_errno(errno, "remove %s", path);
	old = umask(077);
	rc = mkfifo(path, 0600);
	umask(old);
	if (rc < 0)
		return err_set(
		    err, ERR_TEMP, "", "mkfifo %s: %s", path, strerror(errno));
	if (master_listen_own(
	        m, cfg, def, path, def->private_svc ? 0600 : 0622, err) < 0)
		return -1;
	/* Read-write, so the fifo never reports EOF when writers go away. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set(
		    err, ERR_TEMP, "", "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return err_set(err, ERR_TEMP, "", "%s: not a fifo", path);
	}
	return fd;
}

struct master_listener *
master_listen_open(const struct master *m, const struct master_config *cfg,
    const struct master_svcdef *def, const struct master_addr *addr,
    struct err *err)
{
	struct master_listener *lst;
	int fd;

	switch (def->type) {
	case MASTERCF_INET:
		fd = master_listen_inet(addr, err);
		break;
	case MASTERCF_UNIX:
		fd = master_listen_unix(m, cfg, def, addr->text, err);
		break;
	case MASTERCF_FIFO:
		fd = master_listen_fifo(m, cfg, def, addr->text, err);
		break;
	default:
		err_set(err, ERR_PERM, "", "%s: unsupported type", def->name);
		return NULL;
	}
	if (fd < 0)
		return NULL;
	lst = xcalloc(1, sizeof(*lst));
	lst->addr = *addr;
	lst->addr.text = xstrdup(addr->text);
	lst->fd = fd;
	return lst;
}

/*
 * Processes only borrow their listener (master_proc.lst). Before a
 * listener leaves its service (retired by a reload, closed by a stop),
 * every process of that service stops pointing at it, so neither the
 * reaper nor a late status record can touch it once it is freed.
 */
static void
master_listen_forget(struct master_listener *lst)
{
	struct master_proc *proc;

	if (lst->svc == NULL)
		return;
	for (proc = lst->svc->procs; proc != NULL; proc = proc->next) {
		if (proc->lst == lst)
			proc->lst = NULL;
	}
	lst->avail = 0;
}

void
master_listen_close(struct master *m, struct master_listener **lstp)
{
	struct master_listener *lst = *lstp;

	if (lst == NULL)
		return;
	master_listen_forget(lst);
	if (lst->registered)
		event_fd_remove(m->loop, lst->fd);
	close(lst->fd);
	free(lst->addr.text);
	free(lst);
	*lstp = NULL;
}

void
master_listen_retire(struct master *m, struct master_listener *lst)
{
	master_listen_forget(lst);
	if (lst->registered)
		event_fd_remove(m->loop, lst->fd);
	lst->registered = false;
	lst->watching = false;
	lst->svc = NULL;
	m->retired =
	    xreallocarray(m->retired, m->nretired + 1, sizeof(*m->retired));
	m->retired[m->nretired++] = lst;
}

static bool
master_listen_path_used(const struct master *m, const char *path)
{
	const struct master_service *svc;
	size_t i;

	for (svc = m->services; svc != NULL; svc = svc->next) {
		for (i = 0; i < svc->nlst; i++) {
			if (strcmp(svc->lst[i]->addr.text, path) == 0)
				return true;
		}
	}
	return false;
}

void
master_listen_shutdown(struct master *m, struct master_listener **lstp)
{
	struct master_listener *lst = *lstp;

	if (lst == NULL)
		return;
	/* Fifos cannot be shut down; without a path no new writer finds it. */
	(void)shutdown(lst->fd, SHUT_RDWR);
	if (lst->addr.salen == 0 &&
	    !master_listen_path_used(m, lst->addr.text) &&
	    unlink(lst->addr.text) < 0 && errno != ENOENT)
		log_warning_errno(errno, "remove %s", lst->addr.text);
	master_listen_close(m, lstp);
}

static int
master_listen_mkdir(const struct master *m, const char *path, mode_t mode,
    uid_t uid, gid_t gid, struct err *err)
{
	if (mkdir(path, mode) < 0) {
		if (errno == EEXIST)
			return 0;
		return err_set(
		    err, ERR_TEMP, "", "mkdir %s: %s", path, strerror(errno));
	}
	if (m->root && chown(path, uid, gid) < 0)
		return err_set(
		    err, ERR_TEMP, "", "chown %s: %s", path, strerror(errno));
	return 0;
}

int
master_listen_dirs(
    const struct master *m, const struct master_config *cfg, struct err *err)
{
	const char *q = cfg->conf->queue_directory;
	char path[4096];
	int n;

	/* Existing directories are left as postern init made them. */
	n = snprintf(path, sizeof(path), "%s/private", q);
	if (n < 0 || (size_t)n >= sizeof(path))
		return err_set(err, ERR_PERM, "", "queue_directory too long");
	if (master_listen_mkdir(
	        m, path, 0700, cfg->owner_uid, cfg->owner_gid, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/public", q);
	return master_listen_mkdir(
	    m, path, 0755, cfg->owner_uid, cfg->owner_gid, err);
}

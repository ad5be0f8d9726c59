/* SPDX-License-Identifier: MIT */
/*
 * Who may talk to authd. The socket lives in public/, which only
 * mail_owner and the postdrop group can enter; setgid helpers make
 * postdrop reachable to ordinary users, so authd also checks the peer's
 * user (SO_PEERCRED) against the mail system's own users: root, the
 * processes of mail_owner and mail_store_owner, and authd's own user
 * (an instance run by one unprivileged user has only that one).
 */
#include "authd.h"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/log.h"

static void
authd_peer_add(struct authd *ad, uid_t uid)
{
	size_t i;

	for (i = 0; i < ad->npeers; i++)
		if (ad->peers[i] == uid)
			return;
	if (ad->npeers < AUTHD_PEERS_MAX)
		ad->peers[ad->npeers++] = uid;
}

static void
authd_peer_add_user(struct authd *ad, const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL) {
		log_warning("no system user %s: its processes cannot use "
		            "authd",
		    name);
		return;
	}
	authd_peer_add(ad, pw->pw_uid);
}

void
authd_peer_init(struct authd *ad)
{
	authd_peer_add(ad, 0);
	/* In an unprivileged instance every service runs as our user. */
	authd_peer_add(ad, getuid());
	authd_peer_add_user(ad, ad->conf->mail_owner);
	authd_peer_add_user(ad, ad->conf->mail_store_owner);
}

bool
authd_peer_allowed(const struct authd *ad, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	size_t i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred)) {
		log_warning("client credentials unknown: refused");
		return false;
	}
	for (i = 0; i < ad->npeers; i++)
		if (ad->peers[i] == cred.uid)
			return true;
	log_warning("client pid %ld uid %ld is not a mail system user: "
	            "refused",
	    (long)cred.pid, (long)cred.uid);
	return false;
}

/*
 * Who is on the other end of a control connection, from SO_PEERCRED and
 * SO_PEERGROUPS, never from what the client sends.
 *
 * User names are for the audit table and the log.  A passwd lookup may
 * block (NSS over the network), so it is made once per uid and cached:
 * a peer that connects in a loop costs one lookup, not one per connect.
 * The cache holds the uids that have connections and the PEER_UID_CACHE
 * seen last; a reload empties it, so a renamed user is seen then.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "peer.h"

#define PEER_MAXGROUPS	256
#define PEER_UID_CACHE	64	/* uids remembered with no connection */

void
peers_init(struct peers *ps)
{
	memset(ps, 0, sizeof(*ps));
	TAILQ_INIT(&ps->uids);
}

/* Frees the uids with no connection but the keep most recently seen. */
static void
peers_trim(struct peers *ps, int keep)
{
	struct peer_uid	*u, *next;

	for (u = TAILQ_FIRST(&ps->uids); u != NULL; u = next) {
		next = TAILQ_NEXT(u, entry);
		if (u->nconns > 0 || keep-- > 0)
			continue;
		TAILQ_REMOVE(&ps->uids, u, entry);
		free(u);
	}
}

void
peers_forget(struct peers *ps)
{
	peers_trim(ps, 0);
}

void
peers_configure(struct peers *ps, const char *admin_group)
{
	struct group	*gr;

	peers_forget(ps);
	ps->have_admin_gid = 0;
	if (admin_group == NULL || *admin_group == '\0')
		return;
	if ((gr = getgrnam(admin_group)) == NULL) {
		log_info("%s: admin_group %s does not exist: only root and "
		    "the daemon's user may change state", __func__,
		    admin_group);
		return;
	}
	ps->admin_gid = gr->gr_gid;
	ps->have_admin_gid = 1;
}

/* Admin: root, the daemon's own user, or a member of admin_group. */
static int
peer_is_admin(const struct peers *ps, int fd, const struct peer *p)
{
	gid_t		 groups[PEER_MAXGROUPS];
	socklen_t	 len = sizeof(groups);
	size_t		 i;

	if (p->uid == 0 || p->uid == geteuid())
		return 1;
	if (!ps->have_admin_gid)
		return 0;
	if (p->gid == ps->admin_gid)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1) {
		log_warn("%s: SO_PEERGROUPS", __func__);
		return 0;
	}
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == ps->admin_gid)
			return 1;
	return 0;
}

/* The entry of uid, looking its name up if the cache does not hold it. */
static struct peer_uid *
peer_uid_get(struct peers *ps, uid_t uid)
{
	struct peer_uid	*u;
	struct passwd	*pw;

	TAILQ_FOREACH(u, &ps->uids, entry)
		if (u->uid == uid)
			break;
	if (u != NULL)
		TAILQ_REMOVE(&ps->uids, u, entry);
	else {
		if ((u = calloc(1, sizeof(*u))) == NULL)
			return NULL;
		u->uid = uid;
		if ((pw = getpwuid(uid)) != NULL)
			snprintf(u->user, sizeof(u->user), "%s", pw->pw_name);
		else
			snprintf(u->user, sizeof(u->user), "%lu",
			    (unsigned long)uid);
		peers_trim(ps, PEER_UID_CACHE - 1);
	}
	TAILQ_INSERT_HEAD(&ps->uids, u, entry);
	return u;
}

int
peer_identify(struct peers *ps, int fd, struct peer *p, struct peer_uid **u)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("%s: SO_PEERCRED", __func__);
		return -1;
	}
	p->uid = cred.uid;
	p->gid = cred.gid;
	p->pid = cred.pid;
	if ((*u = peer_uid_get(ps, cred.uid)) == NULL)
		return -1;
	memcpy(p->user, (*u)->user, sizeof(p->user));
	p->admin = peer_is_admin(ps, fd, p);
	return 0;
}

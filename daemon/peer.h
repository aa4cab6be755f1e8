/*
 * Who is on the other end of a control connection: its credentials, its
 * user name (looked up once per uid and cached) and whether it is an
 * administrator.
 */
#ifndef PEER_H
#define PEER_H

#include <sys/types.h>
#include <sys/queue.h>

#include "control.h"

/* One uid's connections (counted by control.c) and its user name. */
struct peer_uid {
	TAILQ_ENTRY(peer_uid)	 entry;
	uid_t			 uid;
	int			 nconns;
	int			 nreadonly;	/* of them, not an admin's */
	char			 user[64];
};

struct peers {
	TAILQ_HEAD(, peer_uid)	 uids;		/* most recently seen first */
	gid_t			 admin_gid;
	int			 have_admin_gid;
};

void	peers_init(struct peers *);
/* Resolves admin_group and forgets the cached user names. */
void	peers_configure(struct peers *, const char *admin_group);
/* Frees every uid entry with no connection (all of them at the end). */
void	peers_forget(struct peers *);
/*
 * Fills p from the credentials of the socket fd and points *u at its
 * uid's entry, which stays while its nconns is above 0.  -1 on error.
 */
int	peer_identify(struct peers *, int fd, struct peer *p,
	    struct peer_uid **u);

#endif

/*
 * The control socket: accepts connections, frames lines, enforces limits,
 * and hands each request line to commands_dispatch().
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <sys/types.h>

#include <event2/event.h>

struct control;

/* Who is on the other end of a connection, from SO_PEERCRED/PEERGROUPS. */
struct peer {
	uid_t	 uid;
	gid_t	 gid;
	pid_t	 pid;
	int	 admin;
	char	 user[64];	/* resolved once per uid, not per accept */
	void	*conn;		/* the connection, for per-connection state */
};

struct control_conf {
	const char	*path;
	mode_t		 mode;
	const char	*admin_group;
	int		 max_connections;
	int		 max_per_uid;	/* read-only connections of one uid */
	int		 idle_timeout;
	int		 max_transfers;	/* descriptors kept for deliveries */
};

/*
 * Binds the socket (or takes the one systemd passed).  Refuses to replace a
 * socket a live daemon answers on; replaces a stale one.
 */
struct control	*control_open(struct event_base *base,
		    const struct control_conf *cc, char *err, size_t errlen);
/*
 * Applies new limits and admin group after a reload; max_connections is
 * lowered to what RLIMIT_NOFILE leaves once the daemon's own descriptors
 * and max_transfers are set aside.  User names cached per uid are
 * resolved again.
 */
void		 control_configure(struct control *c,
		    const struct control_conf *cc);
void		 control_close(struct control *c);

/*
 * The import in progress on a connection (chunked "import" requests): a
 * slot that is NULL when there is none; what it holds is freed with the
 * connection.
 */
struct import;
struct import	**control_upload(void *conn);

#endif

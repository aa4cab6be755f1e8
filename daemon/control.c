/*
 * The control socket: moves bytes.  What a request means is decided in
 * commands.c.
 *
 * Limits, so that no client can exhaust the daemon or block others: a
 * request line is at most PROTO_MAXLINE bytes (the read high-watermark
 * stops reading past it), an idle connection is closed after idle_timeout
 * seconds, and at most max_connections are open at once, a number clamped
 * to the descriptor limit.
 *
 * Read-only peers are many and administrators few, so the slots are not
 * first come, first served (control_fit): a read-only uid has at most
 * max_per_uid connections, read-only peers together leave reserve slots
 * to administrators, and a read-only peer that goes over a limit closes a
 * read-only connection (its own, or one of the uid holding most), never an
 * administrator's.  On EMFILE a read-only connection makes room too; only
 * when there is none does accept pause for a second.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "commands.h"
#include "control.h"
#include "import.h"
#include "log.h"
#include "peer.h"
#include "proto.h"

#define CONTROL_OUTMAX		(16 * 1024 * 1024)
/* A read of request data: an import stores one between other clients. */
#define CONTROL_BODY_READ	(256 * 1024)
#define CONTROL_WRITE_MAX	(1024 * 1024)	/* a write of an answer */
#define CONTROL_READ_MAX	(PROTO_MAXLINE + 2)	/* buffered requests */
#define CONTROL_ADMIN_RESERVE	8	/* slots read-only peers cannot take */
/* Descriptors kept from clients for stdio, the loop, SQLite and plugins. */
#define CONTROL_FD_RESERVE	32
#define CONTROL_MIN_CONNECTIONS	4

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct control		*control;
	struct bufferevent	*bev;
	struct import		*upload;	/* an import in progress */
	struct cmd_body		*body;		/* a request's data to read */
	struct peer		 peer;
	struct peer_uid		*uid;
	int			 closing;	/* flush, then close */
};

struct control {
	struct event_base	*base;
	int			 fd;
	char			*path;
	dev_t			 sock_dev;	/* the socket file we made */
	ino_t			 sock_ino;
	struct event		*ev_accept;
	struct event		*ev_pause;
	TAILQ_HEAD(, conn)	 conns;		/* least recently active first */
	struct peers		 peers;
	int			 nconns;
	int			 nreadonly;	/* of them, not administrators' */
	int			 max_connections;
	int			 reserve;	/* of them, for administrators */
	int			 max_per_uid;
	struct timeval		 idle;
	int			 pauses;	/* since the last warning */
	time_t			 warned;	/* of pausing, monotonic */
};

#define CONTROL_WARN_SECS	60	/* between warnings of pausing */

static void	control_accept(evutil_socket_t, short, void *);

/* Is a daemon answering on sun?  1 yes, 0 no (stale or absent). */
static int
control_check(const struct sockaddr_un *sun)
{
	int	fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return rc == 0;
}

static int
control_bind(struct control *c, const char *path, mode_t mode, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	if (control_check(&sun)) {
		snprintf(err, errlen, "%s: a daemon is already answering on "
		    "this socket", path);
		return -1;
	}
	/* A stale socket goes; anything else at the path is not ours. */
	if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0777 & ~mode);
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		return -1;
	}
	umask(old);
	if (chmod(path, mode) == -1 || lstat(path, &sb) == -1) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	c->sock_dev = sb.st_dev;
	c->sock_ino = sb.st_ino;
	/* The admin group may open it with a group-only mode. */
	if (c->peers.have_admin_gid &&
	    chown(path, (uid_t)-1, c->peers.admin_gid) == -1)
		log_warn("%s: chown %s to the admin group", __func__, path);
	if ((c->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The socket systemd passed (LISTEN_FDS), or -1. */
static int
control_systemd(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int		 fd = 3;

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() ||
	    atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		return -1;
	return fd;
}

/*
 * max_connections lowered, if need be, to the descriptors RLIMIT_NOFILE
 * leaves once the daemon's own and its transfers' are set aside.
 */
static int
control_clamp(int want, int transfers)
{
	struct rlimit	rl;
	rlim_t		keep = CONTROL_FD_RESERVE + (rlim_t)transfers, room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("%s: getrlimit", __func__);
		return want;
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return want;
	room = rl.rlim_cur > keep ? rl.rlim_cur - keep : 0;
	if (room >= (rlim_t)want)
		return want;
	if (room < CONTROL_MIN_CONNECTIONS)
		room = CONTROL_MIN_CONNECTIONS;
	log_warnx("%s: max_connections lowered from %d to %d: the descriptor "
	    "limit is %llu, of which %llu are kept for the database, plugins "
	    "and transfers", __func__, want, (int)room,
	    (unsigned long long)rl.rlim_cur, (unsigned long long)keep);
	return (int)room;
}

void
control_configure(struct control *c, const struct control_conf *cc)
{
	int	share;

	c->max_connections = control_clamp(cc->max_connections,
	    cc->max_transfers);
	c->reserve = c->max_connections / 2;
	if (c->reserve > CONTROL_ADMIN_RESERVE)
		c->reserve = CONTROL_ADMIN_RESERVE;
	share = c->max_connections - c->reserve;
	c->max_per_uid = cc->max_per_uid < share ? cc->max_per_uid : share;
	c->idle.tv_sec = cc->idle_timeout;
	c->idle.tv_usec = 0;
	peers_configure(&c->peers, cc->admin_group);
}

struct control *
control_open(struct event_base *base, const struct control_conf *cc,
    char *err, size_t errlen)
{
	struct control	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base = base;
	c->fd = -1;
	TAILQ_INIT(&c->conns);
	peers_init(&c->peers);
	control_configure(c, cc);
	if ((c->fd = control_systemd()) == -1 &&
	    control_bind(c, cc->path, cc->mode, err, errlen) == -1)
		goto fail;
	if (listen(c->fd, 128) == -1) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		goto fail;
	}
	c->ev_accept = event_new(base, c->fd, EV_READ | EV_PERSIST,
	    control_accept, c);
	c->ev_pause = evtimer_new(base, control_accept, c);
	if (c->ev_accept == NULL || c->ev_pause == NULL ||
	    event_add(c->ev_accept, NULL) == -1) {
		snprintf(err, errlen, "cannot set up accept events");
		goto fail;
	}
	return c;
fail:
	control_close(c);
	return NULL;
}

/* Counts conn in (n 1) or out (n -1) of its control's and uid's totals. */
static void
conn_count(struct conn *conn, int n)
{
	struct control	*c = conn->control;

	c->nconns += n;
	conn->uid->nconns += n;
	if (!conn->peer.admin) {
		c->nreadonly += n;
		conn->uid->nreadonly += n;
	}
}

static void
conn_close(struct conn *conn)
{
	TAILQ_REMOVE(&conn->control->conns, conn, entry);
	conn_count(conn, -1);
	bufferevent_free(conn->bev);
	commands_body_free(conn->body);
	import_abort(&conn->upload);
	free(conn);
}

void
control_close(struct control *c)
{
	struct conn	*conn;
	struct stat	 sb;

	if (c == NULL)
		return;
	while ((conn = TAILQ_FIRST(&c->conns)) != NULL)
		conn_close(conn);
	peers_forget(&c->peers);
	if (c->ev_accept != NULL)
		event_free(c->ev_accept);
	if (c->ev_pause != NULL)
		event_free(c->ev_pause);
	if (c->fd != -1)
		close(c->fd);
	/* Only the socket we made: another daemon may have put its own. */
	if (c->path != NULL && lstat(c->path, &sb) == 0 &&
	    sb.st_dev == c->sock_dev && sb.st_ino == c->sock_ino &&
	    unlink(c->path) == -1)
		log_warn("%s: unlink %s", __func__, c->path);
	free(c->path);
	free(c);
}

struct import **
control_upload(void *p)
{
	struct conn	*conn = p;

	return &conn->upload;
}

/* Frees an answer line once libevent has sent it. */
static void
line_free(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

/*
 * Queues an answer line of len bytes, which it takes; on closing, the
 * connection ends once sent.
 */
static void
conn_send(struct conn *conn, char *line, size_t len)
{
	struct evbuffer	*out = bufferevent_get_output(conn->bev);

	if (line == NULL && (line = proto_error("internal",
	    "out of memory")) != NULL)
		len = strlen(line);
	if (line == NULL)
		return;
	/* Large answers (an agenda runs to megabytes) go without a copy. */
	if (evbuffer_add_reference(out, line, len, line_free, NULL) == -1) {
		bufferevent_write(conn->bev, line, len);
		free(line);
	}
}

/*
 * The longest idle read-only connection of u, or NULL.  With u NULL, the
 * one to close when read-only peers are over their share: of the uid
 * holding most (the first idle among a tie), so a newcomer gets in at the
 * expense of the greediest.
 */
static struct conn *
conn_oldest_readonly(struct control *c, const struct peer_uid *u)
{
	struct peer_uid	*p;
	struct conn	*conn;
	int		 most = 0;

	TAILQ_FOREACH(p, &c->peers.uids, entry)
		if (u == NULL && p->nreadonly > most)
			most = p->nreadonly;
	TAILQ_FOREACH(conn, &c->conns, entry)
		if (!conn->peer.admin && (u != NULL ? conn->uid == u :
		    conn->uid->nreadonly == most))
			return conn;
	return NULL;
}

/*
 * The administrator's connection to close for another's: the longest
 * idle, passing over connections in the middle of an import.
 */
static struct conn *
conn_oldest_admin(struct control *c, const struct conn *new)
{
	struct conn	*conn;

	TAILQ_FOREACH(conn, &c->conns, entry)
		if (conn != new && conn->body == NULL &&
		    conn->upload == NULL)
			return conn;
	return NULL;
}

/*
 * Brings the counts back within their limits once new has joined, by
 * closing one connection: new's own longest idle if its uid is over
 * max_per_uid; a read-only one if read-only peers are over their share or
 * all slots are taken; for an administrator with no read-only connection
 * left, another administrator's.  A read-only peer never closes an
 * administrator's connection; with none to close, new is refused.
 */
static void
control_fit(struct control *c, struct conn *new)
{
	struct conn	*victim = NULL;
	int		 full = c->nconns > c->max_connections;

	if (!new->peer.admin && new->uid->nreadonly > c->max_per_uid)
		victim = conn_oldest_readonly(c, new->uid);
	else if (full || (!new->peer.admin &&
	    c->nreadonly > c->max_connections - c->reserve))
		victim = conn_oldest_readonly(c, NULL);
	if (victim == NULL && full && new->peer.admin)
		victim = conn_oldest_admin(c, new);
	if (victim == NULL && full)
		victim = new;
	if (victim == NULL)
		return;
	log_debug("%s: uid %lu%s: %d connections, %d read-only, %d of uid "
	    "%lu: closing one of uid %lu", __func__,
	    (unsigned long)new->peer.uid, new->peer.admin ? " (admin)" : "",
	    c->nconns, c->nreadonly, new->uid->nconns,
	    (unsigned long)new->peer.uid, (unsigned long)victim->peer.uid);
	conn_close(victim);
}

/* Moves conn to the tail: the head is then the longest idle. */
static void
conn_touch(struct conn *conn)
{
	struct control	*c = conn->control;

	TAILQ_REMOVE(&c->conns, conn, entry);
	TAILQ_INSERT_TAIL(&c->conns, conn, entry);
}

/*
 * The idle timeouts count from now, not from when the request came in: a
 * command that took longer than idle_timeout (an import of a million
 * contracts) still has its answer delivered.
 */
static void
conn_rearm(struct conn *conn)
{
	struct control	*c = conn->control;

	event_base_update_cache_time(c->base);
	bufferevent_set_timeouts(conn->bev, &c->idle, &c->idle);
}

/* Reads no more: the connection closes once its answers are out. */
static void
conn_finish(struct conn *conn)
{
	conn->closing = 1;
	bufferevent_disable(conn->bev, EV_READ);
}

static void
conn_oversize(struct conn *conn)
{
	char	*line;

	log_info("%s: uid %lu: request line over %d bytes, closing",
	    __func__, (unsigned long)conn->peer.uid, PROTO_MAXLINE);
	line = proto_error("too_large", "request line longer than 65536 "
	    "bytes");
	conn_send(conn, line, line != NULL ? strlen(line) : 0);
	conn_finish(conn);
}

/*
 * A client that sends requests without reading the answers is not read
 * from until it has taken them: its answers cannot pile up without bound.
 */
static int
conn_backlogged(struct conn *conn)
{
	if (evbuffer_get_length(bufferevent_get_output(conn->bev)) <
	    CONTROL_OUTMAX)
		return 0;
	bufferevent_disable(conn->bev, EV_READ);
	return 1;
}

/* Sends what a request (or its data) came to; reads its data next. */
static void
conn_answer(struct conn *conn, struct cmd_answer *a)
{
	if ((conn->body = a->body) != NULL) {
		/* Data by the megabyte: read it in large pieces. */
		bufferevent_setwatermark(conn->bev, EV_READ, 0,
		    CONTROL_BODY_READ);
		(void)bufferevent_set_max_single_read(conn->bev,
		    CONTROL_BODY_READ);
		return;
	}
	bufferevent_setwatermark(conn->bev, EV_READ, 0, CONTROL_READ_MAX);
	(void)bufferevent_set_max_single_read(conn->bev, 0);	/* default */
	conn_send(conn, a->line, a->len);
	if (a->close)
		conn_finish(conn);
	conn_rearm(conn);
}

/* Hands what has come of a request's data to its command. */
static void
conn_body(struct conn *conn, struct evbuffer *in)
{
	struct evbuffer_iovec	 v[16];
	struct cmd_answer	 a;
	size_t			 left, k, taken = 0;
	int			 i, n;

	left = commands_body_left(conn->body);
	n = evbuffer_peek(in, (ev_ssize_t)left, NULL, v, 16);
	if (n > 16)
		n = 16;
	for (i = 0; i < n && left > 0; i++) {
		k = v[i].iov_len < left ? v[i].iov_len : left;
		left -= k;
		taken += k;
		commands_body(&conn->peer, conn->body, v[i].iov_base, k, &a);
		if (left == 0) {
			conn->body = NULL;	/* freed: it answered */
			conn_answer(conn, &a);
		}
	}
	evbuffer_drain(in, taken);
}

/*
 * Whether the first line waiting is longer than a request may be: many
 * short ones, held while the client is not reading its answers, are not.
 */
static int
conn_line_too_long(struct evbuffer *in)
{
	struct evbuffer_ptr	 eol;

	if (evbuffer_get_length(in) <= PROTO_MAXLINE)
		return 0;
	eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
	return eol.pos == -1 || eol.pos > PROTO_MAXLINE;
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn		*conn = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct cmd_answer	 a;
	char			*line;
	size_t			 n;

	conn_touch(conn);
	while (!conn->closing && !conn_backlogged(conn)) {
		if (conn->body != NULL) {
			if (evbuffer_get_length(in) == 0)
				return;
			conn_body(conn, in);
			continue;
		}
		if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) == NULL)
			break;
		if (n > PROTO_MAXLINE) {
			free(line);
			conn_oversize(conn);
			break;
		}
		commands_dispatch(&conn->peer, line, n, &a);
		free(line);
		conn_answer(conn, &a);
	}
	if (!conn->closing && conn->body == NULL && conn_line_too_long(in))
		conn_oversize(conn);
}

static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn	*conn = arg;

	if (conn->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_close(conn);
		return;
	}
	/* Answers taken: read again, starting with what is waiting. */
	if (!(bufferevent_get_enabled(bev) & EV_READ)) {
		bufferevent_enable(bev, EV_READ);
		conn_read(bev, conn);
	}
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*conn = arg;

	/* A half-close: answer what was sent, then close. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    !conn->closing) {
		conn_read(bev, conn);
		conn_finish(conn);
		if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
			return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_debug("%s: uid %lu: idle timeout", __func__,
		    (unsigned long)conn->peer.uid);
	else if (what & BEV_EVENT_ERROR)
		log_debug("%s: uid %lu: %s", __func__,
		    (unsigned long)conn->peer.uid, strerror(errno));
	conn_close(conn);
}

static struct conn *
conn_new(struct control *c, int fd)
{
	struct conn	*conn;

	if ((conn = calloc(1, sizeof(*conn))) == NULL)
		return NULL;
	conn->control = c;
	conn->peer.conn = conn;
	if (peer_identify(&c->peers, fd, &conn->peer, &conn->uid) == -1 ||
	    (conn->bev = bufferevent_socket_new(c->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(conn);
		return NULL;
	}
	bufferevent_setcb(conn->bev, conn_read, conn_write, conn_event, conn);
	bufferevent_setwatermark(conn->bev, EV_READ, 0, CONTROL_READ_MAX);
	/*
	 * An answer of megabytes (an agenda) goes out in writes as large as
	 * the socket takes, not 16 KiB a loop turn behind other work.
	 */
	(void)bufferevent_set_max_single_write(conn->bev, CONTROL_WRITE_MAX);
	/* A client that stops reading its answers times out too. */
	bufferevent_set_timeouts(conn->bev, &c->idle, &c->idle);
	bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&c->conns, conn, entry);
	conn_count(conn, 1);
	log_debug("%s: uid %lu (%s) pid %ld connected%s", __func__,
	    (unsigned long)conn->peer.uid, conn->peer.user,
	    (long)conn->peer.pid, conn->peer.admin ? ", admin" : "");
	return conn;
}

/*
 * On EMFILE/ENFILE: stop accepting for a second instead of spinning.
 * Warned of at most once a minute, with the pauses since.
 */
static void
control_pause(struct control *c)
{
	struct timeval	 tv = { 1, 0 };
	struct timespec	 now;

	c->pauses++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->warned == 0 || now.tv_sec - c->warned >= CONTROL_WARN_SECS) {
		log_warn("%s: accept: pausing a second at a time while out "
		    "of descriptors (%d pause%s in the last minute)", __func__,
		    c->pauses, c->pauses == 1 ? "" : "s");
		c->warned = now.tv_sec;
		c->pauses = 0;
	}
	event_del(c->ev_accept);
	evtimer_add(c->ev_pause, &tv);
}

/*
 * Out of descriptors: a read-only connection makes room, so that
 * read-only peers cannot hold accept paused; with none, accept pauses.
 * Either way the backlog waits for the next turn of the loop, when
 * libevent has closed the descriptor of the connection freed.
 */
static void
control_shed(struct control *c)
{
	struct conn	*victim;

	if ((victim = conn_oldest_readonly(c, NULL)) == NULL) {
		control_pause(c);
		return;
	}
	log_debug("%s: out of descriptors: closing a connection of uid %lu",
	    __func__, (unsigned long)victim->peer.uid);
	conn_close(victim);
}

/* Takes one connection; 0 when the backlog is empty or accept paused. */
static int
control_accept1(struct control *c)
{
	struct conn	*conn;
	int		 fd;

	fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE) {
			control_shed(c);
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", __func__);
		return errno == EINTR || errno == ECONNABORTED;
	}
	if ((conn = conn_new(c, fd)) == NULL) {
		log_warnx("%s: cannot set up a connection", __func__);
		close(fd);
		return 1;
	}
	control_fit(c, conn);
	return 1;
}

static void
control_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct control	*c = arg;
	int		 i;

	(void)lfd;
	if (what & EV_TIMEOUT) {
		event_add(c->ev_accept, NULL);
		return;
	}
	/* Drain the backlog, a bounded number at a time. */
	for (i = 0; i < 64 && control_accept1(c); i++)
		;
}

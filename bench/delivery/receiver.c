/*
 * receiver: a minimal HTTP/1.1 sink for the delivery benchmark.
 *
 *   receiver [-a ADDR] [-p PORT] [-P PORTFILE] [-c CAPTURE]
 *
 * One thread, epoll, keep-alive, pipelining.  Every POST is answered
 * "200 OK" with an empty body as soon as its body has arrived, and counted;
 * the first POST (headers and body) is written to CAPTURE.  Two requests
 * are not counted:
 *   GET /stats   {"count":N,"first_ns":T,"last_ns":T,"bytes":B,"conns":C}
 *                (T: CLOCK_REALTIME of the first and the last counted POST;
 *                C: connections that carried a counted POST)
 *   GET /wait/N  the same, once N POSTs have been counted (a long poll: no
 *                process polls while the benchmark runs)
 *   POST /reset  zeroes the counters (and re-arms the capture)
 * With -p 0 (the default) the kernel picks the port; it is written to
 * PORTFILE (or stdout).  SIGTERM/SIGINT end it.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ		(64 * 1024)
#define MAXEV		256

struct conn {
	int	 fd;
	size_t	 len;
	int	 continued;	/* 100 Continue sent for the current request */
	int	 posted;	/* a counted POST came on it */
	unsigned long long waitn; /* answer /wait once count reaches it */
	char	*out;		/* unsent answer bytes */
	size_t	 outlen;
	char	 buf[BUFSZ];
};

static volatile sig_atomic_t	 stop;
static unsigned long long	 count, bytes, conns;
static long long		 first_ns, last_ns;
static const char		*capture;
static int			 captured;
#define MAXWAIT	16
static struct conn		*waiters[MAXWAIT];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
conn_close(int ep, struct conn *c)
{
	int	i;

	for (i = 0; i < MAXWAIT; i++)
		if (waiters[i] == c)
			waiters[i] = NULL;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Queues s for c; sends what the socket takes now.  -1: close c. */
static int
conn_write(int ep, struct conn *c, const char *s, size_t n)
{
	struct epoll_event	ev;
	ssize_t			w;
	char			*p;

	if (c->outlen == 0) {
		w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (w < 0)
			w = 0;
		s += w;
		n -= (size_t)w;
		if (n == 0)
			return 0;
	}
	if ((p = realloc(c->out, c->outlen + n)) == NULL)
		return -1;
	memcpy(p + c->outlen, s, n);
	c->out = p;
	c->outlen += n;
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static int
conn_flush(int ep, struct conn *c)
{
	struct epoll_event	ev;
	ssize_t			w;

	w = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	memmove(c->out, c->out + w, c->outlen - (size_t)w);
	c->outlen -= (size_t)w;
	if (c->outlen == 0) {
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	return 0;
}

/* The value of header name in [h, end), or NULL; *vlen its length. */
static const char *
header(const char *h, const char *end, const char *name, size_t *vlen)
{
	size_t		 nl = strlen(name);
	const char	*p = h, *e, *v, *lf;

	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p = lf + 1;
		if ((size_t)(end - p) <= nl || strncasecmp(p, name, nl) != 0 ||
		    p[nl] != ':')
			continue;
		for (v = p + nl + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		for (e = v; e < end && *e != '\r' && *e != '\n'; e++)
			;
		*vlen = (size_t)(e - v);
		return v;
	}
	return NULL;
}

static void
capture_write(const char *req, size_t hlen, size_t blen)
{
	FILE	*f;

	if (capture == NULL || captured)
		return;
	captured = 1;
	if ((f = fopen(capture, "w")) == NULL)
		return;
	fwrite(req, 1, hlen + blen, f);
	fclose(f);
}

/* Sends the counters to c; on an error c is shut down (its next event
 * closes it: c may not be the connection being served). */
static int
stats_reply(int ep, struct conn *c)
{
	char	stats[256], resp[512];
	int	n, m;

	n = snprintf(stats, sizeof(stats), "{\"count\":%llu,\"first_ns\":%lld,"
	    "\"last_ns\":%lld,\"bytes\":%llu,\"conns\":%llu}\n", count,
	    first_ns, last_ns, bytes, conns);
	m = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %d\r\n\r\n%s", n, stats);
	if (conn_write(ep, c, resp, (size_t)m) == -1) {
		shutdown(c->fd, SHUT_RDWR);
		return -1;
	}
	return 0;
}

/* Answers the waiters whose count has come. */
static void
waiters_check(int ep)
{
	int	i;

	for (i = 0; i < MAXWAIT; i++)
		if (waiters[i] != NULL && count >= waiters[i]->waitn) {
			waiters[i]->waitn = 0;
			(void)stats_reply(ep, waiters[i]);
			waiters[i] = NULL;
		}
}

/*
 * Answers the complete requests at the start of c->buf.  Returns -1 when c
 * is to be closed.
 */
static int
conn_requests(int ep, struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	const char	*end, *v;
	size_t		 hlen, blen, vlen;
	int		 close_after, n;

	for (;;) {
		end = memmem(c->buf, c->len, "\r\n\r\n", 4);
		if (end == NULL)
			return c->len == sizeof(c->buf) ? -1 : 0;
		hlen = (size_t)(end - c->buf) + 4;
		blen = 0;
		if ((v = header(c->buf, end + 2, "content-length", &vlen)))
			blen = strtoul(v, NULL, 10);
		if (hlen + blen > sizeof(c->buf))
			return -1;
		if (c->len < hlen + blen) {
			if (!c->continued && (v = header(c->buf, end + 2,
			    "expect", &vlen)) != NULL && vlen >= 3 &&
			    strncmp(v, "100", 3) == 0) {
				c->continued = 1;
				if (conn_write(ep, c, cont, sizeof(cont) - 1))
					return -1;
			}
			return 0;
		}
		close_after = (v = header(c->buf, end + 2, "connection",
		    &vlen)) != NULL && vlen == 5 && strncasecmp(v, "close",
		    5) == 0;
		if (strncmp(c->buf, "GET /stats", 10) == 0) {
			if (stats_reply(ep, c) == -1)
				return -1;
		} else if (strncmp(c->buf, "GET /wait/", 10) == 0) {
			c->waitn = strtoull(c->buf + 10, NULL, 10);
			if (count >= c->waitn) {
				c->waitn = 0;
				if (stats_reply(ep, c) == -1)
					return -1;
			} else {
				for (n = 0; n < MAXWAIT && waiters[n]; n++)
					;
				if (n == MAXWAIT)
					return -1;
				waiters[n] = c;
			}
		} else if (strncmp(c->buf, "POST /reset", 11) == 0) {
			count = bytes = conns = 0;
			first_ns = last_ns = 0;
			captured = 0;
			if (conn_write(ep, c, ok, sizeof(ok) - 1) == -1)
				return -1;
		} else {
			if (strncmp(c->buf, "POST ", 5) == 0) {
				last_ns = now_ns();
				if (count++ == 0)
					first_ns = last_ns;
				bytes += blen;
				if (!c->posted) {
					c->posted = 1;
					conns++;
				}
				waiters_check(ep);
				capture_write(c->buf, hlen, blen);
			}
			if (conn_write(ep, c, ok, sizeof(ok) - 1) == -1)
				return -1;
		}
		memmove(c->buf, c->buf + hlen + blen, c->len - hlen - blen);
		c->len -= hlen + blen;
		c->continued = 0;
		if (close_after)
			return -1;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: receiver [-a ADDR] [-p PORT] [-P PORTFILE] "
	    "[-c CAPTURE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct epoll_event	 ev, evs[MAXEV];
	struct sockaddr_in	 sin;
	struct sigaction	 sa;
	socklen_t		 slen = sizeof(sin);
	const char		*addr = "127.0.0.1", *portfile = NULL;
	struct conn		*c;
	ssize_t			 r;
	FILE			*f;
	int			 ch, ls, ep, n, i, fd, one = 1, port = 0;

	while ((ch = getopt(argc, argv, "a:p:P:c:")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'P': portfile = optarg; break;
		case 'c': capture = optarg; break;
		default: usage();
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1) {
		perror("socket");
		return 1;
	}
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		usage();
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(ls, 4096) == -1 ||
	    getsockname(ls, (struct sockaddr *)&sin, &slen) == -1) {
		perror("bind/listen");
		return 1;
	}
	if (portfile != NULL) {
		char	tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		if ((f = fopen(tmp, "w")) == NULL) {
			perror(tmp);
			return 1;
		}
		fprintf(f, "%d\n", ntohs(sin.sin_port));
		fclose(f);
		rename(tmp, portfile);	/* readers see it whole */
	} else {
		printf("%d\n", ntohs(sin.sin_port));
		fflush(stdout);
	}

	if ((ep = epoll_create1(0)) == -1) {
		perror("epoll_create1");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (!stop) {
		if ((n = epoll_wait(ep, evs, MAXEV, 500)) == -1) {
			if (errno == EINTR)
				continue;
			perror("epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			if ((c = evs[i].data.ptr) == NULL) {
				while ((fd = accept4(ls, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					setsockopt(fd, IPPROTO_TCP,
					    TCP_NODELAY, &one, sizeof(one));
					if ((c = calloc(1, sizeof(*c))) ==
					    NULL) {
						close(fd);
						continue;
					}
					c->fd = fd;
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if ((evs[i].events & EPOLLOUT) && c->outlen > 0 &&
			    conn_flush(ep, c) == -1) {
				conn_close(ep, c);
				continue;
			}
			if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = recv(c->fd, c->buf + c->len,
			    sizeof(c->buf) - c->len, 0);
			if (r == 0 || (r < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK)) {
				conn_close(ep, c);
				continue;
			}
			if (r > 0) {
				c->len += (size_t)r;
				if (conn_requests(ep, c) == -1)
					conn_close(ep, c);
			}
		}
	}
	return 0;
}

/*
 * systemd notification: one datagram per state change to $NOTIFY_SOCKET
 * (a path, or an abstract name starting with '@').
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

#define SD_STATUS_US	1000000		/* between two STATUS= */

static struct event	*sd_watchdog;
static struct event	*sd_status_ev;
static void		(*sd_status_fn)(char *, size_t);
static long long	 sd_status_us;	/* when the last STATUS= went */
static long long	 sd_busy_us;	/* a quarter of the watchdog interval */
static long long	 sd_last_us;	/* monotonic time of the last ping */

static long long
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
sdnotify(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	socklen_t		 len;
	int			 fd;

	if (path == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_warn("%s: sendto %s", __func__, path);
	close(fd);
}

void
sdnotify_reloading(void)
{
	char	msg[64];

	/* systemd 253 and later want the monotonic time with it. */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%lld",
	    now_us());
	sdnotify(msg);
}

static void
sdnotify_ping(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_last_us = now_us();
	sdnotify("WATCHDOG=1");
}

void
sdnotify_alive(void)
{
	if (sd_watchdog != NULL && now_us() - sd_last_us >= sd_busy_us)
		sdnotify_ping(-1, 0, NULL);
}

static int
sdnotify_listening(void)
{
	const char	*path = getenv("NOTIFY_SOCKET");

	return path != NULL && *path != '\0';
}

static void
sdnotify_status_cb(evutil_socket_t fd, short what, void *arg)
{
	char	line[512];

	(void)fd;
	(void)what;
	(void)arg;
	memcpy(line, "STATUS=", 7);
	sd_status_fn(line + 7, sizeof(line) - 7);
	sd_status_us = now_us();
	sdnotify(line);
}

void
sdnotify_status(void)
{
	struct timeval	 tv = { 0, 0 };
	long long	 wait;

	if (sd_status_ev == NULL || evtimer_pending(sd_status_ev, NULL))
		return;
	if ((wait = sd_status_us + SD_STATUS_US - now_us()) > 0) {
		tv.tv_sec = wait / 1000000;
		tv.tv_usec = wait % 1000000;
	}
	if (evtimer_add(sd_status_ev, &tv) == -1)
		log_warnx("%s: cannot schedule the status", __func__);
}

void
sdnotify_init(struct event_base *base, void (*status)(char *, size_t))
{
	const char	*usec = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	struct timeval	 tv;
	long long	 us;

	sd_status_fn = status;
	if (sdnotify_listening() && (sd_status_ev = evtimer_new(base,
	    sdnotify_status_cb, NULL)) == NULL)
		log_warnx("%s: cannot make the status timer", __func__);
	if (usec == NULL || (us = atoll(usec)) <= 0)
		return;
	if (pid != NULL && atol(pid) != (long)getpid())
		return;
	/*
	 * The timer pings twice per interval; a busy loop pings from
	 * within every quarter, so that one slow step between its calls
	 * (a sort, a commit's fsync) still leaves room.
	 */
	sd_busy_us = us / 4;
	us /= 2;
	sd_last_us = now_us();
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	sd_watchdog = event_new(base, -1, EV_PERSIST, sdnotify_ping, NULL);
	if (sd_watchdog == NULL || event_add(sd_watchdog, &tv) == -1)
		log_warnx("%s: cannot start the watchdog timer", __func__);
}

void
sdnotify_free(void)
{
	if (sd_status_ev != NULL)
		event_free(sd_status_ev);
	sd_status_ev = NULL;
	if (sd_watchdog != NULL)
		event_free(sd_watchdog);
	sd_watchdog = NULL;
}

/*
 * systemd notification: one datagram per state change to $NOTIFY_SOCKET
 * (a path, or an abstract name starting with '@').
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

static struct event	*sd_watchdog;
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

void
sdnotify_init(struct event_base *base)
{
	const char	*usec = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	struct timeval	 tv;
	long long	 us;

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
	if (sd_watchdog != NULL)
		event_free(sd_watchdog);
	sd_watchdog = NULL;
}

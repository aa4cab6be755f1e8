/*
 * Logging: one line per message on stderr, prefixed with "<N>" where N is
 * the syslog priority, so journald files it at the right level.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_debugging;
static int	log_syslog;

/* to_syslog: the daemon went to the background, stderr is gone. */
void
log_init(int debug, int to_syslog)
{
	log_debugging = debug;
	log_syslog = to_syslog;
	if (to_syslog)
		openlog("contractd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
log_vmsg(int prio, const char *fmt, va_list ap)
{
	char	buf[4096];

	if (prio == LOG_DEBUG && !log_debugging)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_syslog)
		syslog(prio, "%s", buf);
	else
		fprintf(stderr, "<%d>%s\n", prio, buf);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* Like log_vmsg, with ": strerror(errno)" appended. */
static void
log_verr(int prio, const char *fmt, va_list ap)
{
	char	buf[4096];
	int	saved = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_msg(prio, "%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_verr(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_verr(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

double
log_clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

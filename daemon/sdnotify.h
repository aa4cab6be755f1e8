/*
 * systemd's notify protocol (Type=notify): READY=1, STATUS=, and the
 * watchdog, spoken directly on $NOTIFY_SOCKET.  Without systemd, nothing.
 */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <event2/event.h>

#include <stddef.h>

void	sdnotify(const char *state);
/* RELOADING=1, with the time systemd wants. */
void	sdnotify_reloading(void);
/*
 * Starts the watchdog pings when WATCHDOG_USEC asks for them; status
 * writes the one-line STATUS= of the daemon's state.
 */
void	sdnotify_init(struct event_base *base,
	    void (*status)(char *buf, size_t len));
/*
 * The state changed: a new STATUS= soon, at most one a second, written
 * only when systemd listens.
 */
void	sdnotify_status(void);
void	sdnotify_free(void);
/*
 * Pings the watchdog if a quarter of its interval has passed: for work that keeps
 * the loop busy for long (a large import), so that systemd does not take
 * a daemon making progress for a hung one.
 */
void	sdnotify_alive(void);

#endif

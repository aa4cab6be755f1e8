/*
 * Dispatch: sends the outbox's pending deliveries through the channels'
 * plugins and records their results.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include "../plugins/notifier.h"

void	 dispatch_result(struct notifier_delivery *d,
	    enum notifier_status status, long retry_after, const char *message);

#include <event2/event.h>

int	 dispatch_init(struct event_base *base);
void	 dispatch_free(void);
/* Pending deliveries may be due: send what the concurrency cap allows. */
void	 dispatch_kick(void);
/* Channels are about to be replaced: no delivery may refer to them. */
void	 dispatch_quiesce(void);
/* Stop starting deliveries; call done once in-flight ones end or time out. */
void	 dispatch_drain(void (*done)(void));

#endif

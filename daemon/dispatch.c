/*
 * Dispatch.  The outbox comes with durable delivery; until then no
 * delivery is ever in flight.
 */
#include "dispatch.h"
#include "log.h"

int
dispatch_init(struct event_base *base)
{
	(void)base;
	return 0;
}

void
dispatch_free(void)
{
}

void
dispatch_kick(void)
{
}

void
dispatch_quiesce(void)
{
}

void
dispatch_drain(void (*done)(void))
{
	done();
}

void
dispatch_result(struct notifier_delivery *d, enum notifier_status status,
    long retry_after, const char *message)
{
	(void)retry_after;
	log_info("%s: %s: status %d%s%s", __func__, d->key, (int)status,
	    message ? ": " : "", message ? message : "");
}

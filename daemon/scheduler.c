/*
 * The scheduler.  Alerts come with the deadline engine; until then there
 * is nothing to arm.
 */
#include "scheduler.h"

int
scheduler_init(struct event_base *base)
{
	(void)base;
	return 0;
}

void
scheduler_free(void)
{
}

void
scheduler_reschedule(void)
{
}

void
scheduler_reconfigure(void)
{
}

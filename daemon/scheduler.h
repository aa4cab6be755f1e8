/*
 * The scheduler: one timer armed for the earliest pending alert; on wake,
 * every alert due by now fires.  Wall-clock jumps re-evaluate the schedule.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <event2/event.h>

int	 scheduler_init(struct event_base *base);
void	 scheduler_free(void);
/* Contract data changed: evaluate what is due and re-arm. */
void	 scheduler_reschedule(void);
/* The configuration changed (offsets, alert time, time zone). */
void	 scheduler_reconfigure(void);

#endif

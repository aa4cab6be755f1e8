/*
 * Calendars of milestones: the VEVENTs of a contract (export --format
 * ics, and the files below), and the [calendar] directory the daemon
 * keeps current: all.ics and one NAME.ics per owner, each rewritten
 * atomically (a temporary file in the same directory, fsync, rename) a
 * moment after every change and at start, in slices on the event loop.
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stddef.h>

#include <event2/event.h>

#include "contract.h"
#include "store.h"
#include "text.h"

/*
 * Appends the iCalendar text of one all-day VEVENT per milestone of c
 * (engine_milestones, coverage asked of st) to out; how many, or -1.
 */
int	 calendar_events(struct store *st, const struct contract *c,
	    struct strbuf *out);
/* The calendar's text before and after its events: static, or NULL. */
const char	*calendar_head(void);
const char	*calendar_tail(void);

/*
 * The file name of owner's calendar: the address with every byte but
 * A-Z a-z 0-9 . _ - @ + written %XX (and a leading '.' too), ".ics"
 * added; "all" is all.ics, so the owner "all" is "%61ll.ics".  -1 if it
 * is empty or would not fit len.
 */
int	 calendar_file_name(const char *owner, char *buf, size_t len);

int	 calendar_init(struct event_base *base);
/* Something changed: the files are rewritten a moment later. */
void	 calendar_changed(void);
void	 calendar_free(void);

#endif

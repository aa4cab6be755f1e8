/*
 * Calendar entries, built with libical: the one rule for a milestone's
 * VEVENT, shared by the smtp plugin (the .ics of each email) and the
 * daemon (export --format ics, the [calendar] files).  A milestone's
 * event is all-day on its due date and its UID is "REF/KIND/DUE@contractd":
 * the milestone's, not an alert's, so that every alert of one milestone
 * and every calendar that holds it speak of one event.
 */
#ifndef ICS_H
#define ICS_H

#include <libical/ical.h>

/*
 * The VEVENT of milestone kind of ref due on due (YYYY-MM-DD), with the
 * summary and description given (CRs dropped: libical folds lines and
 * escapes line feeds itself); NULL if due is not a date or out of memory.
 */
icalcomponent	*ics_event(const char *ref, const char *kind, const char *due,
		    const char *summary, const char *description);
/* A VCALENDAR (VERSION, PRODID, METHOD:PUBLISH), empty; NULL if short. */
icalcomponent	*ics_calendar(void);
/* c as iCalendar text, a copy to free(); NULL if out of memory. */
char		*ics_text(icalcomponent *c);
/*
 * The text of an empty calendar cut in two around where its events go,
 * for a calendar written in pieces: *head and *tail to free(); -1 if
 * out of memory.
 */
int		 ics_frame(char **head, char **tail);
/* Frees libical's built-in zones (UTC, for DTSTAMP). */
void		 ics_fini(void);

#endif

/*
 * The calendar entry of an alert: the milestone's VEVENT (ics.c, the rule
 * the daemon's calendars share) in a calendar of its own.
 */
#include <stdlib.h>

#include <jansson.h>

#include "ics.h"
#include "notifier.h"
#include "smtp.h"

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *
smtp_ics(const struct notifier_delivery *d, const char *summary,
    const char *description)
{
	const char	*ref, *ms, *due;
	icalcomponent	*cal, *ev;
	char		*out = NULL;

	ref = str(json_object_get(d->alert, "contract"), "ref");
	ms = str(d->alert, "milestone");
	due = str(d->alert, "due");
	if (ref == NULL || ms == NULL ||
	    (ev = ics_event(ref, ms, due, summary, description)) == NULL)
		return NULL;
	if ((cal = ics_calendar()) == NULL) {
		icalcomponent_free(ev);
		return NULL;
	}
	icalcomponent_add_component(cal, ev);
	out = ics_text(cal);
	icalcomponent_free(cal);
	return out;
}

void
smtp_ics_fini(void)
{
	ics_fini();
}

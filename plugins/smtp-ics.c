/*
 * The calendar entry of an alert, built with libical: one all-day VEVENT
 * on the milestone's due date whose UID is the milestone's (ref, kind,
 * due), not the alert's, so that the 60-, 30- and 14-day alerts of one
 * milestone update one event in the reader's calendar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libical/ical.h>

#include "notifier.h"
#include "smtp.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION		"unknown"
#endif
#define SMTP_ICS_PRODID		"-//contractd//contractd " \
				PACKAGE_VERSION "//EN"

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The all-day date of ISO text; 0, or -1 if it is not a date. */
static int
ics_date(const char *iso, struct icaltimetype *t)
{
	int	y, m, d;
	char	end;

	if (iso == NULL || sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &end) !=
	    3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*t = icaltime_null_date();
	t->year = y;
	t->month = m;
	t->day = d;
	return 0;
}

/* The text with CR dropped: libical folds lines and escapes LF itself. */
static char *
ics_text(const char *s)
{
	char	*t, *p;

	if ((t = p = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	for (; *s != '\0'; s++)
		if (*s != '\r')
			*p++ = *s;
	*p = '\0';
	return t;
}

static icalcomponent *
ics_event(const char *uid, struct icaltimetype due, const char *summary,
    const char *description)
{
	struct icaltimetype	 end = due, now;

	icaltime_adjust(&end, 1, 0, 0, 0);
	now = icaltime_from_timet_with_zone(time(NULL), 0,
	    icaltimezone_get_utc_timezone());
	return icalcomponent_vanew(ICAL_VEVENT_COMPONENT,
	    icalproperty_new_uid(uid),
	    icalproperty_new_dtstamp(now),
	    icalproperty_new_dtstart(due),
	    icalproperty_new_dtend(end),
	    icalproperty_new_summary(summary),
	    icalproperty_new_description(description),
	    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT),
	    (void *)0);
}

char *
smtp_ics(const struct notifier_delivery *d, const char *summary,
    const char *description)
{
	const char		*ref, *ms, *due;
	struct icaltimetype	 day;
	icalcomponent		*cal, *ev;
	char			*uid, *desc, *text, *out = NULL;

	ref = str(json_object_get(d->alert, "contract"), "ref");
	ms = str(d->alert, "milestone");
	due = str(d->alert, "due");
	if (ref == NULL || ms == NULL || ics_date(due, &day) == -1)
		return NULL;
	if (asprintf(&uid, "%s/%s/%s@contractd", ref, ms, due) == -1)
		return NULL;
	if ((desc = ics_text(description)) == NULL) {
		free(uid);
		return NULL;
	}
	ev = ics_event(uid, day, summary, desc);
	cal = icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid(SMTP_ICS_PRODID),
	    icalproperty_new_method(ICAL_METHOD_PUBLISH),
	    ev, (void *)0);
	/* libical's buffers go back to libical. */
	if (cal != NULL && (text = icalcomponent_as_ical_string_r(cal)) !=
	    NULL) {
		out = strdup(text);
		icalmemory_free_buffer(text);
	} else if (cal == NULL && ev != NULL)
		icalcomponent_free(ev);
	if (cal != NULL)
		icalcomponent_free(cal);
	free(desc);
	free(uid);
	return out;
}

/*
 * libical keeps its built-in zones (UTC, for DTSTAMP) in a static array
 * that it makes again when next asked: freed here, as the module may be
 * unloaded once its channels are gone.
 */
void
smtp_ics_fini(void)
{
	icaltimezone_free_builtin_timezones();
}

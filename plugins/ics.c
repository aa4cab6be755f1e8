/*
 * The calendar entry of a milestone (ics.h), built with libical.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "ics.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION		"unknown"
#endif
#define ICS_PRODID		"-//contractd//contractd " PACKAGE_VERSION "//EN"
#define ICS_END			"END:VCALENDAR"

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

/* s without its CRs, a copy to free. */
static char *
ics_nocr(const char *s)
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

icalcomponent *
ics_event(const char *ref, const char *kind, const char *due,
    const char *summary, const char *description)
{
	struct icaltimetype	 day, end, now;
	icalcomponent		*ev = NULL;
	char			*uid, *sum, *desc;

	if (ics_date(due, &day) == -1 ||
	    asprintf(&uid, "%s/%s/%s@contractd", ref, kind, due) == -1)
		return NULL;
	sum = ics_nocr(summary);
	desc = ics_nocr(description);
	end = day;
	icaltime_adjust(&end, 1, 0, 0, 0);
	now = icaltime_from_timet_with_zone(time(NULL), 0,
	    icaltimezone_get_utc_timezone());
	if (sum != NULL && desc != NULL)
		ev = icalcomponent_vanew(ICAL_VEVENT_COMPONENT,
		    icalproperty_new_uid(uid),
		    icalproperty_new_dtstamp(now),
		    icalproperty_new_dtstart(day),
		    icalproperty_new_dtend(end),
		    icalproperty_new_summary(sum),
		    icalproperty_new_description(desc),
		    icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT),
		    (void *)0);
	free(desc);
	free(sum);
	free(uid);
	return ev;
}

icalcomponent *
ics_calendar(void)
{
	return icalcomponent_vanew(ICAL_VCALENDAR_COMPONENT,
	    icalproperty_new_version("2.0"),
	    icalproperty_new_prodid(ICS_PRODID),
	    icalproperty_new_method(ICAL_METHOD_PUBLISH),
	    (void *)0);
}

char *
ics_text(icalcomponent *c)
{
	char	*text, *out;

	/* libical's buffers go back to libical. */
	if ((text = icalcomponent_as_ical_string_r(c)) == NULL)
		return NULL;
	out = strdup(text);
	icalmemory_free_buffer(text);
	return out;
}

int
ics_frame(char **head, char **tail)
{
	icalcomponent	*cal;
	char		*text = NULL, *end;

	*head = *tail = NULL;
	if ((cal = ics_calendar()) != NULL)
		text = ics_text(cal);
	if (cal != NULL)
		icalcomponent_free(cal);
	if (text == NULL || (end = strstr(text, "\r\n" ICS_END)) == NULL) {
		free(text);
		return -1;
	}
	end += 2;
	if ((*tail = strdup(end)) == NULL) {
		free(text);
		return -1;
	}
	*end = '\0';
	*head = text;
	return 0;
}

/*
 * libical keeps its built-in zones in a static array that it makes again
 * when next asked: freed here, as the smtp module may be unloaded.
 */
void
ics_fini(void)
{
	icaltimezone_free_builtin_timezones();
}

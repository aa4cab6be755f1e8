/*
 * Calendar dates, working days and local alert instants.
 *
 * A date is a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar.  No time_t is used for dates; time_t appears only where a date
 * meets the clock (an alert's fire instant).
 */
#ifndef DATES_H
#define DATES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DATE_NONE	INT32_MIN
#define DATE_STRLEN	11		/* "YYYY-MM-DD" and the NUL */
#define DATE_ISOLEN	32		/* "2025-03-31T09:00:00+01:00" and more */

/* Day number of y-m-d; -1 if the date does not exist (2025-02-29). */
int	 date_from_ymd(int y, int m, int d, int32_t *day);
void	 date_to_ymd(int32_t day, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD", years 1900-9999; -1 on anything else. */
int	 date_parse(const char *s, int32_t *day);
/* Writes "YYYY-MM-DD" into buf and returns buf. */
char	*date_format(int32_t day, char buf[DATE_STRLEN]);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int	 date_weekday(int32_t day);
int	 date_days_in_month(int y, int m);
/* The ISO 8601 week of day: 2025-03-31 is week 14 of 2025. */
void	 date_iso_week(int32_t day, int *year, int *week);
/*
 * Adds months (may be negative): the same day of the month clamped to the
 * target month's length; a day that is the last of its month maps to the
 * last day of the target month.
 */
int32_t	 date_add_months(int32_t day, int months);

/* A sorted, duplicate-free set of non-working days. */
struct holidays {
	int32_t	*days;
	size_t	 n;
};

/*
 * Parses a holidays file's text: one YYYY-MM-DD a line, '#' starts a
 * comment, blank lines allowed.  On error returns -1 and sets *errline to
 * the 1-based line; h is left empty.
 */
int	 holidays_parse(struct holidays *h, const char *text, int *errline);
/*
 * The same, every bad line noted: the first maxbad of their lines in bad
 * (0 for out of memory), how many in all in *nbad.
 */
int	 holidays_parse_lines(struct holidays *h, const char *text, int *bad,
	    size_t maxbad, size_t *nbad);
void	 holidays_free(struct holidays *h);
/* h may be NULL (no holidays).  Monday-Friday and not a holiday. */
int	 date_is_working(int32_t day, const struct holidays *h);
/* day itself if it is a working day, else the nearest one before/after. */
int32_t	 date_prev_working(int32_t day, const struct holidays *h);
int32_t	 date_next_working(int32_t day, const struct holidays *h);

/*
 * Time zones come from the tz database (TZ names such as Europe/London).
 * The process's TZ is switched as needed.
 */
int	 tz_valid(const char *tz);
/* UTC instant of local wall time day + minute (0-1439) in zone tz. */
int	 date_local_instant(int32_t day, int minute, const char *tz,
	    time_t *out);
/* Local date of instant t in zone tz. */
int	 date_of_instant(time_t t, const char *tz, int32_t *day);
/* "2025-03-31T09:00:00+01:00": t as local time in tz with its offset. */
int	 date_format_local(time_t t, const char *tz, char *buf, size_t len);

#endif

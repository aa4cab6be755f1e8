/*
 * Calendar dates, working days and local alert instants (DESIGN section 6).
 *
 * Day numbers are computed with Howard Hinnant's days_from_civil and
 * civil_from_days algorithms, which are exact for the proleptic Gregorian
 * calendar and need no tables.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dates.h"

#define DATE_YEAR_MIN	1900
#define DATE_YEAR_MAX	9999
#define TZ_DIR		"/usr/share/zoneinfo/"
#define TZ_NAME_MAX	255

/* The zone TZ was last switched to; "" before the first switch. */
static char	tz_current[TZ_NAME_MAX + 1];

/*
 * Fire instants of recent days in the current zone: millions of alerts
 * share a few thousand dates, and mktime() is dear.  A change of zone
 * clears it.
 */
#define INSTANT_CACHE	4096
struct instant {
	int32_t	 day;
	int	 minute;
	int	 valid;
	time_t	 t;
};
static struct instant	instant_cache[INSTANT_CACHE];

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static int
days_in_month(int64_t y, int m)
{
	static const int	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12)
		return (0);
	if (m == 2 && is_leap(y))
		return (29);
	return (mdays[m - 1]);
}

int
date_days_in_month(int y, int m)
{
	return (days_in_month(y, m));
}

/* Day number of a valid y-m-d, in 64 bits so no year can overflow. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static int
ymd_to_day(int64_t y, int m, int d, int32_t *day)
{
	int64_t	 n;

	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return (-1);
	/* Keep the year small enough that the arithmetic cannot overflow. */
	if (y < -5000000 || y > 5000000)
		return (-1);
	n = days_from_civil(y, m, d);
	if (n <= DATE_NONE || n > INT32_MAX)
		return (-1);
	*day = (int32_t)n;
	return (0);
}

int
date_from_ymd(int y, int m, int d, int32_t *day)
{
	return (ymd_to_day(y, m, d, day));
}

void
date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t	 z, era, doe, yoe, doy, mp;

	z = (int64_t)day + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Value of n decimal digits at s; -1 if any of them is not a digit. */
static int
parse_digits(const char *s, int n)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

int
date_parse(const char *s, int32_t *day)
{
	int	 y, m, d;

	if (s == NULL || strlen(s) != DATE_STRLEN - 1 ||
	    s[4] != '-' || s[7] != '-')
		return (-1);
	y = parse_digits(s, 4);
	m = parse_digits(s + 5, 2);
	d = parse_digits(s + 8, 2);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX || m == -1 || d == -1)
		return (-1);
	return (ymd_to_day(y, m, d, day));
}

char *
date_format(int32_t day, char buf[DATE_STRLEN])
{
	int	 y, m, d;

	date_to_ymd(day, &y, &m, &d);
	/* Out-of-range years would not fit "YYYY": show them as invalid. */
	if (y < 0 || y > DATE_YEAR_MAX)
		y = m = d = 0;
	/* By hand: an agenda formats tens of thousands of dates. */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return (buf);
}

int
date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (ISO 4). */
	return ((int)((((int64_t)day + 3) % 7 + 7) % 7) + 1);
}

void
date_iso_week(int32_t day, int *year, int *week)
{
	int32_t	thursday, jan1;
	int	m, d;

	/* The ISO week belongs to the year of its Thursday. */
	thursday = day - date_weekday(day) + 4;
	date_to_ymd(thursday, year, &m, &d);
	(void)date_from_ymd(*year, 1, 1, &jan1);
	*week = (int)((thursday - jan1) / 7) + 1;
}

int32_t
date_add_months(int32_t day, int months)
{
	int64_t	 total, ny;
	int	 y, m, d, nm, dim;
	int32_t	 out;

	if (day == DATE_NONE)
		return (DATE_NONE);
	date_to_ymd(day, &y, &m, &d);
	total = (int64_t)y * 12 + (m - 1) + months;
	ny = total >= 0 ? total / 12 : (total - 11) / 12;
	nm = (int)(total - ny * 12) + 1;
	dim = days_in_month(ny, nm);
	/* A term ending on a month's last day keeps ending on the last day. */
	if (d == days_in_month(y, m) || d > dim)
		d = dim;
	if (ymd_to_day(ny, nm, d, &out) == -1)
		return (DATE_NONE);
	return (out);
}

static int
day_cmp(const void *a, const void *b)
{
	int32_t	 x = *(const int32_t *)a, y = *(const int32_t *)b;

	return ((x > y) - (x < y));
}

/* Adds day to h, whose array has room for *cap days (doubled if full). */
static int
holidays_add(struct holidays *h, size_t *cap, int32_t day)
{
	size_t	 ncap = *cap == 0 ? 16 : *cap * 2;
	int32_t	*p;

	if (h->n == *cap) {
		if ((p = reallocarray(h->days, ncap, sizeof(*p))) == NULL)
			return (-1);
		h->days = p;
		*cap = ncap;
	}
	h->days[h->n++] = day;
	return (0);
}

/*
 * Parses one line of len bytes: a date, or nothing but blanks and a
 * comment.  Returns 1 with *day set, 0 for an empty line, -1 on error.
 */
static int
holidays_line(const char *line, size_t len, int32_t *day)
{
	char	 buf[DATE_STRLEN];
	size_t	 i, end;

	for (end = 0; end < len && line[end] != '#'; end++)
		;
	for (i = 0; i < end && isspace((unsigned char)line[i]); i++)
		;
	while (end > i && isspace((unsigned char)line[end - 1]))
		end--;
	if (i == end)
		return (0);
	if (end - i != DATE_STRLEN - 1)
		return (-1);
	memcpy(buf, line + i, DATE_STRLEN - 1);
	buf[DATE_STRLEN - 1] = '\0';
	if (date_parse(buf, day) == -1)
		return (-1);
	return (1);
}

/* Sorts h and drops repeated days. */
static void
holidays_unique(struct holidays *h)
{
	size_t	 i, n;

	if (h->n == 0)
		return;
	qsort(h->days, h->n, sizeof(*h->days), day_cmp);
	for (i = n = 1; i < h->n; i++)
		if (h->days[i] != h->days[n - 1])
			h->days[n++] = h->days[i];
	h->n = n;
}

/*
 * An *errline of 0 with -1 returned means memory ran out, not that the
 * text is bad.
 */
int
holidays_parse_lines(struct holidays *h, const char *text, int *bad,
    size_t maxbad, size_t *nbad)
{
	const char	*p, *nl;
	size_t		 cap = 0, len;
	int32_t		 day;
	int		 line, r;

	h->days = NULL;
	h->n = 0;
	*nbad = 0;
	for (p = text, line = 1; p != NULL && *p != '\0'; line++) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		r = holidays_line(p, len, &day);
		if (r == 1 && holidays_add(h, &cap, day) == -1) {
			/* Out of memory: line 0, and nothing more to say. */
			if (*nbad < maxbad)
				bad[*nbad] = 0;
			(*nbad)++;
			break;
		}
		if (r == -1) {
			if (*nbad < maxbad)
				bad[*nbad] = line;
			(*nbad)++;
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	if (*nbad > 0) {
		holidays_free(h);
		return (-1);
	}
	holidays_unique(h);
	return (0);
}

int
holidays_parse(struct holidays *h, const char *text, int *errline)
{
	size_t	nbad;
	int	line = 0;

	if (holidays_parse_lines(h, text, &line, 1, &nbad) == 0)
		return (0);
	if (errline != NULL)
		*errline = line;
	return (-1);
}

void
holidays_free(struct holidays *h)
{
	if (h == NULL)
		return;
	free(h->days);
	h->days = NULL;
	h->n = 0;
}

int
date_is_working(int32_t day, const struct holidays *h)
{
	if (date_weekday(day) > 5)
		return (0);
	if (h == NULL || h->n == 0)
		return (1);
	return (bsearch(&day, h->days, h->n, sizeof(*h->days),
	    day_cmp) == NULL);
}

/* Holidays are finite and weekends short, so both loops end. */
int32_t
date_prev_working(int32_t day, const struct holidays *h)
{
	while (!date_is_working(day, h))
		day--;
	return (day);
}

int32_t
date_next_working(int32_t day, const struct holidays *h)
{
	while (!date_is_working(day, h))
		day++;
	return (day);
}

/* Whether path is a regular file that starts with the TZif magic. */
static int
tz_file_ok(const char *path)
{
	struct stat	 st;
	char		 magic[4];
	int		 fd;
	ssize_t		 n;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return (0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return (n == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0);
}

/*
 * Only names of files inside the tz database: a TZ of "/etc/passwd" or
 * "../x" must not reach the C library, and a misspelt zone must not fall
 * back silently to UTC.
 */
int
tz_valid(const char *tz)
{
	char	 path[sizeof(TZ_DIR) + TZ_NAME_MAX];
	size_t	 len;

	if (tz == NULL || (len = strlen(tz)) == 0 || len > TZ_NAME_MAX)
		return (0);
	if (strcmp(tz, "UTC") == 0)
		return (1);
	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return (0);
	snprintf(path, sizeof(path), "%s%s", TZ_DIR, tz);
	return (tz_file_ok(path));
}

/* Makes tz the process's zone; the files are read only on a change. */
static int
tz_switch(const char *tz)
{
	if (tz != NULL && strcmp(tz, tz_current) == 0)
		return (0);
	if (!tz_valid(tz))
		return (-1);
	if (setenv("TZ", tz, 1) == -1)
		return (-1);
	tzset();
	/* tz_valid bounded the length. */
	memcpy(tz_current, tz, strlen(tz) + 1);
	memset(instant_cache, 0, sizeof(instant_cache));
	return (0);
}

int
date_local_instant(int32_t day, int minute, const char *tz, time_t *out)
{
	struct instant	*ci;
	struct tm	 tm, chk;
	int		 y, m, d;
	time_t		 t;

	if (minute < 0 || minute > 1439 || tz_switch(tz) == -1)
		return (-1);
	ci = &instant_cache[(uint32_t)day % INSTANT_CACHE];
	if (ci->valid && ci->day == day && ci->minute == minute) {
		*out = ci->t;
		return (0);
	}
	date_to_ymd(day, &y, &m, &d);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* -1 is also 1969-12-31T23:59:59Z: tell the two apart. */
	if (t == (time_t)-1 && (localtime_r(&t, &chk) == NULL ||
	    chk.tm_year != y - 1900 || chk.tm_mon != m - 1 ||
	    chk.tm_mday != d))
		return (-1);
	ci->day = day;
	ci->minute = minute;
	ci->t = t;
	ci->valid = 1;
	*out = t;
	return (0);
}

int
date_of_instant(time_t t, const char *tz, int32_t *day)
{
	struct tm	 tm;

	if (tz_switch(tz) == -1 || localtime_r(&t, &tm) == NULL)
		return (-1);
	return (ymd_to_day((int64_t)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, day));
}

int
date_format_local(time_t t, const char *tz, char *buf, size_t len)
{
	struct tm	 tm;
	long		 off;
	int		 n;
	char		 sign;

	if (tz_switch(tz) == -1 || localtime_r(&t, &tm) == NULL)
		return (-1);
	off = tm.tm_gmtoff;
	sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, sign, off / 3600, off % 3600 / 60);
	if (n < 0 || (size_t)n >= len)
		return (-1);
	return (0);
}

/*
 * Unit tests of dates.c: day numbers, parsing, month arithmetic, working
 * days and local instants (DESIGN section 6).  Needs the system's tz
 * database (Debian tzdata), nothing else outside the test.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dates.h"

/* England and Wales bank holidays 2025-2026, as in the shipped file. */
static const char holidays_ew[] =
    "# England and Wales bank holidays, one date a line\n"
    "2025-01-01\n2025-04-18\n2025-04-21\n2025-05-05\n2025-05-26\n"
    "2025-08-25\n2025-12-25\n2025-12-26\n"
    "2026-01-01\n2026-04-03\n2026-04-06\n2026-05-04\n2026-05-25\n"
    "2026-08-31\n2026-12-25\n2026-12-28\n";

/* Day number of a date the test knows is valid. */
static int32_t
D(const char *s)
{
	int32_t	 day;

	assert_int_equal(date_parse(s, &day), 0);
	return (day);
}

static const char *
fmt(int32_t day)
{
	static char	 buf[DATE_STRLEN];

	return (date_format(day, buf));
}

/* The UTC instant of day at hh:00 UTC, computed without the tz code. */
static time_t
utc(int32_t day, int hour)
{
	return ((time_t)day * 86400 + hour * 3600);
}

static void
test_ymd_anchors(void **state)
{
	int32_t	 day;
	int	 y, m, d;

	(void)state;
	assert_int_equal(date_from_ymd(1970, 1, 1, &day), 0);
	assert_int_equal(day, 0);
	assert_int_equal(date_from_ymd(1969, 12, 31, &day), 0);
	assert_int_equal(day, -1);
	assert_int_equal(date_from_ymd(1900, 1, 1, &day), 0);
	assert_int_equal(day, -25567);
	assert_int_equal(date_from_ymd(2000, 2, 29, &day), 0);
	assert_int_equal(day, 11016);
	assert_int_equal(date_from_ymd(2025, 4, 30, &day), 0);
	assert_int_equal(day, 20208);
	assert_int_equal(date_from_ymd(9999, 12, 31, &day), 0);
	assert_int_equal(day, 2932896);
	date_to_ymd(11017, &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	date_to_ymd(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

/* Every day 1900-2100 follows the one before it, and round-trips. */
static void
test_ymd_every_day(void **state)
{
	int32_t	 day, back;
	int	 y, m, d, py = 1899, pm = 12, pd = 31;

	(void)state;
	for (day = D("1900-01-01"); day <= D("2100-12-31"); day++) {
		date_to_ymd(day, &y, &m, &d);
		if (d != pd + 1) {
			assert_int_equal(pd, date_days_in_month(py, pm));
			assert_int_equal(d, 1);
			assert_int_equal(m, pm == 12 ? 1 : pm + 1);
			assert_int_equal(y, pm == 12 ? py + 1 : py);
		} else {
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		}
		assert_int_equal(date_from_ymd(y, m, d, &back), 0);
		assert_int_equal(back, day);
		py = y;
		pm = m;
		pd = d;
	}
}

static void
test_leap_years(void **state)
{
	int32_t	 day;

	(void)state;
	assert_int_equal(date_from_ymd(2024, 2, 29, &day), 0);
	assert_string_equal(fmt(day), "2024-02-29");
	assert_int_equal(date_from_ymd(2025, 2, 29, &day), -1);
	assert_int_equal(date_from_ymd(1900, 2, 29, &day), -1);
	assert_int_equal(date_from_ymd(2000, 2, 29, &day), 0);
	assert_int_equal(date_parse("2024-02-29", &day), 0);
	assert_int_equal(date_parse("2025-02-29", &day), -1);
	assert_int_equal(date_parse("1900-02-29", &day), -1);
	assert_int_equal(date_parse("2000-02-29", &day), 0);
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2025, 2), 28);
	assert_int_equal(date_days_in_month(1900, 2), 28);
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2100, 2), 28);
}

static void
test_month_lengths(void **state)
{
	static const int	 len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int32_t			 day;
	int			 m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		assert_int_equal(date_days_in_month(2025, m), len[m - 1]);
		assert_int_equal(date_from_ymd(2025, m, len[m - 1], &day), 0);
		assert_int_equal(date_from_ymd(2025, m, len[m - 1] + 1, &day),
		    -1);
	}
	assert_int_equal(date_days_in_month(2025, 0), 0);
	assert_int_equal(date_days_in_month(2025, 13), 0);
	assert_int_equal(date_from_ymd(2025, 0, 1, &day), -1);
	assert_int_equal(date_from_ymd(2025, 13, 1, &day), -1);
	assert_int_equal(date_from_ymd(2025, 1, 0, &day), -1);
}

static void
test_parse_valid(void **state)
{
	int32_t	 day;

	(void)state;
	assert_int_equal(date_parse("1970-01-01", &day), 0);
	assert_int_equal(day, 0);
	assert_int_equal(date_parse("1900-01-01", &day), 0);
	assert_int_equal(day, -25567);
	assert_int_equal(date_parse("9999-12-31", &day), 0);
	assert_int_equal(day, 2932896);
	assert_int_equal(date_parse("2025-04-30", &day), 0);
	assert_int_equal(day, 20208);
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10",
		"2025-01-00", "2025-1-01", "2025-01-1", "20250101",
		" 2025-01-01", "2025-01-01 ", "2025-01-01\n", "2025/01/01",
		"2025-01-0a", "+025-01-01", "2025-+1-01", "12025-01-01",
		"1899-12-31", "0000-01-01", "2025-01-01T00",
	};
	size_t	 i;
	int32_t	 day = 12345;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse(bad[i], &day) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(date_parse(NULL, &day), -1);
	assert_int_equal(day, 12345);
}

static void
test_format(void **state)
{
	char	 buf[DATE_STRLEN];

	(void)state;
	assert_ptr_equal(date_format(0, buf), buf);
	assert_string_equal(buf, "1970-01-01");
	assert_string_equal(fmt(-25567), "1900-01-01");
	assert_string_equal(fmt(20208), "2025-04-30");
	assert_string_equal(fmt(2932896), "9999-12-31");
	assert_string_equal(fmt(D("2026-01-09")), "2026-01-09");
	assert_string_equal(fmt(2932897), "0000-00-00");	/* 10000-01-01 */
	assert_string_equal(fmt(-719529), "0000-00-00");	/* year -1 */
}

/* Every day of four centuries formats as snprintf would, and parses back. */
static void
test_format_every_day(void **state)
{
	char	 buf[DATE_STRLEN], want[32];
	int32_t	 day, back;
	int	 y, m, d;

	(void)state;
	for (day = D("1900-01-01"); day <= D("2299-12-31"); day++) {
		date_to_ymd(day, &y, &m, &d);
		snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
		assert_string_equal(date_format(day, buf), want);
		assert_int_equal(date_parse(buf, &back), 0);
		assert_int_equal(back, day);
	}
}

static void
test_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(0), 4);			/* Thursday */
	assert_int_equal(date_weekday(-1), 3);
	assert_int_equal(date_weekday(-25567), 1);		/* 1900-01-01 */
	assert_int_equal(date_weekday(D("2025-03-01")), 6);
	assert_int_equal(date_weekday(D("2025-03-02")), 7);
	assert_int_equal(date_weekday(D("2025-03-03")), 1);
	assert_int_equal(date_weekday(D("2025-04-18")), 5);
	assert_int_equal(date_weekday(D("2025-04-21")), 1);
	assert_int_equal(date_weekday(D("2025-08-03")), 7);
	assert_int_equal(date_weekday(D("2026-12-26")), 6);
}

static void
check_week(const char *day, int want_year, int want_week)
{
	int	year, week;

	date_iso_week(D(day), &year, &week);
	assert_int_equal(year, want_year);
	assert_int_equal(week, want_week);
}

static void
test_iso_week(void **state)
{
	(void)state;
	check_week("2025-03-31", 2025, 14);
	check_week("2025-01-05", 2025, 1);
	check_week("2025-01-06", 2025, 2);
	check_week("2024-12-30", 2025, 1);	/* Monday: 2025's first week */
	check_week("2021-01-03", 2020, 53);	/* Sunday: 2020's last */
	check_week("2026-12-28", 2026, 53);
	check_week("2027-01-01", 2026, 53);
	check_week("2008-12-29", 2009, 1);
	check_week("2010-01-03", 2009, 53);
}

static void
check_add(const char *from, int months, const char *want)
{
	const char	*got = fmt(date_add_months(D(from), months));

	if (strcmp(got, want) != 0)
		fail_msg("%s %+d months: got %s, want %s", from, months, got,
		    want);
}

/* DESIGN section 6's examples, word for word. */
static void
test_add_months_design(void **state)
{
	(void)state;
	check_add("2025-04-30", 8, "2025-12-31");
	check_add("2025-04-30", 12, "2026-04-30");
	check_add("2025-01-31", 1, "2025-02-28");
	check_add("2024-02-29", 12, "2025-02-28");
	check_add("2025-02-28", 1, "2025-03-31");
}

static void
test_add_months_more(void **state)
{
	(void)state;
	check_add("2025-03-15", 1, "2025-04-15");
	check_add("2025-03-15", 0, "2025-03-15");
	check_add("2025-03-31", 0, "2025-03-31");
	check_add("2024-01-30", 1, "2024-02-29");
	check_add("2025-01-30", 1, "2025-02-28");
	check_add("2024-02-29", 1, "2024-03-31");
	check_add("2024-02-28", 1, "2024-03-28");
	check_add("2025-02-28", 12, "2026-02-28");
	check_add("2023-02-28", 12, "2024-02-29");
	check_add("2025-11-30", 3, "2026-02-28");
	check_add("2025-12-15", 1, "2026-01-15");
	check_add("2025-04-30", 20, "2026-12-31");
	check_add("2025-06-30", 1, "2025-07-31");
	check_add("2025-07-30", 1, "2025-08-30");
	check_add("2025-03-31", -1, "2025-02-28");
	check_add("2025-05-31", -1, "2025-04-30");
	check_add("2025-04-30", -1, "2025-03-31");
	check_add("2025-01-15", -1, "2024-12-15");
	check_add("2025-04-30", -12, "2024-04-30");
	check_add("2025-01-01", -25, "2022-12-01");
	assert_int_equal(date_add_months(DATE_NONE, 1), DATE_NONE);
}

/* The arithmetic holds below year 1 too (proleptic, with a year 0). */
static void
test_add_months_early(void **state)
{
	int32_t	 day;
	int	 y, m, d;

	(void)state;
	assert_int_equal(date_from_ymd(0, 1, 15, &day), 0);
	date_to_ymd(date_add_months(day, -1), &y, &m, &d);
	assert_int_equal(y, -1);
	assert_int_equal(m, 12);
	assert_int_equal(d, 15);
	assert_int_equal(date_from_ymd(0, 2, 29, &day), 0);
	date_to_ymd(date_add_months(day, -12), &y, &m, &d);
	assert_int_equal(y, -1);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
}

static void
test_holidays_parse(void **state)
{
	struct holidays	 h;
	int		 errline = -5;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	assert_int_equal(h.n, 16);
	assert_int_equal(h.days[0], D("2025-01-01"));
	assert_int_equal(h.days[15], D("2026-12-28"));
	assert_int_equal(errline, -5);
	holidays_free(&h);
	assert_null(h.days);
	assert_int_equal(h.n, 0);
}

/* Comments, blanks, CRLF, disorder and repeats; the set comes out sorted. */
static void
test_holidays_messy(void **state)
{
	static const char text[] =
	    "\n# comment\r\n  2025-12-25   # Christmas\r\n"
	    "\t2025-04-18\n\n2025-12-25\n   \n2024-12-26";
	struct holidays	 h;
	int		 errline = 0;

	(void)state;
	assert_int_equal(holidays_parse(&h, text, &errline), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(fmt(h.days[0]), "2024-12-26");
	assert_string_equal(fmt(h.days[1]), "2025-04-18");
	assert_string_equal(fmt(h.days[2]), "2025-12-25");
	holidays_free(&h);

	assert_int_equal(holidays_parse(&h, "", &errline), 0);
	assert_int_equal(h.n, 0);
	holidays_free(&h);
	assert_int_equal(holidays_parse(&h, "# nothing\n\n", &errline), 0);
	assert_int_equal(h.n, 0);
	holidays_free(&h);
}

static void
check_holidays_error(const char *text, int want)
{
	struct holidays	 h;
	int		 errline = -1;

	assert_int_equal(holidays_parse(&h, text, &errline), -1);
	assert_int_equal(errline, want);
	assert_null(h.days);
	assert_int_equal(h.n, 0);
}

static void
test_holidays_errors(void **state)
{
	(void)state;
	check_holidays_error("2025-01-01\n# x\n2025-02-30\n", 3);
	check_holidays_error("2025-01-01x\n", 1);
	check_holidays_error("2025-01-01\nhello\n", 2);
	check_holidays_error("\n\n\n2025-01-01 2025-01-02\n", 4);
	check_holidays_error("25-01-01\n", 1);
}

static void
test_working_days(void **state)
{
	struct holidays	 h;
	int		 errline;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	assert_true(date_is_working(D("2025-04-17"), &h));	/* Thu */
	assert_false(date_is_working(D("2025-04-18"), &h));	/* Good Fri */
	assert_false(date_is_working(D("2025-04-19"), &h));	/* Sat */
	assert_false(date_is_working(D("2025-04-20"), &h));	/* Sun */
	assert_false(date_is_working(D("2025-04-21"), &h));	/* Easter Mon */
	assert_true(date_is_working(D("2025-04-22"), &h));
	assert_true(date_is_working(D("2025-04-18"), NULL));
	assert_true(date_is_working(D("2025-04-21"), NULL));
	assert_false(date_is_working(D("2025-04-19"), NULL));
	assert_false(date_is_working(D("2026-12-28"), &h));	/* substitute */
	holidays_free(&h);
}

static void
test_working_shifts(void **state)
{
	struct holidays	 h;
	int		 errline;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	/* Easter 2025: back over Monday, the weekend and Good Friday. */
	assert_string_equal(fmt(date_prev_working(D("2025-04-21"), &h)),
	    "2025-04-17");
	assert_string_equal(fmt(date_next_working(D("2025-04-18"), &h)),
	    "2025-04-22");
	/* Christmas 2026 falls on a Friday; its substitute is Monday 28th. */
	assert_string_equal(fmt(date_next_working(D("2026-12-26"), &h)),
	    "2026-12-29");
	assert_string_equal(fmt(date_prev_working(D("2026-12-28"), &h)),
	    "2026-12-24");
	/* A working day stays where it is. */
	assert_string_equal(fmt(date_prev_working(D("2025-04-17"), &h)),
	    "2025-04-17");
	assert_string_equal(fmt(date_next_working(D("2025-04-22"), &h)),
	    "2025-04-22");
	/* Weekends without holidays. */
	assert_string_equal(fmt(date_prev_working(D("2025-03-01"), NULL)),
	    "2025-02-28");
	assert_string_equal(fmt(date_next_working(D("2025-03-01"), NULL)),
	    "2025-03-03");
	assert_string_equal(fmt(date_prev_working(D("2025-04-21"), NULL)),
	    "2025-04-21");
	assert_string_equal(fmt(date_prev_working(D("2025-05-05"), &h)),
	    "2025-05-02");
	holidays_free(&h);
}

static void
test_tz_valid(void **state)
{
	(void)state;
	assert_true(tz_valid("Europe/London"));
	assert_true(tz_valid("America/New_York"));
	assert_true(tz_valid("UTC"));
	assert_false(tz_valid(NULL));
	assert_false(tz_valid(""));
	assert_false(tz_valid("/usr/share/zoneinfo/Europe/London"));
	assert_false(tz_valid("/etc/passwd"));
	assert_false(tz_valid("../zoneinfo/Europe/London"));
	assert_false(tz_valid("Europe/../Europe/London"));
	assert_false(tz_valid("Europe/Londres"));
	assert_false(tz_valid("Europe"));		/* a directory */
	assert_false(tz_valid("zone.tab"));		/* not TZif */
}

static void
check_instant(const char *date, int minute, time_t want, const char *iso)
{
	char	 buf[DATE_ISOLEN];
	time_t	 t = 0;

	assert_int_equal(date_local_instant(D(date), minute, "Europe/London",
	    &t), 0);
	if (t != want)
		fail_msg("%s %d: got %lld, want %lld", date, minute,
		    (long long)t, (long long)want);
	assert_int_equal(date_format_local(t, "Europe/London", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, iso);
}

/* Both clock changes of 2025: 30 March and 26 October. */
static void
test_instants_dst(void **state)
{
	(void)state;
	check_instant("2025-03-28", 540, utc(D("2025-03-28"), 9),
	    "2025-03-28T09:00:00+00:00");
	check_instant("2025-03-28", 540, 1743152400,
	    "2025-03-28T09:00:00+00:00");
	check_instant("2025-03-30", 540, utc(D("2025-03-30"), 8),
	    "2025-03-30T09:00:00+01:00");
	check_instant("2025-03-31", 540, utc(D("2025-03-31"), 8),
	    "2025-03-31T09:00:00+01:00");
	check_instant("2025-03-31", 540, 1743408000,
	    "2025-03-31T09:00:00+01:00");
	check_instant("2025-10-24", 540, utc(D("2025-10-24"), 8),
	    "2025-10-24T09:00:00+01:00");
	check_instant("2025-10-26", 540, utc(D("2025-10-26"), 9),
	    "2025-10-26T09:00:00+00:00");
	check_instant("2025-10-27", 540, utc(D("2025-10-27"), 9),
	    "2025-10-27T09:00:00+00:00");
	check_instant("2025-10-27", 540, 1761555600,
	    "2025-10-27T09:00:00+00:00");
	check_instant("2025-07-01", 0, utc(D("2025-06-30"), 23),
	    "2025-07-01T00:00:00+01:00");
	check_instant("2025-12-31", 1439, utc(D("2025-12-31"), 23) + 59 * 60,
	    "2025-12-31T23:59:00+00:00");
}

/* Switching zones back and forth gives each zone's answer. */
static void
test_instants_zones(void **state)
{
	char	 buf[DATE_ISOLEN];
	time_t	 t;
	int	 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(date_local_instant(D("2025-03-10"), 540,
		    "America/New_York", &t), 0);
		assert_int_equal(t, utc(D("2025-03-10"), 13));
		assert_int_equal(date_format_local(t, "America/New_York", buf,
		    sizeof(buf)), 0);
		assert_string_equal(buf, "2025-03-10T09:00:00-04:00");
		assert_int_equal(date_local_instant(D("2025-03-10"), 540,
		    "Europe/London", &t), 0);
		assert_int_equal(t, utc(D("2025-03-10"), 9));
		assert_int_equal(date_local_instant(D("2025-03-31"), 540,
		    "UTC", &t), 0);
		assert_int_equal(t, utc(D("2025-03-31"), 9));
	}
	assert_int_equal(date_format_local(0, "Europe/Paris", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T01:00:00+01:00");
	/* Offsets with minutes, both signs. */
	assert_int_equal(date_local_instant(D("2025-03-31"), 540,
	    "Asia/Kolkata", &t), 0);
	assert_int_equal(t, utc(D("2025-03-31"), 3) + 30 * 60);
	assert_int_equal(date_format_local(t, "Asia/Kolkata", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2025-03-31T09:00:00+05:30");
	assert_int_equal(date_local_instant(D("2025-01-15"), 540,
	    "America/St_Johns", &t), 0);
	assert_int_equal(t, utc(D("2025-01-15"), 12) + 30 * 60);
	assert_int_equal(date_format_local(t, "America/St_Johns", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2025-01-15T09:00:00-03:30");
}

static void
test_instants_errors(void **state)
{
	char	 buf[DATE_ISOLEN];
	time_t	 t = 42;
	int32_t	 day = 42;

	(void)state;
	assert_int_equal(date_local_instant(D("2025-03-31"), 540,
	    "Mars/Olympus_Mons", &t), -1);
	assert_int_equal(date_local_instant(D("2025-03-31"), 540, NULL, &t),
	    -1);
	assert_int_equal(date_local_instant(D("2025-03-31"), -1,
	    "Europe/London", &t), -1);
	assert_int_equal(date_local_instant(D("2025-03-31"), 1440,
	    "Europe/London", &t), -1);
	assert_int_equal(t, 42);
	assert_int_equal(date_of_instant(0, "../etc", &day), -1);
	assert_int_equal(day, 42);
	assert_int_equal(date_format_local(0, "", buf, sizeof(buf)), -1);
	/* "2025-03-31T09:00:00+01:00" is 25 characters and the NUL. */
	assert_int_equal(date_format_local(1743408000, "Europe/London", buf,
	    25), -1);
	assert_int_equal(date_format_local(1743408000, "Europe/London", buf,
	    26), 0);
	/* A failed switch leaves the previous zone in force. */
	assert_int_equal(date_local_instant(D("2025-03-31"), 540,
	    "Europe/London", &t), 0);
	assert_int_equal(date_local_instant(D("2025-03-31"), 540, "Nowhere",
	    &t), -1);
	assert_int_equal(date_format_local(1743408000, "Europe/London", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2025-03-31T09:00:00+01:00");
}

static void
test_date_of_instant(void **state)
{
	int32_t	 day;

	(void)state;
	/* 23:30Z on 30 March is 00:30 BST on the 31st. */
	assert_int_equal(date_of_instant(utc(D("2025-03-30"), 23) + 1800,
	    "Europe/London", &day), 0);
	assert_string_equal(fmt(day), "2025-03-31");
	assert_int_equal(date_of_instant(utc(D("2025-03-30"), 23) + 1800,
	    "UTC", &day), 0);
	assert_string_equal(fmt(day), "2025-03-30");
	/* After the October change London is on UTC again. */
	assert_int_equal(date_of_instant(utc(D("2025-10-26"), 23) + 1800,
	    "Europe/London", &day), 0);
	assert_string_equal(fmt(day), "2025-10-26");
	assert_int_equal(date_of_instant(utc(D("2025-10-25"), 23) + 1800,
	    "Europe/London", &day), 0);
	assert_string_equal(fmt(day), "2025-10-26");
	assert_int_equal(date_of_instant(utc(D("2025-03-10"), 3),
	    "America/New_York", &day), 0);
	assert_string_equal(fmt(day), "2025-03-09");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ymd_anchors),
		cmocka_unit_test(test_ymd_every_day),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_month_lengths),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_every_day),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_iso_week),
		cmocka_unit_test(test_add_months_design),
		cmocka_unit_test(test_add_months_more),
		cmocka_unit_test(test_add_months_early),
		cmocka_unit_test(test_holidays_parse),
		cmocka_unit_test(test_holidays_messy),
		cmocka_unit_test(test_holidays_errors),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_working_shifts),
		cmocka_unit_test(test_tz_valid),
		cmocka_unit_test(test_instants_dst),
		cmocka_unit_test(test_instants_zones),
		cmocka_unit_test(test_instants_errors),
		cmocka_unit_test(test_date_of_instant),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

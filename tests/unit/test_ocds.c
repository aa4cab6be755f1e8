/*
 * Unit tests of daemon/ocds.c and ocds-map.c: the timestamps read as
 * the calendar date written, the mapping rules of an award, and the
 * streamed reader, fed whole and a byte at a time.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "dates.h"
#include "ocds.h"

static char	 out[8192];

/* Each row as "ref|date|ocid|fields or reason" on a line of out. */
static int
collect(void *arg, const struct ocds_row *r)
{
	char	 buf[512];
	size_t	 n = strlen(out);
	const char *const f[] = { "title", "kind", "supplier", "owner_email",
	    "start_date", "end_date", "max_end_date", "value", "notes", NULL };
	size_t	 i;

	(void)arg;
	snprintf(out + n, sizeof(out) - n, "%s|%lld|%s|", r->ref ? r->ref :
	    "-", (long long)r->date, r->ocid);
	for (i = 0; r->c != NULL && f[i] != NULL; i++) {
		contract_get_field(r->c, f[i], buf, sizeof(buf));
		n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s", i ? "," : "", buf);
	}
	n = strlen(out);
	snprintf(out + n, sizeof(out) - n, "%s\n", r->c ? "" : r->reason);
	return 0;
}

static void
test_day(void **state)
{
	int32_t	day;
	char	buf[DATE_STRLEN];

	(void)state;
	assert_int_equal(ocds_day("2028-03-31T23:59:59+01:00", &day), 0);
	assert_string_equal(date_format(day, buf), "2028-03-31");
	/* As written, not moved to UTC. */
	assert_int_equal(ocds_day("2028-04-01T00:30:00+01:00", &day), 0);
	assert_string_equal(date_format(day, buf), "2028-04-01");
	assert_int_equal(ocds_day("2028-02-29", &day), 0);
	assert_int_equal(ocds_day("2027-02-29T00:00:00Z", &day), -1);
	assert_int_equal(ocds_day("2028-03-3", &day), -1);
	assert_int_equal(ocds_day("2028-03-31X", &day), -1);
	assert_int_equal(ocds_day(NULL, &day), -1);
}

static void
test_instant(void **state)
{
	(void)state;
	assert_int_equal(ocds_instant("1970-01-02T00:00:00Z"), 86400);
	assert_int_equal(ocds_instant("1970-01-02T01:00:00+01:00"), 86400);
	assert_int_equal(ocds_instant("1970-01-01T23:00:00.123-01:00"),
	    86400);
	assert_int_equal(ocds_instant("1970-01-02"), 86400);
	assert_true(ocds_instant("1970-01-02T00:00") == OCDS_DATE_NONE);
	assert_true(ocds_instant("1970-01-02T00:00:00+1") == OCDS_DATE_NONE);
	assert_true(ocds_instant(NULL) == OCDS_DATE_NONE);
}

static void
map(const char *text)
{
	json_t	*v = json_loads(text, 0, NULL);

	assert_non_null(v);
	out[0] = '\0';
	assert_int_equal(ocds_map(v, collect, NULL), 0);
	json_decref(v);
}

static void
test_map_rules(void **state)
{
	(void)state;
	/* The tender's period, a maxExtentDate before the end ignored. */
	map("{\"ocid\":\"o\",\"tender\":{\"title\":\"T\",\"techniques\":"
	    "{\"hasFrameworkAgreement\":true,\"hasDynamicPurchasingSystem\":"
	    "true},\"contractPeriod\":{\"endDate\":\"2027-01-31T00:00:00Z\","
	    "\"maxExtentDate\":\"2026-01-01\"}},\"awards\":[{\"id\":7,"
	    "\"value\":{\"amount\":12.5,\"currency\":\"GBP\"},\"suppliers\":"
	    "[{\"name\":\"A\"},{},{\"name\":\"B\"}]}]}");
	assert_string_equal(out, "7|-9223372036854775808|o|T,dps,A; B,,,"
	    "2027-01-31,2027-01-31,12.50,o\n");
	/* Pending, cancelled: not contracts; a release with none left. */
	map("{\"ocid\":\"p\",\"date\":\"1970-01-01T00:00:10Z\",\"awards\":"
	    "[{\"id\":\"X\",\"status\":\"pending\"},{\"id\":\"Y\",\"status\":"
	    "\"cancelled\"}]}");
	assert_string_equal(out, "-|10|p|no active award (a planning or "
	    "tender release)\n");
	/* A negative value left out, not the award; no title skips it. */
	map("{\"ocid\":\"q\",\"awards\":[{\"id\":\"N\",\"title\":\"t\","
	    "\"value\":{\"amount\":-1,\"currency\":\"GBP\"},"
	    "\"contractPeriod\":{\"endDate\":\"2027-01-01\"}},{\"id\":\"M\","
	    "\"contractPeriod\":{\"endDate\":\"2027-01-01\"}}]}");
	assert_string_equal(out, "N|-9223372036854775808|q|t,contract,,,,"
	    "2027-01-01,2027-01-01,,q\nM|-9223372036854775808|q|award M: "
	    "title: title is required\n");
}

static const char pkg[] =
    "\xef\xbb\xbf{\"uri\":\"u\",\"x\":{\"releases\":[1]},\"records\":[],"
    "\"releases\":[\n"
    " {\"ocid\":\"a\\\"]}\",\"awards\":[{\"id\":\"A1\",\"title\":\"{[\","
    "\"contractPeriod\":{\"endDate\":\"2027-01-01\"}}]},\n"
    " {\"ocid\":\"b\",\"tender\":{}}\n"
    "],\"publisher\":{\"name\":\"]\"}}\n"
    "{\"ocid\":\"c\",\"awards\":[{\"id\":\"C1\",\"title\":\"c\","
    "\"contractPeriod\":{\"endDate\":\"2028-01-01\"}}]}\n";

static const char pkg_rows[] =
    "A1|-9223372036854775808|a\"]}|{[,contract,,,,2027-01-01,2027-01-01,,"
    "a\"]}\n"
    "-|-9223372036854775808|b|no active award (a planning or tender "
    "release)\n"
    "C1|-9223372036854775808|c|c,contract,,,,2028-01-01,2028-01-01,,c\n";

static void
test_reader_whole_and_bytewise(void **state)
{
	struct ocds_reader	*o;
	char			 err[256];
	size_t			 i, n = sizeof(pkg) - 1;

	(void)state;
	/* A byte order mark first is skipped. */
	out[0] = '\0';
	assert_non_null(o = ocds_reader_new(collect, NULL));
	assert_int_equal(ocds_feed(o, pkg, n, 1, err, sizeof(err)), 0);
	assert_string_equal(out, pkg_rows);
	assert_int_equal(ocds_releases(o), 3);
	ocds_reader_free(o);
	out[0] = '\0';
	assert_non_null(o = ocds_reader_new(collect, NULL));
	for (i = 0; i < n; i++)
		assert_int_equal(ocds_feed(o, pkg + i, 1, 0, err,
		    sizeof(err)), 0);
	assert_int_equal(ocds_feed(o, "", 0, 1, err, sizeof(err)), 0);
	assert_string_equal(out, pkg_rows);
	assert_int_equal(ocds_fed(o), n);
	ocds_reader_free(o);
}

static void
reader_error(const char *text, const char *want)
{
	struct ocds_reader	*o;
	char			 err[256];

	out[0] = '\0';
	assert_non_null(o = ocds_reader_new(collect, NULL));
	assert_int_equal(ocds_feed(o, text, strlen(text), 1, err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
	/* Failed: it stays so. */
	assert_int_equal(ocds_feed(o, "{}", 2, 1, err, sizeof(err)), -1);
	ocds_reader_free(o);
}

static void
test_reader_errors(void **state)
{
	(void)state;
	reader_error("ref,title\n", "byte 1: not OCDS: a package or a "
	    "release is a JSON object");
	reader_error("{}\n[]", "byte 4: not OCDS: a package or a release is "
	    "a JSON object");
	reader_error("{\"releases\":[1]}", "byte 14: an element of releases "
	    "is not an object");
	reader_error("{\"releases\":[{\"a\":}]}", "byte 19: not JSON: "
	    "unexpected token near '}'");
	reader_error("{\"releases\":[{\"a\":1}", "byte 20: the file ends "
	    "inside a JSON value");
	reader_error("  \n", "no OCDS release in the file");
	reader_error("}", "byte 1: not JSON: a bracket closes nothing");
	reader_error("{\"releases\":{\"a\":1}}", "byte 1: releases (or "
	    "records) is not an array");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day),
		cmocka_unit_test(test_instant),
		cmocka_unit_test(test_map_rules),
		cmocka_unit_test(test_reader_whole_and_bytewise),
		cmocka_unit_test(test_reader_errors),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

/*
 * Unit tests of the configuration parser: a good file with every key, and
 * each kind of error reported with its file:line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "contractd.h"

static char	path[64];

static void
write_conf(const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/contractd-test-XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(text, f);
	fclose(f);
}

static struct config *
load(const char *text, struct conf_errors *errs)
{
	struct config	*c;

	write_conf(text);
	c = config_load(path, errs);
	unlink(path);
	return c;
}

static void
test_good(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*c;

	(void)state;
	c = load("[daemon]\n"
	    "database = /tmp/x.db\n"
	    "socket = /tmp/x.sock ; inline comment\n"
	    "socket_mode = 0600\n"
	    "admin_group = wheel\n"
	    "plugin_dir = /tmp/plugins\n"
	    "timezone = Europe/London\n"
	    "alert_time = 08:30\n"
	    "working_days_only = no\n"
	    "max_connections = 10\n"
	    "max_connections_per_uid = 3\n"
	    "idle_timeout = 30\n"
	    "max_age = 2h\n"
	    "max_transfers = 4\n"
	    "\n[alerts]\n"
	    "term_end = 60, 30,0\n"
	    "extension_deadline = 14\n"
	    "procurement_start = 7,0\n"
	    "coverage_gap = 0\n"
	    "expired = 0\n"
	    "extension_notice_days = 45\n"
	    "procurement_lead_days = 200\n"
	    "\n[notifier teams]\n"
	    "plugin = webhook\n"
	    "kinds = expired, coverage_gap\n"
	    "url = https://hooks.example/x\n", &errs);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	assert_string_equal(c->database, "/tmp/x.db");
	assert_string_equal(c->socket, "/tmp/x.sock");
	assert_int_equal(c->socket_mode, 0600);
	assert_string_equal(c->admin_group, "wheel");
	assert_string_equal(c->plugin_dir, "/tmp/plugins");
	assert_int_equal(c->alerts.alert_minute, 8 * 60 + 30);
	assert_int_equal(c->alerts.working_days_only, 0);
	assert_int_equal(c->max_connections, 10);
	assert_int_equal(c->max_connections_per_uid, 3);
	assert_int_equal(c->idle_timeout, 30);
	assert_int_equal(c->max_age, 7200);
	assert_int_equal(c->max_transfers, 4);
	assert_int_equal(c->alerts.noffsets[MS_TERM_END], 3);
	assert_int_equal(c->alerts.offsets[MS_TERM_END][1], 30);
	assert_int_equal(c->alerts.noffsets[MS_EXTENSION_DEADLINE], 1);
	assert_int_equal(c->alerts.extension_notice_days, 45);
	assert_int_equal(c->alerts.procurement_lead_days, 200);
	assert_int_equal(c->nchannels, 1);
	assert_string_equal(c->channels[0].name, "teams");
	assert_string_equal(c->channels[0].plugin, "webhook");
	assert_int_equal(c->channels[0].kinds,
	    (1u << MS_EXPIRED) | (1u << MS_COVERAGE_GAP));
	assert_int_equal(c->channels[0].nkv, 1);
	assert_string_equal(c->channels[0].kv[0].key, "url");
	assert_int_equal(c->channels[0].kv[0].line, 28);
	config_free(c);
}

static void
test_defaults(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*c;

	(void)state;
	c = load("", &errs);
	assert_non_null(c);
	assert_string_equal(c->timezone, "Europe/London");
	assert_int_equal(c->alerts.alert_minute, 540);
	assert_int_equal(c->socket_mode, 0660);
	assert_int_equal(c->alerts.noffsets[MS_TERM_END], 8);
	assert_int_equal(c->alerts.offsets[MS_TERM_END][0], 180);
	assert_int_equal(c->max_age, 3 * 86400);
	assert_int_equal(c->max_connections, 64);
	assert_int_equal(c->max_connections_per_uid, 16);
	config_free(c);
}

/* Loads text, which must fail with exactly the given "line: message"s. */
static void
expect_errors(const char *text, const char *const *want, size_t nwant)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*c;
	char			 buf[600];
	size_t			 i;

	c = load(text, &errs);
	assert_null(c);
	for (i = 0; i < errs.n; i++)
		print_message("  %s\n", errs.msg[i]);
	assert_int_equal(errs.n, nwant);
	for (i = 0; i < nwant; i++) {
		snprintf(buf, sizeof(buf), "%s:%s", path, want[i]);
		assert_string_equal(errs.msg[i], buf);
	}
	conf_errors_free(&errs);
}

static void
test_each_error_with_its_line(void **state)
{
	static const char *const want[] = {
		"2: timezone: unknown time zone (not in the tz database): "
		    "Mars/Olympus",
		"3: alert_time: not a time of day HH:MM: 9am",
		"4: socket_mode: not an octal file mode (e.g. 0660): 0999",
		"5: unknown key 'colour' in [daemon]",
		"6: timezone: set twice in [daemon]",
		"8: term_end: not a list of days from 0 to 3650: 30,-1",
		"9: expired: offset 0 is listed twice",
		"10: extension_notice_days: not a number of days from 0 to "
		    "3650: x",
		"12: unknown section [extra]",
		"14: kinds: not '*' or a list of milestone kinds: term_end,bogus",
		"13: [notifier x] has no 'plugin ='",
	};

	(void)state;
	expect_errors("[daemon]\n"
	    "timezone = Mars/Olympus\n"
	    "alert_time = 9am\n"
	    "socket_mode = 0999\n"
	    "colour = blue\n"
	    "timezone = UTC\n"
	    "[alerts]\n"
	    "term_end = 30,-1\n"
	    "expired = 0,0\n"
	    "extension_notice_days = x\n"
	    "[extra]\nkey = 1\n"
	    "[notifier x]\n"
	    "kinds = term_end,bogus\n", want, sizeof(want) / sizeof(want[0]));
}

static void
test_syntax_error_lines(void **state)
{
	static const char *const want[] = {
		"2: not a [section] or a key = value line",
		"4: not a [section] or a key = value line",
		"5: working_days_only: not yes or no: maybe",
	};

	(void)state;
	expect_errors("[daemon]\n"
	    "this line is nonsense\n"
	    "; a comment\n"
	    "[unterminated\n"
	    "working_days_only = maybe\n", want, 3);
}

static void
test_long_line_and_kinds_twice(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*c;
	char			 text[2048], url[1500];

	(void)state;
	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	snprintf(text, sizeof(text), "[notifier teams]\nplugin = webhook\n"
	    "url = https://hooks.example/%s\n", url);
	c = load(text, &errs);
	assert_int_equal(errs.n, 0);
	assert_non_null(c);
	assert_int_equal(strlen(c->channels[0].kv[0].value),
	    strlen("https://hooks.example/") + sizeof(url) - 1);
	config_free(c);
	c = load("[notifier x]\nplugin = log\nkinds = *\nkinds = expired\n",
	    &errs);
	assert_null(c);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msg[0], ":4: kinds: set twice in "
	    "[notifier x]"));
	conf_errors_free(&errs);
}

static void
test_missing_file(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };

	(void)state;
	assert_null(config_load("/nonexistent/contractd.conf", &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msg[0], "/nonexistent/contractd.conf: "
	    "No such file or directory");
	conf_errors_free(&errs);
}

static void
test_holidays_file_error(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			 hol[64], text[200], want[200];
	FILE			*f;
	int			 fd;

	(void)state;
	snprintf(hol, sizeof(hol), "/tmp/contractd-hol-XXXXXX");
	assert_true((fd = mkstemp(hol)) != -1);
	f = fdopen(fd, "w");
	fputs("# bank holidays\n2025-12-25\n2025-13-01\n2025-12-26\n"
	    "Boxing Day\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "[daemon]\nholidays = %s\n", hol);
	assert_null(load(text, &errs));
	unlink(hol);
	/* Every bad line, each with its own. */
	assert_int_equal(errs.n, 2);
	snprintf(want, sizeof(want), "%s:3: not a date (YYYY-MM-DD)", hol);
	assert_string_equal(errs.msg[0], want);
	snprintf(want, sizeof(want), "%s:5: not a date (YYYY-MM-DD)", hol);
	assert_string_equal(errs.msg[1], want);
	conf_errors_free(&errs);
}

/* A holidays file that is not there: the config's line and key say so. */
static void
test_holidays_file_missing(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			 want[300];

	(void)state;
	assert_null(load("[daemon]\ntimezone = Europe/London\n"
	    "holidays = /nonexistent/holidays.txt\n", &errs));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:3: holidays: cannot read "
	    "/nonexistent/holidays.txt: No such file or directory", path);
	assert_string_equal(errs.msg[0], want);
	conf_errors_free(&errs);
}

static void
test_expired_offset_zero_only(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			 want[300];

	(void)state;
	assert_null(load("[alerts]\nexpired = 0,7\n", &errs));
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s:2: expired: expired fires on the "
	    "day after the end only: its one offset is 0, not 7", path);
	assert_string_equal(errs.msg[0], want);
	conf_errors_free(&errs);
}

/*
 * A config of n bytes: comment lines between the section and its one key,
 * at the very end.  The reader's buffer grows from 4 KiB: sizes past it
 * and the limit itself must be read whole.
 */
static char *
padded_conf(size_t n)
{
	static const char	 head[] = "[daemon]\n";
	static const char	 tail[] = "\nmax_transfers = 3\n";
	char			*text;
	size_t			 i, end = n - (sizeof(tail) - 1);

	assert_non_null(text = malloc(n + 1));
	memset(text, 'x', n);
	memcpy(text, head, sizeof(head) - 1);
	for (i = sizeof(head) - 1; i < end; i += 80) {
		text[i] = ';';
		if (i + 79 < end)
			text[i + 79] = '\n';
	}
	memcpy(text + end, tail, sizeof(tail));
	return text;
}

static void
test_file_sizes(void **state)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*c;
	char			*text;
	size_t			 i;
	static const size_t	 ok[] = { 4095, 4096, 4097, 300000, 1048576 };
	static const char *const too_large[] = {
		" larger than 1048576 bytes"
	};

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		text = padded_conf(ok[i]);
		c = load(text, &errs);
		free(text);
		assert_int_equal(errs.n, 0);
		assert_non_null(c);
		assert_int_equal(c->max_transfers, 3);
		config_free(c);
	}
	/* No line: "file: message". */
	text = padded_conf(1048577);
	expect_errors(text, too_large, 1);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_each_error_with_its_line),
		cmocka_unit_test(test_syntax_error_lines),
		cmocka_unit_test(test_long_line_and_kinds_twice),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_holidays_file_error),
		cmocka_unit_test(test_holidays_file_missing),
		cmocka_unit_test(test_expired_offset_zero_only),
		cmocka_unit_test(test_file_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

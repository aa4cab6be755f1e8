/*
 * Unit tests of daemon/alert-json.c: the payload of an alert, a pure
 * function of the contract and the alert, with its keys in the order
 * notifier.h lists them (the generic webhook body is this text).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alert-json.h"
#include "dates.h"

#define TZ	"Europe/London"

static void
set(struct contract *c, const char *field, const char *value)
{
	char	err[CONTRACT_ERRLEN];

	assert_int_equal(contract_set_field(c, field, value, err, sizeof(err)),
	    0);
}

static void
contract_of(struct contract *c)
{
	contract_init(c);
	set(c, "ref", "HAV-CPDPS");
	set(c, "title", "Complex Placements DPS");
	set(c, "kind", "dps");
	set(c, "end_date", "2025-04-30");
	set(c, "max_end_date", "2026-04-30");
}

/* The alert of kind k due on due, offset days ahead, fired at 09:00. */
static void
alert_of(struct alert *a, enum milestone_kind k, const char *due, int offset)
{
	memset(a, 0, sizeof(*a));
	a->kind = k;
	assert_int_equal(date_parse(due, &a->due), 0);
	a->offset = offset;
	a->date = a->due - offset;
	assert_int_equal(date_local_instant(a->date, 9 * 60, TZ, &a->fire), 0);
}

static void
test_payload(void **state)
{
	struct contract		 c;
	struct alert		 a;
	struct alert_firing	 f;
	char			*s;

	(void)state;
	contract_of(&c);
	alert_of(&a, MS_EXTENSION_DEADLINE, "2025-03-31", 30);
	f = (struct alert_firing){ .now = a.fire, .tz = TZ, .uncovered = "" };
	assert_non_null(s = alert_json_text(alert_json(&c, &a, &f)));
	assert_string_equal(s, "{\"type\":\"contract.alert\","
	    "\"key\":\"HAV-CPDPS/extension_deadline/2025-03-31/30\","
	    "\"contract\":{\"ref\":\"HAV-CPDPS\","
	    "\"title\":\"Complex Placements DPS\",\"kind\":\"dps\","
	    "\"supplier\":null,\"owner_name\":null,\"owner_email\":null,"
	    "\"notify\":null,\"start_date\":null,\"end_date\":\"2025-04-30\","
	    "\"max_end_date\":\"2026-04-30\",\"extension_notice_days\":null,"
	    "\"procurement_lead_days\":null,\"successor_ref\":null,"
	    "\"services\":null,\"value\":null,\"notes\":null,"
	    "\"closed_on\":null,\"closed_reason\":null},"
	    "\"milestone\":\"extension_deadline\",\"due\":\"2025-03-31\","
	    "\"offset_days\":30,\"days_left\":30,\"late\":false,"
	    "\"lapsed_extension\":false,"
	    "\"extension_available_until\":\"2026-04-30\","
	    "\"fire_at\":\"2025-03-01T09:00:00+00:00\","
	    "\"fired_at\":\"2025-03-01T09:00:00Z\",\"uncovered\":null}");
	free(s);
	contract_free(&c);
}

/* Late, lapsed, a coverage gap, no extension left, fired days after. */
static void
test_payload_flags(void **state)
{
	struct contract		 c;
	struct alert		 a;
	struct alert_firing	 f;
	json_t			*o;

	(void)state;
	contract_of(&c);
	set(&c, "max_end_date", "2025-04-30");
	alert_of(&a, MS_COVERAGE_GAP, "2025-04-30", 7);
	f = (struct alert_firing){ .now = a.fire + 3 * 86400, .tz = TZ,
	    .uncovered = "LD;Respite", .late = 1, .lapsed_extension = 1 };
	assert_non_null(o = alert_json(&c, &a, &f));
	assert_int_equal(json_integer_value(json_object_get(o, "days_left")),
	    4);
	assert_true(json_is_true(json_object_get(o, "late")));
	assert_true(json_is_true(json_object_get(o, "lapsed_extension")));
	assert_true(json_is_null(json_object_get(o,
	    "extension_available_until")));
	assert_string_equal(json_string_value(json_object_get(o,
	    "uncovered")), "LD;Respite");
	assert_string_equal(json_string_value(json_object_get(o, "fire_at")),
	    "2025-04-23T09:00:00+01:00");
	json_decref(o);
	contract_free(&c);
}

static void
test_payload_test(void **state)
{
	char	*s;

	(void)state;
	/* 2025-03-31 08:00 UTC: 09:00 in London (BST). */
	assert_non_null(s = alert_json_text(alert_json_test("test/hook/1.1",
	    1743408000, TZ)));
	assert_string_equal(s, "{\"type\":\"contract.test\","
	    "\"key\":\"test/hook/1.1\",\"contract\":{\"ref\":\"TEST\","
	    "\"title\":\"contractd test alert\"},\"milestone\":\"test\","
	    "\"due\":\"2025-03-31\",\"offset_days\":0,\"days_left\":0,"
	    "\"late\":false,\"lapsed_extension\":false,"
	    "\"fired_at\":\"2025-03-31T08:00:00Z\"}");
	free(s);
	assert_null(alert_json_text(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload),
		cmocka_unit_test(test_payload_flags),
		cmocka_unit_test(test_payload_test),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests of daemon/contract.c: every field rule, the text forms and
 * the whole-record rules of contract_check.
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

static char	 err[CONTRACT_ERRLEN];

static void
set_ok(struct contract *c, const char *field, const char *value)
{
	err[0] = '\0';
	assert_int_equal(contract_set_field(c, field, value, err, sizeof(err)),
	    0);
	assert_string_equal(err, "");
}

static void
set_bad(struct contract *c, const char *field, const char *value,
    const char *want)
{
	err[0] = '\0';
	assert_int_equal(contract_set_field(c, field, value, err, sizeof(err)),
	    -1);
	assert_string_equal(err, want);
}

static void
get_is(const struct contract *c, const char *field, const char *want)
{
	char	 buf[8192];

	assert_int_equal(contract_get_field(c, field, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

/* A field set to value reads back the same. */
static void
round_trip(const char *field, const char *value)
{
	struct contract	 c;

	contract_init(&c);
	set_ok(&c, field, value);
	get_is(&c, field, value);
	contract_free(&c);
}

static void
refused(const char *field, const char *value, const char *want)
{
	struct contract	 c;

	contract_init(&c);
	set_bad(&c, field, value, want);
	get_is(&c, field, strcmp(field, "kind") == 0 ? "contract" : "");
	contract_free(&c);
}

/* A valid record: ref, title, end_date. */
static void
minimal(struct contract *c)
{
	contract_init(c);
	set_ok(c, "ref", "HAV-CPDPS");
	set_ok(c, "title", "Complex Placements DPS");
	set_ok(c, "end_date", "2025-04-30");
}

static void
test_init(void **state)
{
	struct contract	 c;

	(void)state;
	contract_init(&c);
	assert_string_equal(c.ref, "");
	assert_null(c.title);
	assert_int_equal(c.kind, CK_CONTRACT);
	assert_null(c.supplier);
	assert_null(c.owner_name);
	assert_null(c.owner_email);
	assert_null(c.notify);
	assert_int_equal(c.start_date, DATE_NONE);
	assert_int_equal(c.end_date, DATE_NONE);
	assert_int_equal(c.max_end_date, DATE_NONE);
	assert_int_equal(c.extension_notice_days, -1);
	assert_int_equal(c.procurement_lead_days, -1);
	assert_null(c.successor_ref);
	assert_null(c.services);
	assert_null(c.value);
	assert_null(c.notes);
	contract_free(&c);
}

static void
test_field_names(void **state)
{
	static const char *const want[] = {
		"ref", "title", "kind", "supplier", "owner_name",
		"owner_email", "notify", "start_date", "end_date",
		"max_end_date", "extension_notice_days",
		"procurement_lead_days", "successor_ref", "services", "value",
		"notes", "closed_on", "closed_reason"
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_non_null(contract_fields[i]);
		assert_string_equal(contract_fields[i], want[i]);
		assert_true(contract_field_known(want[i]));
	}
	assert_null(contract_fields[i]);
	assert_false(contract_field_known("colour"));
	assert_false(contract_field_known(""));
	assert_false(contract_field_known("Ref"));
	assert_false(contract_field_known(NULL));
}

/*
 * A name from contract_fields and the same name elsewhere in memory reach
 * the same field (contract.c looks the first up by address).
 */
static void
test_field_lookup(void **state)
{
	static const char *const values[] = {
		"R1", "Title", "dps", "Acme", "Jo", "jo@x.example",
		"a@x.example;b@x.example", "2021-05-01", "2025-04-30",
		"2025-12-31", "30", "270", "R2", "svc:a", "10.50", "Notes",
		"2025-04-30", "Terminated"
	};
	struct contract	 c;
	char		 name[64];
	size_t		 i;

	(void)state;
	contract_init(&c);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		set_ok(&c, contract_fields[i], values[i]);
		snprintf(name, sizeof(name), "%s", contract_fields[i]);
		get_is(&c, name, values[i]);
	}
	contract_free(&c);
}

static void
test_unknown_field(void **state)
{
	struct contract	 c;
	char		 buf[16];

	(void)state;
	contract_init(&c);
	set_bad(&c, "colour", "red", "unknown field: colour");
	assert_int_equal(contract_get_field(&c, "colour", buf, sizeof(buf)),
	    -1);
	contract_free(&c);
}

static void
test_ref(void **state)
{
	char	 r64[65], r65[66], want[128];

	(void)state;
	memset(r64, 'a', 64);
	r64[64] = '\0';
	memset(r65, 'a', 65);
	r65[65] = '\0';
	round_trip("ref", "HAV-CPDPS");
	round_trip("ref", "a");
	round_trip("ref", "Lot_2.1/2025-A");
	round_trip("ref", r64);
	/* A bad value is cut to 64 bytes in the message. */
	snprintf(want, sizeof(want), "not a ref (1-64 of A-Za-z0-9._/-): "
	    "%s...", r64);
	refused("ref", r65, want);
	refused("ref", "HAV CPDPS",
	    "not a ref (1-64 of A-Za-z0-9._/-): HAV CPDPS");
	refused("ref", "ref#1", "not a ref (1-64 of A-Za-z0-9._/-): ref#1");
	refused("ref", "caf\xc3\xa9",
	    "not a ref (1-64 of A-Za-z0-9._/-): caf\xc3\xa9");
	refused("ref", "a:b", "not a ref (1-64 of A-Za-z0-9._/-): a:b");
	assert_true(contract_ref_valid("A.b_c/d-1"));
	assert_true(contract_ref_valid(r64));
	assert_false(contract_ref_valid(r65));
	assert_false(contract_ref_valid(""));
	assert_false(contract_ref_valid(NULL));
	assert_false(contract_ref_valid("a b"));
}

static void
test_ref_clear(void **state)
{
	struct contract	 c;

	(void)state;
	contract_init(&c);
	set_ok(&c, "ref", "A");
	set_ok(&c, "ref", "");
	assert_string_equal(c.ref, "");
}

/* The rules shared by the free-text fields, title among them. */
static void
free_text(const char *field)
{
	struct contract	 c;
	char		*big;

	round_trip(field, "Complex Placements: residential & live-in");
	round_trip(field, "tab\there");
	round_trip(field, "caf\xc3\xa9 \xc2\xa3" "5 \xe2\x82\xac "
	    "\xf0\x9f\x93\x85");
	round_trip(field, " spaces kept ");
	refused(field, "line\nbreak", "control character 0x0a at byte 5");
	refused(field, "a\rb", "control character 0x0d at byte 2");
	refused(field, "\x1b[31m", "control character 0x1b at byte 1");
	refused(field, "del\x7f", "control character 0x7f at byte 4");
	refused(field, "\xff", "not UTF-8 at byte 1");
	refused(field, "\xa3" "5", "not UTF-8 at byte 1");	/* Latin-1 */
	refused(field, "\xc0\xaf", "not UTF-8 at byte 1");	/* overlong */
	refused(field, "x\xed\xa0\x80", "not UTF-8 at byte 2");	/* surrogate */
	refused(field, "\xf4\x90\x80\x80", "not UTF-8 at byte 1");
	refused(field, "ab\xe2\x82", "not UTF-8 at byte 3");	/* cut */

	assert_non_null(big = malloc(4098));
	memset(big, 'x', 4097);
	big[4097] = '\0';
	refused(field, big, "too long: 4097 bytes (at most 4096)");
	big[4096] = '\0';
	round_trip(field, big);
	free(big);

	contract_init(&c);
	set_ok(&c, field, "something");
	set_ok(&c, field, "");
	get_is(&c, field, "");
	set_ok(&c, field, "again");
	set_ok(&c, field, NULL);
	get_is(&c, field, "");
	contract_free(&c);
}

static void
test_free_text(void **state)
{
	(void)state;
	free_text("title");
	free_text("supplier");
	free_text("owner_name");
	free_text("notes");
}

static void
test_title_cleared(void **state)
{
	struct contract	 c;

	(void)state;
	contract_init(&c);
	set_ok(&c, "title", "T");
	set_ok(&c, "title", "");
	assert_null(c.title);
	contract_free(&c);
}

static void
test_kind(void **state)
{
	struct contract		 c;
	enum contract_kind	 k;

	(void)state;
	contract_init(&c);
	get_is(&c, "kind", "contract");
	set_ok(&c, "kind", "framework");
	assert_int_equal(c.kind, CK_FRAMEWORK);
	set_ok(&c, "kind", "dps");
	assert_int_equal(c.kind, CK_DPS);
	set_ok(&c, "kind", "call-off");
	assert_int_equal(c.kind, CK_CALL_OFF);
	get_is(&c, "kind", "call-off");
	set_bad(&c, "kind", "Framework",
	    "not a kind (contract, framework, dps, call-off): Framework");
	set_bad(&c, "kind", "calloff",
	    "not a kind (contract, framework, dps, call-off): calloff");
	assert_int_equal(c.kind, CK_CALL_OFF);
	set_ok(&c, "kind", "");
	assert_int_equal(c.kind, CK_CONTRACT);
	set_ok(&c, "kind", "contract");
	assert_int_equal(c.kind, CK_CONTRACT);
	contract_free(&c);

	assert_string_equal(contract_kind_name(CK_CONTRACT), "contract");
	assert_string_equal(contract_kind_name(CK_FRAMEWORK), "framework");
	assert_string_equal(contract_kind_name(CK_DPS), "dps");
	assert_string_equal(contract_kind_name(CK_CALL_OFF), "call-off");
	assert_int_equal(contract_kind_parse("dps", &k), 0);
	assert_int_equal(k, CK_DPS);
	assert_int_equal(contract_kind_parse("DPS", &k), -1);
	assert_int_equal(contract_kind_parse("", &k), -1);
}

static void
test_owner_email(void **state)
{
	(void)state;
	round_trip("owner_email", "j.smith@council.example");
	round_trip("owner_email", "a@b");
	round_trip("owner_email", "first+tag@sub.council.example");
	refused("owner_email", "nobody", "not an email address: nobody");
	refused("owner_email", "@council.example",
	    "not an email address: @council.example");
	refused("owner_email", "j.smith@", "not an email address: j.smith@");
	refused("owner_email", "a@b@c", "not an email address: a@b@c");
	refused("owner_email", "j smith@council.example",
	    "not an email address: j smith@council.example");
	refused("owner_email", " a@b", "not an email address:  a@b");
	refused("owner_email", "a@b\t", "not an email address: a@b?");
	refused("owner_email", "<a@b>", "not an email address: <a@b>");
	refused("owner_email", "a@b,c@d", "not an email address: a@b,c@d");
	refused("owner_email", "a@b;c@d", "not an email address: a@b;c@d");
	refused("owner_email", "a@b\nBcc: x@y",
	    "control character 0x0a at byte 4");
}

static void
test_notify(void **state)
{
	(void)state;
	round_trip("notify", "legal@council.example");
	round_trip("notify", "a@b;c@d");
	round_trip("notify", "a@b ; c@d;e@f");
	round_trip("notify", " a@b;\tc@d ");
	refused("notify", "a@b;;c@d", "empty address in list: a@b;;c@d");
	refused("notify", "a@b;", "empty address in list: a@b;");
	refused("notify", ";a@b", "empty address in list: ;a@b");
	refused("notify", "a@b; ;c@d", "empty address in list: a@b; ;c@d");
	refused("notify", "a@b;legal", "not an email address: legal");
	refused("notify", "a@b; x y@z ", "not an email address: x y@z");
	refused("notify", "a@b,c@d", "not an email address: a@b,c@d");
}

static void
test_dates(void **state)
{
	static const char *const names[] = {
		"start_date", "end_date", "max_end_date"
	};
	struct contract	 c;
	int32_t		 day;
	size_t		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		round_trip(names[i], "2025-04-30");
		round_trip(names[i], "2024-02-29");
		refused(names[i], "2025-02-30",
		    "not a date (YYYY-MM-DD): 2025-02-30");
		refused(names[i], "2025-02-29",
		    "not a date (YYYY-MM-DD): 2025-02-29");
		refused(names[i], "2025-4-30",
		    "not a date (YYYY-MM-DD): 2025-4-30");
		refused(names[i], "30/04/2025",
		    "not a date (YYYY-MM-DD): 30/04/2025");
		refused(names[i], "2025-04-30 ",
		    "not a date (YYYY-MM-DD): 2025-04-30 ");
		refused(names[i], "2025-13-01",
		    "not a date (YYYY-MM-DD): 2025-13-01");
		/* A value with a line break stays on one line. */
		refused(names[i], "2025\n04-30",
		    "not a date (YYYY-MM-DD): 2025?04-30");
	}
	contract_init(&c);
	set_ok(&c, "end_date", "2025-04-30");
	assert_int_equal(date_parse("2025-04-30", &day), 0);
	assert_int_equal(c.end_date, day);
	set_ok(&c, "end_date", "");
	assert_int_equal(c.end_date, DATE_NONE);
	contract_free(&c);
}

static void
test_days(void **state)
{
	static const char *const names[] = {
		"extension_notice_days", "procurement_lead_days"
	};
	struct contract	 c;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		round_trip(names[i], "0");
		round_trip(names[i], "30");
		round_trip(names[i], "3650");
		refused(names[i], "3651",
		    "not a number of days (0-3650): 3651");
		refused(names[i], "-1", "not a number of days (0-3650): -1");
		refused(names[i], "+5", "not a number of days (0-3650): +5");
		refused(names[i], "1.5", "not a number of days (0-3650): 1.5");
		refused(names[i], "30 ", "not a number of days (0-3650): 30 ");
		refused(names[i], "ninety",
		    "not a number of days (0-3650): ninety");
		refused(names[i], "99999999999999999999",
		    "not a number of days (0-3650): 99999999999999999999");
	}
	contract_init(&c);
	set_ok(&c, "extension_notice_days", "030");
	assert_int_equal(c.extension_notice_days, 30);
	get_is(&c, "extension_notice_days", "30");
	set_ok(&c, "extension_notice_days", "");
	assert_int_equal(c.extension_notice_days, -1);
	contract_free(&c);
}

static void
test_successor_ref(void **state)
{
	(void)state;
	round_trip("successor_ref", "HAV-CPF-2026");
	refused("successor_ref", "HAV CPF",
	    "not a ref (1-64 of A-Za-z0-9._/-): HAV CPF");
}

static void
test_services(void **state)
{
	(void)state;
	round_trip("services", "residential:LD");
	round_trip("services", "residential:LD;live-in:MH");
	round_trip("services", "residential:LD ; live-in:MH;x.y_z-1");
	/* Empty items are dropped by whoever splits the list. */
	round_trip("services", "a;;b;");
	refused("services", "residential LD",
	    "not a service key (A-Za-z0-9._:-): residential LD");
	refused("services", "a;b/c", "not a service key (A-Za-z0-9._:-): b/c");
	refused("services", "a,b", "not a service key (A-Za-z0-9._:-): a,b");
}

static void
test_value(void **state)
{
	static const char	*msg = "not an amount (digits, at most 2 "
	    "decimal places): ";
	char			 want[128];
	size_t			 i;
	static const char *const bad[] = {
		"1250000.505", "-1", "1,250,000", ".5", "5.", "\302\2435",
		"1e6", "1250000.5x", " 5", "1234567890123456", "0x10"
	};

	(void)state;
	round_trip("value", "1250000");
	round_trip("value", "1250000.50");
	round_trip("value", "1250000.5");
	round_trip("value", "0");
	round_trip("value", "123456789012345.99");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "%s%s", msg, bad[i]);
		refused("value", bad[i], want);
	}
}

static void
test_get_unset_and_cut(void **state)
{
	struct contract	 c;
	char		 buf[5];
	size_t		 i;

	(void)state;
	contract_init(&c);
	for (i = 0; contract_fields[i] != NULL; i++) {
		get_is(&c, contract_fields[i],
		    strcmp(contract_fields[i], "kind") == 0 ? "contract" : "");
	}
	set_ok(&c, "title", "Complex Placements");
	assert_int_equal(contract_get_field(&c, "title", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Comp");
	contract_free(&c);
}

static void
test_copy(void **state)
{
	struct contract	 a, b;
	size_t		 i;

	(void)state;
	minimal(&a);
	set_ok(&a, "supplier", "Acme Care");
	set_ok(&a, "notify", "a@b;c@d");
	set_ok(&a, "services", "residential:LD");
	set_ok(&a, "value", "10.50");
	set_ok(&a, "notes", "n");
	set_ok(&a, "owner_name", "Jo");
	set_ok(&a, "owner_email", "jo@council.example");
	set_ok(&a, "successor_ref", "NEXT");
	set_ok(&a, "kind", "dps");
	set_ok(&a, "extension_notice_days", "30");
	assert_int_equal(contract_copy(&b, &a), 0);
	assert_ptr_not_equal(a.title, b.title);
	assert_ptr_not_equal(a.notes, b.notes);
	for (i = 0; contract_fields[i] != NULL; i++) {
		char	 va[256], vb[256];

		assert_int_equal(contract_get_field(&a, contract_fields[i], va,
		    sizeof(va)), 0);
		assert_int_equal(contract_get_field(&b, contract_fields[i], vb,
		    sizeof(vb)), 0);
		assert_string_equal(va, vb);
	}
	contract_free(&a);
	get_is(&b, "title", "Complex Placements DPS");
	contract_free(&b);
}

static void
test_free_resets(void **state)
{
	struct contract	 c;

	(void)state;
	minimal(&c);
	contract_free(&c);
	assert_string_equal(c.ref, "");
	assert_null(c.title);
	assert_int_equal(c.end_date, DATE_NONE);
	contract_free(&c);	/* twice is harmless */
}

static void
check_bad(struct contract *c, const char *field, const char *want)
{
	const char	*f = NULL;

	err[0] = '\0';
	assert_int_equal(contract_check(c, &f, err, sizeof(err)), -1);
	assert_non_null(f);
	assert_string_equal(f, field);
	assert_string_equal(err, want);
}

static void
check_ok(struct contract *c)
{
	const char	*f = NULL;

	err[0] = '\0';
	assert_int_equal(contract_check(c, &f, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void
test_check_required(void **state)
{
	struct contract	 c;

	(void)state;
	contract_init(&c);
	check_bad(&c, "ref", "ref is required");
	set_ok(&c, "ref", "A");
	check_bad(&c, "title", "title is required");
	set_ok(&c, "title", "T");
	check_bad(&c, "end_date", "end_date is required");
	set_ok(&c, "end_date", "2025-04-30");
	check_ok(&c);
	contract_free(&c);
}

static void
test_check_end_before_start(void **state)
{
	struct contract	 c;

	(void)state;
	minimal(&c);
	set_ok(&c, "start_date", "2020-06-01");
	set_ok(&c, "end_date", "2019-01-01");
	check_bad(&c, "end_date",
	    "end_date 2019-01-01 is before start_date 2020-06-01");
	set_ok(&c, "end_date", "2020-06-01");	/* a one-day term */
	check_ok(&c);
	contract_free(&c);
}

static void
test_check_max_end(void **state)
{
	struct contract	 c;

	(void)state;
	minimal(&c);
	check_ok(&c);
	/* Filled in: no extension available. */
	get_is(&c, "max_end_date", "2025-04-30");
	assert_int_equal(c.max_end_date, c.end_date);
	set_ok(&c, "max_end_date", "2025-01-01");
	check_bad(&c, "max_end_date",
	    "max_end_date 2025-01-01 is before end_date 2025-04-30");
	set_ok(&c, "max_end_date", "2025-12-31");
	check_ok(&c);
	get_is(&c, "max_end_date", "2025-12-31");
	contract_free(&c);
}

static void
test_check_successor(void **state)
{
	struct contract	 c;

	(void)state;
	minimal(&c);
	set_ok(&c, "successor_ref", "HAV-CPDPS");
	check_bad(&c, "successor_ref",
	    "successor_ref is the contract itself: HAV-CPDPS");
	set_ok(&c, "successor_ref", "HAV-CPF");
	check_ok(&c);
	contract_free(&c);
}

/* The seed: the DPS, extended by 8 months to the end of 2025. */
static void
test_seed(void **state)
{
	struct contract	 c;

	(void)state;
	minimal(&c);
	set_ok(&c, "kind", "dps");
	set_ok(&c, "start_date", "2021-05-01");
	set_ok(&c, "max_end_date", "2025-12-31");
	set_ok(&c, "successor_ref", "HAV-CPF");
	set_ok(&c, "services", "residential:LD;live-in:MH");
	check_ok(&c);
	assert_int_equal(c.kind, CK_DPS);
	get_is(&c, "end_date", "2025-04-30");
	get_is(&c, "max_end_date", "2025-12-31");
	contract_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_field_lookup),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_ref),
		cmocka_unit_test(test_ref_clear),
		cmocka_unit_test(test_free_text),
		cmocka_unit_test(test_title_cleared),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_owner_email),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_successor_ref),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_get_unset_and_cut),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_free_resets),
		cmocka_unit_test(test_check_required),
		cmocka_unit_test(test_check_end_before_start),
		cmocka_unit_test(test_check_max_end),
		cmocka_unit_test(test_check_successor),
		cmocka_unit_test(test_seed),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

/*
 * Unit tests of engine.c on the seed's Complex Placements DPS (DESIGN
 * sections 6-7): milestones, alert dates across weekends and bank
 * holidays, fire instants, ordering and keys.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "contract.h"
#include "dates.h"
#include "engine.h"

/* England and Wales bank holidays 2024-2027, as in the shipped file. */
static const char holidays_ew[] =
    "# England and Wales bank holidays 2024-2027\n"
    "2024-01-01\n2024-03-29\n2024-04-01\n2024-05-06\n2024-05-27\n"
    "2024-08-26\n2024-12-25\n2024-12-26\n"
    "2025-01-01\n2025-04-18\n2025-04-21\n2025-05-05\n2025-05-26\n"
    "2025-08-25\n2025-12-25\n2025-12-26\n"
    "2026-01-01\n2026-04-03\n2026-04-06\n2026-05-04\n2026-05-25\n"
    "2026-08-31\n2026-12-25\n2026-12-28\n"
    "2027-01-01\n2027-03-26\n2027-03-29\n2027-05-03\n2027-05-31\n";

static char	dps_title[] = "Complex Placements Dynamic Purchasing System";
static char	dps_services[] = "supported-living:LD;residential:LD";

/* What the coverage callback covers and what it was asked. */
struct cover {
	const char	*const *svcs;	/* covered services, NULL-terminated */
	int		 calls;
	char		 asked[8][64];
	int32_t		 day;
	char		 ref[CONTRACT_REF_MAX + 1];
};

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

static int
covered(void *arg, const char *svc, int32_t day, const char *ref)
{
	struct cover		*cv = arg;
	const char *const	*p;

	if (cv->calls < 8)
		snprintf(cv->asked[cv->calls], sizeof(cv->asked[0]), "%s",
		    svc);
	cv->calls++;
	cv->day = day;
	snprintf(cv->ref, sizeof(cv->ref), "%s", ref);
	for (p = cv->svcs; p != NULL && *p != NULL; p++)
		if (strcmp(*p, svc) == 0)
			return (1);
	return (0);
}

/* Only HAV-CPFW is a contract. */
static int
exists_cpfw(void *arg, const char *ref)
{
	(void)arg;
	return (strcmp(ref, "HAV-CPFW") == 0);
}

/* The engine's peers: coverage from cv, no successor known to exist. */
#define PEERS(cv)	(&(struct engine_peers){ covered, NULL, (cv) })

static const char *const cover_all[] = {
	"supported-living:LD", "residential:LD", NULL
};
static const char *const cover_residential[] = { "residential:LD", NULL };

/* The seed's DPS before its extension; no successor known. */
static void
dps(struct contract *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->ref, "HAV-CPDPS");
	c->title = dps_title;
	c->kind = CK_DPS;
	c->start_date = D("2020-06-01");
	c->end_date = D("2025-04-30");
	c->max_end_date = D("2026-04-30");
	c->extension_notice_days = -1;
	c->procurement_lead_days = -1;
	c->services = dps_services;
	c->closed_on = DATE_NONE;
}

static void
check_ms(const struct milestone *m, enum milestone_kind kind,
    const char *due)
{
	assert_string_equal(milestone_name(m->kind), milestone_name(kind));
	assert_string_equal(fmt(m->due), due);
}

static void
test_names(void **state)
{
	int	 k;

	(void)state;
	assert_string_equal(milestone_name(MS_EXTENSION_DEADLINE),
	    "extension_deadline");
	assert_string_equal(milestone_name(MS_TERM_END), "term_end");
	assert_string_equal(milestone_name(MS_PROCUREMENT_START),
	    "procurement_start");
	assert_string_equal(milestone_name(MS_COVERAGE_GAP), "coverage_gap");
	assert_string_equal(milestone_name(MS_EXPIRED), "expired");
	assert_null(milestone_name(MS_NKINDS));
	for (k = 0; k < MS_NKINDS; k++)
		assert_int_equal(milestone_parse(milestone_name(k)), k);
	assert_int_equal(milestone_parse("term-end"), -1);
	assert_int_equal(milestone_parse("TERM_END"), -1);
	assert_int_equal(milestone_parse(""), -1);
	assert_int_equal(milestone_parse(NULL), -1);
}

static void
check_offsets(const struct alert_conf *conf, enum milestone_kind k,
    const int *want, size_t n)
{
	size_t	 i;

	assert_int_equal(conf->noffsets[k], n);
	for (i = 0; i < n; i++)
		assert_int_equal(conf->offsets[k][i], want[i]);
}

static void
test_defaults(void **state)
{
	static const int	 term_end[] = { 180, 90, 60, 30, 14, 7, 1, 0 };
	static const int	 ext[] = { 90, 60, 30, 14, 7, 1, 0 };
	static const int	 proc[] = { 90, 60, 30, 7, 0 };
	static const int	 gap[] = { 180, 90, 30, 7, 0 };
	static const int	 expired[] = { 0 };
	struct alert_conf	 conf;

	(void)state;
	memset(&conf, 0xa5, sizeof(conf));
	alert_conf_defaults(&conf);
	check_offsets(&conf, MS_TERM_END, term_end, 8);
	check_offsets(&conf, MS_EXTENSION_DEADLINE, ext, 7);
	check_offsets(&conf, MS_PROCUREMENT_START, proc, 5);
	check_offsets(&conf, MS_COVERAGE_GAP, gap, 5);
	check_offsets(&conf, MS_EXPIRED, expired, 1);
	assert_int_equal(conf.extension_notice_days, 30);
	assert_int_equal(conf.procurement_lead_days, 270);
	assert_int_equal(conf.working_days_only, 1);
	assert_null(conf.holidays);
	assert_int_equal(conf.alert_minute, 540);
	assert_string_equal(conf.timezone, "Europe/London");
}

/* The seed: every kind, with nothing else covering its services. */
static void
test_milestones_dps(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { 0 };

	(void)state;
	dps(&c);
	alert_conf_defaults(&conf);
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 5);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-03-31");
	check_ms(&ms[1], MS_TERM_END, "2025-04-30");
	/* 2026-04-30 less 270 days. */
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
	check_ms(&ms[3], MS_COVERAGE_GAP, "2025-04-30");
	check_ms(&ms[4], MS_EXPIRED, "2025-05-01");
	/* Each service is asked about on the day after the end. */
	assert_int_equal(cv.calls, 2);
	assert_string_equal(cv.asked[0], "supported-living:LD");
	assert_string_equal(cv.asked[1], "residential:LD");
	assert_string_equal(fmt(cv.day), "2025-05-01");
	assert_string_equal(cv.ref, "HAV-CPDPS");
}

/*
 * Closed early: no extension deadline and no procurement start (the
 * decision is taken), even with extension left and no successor; its
 * end, a gap it leaves and its expiry follow the closing day.
 */
static void
test_milestones_closed(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { 0 };
	struct cover		 all = { .svcs = cover_all };

	(void)state;
	dps(&c);
	c.closed_on = c.end_date = D("2025-01-31");
	alert_conf_defaults(&conf);
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 3);
	check_ms(&ms[0], MS_TERM_END, "2025-01-31");
	check_ms(&ms[1], MS_COVERAGE_GAP, "2025-01-31");
	check_ms(&ms[2], MS_EXPIRED, "2025-02-01");
	assert_string_equal(fmt(cv.day), "2025-02-01");

	/* Its services taken over by another contract: no gap either. */
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&all), ms), 2);
	check_ms(&ms[0], MS_TERM_END, "2025-01-31");
	check_ms(&ms[1], MS_EXPIRED, "2025-02-01");

	/* Not closed, the same dates: both decisions are still ahead. */
	c.closed_on = DATE_NONE;
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&all), ms), 4);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-01-01");
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
}

/* The seed's 8-month extension moves every end-based milestone. */
static void
test_milestones_extended(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { 0 };

	(void)state;
	dps(&c);
	c.end_date = date_add_months(c.end_date, 8);
	alert_conf_defaults(&conf);
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 5);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-12-01");
	check_ms(&ms[1], MS_TERM_END, "2025-12-31");
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
	check_ms(&ms[3], MS_COVERAGE_GAP, "2025-12-31");
	check_ms(&ms[4], MS_EXPIRED, "2026-01-01");
	assert_string_equal(fmt(cv.day), "2026-01-01");

	/* Extended to the maximum: no extension left to decide. */
	c.end_date = c.max_end_date;
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 4);
	check_ms(&ms[0], MS_TERM_END, "2026-04-30");
	check_ms(&ms[1], MS_PROCUREMENT_START, "2025-08-03");
	check_ms(&ms[2], MS_COVERAGE_GAP, "2026-04-30");
	check_ms(&ms[3], MS_EXPIRED, "2026-05-01");
}

/* The successor framework covers everything from 2026-01-01. */
static void
test_milestones_successor(void **state)
{
	static char		 succ[] = "HAV-CPFW";
	static char		 empty[] = "";
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { .svcs = cover_all };

	(void)state;
	dps(&c);
	c.end_date = D("2025-12-31");
	c.successor_ref = succ;
	alert_conf_defaults(&conf);
	assert_int_equal(engine_milestones(&c, &conf, &(struct engine_peers){
	    covered, exists_cpfw, &cv }, ms), 3);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-12-01");
	check_ms(&ms[1], MS_TERM_END, "2025-12-31");
	check_ms(&ms[2], MS_EXPIRED, "2026-01-01");
	assert_int_equal(cv.calls, 2);

	/* A successor that is not a contract (yet), or not known to be. */
	c.successor_ref = succ;
	succ[0] = 'X';
	assert_int_equal(engine_milestones(&c, &conf, &(struct engine_peers){
	    covered, exists_cpfw, &cv }, ms), 4);
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
	succ[0] = 'H';
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 4);
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 4);

	/* An empty successor is no successor. */
	c.successor_ref = empty;
	assert_int_equal(engine_milestones(&c, &conf, &(struct engine_peers){
	    covered, exists_cpfw, &cv }, ms), 4);
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
}

/*
 * Overdue on each side of each boundary: an extension deadline until the
 * contract ends, a procurement start until the final end, expired for
 * the overdue window; term_end and coverage_gap never (expired follows).
 */
static void
test_overdue(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ext = { MS_EXTENSION_DEADLINE, 0 };
	struct milestone	 proc = { MS_PROCUREMENT_START, 0 };
	struct milestone	 exp = { MS_EXPIRED, 0 };
	struct milestone	 term = { MS_TERM_END, 0 };
	struct milestone	 gap = { MS_COVERAGE_GAP, 0 };

	(void)state;
	dps(&c);
	alert_conf_defaults(&conf);
	assert_int_equal(conf.overdue_window_days, 90);
	ext.due = D("2025-03-31");
	assert_int_equal(engine_overdue(&c, &ext, D("2025-03-31"), &conf), 0);
	assert_int_equal(engine_overdue(&c, &ext, D("2025-04-01"), &conf), 1);
	assert_int_equal(engine_overdue(&c, &ext, D("2025-04-05"), &conf), 5);
	assert_int_equal(engine_overdue(&c, &ext, D("2025-04-30"), &conf), 30);
	assert_int_equal(engine_overdue(&c, &ext, D("2025-05-01"), &conf), 0);
	assert_true(engine_matters(&c, &ext, D("2025-03-31"), &conf));
	assert_false(engine_matters(&c, &ext, D("2025-05-01"), &conf));

	proc.due = D("2025-08-03");
	assert_int_equal(engine_overdue(&c, &proc, D("2025-08-03"), &conf), 0);
	assert_int_equal(engine_overdue(&c, &proc, D("2026-04-30"), &conf),
	    270);
	assert_int_equal(engine_overdue(&c, &proc, D("2026-05-01"), &conf), 0);
	/* Without a maximum, the final end is the end. */
	c.max_end_date = DATE_NONE;
	assert_int_equal(engine_overdue(&c, &proc, D("2025-04-30"), &conf),
	    0);
	proc.due = D("2024-08-03");
	assert_int_equal(engine_overdue(&c, &proc, D("2025-04-30"), &conf),
	    270);
	assert_int_equal(engine_overdue(&c, &proc, D("2025-05-01"), &conf), 0);

	exp.due = D("2025-05-01");
	assert_int_equal(engine_overdue(&c, &exp, D("2025-05-01"), &conf), 0);
	assert_true(engine_matters(&c, &exp, D("2025-05-01"), &conf));
	assert_int_equal(engine_overdue(&c, &exp, D("2025-05-10"), &conf), 9);
	assert_int_equal(engine_overdue(&c, &exp, D("2025-07-29"), &conf),
	    89);
	assert_int_equal(engine_overdue(&c, &exp, D("2025-07-30"), &conf), 0);
	conf.overdue_window_days = 100;
	assert_int_equal(engine_overdue(&c, &exp, D("2025-07-30"), &conf),
	    90);
	assert_false(engine_matters(&c, &exp, D("2025-11-17"), &conf));

	term.due = gap.due = D("2025-04-30");
	assert_true(engine_matters(&c, &term, D("2025-04-30"), &conf));
	assert_int_equal(engine_overdue(&c, &term, D("2025-05-01"), &conf), 0);
	assert_int_equal(engine_overdue(&c, &gap, D("2025-05-01"), &conf), 0);
	assert_false(engine_matters(&c, &gap, D("2025-05-01"), &conf));
}

static void
test_milestones_coverage(void **state)
{
	static char		 blank[] = " ; ;";
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { .svcs = cover_residential };

	(void)state;
	dps(&c);
	alert_conf_defaults(&conf);
	/* One service of two uncovered is a gap. */
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 5);
	check_ms(&ms[3], MS_COVERAGE_GAP, "2025-04-30");
	cv.svcs = cover_all;
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 4);
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-08-03");
	check_ms(&ms[3], MS_EXPIRED, "2025-05-01");
	/* Without a callback there is no way to know: no gap. */
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 4);
	check_ms(&ms[3], MS_EXPIRED, "2025-05-01");
	/* Nothing to cover, nothing asked. */
	cv.svcs = NULL;
	cv.calls = 0;
	c.services = NULL;
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 4);
	c.services = blank;
	assert_int_equal(engine_milestones(&c, &conf, PEERS(&cv), ms), 4);
	assert_int_equal(cv.calls, 0);
}

static void
test_milestones_own_days(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];

	(void)state;
	dps(&c);
	alert_conf_defaults(&conf);
	c.extension_notice_days = 60;
	c.procurement_lead_days = 0;
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 4);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-03-01");
	check_ms(&ms[2], MS_PROCUREMENT_START, "2026-04-30");

	/* Zero is the contract's own value, not "unset". */
	c.extension_notice_days = 0;
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 4);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-04-30");

	/* The config's defaults apply when the contract gives none. */
	c.extension_notice_days = -1;
	c.procurement_lead_days = -1;
	conf.extension_notice_days = 14;
	conf.procurement_lead_days = 365;
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 4);
	check_ms(&ms[0], MS_EXTENSION_DEADLINE, "2025-04-16");
	check_ms(&ms[2], MS_PROCUREMENT_START, "2025-04-30");
}

/* No max_end_date: no extension available, procurement from the end. */
static void
test_milestones_no_max(void **state)
{
	struct contract		 c;
	struct alert_conf	 conf;
	struct milestone	 ms[MS_NKINDS];

	(void)state;
	dps(&c);
	c.max_end_date = DATE_NONE;
	alert_conf_defaults(&conf);
	assert_int_equal(engine_milestones(&c, &conf, NULL, ms), 3);
	check_ms(&ms[0], MS_TERM_END, "2025-04-30");
	check_ms(&ms[1], MS_PROCUREMENT_START, "2024-08-03");
	check_ms(&ms[2], MS_EXPIRED, "2025-05-01");
}

static void
test_uncovered(void **state)
{
	static char	 spaced[] = "  a ; b;;c  ;\tresidential:LD\t";
	static char	 twice[] = "a; b ;a;residential:LD; a";
	struct contract	 c;
	struct cover	 cv = { .svcs = cover_residential };
	char		 buf[64];

	(void)state;
	dps(&c);
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf,
	    sizeof(buf)), 1);
	assert_string_equal(buf, "supported-living:LD");
	cv.svcs = cover_all;
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "");
	cv.svcs = NULL;
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf,
	    sizeof(buf)), 2);
	assert_string_equal(buf, "supported-living:LD;residential:LD");

	cv.svcs = cover_residential;
	cv.calls = 0;
	c.services = spaced;
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf,
	    sizeof(buf)), 3);
	assert_string_equal(buf, "a;b;c");
	assert_int_equal(cv.calls, 4);
	/* A short buffer is cut, the count stays right. */
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf, 5), 3);
	assert_string_equal(buf, "a;b;");
	assert_int_equal(engine_uncovered(&c, covered, &cv, NULL, 0), 3);
	/* The contract's own services string is untouched. */
	assert_string_equal(c.services, "  a ; b;;c  ;\tresidential:LD\t");
	assert_int_equal(engine_uncovered(&c, NULL, NULL, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "");

	/* A key given twice is asked and named once. */
	cv.calls = 0;
	c.services = twice;
	assert_int_equal(engine_uncovered(&c, covered, &cv, buf,
	    sizeof(buf)), 2);
	assert_string_equal(buf, "a;b");
	assert_int_equal(cv.calls, 3);
}

struct want {
	enum milestone_kind	 kind;
	int			 offset;
	const char		*date;
};

/* The seed's whole schedule with the defaults and the bank holidays. */
static const struct want dps_schedule[] = {
	{ MS_TERM_END, 180, "2024-11-01" },
	{ MS_COVERAGE_GAP, 180, "2024-11-01" },
	{ MS_EXTENSION_DEADLINE, 90, "2024-12-31" },
	{ MS_EXTENSION_DEADLINE, 60, "2025-01-30" },
	{ MS_TERM_END, 90, "2025-01-30" },
	{ MS_COVERAGE_GAP, 90, "2025-01-30" },
	{ MS_EXTENSION_DEADLINE, 30, "2025-02-28" },	/* from Sat 1 Mar */
	{ MS_TERM_END, 60, "2025-02-28" },		/* from Sat 1 Mar */
	{ MS_EXTENSION_DEADLINE, 14, "2025-03-17" },
	{ MS_EXTENSION_DEADLINE, 7, "2025-03-24" },
	{ MS_EXTENSION_DEADLINE, 1, "2025-03-28" },	/* from Sun 30 Mar */
	{ MS_EXTENSION_DEADLINE, 0, "2025-03-31" },
	{ MS_TERM_END, 30, "2025-03-31" },
	{ MS_COVERAGE_GAP, 30, "2025-03-31" },
	{ MS_TERM_END, 14, "2025-04-16" },
	{ MS_TERM_END, 7, "2025-04-23" },
	{ MS_COVERAGE_GAP, 7, "2025-04-23" },
	{ MS_TERM_END, 1, "2025-04-29" },
	{ MS_TERM_END, 0, "2025-04-30" },
	{ MS_COVERAGE_GAP, 0, "2025-04-30" },
	{ MS_EXPIRED, 0, "2025-05-01" },
	{ MS_PROCUREMENT_START, 90, "2025-05-02" },	/* from bank hol. */
	{ MS_PROCUREMENT_START, 60, "2025-06-04" },
	{ MS_PROCUREMENT_START, 30, "2025-07-04" },
	{ MS_PROCUREMENT_START, 7, "2025-07-25" },	/* from Sun 27 Jul */
	{ MS_PROCUREMENT_START, 0, "2025-08-01" },	/* from Sun 3 Aug */
};

static const char *const dps_due[MS_NKINDS] = {
	[MS_EXTENSION_DEADLINE] = "2025-03-31",
	[MS_TERM_END] = "2025-04-30",
	[MS_PROCUREMENT_START] = "2025-08-03",
	[MS_COVERAGE_GAP] = "2025-04-30",
	[MS_EXPIRED] = "2025-05-01",
};

static int
dps_alerts(const struct alert_conf *conf, struct alert *out, size_t max)
{
	struct contract		 c;
	struct milestone	 ms[MS_NKINDS];
	struct cover		 cv = { 0 };
	size_t			 n;

	dps(&c);
	n = engine_milestones(&c, conf, PEERS(&cv), ms);
	assert_int_equal(n, 5);
	return (engine_alerts(ms, n, conf, out, max));
}

static void
check_alert(const struct alert *a, const struct want *w)
{
	char	 buf[DATE_ISOLEN];

	if (a->kind != w->kind || a->offset != w->offset ||
	    strcmp(fmt(a->date), w->date) != 0)
		fail_msg("got %s/%d on %s, want %s/%d on %s",
		    milestone_name(a->kind), a->offset, fmt(a->date),
		    milestone_name(w->kind), w->offset, w->date);
	assert_string_equal(fmt(a->due), dps_due[a->kind]);
	assert_int_equal(date_format_local(a->fire, "Europe/London", buf,
	    sizeof(buf)), 0);
	assert_memory_equal(buf, w->date, DATE_STRLEN - 1);
	/* British Summer Time ran from 30 March to 26 October 2025. */
	assert_string_equal(buf + DATE_STRLEN - 1,
	    a->date >= D("2025-03-30") && a->date < D("2025-10-26") ?
	    "T09:00:00+01:00" : "T09:00:00+00:00");
}

static void
test_alerts_dps(void **state)
{
	struct holidays		 h;
	struct alert_conf	 conf;
	struct alert		 a[ENGINE_MAX_ALERTS];
	size_t			 i, n = sizeof(dps_schedule) /
				    sizeof(dps_schedule[0]);
	int			 errline;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	alert_conf_defaults(&conf);
	conf.holidays = &h;
	assert_int_equal(dps_alerts(&conf, a, ENGINE_MAX_ALERTS), (int)n);
	for (i = 0; i < n; i++)
		check_alert(&a[i], &dps_schedule[i]);
	holidays_free(&h);
}

static const struct alert *
find_alert(const struct alert *a, int n, enum milestone_kind k, int off)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (a[i].kind == k && a[i].offset == off)
			return (&a[i]);
	fail_msg("no %s/%d", milestone_name(k), off);
	return (NULL);
}

/* Due dates, fire instants over the spring change, and keys. */
static void
test_alerts_detail(void **state)
{
	struct alert_conf	 conf;
	struct alert		 a[ENGINE_MAX_ALERTS];
	const struct alert	*x;
	char			 key[ALERT_KEYLEN];
	int			 n;

	(void)state;
	alert_conf_defaults(&conf);
	n = dps_alerts(&conf, a, ENGINE_MAX_ALERTS);
	assert_int_equal(n, 26);
	x = find_alert(a, n, MS_EXTENSION_DEADLINE, 30);
	assert_string_equal(fmt(x->due), "2025-03-31");
	assert_string_equal(fmt(x->date), "2025-02-28");
	assert_int_equal(x->fire, (time_t)D("2025-02-28") * 86400 + 9 * 3600);
	engine_alert_key("HAV-CPDPS", x, key, sizeof(key));
	assert_string_equal(key, "HAV-CPDPS/extension_deadline/2025-03-31/30");

	x = find_alert(a, n, MS_EXTENSION_DEADLINE, 1);
	assert_string_equal(fmt(x->date), "2025-03-28");
	assert_int_equal(x->fire, 1743152400);		/* 09:00Z */
	x = find_alert(a, n, MS_EXTENSION_DEADLINE, 0);
	assert_int_equal(x->fire, 1743408000);		/* 08:00Z */

	x = find_alert(a, n, MS_TERM_END, 30);
	assert_string_equal(fmt(x->due), "2025-04-30");
	engine_alert_key("HAV-CPDPS", x, key, sizeof(key));
	assert_string_equal(key, "HAV-CPDPS/term_end/2025-04-30/30");

	x = find_alert(a, n, MS_EXPIRED, 0);
	engine_alert_key("HAV-CPDPS", x, key, sizeof(key));
	assert_string_equal(key, "HAV-CPDPS/expired/2025-05-01/0");

	/* Without holidays Early May bank holiday is a working day. */
	x = find_alert(a, n, MS_PROCUREMENT_START, 90);
	assert_string_equal(fmt(x->date), "2025-05-05");
	engine_alert_key("HAV-CPDPS", x, key, sizeof(key));
	assert_string_equal(key, "HAV-CPDPS/procurement_start/2025-08-03/90");
	engine_alert_key("HAV-CPDPS", x, key, 12);
	assert_string_equal(key, "HAV-CPDPS/p");
}

/* Autumn: the alerts either side of 26 October 2025. */
static void
test_alerts_autumn(void **state)
{
	struct alert_conf	 conf;
	struct milestone	 ms = { MS_TERM_END, 0 };
	struct alert		 a[2];
	char			 buf[DATE_ISOLEN];

	(void)state;
	alert_conf_defaults(&conf);
	ms.due = D("2025-10-27");
	conf.noffsets[MS_TERM_END] = 2;
	conf.offsets[MS_TERM_END][0] = 0;
	conf.offsets[MS_TERM_END][1] = 3;
	assert_int_equal(engine_alerts(&ms, 1, &conf, a, 2), 2);
	assert_int_equal(a[0].offset, 3);
	assert_string_equal(fmt(a[0].date), "2025-10-24");
	assert_int_equal(a[0].fire, 1761292800);	/* 08:00Z */
	assert_int_equal(a[1].offset, 0);
	assert_int_equal(a[1].fire, 1761555600);	/* 09:00Z */
	assert_int_equal(date_format_local(a[1].fire, conf.timezone, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2025-10-27T09:00:00+00:00");
}

/*
 * Offsets landing on Easter 2025 all move back to Thursday 17 April: one
 * alert, the smallest offset; the others are kept marked merged, largest
 * offset first.
 */
static void
test_alerts_easter(void **state)
{
	static const int	 offs[] = { 9, 13, 11, 10, 12 };
	struct holidays		 h;
	struct alert_conf	 conf;
	struct milestone	 ms = { MS_TERM_END, 0 };
	struct alert		 a[8];
	char			 k0[ALERT_KEYLEN], k1[ALERT_KEYLEN];
	int			 errline, i;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	alert_conf_defaults(&conf);
	conf.holidays = &h;
	memcpy(conf.offsets[MS_TERM_END], offs, sizeof(offs));
	conf.noffsets[MS_TERM_END] = 5;
	ms.due = D("2025-04-30");
	assert_int_equal(engine_alerts(&ms, 1, &conf, a, 8), 1);
	assert_int_equal(a[0].offset, 9);
	assert_int_equal(a[0].merged, 0);
	assert_int_equal(engine_alerts_merged(&ms, 1, &conf, a, 8), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(a[i].offset, 13 - i);
		assert_string_equal(fmt(a[i].date), "2025-04-17");
		assert_int_equal(a[i].fire, a[0].fire);
		assert_int_equal(a[i].merged, i < 4);
	}
	engine_alert_key("HAV-CPDPS", &a[0], k0, sizeof(k0));
	engine_alert_key("HAV-CPDPS", &a[4], k1, sizeof(k1));
	assert_string_equal(k0, "HAV-CPDPS/term_end/2025-04-30/13");
	assert_string_equal(k1, "HAV-CPDPS/term_end/2025-04-30/9");
	holidays_free(&h);
}

/* Christmas 2026: warnings move back, expired moves forward. */
static void
test_alerts_christmas(void **state)
{
	struct holidays		 h;
	struct alert_conf	 conf;
	struct contract		 c;
	struct milestone	 ms[MS_NKINDS];
	struct alert		 a[ENGINE_MAX_ALERTS];
	const struct alert	*x;
	int			 errline, n;

	(void)state;
	assert_int_equal(holidays_parse(&h, holidays_ew, &errline), 0);
	alert_conf_defaults(&conf);
	conf.holidays = &h;
	dps(&c);
	c.end_date = D("2026-12-25");
	c.max_end_date = DATE_NONE;
	n = (int)engine_milestones(&c, &conf, NULL, ms);
	/* Offset 1 (Thursday 24th) and 0 (the bank holiday) are one. */
	n = engine_alerts_merged(ms, (size_t)n, &conf, a, ENGINE_MAX_ALERTS);
	assert_int_equal(n, 8 + 5 + 1);
	x = find_alert(a, n, MS_TERM_END, 1);
	assert_string_equal(fmt(x->date), "2026-12-24");
	assert_int_equal(x->merged, 1);
	assert_ptr_equal(x + 1, find_alert(a, n, MS_TERM_END, 0));
	n = (int)engine_milestones(&c, &conf, NULL, ms);
	n = engine_alerts(ms, (size_t)n, &conf, a, ENGINE_MAX_ALERTS);
	assert_int_equal(n, 8 + 5 + 1 - 1);
	x = find_alert(a, n, MS_EXPIRED, 0);
	assert_string_equal(fmt(x->due), "2026-12-26");
	assert_string_equal(fmt(x->date), "2026-12-29");
	assert_ptr_equal(x, &a[n - 1]);
	x = find_alert(a, n, MS_TERM_END, 0);
	assert_string_equal(fmt(x->date), "2026-12-24");
	assert_int_equal(x->merged, 0);
	assert_int_equal(x[-1].offset, 7);

	conf.working_days_only = 0;
	n = engine_alerts(ms, 3, &conf, a, ENGINE_MAX_ALERTS);
	x = find_alert(a, n, MS_EXPIRED, 0);
	assert_string_equal(fmt(x->date), "2026-12-26");
	x = find_alert(a, n, MS_TERM_END, 0);
	assert_string_equal(fmt(x->date), "2026-12-25");
	holidays_free(&h);
}

/* Too small an array keeps the earliest alerts, in order. */
static void
test_alerts_max(void **state)
{
	struct alert_conf	 conf;
	struct alert		 all[ENGINE_MAX_ALERTS], few[3];
	int			 i;

	(void)state;
	alert_conf_defaults(&conf);
	assert_int_equal(dps_alerts(&conf, all, ENGINE_MAX_ALERTS), 26);
	assert_int_equal(dps_alerts(&conf, few, 3), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(few[i].kind, all[i].kind);
		assert_int_equal(few[i].offset, all[i].offset);
		assert_int_equal(few[i].fire, all[i].fire);
	}
	assert_int_equal(dps_alerts(&conf, NULL, 0), 0);
}

static void
test_alerts_settings(void **state)
{
	struct alert_conf	 conf;
	struct alert		 a[ENGINE_MAX_ALERTS];
	const struct alert	*x;
	int			 n;

	(void)state;
	alert_conf_defaults(&conf);
	conf.alert_minute = 8 * 60 + 30;
	n = dps_alerts(&conf, a, ENGINE_MAX_ALERTS);
	x = find_alert(a, n, MS_EXTENSION_DEADLINE, 0);
	assert_int_equal(x->fire, 1743408000 - 30 * 60);
	conf.timezone = "UTC";
	n = dps_alerts(&conf, a, ENGINE_MAX_ALERTS);
	x = find_alert(a, n, MS_EXTENSION_DEADLINE, 0);
	assert_int_equal(x->fire, 1743408000 + 30 * 60);
	/* Kinds with no offsets give no alerts. */
	conf.noffsets[MS_TERM_END] = 0;
	conf.noffsets[MS_PROCUREMENT_START] = 0;
	assert_int_equal(dps_alerts(&conf, a, ENGINE_MAX_ALERTS), 7 + 5 + 1);
	/* A count past the array is held to the array. */
	memset(conf.noffsets, 0, sizeof(conf.noffsets));
	for (n = 0; n < ENGINE_MAX_OFFSETS; n++)
		conf.offsets[MS_EXPIRED][n] = n * 7;	/* a week apart */
	conf.noffsets[MS_EXPIRED] = ENGINE_MAX_OFFSETS + 1;
	assert_int_equal(dps_alerts(&conf, a, ENGINE_MAX_ALERTS),
	    ENGINE_MAX_OFFSETS);
	conf.timezone = "Not/A_Zone";
	assert_int_equal(dps_alerts(&conf, a, ENGINE_MAX_ALERTS), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_milestones_dps),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_milestones_extended),
		cmocka_unit_test(test_milestones_successor),
		cmocka_unit_test(test_milestones_coverage),
		cmocka_unit_test(test_milestones_own_days),
		cmocka_unit_test(test_milestones_no_max),
		cmocka_unit_test(test_uncovered),
		cmocka_unit_test(test_alerts_dps),
		cmocka_unit_test(test_alerts_detail),
		cmocka_unit_test(test_alerts_autumn),
		cmocka_unit_test(test_alerts_easter),
		cmocka_unit_test(test_milestones_closed),
		cmocka_unit_test(test_alerts_christmas),
		cmocka_unit_test(test_alerts_max),
		cmocka_unit_test(test_alerts_settings),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

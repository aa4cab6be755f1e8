/*
 * The words of every alert.  The phrases of a kind are in one table row,
 * so that a new milestone kind is one row here and every channel says it
 * the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-text.h"

/* How one milestone kind reads ahead of, on and after its due date. */
struct alert_phrase {
	const char	*milestone;
	const char	*name;		/* the milestone itself, in words */
	const char	*ahead;		/* followed by " in N days" */
	const char	*today;
	const char	*past;		/* followed by " N days ago" */
	const char	*overdue;	/* the same in a sentence */
};

static const struct alert_phrase alert_phrases[] = {
	{ "extension_deadline", "the last day to decide on an extension",
	    "extension decision due",
	    "extension decision due today", "extension decision was due",
	    "the extension decision was due" },
	{ "term_end", "the end of the term", "term ends", "term ends today", "term ended",
	    "the term ended" },
	{ "procurement_start", "the day re-procurement should start",
	    "re-procurement should start",
	    "re-procurement should start today",
	    "re-procurement should have started",
	    "re-procurement should have started" },
	{ "coverage_gap", "services left without a contract",
	    "services left uncovered after the term ends",
	    "services left uncovered after the term ends today",
	    "services left uncovered after the term ended",
	    "the term ended" },
	{ "expired", "the contract's expiry", "expires", "has expired",
	    "expired",
	    "the contract expired" },
};

/* A kind newer than these phrases: its name, then these. */
static const struct alert_phrase alert_phrase_other = {
	NULL, NULL, "due", "due today", "was due", "it was due"
};

static const char *const alert_months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
contract_str(const json_t *alert, const char *key)
{
	return str(json_object_get(alert, "contract"), key);
}

static int
is_type(const json_t *alert, const char *want)
{
	const char	*type = str(alert, "type");

	return type != NULL && strcmp(type, want) == 0;
}

static int
is_test(const json_t *alert)
{
	return is_type(alert, "contract.test");
}

/* What write puts out for alert, as a string to free; NULL if short. */
static char *
alert_text(const json_t *alert, void (*write)(FILE *, const json_t *))
{
	FILE	*f;
	char	*s = NULL;
	size_t	 len;
	int	 bad;

	if ((f = open_memstream(&s, &len)) == NULL)
		return NULL;
	write(f, alert);
	/* open_memstream() sets s only at fclose(). */
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(s);
		return NULL;
	}
	return s;
}

/* "30 April 2025" for "2025-04-30"; anything else as it is. */
static void
long_date(FILE *f, const char *iso)
{
	int	y, m, d;
	char	end;

	if (iso == NULL)
		fputs("?", f);
	else if (sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 &&
	    m >= 1 && m <= 12)
		fprintf(f, "%d %s %d", d, alert_months[m - 1], y);
	else
		fputs(iso, f);
}

/* The phrases of alert's milestone kind; NULL for a kind they lack. */
static const struct alert_phrase *
alert_phrase(const json_t *alert)
{
	const char	*ms = str(alert, "milestone");
	size_t		 i;

	for (i = 0; i < sizeof(alert_phrases) / sizeof(alert_phrases[0]); i++)
		if (ms != NULL && strcmp(ms, alert_phrases[i].milestone) == 0)
			return &alert_phrases[i];
	return NULL;
}

static long
overdue_days(const json_t *alert)
{
	return (long)json_integer_value(json_object_get(alert,
	    "overdue_days"));
}

/* "extension decision due in 30 days", "term ended 1 day ago", ... */
static void
alert_when(FILE *f, const json_t *alert)
{
	const struct alert_phrase	*p = alert_phrase(alert);
	const char			*ms = str(alert, "milestone");
	long				 n;

	n = (long)json_integer_value(json_object_get(alert, "days_left"));
	if (p == NULL) {
		fprintf(f, "%s ", ms != NULL ? ms : "milestone");
		p = &alert_phrase_other;
	}
	if (n > 0)
		fprintf(f, "%s in %ld day%s", p->ahead, n, n == 1 ? "" : "s");
	else if (n == 0)
		fputs(p->today, f);
	else
		fprintf(f, "%s %ld day%s ago", p->past, -n, n == -1 ? "" : "s");
}

/* "HAV-CPDPS: extension decision due in 30 days (2025-03-31)" */
static void
alert_head(FILE *f, const json_t *alert, int with_title)
{
	const char	*ref = contract_str(alert, "ref");
	const char	*title = contract_str(alert, "title");
	const char	*due = str(alert, "due");

	fprintf(f, "%s%s", is_test(alert) ? "test: " : "",
	    ref != NULL ? ref : "?");
	if (with_title && title != NULL && *title != '\0')
		fprintf(f, " (%s)", title);
	fputs(": ", f);
	alert_when(f, alert);
	if (due != NULL)
		fprintf(f, " (%s)", due);
}

/* "3 milestones within 90 days, 1 overdue (week 2025-W14)" */
static void
digest_head(FILE *f, const json_t *digest)
{
	const json_t	*items = json_object_get(digest, "milestones");
	size_t		 i, n = json_array_size(items), late = 0;
	const char	*week = str(digest, "week");

	for (i = 0; i < n; i++)
		if (overdue_days(json_array_get(items, i)) > 0)
			late++;
	fprintf(f, "%zu milestone%s within %lld days", n, n == 1 ? "" : "s",
	    (long long)json_integer_value(json_object_get(digest,
	    "horizon_days")));
	if (late > 0)
		fprintf(f, ", %zu overdue", late);
	fprintf(f, " (week %s)", week != NULL ? week : "?");
}

static void
subject(FILE *f, const json_t *alert)
{
	if (is_type(alert, "contract.digest")) {
		fputs("[contractd] Weekly digest: ", f);
		digest_head(f, alert);
		return;
	}
	fputs("[contractd] ", f);
	alert_head(f, alert, 0);
}

char *
alert_text_subject(const json_t *alert)
{
	return alert_text(alert, subject);
}

/* Writes a ';'-joined list as "a, b". */
static void
list_out(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ';')
			fputs(", ", f);
		else
			fputc(*s, f);
	}
}

/* coverage_gap: the services, and how far the contract may still run. */
static void
alert_gap(FILE *f, const json_t *alert)
{
	const char	*uncovered = str(alert, "uncovered");
	const char	*end = contract_str(alert, "end_date");
	const char	*max = contract_str(alert, "max_end_date");

	if (uncovered != NULL && *uncovered != '\0') {
		fputs(": ", f);
		list_out(f, uncovered);
	}
	/* ISO dates compare as strings. */
	if (end != NULL && max != NULL && strcmp(max, end) > 0)
		fprintf(f, "; it can still be extended to %s", max);
}

static int
is_kind(const json_t *alert, const char *milestone)
{
	const char	*ms = str(alert, "milestone");

	return ms != NULL && strcmp(ms, milestone) == 0;
}

static void
summary(FILE *f, const json_t *alert)
{
	if (is_type(alert, "contract.digest")) {
		fputs("Your contracts' milestones: ", f);
		digest_head(f, alert);
		return;
	}
	alert_head(f, alert, 1);
	if (is_kind(alert, "coverage_gap"))
		alert_gap(f, alert);
	if (overdue_days(alert) > 0)
		fputs(" (overdue)", f);
	else if (json_is_true(json_object_get(alert, "late")))
		fputs(" (late)", f);
	if (json_is_true(json_object_get(alert, "lapsed_extension")))
		fputs(". The last extension was recorded after the contract "
		    "had lapsed.", f);
}

char *
alert_text_summary(const json_t *alert)
{
	return alert_text(alert, summary);
}

static void
milestone(FILE *f, const json_t *alert)
{
	const struct alert_phrase	*p = alert_phrase(alert);
	const char			*ms = str(alert, "milestone");

	if (p != NULL)
		fputs(p->name, f);
	else if (is_test(alert))
		fputs("a test of this channel", f);
	else
		fputs(ms != NULL ? ms : "a milestone", f);
}

char *
alert_text_milestone(const json_t *alert)
{
	return alert_text(alert, milestone);
}

/*
 * "no framework to place from after DATE" for the kinds that are placed
 * from, else "the service has no contract after DATE".
 */
static void
no_contract_after(FILE *f, const json_t *alert, const char *date)
{
	const char	*kind = contract_str(alert, "kind");

	if (kind != NULL && strcmp(kind, "framework") == 0)
		fputs("no framework to place from after ", f);
	else if (kind != NULL && strcmp(kind, "dps") == 0)
		fputs("no DPS to place from after ", f);
	else
		fputs("the service has no contract after ", f);
	long_date(f, date);
}

/* term_end: a named successor must be in place, else nothing follows. */
static void
consequence_term_end(FILE *f, const json_t *alert)
{
	const char	*succ = contract_str(alert, "successor_ref");

	if (succ != NULL && *succ != '\0') {
		fprintf(f, "%s must be in place the day after ", succ);
		long_date(f, contract_str(alert, "end_date"));
	} else
		no_contract_after(f, alert, contract_str(alert, "end_date"));
}

static void
consequence_gap(FILE *f, const json_t *alert)
{
	const char	*uncovered = str(alert, "uncovered");

	if (uncovered != NULL && *uncovered != '\0')
		list_out(f, uncovered);
	else
		fputs("its services", f);
	fputs(" will have no contract after ", f);
	long_date(f, contract_str(alert, "end_date"));
}

/* "the extension decision was due 5 days ago, on 31 March 2025; " */
static void
overdue_since(FILE *f, const json_t *alert)
{
	const struct alert_phrase	*p = alert_phrase(alert);
	long				 n = overdue_days(alert);

	if (n <= 0)
		return;
	fprintf(f, "%s %ld day%s ago, on ", (p != NULL ? p :
	    &alert_phrase_other)->overdue, n, n == 1 ? "" : "s");
	long_date(f, str(alert, "due"));
	fputs("; ", f);
}

static void
consequence(FILE *f, const json_t *alert)
{
	overdue_since(f, alert);
	if (is_kind(alert, "extension_deadline")) {
		fputs("the contract ends on ", f);
		long_date(f, contract_str(alert, "end_date"));
		fputs(" without being extended", f);
	} else if (is_kind(alert, "term_end"))
		consequence_term_end(f, alert);
	else if (is_kind(alert, "procurement_start"))
		no_contract_after(f, alert,
		    contract_str(alert, "max_end_date"));
	else if (is_kind(alert, "coverage_gap"))
		consequence_gap(f, alert);
	else if (is_kind(alert, "expired")) {
		fputs("whatever is still bought under it has had no contract "
		    "since ", f);
		long_date(f, str(alert, "due"));
	}
}

char *
alert_text_consequence(const json_t *alert)
{
	return alert_text(alert, consequence);
}

/*
 * The words of one alert laid out twice, as text and as HTML, by one
 * walk over the alert's facts: the two parts cannot say different things.
 * The sentences come from the host (summary, consequence); this file adds
 * the labelled facts of the alert and the contract.  Every value from the
 * alert is escaped in the HTML.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "notifier.h"
#include "smtp.h"

/* Both parts being written. */
struct smtp_out {
	FILE	*text;
	FILE	*html;
	int	 bad;		/* a value could not be formatted */
};

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
cstr(const json_t *alert, const char *key)
{
	const char	*s = str(json_object_get(alert, "contract"), key);

	return s != NULL && *s != '\0' ? s : NULL;
}

static void
html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else if (*s == '\'')
			fputs("&#39;", f);
		else
			fputc(*s, f);
	}
}

/*
 * Writes one item to both parts: with a label, a fact (a line of text, a
 * row of the HTML table); without, a paragraph.  Out of memory marks the
 * output bad.
 */
static void
out_v(struct smtp_out *o, const char *label, const char *fmt, va_list ap)
{
	char	*v;

	if (vasprintf(&v, fmt, ap) == -1) {
		o->bad = 1;
		return;
	}
	if (label != NULL) {
		fprintf(o->text, "%s: %s\r\n", label, v);
		fprintf(o->html, "<tr><th align=\"left\">%s</th><td>", label);
	} else {
		fprintf(o->text, "%s\r\n\r\n", v);
		fputs("<p>", o->html);
	}
	html_escape(o->html, v);
	fputs(label != NULL ? "</td></tr>\r\n" : "</p>\r\n", o->html);
	free(v);
}

static void __attribute__((format(printf, 2, 3)))
out_para(struct smtp_out *o, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	out_v(o, NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
out_fact(struct smtp_out *o, const char *label, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	out_v(o, label, fmt, ap);
	va_end(ap);
}

/* "Monday 31 March 2025 (2025-03-31)"; anything else as it is. */
static void
long_date(char *buf, size_t len, const char *iso)
{
	struct tm	tm;
	time_t		t;
	char		end, words[64];

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || sscanf(iso, "%4d-%2d-%2d%c", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &end) != 3) {
		snprintf(buf, len, "%s", iso != NULL ? iso : "unknown");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon--;
	tm.tm_hour = 12;
	if ((t = timegm(&tm)) == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    strftime(words, sizeof(words), "%A %-d %B %Y", &tm) == 0)
		snprintf(buf, len, "%s", iso);
	else
		snprintf(buf, len, "%s (%s)", words, iso);
}

/* Days from ISO date a to ISO date b; 0 if either is not a date. */
static long
days_between(const char *a, const char *b)
{
	struct tm	ta, tb;

	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	if (a == NULL || b == NULL ||
	    sscanf(a, "%4d-%2d-%2d", &ta.tm_year, &ta.tm_mon, &ta.tm_mday) !=
	    3 ||
	    sscanf(b, "%4d-%2d-%2d", &tb.tm_year, &tb.tm_mon, &tb.tm_mday) != 3)
		return 0;
	ta.tm_mon--;
	tb.tm_mon--;
	return (long)((timegm(&tb) - timegm(&ta)) / 86400);
}

/* The milestone in the host's words, or its name for an older host. */
static void
fact_milestone(struct smtp_out *o, const struct notifier_host *host,
    const json_t *alert)
{
	const char	*ms = str(alert, "milestone");
	char		*words = NULL;

	if (NOTIFIER_HAS(host, struct notifier_host, alert_milestone) &&
	    host->alert_milestone != NULL &&
	    (words = host->alert_milestone(alert)) == NULL) {
		o->bad = 1;
		return;
	}
	out_fact(o, "Milestone", "%s", words != NULL ? words : ms != NULL ?
	    ms : "unknown");
	free(words);
}

/* Its due date and how far off it is. */
static void
fact_due(struct smtp_out *o, const json_t *alert)
{
	char	due[96];
	long	n;

	n = (long)json_integer_value(json_object_get(alert, "days_left"));
	long_date(due, sizeof(due), str(alert, "due"));
	if (n > 0)
		out_fact(o, "Due", "%s, %ld day%s left", due, n,
		    n == 1 ? "" : "s");
	else if (n == 0)
		out_fact(o, "Due", "%s, today", due);
	else
		out_fact(o, "Due", "%s, %ld day%s ago", due, -n,
		    n == -1 ? "" : "s");
}

/* The contract, the milestone, its due date and how far off it is. */
static void
facts_due(struct smtp_out *o, const struct notifier_host *host,
    const json_t *alert)
{
	const char	*title = cstr(alert, "title");
	const char	*ref = cstr(alert, "ref");

	out_fact(o, "Contract", "%s (%s)", title != NULL ? title : "untitled",
	    ref != NULL ? ref : "?");
	fact_milestone(o, host, alert);
	fact_due(o, alert);
}

/* The term: its end, how far it may run, and what follows it. */
static void
facts_term(struct smtp_out *o, const json_t *alert)
{
	const char	*end = cstr(alert, "end_date");
	const char	*max = cstr(alert, "max_end_date");
	const char	*until = str(alert, "extension_available_until");
	const char	*succ = cstr(alert, "successor_ref");
	char		 d[96];

	if (end != NULL) {
		long_date(d, sizeof(d), end);
		out_fact(o, "Current end", "%s", d);
	}
	if (max != NULL) {
		long_date(d, sizeof(d), max);
		out_fact(o, "Maximum end", "%s", d);
	}
	if (until != NULL) {
		long_date(d, sizeof(d), until);
		out_fact(o, "Extension remaining", "%ld days, to %s",
		    days_between(end, until), d);
	} else if (end != NULL)
		out_fact(o, "Extension remaining", "none");
	if (end != NULL)
		out_fact(o, "Successor", "%s", succ != NULL ? succ : "none");
}

static void
facts_owner(struct smtp_out *o, const json_t *alert)
{
	const char	*name = cstr(alert, "owner_name");
	const char	*email = cstr(alert, "owner_email");

	if (name != NULL && email != NULL)
		out_fact(o, "Owner", "%s <%s>", name, email);
	else if (name != NULL || email != NULL)
		out_fact(o, "Owner", "%s", name != NULL ? name : email);
}

/* Late, overdue, a lapsed extension: each a sentence of its own. */
static void
paras_flags(struct smtp_out *o, const json_t *alert)
{
	json_int_t	 overdue;
	char		 day[16], d[96];
	const char	*fire = str(alert, "fire_at");

	overdue = json_integer_value(json_object_get(alert, "overdue_days"));
	if (json_is_true(json_object_get(alert, "late"))) {
		/* The day of the local time it was set for. */
		snprintf(day, sizeof(day), "%.10s", fire != NULL ? fire : "");
		long_date(d, sizeof(d), fire != NULL ? day : NULL);
		out_para(o, "This alert is late: it was due on %s.", d);
	}
	if (overdue > 0)
		out_para(o, "The milestone is overdue by %lld day%s.",
		    (long long)overdue, overdue == 1 ? "" : "s");
	if (json_is_true(json_object_get(alert, "lapsed_extension")))
		out_para(o, "Warning: the last extension was recorded after "
		    "the contract had lapsed.");
}

static void
para_consequence(struct smtp_out *o, const struct notifier_host *host,
    const json_t *alert)
{
	char	*words;

	if ((words = host->alert_consequence(alert)) == NULL) {
		o->bad = 1;
		return;
	}
	if (*words != '\0')
		out_para(o, "If nothing is done, %s.", words);
	free(words);
}

static void
para_ack(struct smtp_out *o, const struct notifier_delivery *d)
{
	const char	*ref = cstr(d->alert, "ref");
	const char	*ms = str(d->alert, "milestone");

	if (strcmp(d->event, "test") == 0 || ref == NULL || ms == NULL)
		out_para(o, "This is a test message: nothing needs doing.");
	else
		out_para(o, "To acknowledge this alert: contractctl ack %s %s",
		    ref, ms);
}

static void
body_write(struct smtp_out *o, const struct notifier_host *host,
    const struct notifier_delivery *d, const char *summary)
{
	fputs("<!DOCTYPE html>\r\n<html><head><meta charset=\"UTF-8\">"
	    "</head><body>\r\n", o->html);
	out_para(o, "%s", summary);
	fputs("<table>\r\n", o->html);
	facts_due(o, host, d->alert);
	facts_term(o, d->alert);
	facts_owner(o, d->alert);
	fputs("</table>\r\n", o->html);
	fputs("\r\n", o->text);
	para_consequence(o, host, d->alert);
	paras_flags(o, d->alert);
	para_ack(o, d);
	fputs("</body></html>\r\n", o->html);
}

/* One milestone of a digest: its summary, due date and whether acked. */
static void
digest_item(struct smtp_out *o, const struct notifier_host *host,
    const json_t *item)
{
	const char	*ref = cstr(item, "ref"), *ms = str(item, "milestone");
	char		*summary;

	if ((summary = host->alert_summary(item)) == NULL) {
		o->bad = 1;
		return;
	}
	out_para(o, "%s", summary);
	fputs("<table>\r\n", o->html);
	fact_due(o, item);
	if (json_is_true(json_object_get(item, "acked")))
		out_fact(o, "Acknowledged", "yes");
	else
		out_fact(o, "Acknowledged", "no: contractctl ack %s %s",
		    ref != NULL ? ref : "?", ms != NULL ? ms : "?");
	fputs("</table>\r\n", o->html);
	fputs("\r\n", o->text);
	free(summary);
}

/* A digest: what it is, then each milestone, soonest first. */
static void
body_digest(struct smtp_out *o, const struct notifier_host *host,
    const struct notifier_delivery *d, const char *summary)
{
	const json_t	*items = json_object_get(d->alert, "milestones");
	size_t		 i;

	fputs("<!DOCTYPE html>\r\n<html><head><meta charset=\"UTF-8\">"
	    "</head><body>\r\n", o->html);
	out_para(o, "%s", summary);
	out_para(o, "These are the milestones of the contracts you own or "
	    "are notified on that are overdue or due within the next %lld "
	    "days, soonest first. Each alert still comes on its own day.",
	    (long long)json_integer_value(json_object_get(d->alert,
	    "horizon_days")));
	for (i = 0; i < json_array_size(items); i++)
		digest_item(o, host, json_array_get(items, i));
	fputs("</body></html>\r\n", o->html);
}

int
smtp_body_build(const struct notifier_host *host,
    const struct notifier_delivery *d, struct smtp_body *b)
{
	struct smtp_out	 o = { NULL, NULL, 0 };
	size_t		 tlen, hlen;
	char		*summary;
	int		 bad = 1;

	memset(b, 0, sizeof(*b));
	if ((summary = host->alert_summary(d->alert)) == NULL)
		return -1;
	o.text = open_memstream(&b->text, &tlen);
	o.html = open_memstream(&b->html, &hlen);
	if (o.text != NULL && o.html != NULL) {
		if (strcmp(d->event, "digest") == 0)
			body_digest(&o, host, d, summary);
		else
			body_write(&o, host, d, summary);
		bad = o.bad || ferror(o.text) || ferror(o.html);
	}
	/* open_memstream() sets the buffers only at fclose(). */
	if (o.text != NULL && fclose(o.text) != 0)
		bad = 1;
	if (o.html != NULL && fclose(o.html) != 0)
		bad = 1;
	free(summary);
	if (bad) {
		smtp_body_free(b);
		return -1;
	}
	return 0;
}

void
smtp_body_free(struct smtp_body *b)
{
	free(b->text);
	free(b->html);
	b->text = b->html = NULL;
}

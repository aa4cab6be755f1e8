/*
 * Milestones and alerts of a contract (DESIGN sections 6-7).
 *
 * Reads struct contract fields only; calls nothing from contract.c, so the
 * engine links and is tested on its own.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "dates.h"
#include "engine.h"

static const char *const milestone_names[MS_NKINDS] = {
	[MS_EXTENSION_DEADLINE] = "extension_deadline",
	[MS_TERM_END] = "term_end",
	[MS_PROCUREMENT_START] = "procurement_start",
	[MS_COVERAGE_GAP] = "coverage_gap",
	[MS_EXPIRED] = "expired",
};

/* NULL for a value outside the enum. */
const char *
milestone_name(enum milestone_kind k)
{
	if ((unsigned)k >= MS_NKINDS)
		return (NULL);
	return (milestone_names[k]);
}

int
milestone_parse(const char *name)
{
	int	 k;

	if (name == NULL)
		return (-1);
	for (k = 0; k < MS_NKINDS; k++)
		if (strcmp(name, milestone_names[k]) == 0)
			return (k);
	return (-1);
}

static void
conf_offsets(struct alert_conf *conf, enum milestone_kind k, const int *v,
    size_t n)
{
	memcpy(conf->offsets[k], v, n * sizeof(*v));
	conf->noffsets[k] = n;
}

void
alert_conf_defaults(struct alert_conf *conf)
{
	static const int	 term_end[] = { 180, 90, 60, 30, 14, 7, 1, 0 };
	static const int	 ext[] = { 90, 60, 30, 14, 7, 1, 0 };
	static const int	 proc[] = { 90, 60, 30, 7, 0 };
	static const int	 gap[] = { 180, 90, 30, 7, 0 };
	static const int	 expired[] = { 0 };

	memset(conf, 0, sizeof(*conf));
	conf_offsets(conf, MS_TERM_END, term_end, sizeof(term_end) /
	    sizeof(term_end[0]));
	conf_offsets(conf, MS_EXTENSION_DEADLINE, ext, sizeof(ext) /
	    sizeof(ext[0]));
	conf_offsets(conf, MS_PROCUREMENT_START, proc, sizeof(proc) /
	    sizeof(proc[0]));
	conf_offsets(conf, MS_COVERAGE_GAP, gap, sizeof(gap) / sizeof(gap[0]));
	conf_offsets(conf, MS_EXPIRED, expired, 1);
	conf->extension_notice_days = 30;
	conf->procurement_lead_days = 270;
	conf->overdue_window_days = 90;
	conf->working_days_only = 1;
	conf->holidays = NULL;
	conf->alert_minute = 9 * 60;
	conf->timezone = "Europe/London";
}

/* Appends s to the NUL-terminated string in buf, cutting it to fit. */
static void
buf_append(char *buf, size_t len, const char *s)
{
	size_t	 used, n;

	if (buf == NULL || len == 0)
		return;
	used = strnlen(buf, len - 1);
	n = strlen(s);
	if (n > len - 1 - used)
		n = len - 1 - used;
	memcpy(buf + used, s, n);
	buf[used + n] = '\0';
}

/*
 * Counts the services not covered by a contract other than ref on the day
 * after end, each key once, naming them ';'-joined in buf (which may be NULL).  If
 * memory runs out the whole list is reported uncovered: a false warning
 * is better than a missed gap.
 */
size_t
engine_services_uncovered(const char *ref, const char *services,
    int32_t end, engine_covered_fn covered, void *arg, char *buf, size_t len)
{
	const char	*p, *it;
	char		*copy, *svc;
	size_t		 n = 0, k;

	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (covered == NULL || services == NULL || end == DATE_NONE)
		return (0);
	if ((copy = strdup(services)) == NULL) {
		buf_append(buf, len, services);
		return (1);
	}
	for (p = copy; contract_list_next(&p, &it, &k);) {
		if (k == 0 || !contract_service_first(services,
		    services + (it - copy), k))
			continue;
		svc = copy + (it - copy);
		svc[k] = '\0';	/* a blank, ';' or the end followed it */
		if (covered(arg, svc, end + 1, ref) != 0)
			continue;
		if (n++ > 0)
			buf_append(buf, len, ";");
		buf_append(buf, len, svc);
	}
	free(copy);
	return (n);
}

size_t
engine_uncovered(const struct contract *c, engine_covered_fn covered,
    void *arg, char *buf, size_t len)
{
	return (engine_services_uncovered(c->ref, c->services, c->end_date,
	    covered, arg, buf, len));
}

int
engine_unknown_cover(void *arg, const char *svc, int32_t day,
    const char *ref)
{
	(void)arg;
	(void)svc;
	(void)day;
	(void)ref;
	return 0;
}

static void
add_milestone(struct milestone *out, size_t *n, enum milestone_kind k,
    int32_t due)
{
	out[*n].kind = k;
	out[*n].due = due;
	(*n)++;
}

/* A successor counts once a contract with its ref exists. */
static int
successor_exists(const struct contract *c, const struct engine_peers *p)
{
	if (c->successor_ref == NULL || c->successor_ref[0] == '\0')
		return 0;
	return p != NULL && p->exists != NULL &&
	    p->exists(p->arg, c->successor_ref) == 1;
}

size_t
engine_milestones(const struct contract *c, const struct alert_conf *conf,
    const struct engine_peers *peers, struct milestone out[MS_NKINDS])
{
	int32_t	 end, max_end;
	int	 notice, lead, closed;
	size_t	 n = 0;

	if ((end = c->end_date) == DATE_NONE)
		return (0);
	max_end = c->max_end_date != DATE_NONE ? c->max_end_date : end;
	notice = c->extension_notice_days >= 0 ? c->extension_notice_days :
	    conf->extension_notice_days;
	lead = c->procurement_lead_days >= 0 ? c->procurement_lead_days :
	    conf->procurement_lead_days;

	/*
	 * A closed contract's fate is decided: no extension to take, nothing
	 * to procure; its end, its expiry and a gap it leaves remain.
	 */
	closed = c->closed_on != DATE_NONE;
	if (!closed && end < max_end)
		add_milestone(out, &n, MS_EXTENSION_DEADLINE, end - notice);
	add_milestone(out, &n, MS_TERM_END, end);
	if (!closed && !successor_exists(c, peers))
		add_milestone(out, &n, MS_PROCUREMENT_START, max_end - lead);
	if (peers != NULL && engine_uncovered(c, peers->covered, peers->arg,
	    NULL, 0) > 0)
		add_milestone(out, &n, MS_COVERAGE_GAP, end);
	add_milestone(out, &n, MS_EXPIRED, end + 1);
	return (n);
}

int
engine_overdue(const struct contract *c, const struct milestone *m,
    int32_t today, const struct alert_conf *conf)
{
	int32_t	 max_end;

	if (m->due >= today)
		return (0);
	max_end = c->max_end_date != DATE_NONE ? c->max_end_date :
	    c->end_date;
	switch (m->kind) {
	case MS_EXTENSION_DEADLINE:	/* until the contract ends */
		if (today > c->end_date)
			return (0);
		break;
	case MS_PROCUREMENT_START:	/* until the final end */
		if (today > max_end)
			return (0);
		break;
	case MS_EXPIRED:		/* for the overdue window */
		if (today - c->end_date > conf->overdue_window_days)
			return (0);
		break;
	default:			/* term_end, coverage_gap: expired */
		return (0);
	}
	return (today - m->due);
}

int
engine_matters(const struct contract *c, const struct milestone *m,
    int32_t today, const struct alert_conf *conf)
{
	return (m->due >= today || engine_overdue(c, m, today, conf) > 0);
}

/* Order of engine_alerts: fire, kind, offset descending, then due. */
static int
alert_cmp(const struct alert *a, const struct alert *b)
{
	if (a->fire != b->fire)
		return (a->fire < b->fire ? -1 : 1);
	if (a->kind != b->kind)
		return (a->kind < b->kind ? -1 : 1);
	if (a->offset != b->offset)
		return (a->offset > b->offset ? -1 : 1);
	if (a->due != b->due)
		return (a->due < b->due ? -1 : 1);
	return (0);
}

/*
 * Inserts a into the sorted out[0..*n), keeping at most max: when full,
 * the latest alert is the one dropped.
 */
static void
alert_insert(struct alert *out, size_t *n, size_t max, const struct alert *a)
{
	size_t	 i;

	for (i = *n; i > 0 && alert_cmp(a, &out[i - 1]) < 0; i--)
		;
	if (i >= max)
		return;
	if (*n == max)
		(*n)--;
	memmove(&out[i + 1], &out[i], (*n - i) * sizeof(*out));
	out[i] = *a;
	(*n)++;
}

/*
 * Warnings move to the working day before, never later than promised;
 * expired reports a fact, so it moves to the working day after.
 */
static int32_t
alert_date(enum milestone_kind k, int32_t date, const struct alert_conf *conf)
{
	if (!conf->working_days_only)
		return (date);
	if (k == MS_EXPIRED)
		return (date_next_working(date, conf->holidays));
	return (date_prev_working(date, conf->holidays));
}

static int
alert_make(const struct milestone *m, int offset,
    const struct alert_conf *conf, struct alert *a)
{
	a->kind = m->kind;
	a->due = m->due;
	a->offset = offset;
	a->date = alert_date(m->kind, m->due - offset, conf);
	return (date_local_instant(a->date, conf->alert_minute,
	    conf->timezone, &a->fire));
}

/*
 * Marks merged the alerts of a milestone that share a fire instant with
 * a smaller offset of it: in the sorted order those follow at once.
 */
static void
alerts_merge(struct alert *v, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && v[j].fire == v[i].fire; j++)
			if (v[j].kind == v[i].kind && v[j].due == v[i].due) {
				v[i].merged = 1;
				break;
			}
}

int
engine_alerts_merged(const struct milestone *ms, size_t n,
    const struct alert_conf *conf, struct alert *out, size_t max)
{
	struct alert	 a;
	size_t		 i, j, nout = 0, noff;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < n; i++) {
		if ((unsigned)ms[i].kind >= MS_NKINDS)
			continue;
		noff = conf->noffsets[ms[i].kind];
		if (noff > ENGINE_MAX_OFFSETS)
			noff = ENGINE_MAX_OFFSETS;
		for (j = 0; j < noff; j++) {
			if (alert_make(&ms[i], conf->offsets[ms[i].kind][j],
			    conf, &a) == -1)
				return (-1);
			alert_insert(out, &nout, max, &a);
		}
	}
	alerts_merge(out, nout);
	return ((int)nout);
}

int
engine_alerts(const struct milestone *ms, size_t n,
    const struct alert_conf *conf, struct alert *out, size_t max)
{
	int	 na, i, k = 0;

	if ((na = engine_alerts_merged(ms, n, conf, out, max)) < 0)
		return (-1);
	for (i = 0; i < na; i++)
		if (!out[i].merged)
			out[k++] = out[i];
	return (k);
}

void
engine_alert_key(const char *ref, const struct alert *a, char *buf,
    size_t len)
{
	char		 due[DATE_STRLEN];
	const char	*name;

	if ((name = milestone_name(a->kind)) == NULL)
		name = "unknown";
	snprintf(buf, len, "%s/%s/%s/%d", ref, name, date_format(a->due, due),
	    a->offset);
}

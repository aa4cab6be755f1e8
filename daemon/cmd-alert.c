/*
 * Commands about milestones and alerts: agenda, simulate, ack, silence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contractd.h"
#include "coverage.h"
#include "plugin.h"
#include "scheduler.h"
#include "store.h"
#include "text.h"

#define SIMULATE_MAX_DAYS	3660
#define SIMULATE_MAX_ALERTS	200000

/* One row of agenda or simulate, sorted before it becomes JSON. */
struct row {
	time_t			 fire;
	int32_t			 due;
	int32_t			 date;
	enum milestone_kind	 kind;
	int			 offset;
	int			 acked;
	char			 ref[CONTRACT_REF_MAX + 1];
	char			*title;
};

struct rows {
	struct row	*v;
	size_t		 n;
	size_t		 cap;
	int32_t		 from;
	int32_t		 to;
	int		 truncated;
};

static struct row *
rows_add(struct rows *rs)
{
	struct row	*v;
	size_t		 cap;

	if (rs->n == SIMULATE_MAX_ALERTS) {
		rs->truncated = 1;
		return NULL;
	}
	if (rs->n == rs->cap) {
		cap = rs->cap ? rs->cap * 2 : 256;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	memset(&rs->v[rs->n], 0, sizeof(rs->v[0]));
	return &rs->v[rs->n++];
}

static void
rows_free(struct rows *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		free(rs->v[i].title);
	free(rs->v);
}

/* Coverage is asked only of contracts whose gap could fall in range. */
static engine_covered_fn
covered_if(const struct contract *c, int32_t from, int32_t to)
{
	return c->end_date >= from && c->end_date <= to ? coverage_covered :
	    NULL;
}

/* An agenda being gathered: its rows, and coverage answers so far. */
struct agenda {
	struct rows	 rs;
	struct coverage	*cov;
};

static int
agenda_add(struct rows *rs, const struct agenda_rec *a,
    enum milestone_kind k, int32_t due)
{
	struct row	*w;

	if (due < rs->from || due > rs->to)
		return 0;
	if ((w = rows_add(rs)) == NULL)
		return rs->truncated ? 0 : -1;
	w->due = due;
	w->kind = k;
	snprintf(w->ref, sizeof(w->ref), "%s", a->ref);
	return (w->title = strdup(a->title)) == NULL ? -1 : 0;
}

/*
 * The milestones of one row of the agenda's window: the date indexes say
 * which (see scheduler_due and engine_milestones); a term's end brings its
 * expiry and, if a service is left uncovered, a coverage gap.
 */
static int
agenda_one(void *arg, const struct agenda_rec *a)
{
	struct agenda	*ag = arg;
	struct rows	*rs = &ag->rs;

	if (a->which == AGENDA_EXT)
		return agenda_add(rs, a, MS_EXTENSION_DEADLINE, a->date);
	if (a->which == AGENDA_PROC)
		return agenda_add(rs, a, MS_PROCUREMENT_START, a->date);
	if (agenda_add(rs, a, MS_TERM_END, a->date) == -1 ||
	    agenda_add(rs, a, MS_EXPIRED, a->date + 1) == -1)
		return -1;
	if (a->date < rs->from || a->date > rs->to ||
	    engine_services_uncovered(a->ref, a->services, a->date,
	    coverage_covered, ag->cov, NULL, 0) == 0)
		return 0;
	return agenda_add(rs, a, MS_COVERAGE_GAP, a->date);
}

static int
agenda_cmp(const void *a, const void *b)
{
	const struct row	*x = a, *y = b;
	int			 rc;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if ((rc = strcmp(x->ref, y->ref)) != 0)
		return rc;
	return (int)x->kind - (int)y->kind;
}

/* Marks the (sorted) agenda row an acknowledgement applies to. */
static int
agenda_ack(void *arg, const char *ref, const struct ack_rec *a)
{
	struct rows	*rs = arg;
	struct row	 key, *w;
	int		 k;

	if (ref == NULL || (k = milestone_parse(a->kind)) == -1)
		return 0;
	memset(&key, 0, sizeof(key));
	key.due = a->due;
	key.kind = k;
	snprintf(key.ref, sizeof(key.ref), "%s", ref);
	if ((w = bsearch(&key, rs->v, rs->n, sizeof(rs->v[0]),
	    agenda_cmp)) != NULL)
		w->acked = 1;
	return 0;
}

static void
json_date(struct strbuf *b, int32_t day)
{
	char	 buf[DATE_STRLEN + 2];

	buf[0] = '"';
	date_format(day, buf + 1);
	buf[DATE_STRLEN] = '"';
	strbuf_add(b, buf, DATE_STRLEN + 1);
}

/*
 * Starts the JSON text of an answer of rows (agenda, simulate): its
 * period, room for the rows.  Tens of thousands of rows would take longer
 * as jansson objects than everything else.
 */
static void
rows_text_begin(struct strbuf *b, const struct rows *rs)
{
	memset(b, 0, sizeof(*b));
	strbuf_reserve(b, 64 + rs->n * 160);
	strbuf_puts(b, "{\"from\":");
	json_date(b, rs->from);
	strbuf_puts(b, ",\"to\":");
	json_date(b, rs->to);
}

/* The text, or NULL if memory ran out on the way. */
static char *
rows_text_end(struct strbuf *b)
{
	if (b->failed)
		strbuf_free(b);
	return b->s;
}

/* The agenda as JSON text. */
static char *
agenda_text(struct rows *rs, int days)
{
	struct strbuf	 b;
	const struct row *w;
	size_t		 i;

	qsort(rs->v, rs->n, sizeof(rs->v[0]), agenda_cmp);
	/* One query for the window's acknowledgements, not one per row. */
	(void)store_ack_window(daemon_ctx->store, rs->from, rs->to,
	    agenda_ack, rs);
	rows_text_begin(&b, rs);
	strbuf_puts(&b, ",\"days\":");
	strbuf_int(&b, days);
	strbuf_puts(&b, ",\"milestones\":[");
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		strbuf_puts(&b, i ? ",{\"ref\":" : "{\"ref\":");
		strbuf_json(&b, w->ref);
		strbuf_puts(&b, ",\"title\":");
		strbuf_json(&b, w->title);
		strbuf_puts(&b, ",\"milestone\":\"");
		strbuf_puts(&b, milestone_name(w->kind));
		strbuf_puts(&b, "\",\"due\":");
		json_date(&b, w->due);
		strbuf_puts(&b, ",\"days_left\":");
		strbuf_int(&b, (long)(w->due - rs->from));
		strbuf_puts(&b, w->acked ? ",\"acked\":true}" :
		    ",\"acked\":false}");
	}
	strbuf_puts(&b, "]}");
	return rows_text_end(&b);
}

static int
cmd_agenda_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "days", NULL };
	struct agenda	ag;
	long		days = 90;
	int		rc;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "days", 0, 1, 3650, &days, r) == -1)
		return -1;
	memset(&ag, 0, sizeof(ag));
	ag.rs.from = cmd_today();
	ag.rs.to = ag.rs.from + (int32_t)days;
	if ((ag.cov = coverage_new(daemon_ctx->store)) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	rc = store_agenda(daemon_ctx->store, ag.rs.from, ag.rs.to, agenda_one,
	    &ag);
	coverage_free(ag.cov);
	if (rc < 0)
		cmd_fail(r, "internal", "database error");
	else if ((r->raw = agenda_text(&ag.rs, (int)days)) == NULL)
		cmd_fail(r, "internal", "out of memory");
	rows_free(&ag.rs);
	return r->code != NULL ? -1 : 0;
}

const struct cmd cmd_agenda = { "agenda", 0, cmd_agenda_exec };

static int
simulate_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct agenda		*ag = arg;
	struct rows		*rs = &ag->rs;
	struct milestone	 ms[MS_NKINDS];
	struct alert		 v[ENGINE_MAX_ALERTS];
	struct row		*w;
	size_t			 n;
	int			 na, i;

	(void)cs;
	n = engine_milestones(c, &daemon_ctx->conf->alerts,
	    covered_if(c, rs->from, rs->to + 3660), ag->cov, ms);
	if ((na = engine_alerts(ms, n, &daemon_ctx->conf->alerts, v,
	    ENGINE_MAX_ALERTS)) < 0)
		return -1;
	for (i = 0; i < na; i++) {
		if (v[i].date < rs->from || v[i].date > rs->to)
			continue;
		if ((w = rows_add(rs)) == NULL)
			return rs->truncated ? 0 : -1;
		w->fire = v[i].fire;
		w->due = v[i].due;
		w->date = v[i].date;
		w->kind = v[i].kind;
		w->offset = v[i].offset;
		snprintf(w->ref, sizeof(w->ref), "%s", c->ref);
	}
	return 0;
}

/* DESIGN: by fire_at, then contract, then milestone. */
static int
simulate_cmp(const void *a, const void *b)
{
	const struct row	*x = a, *y = b;
	int			 rc;

	if (x->fire != y->fire)
		return x->fire < y->fire ? -1 : 1;
	if ((rc = strcmp(x->ref, y->ref)) != 0)
		return rc;
	if ((rc = strcmp(milestone_name(x->kind),
	    milestone_name(y->kind))) != 0)
		return rc;
	return y->offset - x->offset;
}

/* The channels kind k routes to, as a JSON array. */
static void
json_channels(struct strbuf *b, enum milestone_kind k)
{
	size_t	 i;
	int	 n = 0;

	strbuf_puts(b, "[");
	for (i = 0; i < daemon_ctx->nchannels; i++) {
		if (!(daemon_ctx->channels[i].kinds & (1u << k)))
			continue;
		if (n++ > 0)
			strbuf_puts(b, ",");
		strbuf_json(b, daemon_ctx->channels[i].name);
	}
	strbuf_puts(b, "]");
}

/* The simulation as JSON text. */
static char *
simulate_text(struct rows *rs)
{
	struct strbuf	 b;
	const struct row *w;
	char		 at[DATE_ISOLEN];
	size_t		 i;

	qsort(rs->v, rs->n, sizeof(rs->v[0]), simulate_cmp);
	rows_text_begin(&b, rs);
	strbuf_puts(&b, ",\"alerts\":[");
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		strbuf_puts(&b, i ? ",{\"fire_at\":" : "{\"fire_at\":");
		if (date_format_local(w->fire, daemon_ctx->conf->timezone, at,
		    sizeof(at)) == -1)
			strbuf_puts(&b, "null");
		else
			strbuf_json(&b, at);
		strbuf_puts(&b, ",\"contract\":");
		strbuf_json(&b, w->ref);
		strbuf_puts(&b, ",\"milestone\":\"");
		strbuf_puts(&b, milestone_name(w->kind));
		strbuf_puts(&b, "\",\"due\":");
		json_date(&b, w->due);
		strbuf_puts(&b, ",\"offset_days\":");
		strbuf_int(&b, w->offset);
		strbuf_puts(&b, ",\"channels\":");
		json_channels(&b, w->kind);
		strbuf_puts(&b, "}");
	}
	strbuf_puts(&b, rs->truncated ? "],\"truncated\":true}" :
	    "],\"truncated\":false}");
	return rows_text_end(&b);
}

/* The largest offset of any kind: how far before a due date to look. */
static int32_t
max_offset(void)
{
	const struct alert_conf	*ac = &daemon_ctx->conf->alerts;
	int			 m = 0;
	size_t			 k, i;

	for (k = 0; k < MS_NKINDS; k++)
		for (i = 0; i < ac->noffsets[k]; i++)
			if (ac->offsets[k][i] > m)
				m = ac->offsets[k][i];
	return m;
}

static int
cmd_simulate_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "from", "to", NULL };
	struct agenda	ag;
	struct rows	*rs = &ag.rs;
	int		rc;

	(void)peer;
	memset(&ag, 0, sizeof(ag));
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_date(args, "from", 1, &rs->from, r) == -1 ||
	    cmd_arg_date(args, "to", 1, &rs->to, r) == -1)
		return -1;
	if (rs->to < rs->from || rs->to - rs->from > SIMULATE_MAX_DAYS)
		return cmd_fail(r, "invalid_argument", "the period must end "
		    "on or after its first day and span at most %d days",
		    SIMULATE_MAX_DAYS);
	if ((ag.cov = coverage_new(daemon_ctx->store)) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	/* Working-day shifts move an alert a few days: look a week wider. */
	rc = store_contract_window(daemon_ctx->store, rs->from - 7,
	    rs->to + max_offset() + 7, simulate_one, &ag);
	coverage_free(ag.cov);
	if (rc < 0) {
		rows_free(rs);
		return cmd_fail(r, "internal", "database error");
	}
	if ((r->raw = simulate_text(rs)) == NULL)
		cmd_fail(r, "internal", "out of memory");
	rows_free(rs);
	return r->code != NULL ? -1 : 0;
}

const struct cmd cmd_simulate = { "simulate", 0, cmd_simulate_exec };

/* The due date of c's milestone of kind k; -1 fails r (not_found). */
static int
milestone_due(const struct contract *c, int k, int32_t *due,
    struct cmd_reply *r)
{
	struct milestone	ms[MS_NKINDS];
	size_t			n, i;

	n = engine_milestones(c, &daemon_ctx->conf->alerts, store_covered,
	    daemon_ctx->store, ms);
	for (i = 0; i < n; i++)
		if ((int)ms[i].kind == k) {
			*due = ms[i].due;
			return 0;
		}
	return cmd_fail(r, "not_found", "%s has no %s milestone", c->ref,
	    milestone_name(k));
}

/* Stores a change to c's alert state and re-evaluates its schedule. */
static int
alert_change(struct contract *c, struct contract_state *cs,
    const struct ack_rec *ack, int32_t silence, struct cmd_reply *r)
{
	struct store	*st = daemon_ctx->store;

	if (store_begin(st) == -1)
		return cmd_fail(r, "internal", "database error");
	if ((ack != NULL && store_ack_add(st, c->ref, ack) < 0) ||
	    (ack == NULL && store_contract_silence(st, c->ref, silence) < 0))
		return cmd_abort(r, "internal", "database error");
	if (ack == NULL)
		cs->silenced_until = silence;
	if (scheduler_evaluate(st, c, cs, time(NULL), SCHED_CATCHUP) < 0)
		return cmd_abort(r, "internal", "database error");
	return cmd_commit(r);
}

static int
cmd_ack_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "kind", "note", NULL };
	struct contract		 c;
	struct contract_state	 cs;
	struct ack_rec		 a;
	const char		*ref, *kind;
	int			 k, rc = -1;

	memset(&a, 0, sizeof(a));
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1 ||
	    cmd_arg_str(args, "kind", 1, &kind, r) == -1 ||
	    cmd_arg_str(args, "note", 0, &a.note, r) == -1)
		return -1;
	if ((k = milestone_parse(kind)) == -1)
		return cmd_fail(r, "invalid_argument", "not a milestone "
		    "kind: %s", kind);
	contract_init(&c);
	a.kind = milestone_name(k);
	a.at = time(NULL);
	a.uid = (long)peer->uid;
	a.user = peer->user;
	if (cmd_load(ref, &c, &cs, r) == 0 &&
	    milestone_due(&c, k, &a.due, r) == 0 &&
	    alert_change(&c, &cs, &a, DATE_NONE, r) == 0) {
		r->result = json_pack("{s:s, s:s, s:o}", "ref", c.ref,
		    "milestone", a.kind, "due", cmd_date(a.due));
		rc = 0;
	}
	contract_free(&c);
	return rc;
}

const struct cmd cmd_ack = { "ack", 1, cmd_ack_exec };

static int
cmd_silence_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "until", NULL };
	struct contract		 c;
	struct contract_state	 cs;
	const char		*ref;
	int32_t			 until = DATE_NONE;
	int			 rc = -1;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1 ||
	    cmd_arg_date(args, "until", 1, &until, r) == -1)
		return -1;
	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == 0 &&
	    alert_change(&c, &cs, NULL, until, r) == 0) {
		r->result = json_pack("{s:s, s:o}", "ref", c.ref,
		    "silenced_until", cmd_date(until));
		rc = 0;
	}
	contract_free(&c);
	return rc;
}

const struct cmd cmd_silence = { "silence", 1, cmd_silence_exec };

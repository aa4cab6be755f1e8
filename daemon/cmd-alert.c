/*
 * Commands about milestones and alerts: agenda, simulate, ack, silence.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contractd.h"
#include "plugin.h"
#include "proto.h"
#include "scheduler.h"
#include "store.h"
#include "text.h"

#define SIMULATE_MAX_DAYS	3660
#define SIMULATE_MAX_ALERTS	200000

/*
 * One row of agenda or simulate, sorted before it becomes JSON.  Small,
 * and its strings in the rows' text: an agenda at a million contracts has
 * tens of thousands of rows, and a simulation ten times as many.
 */
struct row {
	time_t		 fire;
	uint64_t	 refkey[2];	/* the ref's first 16 bytes, in order */
	int32_t		 due;
	int32_t		 date;
	int32_t		 offset;
	uint32_t	 ref;		/* offsets into rows.text */
	uint32_t	 title;
	uint8_t		 kind;		/* enum milestone_kind */
	uint8_t		 acked;
};

struct rows {
	struct row	*v;
	size_t		 n;
	size_t		 cap;
	struct strbuf	 text;		/* NUL-terminated strings, back to
					   back; offset 0 is "" */
	int32_t		 from;
	int32_t		 to;
	int		 truncated;
};

/* The text the rows being sorted point into: qsort and bsearch take none. */
static const char	*rows_sorting;

/* No more rows: the answer says it was cut short. */
static int
rows_full(struct rows *rs)
{
	if (rs->n < SIMULATE_MAX_ALERTS)
		return 0;
	rs->truncated = 1;
	return 1;
}

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
		cap = rs->cap ? rs->cap * 2 : 1024;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	return memset(&rs->v[rs->n++], 0, sizeof(rs->v[0]));
}

/* Keeps s in the rows' text: its offset, or 0 once memory ran out. */
static uint32_t
rows_str(struct rows *rs, const char *s)
{
	size_t	at;

	if (rs->text.len == 0)
		strbuf_add(&rs->text, "", 1);
	at = rs->text.len;
	strbuf_add(&rs->text, s, strlen(s) + 1);
	return rs->text.failed || at > UINT32_MAX ? 0 : (uint32_t)at;
}

static const char *
row_str(const char *text, uint32_t at)
{
	return text + at;
}

/* Orders rows by ref; rows_sorting is the rows' text. */
static int
row_ref_cmp(const struct row *x, const struct row *y)
{
	if (x->refkey[0] != y->refkey[0])
		return x->refkey[0] < y->refkey[0] ? -1 : 1;
	if (x->refkey[1] != y->refkey[1])
		return x->refkey[1] < y->refkey[1] ? -1 : 1;
	if (x->ref == y->ref)
		return 0;
	return strcmp(row_str(rows_sorting, x->ref),
	    row_str(rows_sorting, y->ref));
}

static void
rows_sort(struct rows *rs, int (*cmp)(const void *, const void *))
{
	rows_sorting = rs->text.s;
	if (rs->n > 0)
		qsort(rs->v, rs->n, sizeof(rs->v[0]), cmp);
}

static void
rows_free(struct rows *rs)
{
	free(rs->v);
	strbuf_free(&rs->text);
}

/* The agenda's days for [from, to], with the defaults of now. */
static struct agenda_window
window_of(int32_t from, int32_t to)
{
	const struct alert_conf	*conf = &daemon_ctx->conf->alerts;
	struct agenda_window	 w = { from, to, conf->extension_notice_days,
				    conf->procurement_lead_days };

	return w;
}

/* Coverage is asked only of contracts whose gap could fall in range. */
static engine_covered_fn
covered_if(const struct contract *c, int32_t from, int32_t to)
{
	return c->end_date >= from && c->end_date <= to ? store_covered :
	    NULL;
}

/* A row's ref and title, kept once for all the rows of an index row. */
struct agenda_names {
	uint32_t	ref;
	uint32_t	title;
	uint64_t	refkey[2];
};

static int
agenda_add(struct rows *rs, const struct agenda_rec *a,
    struct agenda_names *nm, enum milestone_kind k, int32_t due)
{
	struct row	*w;

	if (due < rs->from || due > rs->to || rows_full(rs))
		return 0;
	if (nm->ref == 0) {
		if ((nm->ref = rows_str(rs, a->ref)) == 0 ||
		    (nm->title = rows_str(rs, a->title)) == 0)
			return -1;
		contract_ref_key(a->ref, nm->refkey);
	}
	if ((w = rows_add(rs)) == NULL)
		return rs->truncated ? 0 : -1;
	w->due = due;
	w->kind = k;
	w->ref = nm->ref;
	w->title = nm->title;
	memcpy(w->refkey, nm->refkey, sizeof(w->refkey));
	return 0;
}

/*
 * The milestones of one row of the agenda's window: the date indexes say
 * which (see agenda_places and engine_milestones); a term's end brings its
 * expiry and, if a service is left uncovered, a coverage gap.
 */
static int
agenda_one(void *arg, const struct agenda_rec *a)
{
	struct rows		*rs = arg;
	struct agenda_names	 nm = { 0, 0, { 0, 0 } };

	if (a->which == AGENDA_EXT)
		return agenda_add(rs, a, &nm, MS_EXTENSION_DEADLINE, a->date);
	if (a->which == AGENDA_PROC)
		return agenda_add(rs, a, &nm, MS_PROCUREMENT_START, a->date);
	if (agenda_add(rs, a, &nm, MS_TERM_END, a->date) == -1 ||
	    agenda_add(rs, a, &nm, MS_EXPIRED, a->date + 1) == -1)
		return -1;
	if (a->date < rs->from || a->date > rs->to ||
	    engine_services_uncovered(a->ref, a->services, a->date,
	    store_covered, daemon_ctx->store, NULL, 0) == 0)
		return 0;
	return agenda_add(rs, a, &nm, MS_COVERAGE_GAP, a->date);
}

static int
agenda_cmp(const void *a, const void *b)
{
	const struct row	*x = a, *y = b;
	int			 rc;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if ((rc = row_ref_cmp(x, y)) != 0)
		return rc;
	return (int)x->kind - (int)y->kind;
}

/* Marks the (sorted) agenda row an acknowledgement applies to. */
static int
agenda_ack(void *arg, const char *ref, const struct ack_rec *a)
{
	struct rows	*rs = arg;
	struct row	*w;
	size_t		 lo = 0, hi = rs->n, mid;
	int		 k, rc;

	if (ref == NULL || (k = milestone_parse(a->kind)) == -1)
		return 0;
	/* By hand: the key's ref is not in the rows' text. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		w = &rs->v[mid];
		if (w->due != a->due)
			rc = w->due < a->due ? -1 : 1;
		else if ((rc = strcmp(row_str(rs->text.s, w->ref), ref)) == 0)
			rc = (int)w->kind - k;
		if (rc == 0) {
			w->acked = 1;
			break;
		}
		if (rc < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
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
 * Starts the answer line of rows (agenda, simulate) in b: its period, room
 * for the rows.  Tens of thousands of rows would take longer as jansson
 * objects than everything else.
 */
static void
rows_text_begin(struct strbuf *b, const struct rows *rs)
{
	strbuf_reserve(b, 64 + rs->n * 160);
	proto_ok_open(b);
	strbuf_puts(b, "{\"from\":");
	json_date(b, rs->from);
	strbuf_puts(b, ",\"to\":");
	json_date(b, rs->to);
}

/* The agenda's answer, in b; -1 if the acknowledgements cannot be read. */
static int
agenda_text(struct rows *rs, int days, struct strbuf *b)
{
	const struct row *w;
	size_t		 i;

	rows_sort(rs, agenda_cmp);
	/* One query for the window's acknowledgements, not one per row. */
	if (store_ack_window(daemon_ctx->store, rs->from, rs->to,
	    agenda_ack, rs) < 0)
		return -1;
	rows_text_begin(b, rs);
	strbuf_puts(b, ",\"days\":");
	strbuf_int(b, days);
	strbuf_puts(b, ",\"milestones\":[");
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		strbuf_puts(b, i ? ",{\"ref\":" : "{\"ref\":");
		strbuf_json(b, row_str(rs->text.s, w->ref));
		strbuf_puts(b, ",\"title\":");
		strbuf_json(b, row_str(rs->text.s, w->title));
		strbuf_puts(b, ",\"milestone\":\"");
		strbuf_puts(b, milestone_name(w->kind));
		strbuf_puts(b, "\",\"due\":");
		json_date(b, w->due);
		strbuf_puts(b, ",\"days_left\":");
		strbuf_int(b, (long)(w->due - rs->from));
		strbuf_puts(b, w->acked ? ",\"acked\":true}" :
		    ",\"acked\":false}");
	}
	strbuf_puts(b, rs->truncated ? "],\"truncated\":true}" :
	    "],\"truncated\":false}");
	return 0;
}

static int
cmd_agenda_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "days", NULL };
	struct rows		rs;
	struct agenda_window	w;
	long			days = 90;
	int			rc;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "days", 0, 1, 3650, &days, r) == -1)
		return -1;
	memset(&rs, 0, sizeof(rs));
	rs.from = cmd_today();
	rs.to = rs.from + (int32_t)days;
	w = window_of(rs.from, rs.to);
	rc = store_agenda(daemon_ctx->store, &w, agenda_one, &rs);
	if (rc < 0 || agenda_text(&rs, (int)days, &r->raw) == -1) {
		strbuf_free(&r->raw);
		cmd_fail(r, "internal", "database error");
	}
	rows_free(&rs);
	return r->code != NULL ? -1 : 0;
}

const struct cmd cmd_agenda = { "agenda", 0, cmd_agenda_exec, NULL };

static int
simulate_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct rows		*rs = arg;
	struct milestone	 ms[MS_NKINDS];
	struct alert		 v[ENGINE_MAX_ALERTS];
	struct row		*w;
	size_t			 n;
	uint64_t		 refkey[2];
	uint32_t		 ref = 0;
	int			 na, i;

	(void)cs;
	n = engine_milestones(c, &daemon_ctx->conf->alerts,
	    covered_if(c, rs->from, rs->to + 3660), daemon_ctx->store, ms);
	if ((na = engine_alerts(ms, n, &daemon_ctx->conf->alerts, v,
	    ENGINE_MAX_ALERTS)) < 0)
		return -1;
	for (i = 0; i < na; i++) {
		if (v[i].date < rs->from || v[i].date > rs->to)
			continue;
		if (rows_full(rs))
			return 0;
		if (ref == 0) {
			if ((ref = rows_str(rs, c->ref)) == 0)
				return -1;
			contract_ref_key(c->ref, refkey);
		}
		if ((w = rows_add(rs)) == NULL)
			return rs->truncated ? 0 : -1;
		w->fire = v[i].fire;
		w->due = v[i].due;
		w->date = v[i].date;
		w->kind = v[i].kind;
		w->offset = v[i].offset;
		w->ref = ref;
		memcpy(w->refkey, refkey, sizeof(w->refkey));
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
	if ((rc = row_ref_cmp(x, y)) != 0)
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

/* The simulation's answer, in b. */
static void
simulate_text(struct rows *rs, struct strbuf *b)
{
	const struct row *w;
	char		 at[DATE_ISOLEN];
	size_t		 i;

	rows_sort(rs, simulate_cmp);
	rows_text_begin(b, rs);
	strbuf_puts(b, ",\"alerts\":[");
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		strbuf_puts(b, i ? ",{\"fire_at\":" : "{\"fire_at\":");
		if (date_format_local(w->fire, daemon_ctx->conf->timezone, at,
		    sizeof(at)) == -1)
			strbuf_puts(b, "null");
		else
			strbuf_json(b, at);
		strbuf_puts(b, ",\"contract\":");
		strbuf_json(b, row_str(rs->text.s, w->ref));
		strbuf_puts(b, ",\"milestone\":\"");
		strbuf_puts(b, milestone_name(w->kind));
		strbuf_puts(b, "\",\"due\":");
		json_date(b, w->due);
		strbuf_puts(b, ",\"offset_days\":");
		strbuf_int(b, w->offset);
		strbuf_puts(b, ",\"channels\":");
		json_channels(b, w->kind);
		strbuf_puts(b, "}");
	}
	strbuf_puts(b, rs->truncated ? "],\"truncated\":true}" :
	    "],\"truncated\":false}");
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
	struct rows		 rows;
	struct rows		*rs = &rows;
	struct agenda_window	 w;
	int			 rc;

	(void)peer;
	memset(&rows, 0, sizeof(rows));
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_date(args, "from", 1, &rs->from, r) == -1 ||
	    cmd_arg_date(args, "to", 1, &rs->to, r) == -1)
		return -1;
	if (rs->to < rs->from || rs->to - rs->from > SIMULATE_MAX_DAYS)
		return cmd_fail(r, "invalid_argument", "the period must end "
		    "on or after its first day and span at most %d days",
		    SIMULATE_MAX_DAYS);
	/* Working-day shifts move an alert a few days: look a week wider. */
	w = window_of(rs->from - 7, rs->to + max_offset() + 7);
	rc = store_contract_window(daemon_ctx->store, &w, simulate_one, rs);
	if (rc < 0) {
		rows_free(rs);
		return cmd_fail(r, "internal", "database error");
	}
	simulate_text(rs, &r->raw);
	rows_free(rs);
	return r->code != NULL ? -1 : 0;
}

const struct cmd cmd_simulate = { "simulate", 0, cmd_simulate_exec, NULL };

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

const struct cmd cmd_ack = { "ack", 1, cmd_ack_exec, NULL };

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

const struct cmd cmd_silence = { "silence", 1, cmd_silence_exec, NULL };

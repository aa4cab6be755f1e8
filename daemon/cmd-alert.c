/*
 * Commands about milestones and alerts: agenda, simulate, ack, silence.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "commands.h"
#include "contract-json.h"
#include "contractd.h"
#include "import.h"
#include "plugin.h"
#include "proto.h"
#include "scheduler.h"
#include "store.h"
#include "text.h"

#define SIMULATE_MAX_DAYS	3660
#define ROWS_MAX		200000

/*
 * One row of agenda or simulate, sorted before it is encoded.  The
 * strings are the rows' own.
 */
struct row {
	time_t		 fire;
	int32_t		 due;
	int32_t		 offset;
	char		*ref;
	char		*title;
	uint8_t		 kind;		/* enum milestone_kind */
	uint8_t		 acked;
	uint8_t		 overdue;
};

struct rows {
	struct row	*v;
	size_t		 n;
	size_t		 cap;
	int		(*cmp)(const void *, const void *);	/* order */
	int32_t		 from;
	int32_t		 to;
	int		 truncated;
	struct store	*st;
	/* agenda: only contracts of this owner and kind (NULL, -1: any) */
	const char	*owner;
	int		 kind;
	/* simulate: a contract left out of the window, and the coverage */
	const char	*skip;
	engine_covered_fn covered;
};

static void
row_free(struct row *w)
{
	free(w->ref);
	free(w->title);
}

/*
 * Sorts the rows in their answer's order; past ROWS_MAX, the answer is
 * cut short to the first ROWS_MAX of them.
 */
static void
rows_sort(struct rows *rs)
{
	size_t	 i;

	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(rs->v[0]), rs->cmp);
	if (rs->n <= ROWS_MAX)
		return;
	for (i = ROWS_MAX; i < rs->n; i++)
		row_free(&rs->v[i]);
	rs->n = ROWS_MAX;
	rs->truncated = 1;
}

/*
 * A row for c, or NULL if memory is short.  Rows beyond twice ROWS_MAX
 * are sorted and cut to ROWS_MAX, so that the first in the answer's
 * order are kept in bounded memory.
 */
static struct row *
rows_add(struct rows *rs, const struct contract *c)
{
	struct row	*v;
	size_t		 cap;

	if (rs->n == 2 * ROWS_MAX)
		rows_sort(rs);
	if (rs->n == rs->cap) {
		cap = rs->cap ? rs->cap * 2 : 1024;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	v = memset(&rs->v[rs->n], 0, sizeof(rs->v[0]));
	if ((v->ref = strdup(c->ref)) == NULL ||
	    (v->title = strdup(c->title ? c->title : "")) == NULL) {
		free(v->ref);
		return NULL;
	}
	rs->n++;
	return v;
}

static void
rows_free(struct rows *rs)
{
	size_t	 i;

	for (i = 0; i < rs->n; i++)
		row_free(&rs->v[i]);
	free(rs->v);
}

int
cmd_window_each(struct store *st, int32_t from, int32_t to,
    store_contract_fn fn, void *arg)
{
	const struct alert_conf	*conf = &daemon_ctx->conf->alerts;
	struct agenda_window	 w = { from, to, conf->extension_notice_days,
				    conf->procurement_lead_days };

	return store_contract_window(st, &w, fn, arg);
}

/* The contracts that can place a milestone in [from, to]. */
static int
rows_window(struct rows *rs, int32_t from, int32_t to, store_contract_fn fn)
{
	return cmd_window_each(rs->st, from, to, fn, rs);
}

/* Appends v, encoded by jansson, to b; v is taken. */
static int
json_put_cb(const char *buf, size_t n, void *arg)
{
	strbuf_add(arg, buf, n);
	return 0;
}

static void
json_put(struct strbuf *b, json_t *v)
{
	if (v == NULL || json_dump_callback(v, json_put_cb, b, JSON_COMPACT |
	    JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) == -1)
		b->failed = 1;
	json_decref(v);
}

/* Begins the answer line of rows in b: the period; ends it after. */
static void
rows_begin(struct strbuf *b, const struct rows *rs)
{
	proto_ok_open(b);
	strbuf_puts(b, "{\"from\":");
	json_put(b, date_json(rs->from));
	strbuf_puts(b, ",\"to\":");
	json_put(b, date_json(rs->to));
}

static void
rows_end(struct strbuf *b, const struct rows *rs)
{
	strbuf_puts(b, rs->truncated ? "],\"truncated\":true}" :
	    "],\"truncated\":false}");
}

/* Adds milestone m of c to the rows. */
static int
agenda_add(struct rows *rs, const struct contract *c,
    const struct milestone *m, int overdue)
{
	struct row	*w;

	if ((w = rows_add(rs, c)) == NULL)
		return -1;
	w->due = m->due;
	w->kind = (uint8_t)m->kind;
	w->overdue = overdue;
	return 0;
}

/* Whether the agenda asked for contracts like c. */
static int
agenda_wants(const struct rows *rs, const struct contract *c)
{
	if (rs->kind != -1 && (int)c->kind != rs->kind)
		return 0;
	return rs->owner == NULL || (c->owner_email != NULL &&
	    strcasecmp(c->owner_email, rs->owner) == 0);
}

/* The milestones of c due in the window, as the engine derives them. */
static int
agenda_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct rows		*rs = arg;
	struct milestone	 ms[MS_NKINDS];
	struct engine_peers	 p;
	size_t			 n, i;

	(void)cs;
	if (!agenda_wants(rs, c))
		return 0;
	/* A gap is due on the end: coverage asked only if that is in range. */
	p = scheduler_peers(rs->st, c->end_date >= rs->from &&
	    c->end_date <= rs->to ? store_covered : NULL);
	n = engine_milestones(c, &daemon_ctx->conf->alerts, &p, ms);
	for (i = 0; i < n; i++)
		if (ms[i].due >= rs->from && ms[i].due <= rs->to &&
		    agenda_add(rs, c, &ms[i], 0) == -1)
			return -1;
	return 0;
}

size_t
cmd_overdue(struct store *st, const struct contract *c, int32_t today,
    struct milestone out[MS_NKINDS])
{
	struct milestone	 ms[MS_NKINDS];
	struct engine_peers	 p = scheduler_peers(st, NULL);
	const struct alert_conf	*conf = &daemon_ctx->conf->alerts;
	size_t			 n, i, k = 0;

	n = engine_milestones(c, conf, &p, ms);
	for (i = 0; i < n; i++)
		if (engine_overdue(c, &ms[i], today, conf) > 0 &&
		    store_acked(st, c->ref, milestone_name(ms[i].kind),
		    ms[i].due) == 0)
			out[k++] = ms[i];
	return k;
}

/* The overdue milestones of c (a candidate of store_contract_overdue). */
static int
agenda_overdue(void *arg, struct contract *c, struct contract_state *cs)
{
	struct rows		*rs = arg;
	struct milestone	 ms[MS_NKINDS];
	size_t			 n, i;

	(void)cs;
	if (!agenda_wants(rs, c))
		return 0;
	n = cmd_overdue(rs->st, c, rs->from, ms);
	for (i = 0; i < n; i++)
		if (agenda_add(rs, c, &ms[i], 1) == -1)
			return -1;
	return 0;
}

int
cmd_overdue_each(struct store *st, int32_t today, store_contract_fn fn,
    void *arg)
{
	const struct alert_conf	*conf = &daemon_ctx->conf->alerts;
	struct agenda_window	 w = { today, today,
				    conf->extension_notice_days,
				    conf->procurement_lead_days };

	return store_contract_overdue(st, &w, conf->overdue_window_days, fn,
	    arg);
}

static int
overdue_count(void *arg, struct contract *c, struct contract_state *cs)
{
	struct milestone	 ms[MS_NKINDS];
	long			*n = arg;

	(void)cs;
	*n += (long)cmd_overdue(cmd_store(), c, cmd_today(), ms);
	return 0;
}

long
cmd_overdue_count(void)
{
	long	 n = 0;

	if (cmd_overdue_each(cmd_store(), cmd_today(), overdue_count, &n) < 0)
		return -1;
	return n;
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
	key.due = a->due;
	key.ref = (char *)ref;
	key.kind = (uint8_t)k;
	if ((w = bsearch(&key, rs->v, rs->n, sizeof(*rs->v),
	    agenda_cmp)) != NULL)
		w->acked = 1;
	return 0;
}

/* The agenda's answer, in b; -1 if the acknowledgements cannot be read. */
static int
agenda_text(struct rows *rs, int days, struct strbuf *b)
{
	const struct row *w;
	size_t		 i;

	rows_sort(rs);
	/* One query for the window's acknowledgements, not one per row. */
	if (store_ack_window(rs->st, rs->from, rs->to, agenda_ack, rs) < 0)
		return -1;
	rows_begin(b, rs);
	strbuf_printf(b, ",\"days\":%d,\"milestones\":[", days);
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		if (i > 0)
			strbuf_puts(b, ",");
		json_put(b, json_pack("{s:s, s:s, s:s, s:o, s:i, s:b, s:b}",
		    "ref", w->ref, "title", w->title, "milestone",
		    milestone_name(w->kind), "due", date_json(w->due),
		    "days_left", (int)(w->due - rs->from), "acked", w->acked,
		    "overdue", w->overdue));
	}
	rows_end(b, rs);
	return 0;
}

/* agenda's filters: owner (an owner_email) and kind. */
static int
agenda_args(json_t *args, struct rows *rs, struct cmd_reply *r)
{
	const char		*kind = NULL;
	enum contract_kind	 k;

	rs->kind = -1;
	if (cmd_arg_str(args, "owner", 0, &rs->owner, r) == -1 ||
	    cmd_arg_str(args, "kind", 0, &kind, r) == -1)
		return -1;
	if (rs->owner != NULL && *rs->owner == '\0')
		return cmd_fail(r, "invalid_argument", "owner must not be "
		    "empty when given");
	if (kind != NULL && contract_kind_parse(kind, &k) == -1)
		return cmd_fail(r, "invalid_argument", "kind: not a kind "
		    "(contract, framework, dps, call-off): %s", kind);
	if (kind != NULL)
		rs->kind = (int)k;
	return 0;
}

static int
cmd_agenda_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "days", "owner", "kind", NULL };
	struct rows		rs;
	long			days = 90;
	int			rc;

	(void)peer;
	memset(&rs, 0, sizeof(rs));
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "days", 0, 1, 3650, &days, r) == -1 ||
	    agenda_args(args, &rs, r) == -1)
		return -1;
	rs.st = cmd_store();
	rs.cmp = agenda_cmp;
	rs.from = cmd_today();
	rs.to = rs.from + (int32_t)days;
	/* Overdue milestones are due before the window: they sort first. */
	rc = rows_window(&rs, rs.from, rs.to, agenda_one);
	if (rc >= 0)
		rc = cmd_overdue_each(rs.st, rs.from, agenda_overdue, &rs);
	if (rc < 0 || agenda_text(&rs, (int)days, &r->raw) == -1) {
		strbuf_free(&r->raw);
		cmd_fail(r, "internal", "database error");
	}
	rows_free(&rs);
	return r->code != NULL ? -1 : 0;
}

const struct cmd cmd_agenda = { "agenda", 0, cmd_agenda_exec, NULL };

/* The alerts of c whose alert date is in the period. */
static int
simulate_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct rows		*rs = arg;
	struct engine_peers	 p = scheduler_peers(rs->st, rs->covered);
	struct alert		 v[ENGINE_MAX_ALERTS];
	struct row		*w;
	int			 na, i;

	(void)cs;
	if (rs->skip != NULL && strcmp(c->ref, rs->skip) == 0)
		return 0;
	if ((na = scheduler_alerts(c, &p, v, ENGINE_MAX_ALERTS)) < 0)
		return -1;
	for (i = 0; i < na; i++) {
		if (v[i].date < rs->from || v[i].date > rs->to)
			continue;
		if ((w = rows_add(rs, c)) == NULL)
			return -1;
		w->fire = v[i].fire;
		w->due = v[i].due;
		w->kind = (uint8_t)v[i].kind;
		w->offset = v[i].offset;
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

/* The channels kind k routes to. */
static json_t *
channels_of(enum milestone_kind k)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < daemon_ctx->nchannels; i++)
		if (daemon_ctx->channels[i].kinds & (1u << k))
			json_array_append_new(a,
			    json_string(daemon_ctx->channels[i].name));
	return a;
}

/* The simulation's answer, in b. */
static void
simulate_text(struct rows *rs, struct strbuf *b)
{
	const struct row *w;
	size_t		 i;

	rows_sort(rs);
	rows_begin(b, rs);
	strbuf_puts(b, ",\"alerts\":[");
	for (i = 0; i < rs->n; i++) {
		w = &rs->v[i];
		if (i > 0)
			strbuf_puts(b, ",");
		json_put(b, json_pack("{s:o, s:s, s:s, s:o, s:i, s:o}",
		    "fire_at", cmd_instant(w->fire), "contract", w->ref,
		    "milestone", milestone_name(w->kind), "due",
		    date_json(w->due), "offset_days", w->offset, "channels",
		    channels_of(w->kind)));
	}
	rows_end(b, rs);
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

/*
 * simulate --close: the schedule of ref as if closed on on, after the
 * window's (which leaves ref out).  Its coverage is asked of the other
 * contracts: its own rows still end on its current end.
 */
static int
simulate_close(struct rows *rs, const char *ref, int32_t on,
    struct cmd_reply *r)
{
	struct contract		 c;
	struct contract_state	 cs;
	int			 rc = -1;

	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == 0 &&
	    cmd_close_apply(&c, on, NULL, r) == 0) {
		rs->skip = NULL;
		rs->covered = store_covered_other;
		if ((rc = simulate_one(rs, &c, &cs)) < 0)
			cmd_fail(r, "internal", "out of memory");
		rs->covered = store_covered;
	}
	contract_free(&c);
	return rc;
}

static int
simulate_args(json_t *args, struct rows *rs, int32_t *on,
    struct cmd_reply *r)
{
	static const char *const names[] = { "from", "to", "close", "on",
	    NULL };

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_date(args, "from", 1, &rs->from, r) == -1 ||
	    cmd_arg_date(args, "to", 1, &rs->to, r) == -1 ||
	    cmd_arg_str(args, "close", 0, &rs->skip, r) == -1 ||
	    cmd_arg_date(args, "on", rs->skip != NULL, on, r) == -1)
		return -1;
	if (rs->skip == NULL && *on != DATE_NONE)
		return cmd_fail(r, "invalid_argument", "on is for close: give "
		    "close REF with it");
	if (rs->to < rs->from || rs->to - rs->from > SIMULATE_MAX_DAYS)
		return cmd_fail(r, "invalid_argument", "the period must end "
		    "on or after its first day and span at most %d days",
		    SIMULATE_MAX_DAYS);
	return 0;
}

static int
cmd_simulate_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	struct rows		 rs;
	const char		*close;
	int32_t			 on = DATE_NONE;

	(void)peer;
	memset(&rs, 0, sizeof(rs));
	rs.st = cmd_store();
	rs.cmp = simulate_cmp;
	rs.covered = store_covered;
	if (simulate_args(args, &rs, &on, r) == -1)
		return -1;
	close = rs.skip;
	/* Working-day shifts move an alert a few days: look a week wider. */
	if (rows_window(&rs, rs.from - 7, rs.to + max_offset() + 7,
	    simulate_one) < 0) {
		rows_free(&rs);
		return cmd_fail(r, "internal", "database error");
	}
	if (close != NULL && simulate_close(&rs, close, on, r) == -1) {
		rows_free(&rs);
		return -1;
	}
	simulate_text(&rs, &r->raw);
	rows_free(&rs);
	return 0;
}

const struct cmd cmd_simulate = { "simulate", 0, cmd_simulate_exec, NULL };

/* The due date of c's milestone of kind k; -1 fails r (not_found). */
static int
milestone_due(const struct contract *c, int k, int32_t *due,
    struct cmd_reply *r)
{
	struct engine_peers	p = scheduler_peers(daemon_ctx->store,
				    store_covered);
	struct milestone	ms[MS_NKINDS];
	size_t			n, i;

	n = engine_milestones(c, &daemon_ctx->conf->alerts, &p, ms);
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

/* The first acknowledgement of a milestone, as the answer tells it. */
static int
ack_first(void *arg, const struct ack_rec *a)
{
	json_t	**o = arg;

	*o = json_pack("{s:o, s:s?, s:s?}", "at", cmd_instant(a->at), "user",
	    a->user, "note", a->note);
	return *o == NULL ? -1 : 0;
}

/*
 * A milestone acknowledged before keeps that acknowledgement: a new note
 * is added to the history beside it, nothing else changes.
 */
static int
ack_again(struct contract *c, const struct ack_rec *a, json_t *first,
    struct cmd_reply *r)
{
	struct store	*st = daemon_ctx->store;
	int		 added = a->note != NULL && *a->note != '\0';

	if (added && (store_begin(st) == -1 || store_ack_add(st, c->ref,
	    a) < 0 || store_commit(st) == -1)) {
		store_rollback(st);
		json_decref(first);
		return cmd_fail(r, "internal", "database error");
	}
	r->result = json_pack("{s:s, s:s, s:o, s:o, s:b}", "ref", c->ref,
	    "milestone", a->kind, "due", date_json(a->due), "already", first,
	    "note_added", added);
	return 0;
}

static int
cmd_ack_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "kind", "note", NULL };
	struct contract		 c;
	struct contract_state	 cs;
	struct ack_rec		 a;
	const char		*ref, *kind;
	json_t			*first = NULL;
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
	    milestone_due(&c, k, &a.due, r) == 0) {
		k = store_ack_first(daemon_ctx->store, c.ref, a.kind, a.due,
		    ack_first, &first);
		if (k == STORE_FOUND)
			rc = ack_again(&c, &a, first, r);
		else if (k != STORE_NOTFOUND)
			cmd_fail(r, "internal", "database error");
		else if (alert_change(&c, &cs, &a, DATE_NONE, r) == 0) {
			r->result = json_pack("{s:s, s:s, s:o}", "ref", c.ref,
			    "milestone", a.kind, "due", date_json(a.due));
			rc = 0;
		}
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
		    "silenced_until", date_json(until));
		rc = 0;
	}
	contract_free(&c);
	return rc;
}

const struct cmd cmd_silence = { "silence", 1, cmd_silence_exec, NULL };

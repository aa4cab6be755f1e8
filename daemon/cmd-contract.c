/*
 * Commands about contracts: list, show, history, add, update, extend,
 * import.
 */
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contract-json.h"
#include "contractd.h"
#include "csv.h"
#include "dispatch.h"
#include "heap.h"
#include "import-plan.h"
#include "scheduler.h"
#include "sdnotify.h"
#include "store.h"
#include "thread.h"

#define LIST_DEFAULT	1000
#define LIST_MAX	100000
#define IMPORT_MAX	(512L * 1024 * 1024)
/* From this many contracts, an import into a table no larger than it
 * builds the contracts' indexes after its rows. */
#define IMPORT_REBUILD_MIN	20000

int32_t
cmd_today(void)
{
	int32_t	today = 0;

	(void)date_of_instant(time(NULL), daemon_ctx->conf->timezone, &today);
	return today;
}

json_t *
cmd_date(int32_t day)
{
	char	buf[DATE_STRLEN];

	return day == DATE_NONE ? json_null() : json_string(date_format(day,
	    buf));
}

json_t *
cmd_instant(time_t t)
{
	char	buf[DATE_ISOLEN];

	if (t == 0 || date_format_local(t, daemon_ctx->conf->timezone, buf,
	    sizeof(buf)) == -1)
		return json_null();
	return json_string(buf);
}

/* Loads ref or fails the reply with not_found. */
int
cmd_load(const char *ref, struct contract *c, struct contract_state *cs,
    struct cmd_reply *r)
{
	switch (store_contract_get(daemon_ctx->store, ref, c, cs)) {
	case STORE_FOUND:
		return 0;
	case STORE_NOTFOUND:
		return cmd_fail(r, "not_found", "no contract %s", ref);
	default:
		return cmd_fail(r, "internal", "database error");
	}
}

/* Runs a change in one transaction and re-arms the timer after it. */
int
cmd_commit(struct cmd_reply *r)
{
	if (store_commit(daemon_ctx->store) == -1) {
		store_rollback(daemon_ctx->store);
		return cmd_fail(r, "internal", "database error");
	}
	scheduler_poke();
	return 0;
}

int
cmd_abort(struct cmd_reply *r, const char *code, const char *msg)
{
	store_rollback(daemon_ctx->store);
	if (r->code == NULL)
		cmd_fail(r, code, "%s", msg);
	return -1;
}

/* The earliest milestone due today or later (a coverage gap is due with
 * the term's end, so it is left out here). */
static json_t *
next_milestone(const struct contract *c, int32_t today)
{
	struct milestone	ms[MS_NKINDS];
	size_t			n, i, best = MS_NKINDS;

	n = engine_milestones(c, &daemon_ctx->conf->alerts, NULL, NULL, ms);
	for (i = 0; i < n; i++)
		if (ms[i].due >= today && (best == MS_NKINDS ||
		    ms[i].due < ms[best].due))
			best = i;
	if (best == MS_NKINDS)
		return json_null();
	return json_pack("{s:s, s:o, s:i}", "milestone",
	    milestone_name(ms[best].kind), "due", cmd_date(ms[best].due),
	    "days_left", (int)(ms[best].due - today));
}

struct list_ctx {
	json_t	*a;
	int32_t	 today;
};

static int
list_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct list_ctx	*l = arg;
	json_t		*o = contract_to_json(c);

	(void)cs;
	if (o == NULL || json_object_set_new(o, "next_milestone",
	    next_milestone(c, l->today)) == -1 ||
	    json_array_append_new(l->a, o) == -1)
		return -1;
	return 0;
}

static int
cmd_list_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "limit", "after", NULL };
	struct list_ctx	 l;
	const char	*after = "";
	long		 limit = LIST_DEFAULT;
	int		 n;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "limit", 0, 1, LIST_MAX, &limit, r) == -1 ||
	    cmd_arg_str(args, "after", 0, &after, r) == -1)
		return -1;
	l.a = json_array();
	l.today = cmd_today();
	n = store_contract_each(daemon_ctx->store, after, limit + 1,
	    list_one, &l);
	if (n < 0) {
		json_decref(l.a);
		return cmd_fail(r, "internal", "database error");
	}
	if (n > limit)
		json_array_remove(l.a, (size_t)limit);
	r->result = json_pack("{s:o, s:b}", "contracts", l.a, "more",
	    n > limit);
	return 0;
}

const struct cmd cmd_list = { "list", 0, cmd_list_exec, NULL };

static json_t *
show_milestones(const struct contract *c, int32_t today)
{
	struct milestone	 ms[MS_NKINDS];
	char			 unc[1024];
	json_t			*a = json_array(), *o;
	size_t			 n, i;

	n = engine_milestones(c, &daemon_ctx->conf->alerts, store_covered,
	    daemon_ctx->store, ms);
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s, s:o, s:i, s:b}", "milestone",
		    milestone_name(ms[i].kind), "due", cmd_date(ms[i].due),
		    "days_left", (int)(ms[i].due - today), "acked",
		    store_acked(daemon_ctx->store, c->ref,
		    milestone_name(ms[i].kind), ms[i].due) == 1);
		if (o != NULL && ms[i].kind == MS_COVERAGE_GAP) {
			engine_uncovered(c, store_covered, daemon_ctx->store,
			    unc, sizeof(unc));
			json_object_set_new(o, "uncovered", json_string(unc));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static int
cmd_show_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", NULL };
	struct contract		 c;
	struct contract_state	 cs;
	const char		*ref;
	json_t			*o;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1)
		return -1;
	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == -1) {
		contract_free(&c);
		return -1;
	}
	if ((o = contract_to_json(&c)) != NULL) {
		json_object_set_new(o, "silenced_until",
		    cmd_date(cs.silenced_until));
		json_object_set_new(o, "lapsed_extension",
		    json_boolean(cs.lapsed_extension));
		json_object_set_new(o, "next_alert", cmd_instant(cs.next_fire));
		json_object_set_new(o, "milestones",
		    show_milestones(&c, cmd_today()));
	}
	contract_free(&c);
	if ((r->result = o) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	return 0;
}

const struct cmd cmd_show = { "show", 0, cmd_show_exec, NULL };

static int
history_ext(void *arg, const struct extension_rec *e)
{
	return json_array_append_new(arg, json_pack("{s:o, s:o, s:o, s:s?, "
	    "s:s?, s:b, s:o, s:s?}", "old_end", cmd_date(e->old_end),
	    "new_end", cmd_date(e->new_end), "decided_on",
	    cmd_date(e->decided_on), "decision_ref", e->decision_ref, "note",
	    e->note, "lapsed", e->lapsed, "recorded_at",
	    cmd_instant(e->recorded_at), "user", e->user));
}

static int
history_alert(void *arg, const struct alert_rec *a)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:o, s:i, "
	    "s:o, s:s, s:b, s:o}", "key", a->key, "milestone", a->kind,
	    "due", cmd_date(a->due), "offset_days", a->offset, "fire_at",
	    cmd_instant(a->fire_at), "state", a->state, "late", a->late,
	    "at", cmd_instant(a->at)));
}

static int
history_ack(void *arg, const struct ack_rec *a)
{
	return json_array_append_new(arg, json_pack("{s:s, s:o, s:s?, s:s?, "
	    "s:o}", "milestone", a->kind, "due", cmd_date(a->due), "note",
	    a->note, "user", a->user, "at", cmd_instant(a->at)));
}

/*
 * Alerts of the current schedule up to the contract's horizon that are
 * not in the history were skipped when it was added: listed as such.
 */
static int
history_implied(const char *ref, json_t *al, struct cmd_reply *r)
{
	struct contract		 c;
	struct contract_state	 cs;
	struct alert		 v[ENGINE_MAX_ALERTS];
	char			 key[ALERT_KEYLEN];
	int			 n, i;

	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == -1)
		return -1;
	n = scheduler_alerts(&c, NULL, NULL, v, ENGINE_MAX_ALERTS);
	for (i = 0; i < n && v[i].fire <= cs.horizon; i++) {
		engine_alert_key(c.ref, &v[i], key, sizeof(key));
		if (store_alert_known(daemon_ctx->store, key) != 0)
			continue;
		json_array_append_new(al, json_pack("{s:s, s:s, s:o, s:i, "
		    "s:o, s:s, s:b, s:n}", "key", key, "milestone",
		    milestone_name(v[i].kind), "due", cmd_date(v[i].due),
		    "offset_days", v[i].offset, "fire_at",
		    cmd_instant(v[i].fire), "state", "skipped", "late", 0,
		    "at"));
	}
	contract_free(&c);
	return 0;
}

static int
fire_order(const void *a, const void *b)
{
	const char	*x, *y;
	int		 rc;

	x = json_string_value(json_object_get(*(json_t *const *)a, "fire_at"));
	y = json_string_value(json_object_get(*(json_t *const *)b, "fire_at"));
	if ((rc = strcmp(x ? x : "", y ? y : "")) != 0)
		return rc;
	x = json_string_value(json_object_get(*(json_t *const *)a, "key"));
	y = json_string_value(json_object_get(*(json_t *const *)b, "key"));
	return strcmp(x ? x : "", y ? y : "");
}

/* Sorts an array of alert objects by fire_at, then key. */
static void
json_array_sort_by_fire(json_t *a)
{
	json_t	**v;
	size_t	  n = json_array_size(a), i;

	if (n < 2 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), fire_order);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

static int
cmd_history_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", NULL };
	struct store	*st = daemon_ctx->store;
	const char	*ref;
	json_t		*ext = json_array(), *al = json_array();
	json_t		*ack = json_array();
	int		 rc;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1)
		goto fail;
	if ((rc = store_contract_exists(st, ref)) != STORE_FOUND) {
		cmd_fail(r, rc == STORE_NOTFOUND ? "not_found" : "internal",
		    rc == STORE_NOTFOUND ? "no contract %s" : "database error",
		    ref);
		goto fail;
	}
	if (store_extension_each(st, ref, history_ext, ext) < 0 ||
	    store_alert_each(st, ref, history_alert, al) < 0 ||
	    store_ack_each(st, ref, history_ack, ack) < 0) {
		cmd_fail(r, "internal", "database error");
		goto fail;
	}
	if (history_implied(ref, al, r) == -1)
		goto fail;
	json_array_sort_by_fire(al);
	r->result = json_pack("{s:s, s:o, s:o, s:o}", "ref", ref,
	    "extensions", ext, "alerts", al, "acks", ack);
	return 0;
fail:
	json_decref(ext);
	json_decref(al);
	json_decref(ack);
	return -1;
}

const struct cmd cmd_history = { "history", 0, cmd_history_exec, NULL };

/* Sets the fields of args.fields on c; strings, or whole numbers. */
static int
apply_fields(struct contract *c, json_t *fields, int allow_ref,
    struct cmd_reply *r)
{
	const char	*key;
	json_t		*v;
	char		 num[32], err[CONTRACT_ERRLEN];
	const char	*s;

	if (!json_is_object(fields) || json_object_size(fields) == 0)
		return cmd_fail(r, "invalid_argument", "fields must be an "
		    "object of FIELD: VALUE");
	json_object_foreach(fields, key, v) {
		if (!contract_field_known(key))
			return cmd_fail(r, "invalid_argument", "unknown "
			    "field: %s", key);
		if (!allow_ref && strcmp(key, "ref") == 0 &&
		    (!json_is_string(v) || strcmp(json_string_value(v),
		    c->ref) != 0))
			return cmd_fail(r, "invalid_argument", "ref cannot "
			    "be changed");
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			s = num;
		} else if (json_is_null(v))
			s = "";
		else if ((s = json_string_value(v)) == NULL)
			return cmd_fail(r, "invalid_argument", "%s: not a "
			    "string", key);
		if (contract_set_field(c, key, s, err, sizeof(err)) == -1)
			return cmd_fail(r, "invalid_argument", "%s: %s", key,
			    err);
	}
	return 0;
}

static int
check_contract(struct contract *c, struct cmd_reply *r)
{
	const char	*field = NULL;
	char		 err[CONTRACT_ERRLEN];

	if (contract_check(c, &field, err, sizeof(err)) == -1)
		return cmd_fail(r, "invalid_argument", "%s: %s",
		    field ? field : "contract", err);
	return 0;
}

static int
contract_result(const struct contract *c, struct cmd_reply *r)
{
	r->result = json_pack("{s:o}", "contract", contract_to_json(c));
	return r->result == NULL ? cmd_fail(r, "internal", "out of memory") :
	    0;
}

/*
 * Fires what is due of new contract c, stored already: its coverage is
 * judged against every contract stored with it.
 */
static int
fire_new(struct contract *c, time_t now)
{
	struct contract_state	 cs;

	memset(&cs, 0, sizeof(cs));
	cs.silenced_until = DATE_NONE;
	return scheduler_evaluate(daemon_ctx->store, c, &cs, now, SCHED_NEW);
}

/*
 * Stores new contract c with its schedule; *due_now says whether some of
 * its alerts are due already, for fire_new once all are stored.
 */
static int
store_new(struct contract *c, time_t now, int *due_now)
{
	struct contract_state	 cs;

	memset(&cs, 0, sizeof(cs));
	if ((*due_now = scheduler_plan(c, now, &cs)) < 0)
		return STORE_ERROR;
	return store_contract_insert(daemon_ctx->store, c, &cs, now);
}

/*
 * Adds new contract c in the caller's transaction, inserted with its
 * schedule, then settles its past alerts (the most recent of each
 * milestone still ahead fires).  Returns the number of alerts fired,
 * STORE_CONFLICT if the ref exists, or STORE_ERROR.
 */
static int
insert_contract(struct contract *c, time_t now)
{
	int	 due_now, rc;

	if ((rc = store_new(c, now, &due_now)) < 0)
		return rc;
	return due_now ? fire_new(c, now) : 0;
}

/* Inserts (or updates) c and evaluates its alerts, in one transaction. */
static int
save_contract(struct contract *c, struct contract_state *cs, int insert,
    struct cmd_reply *r)
{
	struct store		*st = daemon_ctx->store;
	time_t			 now = time(NULL);
	int			 rc;

	if (store_begin(st) == -1)
		return cmd_fail(r, "internal", "database error");
	if (insert)
		rc = insert_contract(c, now);
	else {
		rc = store_contract_update(st, c, now);
		if (rc == 0)
			rc = scheduler_evaluate(st, c, cs, now, SCHED_CATCHUP);
	}
	if (rc == STORE_CONFLICT)
		return cmd_abort(r, "conflict", "a contract with this ref "
		    "exists already");
	if (rc < 0)
		return cmd_abort(r, "internal", "database error");
	return cmd_commit(r);
}

static int
cmd_add_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "fields", NULL };
	struct contract		c;
	struct contract_state	cs;
	int			rc = -1;

	(void)peer;
	memset(&cs, 0, sizeof(cs));
	cs.silenced_until = DATE_NONE;
	contract_init(&c);
	if (cmd_arg_only(args, names, r) == 0 &&
	    apply_fields(&c, json_object_get(args, "fields"), 1, r) == 0 &&
	    check_contract(&c, r) == 0 && save_contract(&c, &cs, 1, r) == 0)
		rc = contract_result(&c, r);
	if (rc == -1 && r->code != NULL && strcmp(r->code, "conflict") == 0)
		cmd_fail(r, "conflict", "%s exists already", c.ref);
	contract_free(&c);
	return rc;
}

const struct cmd cmd_add = { "add", 1, cmd_add_exec, NULL };

static int
cmd_update_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "fields", NULL };
	struct contract		 c;
	struct contract_state	 cs;
	const char		*ref;
	int			 rc = -1;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1)
		return -1;
	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == 0 &&
	    apply_fields(&c, json_object_get(args, "fields"), 0, r) == 0 &&
	    check_contract(&c, r) == 0 && save_contract(&c, &cs, 0, r) == 0)
		rc = contract_result(&c, r);
	contract_free(&c);
	return rc;
}

const struct cmd cmd_update = { "update", 1, cmd_update_exec, NULL };

struct extend_args {
	const char	*ref;
	long		 months;
	int32_t		 until;
	int32_t		 decided_on;
	const char	*decision_ref;
	const char	*note;
};

static int
extend_args(json_t *args, struct extend_args *e, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "months", "until",
	    "decision_ref", "decided_on", "note", NULL };

	memset(e, 0, sizeof(*e));
	e->until = e->decided_on = DATE_NONE;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &e->ref, r) == -1 ||
	    cmd_arg_int(args, "months", 0, 1, 120, &e->months, r) == -1 ||
	    cmd_arg_date(args, "until", 0, &e->until, r) == -1 ||
	    cmd_arg_date(args, "decided_on", 0, &e->decided_on, r) == -1 ||
	    cmd_arg_str(args, "decision_ref", 0, &e->decision_ref, r) == -1 ||
	    cmd_arg_str(args, "note", 0, &e->note, r) == -1)
		return -1;
	if ((e->months != 0) == (e->until != DATE_NONE))
		return cmd_fail(r, "invalid_argument", "give months or until "
		    "(one of them)");
	return 0;
}

/* The new end, checked against the current end and the maximum extent. */
static int
extend_end(const struct contract *c, const struct extend_args *e,
    int32_t *new_end, struct cmd_reply *r)
{
	char	a[DATE_STRLEN], b[DATE_STRLEN];

	*new_end = e->months ? date_add_months(c->end_date, (int)e->months) :
	    e->until;
	if (*new_end == DATE_NONE)
		return cmd_fail(r, "invalid_argument", "cannot add %ld months",
		    e->months);
	if (*new_end <= c->end_date)
		return cmd_fail(r, "invalid_argument", "new end %s is not "
		    "after the current end %s", date_format(*new_end, a),
		    date_format(c->end_date, b));
	if (*new_end > c->max_end_date)
		return cmd_fail(r, "invalid_argument", "new end %s is after "
		    "the maximum extent %s", date_format(*new_end, a),
		    date_format(c->max_end_date, b));
	return 0;
}

static int
extend_save(struct peer *peer, struct contract *c, struct contract_state *cs,
    const struct extend_args *e, struct extension_rec *x,
    struct cmd_reply *r)
{
	struct store		*st = daemon_ctx->store;

	x->recorded_at = time(NULL);
	x->uid = (long)peer->uid;
	x->user = peer->user;
	x->decision_ref = e->decision_ref;
	x->note = e->note;
	c->end_date = x->new_end;
	if (store_begin(st) == -1)
		return cmd_fail(r, "internal", "database error");
	if (store_extension_add(st, c->ref, x) < 0 ||
	    store_contract_update(st, c, x->recorded_at) < 0 ||
	    (x->lapsed && store_contract_lapsed(st, c->ref, 1) < 0))
		return cmd_abort(r, "internal", "database error");
	cs->lapsed_extension |= x->lapsed;
	if (scheduler_evaluate(st, c, cs, x->recorded_at, SCHED_CATCHUP) < 0)
		return cmd_abort(r, "internal", "database error");
	return cmd_commit(r);
}

static int
cmd_extend_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	struct extend_args	e;
	struct extension_rec	x;
	struct contract		c;
	struct contract_state	cs;
	int			rc = -1;

	if (extend_args(args, &e, r) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	contract_init(&c);
	if (cmd_load(e.ref, &c, &cs, r) == 0 &&
	    extend_end(&c, &e, &x.new_end, r) == 0) {
		x.old_end = c.end_date;
		x.decided_on = e.decided_on != DATE_NONE ? e.decided_on :
		    cmd_today();
		/* The seed's case: decided after the term had ended. */
		x.lapsed = x.decided_on > x.old_end;
		if (extend_save(peer, &c, &cs, &e, &x, r) == 0) {
			r->result = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}",
			    "ref", c.ref, "old_end", cmd_date(x.old_end),
			    "new_end", cmd_date(x.new_end), "max_end_date",
			    cmd_date(c.max_end_date), "decided_on",
			    cmd_date(x.decided_on), "lapsed", x.lapsed);
			rc = 0;
		}
	}
	contract_free(&c);
	return rc;
}

const struct cmd cmd_extend = { "extend", 1, cmd_extend_exec, NULL };

static int
import_error(const struct csv_error *e, struct cmd_reply *r)
{
	if (e->column[0] != '\0' && e->value[0] != '\0')
		return cmd_fail(r, "invalid_argument", "row %zu, column %s, "
		    "value '%s': %s", e->row, e->column, e->value, e->reason);
	if (e->column[0] != '\0')
		return cmd_fail(r, "invalid_argument", "row %zu, column %s: "
		    "%s", e->row, e->column, e->reason);
	return cmd_fail(r, "invalid_argument", "row %zu: %s", e->row,
	    e->reason);
}

/* A contract to sort by ref: the first 16 bytes of it as two numbers. */
struct ref_sort {
	uint64_t	 key[2];
	struct contract	*c;
};

static int
ref_order(const void *a, const void *b)
{
	const struct ref_sort	*x = a, *y = b;

	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0] ? -1 : 1;
	if (x->key[1] != y->key[1])
		return x->key[1] < y->key[1] ? -1 : 1;
	return strcmp(x->c->ref, y->c->ref);
}

/* order[] as v[] in ref order; -1 out of memory. */
static int
import_sort(struct contract *v, size_t n, struct contract **order)
{
	struct ref_sort	*s;
	size_t		 i;

	if ((s = calloc(n ? n : 1, sizeof(*s))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		contract_ref_key(v[i].ref, s[i].key);
		s[i].c = &v[i];
	}
	qsort(s, n, sizeof(*s), ref_order);
	for (i = 0; i < n; i++)
		order[i] = s[i].c;
	free(s);
	return 0;
}

/* import_sort on a thread of its own, while the agenda's days are read. */
struct import_sorting {
	struct contract	 *v;
	size_t		  n;
	struct contract	**order;
	int		  rc;
	int		  threaded;
	pthread_t	  thread;
};

static void *
sort_main(void *arg)
{
	struct import_sorting	*s = arg;

	s->rc = import_sort(s->v, s->n, s->order);
	return NULL;
}

static void
sort_start(struct import_sorting *s, struct contract *v, size_t n,
    struct contract **order)
{
	s->v = v;
	s->n = n;
	s->order = order;
	s->threaded = thread_start(&s->thread, sort_main, s) == 0;
	if (!s->threaded)
		s->rc = import_sort(v, n, order);
}

/* order[] is done; -1 out of memory. */
static int
sort_wait(struct import_sorting *s)
{
	if (s->threaded)
		pthread_join(s->thread, NULL);
	return s->rc;
}

/*
 * Every thousand contracts of an import: the service manager hears that
 * the daemon is alive, what the heap grew by goes into huge pages, and
 * what the log got meanwhile starts for the disk, so that the commit
 * waits for less.
 */
static void
import_tick(void)
{
	sdnotify_alive();
	(void)heap_grown();
	store_writeback(daemon_ctx->store);
}

/*
 * Stores every contract in ref order, which keeps the table's B-tree
 * inserts local, each with the schedule worked out for it on the planning
 * thread, which also makes its coverage and agenda entries; due_now[]
 * marks those with alerts due already.
 */
static int
import_store(const struct contract *v, struct contract **order, size_t n,
    time_t now, struct import_plan *plan, char *due_now, struct cmd_reply *r)
{
	struct contract_state	 cs;
	size_t			 i;
	int			 rc = 0, d;

	for (i = 0; i < n && rc == 0; i++) {
		if ((i & 1023) == 0)
			import_tick();
		/*
		 * In ref order the contracts are all over the parse's memory:
		 * what the row binds is fetched a few rows ahead.
		 */
		if (i + 8 < n)
			__builtin_prefetch(order[i + 8]);
		if (i + 4 < n) {
			__builtin_prefetch(order[i + 4]->title);
			__builtin_prefetch(order[i + 4]->services);
			__builtin_prefetch(order[i + 4]->owner_email);
			__builtin_prefetch(order[i + 4]->supplier);
		}
		if ((d = import_plan_get(plan, i, &cs)) < 0)
			break;		/* rc 0, i < n: the plan failed */
		rc = store_contract_row(daemon_ctx->store, order[i], &cs, now);
		due_now[i] = (char)d;
	}
	if (rc == 0 && i < n)
		return cmd_fail(r, "internal", "row %zu, ref '%s': its schedule "
		    "or agenda entries could not be made (out of memory?)",
		    (size_t)(order[i] - v) + 2, order[i]->ref);
	if (rc == STORE_CONFLICT)
		return cmd_fail(r, "conflict", "row %zu, column ref, value "
		    "'%s': a contract with this ref exists already",
		    (size_t)(order[i - 1] - v) + 2, order[i - 1]->ref);
	if (rc < 0)
		return cmd_fail(r, "internal", "database error");
	return 0;
}

/*
 * Fires what is due of the contracts imported, all stored by now.
 */
static int
import_fire(struct contract **order, size_t n, time_t now,
    struct import_plan *plan, const char *due_now, int *fired,
    struct cmd_reply *r)
{
	size_t		 i;
	int		 k;

	import_plan_wait(plan);
	for (i = 0; i < n; i++) {
		if ((i & 1023) == 0)
			import_tick();
		if (!due_now[i])
			continue;
		k = fire_new(order[i], now);
		if (k < 0)
			return cmd_fail(r, "internal", "database error");
		*fired += k;
	}
	log_debug("%s: %d alerts fired", __func__, *fired);
	return 0;
}

/*
 * The import's transaction: the contracts sorted by ref on a thread while
 * this one reads the agenda's days they fall on, then the rows, the index,
 * the alerts due, the commit; -1 if it failed, rolled back.  t[1..4] are
 * when the sort, the rows, the index and the alerts were done.
 */
static int
import_txn(struct contract *v, struct contract **order, size_t n,
    char *due_now, int *fired, double t[5], struct cmd_reply *r)
{
	struct store		*st = daemon_ctx->store;
	struct import_plan	*plan = NULL;
	struct import_sorting	 sort;
	time_t			 now = time(NULL);
	int			 rebuild, rc;

	/* Large beside what is stored: build the indexes afterwards. */
	rebuild = n >= IMPORT_REBUILD_MIN &&
	    (long)n >= store_contract_count(st);
	if (rebuild)
		log_debug("%s: %zu contracts: the indexes are built after "
		    "the rows", __func__, n);
	if (store_begin(st) == -1)
		return cmd_fail(r, "internal", "database error");
	sort_start(&sort, v, n, order);
	rc = rebuild ? store_contract_indexes(st, 0) : 0;
	if (rc == 0)
		rc = store_import_begin(st, v, n);
	if (sort_wait(&sort) == -1 || rc != 0 ||
	    (plan = import_plan_start(order, n, now)) == NULL) {
		store_import_end(st);
		return cmd_abort(r, "internal", "out of memory or database "
		    "error");
	}
	(void)heap_grown();	/* the days' room, before the thread writes */
	t[1] = log_clock_ms();
	if (import_store(v, order, n, now, plan, due_now, r) == -1)
		goto fail;
	t[2] = log_clock_ms();
	if (rebuild && store_contract_indexes(st, 1) == -1)
		goto fail;
	t[3] = log_clock_ms();
	if (import_fire(order, n, now, plan, due_now, fired, r) == -1)
		goto fail;
	import_plan_end(plan);
	t[4] = log_clock_ms();
	import_tick();		/* before the commit's pages */
	return cmd_commit(r);
fail:
	/* The thread stopped before the days it writes are forgotten. */
	import_plan_end(plan);
	return cmd_abort(r, "internal", "database error");
}

/* Imports every contract in one transaction: all or nothing. */
static int
import_save(struct contract *v, size_t n, int *fired, struct cmd_reply *r)
{
	struct contract	**order;
	char		 *due_now;
	double		  t[5] = { 0 };
	int		  rc;

	order = calloc(n ? n : 1, sizeof(*order));
	due_now = calloc(n ? n : 1, 1);
	t[0] = log_clock_ms();
	if (order == NULL || due_now == NULL) {
		free(order);
		free(due_now);
		return cmd_fail(r, "internal", "out of memory");
	}
	heap_bulk(1);
	if ((rc = import_txn(v, order, n, due_now, fired, t, r)) == 0)
		log_debug("%s: %zu contracts: sorted and days read in %.0f "
		    "ms, rows %.0f, indexes %.0f, alerts %.0f, commit %.0f",
		    __func__, n, t[1] - t[0], t[2] - t[1], t[3] - t[2],
		    t[4] - t[3], log_clock_ms() - t[4]);
	sdnotify_alive();
	heap_bulk(0);
	free(order);
	free(due_now);
	return rc;
}

/*
 * A chunk may say where in the upload it goes ("offset"): after a chunk
 * was refused, and the upload dropped, the chunks a client had sent ahead
 * are refused too instead of starting a shorter file.
 */
static int
import_offset(json_t *args, size_t have, struct cmd_reply *r)
{
	long	off;

	if (json_object_get(args, "offset") == NULL)
		return 0;
	if (cmd_arg_int(args, "offset", 0, 0, IMPORT_MAX, &off, r) == -1)
		return -1;
	if ((size_t)off != have)
		return cmd_fail(r, "invalid_argument", "a chunk at offset %ld, "
		    "but the upload has %zu bytes", off, have);
	return 0;
}

/*
 * Parses a chunk into the connection's upload; -1 (the upload dropped)
 * if the chunk or the text so far is refused.
 */
static int
import_chunk(struct csv_import **up, json_t *args, int more,
    struct cmd_reply *r)
{
	static const char *const names[] = { "csv", "more", "offset", NULL };
	struct csv_error	 e;
	const char		*csv;
	size_t			 have, len;

	if (*up == NULL && (*up = csv_import_new()) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	have = csv_import_fed(*up);
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "csv", 1, &csv, r) == -1 ||
	    import_offset(args, have, r) == -1)
		return -1;
	len = json_string_length(json_object_get(args, "csv"));
	if (have + len > IMPORT_MAX)
		return cmd_fail(r, "too_large", "an import is at most %ld "
		    "bytes", IMPORT_MAX);
	if (csv_import_feed(*up, csv, len, !more, &e) == -1)
		return import_error(&e, r);
	return 0;
}

/*
 * An import's contracts, freed a moment after its answer went out, and
 * the memory of the import given back: at a million contracts that takes
 * about half a second, which the client need not wait for.
 */
#define IMPORT_SPENT_USEC	50000

static struct {
	struct contract	*v;
	size_t		 n;
	struct event	*ev;
} spent;

static void
spent_free(void)
{
	csv_contracts_free(spent.v, spent.n);
	spent.v = NULL;
	spent.n = 0;
	malloc_trim(0);
}

static void
spent_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	spent_free();
}

static void
import_spent(struct contract *v, size_t n)
{
	struct timeval	tv = { 0, IMPORT_SPENT_USEC };

	if (spent.v != NULL)
		csv_contracts_free(spent.v, spent.n);
	spent.v = v;
	spent.n = n;
	if (spent.ev == NULL)
		spent.ev = evtimer_new(daemon_ctx->base, spent_cb, NULL);
	if (spent.ev == NULL || evtimer_add(spent.ev, &tv) == -1)
		spent_free();
}

void
cmd_import_release(void)
{
	if (spent.v != NULL)
		spent_free();
	if (spent.ev != NULL)
		event_free(spent.ev);
	spent.ev = NULL;
}

/* Imports the connection's whole upload in one transaction. */
static int
import_finish(struct peer *peer, struct csv_import **up,
    struct cmd_reply *r)
{
	struct contract	*v;
	size_t		 n;
	double		 t0;
	int		 fired = 0, rc;

	v = csv_import_take(*up, &n);
	csv_import_free(*up);
	*up = NULL;
	t0 = log_clock_ms();
	rc = import_save(v, n, &fired, r);
	import_spent(v, n);
	if (rc == -1)
		return -1;
	log_info("%s: %zu contracts imported by %s, %d alerts fired "
	    "(stored in %.0f ms)", __func__, n, peer->user, fired,
	    log_clock_ms() - t0);
	r->result = json_pack("{s:I, s:i}", "imported", (json_int_t)n,
	    "fired", fired);
	return 0;
}

/*
 * The CSV text as the request's data ({"bytes": N}, then N bytes): parsed
 * as it comes, imported after the last byte.  A refused row ends the
 * parse; the rest of the data is dropped.
 */
static int
import_body(struct peer *peer, const char *p, size_t n, int last,
    struct cmd_reply *r)
{
	struct csv_import	**up = control_upload(peer->conn);
	struct csv_error	  e;

	if (csv_import_feed(*up, p, n, last, &e) == -1) {
		import_error(&e, r);
		csv_import_free(*up);
		*up = NULL;
		return 1;
	}
	if (!last)
		return 0;
	(void)import_finish(peer, up, r);
	return 1;
}

/* {"bytes": N}: the file follows the request line. */
static int
import_bytes(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "bytes", NULL };
	struct csv_import	**up = control_upload(peer->conn);
	long			  n;

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "bytes", 1, 0, LONG_MAX, &n, r) == -1)
		return -1;
	if (n > IMPORT_MAX)
		return cmd_fail(r, "too_large", "an import is at most %ld "
		    "bytes", IMPORT_MAX);
	if (*up != NULL)
		return cmd_fail(r, "conflict", "an upload in chunks is in "
		    "progress on this connection");
	if ((*up = csv_import_new()) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	if (n == 0)
		return import_body(peer, "", 0, 1, r) && r->code != NULL ?
		    -1 : 0;
	r->body = (size_t)n;
	return 0;
}

/*
 * import: the CSV text either follows the request line as its data
 * ("bytes"), or comes in chunks ("csv", "more": true), since a request
 * line is at most 64 KiB; either way it is parsed as it comes, and the
 * whole file is imported in one transaction.
 */
static int
cmd_import_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	struct csv_import	**up = control_upload(peer->conn);
	int			  more;

	if (json_object_get(args, "bytes") != NULL)
		return import_bytes(peer, args, r);
	more = json_is_true(json_object_get(args, "more"));
	if (import_chunk(up, args, more, r) == -1) {
		/* A refused chunk ends the upload: nothing of it stays. */
		csv_import_free(*up);
		*up = NULL;
		return -1;
	}
	if (more) {
		r->no_audit = 1;
		r->result = json_pack("{s:I}", "received",
		    (json_int_t)csv_import_fed(*up));
		return 0;
	}
	return import_finish(peer, up, r);
}

const struct cmd cmd_import = { "import", 1, cmd_import_exec, import_body };

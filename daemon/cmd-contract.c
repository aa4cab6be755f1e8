/*
 * Commands about contracts: list, show, history, add, update, extend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contract-json.h"
#include "contractd.h"
#include "import.h"
#include "scheduler.h"
#include "store.h"

#define LIST_DEFAULT	1000
#define LIST_MAX	100000

int32_t
cmd_today(void)
{
	int32_t	today = 0;

	(void)date_of_instant(time(NULL), daemon_ctx->conf->timezone, &today);
	return today;
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
	switch (store_contract_get(cmd_store(), ref, c, cs)) {
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

/*
 * The contract's next milestone: the earliest overdue one, else the
 * earliest due today or later (a coverage gap is due with the term's
 * end, so it is left out here).
 */
static json_t *
next_milestone(const struct contract *c, int32_t today)
{
	struct engine_peers	p = scheduler_peers(cmd_store(), NULL);
	struct milestone	ms[MS_NKINDS], *best = NULL;
	size_t			n, i;

	if ((n = cmd_overdue(cmd_store(), c, today, ms)) == 0) {
		n = engine_milestones(c, &daemon_ctx->conf->alerts, &p, ms);
		for (i = 0; i < n; i++)
			if (ms[i].due >= today && (best == NULL ||
			    ms[i].due < best->due))
				best = &ms[i];
	} else
		best = &ms[0];
	if (best == NULL)
		return json_null();
	return json_pack("{s:s, s:o, s:i, s:b}", "milestone",
	    milestone_name(best->kind), "due", date_json(best->due),
	    "days_left", (int)(best->due - today), "overdue", n > 0 &&
	    best->due < today);
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

/* The filters of list, checked; NULL or DATE_NONE when not given. */
static int
list_filter(json_t *args, struct contract_filter *f, struct cmd_reply *r)
{
	enum contract_kind	 k;

	memset(f, 0, sizeof(*f));
	f->ending_before = f->ending_after = DATE_NONE;
	if (cmd_arg_str(args, "owner", 0, &f->owner, r) == -1 ||
	    cmd_arg_str(args, "kind", 0, &f->kind, r) == -1 ||
	    cmd_arg_str(args, "supplier", 0, &f->supplier, r) == -1 ||
	    cmd_arg_str(args, "service", 0, &f->service, r) == -1 ||
	    cmd_arg_date(args, "ending_before", 0, &f->ending_before, r) ==
	    -1 ||
	    cmd_arg_date(args, "ending_after", 0, &f->ending_after, r) == -1)
		return -1;
	if (f->kind != NULL && contract_kind_parse(f->kind, &k) == -1)
		return cmd_fail(r, "invalid_argument", "kind: not a kind "
		    "(contract, framework, dps, call-off): %s", f->kind);
	if ((f->owner != NULL && *f->owner == '\0') ||
	    (f->supplier != NULL && *f->supplier == '\0') ||
	    (f->service != NULL && *f->service == '\0'))
		return cmd_fail(r, "invalid_argument", "owner, supplier and "
		    "service must not be empty when given");
	return 0;
}

static int
cmd_list_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "limit", "after", "owner",
	    "kind", "supplier", "service", "ending_before", "ending_after",
	    NULL };
	struct contract_filter	 f;
	struct list_ctx		 l;
	const char		*after = "";
	long			 limit = LIST_DEFAULT;
	int			 n;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "limit", 0, 1, LIST_MAX, &limit, r) == -1 ||
	    cmd_arg_str(args, "after", 0, &after, r) == -1 ||
	    list_filter(args, &f, r) == -1)
		return -1;
	l.a = json_array();
	l.today = cmd_today();
	n = store_contract_find(cmd_store(), &f, after, limit + 1, list_one,
	    &l);
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
	const struct alert_conf	*conf = &daemon_ctx->conf->alerts;
	struct engine_peers	 p = scheduler_peers(cmd_store(),
				    store_covered);
	struct milestone	 ms[MS_NKINDS];
	char			 unc[1024];
	json_t			*a = json_array(), *o;
	size_t			 n, i;
	int			 acked;

	n = engine_milestones(c, conf, &p, ms);
	for (i = 0; i < n; i++) {
		acked = store_acked(cmd_store(), c->ref,
		    milestone_name(ms[i].kind), ms[i].due) == 1;
		o = json_pack("{s:s, s:o, s:i, s:b, s:b}", "milestone",
		    milestone_name(ms[i].kind), "due", date_json(ms[i].due),
		    "days_left", (int)(ms[i].due - today), "acked", acked,
		    "overdue", !acked && engine_overdue(c, &ms[i], today,
		    conf) > 0);
		if (o != NULL && ms[i].kind == MS_COVERAGE_GAP) {
			engine_uncovered(c, store_covered, cmd_store(),
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
		    date_json(cs.silenced_until));
		json_object_set_new(o, "lapsed_extension",
		    json_boolean(cs.lapsed_extension));
		json_object_set_new(o, "next_alert", cmd_instant(cs.next_fire));
		json_object_set_new(o, "milestones",
		    show_milestones(&c, cmd_today()));
		json_object_set_new(o, "warnings", cmd_warnings(&c));
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
	    "s:s?, s:b, s:o, s:s?}", "old_end", date_json(e->old_end),
	    "new_end", date_json(e->new_end), "decided_on",
	    date_json(e->decided_on), "decision_ref", e->decision_ref, "note",
	    e->note, "lapsed", e->lapsed, "recorded_at",
	    cmd_instant(e->recorded_at), "user", e->user));
}

static int
history_close(void *arg, const struct closure_rec *e)
{
	return json_array_append_new(arg, json_pack("{s:o, s:o, s:s?, s:o, "
	    "s:s?}", "old_end", date_json(e->old_end), "closed_on",
	    date_json(e->closed_on), "reason", e->reason, "recorded_at",
	    cmd_instant(e->recorded_at), "user", e->user));
}

static int
history_alert(void *arg, const struct alert_rec *a)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:o, s:i, "
	    "s:o, s:s, s:b, s:o}", "key", a->key, "milestone", a->kind,
	    "due", date_json(a->due), "offset_days", a->offset, "fire_at",
	    cmd_instant(a->fire_at), "state", a->state, "late", a->late,
	    "at", cmd_instant(a->at)));
}

static int
history_ack(void *arg, const struct ack_rec *a)
{
	return json_array_append_new(arg, json_pack("{s:s, s:o, s:s?, s:s?, "
	    "s:o, s:b}", "milestone", a->kind, "due", date_json(a->due),
	    "note", a->note, "user", a->user, "at", cmd_instant(a->at),
	    "added_note", a->again));
}

/*
 * Alerts of the current schedule up to the contract's horizon that are
 * not in the history were skipped when it was added, or merged into
 * another of the same instant: listed as such.
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
	n = scheduler_implied(cmd_store(), &c, v);
	for (i = 0; i < n && v[i].fire <= cs.horizon; i++) {
		engine_alert_key(c.ref, &v[i], key, sizeof(key));
		if (store_alert_known(cmd_store(), key) != 0)
			continue;
		json_array_append_new(al, json_pack("{s:s, s:s, s:o, s:i, "
		    "s:o, s:s, s:b, s:n}", "key", key, "milestone",
		    milestone_name(v[i].kind), "due", date_json(v[i].due),
		    "offset_days", v[i].offset, "fire_at",
		    cmd_instant(v[i].fire), "state", v[i].merged ? "merged" :
		    "skipped", "late", 0, "at"));
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
	struct store	*st = cmd_store();
	const char	*ref;
	json_t		*ext = json_array(), *al = json_array();
	json_t		*ack = json_array(), *cl = json_array();
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
	    store_ack_each(st, ref, history_ack, ack) < 0 ||
	    store_closure_each(st, ref, history_close, cl) < 0) {
		cmd_fail(r, "internal", "database error");
		goto fail;
	}
	if (history_implied(ref, al, r) == -1)
		goto fail;
	json_array_sort_by_fire(al);
	r->result = json_pack("{s:s, s:o, s:o, s:o, s:o}", "ref", ref,
	    "extensions", ext, "closes", cl, "alerts", al, "acks", ack);
	return 0;
fail:
	json_decref(cl);
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
		if (!allow_ref && (strcmp(key, "closed_on") == 0 ||
		    strcmp(key, "closed_reason") == 0))
			return cmd_fail(r, "invalid_argument", "%s: a "
			    "contract is closed with close, not update", key);
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

json_t *
cmd_successor_warning(const char *ref, const char *successor)
{
	json_t	*w;
	char	*s;

	if (asprintf(&s, "%s%s%s is not a contract yet: procurement alerts "
	    "stay until it is", ref ? ref : "", ref ? ": " : "",
	    successor) == -1)
		return NULL;
	w = json_string(s);
	free(s);
	return w;
}

/* What a person should know of c as stored: a successor not there yet. */
json_t *
cmd_warnings(const struct contract *c)
{
	json_t	*a = json_array();

	if (c->successor_ref != NULL && *c->successor_ref != '\0' &&
	    store_contract_exists(cmd_store(), c->successor_ref) ==
	    STORE_NOTFOUND)
		json_array_append_new(a, cmd_successor_warning(NULL,
		    c->successor_ref));
	return a;
}

static int
contract_result(const struct contract *c, struct cmd_reply *r)
{
	r->result = json_pack("{s:o, s:o}", "contract", contract_to_json(c),
	    "warnings", cmd_warnings(c));
	return r->result == NULL ? cmd_fail(r, "internal", "out of memory") :
	    0;
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
	struct contract_state	 cs;
	int			 due_now, rc;

	memset(&cs, 0, sizeof(cs));
	if ((due_now = scheduler_plan(c, now, &cs)) < 0)
		return STORE_ERROR;
	if ((rc = store_contract_insert(daemon_ctx->store, c, &cs, now)) < 0)
		return rc;
	return due_now ? scheduler_new(daemon_ctx->store, c, now) : 0;
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
	else if ((rc = scheduler_keep_implied(st, c->ref, now)) == 0 &&
	    (rc = store_contract_update(st, c, now)) == 0)
		rc = scheduler_evaluate(st, c, cs, now, SCHED_CHANGED);
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

	if (c->closed_on != DATE_NONE)
		return cmd_fail(r, "conflict", "%s was closed on %s: a closed "
		    "contract is not extended", c->ref, date_format(c->closed_on,
		    a));
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
	if (scheduler_keep_implied(st, c->ref, x->recorded_at) < 0 ||
	    store_extension_add(st, c->ref, x) < 0 ||
	    store_contract_update(st, c, x->recorded_at) < 0 ||
	    (x->lapsed && store_contract_lapsed(st, c->ref, 1) < 0))
		return cmd_abort(r, "internal", "database error");
	cs->lapsed_extension |= x->lapsed;
	if (scheduler_evaluate(st, c, cs, x->recorded_at, SCHED_CHANGED) < 0)
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
			    "ref", c.ref, "old_end", date_json(x.old_end),
			    "new_end", date_json(x.new_end), "max_end_date",
			    date_json(c.max_end_date), "decided_on",
			    date_json(x.decided_on), "lapsed", x.lapsed);
			rc = 0;
		}
	}
	contract_free(&c);
	return rc;
}

const struct cmd cmd_extend = { "extend", 1, cmd_extend_exec, NULL };

/*
 * close: a contract ends early (terminated, or replaced before its end).
 *
 * Its end_date becomes the closing day and closed_on says so; the end it
 * had is kept in the closures table, its history.  The engine then gives
 * it no extension deadline and no procurement start, and the scheduler
 * re-arms it as for any change of dates: alerts after its new end go.
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

/* The first close of a contract, for the message that refuses another. */
static int
close_first(void *arg, const struct closure_rec *e)
{
	struct closure_rec	*first = arg;

	if (first->recorded_at == 0) {
		*first = *e;
		first->reason = first->user = NULL;	/* not kept */
	}
	return 0;
}

/*
 * A conflict naming the close c had already: when, and why.  A contract
 * imported closed has no close recorded here.
 */
static int
close_twice(const struct contract *c, struct cmd_reply *r)
{
	struct closure_rec	 first;
	json_t			*at;
	const char		*why = c->closed_reason;
	char			 d[DATE_STRLEN], rec[64] = "";

	memset(&first, 0, sizeof(first));
	(void)store_closure_each(cmd_store(), c->ref, close_first, &first);
	at = cmd_instant(first.recorded_at);
	if (json_is_string(at))
		snprintf(rec, sizeof(rec), " (recorded %s)",
		    json_string_value(at));
	json_decref(at);
	return cmd_fail(r, "conflict", "%s was closed already, on %s%s%s%s",
	    c->ref, date_format(c->closed_on, d), rec, why ? ": " : "",
	    why ? why : "");
}

int
cmd_close_apply(struct contract *c, int32_t on, const char *reason,
    struct cmd_reply *r)
{
	char	 a[DATE_STRLEN], b[DATE_STRLEN], err[CONTRACT_ERRLEN];

	if (c->closed_on != DATE_NONE)
		return close_twice(c, r);
	if (on > c->end_date)
		return cmd_fail(r, "invalid_argument", "closing date %s is "
		    "after the current end %s: use extend to move the end "
		    "later", date_format(on, a), date_format(c->end_date, b));
	if (c->start_date != DATE_NONE && on < c->start_date)
		return cmd_fail(r, "invalid_argument", "closing date %s is "
		    "before the start %s", date_format(on, a),
		    date_format(c->start_date, b));
	if (reason != NULL && contract_set_field(c, "closed_reason", reason,
	    err, sizeof(err)) == -1)
		return cmd_fail(r, "invalid_argument", "reason: %s", err);
	c->end_date = c->closed_on = on;
	return 0;
}

static int
close_save(struct contract *c, struct contract_state *cs,
    const struct closure_rec *x, struct cmd_reply *r)
{
	struct store	*st = daemon_ctx->store;

	if (store_begin(st) == -1)
		return cmd_fail(r, "internal", "database error");
	if (scheduler_keep_implied(st, c->ref, x->recorded_at) < 0 ||
	    store_closure_add(st, c->ref, x) < 0 ||
	    store_contract_update(st, c, x->recorded_at) < 0 ||
	    scheduler_evaluate(st, c, cs, x->recorded_at, SCHED_CHANGED) < 0)
		return cmd_abort(r, "internal", "database error");
	return cmd_commit(r);
}

static int
cmd_close_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "ref", "on", "reason", NULL };
	struct closure_rec	 x;
	struct contract		 c;
	struct contract_state	 cs;
	const char		*ref, *reason = NULL;
	int32_t			 on = DATE_NONE;
	int			 rc = -1;

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "ref", 1, &ref, r) == -1 ||
	    cmd_arg_date(args, "on", 1, &on, r) == -1 ||
	    cmd_arg_str(args, "reason", 0, &reason, r) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	contract_init(&c);
	if (cmd_load(ref, &c, &cs, r) == 0) {
		x.old_end = c.end_date;
		if (cmd_close_apply(&c, on, reason, r) == 0) {
			x.closed_on = on;
			x.reason = c.closed_reason;
			x.recorded_at = time(NULL);
			x.uid = (long)peer->uid;
			x.user = peer->user;
			rc = close_save(&c, &cs, &x, r);
		}
	}
	if (rc == 0 && (r->result = json_pack("{s:s, s:o, s:o, s:s?}", "ref",
	    c.ref, "old_end", date_json(x.old_end), "closed_on",
	    date_json(on), "reason", c.closed_reason)) == NULL)
		rc = cmd_fail(r, "internal", "out of memory");
	contract_free(&c);
	return rc;
}

const struct cmd cmd_close = { "close", 1, cmd_close_exec, NULL };

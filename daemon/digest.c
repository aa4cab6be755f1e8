/*
 * The weekly digest ([digest]): once a week, on its day and time, every
 * recipient of a contract (its owner and the addresses of its notify
 * list) gets one message listing the milestones of their contracts that
 * are overdue or due within horizon_days, soonest first.  The digests go
 * into the outbox in one transaction with the store's note of the week
 * done (meta "digest_week"), under keys digest/RECIPIENT/YYYY-Www: a
 * restart neither repeats a week's digest nor loses one, since a digest
 * whose instant passed while the daemon was down is made at start, as
 * long as its week lasts.  The first digest a database sees (at start, or
 * at the reload that configures it) is the first whose instant is still
 * ahead.  The scheduler asks when the next is due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert-json.h"
#include "commands.h"
#include "contract-json.h"
#include "contractd.h"
#include "digest.h"
#include "dispatch.h"
#include "scheduler.h"
#include "store.h"

#define META_DIGEST_WEEK	"digest_week"
#define DIGEST_WEEKLEN		16	/* "2025-W14" and room */

/* One milestone of the digests, and whom it goes to. */
struct digest_item {
	int32_t		 due;
	int		 kind;
	char		*ref;
	char		*rcpts;		/* owner;notify */
	json_t		*json;		/* alert-shaped */
};

struct digest_run {
	struct store		*st;
	int32_t			 today;
	int32_t			 to;
	struct digest_item	*v;
	size_t			 n;
	size_t			 cap;
};

static const struct digest_conf *
digest_conf(void)
{
	return &daemon_ctx->conf->digest;
}

/* The day of this week's digest, for now's local date. */
static int32_t
digest_day(time_t now)
{
	int32_t	today = 0;

	(void)date_of_instant(now, daemon_ctx->conf->timezone, &today);
	return today - date_weekday(today) + digest_conf()->weekday;
}

static void
digest_week(int32_t day, char buf[DIGEST_WEEKLEN])
{
	int	year, week;

	date_iso_week(day, &year, &week);
	snprintf(buf, DIGEST_WEEKLEN, "%04d-W%02d", year, week);
}

/* Whether the digest of the week of day is in the outbox already. */
static int
digest_done(struct store *st, int32_t day)
{
	char	want[DIGEST_WEEKLEN], have[DIGEST_WEEKLEN];

	digest_week(day, want);
	return store_meta_get(st, META_DIGEST_WEEK, have, sizeof(have)) ==
	    STORE_FOUND && strcmp(have, want) == 0;
}

time_t
digest_next(struct store *st, time_t now)
{
	int32_t	day;
	time_t	t;

	if (digest_conf()->channels == NULL)
		return 0;
	day = digest_day(now);
	if (digest_done(st, day))
		day += 7;
	if (date_local_instant(day, digest_conf()->minute,
	    daemon_ctx->conf->timezone, &t) == -1)
		return 0;
	return t;
}

void
digest_start(struct store *st, time_t now)
{
	char	have[DIGEST_WEEKLEN], week[DIGEST_WEEKLEN];
	int32_t	day = digest_day(now);
	time_t	t;

	if (digest_conf()->channels == NULL || store_meta_get(st,
	    META_DIGEST_WEEK, have, sizeof(have)) != STORE_NOTFOUND)
		return;
	/* The first digest is the first due from now on: none is missed. */
	if (date_local_instant(day, digest_conf()->minute,
	    daemon_ctx->conf->timezone, &t) == -1 || t > now)
		day -= 7;
	digest_week(day, week);
	if (store_meta_set(st, META_DIGEST_WEEK, week) != 0)
		log_warnx("%s: cannot note the digest week", __func__);
}

static void
digest_items_free(struct digest_run *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].ref);
		free(r->v[i].rcpts);
		json_decref(r->v[i].json);
	}
	free(r->v);
}

/* Adds milestone m of c (whose JSON is cj); -1 if memory is short. */
static int
digest_add(struct digest_run *r, const struct contract *c, json_t *cj,
    const struct milestone *m, int acked, int overdue)
{
	struct digest_item	*v;
	size_t			 cap;

	if (r->n == r->cap) {
		cap = r->cap ? r->cap * 2 : 256;
		if ((v = reallocarray(r->v, cap, sizeof(*v))) == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	v = &r->v[r->n];
	v->due = m->due;
	v->kind = (int)m->kind;
	v->ref = strdup(c->ref);
	if (asprintf(&v->rcpts, "%s;%s", c->owner_email ? c->owner_email : "",
	    c->notify ? c->notify : "") == -1)
		v->rcpts = NULL;
	v->json = alert_json_digest_item(cj, c, m, r->today, acked, overdue);
	r->n++;
	return v->ref != NULL && v->rcpts != NULL && v->json != NULL ? 0 : -1;
}

/* The milestones of c due within the horizon. */
static int
digest_ahead(void *arg, struct contract *c, struct contract_state *cs)
{
	struct digest_run	*r = arg;
	struct milestone	 ms[MS_NKINDS];
	struct engine_peers	 p;
	json_t			*cj;
	size_t			 n, i;
	int			 acked, rc = 0;

	(void)cs;
	/* A gap is due on the end: coverage asked only if that is in range. */
	p = scheduler_peers(r->st, c->end_date >= r->today &&
	    c->end_date <= r->to ? store_covered : NULL);
	n = engine_milestones(c, &daemon_ctx->conf->alerts, &p, ms);
	if ((cj = contract_to_json(c)) == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		if (ms[i].due < r->today || ms[i].due > r->to)
			continue;
		if ((acked = store_acked(r->st, c->ref,
		    milestone_name(ms[i].kind), ms[i].due)) < 0)
			rc = -1;
		else
			rc = digest_add(r, c, cj, &ms[i], acked > 0, 0);
	}
	json_decref(cj);
	return rc;
}

/* The overdue milestones of c, unacknowledged by definition. */
static int
digest_overdue(void *arg, struct contract *c, struct contract_state *cs)
{
	struct digest_run	*r = arg;
	struct milestone	 ms[MS_NKINDS];
	json_t			*cj;
	size_t			 n, i;
	int			 rc = 0;

	(void)cs;
	if ((n = cmd_overdue(r->st, c, r->today, ms)) == 0)
		return 0;
	if ((cj = contract_to_json(c)) == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = digest_add(r, c, cj, &ms[i], 0, engine_overdue(c, &ms[i],
		    r->today, &daemon_ctx->conf->alerts));
	json_decref(cj);
	return rc;
}

/* Soonest first; then by ref and kind, as the agenda. */
static int
digest_cmp(const void *a, const void *b)
{
	const struct digest_item	*x = a, *y = b;
	int				 rc;

	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	if ((rc = strcmp(x->ref, y->ref)) != 0)
		return rc;
	return x->kind - y->kind;
}

/* Each recipient's milestones, in order: an object of arrays. */
static json_t *
digest_group(const struct digest_run *r)
{
	json_t		*by, *a;
	const char	*p, *it;
	char		*addr;
	size_t		 i, len;
	int		 rc = 0;

	if ((by = json_object()) == NULL)
		return NULL;
	for (i = 0; i < r->n && rc == 0; i++)
		for (p = r->v[i].rcpts; rc == 0 &&
		    contract_service_next(&p, &it, &len);) {
			/* An address listed twice gets one copy. */
			if (!contract_service_first(r->v[i].rcpts, it, len))
				continue;
			if ((addr = strndup(it, len)) == NULL) {
				rc = -1;
				break;
			}
			if ((a = json_object_get(by, addr)) == NULL &&
			    json_object_set_new(by, addr, a = json_array()) ==
			    -1)
				rc = -1;
			else if (json_array_append(a, r->v[i].json) == -1)
				rc = -1;
			free(addr);
		}
	if (rc == -1) {
		json_decref(by);
		return NULL;
	}
	return by;
}

/* Every recipient's digest into the outbox; how many, or -1. */
static int
digest_enqueue(struct store *st, json_t *by, int32_t day, time_t now)
{
	struct alert_digest	 dg;
	const char		*addr;
	json_t			*items;
	char			 week[DIGEST_WEEKLEN], *key, *text;
	int			 n = 0, rc;

	digest_week(day, week);
	dg.week = week;
	dg.horizon_days = digest_conf()->horizon_days;
	dg.now = now;
	dg.tz = daemon_ctx->conf->timezone;
	json_object_foreach(by, addr, items) {
		if (asprintf(&key, "digest/%s/%s", addr, week) == -1)
			return -1;
		dg.key = key;
		dg.recipient = addr;
		text = alert_json_text(alert_json_digest(&dg,
		    json_incref(items)));
		rc = text != NULL ? dispatch_enqueue_digest(st, key, addr,
		    text, now) : -1;
		free(text);
		free(key);
		if (rc == -1)
			return -1;
		n++;
	}
	return store_meta_set(st, META_DIGEST_WEEK, week) == 0 ? n : -1;
}

/* The digests of the week of day; how many, or -1. */
static int
digest_make(struct store *st, int32_t day, time_t now)
{
	struct digest_run	 r;
	json_t			*by = NULL;
	int			 n = -1;

	memset(&r, 0, sizeof(r));
	r.st = st;
	(void)date_of_instant(now, daemon_ctx->conf->timezone, &r.today);
	r.to = r.today + digest_conf()->horizon_days;
	if (cmd_window_each(st, r.today, r.to, digest_ahead, &r) >= 0 &&
	    cmd_overdue_each(st, r.today, digest_overdue, &r) >= 0) {
		if (r.n > 1)
			qsort(r.v, r.n, sizeof(r.v[0]), digest_cmp);
		if ((by = digest_group(&r)) != NULL)
			n = digest_enqueue(st, by, day, now);
	}
	json_decref(by);
	digest_items_free(&r);
	return n;
}

int
digest_run(struct store *st, time_t now)
{
	time_t	 t;
	int32_t	 day;
	int	 n;

	if ((t = digest_next(st, now)) == 0 || t > now)
		return 0;
	day = digest_day(now);
	if (store_begin(st) == -1)
		return -1;
	if ((n = digest_make(st, day, now)) < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	log_info("%s: weekly digest: %d recipient%s", __func__, n,
	    n == 1 ? "" : "s");
	return n;
}

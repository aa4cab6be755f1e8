/*
 * The scheduler.
 *
 * Nothing is materialized per future alert: each contract keeps a horizon
 * (alerts with fire instants up to it are settled: fired, skipped or
 * implied skipped) and its next fire instant, which is indexed.  The
 * timer is armed for the smallest next fire instant (or delivery retry);
 * on wake, the contracts due are evaluated in batches, each batch one
 * transaction that records fired alerts and their deliveries together.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "contractd.h"
#include "digest.h"
#include "dispatch.h"
#include "scheduler.h"
#include "sdnotify.h"
#include "store.h"

#define SCHED_BATCH	2000	/* contracts per transaction and loop turn */

static struct {
	struct event		*timer;
	struct event		*batch;		/* re-evaluation of all */
	struct event		*clock;		/* timerfd: wall clock set */
	int			 tfd;
	char			 rearm_after[CONTRACT_REF_MAX + 1];
} sched = { .tfd = -1 };

static struct alert_conf *
sched_conf(void)
{
	return &daemon_ctx->conf->alerts;
}

static int
sched_exists(void *arg, const char *ref)
{
	return store_contract_exists(arg, ref) == STORE_FOUND;
}

struct engine_peers
scheduler_peers(struct store *st, engine_covered_fn covered)
{
	struct engine_peers	 p = { covered, sched_exists, st };

	if (st == NULL)
		p.exists = NULL;
	return p;
}

int
scheduler_alerts(const struct contract *c, const struct engine_peers *p,
    struct alert *out, size_t max)
{
	struct milestone	ms[MS_NKINDS];
	size_t			n;

	n = engine_milestones(c, sched_conf(), p, ms);
	return engine_alerts(ms, n, sched_conf(), out, max);
}

/* Both alerts belong to one milestone. */
static int
same_milestone(const struct alert *a, const struct alert *b)
{
	return a->kind == b->kind && a->due == b->due;
}

static int
sched_overdue(const struct contract *c, const struct alert *a, int32_t today)
{
	struct milestone	m = { a->kind, a->due };

	return engine_overdue(c, &m, today, sched_conf());
}

static int
sched_record(struct store *st, const struct contract *c,
    const struct alert *a, const char *state, int late, time_t now)
{
	struct alert_rec	r;
	char			key[ALERT_KEYLEN];

	engine_alert_key(c->ref, a, key, sizeof(key));
	memset(&r, 0, sizeof(r));
	r.key = key;
	r.kind = milestone_name(a->kind);
	r.due = a->due;
	r.offset = a->offset;
	r.fire_at = a->fire;
	r.state = state;
	r.late = late;
	r.at = now;
	return store_alert_record(st, c->ref, &r);
}

/*
 * Fires alert a of c: records it and puts its deliveries in the outbox, in
 * the caller's transaction.  A coverage_gap alert fires only if a service
 * is still uncovered now.  Returns 1 fired, 0 not, -1 error.
 */
static int
sched_fire(struct store *st, const struct contract *c,
    struct contract_state *cs, const struct alert *a, time_t now,
    int32_t today)
{
	char	uncovered[1024] = "";
	int	late = now - a->fire > SCHED_LATE_GRACE;

	if (a->kind == MS_COVERAGE_GAP && engine_uncovered(c, store_covered,
	    st, uncovered, sizeof(uncovered)) == 0)
		return 0;
	if (sched_record(st, c, a, "fired", late, now) < 0 ||
	    dispatch_enqueue(st, c, cs, a, uncovered, late,
	    sched_overdue(c, a, today), now) == -1)
		return -1;
	if (cs->lapsed_extension) {
		cs->lapsed_extension = 0;
		if (store_contract_lapsed(st, c->ref, 0) < 0)
			return -1;
	}
	return 1;
}

/*
 * Whether past alert v[i] is the one of its milestone that fires: the
 * most recent due by now, of a milestone still ahead or overdue.
 */
static int
sched_fires(const struct contract *c, const struct alert *v, int n, int i,
    time_t now, int32_t today)
{
	struct milestone	m = { v[i].kind, v[i].due };
	int			j;

	for (j = i + 1; j < n && v[j].fire <= now; j++)
		if (same_milestone(&v[i], &v[j]))
			return 0;
	return engine_matters(c, &m, today, sched_conf());
}

static int
sched_acked(struct store *st, const struct contract *c, const struct alert *a,
    enum sched_mode mode)
{
	if (mode == SCHED_NEW)
		return 0;	/* nothing can be acknowledged yet */
	return store_acked(st, c->ref, milestone_name(a->kind), a->due) == 1;
}

/* A silenced contract holds everything until the day after the silence. */
static int
sched_hold(struct store *st, const struct contract *c,
    struct contract_state *cs, int32_t today)
{
	time_t	next;

	if (cs->silenced_until == DATE_NONE || cs->silenced_until < today)
		return 0;
	if (date_local_instant(cs->silenced_until + 1,
	    sched_conf()->alert_minute, sched_conf()->timezone, &next) == -1)
		return -1;
	cs->next_fire = next;
	return store_contract_schedule(st, c->ref, cs->horizon, next) < 0 ?
	    -1 : 1;
}

/* Whether alert a of c was settled before (fired or skipped). */
static int
sched_known(struct store *st, const struct contract *c,
    const struct alert *a)
{
	char	key[ALERT_KEYLEN];

	engine_alert_key(c->ref, a, key, sizeof(key));
	return store_alert_known(st, key);
}

int
scheduler_implied(struct store *st, const struct contract *c,
    struct alert v[ENGINE_MAX_ALERTS])
{
	struct engine_peers	 p = scheduler_peers(st, engine_unknown_cover);
	struct milestone	 ms[MS_NKINDS];
	size_t			 n;

	n = engine_milestones(c, sched_conf(), &p, ms);
	return engine_alerts_merged(ms, n, sched_conf(), v,
	    ENGINE_MAX_ALERTS);
}

int
scheduler_keep_implied(struct store *st, const char *ref, time_t now)
{
	struct contract		 c;
	struct contract_state	 cs;
	struct alert		 v[ENGINE_MAX_ALERTS];
	int			 n, i, k, rc;

	contract_init(&c);
	if ((rc = store_contract_get(st, ref, &c, &cs)) != STORE_FOUND) {
		contract_free(&c);
		return rc == STORE_NOTFOUND ? 0 : -1;
	}
	n = scheduler_implied(st, &c, v);
	for (i = 0, rc = 0; i < n && rc == 0; i++) {
		if (v[i].fire > cs.horizon)
			continue;
		if ((k = sched_known(st, &c, &v[i])) < 0)
			rc = -1;
		else if (k == 0 && sched_record(st, &c, &v[i], v[i].merged ?
		    "merged" : "skipped", 0, now) < 0)
			rc = -1;
	}
	contract_free(&c);
	return rc;
}

/*
 * What happens to past alert v[i].  A catch-up fires, of what came due
 * since the horizon, the one of each milestone sched_fires names and
 * records the others as skipped.  A new or changed contract fires that
 * one whatever the horizon, once (its key), and leaves the others
 * skipped by implication (history shows them): an import of a million
 * contracts writes no row for them.
 */
static int
sched_past(struct store *st, const struct contract *c,
    struct contract_state *cs, const struct alert *v, int n, int i,
    time_t now, int32_t today, enum sched_mode mode)
{
	int	 rc;

	if (mode == SCHED_CATCHUP && v[i].fire <= cs->horizon)
		return 0;
	if (!sched_fires(c, v, n, i, now, today)) {
		if (mode != SCHED_CATCHUP)
			return 0;
		return sched_record(st, c, &v[i], "skipped", 0, now) < 0 ?
		    -1 : 0;
	}
	if (mode == SCHED_CHANGED && (rc = sched_known(st, c, &v[i])) != 0)
		return rc < 0 ? -1 : 0;
	return sched_fire(st, c, cs, &v[i], now, today);
}

int
scheduler_evaluate(struct store *st, struct contract *c,
    struct contract_state *cs, time_t now, enum sched_mode mode)
{
	struct engine_peers	p = scheduler_peers(st, engine_unknown_cover);
	struct alert		v[ENGINE_MAX_ALERTS];
	int32_t			today;
	time_t			next = 0;
	int			n, i, rc, fired = 0;

	if ((n = scheduler_alerts(c, &p, v, ENGINE_MAX_ALERTS)) < 0 ||
	    date_of_instant(now, sched_conf()->timezone, &today) == -1)
		return -1;
	if ((rc = sched_hold(st, c, cs, today)) != 0)
		return rc < 0 ? -1 : 0;
	for (i = 0; i < n; i++) {
		if (sched_acked(st, c, &v[i], mode))
			continue;
		if (v[i].fire > now) {
			next = v[i].fire;
			break;
		}
		if ((rc = sched_past(st, c, cs, v, n, i, now, today,
		    mode)) < 0)
			return -1;
		fired += rc;
	}
	cs->horizon = now;
	cs->next_fire = next;
	/* A new contract is inserted with its schedule by the caller. */
	if (mode != SCHED_NEW &&
	    store_contract_schedule(st, c->ref, now, next) < 0)
		return -1;
	return fired;
}

int
scheduler_new(struct store *st, struct contract *c, time_t now)
{
	struct contract_state	 cs;

	memset(&cs, 0, sizeof(cs));
	cs.silenced_until = DATE_NONE;
	return scheduler_evaluate(st, c, &cs, now, SCHED_NEW);
}

int
scheduler_plan(const struct contract *c, time_t now,
    struct contract_state *cs)
{
	struct engine_peers	p = scheduler_peers(NULL, engine_unknown_cover);
	struct alert		v[ENGINE_MAX_ALERTS];
	int32_t			today;
	int			n, i, fires = 0;

	if ((n = scheduler_alerts(c, &p, v, ENGINE_MAX_ALERTS)) < 0 ||
	    date_of_instant(now, sched_conf()->timezone, &today) == -1)
		return -1;
	for (i = 0; i < n && v[i].fire <= now; i++)
		fires |= sched_fires(c, v, n, i, now, today);
	cs->horizon = now;
	cs->next_fire = i < n ? v[i].fire : 0;
	return fires;
}

/*
 * A batch of contracts copied out of a query, so that they are changed
 * only once the query is finished (SQLite does not promise what a running
 * scan sees of rows changed under it).
 */
struct sched_batch {
	struct contract		*c;
	struct contract_state	*cs;
	size_t			 n;
};

static int
sched_collect(void *arg, struct contract *c, struct contract_state *cs)
{
	struct sched_batch	*b = arg;

	if (b->c == NULL) {
		b->c = calloc(SCHED_BATCH, sizeof(*b->c));
		b->cs = calloc(SCHED_BATCH, sizeof(*b->cs));
		if (b->c == NULL || b->cs == NULL)
			return -1;
	}
	if (b->n == SCHED_BATCH || contract_copy(&b->c[b->n], c) == -1)
		return -1;
	b->cs[b->n++] = *cs;
	return 0;
}

static void
sched_batch_free(struct sched_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		contract_free(&b->c[i]);
	free(b->c);
	free(b->cs);
	memset(b, 0, sizeof(*b));
}

/* Evaluates every contract of b; the number fired, or -1. */
static int
sched_batch_eval(struct sched_batch *b, time_t now)
{
	size_t			 i;
	int			 n, fired = 0;

	for (i = 0; i < b->n; i++) {
		n = scheduler_evaluate(daemon_ctx->store, &b->c[i], &b->cs[i],
		    now, SCHED_CATCHUP);
		if (n < 0) {
			log_warnx("%s: %s: cannot evaluate its alerts",
			    __func__, b->c[i].ref);
			return -1;
		}
		fired += n;
	}
	return fired;
}

/* Arms the one timer for the earliest alert or delivery retry. */
static void
sched_arm(void)
{
	struct timeval	 now, tv;
	time_t		 t, d;

	t = store_next_fire(daemon_ctx->store);
	if ((d = digest_next(daemon_ctx->store, time(NULL))) != 0 &&
	    (t == 0 || d < t))
		t = d;
	/* Deliveries due now are the dispatcher's; later ones wake us. */
	if ((d = dispatch_next()) != 0 && d <= time(NULL)) {
		dispatch_kick();
		d = 0;
	}
	if (d != 0 && (t == 0 || d < t))
		t = d;
	evtimer_del(sched.timer);
	if (t == 0) {
		log_debug("%s: nothing pending: asleep", __func__);
		return;
	}
	gettimeofday(&now, NULL);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	if (t > now.tv_sec) {
		tv.tv_sec = t - now.tv_sec - 1;
		tv.tv_usec = 1000000 - now.tv_usec;
	}
	log_debug("%s: next wake in %lds", __func__, (long)tv.tv_sec);
	evtimer_add(sched.timer, &tv);
}

/* Evaluates one batch of due contracts in one transaction. */
static void
sched_run_due(void)
{
	struct store		*st = daemon_ctx->store;
	struct sched_batch	 b = { NULL, NULL, 0 };
	struct timeval		 later = { 60, 0 };
	time_t			 now = time(NULL);
	int			 fired = -1;

	/* An import holds the writer: its end pokes the scheduler. */
	if (store_in_txn(st))
		return;
	if (store_begin(st) == -1)
		goto fail;
	if (store_contract_due(st, now, SCHED_BATCH, sched_collect, &b) < 0 ||
	    (fired = sched_batch_eval(&b, now)) < 0 ||
	    store_commit(st) == -1) {
		store_rollback(st);
		goto fail;
	}
	sched_batch_free(&b);
	if (fired > 0) {
		log_info("%s: %d alert%s fired", __func__, fired,
		    fired == 1 ? "" : "s");
		sdnotify_status();
	}
	if (digest_run(st, now) == -1) {
		log_warnx("%s: the weekly digest could not be made: trying "
		    "again in a minute", __func__);
		dispatch_kick();
		evtimer_add(sched.timer, &later);
		return;
	}
	/* A full batch leaves more due: the timer then fires at once. */
	dispatch_kick();
	sched_arm();
	return;
fail:
	sched_batch_free(&b);
	if (!store_full(st))
		log_warnx("%s: evaluation failed: trying again in a minute",
		    __func__);
	evtimer_add(sched.timer, &later);
}

static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sched_run_due();
}

void
scheduler_poke(void)
{
	dispatch_kick();
	sched_arm();
	sdnotify_status();
}

/*
 * The schedules (next fire instants) follow the configuration's default
 * notice and lead times, which the store notes (meta "due_defaults") once
 * every contract follows them.  The agenda's days do not depend on them
 * (store-agenda.c).
 */
#define META_DUE_DEFAULTS	"due_defaults"

static void
sched_due_defaults(char *buf, size_t len)
{
	const struct alert_conf	*conf = sched_conf();

	snprintf(buf, len, "extension_notice_days=%d procurement_lead_days=%d",
	    conf->extension_notice_days, conf->procurement_lead_days);
}

/*
 * After the last batch: the defaults the schedules follow noted; -1 if
 * that failed (tried again later).
 */
static int
sched_rearm_done(void)
{
	struct store	*st = daemon_ctx->store;
	char		 want[128];

	sched_due_defaults(want, sizeof(want));
	if (store_meta_set(st, META_DUE_DEFAULTS, want) != 0)
		return -1;
	log_info("%s: schedule re-evaluated", __func__);
	return 0;
}

/* One batch of the re-evaluation of every contract after a reload. */
static void
sched_rearm_cb(evutil_socket_t fd, short what, void *arg)
{
	struct store		*st = daemon_ctx->store;
	struct sched_batch	 b = { NULL, NULL, 0 };
	struct timeval		 later = { 60, 0 };
	time_t			 now = time(NULL);
	int			 n = 0, rc;

	(void)fd;
	(void)what;
	(void)arg;
	if (store_in_txn(st)) {
		later.tv_sec = 1;	/* an import holds the writer */
		event_add(sched.batch, &later);
		return;
	}
	if ((rc = store_begin(st)) == 0 && (store_contract_each(st,
	    sched.rearm_after, SCHED_BATCH, sched_collect, &b) < 0 ||
	    sched_batch_eval(&b, now) < 0))
		rc = -1;
	if (rc == -1 || store_commit(st) == -1) {
		/* The same batch again in a minute: nothing is left stale. */
		log_warnx("%s: re-evaluation failed after '%s': trying again "
		    "in a minute", __func__, sched.rearm_after);
		store_rollback(st);
		sched_batch_free(&b);
		event_add(sched.batch, &later);
		return;
	}
	if ((n = (int)b.n) > 0)
		snprintf(sched.rearm_after, sizeof(sched.rearm_after), "%s",
		    b.c[b.n - 1].ref);
	sched_batch_free(&b);
	if (n == SCHED_BATCH)
		event_active(sched.batch, EV_TIMEOUT, 0);
	else if (sched_rearm_done() == -1) {
		log_warnx("%s: the defaults followed could not be noted: "
		    "trying again in a minute", __func__);
		event_add(sched.batch, &later);
	}
	scheduler_poke();
}

void
scheduler_reconfigure(void)
{
	digest_start(daemon_ctx->store, time(NULL));
	sched.rearm_after[0] = '\0';
	event_active(sched.batch, EV_TIMEOUT, 0);
}

/*
 * At start: every contract re-evaluated if the defaults its schedule
 * follows changed while the daemon was down, or a re-evaluation was cut
 * short; also when the store does not say (a new database, or one from
 * before meta).
 */
static void
sched_check_defaults(void)
{
	struct store	*st = daemon_ctx->store;
	char		 want[128], have[128];
	int		 rc;

	sched_due_defaults(want, sizeof(want));
	if ((rc = store_meta_get(st, META_DUE_DEFAULTS, have,
	    sizeof(have))) == STORE_FOUND && strcmp(have, want) == 0)
		return;
	if (rc >= 0 && store_contract_count(st) == 0) {
		/* Nothing derived yet: note what will be. */
		if (store_meta_set(st, META_DUE_DEFAULTS, want) != 0)
			log_warnx("%s: cannot note the default notice and "
			    "lead times", __func__);
		return;
	}
	log_info("%s: the schedules may not follow %s: "
	    "re-evaluating every contract", __func__, want);
	scheduler_reconfigure();
}

/* Arms the timerfd that is cancelled when the wall clock is set. */
static int
sched_clock_arm(void)
{
	struct itimerspec	its;

	memset(&its, 0, sizeof(its));
	if (clock_gettime(CLOCK_REALTIME, &its.it_value) == -1)
		return -1;
	its.it_value.tv_sec += 86400 * 365;
	return timerfd_settime(sched.tfd, TFD_TIMER_ABSTIME |
	    TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

static void
sched_clock_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	n;

	(void)what;
	(void)arg;
	if (read(fd, &n, sizeof(n)) == -1 && errno == ECANCELED)
		log_info("%s: the wall clock was set: re-evaluating",
		    __func__);
	if (sched_clock_arm() == -1)
		log_warn("%s: timerfd_settime", __func__);
	sched_run_due();
}

int
scheduler_init(struct event_base *base)
{
	sched.timer = evtimer_new(base, sched_timer_cb, NULL);
	sched.batch = event_new(base, -1, 0, sched_rearm_cb, NULL);
	if (sched.timer == NULL || sched.batch == NULL)
		return -1;
	sched.tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sched.tfd == -1 || sched_clock_arm() == -1) {
		log_warn("%s: timerfd: wall-clock jumps will not be noticed",
		    __func__);
	} else {
		sched.clock = event_new(base, sched.tfd, EV_READ | EV_PERSIST,
		    sched_clock_cb, NULL);
		if (sched.clock == NULL || event_add(sched.clock, NULL) == -1)
			return -1;
	}
	/* Whatever came due while the daemon was down fires now. */
	digest_start(daemon_ctx->store, time(NULL));
	event_active(sched.timer, EV_TIMEOUT, 0);
	sched_check_defaults();
	return 0;
}

void
scheduler_free(void)
{
	if (sched.timer != NULL)
		event_free(sched.timer);
	if (sched.batch != NULL)
		event_free(sched.batch);
	if (sched.clock != NULL)
		event_free(sched.clock);
	if (sched.tfd != -1)
		close(sched.tfd);
	memset(&sched, 0, sizeof(sched));
	sched.tfd = -1;
}

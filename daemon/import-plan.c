/*
 * An import's schedules, coverage and agenda entries on a second thread.
 * Storing a contract's row is work for the database; working out its
 * milestones and alert instants, and its entries in coverage and the
 * agenda (held in memory until the commit), is not, and takes about as
 * long again: the thread does it ahead of the rows, in their order.
 * Then, while the loop's thread finishes the rows and builds the index,
 * it sorts the coverage they added to, and builds the payloads of the
 * alerts that the contracts with alerts due already will fire
 * (dispatch_ahead_build), for import_fire; the loop's thread builds
 * some of them too, while its rows wait for plans, and the rest with the
 * thread once the rows are stored.
 *
 * The thread runs only scheduler_plan, store_import_derived,
 * store_import_settle and dispatch_ahead_build.  The zone is set before
 * it starts, and neither thread changes it until the thread is joined;
 * the date functions' cache is each thread's own.  Until then the loop's
 * thread calls only store_contract_row and store_writeback of the store
 * and SQL that builds indexes (see store_import_begin), and
 * dispatch_ahead_build.  They share the contracts, which neither
 * changes, and the results, each written once before the count that
 * publishes it or the join.  The payloads (a kilobyte each, for about one
 * contract in ten) are kept until import_plan_end.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "contractd.h"
#include "dispatch.h"
#include "heap.h"
#include "import-plan.h"
#include "scheduler.h"
#include "thread.h"

#define PAYLOAD_RUN	64	/* contracts a thread takes at a time */

struct plan_result {
	struct contract_state	 cs;
	int			 due_now;	/* 0, 1, or -1 if not planned */
	struct dispatch_ahead	*ahead;		/* payloads, if due_now */
};

struct import_plan {
	struct contract *const	*v;
	size_t			 n;
	time_t			 now;
	struct plan_result	*res;
	atomic_size_t		 done;		/* res[0..done) are ready */
	atomic_size_t		 next;		/* the next payloads to build */
	atomic_int		 stop;
	int			 threaded;
	int			 joined;
	pthread_t		 thread;
	double			 waited;	/* ms the rows waited for plans */
};

/* Contract i's schedule, and its coverage and agenda entries. */
static void
plan_one(struct import_plan *p, size_t i)
{
	struct plan_result	*r = &p->res[i];

	memset(&r->cs, 0, sizeof(r->cs));
	r->due_now = scheduler_plan(p->v[i], p->now, &r->cs);
	if (r->due_now >= 0 &&
	    store_import_derived(daemon_ctx->store, p->v[i]) != 0)
		r->due_now = -1;
}

static void
plan_run(struct import_plan *p, size_t i)
{
	size_t	 k;

	for (k = i; k < p->n && k < i + PAYLOAD_RUN; k++)
		if (p->res[k].due_now == 1)
			p->res[k].ahead = dispatch_ahead_build(p->v[k], p->now);
}

/*
 * Builds payloads, for runs of contracts taken from the count next, until
 * none is left or the thread is to stop; on either thread.
 */
static void
plan_payloads(struct import_plan *p)
{
	size_t	 i;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed) &&
	    (i = atomic_fetch_add(&p->next, PAYLOAD_RUN)) < p->n)
		plan_run(p, i);
}

/*
 * On the loop's thread, while its rows wait for plans: the payloads of
 * the next run, if every contract of it is planned (below done); 0 if
 * there is none such.
 */
static int
plan_payloads_early(struct import_plan *p, size_t done)
{
	size_t	 i = atomic_load_explicit(&p->next, memory_order_relaxed);

	if (i + PAYLOAD_RUN > done || !atomic_compare_exchange_strong(
	    &p->next, &i, i + PAYLOAD_RUN))
		return 0;
	plan_run(p, i);
	return 1;
}

static void *
plan_main(void *arg)
{
	struct import_plan	*p = arg;
	size_t			 i;

	for (i = 0; i < p->n && !atomic_load_explicit(&p->stop,
	    memory_order_relaxed); i++) {
		plan_one(p, i);
		atomic_store_explicit(&p->done, i + 1, memory_order_release);
	}
	if (i == p->n)
		store_import_settle(daemon_ctx->store);
	plan_payloads(p);
	return NULL;
}

struct import_plan *
import_plan_start(struct contract *const *v, size_t n, time_t now)
{
	struct import_plan	*p;
	int32_t			 today;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->res = calloc(n ? n : 1, sizeof(*p->res))) == NULL) {
		if (p != NULL)
			free(p->res);
		free(p);
		return NULL;
	}
	p->v = v;
	p->n = n;
	p->now = now;
	atomic_init(&p->done, 0);
	atomic_init(&p->next, 0);
	atomic_init(&p->stop, 0);
	/*
	 * The zone set here, once, so that the thread never sets it; if it
	 * cannot be, the plans are worked out on this thread.
	 */
	p->threaded = n > 1 &&
	    date_of_instant(now, daemon_ctx->conf->timezone, &today) == 0 &&
	    thread_start(&p->thread, plan_main, p) == 0;
	return p;
}

int
import_plan_get(struct import_plan *p, size_t i, struct contract_state *cs)
{
	struct plan_result	*r = &p->res[i];
	double			 t0;
	size_t			 done;

	if (!p->threaded)
		plan_one(p, i);
	else if ((done = atomic_load_explicit(&p->done,
	    memory_order_acquire)) <= i) {
		t0 = log_clock_ms();
		while (done <= i) {
			if (!plan_payloads_early(p, done))
				sched_yield();
			done = atomic_load_explicit(&p->done,
			    memory_order_acquire);
		}
		p->waited += log_clock_ms() - t0;
	}
	*cs = r->cs;
	return r->due_now;
}

/*
 * Joins the thread (stop: at once, not once it is done), and unseals the
 * agenda's days; once.
 */
static void
plan_join(struct import_plan *p, int stop)
{
	double	 t0 = log_clock_ms();

	if (p->joined)
		return;
	p->joined = 1;
	if (p->threaded) {
		if (stop)
			atomic_store(&p->stop, 1);
		else {
			/* The payloads read every plan: all there by now. */
			while (atomic_load_explicit(&p->done,
			    memory_order_acquire) < p->n)
				sched_yield();
			plan_payloads(p);	/* the rest, with the thread */
		}
		pthread_join(p->thread, NULL);
		if (!stop)
			log_debug("%s: the rows waited %.0f ms for their "
			    "plans (and built payloads meanwhile); the "
			    "payloads took %.0f ms more", __func__, p->waited,
			    log_clock_ms() - t0);
	}
	store_import_end(daemon_ctx->store);
}

void
import_plan_wait(struct import_plan *p)
{
	plan_join(p, 0);
}

const struct dispatch_ahead *
import_plan_ahead(const struct import_plan *p, size_t i)
{
	return p->joined ? p->res[i].ahead : NULL;
}

void
import_plan_end(struct import_plan *p)
{
	size_t	 i;

	if (p == NULL) {
		store_import_end(daemon_ctx->store);
		return;
	}
	plan_join(p, 1);
	for (i = 0; i < p->n; i++)
		dispatch_ahead_free(p->res[i].ahead);
	free(p->res);
	free(p);
}

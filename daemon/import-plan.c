/*
 * An import's schedules, coverage and agenda entries on a second thread.
 * Storing a contract's row is work for the database; working out its
 * milestones and alert instants, and its entries in coverage and the
 * agenda (held in memory until the commit), is not, and takes about as
 * long again: the thread does it ahead of the rows, in their order.
 * Then, while the loop's thread finishes the rows and builds the index,
 * it sorts the coverage they added to.
 *
 * The thread runs only scheduler_plan, store_import_derived and
 * store_import_settle.  The zone is set before
 * it starts, and neither thread changes it until the thread is joined;
 * the date functions' cache is each thread's own.  Until then the loop's
 * thread calls only store_contract_row and store_writeback of the store
 * and SQL that builds indexes (see store_import_begin).  They share the
 * contracts, which neither changes, and the results, each written once
 * before the count that publishes it or the join.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "contractd.h"
#include "heap.h"
#include "import-plan.h"
#include "scheduler.h"
#include "thread.h"

struct plan_result {
	struct contract_state	 cs;
	int			 due_now;	/* 0, 1, or -1 if not planned */
};

struct import_plan {
	struct contract *const	*v;
	size_t			 n;
	time_t			 now;
	struct plan_result	*res;
	atomic_size_t		 done;		/* res[0..done) are ready */
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
		pthread_join(p->thread, NULL);
		if (!stop)
			log_debug("%s: the rows waited %.0f ms for their "
			    "plans; the join %.0f ms more", __func__,
			    p->waited, log_clock_ms() - t0);
	}
	store_import_end(daemon_ctx->store);
}

void
import_plan_wait(struct import_plan *p)
{
	plan_join(p, 0);
}

void
import_plan_end(struct import_plan *p)
{
	if (p == NULL) {
		store_import_end(daemon_ctx->store);
		return;
	}
	plan_join(p, 1);
	free(p->res);
	free(p);
}

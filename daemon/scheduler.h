/*
 * The scheduler: decides which alerts fire and when.  One timer is armed
 * for the earliest of the next alert and the next delivery retry; on wake,
 * every alert due by now fires.  A wall-clock jump (NTP step, resume) is
 * caught with a CLOCK_REALTIME timerfd and re-evaluates the schedule.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <time.h>

#include <event2/event.h>

#include "engine.h"
#include "store.h"

/* How a contract's alerts are evaluated (DESIGN section 7). */
enum sched_mode {
	SCHED_NEW,	/* just added: past alerts skipped, except the most
			   recent of each milestone still ahead */
	SCHED_CATCHUP	/* anything else: what came due since the horizon
			   fires, only the most recent of each milestone
			   (after downtime: marked late); the rest of the
			   past stays as it was */
};

/* An alert fired more than this many seconds after its instant is late. */
#define SCHED_LATE_GRACE	300

int	 scheduler_init(struct event_base *base);
void	 scheduler_free(void);
/*
 * Evaluates one contract at now inside the caller's transaction: fires
 * what is due into the outbox, records what is skipped, and stores the
 * horizon and next fire instant (in cs too; SCHED_NEW leaves storing them
 * to the caller's insert of the contract, which comes after).  Returns the
 * number of alerts fired, or -1.
 */
int	 scheduler_evaluate(struct store *st, struct contract *c,
	    struct contract_state *cs, time_t now, enum sched_mode mode);
/*
 * The schedule of a new contract, c, stored as it is: horizon now and the
 * next fire instant after now, into cs.  Returns 1 if an alert due by now
 * is of a milestone not yet behind today, which the import rule may fire
 * (scheduler_evaluate in SCHED_NEW mode then does, once c is stored), 0
 * if none is, -1 on error.
 */
int	 scheduler_plan(const struct contract *c, time_t now,
	    struct contract_state *cs);
/*
 * The alerts of new contract c that scheduler_evaluate fires in SCHED_NEW
 * mode, but coverage gaps (they depend on every contract's coverage),
 * into out, with their late flags; their number, or -1.  Reads no store.
 */
int	 scheduler_new_fires(const struct contract *c, time_t now,
	    struct alert *out, int *late, size_t max);
/* Re-arms the timer after a change (and kicks the dispatcher). */
void	 scheduler_poke(void);
/* The configuration changed: re-evaluate every contract, in batches. */
void	 scheduler_reconfigure(void);

/*
 * Alerts of c from the configuration, with the coverage_gap milestone
 * included only when covered says a service is left uncovered (covered
 * NULL: included unconditionally, to be checked when it fires).
 */
int	 scheduler_alerts(const struct contract *c, engine_covered_fn covered,
	    void *arg, struct alert *out, size_t max);

#endif

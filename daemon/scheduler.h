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
			   recent of each milestone ahead or overdue */
	SCHED_CHANGED,	/* dates changed (update, extend): the same, but
			   what fired before does not fire again, and
			   acknowledgements hold */
	SCHED_CATCHUP	/* anything else: what came due since the horizon
			   fires, only the most recent of each milestone
			   ahead or overdue (after downtime: marked late);
			   the rest is recorded as skipped */
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
 * Fires what the import rule fires of new contract c, stored with the
 * schedule scheduler_plan gave it (and, in an import, with every other
 * contract of it, since coverage depends on them): scheduler_evaluate in
 * SCHED_NEW mode.  The number fired, or -1.
 */
int	 scheduler_new(struct store *st, struct contract *c, time_t now);
/*
 * The schedule of c as history tells it: every alert, those of one
 * instant merged into the smallest offset's (flagged), every possible
 * coverage gap included.  How many, in v.
 */
int	 scheduler_implied(struct store *st, const struct contract *c,
	    struct alert v[ENGINE_MAX_ALERTS]);
/*
 * Before the stored contract ref's dates change, in the caller's
 * transaction: the alerts its schedule settled without a record (skipped
 * at its import, or merged) are recorded as such, so that its history
 * still shows them once the schedule has moved.  0, or -1.
 */
int	 scheduler_keep_implied(struct store *st, const char *ref,
	    time_t now);
/* Re-arms the timer after a change (and kicks the dispatcher). */
void	 scheduler_poke(void);
/* The configuration changed: re-evaluate every contract, in batches. */
void	 scheduler_reconfigure(void);

/*
 * The engine's questions about other contracts answered from st: whether
 * a successor exists (not known when st is NULL), and coverage by
 * covered: store_covered, NULL (no coverage_gap), or, for the schedule,
 * engine_unknown_cover (every possible gap, checked when it fires).
 */
struct engine_peers scheduler_peers(struct store *st,
	    engine_covered_fn covered);
/* Alerts of c from the configuration (engine_milestones, engine_alerts). */
int	 scheduler_alerts(const struct contract *c,
	    const struct engine_peers *p, struct alert *out, size_t max);

#endif

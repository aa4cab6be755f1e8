/*
 * The SQLite store: the only code that speaks SQL.  One connection, WAL,
 * synchronous=FULL; the schema is migrated with PRAGMA user_version.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "contract.h"

struct store;

#define STORE_ERRLEN	256

struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *st);
int		 store_schema_version(struct store *st);
long		 store_contract_count(struct store *st);

/* What the scheduler keeps per contract beside its fields. */
struct contract_state {
	int32_t	 silenced_until;	/* DATE_NONE when not silenced */
	int	 lapsed_extension;	/* flag for the next alert */
	time_t	 horizon;		/* alerts up to here are settled */
	time_t	 next_fire;		/* 0 when none is pending */
};

#define STORE_NOTFOUND	0
#define STORE_FOUND	1
#define STORE_ERROR	(-1)
#define STORE_CONFLICT	(-2)

int		 store_begin(struct store *st);
int		 store_commit(struct store *st);
void		 store_rollback(struct store *st);
/*
 * The agenda's window: contracts whose end date (AGENDA_END, with their
 * services; from the day before from, for the expiry), extension due
 * date (AGENDA_EXT) or procurement due date (AGENDA_PROC) fall in
 * [from, to], read from the agenda's days (store-agenda.c); notice and
 * lead are the configuration's defaults, for the contracts that give
 * none.  The strings are valid during the call.
 */
enum { AGENDA_END, AGENDA_EXT, AGENDA_PROC };
struct agenda_window {
	int32_t	 from;
	int32_t	 to;
	int	 notice;		/* default extension notice, days */
	int	 lead;			/* default procurement lead, days */
};
struct agenda_rec {
	int		 which;
	const char	*ref;
	int32_t		 date;
	const char	*title;
	const char	*services;
};
typedef int (*store_agenda_fn)(void *arg, const struct agenda_rec *a);
int		 store_agenda(struct store *st, const struct agenda_window *w,
		    store_agenda_fn fn, void *arg);
/*
 * Whether some contract's services cover svc on day: 1 or 0, or
 * STORE_ERROR.  Answered from memory (store-cover.c).
 */
int		 store_covering(struct store *st, const char *svc, int32_t day);

/*
 * Drops (build 0) or builds (1) the index of contracts by next fire, in
 * the caller's transaction: for an import large beside the table.
 */
int		 store_contract_indexes(struct store *st, int build);
/*
 * Small facts about the store (table meta): the value of name into buf,
 * STORE_FOUND or STORE_NOTFOUND; set, or remove with value NULL.
 */
int		 store_meta_get(struct store *st, const char *name, char *buf,
		    size_t len);
int		 store_meta_set(struct store *st, const char *name,
		    const char *value);

/* Calls fn now and then while a long statement runs (NULL: never). */
void		 store_progress(struct store *st, void (*fn)(void));
/*
 * Has what the log holds written to disk, on the checkpoint thread,
 * without waiting for it: a large transaction's commit then waits for
 * less (its sync).  A hint.
 */
void		 store_writeback(struct store *st);

/* For marks that are rebuilt after a crash: no wait for the disk. */
int		 store_begin_nosync(struct store *st);
int		 store_commit_nosync(struct store *st);
void		 store_rollback_nosync(struct store *st);

/* Loads ref into c (initialized by the caller); cs may be NULL. */
int		 store_contract_get(struct store *st, const char *ref,
		    struct contract *c, struct contract_state *cs);
/* STORE_CONFLICT if ref exists already.  cs gives horizon and next fire. */
int		 store_contract_insert(struct store *st,
		    const struct contract *c, const struct contract_state *cs,
		    time_t now);
/*
 * An import's rows apart from what they bring to coverage and the
 * agenda, which another thread can make meanwhile.  store_import_begin
 * reads what they change; then, until store_import_end, that thread may
 * call store_import_derived for each contract, then store_import_settle
 * (which sorts what they added, ahead of the questions that follow), and
 * this one only store_contract_row (the row alone, as
 * store_contract_insert stores it), store_writeback and store_progress's
 * function: nothing else of the store.
 */
int		 store_import_begin(struct store *st,
		    const struct contract *v, size_t n);
int		 store_import_derived(struct store *st,
		    const struct contract *c);
void		 store_import_settle(struct store *st);
void		 store_import_end(struct store *st);
int		 store_contract_row(struct store *st,
		    const struct contract *c, const struct contract_state *cs,
		    time_t now);
int		 store_contract_update(struct store *st,
		    const struct contract *c, time_t now);
int		 store_contract_exists(struct store *st, const char *ref);
int		 store_contract_schedule(struct store *st, const char *ref,
		    time_t horizon, time_t next_fire);
int		 store_contract_silence(struct store *st, const char *ref,
		    int32_t until);
int		 store_contract_lapsed(struct store *st, const char *ref,
		    int lapsed);
/* Calls fn for each contract, in ref order after after ("" = first). */
typedef int (*store_contract_fn)(void *arg, struct contract *c,
    struct contract_state *cs);
int		 store_contract_each(struct store *st, const char *after,
		    long limit, store_contract_fn fn, void *arg);
/* Contracts with next_fire <= now, earliest first, at most limit. */
int		 store_contract_due(struct store *st, time_t now, long limit,
		    store_contract_fn fn, void *arg);
/*
 * Contracts that may have a milestone due in w: end_date in [from - 1,
 * to] (term_end, coverage_gap, expired), or an extension deadline or
 * procurement start in [from, to]; each once, in no particular order.
 */
int		 store_contract_window(struct store *st,
		    const struct agenda_window *w, store_contract_fn fn,
		    void *arg);
/* The earliest next_fire of all contracts; 0 when none. */
time_t		 store_next_fire(struct store *st);

/*
 * engine_covered_fn over the coverage: a database error answers "not
 * covered", which warns rather than hides a gap.
 */
int		 store_covered(void *st, const char *svc, int32_t day,
		    const char *ref);

struct extension_rec {
	int32_t		 old_end;
	int32_t		 new_end;
	int32_t		 decided_on;	/* DATE_NONE when not given */
	const char	*decision_ref;
	const char	*note;
	int		 lapsed;
	time_t		 recorded_at;
	long		 uid;
	const char	*user;
};
int		 store_extension_add(struct store *st, const char *ref,
		    const struct extension_rec *e);
typedef int (*store_extension_fn)(void *arg, const struct extension_rec *e);
int		 store_extension_each(struct store *st, const char *ref,
		    store_extension_fn fn, void *arg);

/* Alert history: state is "fired" or "skipped". */
struct alert_rec {
	const char	*key;
	const char	*kind;
	int32_t		 due;
	int		 offset;
	time_t		 fire_at;
	const char	*state;
	int		 late;
	time_t		 at;
};
int		 store_alert_record(struct store *st, const char *ref,
		    const struct alert_rec *a);
/* 1 if key is in the history. */
int		 store_alert_known(struct store *st, const char *key);
typedef int (*store_alert_fn)(void *arg, const struct alert_rec *a);
int		 store_alert_each(struct store *st, const char *ref,
		    store_alert_fn fn, void *arg);

struct ack_rec {
	const char	*kind;
	int32_t		 due;
	const char	*note;
	time_t		 at;
	long		 uid;
	const char	*user;
};
int		 store_ack_add(struct store *st, const char *ref,
		    const struct ack_rec *a);
int		 store_acked(struct store *st, const char *ref,
		    const char *kind, int32_t due);
typedef int (*store_ack_fn)(void *arg, const struct ack_rec *a);
int		 store_ack_each(struct store *st, const char *ref,
		    store_ack_fn fn, void *arg);
typedef int (*store_ack_ref_fn)(void *arg, const char *ref,
    const struct ack_rec *a);
/* Acknowledgements of milestones due from from to to, of any contract. */
int		 store_ack_window(struct store *st, int32_t from, int32_t to,
		    store_ack_ref_fn fn, void *arg);

/*
 * The outbox: one row per delivery of an alert to a channel (and
 * recipient).  state: pending (not tried yet), failed (will be retried),
 * dead (given up), delivered.
 */
struct delivery_rec {
	const char	*key;
	const char	*alert_key;
	const char	*channel;
	const char	*recipient;	/* NULL unless per recipient */
	const char	*state;
	int		 attempts;
	time_t		 next_attempt;
	time_t		 created;
	const char	*last_error;
	const char	*payload;	/* the generic JSON payload */
};
/* Adds a pending delivery; an existing key is left as it is. */
int		 store_delivery_add(struct store *st,
		    const struct delivery_rec *d);
typedef int (*store_delivery_fn)(void *arg, const struct delivery_rec *d);
/* Pending and failed deliveries due by now, earliest first. */
int		 store_delivery_due(struct store *st, time_t now, long limit,
		    store_delivery_fn fn, void *arg);
/* Loads one delivery; STORE_NOTFOUND if key is unknown. */
int		 store_delivery_get(struct store *st, const char *key,
		    store_delivery_fn fn, void *arg);
int		 store_delivery_result(struct store *st, const char *key,
		    const char *state, int attempts, time_t next_attempt,
		    const char *last_error);
/* The earliest next attempt of a pending or failed delivery; 0: none. */
time_t		 store_delivery_next(struct store *st);
/* Deliveries in state (NULL: all but delivered), newest first. */
int		 store_delivery_each(struct store *st, const char *state,
		    long limit, store_delivery_fn fn, void *arg);
/* Counts by state: pending, failed, dead, delivered. */
int		 store_delivery_counts(struct store *st, long counts[4]);
/* Marks a delivery as being sent (not due until its result). */
int		 store_delivery_inflight(struct store *st, const char *key);
int		 store_delivery_reset_inflight(struct store *st);
/* A failed or dead delivery goes back to pending, its age reset. */
int		 store_delivery_retry(struct store *st, const char *key,
		    time_t now);

/* One row of the audit table; args and result are JSON texts or NULL. */
int		 store_audit(struct store *st, time_t at, long uid,
		    const char *user, const char *cmd, const char *args,
		    const char *result);

#endif

/*
 * The SQLite store: the only code that speaks SQL.  One connection
 * writes (WAL, synchronous=FULL; the schema is migrated with PRAGMA
 * user_version); a second may read while it holds a long transaction.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "contract.h"

struct store;

struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *st);
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
 * A large transaction (an import), with a larger page cache; its commit
 * leaves the log's pages to store_checkpoint, to be run when the loop
 * has time.
 */
int		 store_begin_bulk(struct store *st);
int		 store_commit_bulk(struct store *st);
void		 store_rollback_bulk(struct store *st);
int		 store_checkpoint(struct store *st);
/*
 * Has what a long transaction spilled to the log so far written to disk,
 * so that its commit waits for little: a few megabytes a call.
 */
int		 store_sync_log(struct store *st);
/*
 * The disk was full at the last write and no commit has succeeded since
 * (the store logged it once).
 */
int		 store_full(struct store *st);
/* The writer is inside a transaction (an import's, say). */
int		 store_in_txn(struct store *st);
/*
 * A second, read-only connection to the database at path, for reads
 * while the writer holds a long transaction: it sees the state last
 * committed.  Only reading functions may be called on it.
 */
struct store	*store_open_reader(const char *path, char *err,
		    size_t errlen);

/*
 * A window of due dates [from, to]; notice and lead are the
 * configuration's defaults, for the contracts that give none.
 */
struct agenda_window {
	int32_t	 from;
	int32_t	 to;
	int	 notice;		/* default extension notice, days */
	int	 lead;			/* default procurement lead, days */
};

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

/* For marks that are rebuilt after a crash: no wait for the disk. */
int		 store_begin_nosync(struct store *st);
int		 store_commit_nosync(struct store *st);
void		 store_rollback_nosync(struct store *st);

typedef int (*store_contract_fn)(void *arg, struct contract *c,
    struct contract_state *cs);

/* Loads ref into c (initialized by the caller); cs may be NULL. */
int		 store_contract_get(struct store *st, const char *ref,
		    struct contract *c, struct contract_state *cs);
/* STORE_CONFLICT if ref exists already.  cs gives horizon and next fire. */
int		 store_contract_insert(struct store *st,
		    const struct contract *c, const struct contract_state *cs,
		    time_t now);
/*
 * An import, in the writer's transaction.  Its rows get consecutive ids
 * from store_import_next_id (taken before the first), so a ref that
 * conflicts with a row of the import names that row by its id; the
 * contracts whose past alerts the import rule may fire are noted
 * (store_import_due_add, a temporary table that store_import_begin
 * empties) and read back in id order after *after, at most limit, which
 * moves *after to the last read.
 */
int		 store_import_begin(struct store *st);
int64_t		 store_import_next_id(struct store *st);
int64_t		 store_import_last_id(struct store *st);	/* inserted */
int64_t		 store_import_id_of(struct store *st, const char *ref);
int		 store_import_due_add(struct store *st, int64_t id);
int		 store_import_due(struct store *st, int64_t *after,
		    long limit, store_contract_fn fn, void *arg);
/*
 * The import's contracts (ids from first) whose successor_ref names no
 * contract, to fn in id order; how many, or STORE_ERROR.
 */
typedef int (*store_dangling_fn)(void *arg, const char *ref,
		    const char *successor);
int		 store_import_dangling(struct store *st, int64_t first,
		    store_dangling_fn fn, void *arg);
/*
 * An OCDS import's staging (store-import.c): a row per award ref, the
 * one of the latest date kept (a tie: the one put last); fields is the
 * contract as a JSON object of its fields, or NULL with the reason it
 * is skipped.  Read back in seq order of each ref's first put.
 */
struct stage_rec {
	const char	*ref;
	int64_t		 seq;
	int64_t		 date;
	const char	*ocid;
	const char	*fields;
	const char	*reason;
};
typedef int (*store_stage_fn)(void *arg, const struct stage_rec *s);
int		 store_stage_begin(struct store *st);
int		 store_stage_put(struct store *st, const struct stage_rec *s);
int		 store_stage_each(struct store *st, store_stage_fn fn,
		    void *arg);
/* An import --update's ref seen on row: 0 the first time, else the row
 * it was first seen on; STORE_ERROR. */
int64_t		 store_import_seen(struct store *st, const char *ref,
		    int64_t row);
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
int		 store_contract_each(struct store *st, const char *after,
		    long limit, store_contract_fn fn, void *arg);
/*
 * What list looks for; NULL or DATE_NONE for a filter not given.  owner
 * is an owner_email (ignoring ASCII case), supplier a part of the
 * supplier (the same), service a key of the services; the end is
 * strictly before ending_before and after ending_after.
 */
struct contract_filter {
	const char	*kind;
	const char	*owner;
	const char	*supplier;
	const char	*service;
	int32_t		 ending_before;
	int32_t		 ending_after;
};
/* The contracts that match f, as store_contract_each. */
int		 store_contract_find(struct store *st,
		    const struct contract_filter *f, const char *after,
		    long limit, store_contract_fn fn, void *arg);
/*
 * store_contract_each in owner order: with owner NULL, those that have
 * none, by ref; else those that have one (maybe ""), after (owner, after)
 * in (owner_email, ref) order.
 */
int		 store_contract_each_owner(struct store *st, const char *owner,
		    const char *after, long limit, store_contract_fn fn,
		    void *arg);
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
/*
 * Contracts that may have a milestone overdue on w->from (DESIGN section
 * 7): ended at most window days before it, or with an extension deadline
 * or procurement start before it and its end or final end not.
 */
int		 store_contract_overdue(struct store *st,
		    const struct agenda_window *w, int window,
		    store_contract_fn fn, void *arg);
/* The earliest next_fire of all contracts; 0 when none. */
time_t		 store_next_fire(struct store *st);

/*
 * engine_covered_fn over the coverage: a database error answers "not
 * covered", which warns rather than hides a gap.
 */
int		 store_covered(void *st, const char *svc, int32_t day,
		    const char *ref);
/* The same, ref's own rows left out (its end is not the one they have). */
int		 store_covered_other(void *st, const char *svc, int32_t day,
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

/* The close of a contract (cmd-close.c): its end before it. */
struct closure_rec {
	int32_t		 old_end;
	int32_t		 closed_on;
	const char	*reason;
	time_t		 recorded_at;
	long		 uid;
	const char	*user;
};
int		 store_closure_add(struct store *st, const char *ref,
		    const struct closure_rec *e);
typedef int (*store_closure_fn)(void *arg, const struct closure_rec *e);
int		 store_closure_each(struct store *st, const char *ref,
		    store_closure_fn fn, void *arg);

/* Alert history: state is "fired" or "skipped". */
struct alert_rec {
	const char	*key;
	const char	*kind;
	int32_t		 due;
	int		 offset;	/* days before due */
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
	int		 again;		/* a note added to an earlier ack */
};
int		 store_ack_add(struct store *st, const char *ref,
		    const struct ack_rec *a);
int		 store_acked(struct store *st, const char *ref,
		    const char *kind, int32_t due);
typedef int (*store_ack_fn)(void *arg, const struct ack_rec *a);
/* The first acknowledgement of a milestone, to fn: STORE_FOUND or not. */
int		 store_ack_first(struct store *st, const char *ref,
		    const char *kind, int32_t due, store_ack_fn fn, void *arg);
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
/* A row of the audit table as read back; ref is the one it is about. */
struct audit_rec {
	int64_t		 id;
	time_t		 at;
	long		 uid;
	const char	*user;
	const char	*cmd;
	const char	*ref;
	const char	*args;
	const char	*result;
};
typedef int (*store_audit_fn)(void *arg, const struct audit_rec *a);
/*
 * Audit rows at since or later about ref (NULL: any), in id order after
 * after, at most limit.
 */
int		 store_audit_each(struct store *st, time_t since,
		    const char *ref, int64_t after, long limit,
		    store_audit_fn fn, void *arg);

#endif

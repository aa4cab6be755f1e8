/*
 * Dispatch: the outbox's side of alerts.  A fired alert becomes deliveries
 * (one per channel, or per recipient for per-recipient plugins) in the
 * same transaction that records it; pending deliveries are sent through
 * the channels' plugins under a concurrency cap, and their results are
 * recorded: delivered, retried with backoff, or dead after max_age.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <time.h>

#include <event2/event.h>

#include "../plugins/notifier.h"
#include "engine.h"
#include "store.h"

/*
 * changed is called after results are written to the outbox, when the
 * next delivery may be due sooner (the scheduler's wake-up): dispatch
 * does not know who arms the timers.
 */
int	 dispatch_init(struct event_base *base, void (*changed)(void));
void	 dispatch_free(void);
/*
 * Puts the deliveries of alert a of contract c into the outbox, in the
 * caller's transaction, with its payload (alert_json) built here, once.
 * uncovered is "" unless a is a coverage gap; overdue is the days its
 * milestone is overdue (engine_overdue), 0 if it is not.
 */
int	 dispatch_enqueue(struct store *st, const struct contract *c,
	    const struct contract_state *cs, const struct alert *a,
	    const char *uncovered, int late, int overdue, time_t now);
/*
 * Puts the digest of key (digest/RECIPIENT/YYYY-Www) for recipient into
 * the outbox of every channel [digest] names, in the caller's
 * transaction; a digest already there stays as it is.
 */
int	 dispatch_enqueue_digest(struct store *st, const char *key,
	    const char *recipient, const char *payload, time_t now);
/* A synthetic alert through the real path to one channel; its key. */
int	 dispatch_test(struct store *st, const char *channel,
	    const char *to, time_t now, char *key, size_t keylen);
/* Pending deliveries may be due: send what the concurrency cap allows. */
void	 dispatch_kick(void);
/* When the next delivery is due (0: none, or no room to send). */
time_t	 dispatch_next(void);
int	 dispatch_inflight(void);
/* Channels are about to be replaced: ends every delivery in flight. */
void	 dispatch_quiesce(void);
/* Stop starting deliveries; call done once in-flight ones end or time out. */
void	 dispatch_drain(void (*done)(void));
/* The host function plugins report results through. */
void	 dispatch_result(struct notifier_delivery *d,
	    enum notifier_status status, long retry_after, const char *message);

#endif

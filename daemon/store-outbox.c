/*
 * The store's outbox: one row per delivery of an alert to a channel (and
 * recipient), written in the transaction that fires the alert.
 */
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

int
store_delivery_add(struct store *st, const struct delivery_rec *d)
{
	return store_do(st, "INSERT OR IGNORE INTO "
	    "deliveries (key, alert_key, channel, recipient, state, attempts, "
	    "next_attempt, created, payload) "
	    "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)", "ttttIIt", d->key,
	    d->alert_key, d->channel, d->recipient, (int64_t)d->next_attempt,
	    (int64_t)d->created, d->payload);
}

/* The columns of a delivery_rec, and their letters for store_cols. */
#define DELIVERY_COLS \
	"key, alert_key, channel, recipient, state, attempts, next_attempt," \
	" created, last_error, payload"
#define DELIVERY_TYPES	"tttttiTTtt"

static int
delivery_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb		*cb = arg;
	struct delivery_rec	 d;

	store_cols(s, 0, DELIVERY_TYPES, &d.key, &d.alert_key, &d.channel,
	    &d.recipient, &d.state, &d.attempts, &d.next_attempt, &d.created,
	    &d.last_error, &d.payload);
	return cb->delivery(cb->arg, &d);
}

int
store_delivery_due(struct store *st, time_t now, long limit,
    store_delivery_fn fn, void *arg)
{
	struct store_cb	cb = { .delivery = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT " DELIVERY_COLS
	    " FROM deliveries INDEXED BY deliveries_due WHERE "
	    "state IN ('pending', 'failed') AND inflight = 0 AND "
	    "next_attempt <= ? ORDER BY next_attempt, key LIMIT ?", "II",
	    (int64_t)now, (int64_t)limit), delivery_row, &cb, __func__);
}

int
store_delivery_each(struct store *st, const char *state, long limit,
    store_delivery_fn fn, void *arg)
{
	struct store_cb	cb = { .delivery = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT " DELIVERY_COLS
	    " FROM deliveries WHERE (?1 IS NULL AND state <> 'delivered') "
	    "OR state = ?1 ORDER BY created DESC, key LIMIT ?2", "tI", state,
	    (int64_t)limit), delivery_row, &cb, __func__);
}

int
store_delivery_result(struct store *st, const char *key, const char *state,
    int attempts, time_t next_attempt, const char *last_error)
{
	return store_do(st, "UPDATE deliveries SET "
	    "state = ?, attempts = ?, next_attempt = ?, last_error = ?, "
	    "inflight = 0 WHERE key = ?", "tiItt", state, attempts,
	    (int64_t)next_attempt, last_error, key);
}

time_t
store_delivery_next(struct store *st)
{
	return (time_t)store_int(st, "SELECT min(next_attempt) FROM deliveries "
	    "WHERE state IN ('pending', 'failed') AND inflight = 0");
}

static int
count_row(sqlite3_stmt *s, void *arg)
{
	static const char *const states[4] = { "pending", "failed", "dead",
	    "delivered" };
	const char	*state = store_col_text(s, 0);
	long		*counts = arg;
	int		 i;

	for (i = 0; i < 4; i++)
		if (state != NULL && strcmp(state, states[i]) == 0)
			counts[i] = sqlite3_column_int64(s, 1);
	return 0;
}

int
store_delivery_counts(struct store *st, long counts[4])
{
	memset(counts, 0, 4 * sizeof(counts[0]));
	return store_rows(st, store_stmt(st, "SELECT state, count(*) FROM "
	    "deliveries GROUP BY state"), count_row, counts, __func__) < 0 ?
	    STORE_ERROR : 0;
}

int
store_delivery_retry(struct store *st, const char *key, time_t now)
{
	int	rc;

	if ((rc = store_do(st, "UPDATE deliveries SET "
	    "state = 'pending', next_attempt = ?1, created = ?1 "
	    "WHERE key = ?2 AND state IN ('failed', 'dead', 'pending')", "It",
	    (int64_t)now, key)) != 0)
		return rc;
	return sqlite3_changes(st->db) > 0 ? STORE_FOUND : STORE_NOTFOUND;
}

int
store_delivery_inflight(struct store *st, const char *key)
{
	return store_do(st, "UPDATE deliveries SET inflight = 1 WHERE key = ?",
	    "t", key);
}

/* After a restart nothing is in flight: what was goes out again. */
int
store_delivery_reset_inflight(struct store *st)
{
	return store_exec(st, "UPDATE deliveries SET inflight = 0 "
	    "WHERE inflight <> 0");
}

/*
 * The store's history: extensions, alerts fired or skipped, acks and the
 * audit table.
 */
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

int
store_audit(struct store *st, time_t at, long uid, const char *user,
    const char *cmd, const char *args, const char *result)
{
	return store_do(st, "INSERT INTO audit (at, uid, user, "
	    "cmd, args, result) VALUES (?, ?, ?, ?, ?, ?)", "IItttt",
	    (int64_t)at, (int64_t)uid, user, cmd, args, result) == 0 ? 0 : -1;
}

static int
audit_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb		*cb = arg;
	struct audit_rec	 a;

	store_cols(s, 0, "ITlttttt", &a.id, &a.at, &a.uid, &a.user, &a.cmd,
	    &a.ref, &a.args, &a.result);
	return cb->audit(cb->arg, &a);
}

#define AUDIT_COLS \
	"SELECT id, at, uid, user, cmd, " STORE_AUDIT_REF ", args, result " \
	"FROM audit WHERE "

int
store_audit_each(struct store *st, time_t since, const char *ref,
    int64_t after, long limit, store_audit_fn fn, void *arg)
{
	struct store_cb	 cb = { .audit = fn, .arg = arg };
	sqlite3_stmt	*s;

	if (ref != NULL)
		s = store_prep(st, AUDIT_COLS STORE_AUDIT_REF " = ?4 AND "
		    "id > ?1 AND at >= ?2 ORDER BY id LIMIT ?3", "IIIt", after,
		    (int64_t)since, (int64_t)limit, ref);
	else
		s = store_prep(st, AUDIT_COLS "id > ?1 AND at >= ?2 ORDER BY "
		    "id LIMIT ?3", "III", after, (int64_t)since,
		    (int64_t)limit);
	return store_rows(st, s, audit_row, &cb, __func__);
}

int
store_closure_add(struct store *st, const char *ref,
    const struct closure_rec *e)
{
	return store_do(st, "INSERT INTO closures (ref, old_end, closed_on, "
	    "reason, recorded_at, uid, user) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "tddtIIt", ref, e->old_end, e->closed_on, e->reason,
	    (int64_t)e->recorded_at, (int64_t)e->uid, e->user);
}

static int
closure_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb		*cb = arg;
	struct closure_rec	 e;

	store_cols(s, 0, "ddtTlt", &e.old_end, &e.closed_on, &e.reason,
	    &e.recorded_at, &e.uid, &e.user);
	return cb->closure(cb->arg, &e);
}

int
store_closure_each(struct store *st, const char *ref, store_closure_fn fn,
    void *arg)
{
	struct store_cb	 cb = { .closure = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT old_end, closed_on, "
	    "reason, recorded_at, uid, user FROM closures WHERE ref = ? "
	    "ORDER BY id", "t", ref), closure_row, &cb, __func__);
}

int
store_extension_add(struct store *st, const char *ref,
    const struct extension_rec *e)
{
	return store_do(st, "INSERT INTO extensions (ref, "
	    "old_end, new_end, decided_on, decision_ref, note, lapsed, "
	    "recorded_at, uid, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "tdddttiIIt", ref, e->old_end, e->new_end, e->decided_on,
	    e->decision_ref, e->note, e->lapsed, (int64_t)e->recorded_at,
	    (int64_t)e->uid, e->user);
}

static int
extension_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb		*cb = arg;
	struct extension_rec	 e;

	store_cols(s, 0, "dddttiTlt", &e.old_end, &e.new_end, &e.decided_on,
	    &e.decision_ref, &e.note, &e.lapsed, &e.recorded_at, &e.uid,
	    &e.user);
	return cb->extension(cb->arg, &e);
}

int
store_extension_each(struct store *st, const char *ref,
    store_extension_fn fn, void *arg)
{
	struct store_cb	 cb = { .extension = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT old_end, new_end, "
	    "decided_on, decision_ref, note, lapsed, recorded_at, uid, user "
	    "FROM extensions WHERE ref = ? ORDER BY id", "t", ref),
	    extension_row, &cb, __func__);
}

int
store_alert_record(struct store *st, const char *ref,
    const struct alert_rec *a)
{
	/* A skip never overwrites what fired. */
	return store_do(st, "INSERT INTO alerts "
	    "(key, ref, kind, due, offset_days, fire_at, state, late, at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (key) "
	    "DO UPDATE SET state = ?7, late = ?8, at = ?9 "
	    "WHERE ?7 = 'fired'", "tttdiItiI", a->key, ref, a->kind, a->due,
	    a->offset, (int64_t)a->fire_at, a->state, a->late, (int64_t)a->at);
}

int
store_alert_known(struct store *st, const char *key)
{
	return store_do(st, "SELECT 1 FROM alerts WHERE key = ?", "t", key);
}

static int
alert_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb		*cb = arg;
	struct alert_rec	 a;

	store_cols(s, 0, "ttdiTtiT", &a.key, &a.kind, &a.due, &a.offset,
	    &a.fire_at, &a.state, &a.late, &a.at);
	return cb->alert(cb->arg, &a);
}

int
store_alert_each(struct store *st, const char *ref, store_alert_fn fn,
    void *arg)
{
	struct store_cb	 cb = { .alert = fn, .arg = arg };

	/*
	 * Keys from "ref/" up to "ref0" ('0' follows '/'); a ref may hold
	 * '/' itself, so "ref/x/..." is in the range too.
	 */
	return store_rows(st, store_prep(st, "SELECT key, kind, due, "
	    "offset_days, fire_at, state, late, at FROM alerts WHERE "
	    "key >= ?1 || '/' AND key < ?1 || '0' AND ref = ?1 "
	    "ORDER BY fire_at, key", "t", ref), alert_row, &cb, __func__);
}

int
store_ack_add(struct store *st, const char *ref, const struct ack_rec *a)
{
	return store_do(st, "INSERT INTO acks (ref, "
	    "kind, due, note, at, uid, user) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "ttdtIIt", ref, a->kind, a->due, a->note, (int64_t)a->at,
	    (int64_t)a->uid, a->user);
}

int
store_acked(struct store *st, const char *ref, const char *kind, int32_t due)
{
	return store_do(st, "SELECT 1 FROM acks WHERE ref = ? AND kind = ? AND "
	    "due = ? LIMIT 1", "ttd", ref, kind, due);
}

static int
ack_row(sqlite3_stmt *s, void *arg)
{
	struct store_cb	*cb = arg;
	struct ack_rec	 a;

	store_cols(s, 0, "tdtTlti", &a.kind, &a.due, &a.note, &a.at, &a.uid,
	    &a.user, &a.again);
	if (cb->ack_ref != NULL)
		return cb->ack_ref(cb->arg, store_col_text(s, 7), &a);
	return cb->ack(cb->arg, &a);
}

int
store_ack_window(struct store *st, int32_t from, int32_t to,
    store_ack_ref_fn fn, void *arg)
{
	struct store_cb	 cb = { .ack_ref = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT kind, due, note, at, uid, "
	    "user, 0, ref FROM acks WHERE due BETWEEN ? AND ?", "dd", from, to),
	    ack_row, &cb, __func__);
}

int
store_ack_each(struct store *st, const char *ref, store_ack_fn fn, void *arg)
{
	struct store_cb	 cb = { .ack = fn, .arg = arg };

	return store_rows(st, store_prep(st, "SELECT kind, due, note, at, uid, "
	    "user, id > (SELECT min(id) FROM acks f WHERE f.ref = a.ref AND "
	    "f.kind = a.kind AND f.due = a.due) FROM acks a WHERE ref = ? "
	    "ORDER BY at, id", "t", ref), ack_row, &cb, __func__);
}

int
store_ack_first(struct store *st, const char *ref, const char *kind,
    int32_t due, store_ack_fn fn, void *arg)
{
	struct store_cb	 cb = { .ack = fn, .arg = arg };
	int		 n;

	n = store_rows(st, store_prep(st, "SELECT kind, due, note, at, uid, "
	    "user, 0 FROM acks WHERE ref = ? AND kind = ? AND due = ? "
	    "ORDER BY id LIMIT 1", "ttd", ref, kind, due), ack_row, &cb,
	    __func__);
	if (n < 0)
		return STORE_ERROR;
	return n > 0 ? STORE_FOUND : STORE_NOTFOUND;
}

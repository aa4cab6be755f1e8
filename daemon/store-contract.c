/*
 * The store's contracts and their services.
 *
 * A contract is a row; each key of its services list is a row of the
 * services table, which answers coverage from an index by (service,
 * end_date).  Milestones are not stored: the agenda and simulate take
 * the contracts whose dates can place one in their window (by the date
 * indexes) and ask the engine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "contract.h"
#include "dates.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

#define CONTRACT_COLS \
	"ref, title, kind, supplier, owner_name, owner_email, notify," \
	" start_date, end_date, max_end_date, extension_notice_days," \
	" procurement_lead_days, successor_ref, services, value, notes," \
	" silenced_until, lapsed_extension, horizon, next_fire"

long
store_contract_count(struct store *st)
{
	return (long)store_int(st, SQL_CONTRACT_COUNT,
	    "SELECT count(*) FROM contracts");
}

static char *
col_strdup(sqlite3_stmt *s, int i)
{
	const char	*v = store_col_text(s, i);

	return v == NULL ? NULL : strdup(v);
}

/* Fills c and cs from a row selected with CONTRACT_COLS. */
static int
contract_row(sqlite3_stmt *s, struct contract *c, struct contract_state *cs)
{
	enum contract_kind	k = CK_CONTRACT;

	contract_free(c);
	snprintf(c->ref, sizeof(c->ref), "%s", store_col_text(s, 0));
	c->title = col_strdup(s, 1);
	(void)contract_kind_parse(store_col_text(s, 2), &k);
	c->kind = k;
	c->supplier = col_strdup(s, 3);
	c->owner_name = col_strdup(s, 4);
	c->owner_email = col_strdup(s, 5);
	c->notify = col_strdup(s, 6);
	c->start_date = store_col_date(s, 7);
	c->end_date = store_col_date(s, 8);
	c->max_end_date = store_col_date(s, 9);
	c->extension_notice_days = store_col_days(s, 10);
	c->procurement_lead_days = store_col_days(s, 11);
	c->successor_ref = col_strdup(s, 12);
	c->services = col_strdup(s, 13);
	c->value = col_strdup(s, 14);
	c->notes = col_strdup(s, 15);
	if (cs != NULL) {
		cs->silenced_until = store_col_date(s, 16);
		cs->lapsed_extension = sqlite3_column_int(s, 17);
		cs->horizon = sqlite3_column_int64(s, 18);
		cs->next_fire = sqlite3_column_int64(s, 19);
	}
	return c->title == NULL ? -1 : 0;
}

int
store_contract_get(struct store *st, const char *ref, struct contract *c,
    struct contract_state *cs)
{
	sqlite3_stmt	*s;
	int		 rc;

	s = store_prep(st, SQL_CONTRACT_GET, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE ref = ?", "t", ref);
	if (s == NULL)
		return STORE_ERROR;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = contract_row(s, c, cs) == -1 ? STORE_ERROR : STORE_FOUND;
	else if (rc == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		rc = STORE_ERROR;
	}
	sqlite3_reset(s);
	return rc;
}

/* The rows of c's services, each key once. */
static int
services_add(struct store *st, const struct contract *c)
{
	sqlite3_stmt	*s;
	const char	*p = c->services, *svc;
	size_t		 n;
	int		 rc;

	while (contract_service_next(&p, &svc, &n)) {
		if ((s = store_prep(st, SQL_SERVICE_ADD, "INSERT OR IGNORE "
		    "INTO services (service, ref, start_date, end_date) "
		    "VALUES (?, ?, ?, ?)", "-tdd", c->ref, c->start_date,
		    c->end_date)) == NULL)
			return STORE_ERROR;
		(void)sqlite3_bind_text(s, 1, svc, (int)n, SQLITE_STATIC);
		if ((rc = store_done(st, s, __func__)) != 0)
			return rc;
	}
	return 0;
}

static int
services_delete(struct store *st, const char *ref)
{
	return store_do(st, SQL_SERVICE_DELETE,
	    "DELETE FROM services WHERE ref = ?", "t", ref);
}

/* The 16 fields of c, in CONTRACT_COLS order, then now and the state. */
#define CONTRACT_BIND(c) \
	(c)->ref, (c)->title, contract_kind_name((c)->kind), (c)->supplier, \
	(c)->owner_name, (c)->owner_email, (c)->notify, (c)->start_date, \
	(c)->end_date, (c)->max_end_date, (c)->extension_notice_days, \
	(c)->procurement_lead_days, (c)->successor_ref, (c)->services, \
	(c)->value, (c)->notes
#define CONTRACT_FMT	"tttttttdddnntttt"

int
store_contract_insert(struct store *st, const struct contract *c,
    const struct contract_state *cs, time_t now)
{
	int	 rc;

	rc = store_do(st, SQL_CONTRACT_INSERT, "INSERT INTO contracts ("
	    "ref, title, kind, supplier, owner_name, owner_email, notify, "
	    "start_date, end_date, max_end_date, extension_notice_days, "
	    "procurement_lead_days, successor_ref, services, value, notes, "
	    "created, updated, horizon, next_fire) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    CONTRACT_FMT "IIIT", CONTRACT_BIND(c), (int64_t)now, (int64_t)now,
	    (int64_t)cs->horizon, (int64_t)cs->next_fire);
	return rc != 0 ? rc : services_add(st, c);
}

int
store_contract_update(struct store *st, const struct contract *c,
    time_t now)
{
	int	 rc;

	rc = store_do(st, SQL_CONTRACT_UPDATE, "UPDATE contracts SET "
	    "title = ?2, kind = ?3, supplier = ?4, owner_name = ?5, "
	    "owner_email = ?6, notify = ?7, start_date = ?8, end_date = ?9, "
	    "max_end_date = ?10, extension_notice_days = ?11, "
	    "procurement_lead_days = ?12, successor_ref = ?13, "
	    "services = ?14, value = ?15, notes = ?16, updated = ?17 "
	    "WHERE ref = ?1", CONTRACT_FMT "I", CONTRACT_BIND(c),
	    (int64_t)now);
	if (rc != 0 || (rc = services_delete(st, c->ref)) != 0)
		return rc;
	return services_add(st, c);
}

int
store_contract_exists(struct store *st, const char *ref)
{
	sqlite3_stmt	*s;

	s = store_prep(st, SQL_CONTRACT_EXISTS,
	    "SELECT 1 FROM contracts WHERE ref = ?", "t", ref);
	return s == NULL ? STORE_ERROR : store_one(st, s, __func__);
}

int
store_contract_schedule(struct store *st, const char *ref, time_t horizon,
    time_t next_fire)
{
	return store_do(st, SQL_CONTRACT_SCHEDULE, "UPDATE contracts SET "
	    "horizon = ?, next_fire = ? WHERE ref = ?", "ITt",
	    (int64_t)horizon, (int64_t)next_fire, ref);
}

int
store_contract_silence(struct store *st, const char *ref, int32_t until)
{
	return store_do(st, SQL_CONTRACT_SILENCE, "UPDATE contracts SET "
	    "silenced_until = ? WHERE ref = ?", "dt", until, ref);
}

int
store_contract_lapsed(struct store *st, const char *ref, int lapsed)
{
	return store_do(st, SQL_CONTRACT_LAPSED, "UPDATE contracts SET "
	    "lapsed_extension = ? WHERE ref = ?", "it", lapsed, ref);
}

struct contract_cb {
	store_contract_fn	 fn;
	void			*arg;
	struct contract		 c;
	struct contract_state	 cs;
};

static int
contract_cb_row(sqlite3_stmt *s, void *arg)
{
	struct contract_cb	*cb = arg;

	if (contract_row(s, &cb->c, &cb->cs) == -1)
		return -1;
	return cb->fn(cb->arg, &cb->c, &cb->cs);
}

/* Runs a bound SELECT of CONTRACT_COLS, calling fn per row. */
static int
contract_rows(struct store *st, sqlite3_stmt *s, store_contract_fn fn,
    void *arg, const char *func)
{
	struct contract_cb	cb;
	int			n;

	if (s == NULL)
		return STORE_ERROR;
	cb.fn = fn;
	cb.arg = arg;
	contract_init(&cb.c);
	n = store_rows(st, s, contract_cb_row, &cb, func);
	contract_free(&cb.c);
	return n;
}

int
store_contract_each(struct store *st, const char *after, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, SQL_CONTRACT_EACH, "SELECT "
	    CONTRACT_COLS " FROM contracts WHERE ref > ? ORDER BY ref "
	    "LIMIT ?", "tI", after, (int64_t)limit), fn, arg, __func__);
}

int
store_contract_due(struct store *st, time_t now, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, SQL_CONTRACT_DUE, "SELECT "
	    CONTRACT_COLS " FROM contracts WHERE next_fire IS NOT NULL AND "
	    "next_fire <= ? ORDER BY next_fire LIMIT ?", "II", (int64_t)now,
	    (int64_t)limit), fn, arg, __func__);
}

time_t
store_next_fire(struct store *st)
{
	return (time_t)store_int(st, SQL_NEXT_FIRE, "SELECT min(next_fire) "
	    "FROM contracts WHERE next_fire IS NOT NULL");
}

/* The least and greatest notice and lead any contract gives itself. */
struct spread {
	int	 notice[2];
	int	 lead[2];
};

static int
spread_row(sqlite3_stmt *s, void *arg)
{
	struct spread	*sp = arg;
	int		*v[4] = { &sp->notice[0], &sp->notice[1], &sp->lead[0],
			    &sp->lead[1] };
	int		 i, d;

	for (i = 0; i < 4; i++) {
		if ((d = store_col_days(s, i)) == -1)
			continue;
		if (i % 2 == 0 ? d < *v[i] : d > *v[i])
			*v[i] = d;
	}
	return 0;
}

/* The spread, the defaults in w included; read from the partial indexes. */
static int
store_spread(struct store *st, const struct agenda_window *w,
    struct spread *sp)
{
	sqlite3_stmt	*s;

	sp->notice[0] = sp->notice[1] = w->notice;
	sp->lead[0] = sp->lead[1] = w->lead;
	s = store_stmt(st, SQL_SPREAD, "SELECT"
	    " (SELECT min(extension_notice_days) FROM contracts"
	    "  WHERE extension_notice_days IS NOT NULL),"
	    " (SELECT max(extension_notice_days) FROM contracts"
	    "  WHERE extension_notice_days IS NOT NULL),"
	    " (SELECT min(procurement_lead_days) FROM contracts"
	    "  WHERE procurement_lead_days IS NOT NULL),"
	    " (SELECT max(procurement_lead_days) FROM contracts"
	    "  WHERE procurement_lead_days IS NOT NULL)");
	if (s == NULL)
		return STORE_ERROR;
	return store_rows(st, s, spread_row, sp, __func__) < 0 ?
	    STORE_ERROR : 0;
}

int
store_contract_window(struct store *st, const struct agenda_window *w,
    store_contract_fn fn, void *arg)
{
	struct spread	 sp;
	int32_t		 e0, e1;

	if (store_spread(st, w, &sp) != 0)
		return STORE_ERROR;
	/*
	 * term_end and coverage_gap fall on the end, expired the day after
	 * it, extension_deadline a notice before it; procurement_start a
	 * lead before the maximum end.
	 */
	e0 = w->from - 1;
	if (w->from + sp.notice[0] < e0)
		e0 = w->from + sp.notice[0];
	e1 = w->to;
	if (w->to + sp.notice[1] > e1)
		e1 = w->to + sp.notice[1];
	return contract_rows(st, store_prep(st, SQL_CONTRACT_WINDOW, "SELECT "
	    CONTRACT_COLS " FROM contracts WHERE end_date BETWEEN ?1 AND ?2 "
	    "OR max_end_date BETWEEN ?3 AND ?4", "dddd", e0, e1,
	    w->from + sp.lead[0], w->to + sp.lead[1]), fn, arg, __func__);
}

int
store_covered(void *arg, const char *svc, int32_t day, const char *ref)
{
	struct store	*st = arg;
	sqlite3_stmt	*s;
	int		 rc;

	s = store_prep(st, SQL_COVERED, "SELECT 1 FROM services WHERE "
	    "service = ?1 AND end_date >= ?2 AND (start_date IS NULL OR "
	    "start_date <= ?2) AND ref <> ?3 LIMIT 1", "tdt", svc, day, ref);
	/* An error answers "not covered": a false warning, not a miss. */
	if (s == NULL || (rc = store_one(st, s, __func__)) < 0)
		return 0;
	return rc;
}

static int
fill_row(void *arg, struct contract *c, struct contract_state *cs)
{
	(void)cs;
	return services_add(arg, c) == 0 ? 0 : -1;
}

int
store_services_fill(struct store *st)
{
	return contract_rows(st, store_prep(st, SQL_CONTRACT_EACH, "SELECT "
	    CONTRACT_COLS " FROM contracts WHERE ref > ? ORDER BY ref "
	    "LIMIT ?", "tI", "", (int64_t)INT64_MAX), fill_row, st,
	    __func__) < 0 ? -1 : 0;
}

int
store_import_begin(struct store *st)
{
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS import ("
	    " ref TEXT PRIMARY KEY, row INTEGER NOT NULL,"
	    " due INTEGER NOT NULL) WITHOUT ROWID;"
	    "DELETE FROM temp.import;") == 0 ? 0 : STORE_ERROR;
}

int
store_import_note(struct store *st, const char *ref, size_t row, int due,
    size_t *first)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = store_do(st, SQL_IMPORT_ADD, "INSERT INTO temp.import "
	    "(ref, row, due) VALUES (?, ?, ?)", "tIi", ref, (int64_t)row,
	    due)) != STORE_CONFLICT)
		return rc;
	if ((s = store_prep(st, SQL_IMPORT_ROW, "SELECT row FROM temp.import "
	    "WHERE ref = ?", "t", ref)) == NULL)
		return STORE_ERROR;
	*first = sqlite3_step(s) == SQLITE_ROW ?
	    (size_t)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return STORE_CONFLICT;
}

int
store_import_due(struct store *st, const char *after, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, SQL_IMPORT_DUE, "SELECT "
	    CONTRACT_COLS " FROM temp.import JOIN contracts USING (ref) "
	    "WHERE due = 1 AND ref > ? ORDER BY ref LIMIT ?", "tI", after,
	    (int64_t)limit), fn, arg, __func__);
}

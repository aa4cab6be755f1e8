/*
 * The store's contracts and their services.
 *
 * A contract is a row; each key of its services list is a row of the
 * services table, which answers coverage from its key (service,
 * end_date).  Milestones are not stored: the agenda and simulate take
 * the contracts whose dates can place one in their window (by the date
 * indexes) and ask the engine.
 */
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "contract.h"
#include "dates.h"
#include "store.h"
#include "store_int.h"

#define CONTRACT_COLS \
	"ref, title, kind, supplier, owner_name, owner_email, notify," \
	" start_date, end_date, max_end_date, extension_notice_days," \
	" procurement_lead_days, successor_ref, services, value, notes," \
	" silenced_until, lapsed_extension, horizon, next_fire, id," \
	" closed_on, closed_reason"

long
store_contract_count(struct store *st)
{
	return (long)store_int(st, "SELECT count(*) FROM contracts");
}

/* Fills c and cs from a row selected with CONTRACT_COLS. */
static int
contract_row(sqlite3_stmt *s, struct contract *c, struct contract_state *cs)
{
	contract_free(c);	/* kind CK_CONTRACT unless the row names one */
	snprintf(c->ref, sizeof(c->ref), "%s", store_col_text(s, 0));
	(void)contract_kind_parse(store_col_text(s, 2), &c->kind);
	store_cols(s, 1, "s-ssssdddnnssss", &c->title, &c->supplier,
	    &c->owner_name, &c->owner_email, &c->notify, &c->start_date,
	    &c->end_date, &c->max_end_date, &c->extension_notice_days,
	    &c->procurement_lead_days, &c->successor_ref, &c->services,
	    &c->value, &c->notes);
	store_cols(s, 21, "ds", &c->closed_on, &c->closed_reason);
	if (cs != NULL)
		store_cols(s, 16, "diTT", &cs->silenced_until,
		    &cs->lapsed_extension, &cs->horizon, &cs->next_fire);
	return c->title == NULL ? -1 : 0;
}

/* A walk over rows of CONTRACT_COLS. */
struct contract_cb {
	store_contract_fn	 fn;		/* NULL: the row is only read */
	void			*arg;
	struct contract		*c;
	struct contract_state	*cs;		/* may be NULL */
	int64_t			*after;		/* the last row's id, or NULL */
};

static int
contract_cb_row(sqlite3_stmt *s, void *arg)
{
	struct contract_cb	*cb = arg;

	if (cb->after != NULL)
		*cb->after = sqlite3_column_int64(s, 20);
	if (contract_row(s, cb->c, cb->cs) == -1)
		return -1;
	return cb->fn != NULL ? cb->fn(cb->arg, cb->c, cb->cs) : 0;
}

static const char contract_get_sql[] = "SELECT " CONTRACT_COLS
    " FROM contracts WHERE ref = ?";

int
store_contract_get(struct store *st, const char *ref, struct contract *c,
    struct contract_state *cs)
{
	struct contract_cb	cb = { NULL, NULL, c, cs, NULL };

	return store_rows(st, store_prep(st, contract_get_sql, "t", ref),
	    contract_cb_row, &cb, __func__);
}

/*
 * Adds (add 1) or removes (0) the rows of the services c lists, each key
 * once; id is c's row.  A contract without a start date starts at ''.
 */
static int
services_set(struct store *st, const struct contract *c, int64_t id, int add)
{
	sqlite3_stmt	*s;
	const char	*p = c->services, *svc, *start = "";
	char		 buf[DATE_STRLEN];
	size_t		 n;
	int		 rc;

	if (c->start_date != DATE_NONE)
		start = date_format(c->start_date, buf);
	while (contract_service_next(&p, &svc, &n)) {
		if (!contract_service_first(c->services, svc, n))
			continue;
		s = add ? store_prep(st, "INSERT OR IGNORE INTO services "
		    "(service, end_date, start_date, contract) VALUES "
		    "(?, ?, ?, ?)", "-dtI", c->end_date, start, id) :
		    store_prep(st, "DELETE FROM services WHERE service = ? AND "
		    "end_date = ? AND start_date = ? AND contract = ?", "-dtI",
		    c->end_date, start, id);
		if (s == NULL)
			return STORE_ERROR;
		(void)sqlite3_bind_text(s, 1, svc, (int)n, SQLITE_STATIC);
		if ((rc = store_done(st, s, __func__)) != 0)
			return rc;
	}
	return 0;
}

/* The 18 fields of c, in CONTRACT_COLS order, then now and the state. */
#define CONTRACT_BIND(c) \
	(c)->ref, (c)->title, contract_kind_name((c)->kind), (c)->supplier, \
	(c)->owner_name, (c)->owner_email, (c)->notify, (c)->start_date, \
	(c)->end_date, (c)->max_end_date, (c)->extension_notice_days, \
	(c)->procurement_lead_days, (c)->successor_ref, (c)->services, \
	(c)->value, (c)->notes, (c)->closed_on, (c)->closed_reason
#define CONTRACT_FMT	"tttttttdddnnttttdt"

int
store_contract_insert(struct store *st, const struct contract *c,
    const struct contract_state *cs, time_t now)
{
	int	 rc;

	rc = store_do(st, "INSERT INTO contracts ("
	    "ref, title, kind, supplier, owner_name, owner_email, notify, "
	    "start_date, end_date, max_end_date, extension_notice_days, "
	    "procurement_lead_days, successor_ref, services, value, notes, "
	    "closed_on, closed_reason, created, updated, horizon, next_fire) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?)",
	    CONTRACT_FMT "IIIT", CONTRACT_BIND(c), (int64_t)now, (int64_t)now,
	    (int64_t)cs->horizon, (int64_t)cs->next_fire);
	if (rc != 0)
		return rc;
	st->last_contract = sqlite3_last_insert_rowid(st->db);
	return services_set(st, c, st->last_contract, 1);
}

int
store_contract_update(struct store *st, const struct contract *c,
    time_t now)
{
	struct contract		 old;
	int64_t			 id;
	struct contract_cb	 cb = { NULL, NULL, &old, NULL, &id };
	int			 rc;

	/* The rows of its services as they were go first. */
	contract_init(&old);
	rc = store_rows(st, store_prep(st, contract_get_sql, "t", c->ref),
	    contract_cb_row, &cb, __func__) == 1 ?
	    services_set(st, &old, id, 0) : STORE_ERROR;
	contract_free(&old);
	if (rc != 0)
		return rc;
	rc = store_do(st, "UPDATE contracts SET "
	    "title = ?2, kind = ?3, supplier = ?4, owner_name = ?5, "
	    "owner_email = ?6, notify = ?7, start_date = ?8, end_date = ?9, "
	    "max_end_date = ?10, extension_notice_days = ?11, "
	    "procurement_lead_days = ?12, successor_ref = ?13, "
	    "services = ?14, value = ?15, notes = ?16, closed_on = ?17, "
	    "closed_reason = ?18, updated = ?19 "
	    "WHERE ref = ?1", CONTRACT_FMT "I", CONTRACT_BIND(c),
	    (int64_t)now);
	return rc != 0 ? rc : services_set(st, c, id, 1);
}

int
store_contract_exists(struct store *st, const char *ref)
{
	return store_do(st, "SELECT 1 FROM contracts WHERE ref = ?", "t", ref);
}

int
store_contract_schedule(struct store *st, const char *ref, time_t horizon,
    time_t next_fire)
{
	return store_do(st, "UPDATE contracts SET horizon = ?, next_fire = ? "
	    "WHERE ref = ?", "ITt",
	    (int64_t)horizon, (int64_t)next_fire, ref);
}

int
store_contract_silence(struct store *st, const char *ref, int32_t until)
{
	return store_do(st, "UPDATE contracts SET silenced_until = ? "
	    "WHERE ref = ?", "dt", until, ref);
}

int
store_contract_lapsed(struct store *st, const char *ref, int lapsed)
{
	return store_do(st, "UPDATE contracts SET lapsed_extension = ? "
	    "WHERE ref = ?", "it", lapsed, ref);
}

/* Runs a bound SELECT of CONTRACT_COLS, calling fn per row. */
static int
contract_rows(struct store *st, sqlite3_stmt *s, store_contract_fn fn,
    void *arg, int64_t *after, const char *func)
{
	struct contract		c;
	struct contract_state	cs;
	struct contract_cb	cb = { fn, arg, &c, &cs, after };
	int			n;

	contract_init(&c);
	n = store_rows(st, s, contract_cb_row, &cb, func);
	contract_free(&c);
	return n;
}

static const char contract_each_sql[] = "SELECT " CONTRACT_COLS
    " FROM contracts WHERE ref > ? ORDER BY ref LIMIT ?";

int
store_contract_each(struct store *st, const char *after, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, contract_each_sql, "tI", after,
	    (int64_t)limit), fn, arg, NULL, __func__);
}

/*
 * The filters of store_contract_find, each NULL when not given (?2 to
 * ?7), after the ref ?1; ?8 is the limit.  Each statement leads with the
 * index of one filter given, the most selective first.
 */
#define FIND_HEAD \
	"SELECT " CONTRACT_COLS " FROM contracts WHERE ref > ?1"
#define FIND_TAIL \
	" AND (?2 IS NULL OR kind = ?2)" \
	" AND (?3 IS NULL OR owner_email = ?3 COLLATE NOCASE)" \
	" AND (?4 IS NULL OR instr(lower(supplier), lower(?4)) > 0)" \
	" AND (?5 IS NULL OR id IN (SELECT contract FROM services" \
	"  WHERE service = ?5))" \
	" AND (?6 IS NULL OR +end_date < ?6)" \
	" AND (?7 IS NULL OR +end_date > ?7)" \
	" ORDER BY ref LIMIT ?8"

static const char find_any_sql[] = FIND_HEAD FIND_TAIL;
static const char find_service_sql[] = FIND_HEAD
    " AND id IN (SELECT contract FROM services WHERE service = ?5)"
    FIND_TAIL;
static const char find_owner_sql[] = FIND_HEAD
    " AND owner_email = ?3 COLLATE NOCASE" FIND_TAIL;
static const char find_end_sql[] = FIND_HEAD
    " AND end_date > coalesce(?7, '') AND end_date < coalesce(?6, '~')"
    FIND_TAIL;

int
store_contract_find(struct store *st, const struct contract_filter *f,
    const char *after, long limit, store_contract_fn fn, void *arg)
{
	const char	*sql = find_any_sql;

	if (f->service != NULL)
		sql = find_service_sql;
	else if (f->owner != NULL)
		sql = find_owner_sql;
	else if (f->ending_before != DATE_NONE ||
	    f->ending_after != DATE_NONE)
		sql = find_end_sql;
	return contract_rows(st, store_prep(st, sql, "tttttddI", after,
	    f->kind, f->owner, f->supplier, f->service, f->ending_before,
	    f->ending_after, (int64_t)limit), fn, arg, NULL, __func__);
}

int
store_contract_each_owner(struct store *st, const char *owner,
    const char *after, long limit, store_contract_fn fn, void *arg)
{
	sqlite3_stmt	*s;

	/* Both walk the index contracts_owner. */
	if (owner == NULL)
		s = store_prep(st, "SELECT " CONTRACT_COLS " FROM contracts "
		    "WHERE owner_email IS NULL AND ref > ? ORDER BY ref "
		    "LIMIT ?", "tI", after, (int64_t)limit);
	else
		s = store_prep(st, "SELECT " CONTRACT_COLS " FROM contracts "
		    "WHERE (owner_email, ref) > (?, ?) "
		    "ORDER BY owner_email, ref LIMIT ?", "ttI", owner, after,
		    (int64_t)limit);
	return contract_rows(st, s, fn, arg, NULL, __func__);
}

int
store_contract_due(struct store *st, time_t now, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE next_fire IS NOT NULL AND next_fire <= ? "
	    "ORDER BY next_fire LIMIT ?", "II", (int64_t)now, (int64_t)limit),
	    fn, arg, NULL, __func__);
}

time_t
store_next_fire(struct store *st)
{
	return (time_t)store_int(st, "SELECT min(next_fire) FROM contracts "
	    "WHERE next_fire IS NOT NULL");
}

int
store_contract_window(struct store *st, const struct agenda_window *w,
    store_contract_fn fn, void *arg)
{
	/*
	 * term_end and coverage_gap fall on the end, expired the day after
	 * it; extension_deadline a notice before the end, procurement_start
	 * a lead before the maximum end: the default's, or the contract's
	 * own (indexed as it is).
	 */
	return contract_rows(st, store_prep(st, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE id IN ("
	    " SELECT id FROM contracts WHERE end_date BETWEEN ?1 AND ?2"
	    " UNION SELECT id FROM contracts WHERE end_date BETWEEN ?3 AND ?4"
	    "  AND extension_notice_days IS NULL"
	    " UNION SELECT id FROM contracts WHERE extension_notice_days IS NOT"
	    "  NULL AND " STORE_EXT_OWN " BETWEEN ?5 AND ?6"
	    " UNION SELECT id FROM contracts WHERE max_end_date BETWEEN ?7 AND"
	    "  ?8 AND procurement_lead_days IS NULL"
	    " UNION SELECT id FROM contracts WHERE procurement_lead_days IS NOT"
	    "  NULL AND " STORE_PROC_OWN " BETWEEN ?5 AND ?6)", "dddddddd",
	    w->from - 1, w->to, w->from + w->notice, w->to + w->notice,
	    w->from, w->to, w->from + w->lead, w->to + w->lead), fn, arg, NULL,
	    __func__);
}

int
store_contract_overdue(struct store *st, const struct agenda_window *w,
    int window, store_contract_fn fn, void *arg)
{
	/* ?3 is the day; a deadline before it still matters until the end. */
	return contract_rows(st, store_prep(st, "SELECT "
	    CONTRACT_COLS " FROM contracts WHERE id IN ("
	    " SELECT id FROM contracts WHERE end_date BETWEEN ?1 AND ?2"
	    " UNION SELECT id FROM contracts WHERE end_date BETWEEN ?3 AND ?4"
	    "  AND extension_notice_days IS NULL"
	    " UNION SELECT id FROM contracts WHERE extension_notice_days IS NOT"
	    "  NULL AND " STORE_EXT_OWN " < ?3 AND end_date >= ?3"
	    " UNION SELECT id FROM contracts WHERE max_end_date BETWEEN ?3 AND"
	    "  ?5 AND procurement_lead_days IS NULL"
	    " UNION SELECT id FROM contracts WHERE procurement_lead_days IS NOT"
	    "  NULL AND " STORE_PROC_OWN " < ?3 AND max_end_date >= ?3)",
	    "ddddd", w->from - window - 1, w->from - 1, w->from,
	    w->from + w->notice - 1, w->from + w->lead - 1), fn, arg, NULL,
	    __func__);
}

int
store_covered(void *arg, const char *svc, int32_t day, const char *ref)
{
	struct store	*st = arg;
	int		 rc;

	/*
	 * ref's own row never answers: the day asked is the day after its
	 * end (engine_services_uncovered), which the row ends before.
	 */
	(void)ref;
	rc = store_do(st, "SELECT 1 FROM services WHERE "
	    "service = ?1 AND end_date >= ?2 AND start_date <= ?2 LIMIT 1",
	    "td", svc, day);
	return rc < 0 ? 0 : rc;
}

int
store_covered_other(void *arg, const char *svc, int32_t day, const char *ref)
{
	struct store	*st = arg;
	int		 rc;

	rc = store_do(st, "SELECT 1 FROM services WHERE "
	    "service = ?1 AND end_date >= ?2 AND start_date <= ?2 AND "
	    "contract <> coalesce((SELECT id FROM contracts WHERE ref = ?3), "
	    "0) LIMIT 1", "tdt", svc, day, ref);
	return rc < 0 ? 0 : rc;
}

/*
 * A row of the contracts as migration 9 left them: only the columns that
 * make its services' rows, since later migrations add others.
 */
static int
fill_row(sqlite3_stmt *s, void *arg)
{
	struct contract	 c;
	int64_t		 id;
	int		 rc;

	contract_init(&c);
	store_cols(s, 0, "Isdd", &id, &c.services, &c.start_date,
	    &c.end_date);
	rc = services_set(arg, &c, id, 1) == 0 ? 0 : -1;
	contract_free(&c);
	return rc;
}

int
store_services_fill(struct store *st)
{
	return store_rows(st, store_prep(st, "SELECT id, services, "
	    "start_date, end_date FROM contracts WHERE services <> '' "
	    "ORDER BY id", ""), fill_row, st, __func__) < 0 ? -1 : 0;
}

int
store_import_begin(struct store *st)
{
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS import_due ("
	    " id INTEGER PRIMARY KEY);"
	    "DELETE FROM temp.import_due;") == 0 ? 0 : STORE_ERROR;
}

int64_t
store_import_next_id(struct store *st)
{
	return store_int(st, "SELECT coalesce(max(id), 0) + 1 FROM contracts");
}

struct dangling_cb {
	store_dangling_fn	 fn;
	void			*arg;
};

static int
dangling_row(sqlite3_stmt *s, void *arg)
{
	struct dangling_cb	*cb = arg;

	return cb->fn(cb->arg, store_col_text(s, 0), store_col_text(s, 1));
}

int
store_import_dangling(struct store *st, int64_t first, store_dangling_fn fn,
    void *arg)
{
	struct dangling_cb	 cb = { fn, arg };

	return store_rows(st, store_prep(st, "SELECT ref, successor_ref FROM "
	    "contracts c WHERE id >= ? AND successor_ref <> '' AND NOT EXISTS "
	    "(SELECT 1 FROM contracts n WHERE n.ref = c.successor_ref) ORDER BY "
	    "id", "I", first), dangling_row, &cb, __func__);
}

int64_t
store_import_last_id(struct store *st)
{
	return st->last_contract;
}

/* The row of ref: its id, or -1. */
int64_t
store_import_id_of(struct store *st, const char *ref)
{
	sqlite3_stmt	*s;
	int64_t		 id = -1;

	if ((s = store_prep(st, "SELECT id FROM contracts WHERE ref = ?", "t",
	    ref)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

int
store_import_due_add(struct store *st, int64_t id)
{
	return store_do(st, "INSERT INTO temp.import_due (id) VALUES (?)", "I",
	    id);
}

int
store_import_due(struct store *st, int64_t *after, long limit,
    store_contract_fn fn, void *arg)
{
	return contract_rows(st, store_prep(st, "SELECT " CONTRACT_COLS
	    " FROM temp.import_due JOIN contracts USING (id) WHERE id > ? "
	    "ORDER BY id LIMIT ?", "II", *after, (int64_t)limit), fn, arg,
	    after, __func__);
}

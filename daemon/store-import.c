/*
 * The store's staging of an OCDS import: the rows mapped from releases,
 * one per award, the latest release's kept (OCDS: later releases
 * supersede earlier ones), read back in the order awards first came.
 * A temporary table, in the import's transaction; on file (temp_store),
 * so memory does not grow with the import.  Beside it, the refs an
 * import --update has seen, which a duplicate names.
 */
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

int
store_stage_begin(struct store *st)
{
	return store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS ocds_stage ("
	    " ref TEXT PRIMARY KEY, seq INTEGER NOT NULL, date INTEGER,"
	    " ocid TEXT, fields TEXT, reason TEXT);"
	    "CREATE TEMP TABLE IF NOT EXISTS import_seen ("
	    " ref TEXT PRIMARY KEY, row INTEGER NOT NULL);"
	    "DELETE FROM temp.ocds_stage; DELETE FROM temp.import_seen;") ==
	    0 ? 0 : STORE_ERROR;
}

int64_t
store_import_seen(struct store *st, const char *ref, int64_t row)
{
	sqlite3_stmt	*s;
	int64_t		 first = 0;

	if ((s = store_prep(st, "SELECT row FROM temp.import_seen WHERE "
	    "ref = ?", "t", ref)) == NULL)
		return STORE_ERROR;
	if (sqlite3_step(s) == SQLITE_ROW)
		first = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (first > 0)
		return first;
	return store_do(st, "INSERT INTO temp.import_seen (ref, row) VALUES "
	    "(?, ?)", "tI", ref, row) < 0 ? STORE_ERROR : 0;
}

int
store_stage_put(struct store *st, const struct stage_rec *s)
{
	/* A tie goes to the release that comes later in the file. */
	return store_do(st, "INSERT INTO temp.ocds_stage (ref, seq, date, "
	    "ocid, fields, reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ref) "
	    "DO UPDATE SET date = excluded.date, ocid = excluded.ocid, "
	    "fields = excluded.fields, reason = excluded.reason "
	    "WHERE excluded.date >= ocds_stage.date", "tIIttt", s->ref,
	    s->seq, s->date, s->ocid, s->fields, s->reason) < 0 ?
	    STORE_ERROR : 0;
}

struct stage_cb {
	store_stage_fn	 fn;
	void		*arg;
};

static int
stage_row(sqlite3_stmt *s, void *arg)
{
	struct stage_cb		*cb = arg;
	struct stage_rec	 r;

	store_cols(s, 0, "tIIttt", &r.ref, &r.seq, &r.date, &r.ocid,
	    &r.fields, &r.reason);
	return cb->fn(cb->arg, &r);
}

int
store_stage_each(struct store *st, store_stage_fn fn, void *arg)
{
	struct stage_cb	 cb = { fn, arg };

	return store_rows(st, store_prep(st, "SELECT ref, seq, date, ocid, "
	    "fields, reason FROM temp.ocds_stage ORDER BY seq", ""),
	    stage_row, &cb, __func__);
}

/*
 * The SQLite store.  Every SQL statement of the daemon lives in this file.
 *
 * Dates are stored as ISO text (YYYY-MM-DD), which sorts and compares like
 * the dates it names and reads well in the sqlite3 shell; instants as Unix
 * seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h"

/*
 * Migrations, applied in order inside one transaction each; the schema
 * version is the number of migrations applied (PRAGMA user_version).
 */
static const char *const store_migrations[] = {
	/* 1: contracts, their history, alert state, outbox, audit */
	"CREATE TABLE contracts ("
	" ref TEXT PRIMARY KEY,"
	" title TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'contract',"
	" supplier TEXT, owner_name TEXT, owner_email TEXT, notify TEXT,"
	" start_date TEXT, end_date TEXT NOT NULL, max_end_date TEXT NOT NULL,"
	" extension_notice_days INTEGER, procurement_lead_days INTEGER,"
	" successor_ref TEXT, services TEXT, value TEXT, notes TEXT,"
	" silenced_until TEXT,"
	" lapsed_extension INTEGER NOT NULL DEFAULT 0,"
	" next_fire INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX contracts_next_fire ON contracts(next_fire)"
	" WHERE next_fire IS NOT NULL;"
	"CREATE TABLE services ("
	" service TEXT NOT NULL, ref TEXT NOT NULL,"
	" start_date TEXT, end_date TEXT NOT NULL,"
	" PRIMARY KEY (service, ref)) WITHOUT ROWID;"
	"CREATE INDEX services_ref ON services(ref);"
	"CREATE TABLE extensions ("
	" id INTEGER PRIMARY KEY, ref TEXT NOT NULL,"
	" old_end TEXT NOT NULL, new_end TEXT NOT NULL,"
	" decided_on TEXT, decision_ref TEXT, note TEXT,"
	" lapsed INTEGER NOT NULL DEFAULT 0,"
	" recorded_at INTEGER NOT NULL, uid INTEGER, user TEXT);"
	"CREATE INDEX extensions_ref ON extensions(ref);"
	"CREATE TABLE alerts ("
	" key TEXT PRIMARY KEY, ref TEXT NOT NULL, kind TEXT NOT NULL,"
	" due TEXT NOT NULL, offset_days INTEGER NOT NULL,"
	" fire_at INTEGER NOT NULL, state TEXT NOT NULL,"
	" late INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX alerts_ref ON alerts(ref);"
	"CREATE TABLE acks ("
	" ref TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,"
	" note TEXT, at INTEGER NOT NULL, uid INTEGER, user TEXT,"
	" PRIMARY KEY (ref, kind, due)) WITHOUT ROWID;"
	"CREATE TABLE deliveries ("
	" key TEXT PRIMARY KEY, alert_key TEXT NOT NULL,"
	" channel TEXT NOT NULL, recipient TEXT,"
	" state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL, created INTEGER NOT NULL,"
	" last_error TEXT, payload TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX deliveries_next ON deliveries(state, next_attempt);"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, uid INTEGER,"
	" user TEXT, cmd TEXT NOT NULL, args TEXT, result TEXT);",
};
#define STORE_NMIGRATIONS \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

int
store_exec(struct store *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, msg ? msg : "unknown error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st)
{
	return store_exec(st, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *st)
{
	return store_exec(st, "COMMIT");
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)store_exec(st, "ROLLBACK");
}

/*
 * A prepared statement from the cache, reset and with its bindings
 * cleared.  Statements live until store_close().
 */
sqlite3_stmt *
store_stmt(struct store *st, enum store_sql id, const char *sql)
{
	sqlite3_stmt	*s = st->stmts[id];

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, sql, sqlite3_errmsg(st->db));
		return NULL;
	}
	st->stmts[id] = s;
	return s;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	char	sql[64];
	int	v;

	if ((v = store_schema_version(st)) == -1) {
		snprintf(err, errlen, "cannot read the schema version: %s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (v > STORE_NMIGRATIONS) {
		snprintf(err, errlen, "schema version %d is newer than this "
		    "contractd (%d)", v, STORE_NMIGRATIONS);
		return -1;
	}
	for (; v < STORE_NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (store_begin(st) == -1 ||
		    store_exec(st, store_migrations[v]) == -1 ||
		    store_exec(st, sql) == -1 || store_commit(st) == -1) {
			store_rollback(st);
			snprintf(err, errlen, "schema migration %d failed",
			    v + 1);
			return -1;
		}
		log_info("%s: schema migrated to version %d", __func__, v + 1);
	}
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->db ?
		    sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 2000);
	if (store_exec(st, "PRAGMA journal_mode = WAL") == -1 ||
	    store_exec(st, "PRAGMA synchronous = FULL") == -1 ||
	    store_exec(st, "PRAGMA foreign_keys = ON") == -1) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return NULL;
	}
	if (store_migrate(st, err, errlen) == -1) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_NSQL; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	free(st);
}

long
store_contract_count(struct store *st)
{
	sqlite3_stmt	*s;
	long		 n = -1;

	s = store_stmt(st, SQL_CONTRACT_COUNT,
	    "SELECT count(*) FROM contracts");
	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	if (s != NULL)
		sqlite3_reset(s);
	return n;
}

/* Binds text or NULL. */
int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

int
store_audit(struct store *st, time_t at, long uid, const char *user,
    const char *cmd, const char *args, const char *result)
{
	sqlite3_stmt	*s;
	int		 rc;

	s = store_stmt(st, SQL_AUDIT, "INSERT INTO audit (at, uid, user, "
	    "cmd, args, result) VALUES (?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_int64(s, 2, uid);
	store_bind_text(s, 3, user);
	store_bind_text(s, 4, cmd);
	store_bind_text(s, 5, args);
	store_bind_text(s, 6, result);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

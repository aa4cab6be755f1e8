/*
 * The SQLite store: opening, the schema's migrations, transactions and
 * the statement cache.  The tables' statements are in store-contract.c
 * (contracts and services), store-history.c (extensions, alerts, acks,
 * audit) and store-outbox.c (deliveries); no other file speaks SQL.
 *
 * Dates are stored as ISO text (YYYY-MM-DD), which sorts and compares like
 * the dates it names and reads well in the sqlite3 shell; instants as Unix
 * seconds.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dates.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

/*
 * The page cache: a transaction larger than it (an import) writes pages
 * to the log before its commit, so memory stays bounded.
 */
#define STORE_CACHE_KIB	"32768"
/*
 * An import's: its rows go into indexes in no useful order, and pages
 * the cache cannot keep are written to the log and read back again.
 */
#define STORE_BULK_CACHE_KIB	"131072"
#define STORE_WAL_LIMIT	"67108864"	/* bytes of WAL kept after a reset */
/* The page size of a new database; one keeps the size it was made with. */
#define STORE_PAGE_SIZE	"16384"

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
	" ext_due TEXT, proc_due TEXT,"
	" horizon INTEGER NOT NULL DEFAULT 0,"
	" next_fire INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX contracts_next_fire ON contracts(next_fire)"
	" WHERE next_fire IS NOT NULL;"
	"CREATE INDEX contracts_end ON contracts(end_date);"
	"CREATE INDEX contracts_ext_due ON contracts(ext_due)"
	" WHERE ext_due IS NOT NULL;"
	"CREATE INDEX contracts_proc_due ON contracts(proc_due)"
	" WHERE proc_due IS NOT NULL;"
	"CREATE TABLE services ("
	" service TEXT NOT NULL, end_date TEXT NOT NULL, ref TEXT NOT NULL,"
	" start_date TEXT,"
	" PRIMARY KEY (service, end_date, ref)) WITHOUT ROWID;"
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
	" inflight INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, payload TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX deliveries_next ON deliveries(state, next_attempt);"
	"CREATE INDEX deliveries_inflight ON deliveries(inflight)"
	" WHERE inflight <> 0;"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, uid INTEGER,"
	" user TEXT, cmd TEXT NOT NULL, args TEXT, result TEXT);",
	/*
	 * 2: services are found by key, and removed by the keys in their
	 * contract's row: an index by ref cost a B-tree insert per service
	 * (two million in an import of a million contracts).
	 */
	"DROP INDEX services_ref;"
	/*
	 * The agenda reads its window from the date indexes alone, without
	 * a lookup of each contract's row: they carry what it shows.
	 */
	"DROP INDEX contracts_end;"
	"DROP INDEX contracts_ext_due;"
	"DROP INDEX contracts_proc_due;"
	"CREATE INDEX contracts_end ON contracts(end_date, title, services);"
	"CREATE INDEX contracts_ext_due ON contracts(ext_due, title)"
	" WHERE ext_due IS NOT NULL;"
	"CREATE INDEX contracts_proc_due ON contracts(proc_due, title)"
	" WHERE proc_due IS NOT NULL;"
	/*
	 * Deliveries in a rowid table: a payload of about 1 KB made each
	 * row overflow the B-tree pages of a table keyed by its text.
	 */
	"CREATE TABLE deliveries_v2 ("
	" id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	" alert_key TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT,"
	" state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL, created INTEGER NOT NULL,"
	" inflight INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, payload TEXT NOT NULL);"
	"INSERT INTO deliveries_v2 (key, alert_key, channel, recipient, state,"
	" attempts, next_attempt, created, inflight, last_error, payload)"
	" SELECT key, alert_key, channel, recipient, state, attempts,"
	" next_attempt, created, inflight, last_error, payload"
	" FROM deliveries ORDER BY created, key;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_v2 RENAME TO deliveries;"
	"CREATE INDEX deliveries_next ON deliveries(state, next_attempt);"
	"CREATE INDEX deliveries_inflight ON deliveries(inflight)"
	" WHERE inflight <> 0;",
	/* 3: coverage as dates a service, in a blob of its own (gone in 9). */
	"CREATE TABLE coverage ("
	" service TEXT PRIMARY KEY, pairs BLOB NOT NULL) WITHOUT ROWID;",
	/* 4: the agenda's days, a blob a day (gone in 9); meta. */
	"CREATE TABLE agenda (day INTEGER PRIMARY KEY, rows BLOB NOT NULL);"
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;",
	/*
	 * 5: the dispatcher's next deliveries in the order it takes them,
	 * LIMIT rows of an index, not every pending one sorted each batch.
	 */
	"CREATE INDEX deliveries_due ON deliveries(next_attempt, key)"
	" WHERE state IN ('pending', 'failed') AND inflight = 0;",
	/* 6: a note of the agenda's days (gone in 9). */
	"DELETE FROM meta WHERE name = 'agenda_stale';",
	/* 7: the derived due dates of a row, which nothing reads since (6). */
	"DROP INDEX IF EXISTS contracts_ext_due;"
	"DROP INDEX IF EXISTS contracts_proc_due;"
	"ALTER TABLE contracts DROP COLUMN ext_due;"
	"ALTER TABLE contracts DROP COLUMN proc_due;",
	/*
	 * 8: an alert's key begins with its contract's ref and a '/', so
	 * its contract's alerts are a range of keys: an index by ref cost
	 * a B-tree insert for each alert an import fires.
	 */
	"DROP INDEX IF EXISTS alerts_ref;",
	/*
	 * 9: plain tables.  Contracts get a rowid, so that an import
	 * appends its rows, and indexes on the dates a milestone is counted
	 * from, and on the deadlines of those that give their own notice or
	 * lead; services(service, end_date, start_date, contract), keyed
	 * in that order, answers coverage (start_date '' for a contract
	 * that gives none; store_services_fill makes the rows from the
	 * contracts' lists).  The blobs of 3, 4 and 6 go.
	 */
	"DROP TABLE IF EXISTS coverage;"
	"DROP TABLE IF EXISTS agenda;"
	"DROP TABLE IF EXISTS services;"
	"DELETE FROM meta WHERE name LIKE 'agenda%';"
	"CREATE TABLE contracts_v9 ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'contract',"
	" supplier TEXT, owner_name TEXT, owner_email TEXT, notify TEXT,"
	" start_date TEXT, end_date TEXT NOT NULL, max_end_date TEXT NOT NULL,"
	" extension_notice_days INTEGER, procurement_lead_days INTEGER,"
	" successor_ref TEXT, services TEXT, value TEXT, notes TEXT,"
	" silenced_until TEXT,"
	" lapsed_extension INTEGER NOT NULL DEFAULT 0,"
	" horizon INTEGER NOT NULL DEFAULT 0,"
	" next_fire INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"INSERT INTO contracts_v9 (ref, title, kind, supplier, owner_name,"
	" owner_email, notify, start_date, end_date, max_end_date,"
	" extension_notice_days, procurement_lead_days, successor_ref,"
	" services, value, notes, silenced_until, lapsed_extension, horizon,"
	" next_fire, created, updated)"
	" SELECT ref, title, kind, supplier, owner_name, owner_email, notify,"
	" start_date, end_date, max_end_date, extension_notice_days,"
	" procurement_lead_days, successor_ref, services, value, notes,"
	" silenced_until, lapsed_extension, horizon, next_fire, created,"
	" updated FROM contracts ORDER BY ref;"
	"DROP TABLE contracts;"
	"ALTER TABLE contracts_v9 RENAME TO contracts;"
	"CREATE INDEX contracts_next_fire ON contracts(next_fire)"
	" WHERE next_fire IS NOT NULL;"
	"CREATE INDEX contracts_end ON contracts(end_date,"
	" extension_notice_days);"
	"CREATE INDEX contracts_max_end ON contracts(max_end_date,"
	" procurement_lead_days);"
	/* Deadlines of contracts that give their own notice or lead. */
	"CREATE INDEX contracts_ext_own ON contracts(" STORE_EXT_OWN ")"
	" WHERE extension_notice_days IS NOT NULL;"
	"CREATE INDEX contracts_proc_own ON contracts(" STORE_PROC_OWN ")"
	" WHERE procurement_lead_days IS NOT NULL;"
	"CREATE TABLE services ("
	" service TEXT NOT NULL, end_date TEXT NOT NULL,"
	" start_date TEXT NOT NULL, contract INTEGER NOT NULL,"
	" PRIMARY KEY (service, end_date, start_date, contract))"
	" WITHOUT ROWID;",
	/*
	 * 10: a milestone acknowledged again keeps its first
	 * acknowledgement; the later ones add their notes as rows.
	 */
	"CREATE TABLE acks_v10 ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,"
	" note TEXT, at INTEGER NOT NULL, uid INTEGER, user TEXT);"
	"INSERT INTO acks_v10 (ref, kind, due, note, at, uid, user)"
	" SELECT ref, kind, due, note, at, uid, user FROM acks ORDER BY at;"
	"DROP TABLE acks;"
	"ALTER TABLE acks_v10 RENAME TO acks;"
	"CREATE INDEX acks_milestone ON acks(ref, kind, due);"
	"CREATE INDEX acks_due ON acks(due);",
	/*
	 * 11: contracts in owner order, a slice at a time, for the
	 * calendar files: one owner's file is written, then the next's.
	 */
	"CREATE INDEX contracts_owner ON contracts(owner_email, ref);",
};
#define STORE_NMIGRATIONS \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* What a migration does after its SQL, if anything. */
static int (*const store_migration_fns[STORE_NMIGRATIONS])(struct store *) = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, store_services_fill,
	NULL, NULL
};

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

int
store_begin_bulk(struct store *st)
{
	if (store_exec(st, "PRAGMA cache_size = -" STORE_BULK_CACHE_KIB) == -1)
		return -1;
	if (store_begin(st) == -1) {
		(void)store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB);
		return -1;
	}
	return 0;
}

int
store_commit_bulk(struct store *st)
{
	int	rc;

	if (store_exec(st, "PRAGMA wal_autocheckpoint = 0") == -1)
		return -1;
	if ((rc = store_commit(st)) == -1)
		(void)store_exec(st, "PRAGMA wal_autocheckpoint = 1000");
	(void)store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB);
	return rc;
}

void
store_rollback_bulk(struct store *st)
{
	store_rollback(st);
	(void)store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB);
}

int
store_sync_log(struct store *st)
{
	sqlite3_file	*f = NULL;

	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f) != SQLITE_OK || f == NULL || f->pMethods == NULL)
		return 0;	/* no log written yet */
	return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -1;
}

int
store_checkpoint(struct store *st)
{
	int	nlog = 0, ndone = 0;

	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &nlog, &ndone) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return -1;
	}
	log_debug("%s: %d of %d pages of the log copied", __func__, ndone,
	    nlog);
	/* Small commits copy the log again themselves. */
	return store_exec(st, "PRAGMA wal_autocheckpoint = 1000");
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)store_exec(st, "ROLLBACK");
}

int
store_in_txn(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

/* WAL keeps the order: the next synced commit makes these durable too. */
int
store_begin_nosync(struct store *st)
{
	if (store_exec(st, "PRAGMA synchronous = NORMAL") == -1)
		return -1;
	if (store_begin(st) == -1) {
		(void)store_exec(st, "PRAGMA synchronous = FULL");
		return -1;
	}
	return 0;
}

int
store_commit_nosync(struct store *st)
{
	int	rc;

	if ((rc = store_commit(st)) == -1)
		store_rollback(st);
	(void)store_exec(st, "PRAGMA synchronous = FULL");
	return rc;
}

void
store_rollback_nosync(struct store *st)
{
	store_rollback(st);
	(void)store_exec(st, "PRAGMA synchronous = FULL");
}

/* Statements are prepared once and live until store_close(). */
sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt	*s;
	int		 i;

	for (i = 0; i < st->nstmts; i++) {
		if (st->sqls[i] == sql) {
			sqlite3_reset(st->stmts[i]);
			sqlite3_clear_bindings(st->stmts[i]);
			return st->stmts[i];
		}
	}
	if (st->nstmts == STORE_NSTMT)
		fatalx("%s: more than %d statements", __func__, STORE_NSTMT);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, sql, sqlite3_errmsg(st->db));
		return NULL;
	}
	st->sqls[st->nstmts] = sql;
	st->stmts[st->nstmts++] = s;
	return s;
}

static void
bind_one(sqlite3_stmt *s, int i, char type, va_list *ap)
{
	char		 buf[DATE_STRLEN];
	const char	*t;
	int64_t		 v;
	int32_t		 day;
	int		 n;

	switch (type) {
	case 't':
		if ((t = va_arg(*ap, const char *)) == NULL)
			(void)sqlite3_bind_null(s, i);
		else
			(void)sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
		break;
	case 'd':
		if ((day = va_arg(*ap, int32_t)) == DATE_NONE)
			(void)sqlite3_bind_null(s, i);
		else
			(void)sqlite3_bind_text(s, i, date_format(day, buf), -1,
			    SQLITE_TRANSIENT);
		break;
	case 'n':
		if ((n = va_arg(*ap, int)) < 0)
			(void)sqlite3_bind_null(s, i);
		else
			(void)sqlite3_bind_int(s, i, n);
		break;
	case 'i':
		(void)sqlite3_bind_int(s, i, va_arg(*ap, int));
		break;
	case 'I':
		(void)sqlite3_bind_int64(s, i, va_arg(*ap, int64_t));
		break;
	case 'T':
		if ((v = va_arg(*ap, int64_t)) == 0)
			(void)sqlite3_bind_null(s, i);
		else
			(void)sqlite3_bind_int64(s, i, v);
		break;
	case '-':
		break;		/* bound by the caller */
	default:
		fatalx("%s: bad binding type '%c'", __func__, type);
	}
}

sqlite3_stmt *
store_prep(struct store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	int		 i;

	if ((s = store_stmt(st, sql)) == NULL)
		return NULL;
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0'; i++)
		bind_one(s, i + 1, fmt[i], &ap);
	va_end(ap);
	return s;
}

int
store_done(struct store *st, sqlite3_stmt *s, const char *fn)
{
	int	rc;

	if (s == NULL)
		return STORE_ERROR;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	log_warnx("%s: %s", fn, sqlite3_errmsg(st->db));
	return STORE_ERROR;
}

int
store_rows(struct store *st, sqlite3_stmt *s,
    int (*row)(sqlite3_stmt *, void *), void *arg, const char *fn)
{
	int	rc, n = 0;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (row(s, arg) == -1) {
			rc = SQLITE_ABORT;
			break;
		}
		n++;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return n;
	if (rc != SQLITE_ABORT)
		log_warnx("%s: %s", fn, sqlite3_errmsg(st->db));
	return STORE_ERROR;
}

static int
int_row(sqlite3_stmt *s, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 0;
}

int64_t
store_int(struct store *st, const char *sql)
{
	int64_t	v = 0;

	if (store_rows(st, store_stmt(st, sql), int_row, &v, __func__) < 0)
		return -1;
	return v;
}

static void
col_one(sqlite3_stmt *s, int i, char type, va_list *ap)
{
	const char	*t;
	int32_t		 day;

	switch (type) {
	case 't':
		*va_arg(*ap, const char **) = store_col_text(s, i);
		break;
	case 's':
		t = store_col_text(s, i);
		*va_arg(*ap, char **) = t == NULL ? NULL : strdup(t);
		break;
	case 'd':
		t = store_col_text(s, i);
		if (t == NULL || date_parse(t, &day) == -1)
			day = DATE_NONE;
		*va_arg(*ap, int32_t *) = day;
		break;
	case 'n':
		*va_arg(*ap, int *) = sqlite3_column_type(s, i) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(s, i);
		break;
	case 'i':
		*va_arg(*ap, int *) = sqlite3_column_int(s, i);
		break;
	case 'l':
		*va_arg(*ap, long *) = sqlite3_column_int64(s, i);
		break;
	case 'I':
		*va_arg(*ap, int64_t *) = sqlite3_column_int64(s, i);
		break;
	case 'T':
		*va_arg(*ap, time_t *) = sqlite3_column_int64(s, i);
		break;
	case '-':
		break;		/* read by the caller */
	default:
		fatalx("%s: bad column type '%c'", __func__, type);
	}
}

void
store_cols(sqlite3_stmt *s, int i, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	for (; *fmt != '\0'; fmt++, i++)
		col_one(s, i, *fmt, &ap);
	va_end(ap);
}

static int
store_progress_cb(void *arg)
{
	void	(*fn)(void) = (void (*)(void))arg;

	fn();
	return 0;
}

void
store_progress(struct store *st, void (*fn)(void))
{
	/* A few milliseconds of statements between calls. */
	sqlite3_progress_handler(st->db, fn != NULL ? 200000 : 0,
	    fn != NULL ? store_progress_cb : NULL, (void *)fn);
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	char	sql[64];
	int	v;

	if ((v = (int)store_int(st, "PRAGMA user_version")) == -1) {
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
		/* Some rewrite every row: seconds for a large database. */
		log_info("%s: migrating the schema to version %d", __func__,
		    v + 1);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (store_begin(st) == -1 ||
		    store_exec(st, store_migrations[v]) == -1 ||
		    (store_migration_fns[v] != NULL &&
		    store_migration_fns[v](st) == -1) ||
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

/*
 * One daemon per database: two would fire every alert twice.  The lock is
 * on a file of its own, PATH.lock, holding the owner's pid: SQLite's
 * locks on the database go when any descriptor of it is closed.
 */
static int
store_lock(const char *path, char *err, size_t errlen)
{
	char	 lock[PATH_MAX], pid[32];
	ssize_t	 n;
	int	 fd;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    sizeof(lock)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			snprintf(err, errlen, "%s: %s", lock, strerror(errno));
		else {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strspn(pid, "0123456789")] = '\0';
			snprintf(err, errlen, "%s: in use by another contractd"
			    "%s%s%s", path, *pid ? " (pid " : "", pid,
			    *pid ? ")" : "");
		}
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("%s: %s", __func__, lock);
	return fd;
}

static struct store *
store_connect(const char *path, int flags, char *err, size_t errlen)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->lockfd = -1;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(st->db, 2000) != SQLITE_OK ||
	    store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB) == -1) {
		snprintf(err, errlen, "%s: %s", path, st->db ?
		    sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store	*st;
	int		 fd;

	if ((fd = store_lock(path, err, errlen)) == -1)
		return NULL;
	if ((st = store_connect(path, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, err, errlen)) == NULL) {
		close(fd);
		return NULL;
	}
	st->lockfd = fd;
	if (store_exec(st, "PRAGMA page_size = " STORE_PAGE_SIZE ";"
	    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA temp_store = FILE") == -1) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return NULL;
	}
	if (store_migrate(st, err, errlen) == -1) {
		store_close(st);
		return NULL;
	}
	/* A big import's WAL is cut back once checkpointed. */
	(void)store_exec(st, "PRAGMA journal_size_limit = " STORE_WAL_LIMIT);
	return st;
}

struct store *
store_open_reader(const char *path, char *err, size_t errlen)
{
	return store_connect(path, SQLITE_OPEN_READONLY, err, errlen);
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_NSTMT; i++)
		sqlite3_finalize(st->stmts[i]);	/* a no-op for NULL */
	sqlite3_close(st->db);
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st);
}

int
store_meta_get(struct store *st, const char *name, char *buf, size_t len)
{
	sqlite3_stmt	*s;
	const char	*v;
	int		 rc;

	if ((s = store_prep(st, "SELECT value FROM meta WHERE name = ?", "t",
	    name)) == NULL)
		return STORE_ERROR;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = store_col_text(s, 0);
		snprintf(buf, len, "%s", v ? v : "");
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_FOUND;
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
	return STORE_ERROR;
}

int
store_meta_set(struct store *st, const char *name, const char *value)
{
	if (value == NULL)
		return store_do(st, "DELETE FROM meta WHERE name = ?", "t",
		    name);
	return store_do(st, "INSERT OR REPLACE INTO meta (name, value) "
	    "VALUES (?, ?)", "tt", name, value);
}

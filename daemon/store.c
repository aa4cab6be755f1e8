/*
 * The SQLite store.  Every SQL statement of the daemon lives in this file
 * or, for coverage and the agenda's days, in store-cover.c and
 * store-agenda.c.
 *
 * Dates are stored as ISO text (YYYY-MM-DD), which sorts and compares like
 * the dates it names and reads well in the sqlite3 shell; instants as Unix
 * seconds.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "checkpoint.h"
#include "dates.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

/*
 * The page cache, imports included: a transaction larger than it writes
 * pages to the log before its commit.  An import of 100 000 contracts
 * (70 MB of pages) was faster so than with every page held to the commit,
 * since fresh memory costs more to fault in than the log's writes (on the
 * machines measured, ~2 ms a MiB); and its peak memory is lower.
 */
#define STORE_CACHE_KIB	"32768"
#define STORE_WAL_LIMIT	"67108864"	/* bytes of WAL kept after a reset */
/*
 * The page size of a new database.  An import's commit writes each page
 * to the WAL with two system calls, and its rows fill fewer pages and
 * split them less often: 16 KiB pages take about 12 % off an import of 100 000
 * contracts.  A database keeps the size it was made with.
 */
#define STORE_PAGE_SIZE	"16384"

/*
 * The secondary indexes of contracts as they are now: migration 2 makes
 * them so, and a bulk import drops and builds them again (building an
 * index sorts once, where a million inserts each search the B-tree).
 */
#define INDEX_NEXT_FIRE	"CREATE INDEX IF NOT EXISTS contracts_next_fire" \
	" ON contracts(next_fire) WHERE next_fire IS NOT NULL;"
#define INDEX_END	"CREATE INDEX IF NOT EXISTS contracts_end" \
	" ON contracts(end_date, title, services);"
#define INDEX_EXT_DUE	"CREATE INDEX IF NOT EXISTS contracts_ext_due" \
	" ON contracts(ext_due, title) WHERE ext_due IS NOT NULL;"
#define INDEX_PROC_DUE	"CREATE INDEX IF NOT EXISTS contracts_proc_due" \
	" ON contracts(proc_due, title) WHERE proc_due IS NOT NULL;"

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
	INDEX_END INDEX_EXT_DUE INDEX_PROC_DUE
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
	/*
	 * 3: coverage as dates a service (store-cover.c): the services table
	 * made an import write a row for each service of each contract.
	 * cover_migrate() fills it from the services table, and drops that.
	 */
	"CREATE TABLE coverage ("
	" service TEXT PRIMARY KEY, pairs BLOB NOT NULL) WITHOUT ROWID;",
	/*
	 * 4: the agenda's days (store-agenda.c) in place of three date
	 * indexes carrying titles, a B-tree entry each for each contract.
	 * agenda_migrate() fills it and drops the indexes.
	 */
	"CREATE TABLE agenda (day INTEGER PRIMARY KEY, rows BLOB NOT NULL);"
	/* What the derived dates follow, and whether the days must be
	 * made again (see scheduler.c). */
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;",
	/*
	 * 5: the dispatcher's next deliveries in the order it takes them,
	 * LIMIT rows of an index: by (state, next_attempt) it read and
	 * sorted every pending delivery for each batch, which a backlog of
	 * a hundred thousand made a loop of seconds.
	 */
	"CREATE INDEX deliveries_due ON deliveries(next_attempt, key)"
	" WHERE state IN ('pending', 'failed') AND inflight = 0;",
	/*
	 * 6: the agenda's days hold one entry for a contract whose deadlines
	 * follow the default notice and lead times, which a question counts
	 * back from its end (store-agenda.c): agenda_migrate_defaults()
	 * makes them again.  A change of the defaults moves no day now.
	 */
	"DELETE FROM meta WHERE name = 'agenda_stale';",
	/*
	 * 7: the derived due dates of a contract's row, which nothing reads
	 * since the agenda's days count deadlines back themselves (6).
	 */
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
};
#define STORE_NMIGRATIONS \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* What a migration does after its SQL, if anything. */
static int (*const store_migration_fns[STORE_NMIGRATIONS])(struct store *) = {
	NULL, NULL, cover_migrate, agenda_migrate, NULL,
	agenda_migrate_defaults, NULL, NULL
};

static int64_t	store_int(struct store *, enum store_sql, const char *);

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

/* What coverage and agenda changed in memory is written first. */
int
store_commit(struct store *st)
{
	if (cover_flush(st) != 0 || agenda_flush(st) != 0)
		return -1;
	return store_exec(st, "COMMIT");
}

/*
 * A transaction whose loss in a crash does no harm (it is redone after a
 * restart): committed without waiting for the disk.  WAL keeps the order,
 * so the next synced commit makes it durable too.
 */
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

/* What coverage and agenda had in memory is read again when asked. */
void
store_rollback(struct store *st)
{
	cover_forget(st);
	agenda_forget(st);
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
store_contract_indexes(struct store *st, int build)
{
	if (!build)
		return store_exec(st, "DROP INDEX contracts_next_fire;");
	return store_exec(st, INDEX_NEXT_FIRE);
}

void
store_writeback(struct store *st)
{
	checkpointer_writeback(st->ckpt);
}

static int
store_progress_cb(void *arg)
{
	struct store	*st = arg;

	st->progress();
	return 0;
}

void
store_progress(struct store *st, void (*fn)(void))
{
	st->progress = fn;
	/* A few milliseconds of statements between calls. */
	sqlite3_progress_handler(st->db, fn != NULL ? 200000 : 0,
	    fn != NULL ? store_progress_cb : NULL, st);
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

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((st->lockfd = store_lock(path, err, errlen)) == -1) {
		free(st);
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
	if (store_exec(st, "PRAGMA page_size = " STORE_PAGE_SIZE) == -1 ||
	    store_exec(st, "PRAGMA journal_mode = WAL") == -1 ||
	    store_exec(st, "PRAGMA synchronous = FULL") == -1 ||
	    store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB) == -1 ||
	    store_exec(st, "PRAGMA foreign_keys = ON") == -1) {
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
	st->ckpt = checkpointer_start(st->db, path);
	return st;
}

void
store_close(struct store *st)
{
	int	i;

	if (st == NULL)
		return;
	checkpointer_stop(st->ckpt, st->db);
	cover_forget(st);
	agenda_forget(st);
	for (i = 0; i < STORE_NSQL; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close(st->db);
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st);
}

long
store_contract_count(struct store *st)
{
	return (long)store_int(st, SQL_CONTRACT_COUNT,
	    "SELECT count(*) FROM contracts");
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

/* Dates go in as ISO text, NULL for DATE_NONE. */
static int
bind_date(sqlite3_stmt *s, int i, int32_t day)
{
	char	buf[DATE_STRLEN];

	if (day == DATE_NONE)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, date_format(day, buf), -1,
	    SQLITE_TRANSIENT);
}

static int32_t
col_date(sqlite3_stmt *s, int i)
{
	const char	*v = (const char *)sqlite3_column_text(s, i);
	int32_t		 day;

	if (v == NULL || date_parse(v, &day) == -1)
		return DATE_NONE;
	return day;
}

static int
bind_days(sqlite3_stmt *s, int i, int days)
{
	return days < 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int(s, i, days);
}

/* A count of days, -1 for NULL (the default). */
static int
col_days(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, i);
}

static char *
col_strdup(sqlite3_stmt *s, int i)
{
	const char	*v = (const char *)sqlite3_column_text(s, i);

	return v == NULL ? NULL : strdup(v);
}

/* Steps a statement expected to finish without rows. */
int
store_done(struct store *st, sqlite3_stmt *s, const char *fn)
{
	int	rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return STORE_CONFLICT;
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s", fn, sqlite3_errmsg(st->db));
		return STORE_ERROR;
	}
	return 0;
}

/*
 * Steps s to its end, calling row for each row (-1 from row stops); the
 * number of rows, or STORE_ERROR.  Leaves s reset.
 */
int
store_rows(struct store *st, sqlite3_stmt *s,
    int (*row)(sqlite3_stmt *, void *), void *arg, const char *fn)
{
	int	rc, n = 0;

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

/* For a query that finds a row or not: 1, 0, or STORE_ERROR. */
static int
store_one(struct store *st, sqlite3_stmt *s, const char *fn)
{
	int	rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	log_warnx("%s: %s", fn, sqlite3_errmsg(st->db));
	return STORE_ERROR;
}

/* For a query of one integer (count, min): its value, 0 when NULL. */
static int64_t
store_int(struct store *st, enum store_sql id, const char *sql)
{
	sqlite3_stmt	*s = store_stmt(st, id, sql);
	int64_t		 v = 0;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

#define CONTRACT_COLS \
	"ref, title, kind, supplier, owner_name, owner_email, notify," \
	" start_date, end_date, max_end_date, extension_notice_days," \
	" procurement_lead_days, successor_ref, services, value, notes," \
	" silenced_until, lapsed_extension, horizon, next_fire"

/* Fills c and cs from a row selected with CONTRACT_COLS. */
static int
contract_row(sqlite3_stmt *s, struct contract *c, struct contract_state *cs)
{
	enum contract_kind	k = CK_CONTRACT;

	contract_free(c);
	snprintf(c->ref, sizeof(c->ref), "%s", sqlite3_column_text(s, 0));
	c->title = col_strdup(s, 1);
	(void)contract_kind_parse((const char *)sqlite3_column_text(s, 2), &k);
	c->kind = k;
	c->supplier = col_strdup(s, 3);
	c->owner_name = col_strdup(s, 4);
	c->owner_email = col_strdup(s, 5);
	c->notify = col_strdup(s, 6);
	c->start_date = col_date(s, 7);
	c->end_date = col_date(s, 8);
	c->max_end_date = col_date(s, 9);
	c->extension_notice_days = col_days(s, 10);
	c->procurement_lead_days = col_days(s, 11);
	c->successor_ref = col_strdup(s, 12);
	c->services = col_strdup(s, 13);
	c->value = col_strdup(s, 14);
	c->notes = col_strdup(s, 15);
	if (cs != NULL) {
		cs->silenced_until = col_date(s, 16);
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

	s = store_stmt(st, SQL_CONTRACT_GET, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE ref = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
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

/* Text that outlives the statement's step, bound without a copy. */
static int
bind_static(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* The dates of a contract's row as text, for binding without a copy. */
struct row_dates {
	char	v[3][DATE_STRLEN];
};

static void
bind_day(sqlite3_stmt *s, int i, int32_t day, char *buf)
{
	if (day == DATE_NONE)
		(void)sqlite3_bind_null(s, i);
	else
		(void)sqlite3_bind_text(s, i, date_format(day, buf), -1,
		    SQLITE_STATIC);
}

/*
 * Binds the 16 contract fields from index 1, without copies: c and d must
 * outlive the step (store_stmt clears the bindings before the statement's
 * next use).
 */
static void
bind_contract(sqlite3_stmt *s, const struct contract *c, struct row_dates *d)
{
	bind_static(s, 1, c->ref);
	bind_static(s, 2, c->title);
	bind_static(s, 3, contract_kind_name(c->kind));
	bind_static(s, 4, c->supplier);
	bind_static(s, 5, c->owner_name);
	bind_static(s, 6, c->owner_email);
	bind_static(s, 7, c->notify);
	bind_day(s, 8, c->start_date, d->v[0]);
	bind_day(s, 9, c->end_date, d->v[1]);
	bind_day(s, 10, c->max_end_date, d->v[2]);
	bind_days(s, 11, c->extension_notice_days);
	bind_days(s, 12, c->procurement_lead_days);
	bind_static(s, 13, c->successor_ref);
	bind_static(s, 14, c->services);
	bind_static(s, 15, c->value);
	bind_static(s, 16, c->notes);
}

int
store_contract_row(struct store *st, const struct contract *c,
    const struct contract_state *cs, time_t now)
{
	sqlite3_stmt	*s;
	struct row_dates d;

	s = store_stmt(st, SQL_CONTRACT_INSERT, "INSERT INTO contracts ("
	    "ref, title, kind, supplier, owner_name, owner_email, notify, "
	    "start_date, end_date, max_end_date, extension_notice_days, "
	    "procurement_lead_days, successor_ref, services, value, notes, "
	    "created, updated, horizon, next_fire) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERROR;
	bind_contract(s, c, &d);
	sqlite3_bind_int64(s, 17, now);
	sqlite3_bind_int64(s, 18, now);
	sqlite3_bind_int64(s, 19, cs->horizon);
	if (cs->next_fire == 0)
		sqlite3_bind_null(s, 20);
	else
		sqlite3_bind_int64(s, 20, cs->next_fire);
	return store_done(st, s, __func__);
}

int
store_contract_insert(struct store *st, const struct contract *c,
    const struct contract_state *cs, time_t now)
{
	int	 rc;

	if ((rc = store_contract_row(st, c, cs, now)) != 0)
		return rc;
	return store_import_derived(st, c);
}

int
store_import_begin(struct store *st, const struct contract *v, size_t n)
{
	if (cover_load(st) == -1 || agenda_preload(st, v, n) != 0)
		return STORE_ERROR;
	return 0;
}

int
store_import_derived(struct store *st, const struct contract *c)
{
	if (cover_add(st, c->services, c->start_date, c->end_date) != 0)
		return STORE_ERROR;
	return agenda_add(st, c);
}

void
store_import_settle(struct store *st)
{
	cover_settle(st);
}

void
store_import_end(struct store *st)
{
	st->agenda_sealed = 0;
}

/* What an update changes of the coverage and the agenda, each or not. */
struct changes {
	int	 cover;
	int	 agenda;
};

static int
same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The places of the agenda's entries in two sets: the same or not. */
static int
same_places(const struct agenda_place *a, size_t na,
    const struct agenda_place *b, size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/*
 * Takes contract c's old coverage and agenda entries out, those that its
 * new fields change: ch says which.
 */
static int
contract_old(struct store *st, const struct contract *c, struct changes *ch)
{
	struct agenda_place	 was[AGENDA_PLACES], now[AGENDA_PLACES];
	struct contract		 old;
	sqlite3_stmt		*s;
	const char		*svc, *title;
	size_t			 nwas, nnow;
	int			 rc;

	if ((s = store_stmt(st, SQL_CONTRACT_OLD, "SELECT services, "
	    "start_date, end_date, title, max_end_date, "
	    "extension_notice_days, procurement_lead_days, successor_ref "
	    "FROM contracts WHERE ref = ?")) == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, c->ref);
	ch->cover = ch->agenda = 0;
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			return 0;
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return STORE_ERROR;
	}
	/* The row's text stays valid until s is reset; old is not freed. */
	contract_init(&old);
	svc = (const char *)sqlite3_column_text(s, 0);
	old.start_date = col_date(s, 1);
	old.end_date = col_date(s, 2);
	title = (const char *)sqlite3_column_text(s, 3);
	old.max_end_date = col_date(s, 4);
	old.extension_notice_days = col_days(s, 5);
	old.procurement_lead_days = col_days(s, 6);
	old.successor_ref = (char *)sqlite3_column_text(s, 7);
	nwas = agenda_places(&old, was);
	nnow = agenda_places(c, now);
	ch->cover = old.start_date != c->start_date ||
	    old.end_date != c->end_date || !same_str(svc, c->services);
	ch->agenda = !same_places(was, nwas, now, nnow) ||
	    !same_str(svc, c->services) || !same_str(title, c->title);
	rc = 0;
	if (ch->cover)
		rc = cover_remove(st, svc, old.start_date, old.end_date);
	if (rc == 0 && ch->agenda)
		rc = agenda_remove(st, c->ref, was, nwas);
	sqlite3_reset(s);
	return rc;
}

int
store_contract_update(struct store *st, const struct contract *c,
    time_t now)
{
	sqlite3_stmt	*s;
	struct changes	 ch;
	struct row_dates d;
	int		 rc;

	s = store_stmt(st, SQL_CONTRACT_UPDATE, "UPDATE contracts SET "
	    "title = ?2, kind = ?3, supplier = ?4, owner_name = ?5, "
	    "owner_email = ?6, notify = ?7, start_date = ?8, end_date = ?9, "
	    "max_end_date = ?10, extension_notice_days = ?11, "
	    "procurement_lead_days = ?12, successor_ref = ?13, "
	    "services = ?14, value = ?15, notes = ?16, updated = ?17 "
	    "WHERE ref = ?1");
	if (s == NULL)
		return STORE_ERROR;
	if ((rc = contract_old(st, c, &ch)) != 0)
		return rc;
	bind_contract(s, c, &d);
	sqlite3_bind_int64(s, 17, now);
	if ((rc = store_done(st, s, __func__)) != 0)
		return rc;
	if (ch.cover && (rc = cover_add(st, c->services, c->start_date,
	    c->end_date)) != 0)
		return rc;
	return ch.agenda ? agenda_add(st, c) : 0;
}

int
store_meta_get(struct store *st, const char *name, char *buf, size_t len)
{
	sqlite3_stmt	*s;
	const char	*v;
	int		 rc;

	if ((s = store_stmt(st, SQL_META_GET,
	    "SELECT value FROM meta WHERE name = ?")) == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(s, 0);
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
	sqlite3_stmt	*s;

	if (value == NULL) {
		if ((s = store_stmt(st, SQL_META_DELETE,
		    "DELETE FROM meta WHERE name = ?")) == NULL)
			return STORE_ERROR;
		store_bind_text(s, 1, name);
		return store_done(st, s, __func__);
	}
	if ((s = store_stmt(st, SQL_META_SET, "INSERT OR REPLACE INTO meta "
	    "(name, value) VALUES (?, ?)")) == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, name);
	store_bind_text(s, 2, value);
	return store_done(st, s, __func__);
}

int
store_contract_exists(struct store *st, const char *ref)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_EXISTS,
	    "SELECT 1 FROM contracts WHERE ref = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	return store_one(st, s, __func__);
}

int
store_contract_schedule(struct store *st, const char *ref, time_t horizon,
    time_t next_fire)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_SCHEDULE, "UPDATE contracts SET "
	    "horizon = ?, next_fire = ? WHERE ref = ?");
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, horizon);
	if (next_fire == 0)
		sqlite3_bind_null(s, 2);
	else
		sqlite3_bind_int64(s, 2, next_fire);
	store_bind_text(s, 3, ref);
	return store_done(st, s, __func__);
}

int
store_contract_silence(struct store *st, const char *ref, int32_t until)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_SILENCE, "UPDATE contracts SET "
	    "silenced_until = ? WHERE ref = ?");
	if (s == NULL)
		return STORE_ERROR;
	bind_date(s, 1, until);
	store_bind_text(s, 2, ref);
	return store_done(st, s, __func__);
}

int
store_contract_lapsed(struct store *st, const char *ref, int lapsed)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_LAPSED, "UPDATE contracts SET "
	    "lapsed_extension = ? WHERE ref = ?");
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(s, 1, lapsed);
	store_bind_text(s, 2, ref);
	return store_done(st, s, __func__);
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
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_EACH, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE ref > ? ORDER BY ref LIMIT ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, after);
	sqlite3_bind_int64(s, 2, limit);
	return contract_rows(st, s, fn, arg, __func__);
}

int
store_contract_due(struct store *st, time_t now, long limit,
    store_contract_fn fn, void *arg)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_CONTRACT_DUE, "SELECT " CONTRACT_COLS
	    " FROM contracts WHERE next_fire IS NOT NULL AND next_fire <= ?"
	    " ORDER BY next_fire LIMIT ?");
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, limit);
	return contract_rows(st, s, fn, arg, __func__);
}


time_t
store_next_fire(struct store *st)
{
	return (time_t)store_int(st, SQL_NEXT_FIRE, "SELECT min(next_fire) "
	    "FROM contracts WHERE next_fire IS NOT NULL");
}

int
store_extension_add(struct store *st, const char *ref,
    const struct extension_rec *e)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_EXTENSION_ADD, "INSERT INTO extensions (ref, "
	    "old_end, new_end, decided_on, decision_ref, note, lapsed, "
	    "recorded_at, uid, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	bind_date(s, 2, e->old_end);
	bind_date(s, 3, e->new_end);
	bind_date(s, 4, e->decided_on);
	store_bind_text(s, 5, e->decision_ref);
	store_bind_text(s, 6, e->note);
	sqlite3_bind_int(s, 7, e->lapsed);
	sqlite3_bind_int64(s, 8, e->recorded_at);
	sqlite3_bind_int64(s, 9, e->uid);
	store_bind_text(s, 10, e->user);
	return store_done(st, s, __func__);
}


struct extension_cb {
	store_extension_fn	 fn;
	void			*arg;
};

static int
extension_row(sqlite3_stmt *s, void *arg)
{
	struct extension_cb	*cb = arg;
	struct extension_rec	 e;

	e.old_end = col_date(s, 0);
	e.new_end = col_date(s, 1);
	e.decided_on = col_date(s, 2);
	e.decision_ref = (const char *)sqlite3_column_text(s, 3);
	e.note = (const char *)sqlite3_column_text(s, 4);
	e.lapsed = sqlite3_column_int(s, 5);
	e.recorded_at = sqlite3_column_int64(s, 6);
	e.uid = sqlite3_column_int64(s, 7);
	e.user = (const char *)sqlite3_column_text(s, 8);
	return cb->fn(cb->arg, &e);
}

int
store_extension_each(struct store *st, const char *ref,
    store_extension_fn fn, void *arg)
{
	struct extension_cb	 cb = { fn, arg };
	sqlite3_stmt		*s;

	s = store_stmt(st, SQL_EXTENSION_EACH, "SELECT old_end, new_end, "
	    "decided_on, decision_ref, note, lapsed, recorded_at, uid, user "
	    "FROM extensions WHERE ref = ? ORDER BY id");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	return store_rows(st, s, extension_row, &cb, __func__);
}

int
store_alert_record(struct store *st, const char *ref,
    const struct alert_rec *a)
{
	sqlite3_stmt	*s;

	/* A skip never overwrites what fired. */
	s = store_stmt(st, SQL_ALERT_RECORD, "INSERT INTO alerts "
	    "(key, ref, kind, due, offset_days, fire_at, state, late, at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (key) "
	    "DO UPDATE SET state = ?7, late = ?8, at = ?9 "
	    "WHERE ?7 = 'fired'");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, a->key);
	store_bind_text(s, 2, ref);
	store_bind_text(s, 3, a->kind);
	bind_date(s, 4, a->due);
	sqlite3_bind_int(s, 5, a->offset);
	sqlite3_bind_int64(s, 6, a->fire_at);
	store_bind_text(s, 7, a->state);
	sqlite3_bind_int(s, 8, a->late);
	sqlite3_bind_int64(s, 9, a->at);
	return store_done(st, s, __func__);
}

int
store_alert_known(struct store *st, const char *key)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_ALERT_KNOWN,
	    "SELECT 1 FROM alerts WHERE key = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, key);
	return store_one(st, s, __func__);
}

struct alert_cb {
	store_alert_fn	 fn;
	void		*arg;
};

static int
alert_row(sqlite3_stmt *s, void *arg)
{
	struct alert_cb		*cb = arg;
	struct alert_rec	 a;

	a.key = (const char *)sqlite3_column_text(s, 0);
	a.kind = (const char *)sqlite3_column_text(s, 1);
	a.due = col_date(s, 2);
	a.offset = sqlite3_column_int(s, 3);
	a.fire_at = sqlite3_column_int64(s, 4);
	a.state = (const char *)sqlite3_column_text(s, 5);
	a.late = sqlite3_column_int(s, 6);
	a.at = sqlite3_column_int64(s, 7);
	return cb->fn(cb->arg, &a);
}

int
store_alert_each(struct store *st, const char *ref, store_alert_fn fn,
    void *arg)
{
	struct alert_cb	 cb = { fn, arg };
	sqlite3_stmt	*s;

	/*
	 * Keys from "ref/" up to "ref0" ('0' follows '/'); a ref may hold
	 * '/' itself, so "ref/x/..." is in the range too.
	 */
	s = store_stmt(st, SQL_ALERT_EACH, "SELECT key, kind, due, "
	    "offset_days, fire_at, state, late, at FROM alerts WHERE "
	    "key >= ?1 || '/' AND key < ?1 || '0' AND ref = ?1 "
	    "ORDER BY fire_at, key");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	return store_rows(st, s, alert_row, &cb, __func__);
}

int
store_ack_add(struct store *st, const char *ref, const struct ack_rec *a)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_ACK_ADD, "INSERT OR REPLACE INTO acks (ref, "
	    "kind, due, note, at, uid, user) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	store_bind_text(s, 2, a->kind);
	bind_date(s, 3, a->due);
	store_bind_text(s, 4, a->note);
	sqlite3_bind_int64(s, 5, a->at);
	sqlite3_bind_int64(s, 6, a->uid);
	store_bind_text(s, 7, a->user);
	return store_done(st, s, __func__);
}

int
store_acked(struct store *st, const char *ref, const char *kind, int32_t due)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_ACKED, "SELECT 1 FROM acks WHERE ref = ? AND "
	    "kind = ? AND due = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	store_bind_text(s, 2, kind);
	bind_date(s, 3, due);
	return store_one(st, s, __func__);
}

struct ack_cb {
	store_ack_fn	 fn;
	void		*arg;
	store_ack_ref_fn reffn;		/* with the contract's ref */
};

static int
ack_row(sqlite3_stmt *s, void *arg)
{
	struct ack_cb	*cb = arg;
	struct ack_rec	 a;

	a.kind = (const char *)sqlite3_column_text(s, 0);
	a.due = col_date(s, 1);
	a.note = (const char *)sqlite3_column_text(s, 2);
	a.at = sqlite3_column_int64(s, 3);
	a.uid = sqlite3_column_int64(s, 4);
	a.user = (const char *)sqlite3_column_text(s, 5);
	if (cb->reffn != NULL)
		return cb->reffn(cb->arg, (const char *)sqlite3_column_text(s,
		    6), &a);
	return cb->fn(cb->arg, &a);
}

/* Acknowledgements of milestones due between from and to, any contract. */
int
store_ack_window(struct store *st, int32_t from, int32_t to,
    store_ack_ref_fn fn, void *arg)
{
	struct ack_cb	 cb = { NULL, arg, NULL };
	sqlite3_stmt	*s;

	cb.reffn = fn;
	s = store_stmt(st, SQL_ACK_WINDOW, "SELECT kind, due, note, at, uid, "
	    "user, ref FROM acks WHERE due BETWEEN ? AND ?");
	if (s == NULL)
		return STORE_ERROR;
	bind_date(s, 1, from);
	bind_date(s, 2, to);
	return store_rows(st, s, ack_row, &cb, __func__);
}

int
store_ack_each(struct store *st, const char *ref, store_ack_fn fn, void *arg)
{
	struct ack_cb	 cb = { fn, arg, NULL };
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_ACK_EACH, "SELECT kind, due, note, at, uid, "
	    "user FROM acks WHERE ref = ? ORDER BY at, kind");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, ref);
	return store_rows(st, s, ack_row, &cb, __func__);
}

int
store_delivery_add(struct store *st, const struct delivery_rec *d)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_DELIVERY_ADD, "INSERT OR IGNORE INTO deliveries "
	    "(key, alert_key, channel, recipient, state, attempts, "
	    "next_attempt, created, payload) "
	    "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, d->key);
	store_bind_text(s, 2, d->alert_key);
	store_bind_text(s, 3, d->channel);
	store_bind_text(s, 4, d->recipient);
	sqlite3_bind_int64(s, 5, d->next_attempt);
	sqlite3_bind_int64(s, 6, d->created);
	store_bind_text(s, 7, d->payload);
	return store_done(st, s, __func__);
}

#define DELIVERY_COLS \
	"key, alert_key, channel, recipient, state, attempts, next_attempt," \
	" created, last_error, payload"

struct delivery_cb {
	store_delivery_fn	 fn;
	void			*arg;
};

static int
delivery_row(sqlite3_stmt *s, void *arg)
{
	struct delivery_cb	*cb = arg;
	struct delivery_rec	 d;

	d.key = (const char *)sqlite3_column_text(s, 0);
	d.alert_key = (const char *)sqlite3_column_text(s, 1);
	d.channel = (const char *)sqlite3_column_text(s, 2);
	d.recipient = (const char *)sqlite3_column_text(s, 3);
	d.state = (const char *)sqlite3_column_text(s, 4);
	d.attempts = sqlite3_column_int(s, 5);
	d.next_attempt = sqlite3_column_int64(s, 6);
	d.created = sqlite3_column_int64(s, 7);
	d.last_error = (const char *)sqlite3_column_text(s, 8);
	d.payload = (const char *)sqlite3_column_text(s, 9);
	return cb->fn(cb->arg, &d);
}

static int
delivery_rows(struct store *st, sqlite3_stmt *s, store_delivery_fn fn,
    void *arg, const char *func)
{
	struct delivery_cb	cb = { fn, arg };

	return store_rows(st, s, delivery_row, &cb, func);
}

int
store_delivery_due(struct store *st, time_t now, long limit,
    store_delivery_fn fn, void *arg)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_DELIVERY_DUE, "SELECT " DELIVERY_COLS " FROM "
	    "deliveries INDEXED BY deliveries_due WHERE state IN ('pending', "
	    "'failed') AND inflight = 0 AND next_attempt <= ? "
	    "ORDER BY next_attempt, key LIMIT ?");
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, limit);
	return delivery_rows(st, s, fn, arg, __func__);
}

int
store_delivery_get(struct store *st, const char *key, store_delivery_fn fn,
    void *arg)
{
	sqlite3_stmt	*s;
	int		 n;

	s = store_stmt(st, SQL_DELIVERY_GET, "SELECT " DELIVERY_COLS " FROM "
	    "deliveries WHERE key = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, key);
	n = delivery_rows(st, s, fn, arg, __func__);
	return n < 0 ? n : (n > 0 ? STORE_FOUND : STORE_NOTFOUND);
}

int
store_delivery_result(struct store *st, const char *key, const char *state,
    int attempts, time_t next_attempt, const char *last_error)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_DELIVERY_RESULT, "UPDATE deliveries SET "
	    "state = ?, attempts = ?, next_attempt = ?, last_error = ?, "
	    "inflight = 0 WHERE key = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, state);
	sqlite3_bind_int(s, 2, attempts);
	sqlite3_bind_int64(s, 3, next_attempt);
	store_bind_text(s, 4, last_error);
	store_bind_text(s, 5, key);
	return store_done(st, s, __func__);
}

time_t
store_delivery_next(struct store *st)
{
	return (time_t)store_int(st, SQL_DELIVERY_NEXT, "SELECT "
	    "min(next_attempt) FROM deliveries WHERE state IN ('pending', "
	    "'failed') AND inflight = 0");
}

int
store_delivery_each(struct store *st, const char *state, long limit,
    store_delivery_fn fn, void *arg)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_DELIVERY_EACH, "SELECT " DELIVERY_COLS " FROM "
	    "deliveries WHERE (?1 IS NULL AND state <> 'delivered') OR "
	    "state = ?1 ORDER BY created DESC, key LIMIT ?2");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, limit);
	return delivery_rows(st, s, fn, arg, __func__);
}

static int
count_row(sqlite3_stmt *s, void *arg)
{
	static const char *const states[4] = { "pending", "failed", "dead",
	    "delivered" };
	const char	*state = (const char *)sqlite3_column_text(s, 0);
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
	sqlite3_stmt	*s;

	memset(counts, 0, 4 * sizeof(counts[0]));
	s = store_stmt(st, SQL_DELIVERY_COUNTS, "SELECT state, count(*) FROM "
	    "deliveries GROUP BY state");
	if (s == NULL)
		return STORE_ERROR;
	return store_rows(st, s, count_row, counts, __func__) < 0 ?
	    STORE_ERROR : 0;
}

int
store_delivery_retry(struct store *st, const char *key, time_t now)
{
	sqlite3_stmt	*s;
	int		 rc;

	s = store_stmt(st, SQL_DELIVERY_RETRY, "UPDATE deliveries SET "
	    "state = 'pending', next_attempt = ?1, created = ?1 "
	    "WHERE key = ?2 AND state IN ('failed', 'dead', 'pending')");
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, key);
	if ((rc = store_done(st, s, __func__)) != 0)
		return rc;
	return sqlite3_changes(st->db) > 0 ? STORE_FOUND : STORE_NOTFOUND;
}

int
store_delivery_inflight(struct store *st, const char *key)
{
	sqlite3_stmt	*s;

	s = store_stmt(st, SQL_DELIVERY_INFLIGHT, "UPDATE deliveries SET "
	    "inflight = 1 WHERE key = ?");
	if (s == NULL)
		return STORE_ERROR;
	store_bind_text(s, 1, key);
	return store_done(st, s, __func__);
}

/* After a restart nothing is in flight: what was goes out again. */
int
store_delivery_reset_inflight(struct store *st)
{
	return store_exec(st, "UPDATE deliveries SET inflight = 0 "
	    "WHERE inflight <> 0");
}

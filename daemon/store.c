/*
 * The SQLite store: opening, migrating the schema (its migrations are in
 * store-schema.c), transactions and the statement cache.  The tables'
 * statements are in store-contract.c
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

void
store_warn(struct store *st, const char *fn)
{
	if (sqlite3_errcode(st->db) != SQLITE_FULL) {
		log_warnx("%s: %s", fn, sqlite3_errmsg(st->db));
		return;
	}
	if (!st->full)
		log_warnx("%s: the disk is full: reads go on, changes are "
		    "refused and delivery results are kept until there is "
		    "room", st->path);
	st->full = 1;
}

int
store_full(struct store *st)
{
	return st->full;
}

int
store_exec(struct store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_warn(st, __func__);
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
	if (store_exec(st, "COMMIT") == -1)
		return -1;
	if (st->full)
		log_info("%s: there is room on the disk again", st->path);
	st->full = 0;
	return 0;
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
		store_warn(st, __func__);
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
	store_warn(st, fn);
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
		store_warn(st, fn);
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
	if (v > store_nmigrations) {
		snprintf(err, errlen, "schema version %d is newer than this "
		    "contractd (%d)", v, store_nmigrations);
		return -1;
	}
	for (; v < store_nmigrations; v++) {
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

/* Why path cannot be opened: SQLite's words, and what to do if damaged. */
static void
store_open_error(struct store *st, const char *path, char *err,
    size_t errlen)
{
	int	ec = st->db != NULL ? sqlite3_errcode(st->db) : SQLITE_NOMEM;

	snprintf(err, errlen, "%s: %s%s", path, st->db != NULL ?
	    sqlite3_errmsg(st->db) : "out of memory", ec == SQLITE_NOTADB ||
	    ec == SQLITE_CORRUPT ? " (it is left as it is: restore it from a "
	    "backup, or move it away to start with an empty database)" : "");
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
	if ((st->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(st);
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(st->db, 2000) != SQLITE_OK ||
	    store_exec(st, "PRAGMA cache_size = -" STORE_CACHE_KIB) == -1) {
		store_open_error(st, path, err, errlen);
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
		store_open_error(st, path, err, errlen);
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
	free(st->path);
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
	store_warn(st, __func__);
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

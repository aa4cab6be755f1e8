/*
 * Internals of the store shared by the store*.c files: the connection,
 * its statement cache and the binding helpers.  Nothing outside
 * store*.c includes this.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/*
 * The extension deadline and procurement start of a contract that gives
 * its own notice or lead, as ISO text: indexed (migration 9), and asked
 * in these very words so that the index serves.
 */
#define STORE_EXT_OWN \
	"date(end_date, '-' || extension_notice_days || ' days')"
#define STORE_PROC_OWN \
	"date(max_end_date, '-' || procurement_lead_days || ' days')"

enum store_sql {
	SQL_CONTRACT_COUNT,
	SQL_AUDIT,
	SQL_CONTRACT_GET,
	SQL_CONTRACT_INSERT,
	SQL_CONTRACT_UPDATE,
	SQL_CONTRACT_EXISTS,
	SQL_CONTRACT_SCHEDULE,
	SQL_CONTRACT_SILENCE,
	SQL_CONTRACT_LAPSED,
	SQL_CONTRACT_EACH,
	SQL_CONTRACT_DUE,
	SQL_CONTRACT_WINDOW,
	SQL_CONTRACT_OVERDUE,
	SQL_IMPORT_DANGLING,
	SQL_NEXT_FIRE,
	SQL_SERVICE_ADD,
	SQL_SERVICE_DELETE,
	SQL_COVERED,
	SQL_CONTRACT_ID,
	SQL_CONTRACT_OLD,
	SQL_IMPORT_NEXT,
	SQL_IMPORT_ADD,
	SQL_IMPORT_DUE,
	SQL_META_GET,
	SQL_META_SET,
	SQL_META_DELETE,
	SQL_EXTENSION_ADD,
	SQL_EXTENSION_EACH,
	SQL_ALERT_RECORD,
	SQL_ALERT_KNOWN,
	SQL_ALERT_EACH,
	SQL_ACK_ADD,
	SQL_ACKED,
	SQL_ACK_EACH,
	SQL_ACK_WINDOW,
	SQL_ACK_FIRST,
	SQL_DELIVERY_ADD,
	SQL_DELIVERY_DUE,
	SQL_DELIVERY_RESULT,
	SQL_DELIVERY_NEXT,
	SQL_DELIVERY_EACH,
	SQL_DELIVERY_COUNTS,
	SQL_DELIVERY_RETRY,
	SQL_DELIVERY_INFLIGHT,
	STORE_NSQL
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmts[STORE_NSQL];
	int		 lockfd;	/* PATH.lock, held while open; -1 */
	int		 readonly;	/* a reader beside the writer */
	int64_t		 last_contract;	/* id of the last inserted */
};

int		 store_exec(struct store *st, const char *sql);
sqlite3_stmt	*store_stmt(struct store *st, enum store_sql id,
		    const char *sql);
/*
 * store_stmt, then binds from index 1 one argument per letter of fmt:
 * 't' text or NULL (const char *), 'd' a date as ISO text, NULL for
 * DATE_NONE (int32_t), 'n' a count of days, NULL when negative (int),
 * 'i' an int, 'I' an int64 (time_t too), 'T' an instant, NULL when 0;
 * '-' leaves its index to the caller, who binds it.
 */
sqlite3_stmt	*store_prep(struct store *st, enum store_sql id,
		    const char *sql, const char *fmt, ...);
/*
 * Steps s (NULL: STORE_ERROR) once: 1 for a row (a query that finds one
 * or not), 0 at its end, STORE_CONFLICT or STORE_ERROR.  store_do
 * prepares and binds it first, as store_prep; store_has too, for a
 * query.
 */
int		 store_done(struct store *st, sqlite3_stmt *s, const char *fn);
#define		 store_do(st, id, sql, ...) \
		    store_done((st), store_prep((st), (id), (sql), __VA_ARGS__), \
		    (sql))
#define		 store_has(st, id, sql, ...) \
		    store_done((st), store_prep((st), (id), (sql), __VA_ARGS__), \
		    (sql))
/* For a query of one integer: its value, 0 when NULL, -1 on error. */
int64_t		 store_int(struct store *st, enum store_sql id,
		    const char *sql);
int		 store_rows(struct store *st, sqlite3_stmt *s,
		    int (*row)(sqlite3_stmt *, void *), void *arg,
		    const char *fn);
int32_t		 store_col_date(sqlite3_stmt *s, int i);
int		 store_col_days(sqlite3_stmt *s, int i);
#define		 store_col_text(s, i) \
		    ((const char *)sqlite3_column_text((s), (i)))

/* store-contract.c: the services table made from the contracts' lists. */
int		 store_services_fill(struct store *st);

#endif

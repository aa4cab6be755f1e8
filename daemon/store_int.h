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

#include "store.h"

/*
 * The extension deadline and procurement start of a contract that gives
 * its own notice or lead, as ISO text: indexed (migration 9), and asked
 * in these very words so that the index serves.
 */
#define STORE_EXT_OWN \
	"date(end_date, '-' || extension_notice_days || ' days')"
#define STORE_PROC_OWN \
	"date(max_end_date, '-' || procurement_lead_days || ' days')"

/*
 * The contract an audit row is about: the ref of its args (close, extend,
 * update...) or of the fields of an add; indexed (migration 11).
 */
#define STORE_AUDIT_REF \
	"coalesce(json_extract(args, '$.ref'), json_extract(args, " \
	"'$.fields.ref'))"

/* Prepared statements the cache holds at the most. */
#define STORE_NSTMT	128

struct store {
	sqlite3		*db;
	/* The cache: statements by the address of their SQL text. */
	const char	*sqls[STORE_NSTMT];
	sqlite3_stmt	*stmts[STORE_NSTMT];
	int		 nstmts;
	int		 lockfd;	/* PATH.lock, held while open; -1 */
	int64_t		 last_contract;	/* id of the last inserted */
	char		*path;
	int		 full;		/* SQLITE_FULL since the last commit */
};

/* store-schema.c: the migrations, their number, what each runs after. */
extern const char *const	 store_migrations[];
extern const int		 store_nmigrations;
extern int (*const		 store_migration_fns[])(struct store *);

/* Logs the connection's last error as fn's; a full disk once only. */
void		 store_warn(struct store *st, const char *fn);

int		 store_exec(struct store *st, const char *sql);
/* A statement of the cache, reset and its bindings cleared. */
sqlite3_stmt	*store_stmt(struct store *st, const char *sql);
/*
 * store_stmt, then binds from index 1 one argument per letter of fmt:
 * 't' text or NULL (const char *), 'd' a date as ISO text, NULL for
 * DATE_NONE (int32_t), 'n' a count of days, NULL when negative (int),
 * 'i' an int, 'I' an int64 (time_t too), 'T' an instant, NULL when 0;
 * '-' leaves its index to the caller, who binds it.
 */
sqlite3_stmt	*store_prep(struct store *st, const char *sql,
		    const char *fmt, ...);
/*
 * Steps s (NULL: STORE_ERROR) once: 1 for a row (a query that finds one
 * or not), 0 at its end, STORE_CONFLICT or STORE_ERROR.  store_do
 * prepares and binds it first, as store_prep.
 */
int		 store_done(struct store *st, sqlite3_stmt *s, const char *fn);
#define		 store_do(st, sql, ...) \
		    store_done((st), store_prep((st), (sql), __VA_ARGS__), \
		    (sql))
/* For a query of one integer: its value, 0 when NULL, -1 on error. */
int64_t		 store_int(struct store *st, const char *sql);
/*
 * Steps s (NULL: STORE_ERROR) to its end, calling row for each row (-1
 * from row stops): the number of rows, or STORE_ERROR.  Leaves s reset.
 */
int		 store_rows(struct store *st, sqlite3_stmt *s,
		    int (*row)(sqlite3_stmt *, void *), void *arg,
		    const char *fn);
/*
 * Reads the row's columns from index i, one pointer per letter of fmt:
 * 't' text or NULL (const char **, valid until the next step), 's' a
 * copy of it (char **), 'd' a date, DATE_NONE for NULL (int32_t *), 'n'
 * a count of days, -1 for NULL (int *), 'i' an int, 'l' a long, 'I' an
 * int64, 'T' a time_t; '-' skips its column.
 */
void		 store_cols(sqlite3_stmt *s, int i, const char *fmt, ...);
#define		 store_col_text(s, i) \
		    ((const char *)sqlite3_column_text((s), (i)))

/* A walk over history or outbox rows: the records' function, its arg. */
struct store_cb {
	store_extension_fn	 extension;
	store_alert_fn		 alert;
	store_ack_fn		 ack;
	store_ack_ref_fn	 ack_ref;	/* with the contract's ref */
	store_delivery_fn	 delivery;
	store_closure_fn	 closure;
	store_audit_fn		 audit;
	void			*arg;
};

/* store-contract.c: the services table made from the contracts' lists. */
int		 store_services_fill(struct store *st);

#endif

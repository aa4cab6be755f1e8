/*
 * Internals of the store shared by store*.c files: the connection and its
 * statement cache.  Nothing outside store*.c includes this.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

enum store_sql {
	SQL_CONTRACT_COUNT,
	SQL_AUDIT,
	STORE_NSQL
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmts[STORE_NSQL];
};

int		 store_exec(struct store *st, const char *sql);
int		 store_begin(struct store *st);
int		 store_commit(struct store *st);
void		 store_rollback(struct store *st);
sqlite3_stmt	*store_stmt(struct store *st, enum store_sql id,
		    const char *sql);
int		 store_bind_text(sqlite3_stmt *s, int i, const char *v);

#endif

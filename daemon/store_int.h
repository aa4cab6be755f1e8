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
	SQL_CONTRACT_WINDOW_EXT,
	SQL_CONTRACT_WINDOW_PROC,
	SQL_NEXT_FIRE,
	SQL_SERVICE_DELETE,
	SQL_SERVICE_OLD,
	SQL_COVERING,
	SQL_AGENDA,
	SQL_AGENDA_EXT,
	SQL_AGENDA_PROC,
	SQL_SERVICE_INSERT,
	SQL_EXTENSION_ADD,
	SQL_EXTENSION_EACH,
	SQL_ALERT_RECORD,
	SQL_ALERT_KNOWN,
	SQL_ALERT_EACH,
	SQL_ACK_ADD,
	SQL_ACKED,
	SQL_ACK_EACH,
	SQL_ACK_WINDOW,
	SQL_DELIVERY_ADD,
	SQL_DELIVERY_DUE,
	SQL_DELIVERY_GET,
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
	void		(*progress)(void);
	struct checkpointer *ckpt;
	int		 lockfd;	/* PATH.lock, held while open */
};

int		 store_exec(struct store *st, const char *sql);
sqlite3_stmt	*store_stmt(struct store *st, enum store_sql id,
		    const char *sql);
int		 store_bind_text(sqlite3_stmt *s, int i, const char *v);

#endif

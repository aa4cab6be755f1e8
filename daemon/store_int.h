/*
 * Internals of the store shared by store*.c files: the connection and its
 * statement cache.  Nothing outside store*.c includes this.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stddef.h>
#include <stdint.h>

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
	SQL_NEXT_FIRE,
	SQL_CONTRACT_OLD,
	SQL_META_GET,
	SQL_META_SET,
	SQL_META_DELETE,
	SQL_COVER_LOAD,
	SQL_COVER_WRITE,
	SQL_COVER_DELETE,
	SQL_AGENDA,
	SQL_AGENDA_EXT,
	SQL_AGENDA_PROC,
	SQL_AGENDA_DAY,
	SQL_AGENDA_WRITE,
	SQL_AGENDA_DELETE,
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
	struct cover_set *cover;	/* NULL until first needed */
	struct agenda_days *agenda;	/* days changed, NULL if none */
	int		 agenda_sealed;	/* no day read: see agenda_preload */
};

int		 store_exec(struct store *st, const char *sql);
sqlite3_stmt	*store_stmt(struct store *st, enum store_sql id,
		    const char *sql);
int		 store_bind_text(sqlite3_stmt *s, int i, const char *v);
int		 store_done(struct store *st, sqlite3_stmt *s, const char *fn);
int		 store_rows(struct store *st, sqlite3_stmt *s,
		    int (*row)(sqlite3_stmt *, void *), void *arg,
		    const char *fn);

/* Coverage (store-cover.c): pairs of dates a service, in memory. */
int		 cover_load(struct store *st);
int		 cover_add(struct store *st, const char *services,
		    int32_t start, int32_t end);
int		 cover_remove(struct store *st, const char *services,
		    int32_t start, int32_t end);
int		 cover_flush(struct store *st);
void		 cover_settle(struct store *st);
void		 cover_forget(struct store *st);
int		 cover_migrate(struct store *st);

/* The agenda's days (store-agenda.c): changes kept until commit. */
struct contract;
#define AGENDA_PLACES	3
struct agenda_place {
	int32_t	 day;
	int	 which;
	int	 flags;
};
size_t		 agenda_places(const struct contract *c,
		    struct agenda_place p[AGENDA_PLACES]);
int		 agenda_add(struct store *st, const struct contract *c);
int		 agenda_preload(struct store *st, const struct contract *v,
		    size_t n);
int		 agenda_remove(struct store *st, const char *ref,
		    const struct agenda_place *p, size_t n);
int		 agenda_flush(struct store *st);
void		 agenda_forget(struct store *st);
int		 agenda_migrate(struct store *st);
int		 agenda_migrate_defaults(struct store *st);

#endif

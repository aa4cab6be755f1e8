/*
 * The SQLite store: the only code that speaks SQL.  One connection, WAL,
 * synchronous=FULL; the schema is migrated with PRAGMA user_version.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "contract.h"

struct store;

#define STORE_ERRLEN	256

struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *st);
int		 store_schema_version(struct store *st);
long		 store_contract_count(struct store *st);

/* One row of the audit table; args and result are JSON texts or NULL. */
int		 store_audit(struct store *st, time_t at, long uid,
		    const char *user, const char *cmd, const char *args,
		    const char *result);

#endif

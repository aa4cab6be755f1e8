/*
 * The import in progress (cmd-import.c), as the rest of the daemon sees
 * it: at most one, holding the writer's transaction across loop turns.
 */
#ifndef IMPORT_H
#define IMPORT_H

struct import;
struct store;
struct cmd_reply;

/* Whether an import holds the writer. */
int		 cmd_importing(void);
/* The store reads go to: the reader while an import holds the writer. */
struct store	*cmd_store(void);
/* Fails r with conflict if an import is in progress: -1; else 0. */
int		 cmd_import_busy(struct cmd_reply *r);
/* At exit: what the imports left to do later is dropped. */
void		 cmd_import_free(void);
/* Its connection closed: the import is rolled back, *up freed. */
void		 import_abort(struct import **up);

#endif

/*
 * WAL checkpoints in a thread of their own (see checkpoint.c).
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <sqlite3.h>

struct checkpointer;

/*
 * Starts checkpointing the database at path, which main (in WAL mode) has
 * open, from a thread.  NULL if it cannot: SQLite's autocheckpoint on
 * main then goes on as before.
 */
struct checkpointer	*checkpointer_start(sqlite3 *main, const char *path);
/* Stops the thread, after the checkpoint it may be running. */
void			 checkpointer_stop(struct checkpointer *ck,
			    sqlite3 *main);
/*
 * Has the thread start writing the WAL's pages to disk, without waiting
 * for them; a no-op without a thread.
 */
void			 checkpointer_writeback(struct checkpointer *ck);

#endif

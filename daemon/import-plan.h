/*
 * The schedules of an import's contracts, and their coverage and agenda
 * entries, made on a thread of their own while the event loop's thread
 * stores the rows they go with (store_contract_row).
 */
#ifndef IMPORT_PLAN_H
#define IMPORT_PLAN_H

#include <stddef.h>
#include <time.h>

#include "contract.h"
#include "store.h"

struct import_plan;

/*
 * Starts planning v[0..n) for an import at now, in the caller's
 * transaction, after store_import_begin; the contracts must stay as they
 * are until import_plan_end.  Without a thread (none could be started)
 * each is planned when asked for.  NULL: out of memory.
 */
struct import_plan	*import_plan_start(struct contract *const *v,
			    size_t n, time_t now);
/*
 * Waits for contract i to be planned: its schedule, and whether some
 * alert of it is due already (1) or not (0); -1 if it could not be
 * planned or its entries not made.  i goes up from 0.
 */
int	 import_plan_get(struct import_plan *p, size_t i,
	    struct contract_state *cs);
/*
 * Once every row is stored: joins the thread (the loop's thread may then
 * use the store again).
 */
void	 import_plan_wait(struct import_plan *p);
/*
 * Stops the thread if it still runs, and frees p; ends what
 * store_import_begin began (p may be NULL).
 */
void	 import_plan_end(struct import_plan *p);

#endif

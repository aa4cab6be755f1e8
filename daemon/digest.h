/*
 * The weekly digest: one message per recipient listing the milestones of
 * their contracts within [digest] horizon_days, through the outbox.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <time.h>

#include "store.h"

/*
 * At start and reload: notes the week before the first digest, if none
 * was ever made.
 */
void	 digest_start(struct store *st, time_t now);
/* When the next digest is due (<= now: due now); 0 if there is none. */
time_t	 digest_next(struct store *st, time_t now);
/*
 * Makes the digests due at now, in their own transaction: how many
 * recipients got one (0 if none was due), -1 on a database error.
 */
int	 digest_run(struct store *st, time_t now);

#endif

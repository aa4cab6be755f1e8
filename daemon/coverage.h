/*
 * Coverage answers remembered for the length of one query: an agenda or
 * a simulation asks whether a service is covered on a day for thousands
 * of contracts, but of few services and days.
 */
#ifndef COVERAGE_H
#define COVERAGE_H

#include <stdint.h>

struct store;
struct coverage;

struct coverage	*coverage_new(struct store *st);
void		 coverage_free(struct coverage *cov);
/*
 * An engine_covered_fn over a struct coverage: whether a contract other
 * than ref covers svc on day.  A database error answers "not covered",
 * which warns rather than hides a gap, and is not remembered.
 */
int		 coverage_covered(void *cov, const char *svc, int32_t day,
		    const char *ref);

#endif

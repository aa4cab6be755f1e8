/*
 * OCDS 1.1 (Open Contracting Data Standard) as a source of contracts:
 * a streamed reader of release packages, record packages, single
 * releases and JSON Lines of these (ocds.c), and the mapping of a
 * release's awards to contracts (ocds-map.c), as contractctl(8)
 * documents it.  Pure: no I/O.
 */
#ifndef OCDS_H
#define OCDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "contract.h"

#define OCDS_VALUE_MAX	(16 * 1024 * 1024)	/* one release, in bytes */
#define OCDS_DATE_NONE	INT64_MIN		/* a release without date */

/*
 * What one award of a release (or a release without one) gives: the
 * contract, or the reason it is skipped.  ref is the award's id as
 * written (NULL for a release without a usable award); date is the
 * release's date in seconds since the epoch (OCDS_DATE_NONE when it has
 * none), which decides between releases of the same award.
 */
struct ocds_row {
	const char	*ocid;		/* "" when the release has none */
	const char	*ref;
	int64_t		 date;
	struct contract	*c;		/* NULL when skipped */
	const char	*reason;	/* why, when skipped */
};

/* Takes what it needs of row (freed after); 0, or -1 to stop. */
typedef int (*ocds_row_fn)(void *arg, const struct ocds_row *row);

/*
 * The mapping of one release: fn for each award whose status is active
 * (or absent), or once with ref NULL and a reason when it has none.
 * Returns 0, or -1 if fn stopped or memory ran out.
 */
int	 ocds_map(json_t *release, ocds_row_fn fn, void *arg);
/* The calendar date written at the start of an OCDS timestamp; -1. */
int	 ocds_day(const char *ts, int32_t *day);
/* An OCDS timestamp as seconds since the epoch; OCDS_DATE_NONE if bad. */
int64_t	 ocds_instant(const char *ts);

/*
 * The reader, fed in pieces: whatever the package, only one release (or
 * record) is held at a time, at most OCDS_VALUE_MAX bytes.  Each release
 * read goes to ocds_map with fn; a UTF-8 byte order mark at the start
 * is skipped.  ocds_feed returns 0, or -1 with the first error in err
 * (where and what), after which the reader can only be freed; last
 * marks the final piece.
 */
struct ocds_reader;

struct ocds_reader	*ocds_reader_new(ocds_row_fn fn, void *arg);
int	 ocds_feed(struct ocds_reader *o, const char *p, size_t n, int last,
	    char *err, size_t errlen);
size_t	 ocds_fed(const struct ocds_reader *o);		/* bytes so far */
size_t	 ocds_releases(const struct ocds_reader *o);	/* read so far */
void	 ocds_reader_free(struct ocds_reader *o);

#endif

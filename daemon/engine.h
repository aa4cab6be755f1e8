/*
 * Milestones and alerts of a contract (DESIGN sections 6-7).  Pure
 * functions over records and the alert configuration; no I/O.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "contract.h"
#include "dates.h"

enum milestone_kind {
	MS_EXTENSION_DEADLINE,
	MS_TERM_END,
	MS_PROCUREMENT_START,
	MS_COVERAGE_GAP,
	MS_EXPIRED,
	MS_NKINDS
};

#define ENGINE_MAX_OFFSETS	32
#define ENGINE_MAX_ALERTS	(MS_NKINDS * ENGINE_MAX_OFFSETS)
#define ALERT_KEYLEN		(CONTRACT_REF_MAX + 64)

/* The [alerts] section and the date settings of [daemon]. */
struct alert_conf {
	int			 offsets[MS_NKINDS][ENGINE_MAX_OFFSETS];
	size_t			 noffsets[MS_NKINDS];
	int			 extension_notice_days;
	int			 procurement_lead_days;
	int			 working_days_only;
	const struct holidays	*holidays;	/* may be NULL */
	int			 alert_minute;	/* minutes after local midnight */
	const char		*timezone;
};

struct milestone {
	enum milestone_kind	 kind;
	int32_t			 due;
};

struct alert {
	enum milestone_kind	 kind;
	int32_t			 due;		/* the milestone's due date */
	int			 offset;	/* days before due */
	int32_t			 date;		/* after the working-day shift */
	time_t			 fire;		/* date at alert_time, UTC */
};

/*
 * Answers whether service svc is covered on day by a contract other than
 * ref (start_date <= day <= end_date).  1 yes, 0 no.  The engine asks
 * only of the day after ref's end date, which ref's own dates cannot
 * cover: an answer from the stored contracts may leave ref out of the
 * question, as long as ref's end date is stored as the engine sees it.
 */
typedef int (*engine_covered_fn)(void *arg, const char *svc, int32_t day,
    const char *ref);

const char	*milestone_name(enum milestone_kind k);
/* -1 if name is not a milestone kind. */
int		 milestone_parse(const char *name);

/* Fills conf with DESIGN's defaults (Europe/London, 09:00, offsets...). */
void	 alert_conf_defaults(struct alert_conf *conf);

/*
 * The contract's milestones in kind order; returns how many (at most
 * MS_NKINDS).  covered may be NULL: then coverage_gap is never derived.
 */
size_t	 engine_milestones(const struct contract *c,
	    const struct alert_conf *conf, engine_covered_fn covered,
	    void *arg, struct milestone out[MS_NKINDS]);

/*
 * An engine_covered_fn for a schedule made before coverage is known:
 * nothing is covered, so every contract with services has a coverage_gap
 * milestone, whose alerts ask engine_uncovered again when they fire.
 */
int	 engine_unknown_cover(void *arg, const char *svc, int32_t day,
	    const char *ref);

/*
 * Services of c (split on ';', trimmed, empty ones dropped) not covered on
 * end_date + 1.  Writes them ';'-joined into buf; returns how many.
 */
size_t	 engine_uncovered(const struct contract *c, engine_covered_fn covered,
	    void *arg, char *buf, size_t len);
/* The same, of services of contract ref ending on end. */
size_t	 engine_services_uncovered(const char *ref, const char *services,
	    int32_t end, engine_covered_fn covered, void *arg, char *buf,
	    size_t len);

/*
 * Every alert of the given milestones with the configured offsets, sorted
 * by fire instant, then kind, then offset (descending).  Returns how many,
 * at most max; -1 if a fire instant could not be computed.
 */
int	 engine_alerts(const struct milestone *ms, size_t n,
	    const struct alert_conf *conf, struct alert *out, size_t max);

/* "REF/kind/YYYY-MM-DD/offset" into buf. */
void	 engine_alert_key(const char *ref, const struct alert *a, char *buf,
	    size_t len);

#endif

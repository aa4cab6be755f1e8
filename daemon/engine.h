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
	int			 overdue_window_days;	/* expired stays overdue */
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
	int			 merged;	/* same instant as a smaller
						   offset of its milestone */
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

/*
 * What the engine asks about the other contracts.  Without covered, no
 * coverage_gap is derived; without exists, a successor is not known to
 * exist, so procurement_start stays (the safe side).
 */
struct engine_peers {
	engine_covered_fn	 covered;
	int			(*exists)(void *arg, const char *ref);
	void			*arg;
};

const char	*milestone_name(enum milestone_kind k);
/* -1 if name is not a milestone kind. */
int		 milestone_parse(const char *name);

/* Fills conf with DESIGN's defaults (Europe/London, 09:00, offsets...). */
void	 alert_conf_defaults(struct alert_conf *conf);

/*
 * The contract's milestones in kind order; returns how many (at most
 * MS_NKINDS).  peers may be NULL: nothing is known of other contracts.
 */
size_t	 engine_milestones(const struct contract *c,
	    const struct alert_conf *conf, const struct engine_peers *peers,
	    struct milestone out[MS_NKINDS]);

/*
 * How many days milestone m of c is overdue on today: its due date has
 * passed and it still matters (DESIGN section 7).  0 if it is not.
 * Acknowledgements are the caller's to check.
 */
int	 engine_overdue(const struct contract *c, const struct milestone *m,
	    int32_t today, const struct alert_conf *conf);
/* m is ahead (due today or later) or overdue: its alerts still fire. */
int	 engine_matters(const struct contract *c, const struct milestone *m,
	    int32_t today, const struct alert_conf *conf);

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
 * by fire instant, then kind, then offset (descending).  Alerts of one
 * milestone on one fire instant are one, the smallest offset.  Returns
 * how many, at most max; -1 if a fire instant could not be computed.
 */
int	 engine_alerts(const struct milestone *ms, size_t n,
	    const struct alert_conf *conf, struct alert *out, size_t max);
/* The same, keeping the others too, marked merged (for history). */
int	 engine_alerts_merged(const struct milestone *ms, size_t n,
	    const struct alert_conf *conf, struct alert *out, size_t max);

/* "REF/kind/YYYY-MM-DD/offset" into buf. */
void	 engine_alert_key(const char *ref, const struct alert *a, char *buf,
	    size_t len);

#endif

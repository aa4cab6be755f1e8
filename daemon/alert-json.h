/*
 * The alert payload: the "generic" JSON object that describes an alert
 * to every notifier (its keys are listed in plugins/notifier.h).  Built
 * once, when the alert fires, and kept with each delivery in the outbox,
 * so that a later change of the contract does not change what a retry
 * sends.  Pure: the time zone is an argument, there is no I/O.
 */
#ifndef ALERT_JSON_H
#define ALERT_JSON_H

#include <time.h>

#include <jansson.h>

#include "contract.h"
#include "engine.h"

/* What is known of an alert only as it fires. */
struct alert_firing {
	time_t		 now;		/* when it fires */
	const char	*tz;		/* the daemon's zone */
	const char	*uncovered;	/* coverage_gap: ';'-joined, else "" */
	int		 late;
	int		 overdue_days;	/* 0 unless overdue */
	int		 lapsed_extension;
};

/* Alert a of contract c as it fires; NULL if out of memory. */
json_t	*alert_json(const struct contract *c, const struct alert *a,
	    const struct alert_firing *f);
/* The synthetic alert of notify-test, of key key; NULL if out of memory. */
json_t	*alert_json_test(const char *key, time_t now, const char *tz);
/*
 * One milestone of a digest, shaped as an alert (the words of alerts
 * read it): contract is c's JSON, shared by its milestones (a reference
 * is taken); NULL if out of memory.
 */
json_t	*alert_json_digest_item(json_t *contract, const struct contract *c,
	    const struct milestone *m, int32_t today, int acked,
	    int overdue_days);

/* What a digest is, besides its milestones. */
struct alert_digest {
	const char	*key;		/* digest/RECIPIENT/YYYY-Www */
	const char	*recipient;
	const char	*week;		/* YYYY-Www */
	int		 horizon_days;
	time_t		 now;
	const char	*tz;
};

/* A recipient's digest; milestones (an array) is taken.  NULL if short. */
json_t	*alert_json_digest(const struct alert_digest *dg, json_t *milestones);
/*
 * Releases o (either of the above; NULL passes) and returns its compact
 * text, keys in order; NULL if out of memory.
 */
char	*alert_json_text(json_t *o);

#endif

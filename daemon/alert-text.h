/*
 * The words of every alert, in one place: for each milestone kind its
 * subject line, its one-sentence summary, what happens if nothing is
 * done, and its name in words; also a weekly digest's subject and
 * summary.  Plugins reach these through the host table (notifier.h says
 * what each promises); they read only the alert's JSON object (its keys
 * are listed there), so they serve a retry from the outbox as well as a
 * fresh alert.  Pure: no I/O.
 */
#ifndef ALERT_TEXT_H
#define ALERT_TEXT_H

#include <jansson.h>

/* Each returns a string to free, or NULL if out of memory. */
char	*alert_text_subject(const json_t *alert);
char	*alert_text_summary(const json_t *alert);
char	*alert_text_consequence(const json_t *alert);
char	*alert_text_milestone(const json_t *alert);

#endif

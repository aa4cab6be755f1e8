/*
 * Internals of the smtp plugin, shared by its files (smtp.c: the
 * channel's keys and the transfer; smtp-msg.c: the message and its MIME
 * parts; smtp-body.c: the words laid out as text and HTML; smtp-ics.c:
 * the calendar entry).  Not part of the plugin ABI: the module exports
 * only its descriptor.
 */
#ifndef SMTP_H
#define SMTP_H

#include <stddef.h>

#include "notifier.h"

/* What a message needs of its channel. */
struct smtp_envelope {
	const char	*from;		/* header form: addr or "Name <addr>" */
	const char	*domain;	/* of from's address, for Message-ID */
	const char	*reply_to;	/* NULL: none */
};

/* The text and HTML bodies of one alert, saying the same facts. */
struct smtp_body {
	char	*text;		/* CRLF line ends */
	char	*html;
};

/*
 * Whether s is a plain address (local@domain, printable ASCII, none of
 * the characters that would break a header or an SMTP command).
 */
int	 smtp_addr_valid(const char *s);

/* The subject of d's alert: the host's subject, and the title. */
char	*smtp_subject(const struct notifier_host *host,
	    const struct notifier_delivery *d);

/* Both bodies of d's alert.  0, or -1 if out of memory. */
int	 smtp_body_build(const struct notifier_host *host,
	    const struct notifier_delivery *d, struct smtp_body *b);
void	 smtp_body_free(struct smtp_body *b);

/*
 * The calendar (text/calendar, METHOD:PUBLISH) of d's milestone, one
 * all-day VEVENT on its due date; description is its text.  NULL if the
 * alert has no due date or out of memory.
 */
char	*smtp_ics(const struct notifier_delivery *d, const char *summary,
	    const char *description);
/* Frees what libical keeps between calendars. */
void	 smtp_ics_fini(void);

/*
 * The message of d to its recipient on easy: the headers (*headers, the
 * caller frees them with curl_slist_free_all) and the MIME tree (*mime,
 * freed with curl_mime_free once the transfer is over).  0, or -1 with
 * why set.
 */
int	 smtp_message(const struct notifier_host *host,
	    const struct smtp_envelope *env, const struct notifier_delivery *d,
	    CURL *easy, struct curl_slist **headers, curl_mime **mime,
	    const char **why);

#endif

/*
 * Internals of the webhook plugin, shared by its files (webhook.c: config,
 * secret, signing and transport; webhook-format.c: the bodies) and reached
 * by its unit test.  Not part of the plugin ABI: the module exports only
 * its descriptor.
 */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stddef.h>

#include "notifier.h"

enum webhook_format {
	WEBHOOK_GENERIC,
	WEBHOOK_SLACK,
	WEBHOOK_TEAMS
};

/* 0 and *f set, or -1 if name is not generic, slack or teams. */
int	 webhook_format_parse(const char *name, enum webhook_format *f);
const char *webhook_format_name(enum webhook_format f);
/* The request body of d in format f; NULL if it cannot be built. */
char	*webhook_body(const struct notifier_host *host, enum webhook_format f,
	    const struct notifier_delivery *d);
/* "[contractd] " and the host's summary of d's alert.  Caller frees. */
char	*webhook_summary(const struct notifier_host *host,
	    const struct notifier_delivery *d);

/*
 * Standard Webhooks signature of id.ts.body with key into out:
 * "v1,<base64 HMAC-SHA256>".  0, or -1 if out is too small.
 */
int	 webhook_sign(const unsigned char *key, size_t keylen, const char *id,
	    const char *ts, const char *body, size_t bodylen, char *out,
	    size_t outlen);

#endif

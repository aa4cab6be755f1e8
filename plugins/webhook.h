/*
 * Internals of the webhook plugin that its unit test reaches.  Not part of
 * the plugin ABI: the module exports only its descriptor.
 */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stddef.h>

#include "notifier.h"

/*
 * Standard Webhooks signature of id.ts.body with key into out:
 * "v1,<base64 HMAC-SHA256>".  0, or -1 if out is too small.
 */
int	 webhook_sign(const unsigned char *key, size_t keylen, const char *id,
	    const char *ts, const char *body, size_t bodylen, char *out,
	    size_t outlen);
/* One line for people: "[contractd] REF (title): ...".  Caller frees. */
char	*webhook_summary(const struct notifier_delivery *d);

#endif

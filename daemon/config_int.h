/*
 * Internals of the configuration reader, shared by config.c (the file,
 * its sections and checks) and config-keys.c (the keys and their values).
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <stddef.h>

#include "contractd.h"

struct conf_parse {
	struct config		*conf;
	struct conf_errors	*errs;
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 line;
	int			 section_line;	/* of the last [section] */
	int			 midline;	/* inih took part of a line */
	unsigned		 seen[4];	/* keys seen in [daemon], [alerts],
						   [digest], [calendar] */
	struct channel_conf	*cur;		/* current [notifier] section */
	const char		*key;		/* the key being set, if any */
};

/* Sets field from v, or reports why v is refused (conf_err): -1. */
typedef int (*conf_setter)(struct conf_parse *, void *, const char *);

struct conf_key {
	const char	*name;
	conf_setter	 set;
	size_t		 off;
};

/*
 * A problem on the current line: -1.  While a key is being set, the
 * message is why its value is refused, cut to 255 bytes, after its name.
 */
int	 conf_err(struct conf_parse *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* An offset list: its kind is in field, not an address. */
int	 conf_set_offsets(struct conf_parse *p, void *field, const char *v);

/* The keys of [daemon], [alerts], [digest] and [calendar]. */
extern const struct conf_key	conf_daemon_keys[], conf_alerts_keys[],
				conf_digest_keys[], conf_calendar_keys[];

#endif

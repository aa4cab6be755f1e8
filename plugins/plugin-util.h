/*
 * What the notifier plugins share, compiled into each module: a section's
 * keys applied from a table, a number of seconds, a file only the daemon
 * may read (a secret, a password), and a server's text made fit for a
 * log line.  Not part of the plugin ABI.
 */
#ifndef PLUGIN_UTIL_H
#define PLUGIN_UTIL_H

#include <stddef.h>

#include "notifier.h"

/* One key of a plugin's section: set() checks and takes the value. */
struct putil_key {
	const char	*name;
	int		(*set)(void *self, const struct notifier_config *cfg,
			    const struct notifier_kv *kv);
};

/*
 * Applies every key of cfg through keys[0..nkeys); seen[i] is where
 * keys[i] was set.  An unknown key and a key set twice are problems;
 * takes lists the known keys for the message ("url, format and
 * timeout").  Returns 0, or -1 after any problem.
 */
int	 putil_keys_set(void *self, const struct putil_key *keys,
	    size_t nkeys, const char *plugin, const char *takes,
	    const struct notifier_config *cfg, const struct notifier_kv **seen);

/* kv's value as seconds from 1 to max into *out; 0, or -1 (reported). */
int	 putil_seconds(const struct notifier_config *cfg,
	    const struct notifier_kv *kv, long max, long *out);

/*
 * Reads path into buf (NUL-terminated, *n bytes), refusing a file that
 * group or others may open.  0, or -1 with err set.
 */
int	 putil_private_read(const char *path, char *buf, size_t len,
	    size_t *n, char *err, size_t errlen);

/*
 * src as printable ASCII for a log line and a JSON string: runs of white
 * space and control characters as one space, anything else as '?'.
 */
void	 putil_clean(char *dst, size_t len, const char *src);

#endif

/*
 * contractd notifier plugin ABI, version 1.
 *
 * A notifier plugin is a shared object (a libtool module) exporting one
 * symbol, NOTIFIER_SYMBOL, of type const struct notifier_plugin.  The daemon
 * refuses a plugin whose abi field differs from NOTIFIER_ABI_VERSION.
 *
 * Life cycle, per channel (one [notifier NAME] section of the config):
 *
 *   init(host, cfg, &instance)   check the section's keys, build state
 *   send(instance, delivery)     start delivering one alert; never block
 *   ...                          host->result(delivery, ...) exactly once
 *   fini(instance)               free the state; no delivery is pending
 *
 * Rules:
 * - Everything runs on the daemon's event loop thread.  A plugin never
 *   blocks (no blocking sockets, no sleeps, no waiting on a child) and never
 *   runs an event loop of its own.  Network work goes through
 *   host->transfer(): a curl easy handle the daemon runs on its shared multi
 *   handle, calling back when it completes.
 * - Every delivery ends with exactly one call to host->result(), either
 *   inside send() or later from a transfer's completion callback.  After
 *   that call the delivery must not be touched.
 * - init() checks every key of its section, reports each problem through
 *   cfg->error() with the key's line, and returns -1 if there was any.  An
 *   unknown key is a problem.  The keys "plugin" and "kinds" belong to the
 *   daemon and are not passed on.
 * - init() may be called only to check a configuration (contractd -t):
 *   it must not start deliveries or leave anything running.
 */
#ifndef CONTRACTD_NOTIFIER_H
#define CONTRACTD_NOTIFIER_H

#include <stddef.h>

#include <curl/curl.h>

#define NOTIFIER_ABI_VERSION	1
#define NOTIFIER_SYMBOL		"contractd_notifier"

/* send() is called once per recipient (email) instead of once per alert. */
#define NOTIFIER_PER_RECIPIENT	0x01

enum notifier_status {
	NOTIFIER_OK,		/* delivered */
	NOTIFIER_RETRY,		/* try again later (retry_after seconds, or 0) */
	NOTIFIER_FAIL,		/* permanent failure: do not retry */
	NOTIFIER_DISABLE	/* endpoint is gone: disable the channel */
};

/* One key of the channel's section. */
struct notifier_kv {
	const char	*key;
	const char	*value;
	int		 line;
};

struct notifier_config {
	const char			*channel;	/* NAME of [notifier NAME] */
	const char			*file;		/* config file path */
	int				 line;		/* of [notifier NAME] */
	const struct notifier_kv	*kv;
	size_t				 nkv;
	/* Reports one problem with a key; line 0 when no line applies. */
	void	(*error)(const struct notifier_config *cfg, int line,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
	void				*ctx;		/* the daemon's */
};

/*
 * One delivery: an alert going to one channel (and one recipient for
 * NOTIFIER_PER_RECIPIENT plugins).  Every string is NUL-terminated and
 * valid until host->result() is called for this delivery; optional fields
 * are NULL when unset.
 */
struct notifier_delivery {
	const char	*key;		/* stable: derive Message-ID/webhook-id */
	const char	*alert_key;	/* REF/kind/due/offset */
	const char	*event;		/* "alert" or "test" */
	const char	*recipient;	/* per-recipient plugins only */
	const char	*channel;
	int		 attempt;	/* 1 for the first try */

	const char	*ref;
	const char	*title;
	const char	*contract_kind;
	const char	*supplier;
	const char	*owner_name;
	const char	*owner_email;
	const char	*milestone;	/* extension_deadline, term_end, ... */
	const char	*due;		/* YYYY-MM-DD */
	const char	*end_date;
	const char	*max_end_date;
	const char	*successor_ref;
	const char	*uncovered;	/* coverage_gap: ';'-joined services */
	const char	*fired_at;	/* ISO 8601, UTC */
	int		 offset_days;
	int		 days_left;	/* due - today at firing; negative after */
	int		 late;		/* fired after downtime or a hold */
	int		 lapsed_extension;	/* last extension recorded late */

	/* The "generic" JSON payload (an object) describing all of the above. */
	const char	*json;

	void		*plugin_data;	/* the plugin's, per delivery */
	void		*host_data;	/* the daemon's: do not touch */
};

struct notifier_host {
	int	abi;
	/* syslog priority (LOG_ERR, LOG_INFO, ...); no trailing newline. */
	void	(*log)(int prio, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
	/*
	 * Runs easy on the daemon's multi handle.  When it completes, done is
	 * called with curl's result; the plugin then owns easy again, cleans
	 * it up and calls result().  Returns -1 if the transfer could not be
	 * started (done will not be called).  The host sets CURLOPT_PRIVATE
	 * and CURLOPT_NOSIGNAL: leave them alone.  When the daemon stops or
	 * reloads, transfers under way end at once with done(...,
	 * CURLE_ABORTED_BY_CALLBACK); the delivery is then retried, so
	 * report it as NOTIFIER_RETRY.
	 */
	int	(*transfer)(struct notifier_delivery *d, CURL *easy,
		    void (*done)(struct notifier_delivery *d, CURL *easy,
		    CURLcode rc));
	/* Ends a delivery.  message says why on RETRY, FAIL and DISABLE. */
	void	(*result)(struct notifier_delivery *d,
		    enum notifier_status status, long retry_after,
		    const char *message);
};

struct notifier_plugin {
	int		 abi;		/* NOTIFIER_ABI_VERSION */
	const char	*name;		/* matches "plugin =" in the config */
	unsigned	 flags;
	int		(*init)(const struct notifier_host *host,
			    const struct notifier_config *cfg, void **instance);
	/* Returns 0 once the delivery is under way or finished, -1 if it
	 * could not even start (the host then retries it later). */
	int		(*send)(void *instance, struct notifier_delivery *d);
	void		(*fini)(void *instance);
};

#endif

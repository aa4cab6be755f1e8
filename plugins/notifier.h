/*
 * contractd notifier plugin ABI, version 2.
 *
 * A notifier plugin is a shared object (a libtool module) exporting one
 * symbol, NOTIFIER_SYMBOL, of type const struct notifier_plugin.  The daemon
 * refuses a plugin whose abi field differs from NOTIFIER_ABI_VERSION.  It
 * builds with libcurl's and jansson's headers (pkg-config libcurl
 * jansson) and links to jansson if it reads the alert.
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
 * - The words of an alert (its subject, summary, and what happens if
 *   nothing is done) come from the host table, so that every channel says
 *   the same thing: a plugin lays them out, it does not write its own.
 *
 * How this ABI grows.  Each of the three structs that cross between daemon
 * and plugin (struct notifier_plugin, struct notifier_host and struct
 * notifier_delivery) carries its own size, set by whoever built it to
 * sizeof() of the struct as its header had it.  Within ABI 2 fields are
 * only ever appended, never removed, moved or retyped, and the reader of
 * a field added after the first release of ABI 2 checks first that the
 * struct is long enough to hold it (NOTIFIER_HAS); a field beyond the size
 * is absent.  So a plugin built against an older notifier.h of ABI 2 runs
 * in a newer daemon, and the other way round.  Any other change is a new
 * ABI number.  The descriptor's abi stays its first field in every ABI, so
 * that the daemon can always read it and name the plugin it refuses.
 */
#ifndef CONTRACTD_NOTIFIER_H
#define CONTRACTD_NOTIFIER_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#define NOTIFIER_ABI_VERSION	2
#define NOTIFIER_SYMBOL		"contractd_notifier"

/* Whether struct s (a pointer to a struct of type t) holds field f. */
#define NOTIFIER_HAS(s, t, f)	\
	((s)->size >= offsetof(t, f) + sizeof(((t *)0)->f))

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
 * NOTIFIER_PER_RECIPIENT plugins).  Everything is valid until
 * host->result() is called for this delivery; optional strings are NULL
 * when unset.
 *
 * The facts of the alert are given once, in alert: a JSON object, the very
 * one json holds as text (the "generic" webhook body), read-only.  Its
 * keys; a fact that is unknown is null, and a key a plugin does not know
 * is to be ignored (keys are added, never removed or retyped in ABI 2):
 *
 *   type		"contract.alert", "contract.test" (notify-test), or
 *			"contract.digest" (below)
 *   key		REF/kind/due/offset
 *   contract		the contract as the daemon had it when the alert
 *			fired: ref, title, kind, supplier, owner_name,
 *			owner_email, notify, start_date, end_date,
 *			max_end_date (YYYY-MM-DD), extension_notice_days,
 *			procurement_lead_days (integers), successor_ref,
 *			services, value, notes (strings); a test alert
 *			has ref and title only
 *   milestone		extension_deadline, term_end, procurement_start,
 *			coverage_gap, expired (or "test"); more may come
 *   due		YYYY-MM-DD
 *   offset_days	integer: days before due that the alert was set for
 *   days_left		integer: due - today when it fired; negative after
 *   late		boolean: fired after downtime or a hold
 *   lapsed_extension	boolean: the last extension was recorded late
 *   extension_available_until  YYYY-MM-DD, or null if none remains
 *   fire_at		local time it was set for, ISO 8601 with offset
 *   fired_at		ISO 8601, UTC
 *   uncovered		coverage_gap: the services left uncovered,
 *			';'-joined; else null
 *   overdue_days	integer, only when the milestone is overdue (its due
 *			date passed while it still matters): days since
 *
 * A weekly digest (event "digest", one delivery per recipient) has the
 * keys type ("contract.digest"), key (digest/RECIPIENT/YYYY-Www),
 * recipient, week (YYYY-Www), date (YYYY-MM-DD, the day it was made),
 * horizon_days, fired_at, and milestones: an array, soonest first, of
 * objects shaped as alerts (type "contract.milestone"; contract,
 * milestone, due, days_left, extension_available_until, overdue_days as
 * above, and acked, a boolean), which the host's words read as alerts.
 * The subject and summary read a digest too.
 */
struct notifier_delivery {
	size_t		 size;		/* sizeof(struct notifier_delivery) */
	const char	*key;		/* stable: derive Message-ID/webhook-id */
	const char	*alert_key;	/* REF/kind/due/offset */
	const char	*event;		/* "alert", "test" or "digest" */
	const char	*recipient;	/* per-recipient plugins only */
	const char	*channel;
	int		 attempt;	/* 1 for the first try */
	const json_t	*alert;		/* the facts: see above */
	const char	*json;		/* alert as compact JSON text */

	void		*plugin_data;	/* the plugin's, per delivery */
	void		*host_data;	/* the daemon's: do not touch */
};

struct notifier_host {
	size_t	size;			/* sizeof(struct notifier_host) */
	int	abi;			/* NOTIFIER_ABI_VERSION */
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
	/*
	 * The words of an alert (a delivery's alert), plain UTF-8 text with
	 * no markup, each a string the plugin frees with free(), or NULL if
	 * out of memory.  Any alert reads, even one of a kind newer than the
	 * plugin, or one with facts missing.
	 *
	 * subject: one line, "[contractd] HAV-CPDPS: extension decision due
	 *   in 30 days (2025-03-31)".
	 * summary: one sentence, without the "[contractd] " tag: "HAV-CPDPS
	 *   (Complex Placements DPS): extension decision due in 30 days
	 *   (2025-03-31)", with the services of a coverage gap, "(late)" and
	 *   a lapsed extension's warning where they apply.
	 * consequence: what happens if nothing is done, a clause to follow
	 *   "If nothing is done, ": "the service has no contract after 30
	 *   April 2025"; "" for a kind with none (a test).
	 */
	char	*(*alert_subject)(const json_t *alert);
	char	*(*alert_summary)(const json_t *alert);
	char	*(*alert_consequence)(const json_t *alert);
	/*
	 * Added in ABI 2 after its first release (NOTIFIER_HAS).  The
	 * milestone itself in words, to follow a label ("Milestone: "):
	 * "the last day to decide on an extension".
	 */
	char	*(*alert_milestone)(const json_t *alert);
};

/*
 * The plugin's descriptor.  abi comes first in every ABI (see above); the
 * daemon reads the other fields only once abi is NOTIFIER_ABI_VERSION.
 */
struct notifier_plugin {
	int		 abi;		/* NOTIFIER_ABI_VERSION */
	size_t		 size;		/* sizeof(struct notifier_plugin) */
	const char	*name;		/* matches "plugin =" in the config */
	unsigned	 flags;
	int		(*init)(const struct notifier_host *host,
			    const struct notifier_config *cfg, void **instance);
	/* Returns 0 once the delivery is under way or finished, -1 if it
	 * could not even start (the host then retries it later). */
	int		(*send)(void *instance, struct notifier_delivery *d);
	void		(*fini)(void *instance);
	/*
	 * Added in ABI 2 after its first release (NOTIFIER_HAS); optional,
	 * NULL for none.  A NOTIFIER_PER_RECIPIENT plugin's own recipients
	 * (e.g. a cc list): when an alert is queued the daemon calls add()
	 * for each, and makes one delivery per address, besides those of
	 * the contract's owner and notify list.  Returns 0, or -1 if add()
	 * did.  Called on the event loop; it must not block.
	 */
	int		(*recipients)(void *instance,
			    int (*add)(void *arg, const char *addr),
			    void *arg);
};

#endif

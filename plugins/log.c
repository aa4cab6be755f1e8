/*
 * The log notifier: prints each alert as one line on the daemon's log.
 * It takes no keys beyond the daemon's own (plugin, kinds).
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "notifier.h"

struct log_instance {
	const struct notifier_host	*host;
};

static int
log_init(const struct notifier_host *host, const struct notifier_config *cfg,
    void **instance)
{
	struct log_instance	*li;
	size_t			 i;

	for (i = 0; i < cfg->nkv; i++)
		cfg->error(cfg, cfg->kv[i].line, "unknown key '%s' (the log "
		    "notifier takes none)", cfg->kv[i].key);
	if (cfg->nkv > 0)
		return -1;
	if ((li = calloc(1, sizeof(*li))) == NULL)
		return -1;
	li->host = host;
	*instance = li;
	return 0;
}

/* The string at key of o, or "" (the log line has a place for each). */
static const char *
log_str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static int
log_flag(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* " overdue_days=N" for an overdue alert, else "". */
static const char *
log_overdue(const json_t *a)
{
	static char	 buf[48];
	json_int_t	 n = json_integer_value(json_object_get(a,
			    "overdue_days"));

	if (n <= 0)
		return "";
	snprintf(buf, sizeof(buf), " overdue_days=%lld", (long long)n);
	return buf;
}

static int
log_send(void *instance, struct notifier_delivery *d)
{
	struct log_instance	*li = instance;
	const json_t		*a = d->alert;
	const json_t		*c = json_object_get(a, "contract");

	if (strcmp(d->event, "digest") == 0) {
		li->host->log(LOG_NOTICE, "digest %s recipient=%s "
		    "milestones=%zu%s", d->alert_key, log_str(a, "recipient"),
		    json_array_size(json_object_get(a, "milestones")),
		    d->attempt > 1 ? " retry=yes" : "");
		li->host->result(d, NOTIFIER_OK, 0, NULL);
		return 0;
	}
	li->host->log(LOG_NOTICE, "%s %s contract=%s title=\"%s\" "
	    "milestone=%s due=%s days_left=%d late=%s%s%s%s",
	    d->event, d->alert_key, log_str(c, "ref"), log_str(c, "title"),
	    log_str(a, "milestone"), log_str(a, "due"),
	    (int)json_integer_value(json_object_get(a, "days_left")),
	    log_flag(a, "late") ? "yes" : "no", log_overdue(a),
	    log_flag(a, "lapsed_extension") ? " lapsed_extension=yes" : "",
	    d->attempt > 1 ? " retry=yes" : "");
	li->host->result(d, NOTIFIER_OK, 0, NULL);
	return 0;
}

static void
log_fini(void *instance)
{
	free(instance);
}

__attribute__((visibility("default")))
const struct notifier_plugin contractd_notifier = {
	.abi = NOTIFIER_ABI_VERSION,
	.size = sizeof(struct notifier_plugin),
	.name = "log",
	.flags = 0,
	.init = log_init,
	.send = log_send,
	.fini = log_fini,
};

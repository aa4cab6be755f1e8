/*
 * The log notifier: prints each alert as one line on the daemon's log.
 * It takes no keys beyond the daemon's own (plugin, kinds).
 */
#include <stdlib.h>
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

static int
log_send(void *instance, struct notifier_delivery *d)
{
	struct log_instance	*li = instance;

	li->host->log(LOG_NOTICE, "%s %s contract=%s title=\"%s\" "
	    "milestone=%s due=%s days_left=%d late=%s%s%s",
	    d->event, d->alert_key, d->ref, d->title ? d->title : "",
	    d->milestone, d->due, d->days_left, d->late ? "yes" : "no",
	    d->lapsed_extension ? " lapsed_extension=yes" : "",
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
	.name = "log",
	.flags = 0,
	.init = log_init,
	.send = log_send,
	.fini = log_fini,
};

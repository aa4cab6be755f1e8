/*
 * Notifier plugins.  Each [notifier NAME] section names a plugin; the
 * shared object plugin_dir/PLUGIN.so must export NOTIFIER_SYMBOL with our
 * ABI number.  A channel is one initialized instance of a plugin.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-text.h"
#include "contractd.h"
#include "dispatch.h"
#include "http.h"
#include "plugin.h"

/* The host-function table handed to plugins. */
static const struct notifier_host plugin_host = {
	.size = sizeof(struct notifier_host),
	.abi = NOTIFIER_ABI_VERSION,
	.log = log_msg,
	.transfer = http_transfer,
	.result = dispatch_result,
	.alert_subject = alert_text_subject,
	.alert_summary = alert_text_summary,
	.alert_consequence = alert_text_consequence,
	.alert_milestone = alert_text_milestone,
};

struct plugin_errctx {
	struct conf_errors	*errs;
	const char		*file;
	int			 n;
};

static void
plugin_cfg_error(const struct notifier_config *cfg, int line,
    const char *fmt, ...)
{
	struct plugin_errctx	*ctx = cfg->ctx;
	char			 msg[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_errors_add(ctx->errs, ctx->file, line, "[notifier %s] %s",
	    cfg->channel, msg);
	ctx->n++;
}

static int
plugin_name_valid(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* dlopens and checks the plugin named by cc; adds errors on failure. */
static int
plugin_open(const struct config *conf, const struct channel_conf *cc,
    struct channel *ch, struct conf_errors *errs)
{
	const struct notifier_plugin	*np;
	char				 path[4096];

	if (!plugin_name_valid(cc->plugin)) {
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin: not a plugin name: %s", cc->name, cc->plugin);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.so", conf->plugin_dir,
	    cc->plugin);
	if ((ch->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin %s: cannot load: %s", cc->name, cc->plugin,
		    dlerror());
		return -1;
	}
	np = dlsym(ch->handle, NOTIFIER_SYMBOL);
	if (np == NULL) {
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin %s: %s exports no notifier descriptor", cc->name,
		    cc->plugin, path);
		return -1;
	}
	/* abi is the one field every ABI has where we look for it. */
	if (np->abi != NOTIFIER_ABI_VERSION) {
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin '%s' (%s) uses notifier ABI %d; this contractd "
		    "needs ABI %d: rebuild it against this contractd's "
		    "notifier.h", cc->name, cc->plugin, path, np->abi,
		    NOTIFIER_ABI_VERSION);
		return -1;
	}
	if (!NOTIFIER_HAS(np, struct notifier_plugin, fini) ||
	    np->name == NULL || np->init == NULL || np->send == NULL ||
	    np->fini == NULL) {
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin %s: %s exports an incomplete notifier descriptor",
		    cc->name, cc->plugin, path);
		return -1;
	}
	ch->plugin = np;
	return 0;
}

static int
plugin_init(const struct config *conf, const struct channel_conf *cc,
    struct channel *ch, struct conf_errors *errs)
{
	struct notifier_kv	*kv;
	struct notifier_config	 cfg;
	struct plugin_errctx	 ctx = { errs, conf->path, 0 };
	size_t			 i;
	int			 rc;

	if ((kv = calloc(cc->nkv + 1, sizeof(*kv))) == NULL)
		return -1;
	for (i = 0; i < cc->nkv; i++) {
		kv[i].key = cc->kv[i].key;
		kv[i].value = cc->kv[i].value;
		kv[i].line = cc->kv[i].line;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.channel = cc->name;
	cfg.file = conf->path;
	cfg.line = cc->line;
	cfg.kv = kv;
	cfg.nkv = cc->nkv;
	cfg.error = plugin_cfg_error;
	cfg.ctx = &ctx;
	rc = ch->plugin->init(&plugin_host, &cfg, &ch->instance);
	free(kv);
	if (rc == -1 && ctx.n == 0)
		conf_errors_add(errs, conf->path, cc->line, "[notifier %s] "
		    "plugin %s failed to start", cc->name, cc->plugin);
	return rc == -1 ? -1 : 0;
}

int
plugins_load(const struct config *conf, struct conf_errors *errs,
    struct channel **out, size_t *n)
{
	struct channel	*v;
	size_t		 i, before = errs->n;

	*out = NULL;
	*n = 0;
	if (conf->nchannels == 0)
		return 0;
	if ((v = calloc(conf->nchannels, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < conf->nchannels; i++) {
		const struct channel_conf	*cc = &conf->channels[i];

		v[i].kinds = cc->kinds;
		v[i].digest = cc->digest;
		if (cc->plugin == NULL)
			continue;	/* the config's own error says so */
		if ((v[i].name = strdup(cc->name)) == NULL ||
		    plugin_open(conf, cc, &v[i], errs) == -1 ||
		    plugin_init(conf, cc, &v[i], errs) == -1)
			v[i].plugin = NULL;
	}
	if (errs->n > before) {
		plugins_free(v, conf->nchannels);
		return -1;
	}
	*out = v;
	*n = conf->nchannels;
	return 0;
}

void
plugins_free(struct channel *ch, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (ch[i].plugin != NULL && ch[i].instance != NULL)
			ch[i].plugin->fini(ch[i].instance);
		if (ch[i].handle != NULL)
			dlclose(ch[i].handle);
		free(ch[i].name);
		free(ch[i].disabled_why);
	}
	free(ch);
}

struct channel *
plugins_find(struct channel *ch, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(ch[i].name, name) == 0)
			return &ch[i];
	return NULL;
}

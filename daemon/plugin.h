/*
 * Notifier plugins: loading (dlopen from plugin_dir), the ABI check, and
 * one instance per configured channel.
 */
#ifndef PLUGIN_H
#define PLUGIN_H

#include <stddef.h>

#include "../plugins/notifier.h"

struct config;
struct conf_errors;

struct channel {
	char				*name;
	unsigned			 kinds;
	int				 digest;	/* sends digests */
	const struct notifier_plugin	*plugin;
	void				*handle;	/* dlopen */
	void				*instance;
	int				 disabled;	/* until reload */
	char				*disabled_why;
};

/*
 * Loads the plugin of every channel of conf and initializes an instance.
 * Problems are added to errs as file:line errors; on any, everything
 * loaded is released and -1 returned.
 */
int	 plugins_load(const struct config *conf, struct conf_errors *errs,
	    struct channel **out, size_t *n);
void	 plugins_free(struct channel *ch, size_t n);
struct channel	*plugins_find(struct channel *ch, size_t n, const char *name);

#endif

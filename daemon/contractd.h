/*
 * contractd: private declarations shared by the daemon's files, grouped by
 * the file that defines them.
 */
#ifndef CONTRACTD_H
#define CONTRACTD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "dates.h"
#include "engine.h"
#include "log.h"
#include "proto.h"
#include "../plugins/notifier.h"

#ifndef CONTRACTD_CONF
#define CONTRACTD_CONF		"/etc/contractd/contractd.conf"
#endif
#ifndef CONTRACTD_SOCKET
#define CONTRACTD_SOCKET	"/run/contractd/control.sock"
#endif
#ifndef CONTRACTD_PLUGIN_DIR
#define CONTRACTD_PLUGIN_DIR	"/usr/lib/contractd/plugins"
#endif




/* config.c */
struct conf_kv {
	char	*key;
	char	*value;
	int	 line;
};

struct channel_conf {
	char		*name;
	char		*plugin;
	unsigned	 kinds;		/* bit (1 << milestone kind) */
	int		 kinds_line;	/* 0 until "kinds =" is seen */
	int		 digest;	/* [digest] channels names it */
	int		 line;		/* of the section header */
	struct conf_kv	*kv;		/* the plugin's keys */
	size_t		 nkv;
};

/* [digest]: the weekly digest, on when channels is set. */
struct digest_conf {
	int		 weekday;	/* ISO: 1 = Monday .. 7 = Sunday */
	int		 minute;	/* local time of day */
	int		 horizon_days;
	char		*channels;	/* channel names, ','-separated */
	int		 line;		/* of [digest]; 0 if there is none */
	int		 channels_line;
};

struct config {
	char			*path;
	char			*database;
	char			*socket;
	mode_t			 socket_mode;
	char			*admin_group;
	char			*plugin_dir;
	char			*timezone;
	char			*holidays_path;
	int			 holidays_line;	/* of "holidays =" */
	int			 max_connections;
	int			 max_connections_per_uid; /* read-only */
	int			 idle_timeout;		/* seconds */
	long			 max_age;		/* seconds */
	int			 max_transfers;
	struct holidays		 holidays;
	struct alert_conf	 alerts;
	struct digest_conf	 digest;
	struct channel_conf	*channels;
	size_t			 nchannels;
	char			*calendar_dir;	/* [calendar] dir, or NULL */
};

/* One "file:line: message" per problem. */
struct conf_errors {
	char	**msg;
	size_t	  n;
};

/* Reads and checks path.  Returns NULL and fills errs on any problem. */
struct config	*config_load(const char *path, struct conf_errors *errs);
/*
 * The same, but the configuration read comes back whatever its problems
 * (NULL only if the file cannot be read), so that contractd -t can also
 * check its channels' keys.
 */
struct config	*config_read(const char *path, struct conf_errors *errs);
void		 config_free(struct config *conf);
void		 conf_errors_add(struct conf_errors *errs, const char *file,
		    int line, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 conf_errors_free(struct conf_errors *errs);
int		 config_kinds_parse(const char *s, unsigned *kinds);


/* daemon state, owned by main.c */
struct store;
struct control;
struct daemon {
	struct event_base	*base;
	struct config		*conf;
	struct store		*store;		/* the writer */
	struct store		*reader;	/* reads during an import */
	struct control		*control;
	struct channel		*channels;
	size_t			 nchannels;
	time_t			 started;
	uid_t			 uid;
	const char		*conf_path;
};
extern struct daemon	*daemon_ctx;

int		 daemon_reload(char *errbuf, size_t len);

#endif

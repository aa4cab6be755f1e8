/*
 * contractd: watches contract end dates, extension deadlines,
 * re-procurement lead times and coverage gaps, and raises alerts through
 * notifier plugins.  main() sets up the subsystems on one event loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "calendar.h"
#include "commands.h"
#include "contractd.h"
#include "control.h"
#include "dispatch.h"
#include "http.h"
#include "plugin.h"
#include "scheduler.h"
#include "sdnotify.h"
#include "import.h"
#include "store.h"

struct daemon	*daemon_ctx;

static void
usage(void)
{
	fprintf(stderr, "usage: contractd [-dftV] [-c file]\n");
	exit(2);
}

static void
print_errors(struct conf_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
}

/* At start-up: prints every error and exits. */
static void __attribute__((noreturn))
errors_exit(struct conf_errors *errs)
{
	print_errors(errs);
	conf_errors_free(errs);
	exit(1);
}

/* -t: parse the file and let every channel's plugin check its keys. */
static int
check_config(const char *path)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*conf;
	struct channel		*ch = NULL;
	size_t			 n = 0;
	int			 rc = 0;

	/* Core and plugin errors alike, all in one run. */
	if ((conf = config_read(path, &errs)) != NULL)
		(void)plugins_load(conf, &errs, &ch, &n);
	if (errs.n > 0) {
		print_errors(&errs);
		rc = 1;
	} else
		printf("configuration OK\n");
	plugins_free(ch, n);
	config_free(conf);
	conf_errors_free(&errs);
	return rc;
}

static void
control_conf_of(const struct config *conf, struct control_conf *cc)
{
	cc->path = conf->socket;
	cc->mode = conf->socket_mode;
	cc->admin_group = conf->admin_group;
	cc->max_connections = conf->max_connections;
	cc->max_per_uid = conf->max_connections_per_uid;
	cc->idle_timeout = conf->idle_timeout;
	cc->max_transfers = conf->max_transfers;
}

/* Warns about settings that only a restart applies. */
static void
reload_restart_keys(const struct config *old, const struct config *new)
{
	if (strcmp(old->database, new->database) != 0)
		log_warnx("%s: database: a new path applies after a restart",
		    __func__);
	if (strcmp(old->socket, new->socket) != 0 ||
	    old->socket_mode != new->socket_mode)
		log_warnx("%s: socket: a new path or mode applies after a "
		    "restart", __func__);
}

int
daemon_reload(char *errbuf, size_t len)
{
	struct daemon		*d = daemon_ctx;
	struct conf_errors	 errs = { NULL, 0 };
	struct config		*conf;
	struct control_conf	 cc;
	struct channel		*ch = NULL;
	size_t			 i, n = 0;

	sdnotify_reloading();
	if ((conf = config_load(d->conf_path, &errs)) == NULL ||
	    plugins_load(conf, &errs, &ch, &n) == -1) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s: %s", __func__, errs.msg[i]);
		snprintf(errbuf, len, "%zu error%s in the configuration, "
		    "the old one stays: %s", errs.n, errs.n == 1 ? "" : "s",
		    errs.n ? errs.msg[0] : "unknown error");
		config_free(conf);
		conf_errors_free(&errs);
		sdnotify("READY=1");
		return -1;
	}
	reload_restart_keys(d->conf, conf);
	dispatch_quiesce();
	plugins_free(d->channels, d->nchannels);
	d->channels = ch;
	d->nchannels = n;
	config_free(d->conf);
	d->conf = conf;
	control_conf_of(conf, &cc);
	if (d->control != NULL)
		control_configure(d->control, &cc);
	scheduler_reconfigure();
	calendar_changed();	/* offsets or the directory may be new */
	log_info("%s: configuration reloaded from %s", __func__, conf->path);
	sdnotify("READY=1");
	return 0;
}

static void
on_drained(void)
{
	event_base_loopexit(daemon_ctx->base, NULL);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	char	err[512];

	(void)what;
	(void)arg;
	switch (sig) {
	case SIGHUP:
		if (daemon_ctx->control == NULL)
			break;		/* stopping: too late to reload */
		log_info("%s: SIGHUP: reloading", __func__);
		if (daemon_reload(err, sizeof(err)) == -1)
			log_warnx("%s: reload failed: %s", __func__, err);
		break;
	default:
		if (daemon_ctx->control == NULL)
			break;		/* already stopping */
		log_info("%s: signal %d: shutting down", __func__, (int)sig);
		sdnotify("STOPPING=1");
		control_close(daemon_ctx->control);
		daemon_ctx->control = NULL;
		dispatch_drain(on_drained);
		break;
	}
}

static int
setup_signals(struct event_base *base, struct event *ev[3])
{
	static const int	 sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	int			 i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		ev[i] = evsignal_new(base, sigs[i], on_signal, NULL);
		if (ev[i] == NULL || evsignal_add(ev[i], NULL) == -1)
			return -1;
	}
	return 0;
}

static void
setup(struct daemon *d)
{
	struct conf_errors	errs = { NULL, 0 };
	struct control_conf	cc;
	char			err[512];

	if ((d->store = store_open(d->conf->database, err, sizeof(err))) ==
	    NULL)
		fatalx("database: %s", err);
	store_progress(d->store, sdnotify_alive);
	if ((d->reader = store_open_reader(d->conf->database, err,
	    sizeof(err))) == NULL)
		fatalx("database: %s", err);
	if (plugins_load(d->conf, &errs, &d->channels, &d->nchannels) == -1)
		errors_exit(&errs);
	if (http_init(d->base) == -1)
		fatalx("cannot start the transfer engine");
	control_conf_of(d->conf, &cc);
	if ((d->control = control_open(d->base, &cc, err, sizeof(err))) ==
	    NULL)
		fatalx("control socket: %s", err);
	if (dispatch_init(d->base, scheduler_poke) == -1 ||
	    scheduler_init(d->base) == -1)
		fatalx("cannot start the scheduler");
	if (calendar_init(d->base) == -1)
		fatalx("cannot start the calendars");
}

/*
 * The one line that says what runs: version, config, database, contracts
 * watched, and each channel with its plugin.
 */
static void
log_started(const struct daemon *d)
{
	char	chans[1024] = "";
	size_t	i, n = 0;

	for (i = 0; i < d->nchannels && n < sizeof(chans); i++)
		n += (size_t)snprintf(chans + n, sizeof(chans) - n, "%s%s (%s)",
		    i > 0 ? ", " : "", d->channels[i].name,
		    d->channels[i].plugin->name);
	log_info("contractd %s started: config %s, database %s, %ld "
	    "contract%s watched, channels: %s", PACKAGE_VERSION,
	    d->conf->path, d->conf->database, store_contract_count(d->store),
	    store_contract_count(d->store) == 1 ? "" : "s",
	    d->nchannels > 0 ? chans : "none");
}

static void
teardown(struct daemon *d, struct event *sigev[3])
{
	int	i;

	for (i = 0; i < 3; i++)
		if (sigev[i] != NULL)
			event_free(sigev[i]);
	calendar_free();
	scheduler_free();
	cmd_import_free();
	http_shutdown();	/* ends transfers while dispatch can hear */
	dispatch_free();
	control_close(d->control);
	plugins_free(d->channels, d->nchannels);
	store_close(d->reader);
	store_close(d->store);
	config_free(d->conf);
	sdnotify_free();
	event_base_free(d->base);
}

struct options {
	const char	*path;
	int		 debug;
	int		 foreground;
	int		 test;
};

static void
parse_options(int argc, char *argv[], struct options *o)
{
	int	ch;

	o->path = CONTRACTD_CONF;
	while ((ch = getopt(argc, argv, "c:dftV")) != -1) {
		switch (ch) {
		case 'c':
			o->path = optarg;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 't':
			o->test = 1;
			break;
		case 'V':
			printf("contractd %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

int
main(int argc, char *argv[])
{
	struct options		 o = { NULL, 0, 0, 0 };
	struct conf_errors	 errs = { NULL, 0 };
	struct daemon		 d;
	struct event		*sigev[3] = { NULL, NULL, NULL };
	char			 status[512] = "READY=1\nSTATUS=";
	size_t			 n = strlen(status);

	parse_options(argc, argv, &o);
	log_init(o.debug, 0);
	if (o.test)
		return check_config(o.path);
	memset(&d, 0, sizeof(d));
	daemon_ctx = &d;
	d.conf_path = o.path;
	if ((d.conf = config_load(o.path, &errs)) == NULL)
		errors_exit(&errs);
	if (!o.foreground) {
		if (daemon(1, 0) == -1)
			fatal("daemon");
		log_init(o.debug, 1);
	}
	d.started = time(NULL);
	if ((d.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (setup_signals(d.base, sigev) == -1)
		fatalx("cannot set up signal handling");
	setup(&d);
	sdnotify_init(d.base, cmd_status_line);
	log_started(&d);
	cmd_status_line(status + n, sizeof(status) - n);
	sdnotify(status);
	if (event_base_dispatch(d.base) == -1)
		log_warnx("event loop failed");
	teardown(&d, sigev);
	log_info("contractd stopped");
	return 0;
}

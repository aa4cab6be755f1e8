/*
 * Commands about the daemon itself: ping, status, reload.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "contractd.h"
#include "dispatch.h"
#include "import.h"
#include "plugin.h"
#include "store.h"

static int
cmd_ping_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	(void)peer;
	(void)args;
	r->result = json_pack("{s:b}", "pong", 1);
	return 0;
}

const struct cmd cmd_ping = {
	.name = "ping",
	.admin = 0,
	.exec = cmd_ping_exec,
};

static json_t *
status_channels(void)
{
	struct daemon	*d = daemon_ctx;
	json_t		*a = json_array(), *o;
	size_t		 i;

	for (i = 0; i < d->nchannels; i++) {
		o = json_pack("{s:s, s:s, s:b}", "name", d->channels[i].name,
		    "plugin", d->channels[i].plugin->name, "disabled",
		    d->channels[i].disabled);
		if (o != NULL && d->channels[i].disabled_why != NULL)
			json_object_set_new(o, "disabled_reason",
			    json_string(d->channels[i].disabled_why));
		json_array_append_new(a, o);
	}
	return a;
}

/* The distinct plugins loaded, by name. */
static json_t *
status_plugins(void)
{
	struct daemon	*d = daemon_ctx;
	json_t		*a = json_array();
	size_t		 i, j;

	for (i = 0; i < d->nchannels; i++) {
		for (j = 0; j < i; j++)
			if (d->channels[j].plugin == d->channels[i].plugin)
				break;
		if (j == i)
			json_array_append_new(a,
			    json_string(d->channels[i].plugin->name));
	}
	return a;
}

static int
cmd_status_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	struct daemon	*d = daemon_ctx;

	(void)args;
	r->result = json_pack("{s:s, s:I, s:I, s:s, s:s, s:I, s:o, s:o, "
	    "s:b}",
	    "version", PACKAGE_VERSION,
	    "uptime", (json_int_t)(time(NULL) - d->started),
	    "pid", (json_int_t)getpid(),
	    "database", d->conf->database,
	    "config", d->conf->path,
	    "contracts", (json_int_t)store_contract_count(cmd_store()),
	    "plugins", status_plugins(),
	    "channels", status_channels(),
	    "admin", peer->admin);
	if (r->result == NULL)
		return cmd_fail(r, "internal", "out of memory");
	json_object_set_new(r->result, "outbox", cmd_outbox_counts());
	json_object_set_new(r->result, "next_alert",
	    cmd_instant(store_next_fire(cmd_store())));
	json_object_set_new(r->result, "in_flight",
	    json_integer(dispatch_inflight()));
	json_object_set_new(r->result, "overdue",
	    json_integer(cmd_overdue_count()));
	return 0;
}

/* "1 234": groups of three digits, as a person reads a count. */
static void
count_words(char *buf, size_t len, long n)
{
	char	digits[32];
	size_t	i, j = 0, nd;

	nd = (size_t)snprintf(digits, sizeof(digits), "%ld", n < 0 ? 0 : n);
	for (i = 0; i < nd && j + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[j++] = ' ';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
}

void
cmd_status_line(char *buf, size_t len)
{
	struct store	*st = cmd_store();
	char		 contracts[32], next[DATE_ISOLEN] = "none";
	long		 n[4] = { 0, 0, 0, 0 }, overdue;
	time_t		 t;

	count_words(contracts, sizeof(contracts), store_contract_count(st));
	if ((t = store_next_fire(st)) != 0 && date_format_local(t,
	    daemon_ctx->conf->timezone, next, sizeof(next)) == 0) {
		/* "2025-03-31T09:00:00+01:00" as "2025-03-31 09:00" */
		next[10] = ' ';
		next[16] = '\0';
	}
	(void)store_delivery_counts(st, n);
	overdue = cmd_overdue_count();
	snprintf(buf, len, "watching %s contract%s; next alert %s; outbox "
	    "%ld pending, %ld dead%s", contracts, strcmp(contracts, "1") == 0 ?
	    "" : "s", next, n[0] + n[1], n[2], overdue > 0 ? "; " : "");
	if (overdue > 0)
		snprintf(buf + strlen(buf), len - strlen(buf), "%ld overdue",
		    overdue);
}

const struct cmd cmd_status = {
	.name = "status",
	.admin = 0,
	.exec = cmd_status_exec,
};

static int
cmd_reload_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	char	err[512];

	(void)peer;
	(void)args;
	if (daemon_reload(err, sizeof(err)) == -1)
		return cmd_fail(r, "invalid_argument", "%s", err);
	r->result = json_pack("{s:b}", "reloaded", 1);
	return 0;
}

const struct cmd cmd_reload = {
	.name = "reload",
	.admin = 1,
	.exec = cmd_reload_exec,
};

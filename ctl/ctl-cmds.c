/*
 * contractctl's command table, and the commands about the daemon itself:
 * ping, status and reload.  The others live in cmd-*.c.
 */
#include <stdio.h>

#include "ctl.h"

static void
show_ping(json_t *r)
{
	(void)r;
	printf("pong\n");
}

static void
show_status_outbox(json_t *r)
{
	json_t	*o = json_object_get(r, "outbox"), *a;

	if (json_is_object(o))
		printf("outbox     %lld pending, %lld failed, %lld dead\n",
		    json_int(o, "pending"), json_int(o, "failed"),
		    json_int(o, "dead"));
	if ((a = json_object_get(r, "next_alert")) == NULL)
		return;
	if (json_is_string(a))
		printf("next alert %s\n", json_string_value(a));
	else
		printf("next alert none\n");
}

static void
show_status(json_t *r)
{
	json_t		*v;
	size_t		 i;
	long long	 up = json_int(r, "uptime");

	printf("contractd %s, pid %lld, up %lldd %02lld:%02lld:%02lld\n",
	    json_str_or(r, "version", "?"), json_int(r, "pid"),
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	printf("config     %s\n", json_str_or(r, "config", "?"));
	printf("database   %s\n", json_str_or(r, "database", "?"));
	printf("contracts  %lld\n", json_int(r, "contracts"));
	if (json_object_get(r, "overdue") != NULL)
		printf("overdue    %lld milestone%s\n", json_int(r, "overdue"),
		    json_int(r, "overdue") == 1 ? "" : "s");
	printf("channels  ");
	json_array_foreach(json_object_get(r, "channels"), i, v)
		printf(" %s (%s%s)", json_str_or(v, "name", "?"),
		    json_str_or(v, "plugin", "?"),
		    json_is_true(json_object_get(v, "disabled")) ?
		    ", DISABLED" : "");
	printf("\n");
	show_status_outbox(r);
}

static void
show_reload(json_t *r)
{
	(void)r;
	printf("configuration reloaded\n");
}

static const struct ctl_cmd ctl_cmd_ping = {
	.name = "ping", .usage = "ping", .parse = ctl_parse_none,
	.show = show_ping
};
static const struct ctl_cmd ctl_cmd_status = {
	.name = "status", .usage = "status", .parse = ctl_parse_none,
	.show = show_status
};
static const struct ctl_cmd ctl_cmd_reload = {
	.name = "reload", .usage = "reload", .parse = ctl_parse_none,
	.show = show_reload
};

/* In DESIGN section 9's order. */
const struct ctl_cmd *const ctl_cmds[] = {
	&ctl_cmd_status,
	&ctl_cmd_ping,
	&ctl_cmd_list,
	&ctl_cmd_show,
	&ctl_cmd_history,
	&ctl_cmd_agenda,
	&ctl_cmd_simulate,
	&ctl_cmd_import,
	&ctl_cmd_export,
	&ctl_cmd_add,
	&ctl_cmd_update,
	&ctl_cmd_extend,
	&ctl_cmd_ack,
	&ctl_cmd_silence,
	&ctl_cmd_outbox,
	&ctl_cmd_retry,
	&ctl_cmd_notify_test,
	&ctl_cmd_close,
	&ctl_cmd_audit,
	&ctl_cmd_reload,
	NULL
};

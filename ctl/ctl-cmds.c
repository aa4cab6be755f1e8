/*
 * contractctl's subcommands: how each turns its command line into the
 * request's args, and how its result is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int
ctl_parse_none(int argc, char **argv, json_t *args)
{
	(void)argv;
	(void)args;
	return argc == 1 ? 0 : -1;
}

static void
show_ping(json_t *r)
{
	(void)r;
	printf("pong\n");
}

static void
show_status(json_t *r)
{
	json_t		*v;
	size_t		 i;
	long long	 up = json_integer_value(json_object_get(r, "uptime"));

	printf("contractd %s, pid %lld, up %lldd %02lld:%02lld:%02lld\n",
	    json_str(r, "version"),
	    (long long)json_integer_value(json_object_get(r, "pid")),
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	printf("config     %s\n", json_str(r, "config"));
	printf("database   %s\n", json_str(r, "database"));
	printf("contracts  %lld\n",
	    (long long)json_integer_value(json_object_get(r, "contracts")));
	printf("channels  ");
	json_array_foreach(json_object_get(r, "channels"), i, v)
		printf(" %s (%s%s)", json_str(v, "name"), json_str(v, "plugin"),
		    json_is_true(json_object_get(v, "disabled")) ?
		    ", DISABLED" : "");
	printf("\n");
}

static void
show_reload(json_t *r)
{
	(void)r;
	printf("configuration reloaded\n");
}

const struct ctl_cmd ctl_cmds[] = {
	{ "ping", "ping", ctl_parse_none, show_ping, NULL, NULL },
	{ "status", "status", ctl_parse_none, show_status, NULL, NULL },
	{ "reload", "reload", ctl_parse_none, show_reload, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

/*
 * Deliveries: outbox lists them, retry requeues one, notify-test queues a
 * test alert on a channel.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static int
parse_outbox(int argc, char **argv, json_t *args)
{
	static const char *const states[] = {
		"pending", "failed", "dead", "delivered"
	};
	static const struct ctl_opt opts[] = {
		{ .name = "state", .key = "state", .type = CTL_ARG_STR },
		{ .name = NULL }
	};
	const char	*state;
	size_t		 i;

	if (ctl_parse_args(argc, argv, NULL, opts, args) == -1)
		return -1;
	if ((state = json_str(args, "state")) == NULL)
		return 0;
	for (i = 0; i < nitems(states); i++)
		if (strcmp(state, states[i]) == 0)
			return 0;
	return ctl_usage_error("--state: %s is not pending, failed, dead or "
	    "delivered", state);
}

static void
show_outbox(json_t *r)
{
	static const struct table_col cols[] = {
		{ .header = "STATE", .key = "state" },
		{ .header = "ATTEMPTS", .key = "attempts", .fmt = table_value },
		{ .header = "NEXT ATTEMPT", .key = "next_attempt" },
		{ .header = "CHANNEL", .key = "channel" },
		{ .header = "KEY", .key = "key" },
		{ .header = "LAST ERROR", .key = "last_error" },
		{ .header = NULL }
	};
	json_t	*list = json_object_get(r, "deliveries");
	json_t	*n = json_object_get(r, "counts");

	if (json_array_size(list) == 0)
		printf("no deliveries\n");
	table_list(cols, list);
	if (json_is_object(n))
		printf("\n%lld pending, %lld failed, %lld dead, %lld "
		    "delivered\n", json_int(n, "pending"),
		    json_int(n, "failed"), json_int(n, "dead"),
		    json_int(n, "delivered"));
}

static const char *const retry_pos[] = { "key", NULL };

static void
show_retry(json_t *r)
{
	printf("%s queued for delivery\n", json_str_or(r, "key", "?"));
}

static const char *const notify_test_pos[] = { "channel", NULL };
static const struct ctl_opt notify_test_opts[] = {
	{ .name = "to", .key = "to", .type = CTL_ARG_STR },
	{ .name = NULL }
};

static void
show_notify_test(json_t *r)
{
	printf("test alert queued on %s (%s)\n",
	    json_str_or(r, "channel", "?"), json_str_or(r, "key", "?"));
}

const struct ctl_cmd ctl_cmd_outbox = {
	.name = "outbox", .usage = "outbox [--state pending|failed|dead|"
	    "delivered]",
	.parse = parse_outbox, .show = show_outbox, .list_key = "deliveries"
};
const struct ctl_cmd ctl_cmd_retry = {
	.name = "retry", .usage = "retry KEY", .pos = retry_pos,
	.show = show_retry
};
const struct ctl_cmd ctl_cmd_notify_test = {
	.name = "notify-test", .usage = "notify-test CHANNEL [--to ADDRESS]",
	.pos = notify_test_pos, .opts = notify_test_opts,
	.show = show_notify_test
};

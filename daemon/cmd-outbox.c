/*
 * Commands about deliveries: outbox, retry, notify-test.
 */
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contractd.h"
#include "dispatch.h"
#include "import.h"
#include "scheduler.h"
#include "store.h"

#define OUTBOX_MAX	1000

static int
outbox_one(void *arg, const struct delivery_rec *d)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s?, "
	    "s:s, s:i, s:o, s:s?, s:o}", "key", d->key, "alert_key",
	    d->alert_key, "channel", d->channel, "recipient", d->recipient,
	    "state", d->state, "attempts", d->attempts, "next_attempt",
	    strcmp(d->state, "pending") == 0 || strcmp(d->state,
	    "failed") == 0 ? cmd_instant(d->next_attempt) : json_null(),
	    "last_error", d->last_error, "created", cmd_instant(d->created)));
}

json_t *
cmd_outbox_counts(void)
{
	long	n[4];

	if (store_delivery_counts(cmd_store(), n) < 0)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:I}", "pending", (json_int_t)n[0],
	    "failed", (json_int_t)n[1], "dead", (json_int_t)n[2],
	    "delivered", (json_int_t)n[3]);
}

static int
cmd_outbox_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "state", NULL };
	static const char *const states[] = { "pending", "failed", "dead",
	    "delivered", NULL };
	const char	*state = NULL;
	json_t		*a;
	size_t		 i;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "state", 0, &state, r) == -1)
		return -1;
	for (i = 0; state != NULL && states[i] != NULL; i++)
		if (strcmp(state, states[i]) == 0)
			break;
	if (state != NULL && states[i] == NULL)
		return cmd_fail(r, "invalid_argument", "state must be "
		    "pending, failed, dead or delivered: %s", state);
	a = json_array();
	if (store_delivery_each(cmd_store(), state, OUTBOX_MAX,
	    outbox_one, a) < 0) {
		json_decref(a);
		return cmd_fail(r, "internal", "database error");
	}
	r->result = json_pack("{s:o, s:o}", "deliveries", a, "counts",
	    cmd_outbox_counts());
	return 0;
}

const struct cmd cmd_outbox = { "outbox", 0, cmd_outbox_exec, NULL };

static int
cmd_retry_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "key", NULL };
	const char	*key;
	int		 rc;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "key", 1, &key, r) == -1)
		return -1;
	rc = store_delivery_retry(daemon_ctx->store, key, time(NULL));
	if (rc == STORE_NOTFOUND)
		return cmd_fail(r, "not_found", "no failed or dead delivery "
		    "%s", key);
	if (rc < 0)
		return cmd_fail(r, "internal", "database error");
	scheduler_poke();
	r->result = json_pack("{s:s, s:s}", "key", key, "state", "pending");
	return 0;
}

const struct cmd cmd_retry = { "retry", 1, cmd_retry_exec, NULL };

static int
cmd_notify_test_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "channel", "to", NULL };
	const char	*channel, *to = NULL;
	char		 key[512];
	int		 rc;

	(void)peer;
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "channel", 1, &channel, r) == -1 ||
	    cmd_arg_str(args, "to", 0, &to, r) == -1)
		return -1;
	if (strlen(channel) > 64 || (to != NULL && (strlen(to) > 254 ||
	    strchr(to, '@') == NULL || strpbrk(to, " \t\r\n<>,;\"") != NULL)))
		return cmd_fail(r, "invalid_argument", "%s", strlen(channel) >
		    64 ? "no such channel" : "to: not an email address");
	if (store_begin(daemon_ctx->store) == -1)
		return cmd_fail(r, "internal", "database error");
	rc = dispatch_test(daemon_ctx->store, channel, to, time(NULL), key,
	    sizeof(key));
	if (rc == STORE_NOTFOUND)
		return cmd_abort(r, "not_found", "no such channel");
	if (rc < 0)
		return cmd_abort(r, "internal", "database error");
	if (cmd_commit(r) == -1)
		return -1;
	r->result = json_pack("{s:s, s:s}", "key", key, "channel", channel);
	return 0;
}

const struct cmd cmd_notify_test = { "notify-test", 1, cmd_notify_test_exec, NULL };

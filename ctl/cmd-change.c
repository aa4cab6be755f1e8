/*
 * Changing contracts: add, update, extend, ack and silence.
 */
#include <stdio.h>

#include "ctl.h"

static int
parse_add(int argc, char **argv, json_t *args)
{
	return ctl_parse_fields(argc - 1, argv + 1, args);
}

/* "added REF" or "updated REF", then the answer's warnings. */
static void
show_saved(json_t *r, const char *done)
{
	printf("%s %s\n", done,
	    json_str_or(json_object_get(r, "contract"), "ref", "?"));
	ctl_warnings(r);
}

static void
show_add(json_t *r)
{
	show_saved(r, "added");
}

static int
parse_update(int argc, char **argv, json_t *args)
{
	static const char *const pos[] = { "ref", NULL };

	if (argc < 2 || ctl_parse_args(2, argv, pos, NULL, args) == -1)
		return -1;
	return ctl_parse_fields(argc - 2, argv + 2, args);
}

static void
show_update(json_t *r)
{
	show_saved(r, "updated");
}

static int
parse_extend(int argc, char **argv, json_t *args)
{
	static const char *const pos[] = { "ref", NULL };
	static const struct ctl_opt opts[] = {
		{ .name = "months", .key = "months", .type = CTL_ARG_INT,
		    .min = 1, .max = 120 },
		{ .name = "until", .key = "until", .type = CTL_ARG_DATE },
		{ .name = "decision-ref", .key = "decision_ref",
		    .type = CTL_ARG_STR },
		{ .name = "decided-on", .key = "decided_on",
		    .type = CTL_ARG_DATE },
		{ .name = "note", .key = "note", .type = CTL_ARG_STR },
		{ .name = NULL }
	};

	if (ctl_parse_args(argc, argv, pos, opts, args) == -1)
		return -1;
	if (json_object_get(args, "months") != NULL &&
	    json_object_get(args, "until") != NULL)
		return ctl_usage_error("give --months or --until, not both");
	if (json_object_get(args, "months") == NULL &&
	    json_object_get(args, "until") == NULL)
		return ctl_usage_error("--months or --until is required");
	return 0;
}

static void
show_extend(json_t *r)
{
	printf("%s extended: %s -> %s (maximum %s)\n",
	    json_str_or(r, "ref", "?"), json_str_or(r, "old_end", "?"),
	    json_str_or(r, "new_end", "?"),
	    json_str_or(r, "max_end_date", "?"));
	if (json_is_true(json_object_get(r, "lapsed")))
		printf("warning: recorded after the contract had lapsed on "
		    "%s\n", json_str_or(r, "old_end", "?"));
}

static const char *const ack_pos[] = { "ref", "kind", NULL };
static const struct ctl_opt ack_opts[] = {
	{ .name = "note", .key = "note", .type = CTL_ARG_STR },
	{ .name = NULL }
};

static void
show_ack(json_t *r)
{
	json_t	*first = json_object_get(r, "already");

	if (!json_is_object(first)) {
		printf("acknowledged %s %s due %s\n", json_str_or(r, "ref",
		    "?"), json_str_or(r, "milestone", "?"),
		    json_str_or(r, "due", "?"));
		return;
	}
	printf("%s %s due %s: already acknowledged on %s by %s; %s\n",
	    json_str_or(r, "ref", "?"), json_str_or(r, "milestone", "?"),
	    json_str_or(r, "due", "?"), json_str_or(first, "at", "?"),
	    json_str_or(first, "user", "?"),
	    json_is_true(json_object_get(r, "note_added")) ?
	    "the note was added to its history" : "nothing changed");
}

static const char *const silence_pos[] = { "ref", NULL };
static const struct ctl_opt silence_opts[] = {
	{ .name = "until", .key = "until", .type = CTL_ARG_DATE,
	    .required = 1 },
	{ .name = NULL }
};

static void
show_silence(json_t *r)
{
	printf("%s silenced until %s\n", json_str_or(r, "ref", "?"),
	    json_str_or(r, "silenced_until", "?"));
}

const struct ctl_cmd ctl_cmd_add = {
	.name = "add", .usage = "add FIELD=VALUE...", .parse = parse_add,
	.show = show_add
};
const struct ctl_cmd ctl_cmd_update = {
	.name = "update", .usage = "update REF FIELD=VALUE...",
	.parse = parse_update, .show = show_update
};
const struct ctl_cmd ctl_cmd_extend = {
	.name = "extend",
	.usage = "extend REF (--months N | --until DATE) "
	    "[--decision-ref TEXT] [--decided-on DATE] [--note TEXT]",
	.parse = parse_extend, .show = show_extend
};
const struct ctl_cmd ctl_cmd_ack = {
	.name = "ack", .usage = "ack REF KIND [--note TEXT]",
	.pos = ack_pos, .opts = ack_opts, .show = show_ack
};
const struct ctl_cmd ctl_cmd_silence = {
	.name = "silence", .usage = "silence REF --until DATE",
	.pos = silence_pos, .opts = silence_opts, .show = show_silence
};

/*
 * Reading contracts and their schedule: list, show, history, agenda and
 * simulate.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *const ref_pos[] = { "ref", NULL };

/* "term_end 2025-04-30 (in 12 days)", or "" for no milestone. */
static const char *
milestone_fmt(json_t *row, const char *key, char *buf, size_t len)
{
	json_t	*m = json_object_get(row, key);
	char	 days[32];

	if (!json_is_object(m))
		return "";
	snprintf(buf, len, "%s %s (%s%s)", json_str_or(m, "milestone", "?"),
	    json_str_or(m, "due", "?"),
	    json_is_true(json_object_get(m, "overdue")) ? "OVERDUE, " : "",
	    days_fmt(json_object_get(m, "days_left"), days, sizeof(days)));
	return buf;
}

static void
show_list(json_t *r)
{
	static const struct table_col cols[] = {
		{ .header = "REF", .key = "ref" },
		{ .header = "KIND", .key = "kind" },
		{ .header = "END", .key = "end_date" },
		{ .header = "MAX END", .key = "max_end_date" },
		{ .header = "NEXT MILESTONE", .key = "next_milestone",
		    .fmt = milestone_fmt },
		{ .header = "TITLE", .key = "title" },
		{ .header = NULL }
	};
	json_t	*list = json_object_get(r, "contracts");

	/* A page of them: the first has the header (ctl_run_pages). */
	if (json_array_size(list) == 0 && ctl_page_index == 0)
		printf("no contracts\n");
	table_page(cols, list, ctl_page_index == 0);
}

static int
list_run(int fd, json_t *args, json_t **resp)
{
	return ctl_run_pages(&ctl_cmd_list, fd, args, "ref", resp);
}

static const struct ctl_opt list_opts[] = {
	{ .name = "owner", .key = "owner", .type = CTL_ARG_STR },
	{ .name = "kind", .key = "kind", .type = CTL_ARG_STR },
	{ .name = "supplier", .key = "supplier", .type = CTL_ARG_STR },
	{ .name = "service", .key = "service", .type = CTL_ARG_STR },
	{ .name = "ending-before", .key = "ending_before",
	    .type = CTL_ARG_DATE },
	{ .name = "ending-after", .key = "ending_after",
	    .type = CTL_ARG_DATE },
	{ .name = NULL }
};

static const char *
yes_fmt(json_t *row, const char *key, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return json_is_true(json_object_get(row, key)) ? "yes" : "";
}

static const char *
uncovered_fmt(json_t *row, const char *key, char *buf, size_t len)
{
	if (json_str(row, key) == NULL)
		return "";
	snprintf(buf, len, "uncovered: %s", json_str(row, key));
	return buf;
}

static void
show_contract(json_t *r)
{
	static const char *const keys[] = {
		"ref", "title", "kind", "supplier", "owner_name",
		"owner_email", "notify", "start_date", "end_date",
		"max_end_date", "extension_notice_days",
		"procurement_lead_days", "successor_ref", "services", "value",
		"notes", "closed_on", "closed_reason", "silenced_until",
		"lapsed_extension", NULL
	};
	static const struct table_col cols[] = {
		{ .header = "MILESTONE", .key = "milestone" },
		{ .header = "DUE", .key = "due" },
		{ .header = "DAYS LEFT", .key = "days_left",
		    .fmt = table_value },
		{ .header = "ACKED", .key = "acked", .fmt = yes_fmt },
		{ .header = "OVERDUE", .key = "overdue", .fmt = yes_fmt },
		{ .header = "NOTE", .key = "uncovered",
		    .fmt = uncovered_fmt, .size = 256 },
		{ .header = NULL }
	};

	if (json_str(r, "closed_on") != NULL)
		printf("CLOSED on %s%s%s\n", json_str(r, "closed_on"),
		    json_str(r, "closed_reason") ? ": " : "",
		    json_str_or(r, "closed_reason", ""));
	show_fields(r, keys);
	printf("\n");
	table_section("milestones", cols, json_object_get(r, "milestones"));
	ctl_warnings(r);
}

/* The extension's note, after the lapse warning if it needs one. */
static const char *
extension_note(json_t *row, const char *key, char *buf, size_t len)
{
	const char	*note = json_str_or(row, key, "");

	if (!json_is_true(json_object_get(row, "lapsed")))
		return note;
	snprintf(buf, len, "RECORDED AFTER THE CONTRACT HAD LAPSED%s%s",
	    *note != '\0' ? "; " : "", note);
	return buf;
}

/* The alert's state, and whether it fired late. */
static const char *
alert_state(json_t *row, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", json_str_or(row, key, ""),
	    json_is_true(json_object_get(row, "late")) ? " (late)" : "");
	return buf;
}

static void
show_history(json_t *r)
{
	static const struct table_col ext_cols[] = {
		{ .header = "OLD END", .key = "old_end" },
		{ .header = "NEW END", .key = "new_end" },
		{ .header = "DECIDED ON", .key = "decided_on" },
		{ .header = "DECISION REF", .key = "decision_ref" },
		{ .header = "RECORDED AT", .key = "recorded_at" },
		{ .header = "USER", .key = "user" },
		{ .header = "NOTE", .key = "note", .fmt = extension_note },
		{ .header = NULL }
	};
	static const struct table_col alert_cols[] = {
		{ .header = "FIRE AT", .key = "fire_at" },
		{ .header = "MILESTONE", .key = "milestone" },
		{ .header = "DUE", .key = "due" },
		{ .header = "OFFSET", .key = "offset_days",
		    .fmt = table_value },
		{ .header = "STATE", .key = "state", .fmt = alert_state },
		{ .header = "AT", .key = "at" },
		{ .header = NULL }
	};
	static const struct table_col ack_cols[] = {
		{ .header = "MILESTONE", .key = "milestone" },
		{ .header = "DUE", .key = "due" },
		{ .header = "AT", .key = "at" },
		{ .header = "USER", .key = "user" },
		{ .header = "NOTE ADDED", .key = "added_note", .fmt = yes_fmt },
		{ .header = "NOTE", .key = "note" },
		{ .header = NULL }
	};

	static const struct table_col close_cols[] = {
		{ .header = "OLD END", .key = "old_end" },
		{ .header = "CLOSED ON", .key = "closed_on" },
		{ .header = "RECORDED AT", .key = "recorded_at" },
		{ .header = "USER", .key = "user" },
		{ .header = "REASON", .key = "reason" },
		{ .header = NULL }
	};

	printf("history of %s\n\n", json_str_or(r, "ref", "?"));
	table_section("extensions", ext_cols,
	    json_object_get(r, "extensions"));
	printf("\n");
	table_section("closed", close_cols, json_object_get(r, "closes"));
	printf("\n");
	table_section("alerts", alert_cols, json_object_get(r, "alerts"));
	printf("\n");
	table_section("acknowledgements", ack_cols,
	    json_object_get(r, "acks"));
}

static int
parse_agenda(int argc, char **argv, json_t *args)
{
	static const struct ctl_opt opts[] = {
		{ .name = "days", .key = "days", .type = CTL_ARG_INT,
		    .min = 1, .max = 3650 },
		{ .name = "owner", .key = "owner", .type = CTL_ARG_STR },
		{ .name = "kind", .key = "kind", .type = CTL_ARG_STR },
		{ .name = NULL }
	};

	if (ctl_parse_args(argc, argv, NULL, opts, args) == -1)
		return -1;
	if (json_object_get(args, "days") == NULL)
		return json_object_set_new(args, "days", json_integer(90));
	return 0;
}

/* The milestone, and whether it was acknowledged or is overdue. */
static const char *
agenda_milestone(json_t *row, const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", json_str_or(row, key, ""),
	    json_is_true(json_object_get(row, "acked")) ? " (acked)" : "",
	    json_is_true(json_object_get(row, "overdue")) ? " (OVERDUE)" :
	    "");
	return buf;
}

static void
show_agenda(json_t *r)
{
	static const struct table_col cols[] = {
		{ .header = "DUE", .key = "due" },
		{ .header = "DAYS", .key = "days_left", .fmt = table_value },
		{ .header = "MILESTONE", .key = "milestone",
		    .fmt = agenda_milestone },
		{ .header = "REF", .key = "ref" },
		{ .header = "TITLE", .key = "title" },
		{ .header = NULL }
	};
	json_t	*list = json_object_get(r, "milestones");

	printf("%smilestones due from %s to %s\n",
	    json_array_size(list) == 0 ? "no " : "",
	    json_str_or(r, "from", "?"), json_str_or(r, "to", "?"));
	table_list(cols, list);
}

static const struct ctl_opt simulate_opts[] = {
	{ .name = "from", .key = "from", .type = CTL_ARG_DATE,
	    .required = 1 },
	{ .name = "to", .key = "to", .type = CTL_ARG_DATE, .required = 1 },
	{ .name = "close", .key = "close", .type = CTL_ARG_STR },
	{ .name = "on", .key = "on", .type = CTL_ARG_DATE },
	{ .name = NULL }
};

/* The array's strings joined by ", ". */
static const char *
names_join(json_t *row, const char *key, char *buf, size_t len)
{
	json_t	*v;
	size_t	 i, n = 0;
	int	 w;

	buf[0] = '\0';
	json_array_foreach(json_object_get(row, key), i, v) {
		w = snprintf(buf + n, len - n, "%s%s", i > 0 ? ", " : "",
		    json_is_string(v) ? json_string_value(v) : "?");
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

static void
show_simulate(json_t *r)
{
	static const struct table_col cols[] = {
		{ .header = "FIRE AT", .key = "fire_at" },
		{ .header = "CONTRACT", .key = "contract" },
		{ .header = "MILESTONE", .key = "milestone" },
		{ .header = "DUE", .key = "due" },
		{ .header = "OFFSET", .key = "offset_days",
		    .fmt = table_value },
		{ .header = "CHANNELS", .key = "channels",
		    .fmt = names_join, .size = 512 },
		{ .header = NULL }
	};
	json_t	*list = json_object_get(r, "alerts");

	if (json_array_size(list) == 0)
		printf("no alerts in that period\n");
	table_list(cols, list);
}

const struct ctl_cmd ctl_cmd_list = {
	.name = "list", .usage = "list [--owner EMAIL] [--kind KIND] "
	    "[--supplier TEXT] [--service KEY] [--ending-before DATE] "
	    "[--ending-after DATE]", .opts = list_opts, .show = show_list,
	.list_key = "contracts", .run = list_run
};
const struct ctl_cmd ctl_cmd_show = {
	.name = "show", .usage = "show REF", .pos = ref_pos,
	.show = show_contract
};
const struct ctl_cmd ctl_cmd_history = {
	.name = "history", .usage = "history REF", .pos = ref_pos,
	.show = show_history
};
const struct ctl_cmd ctl_cmd_agenda = {
	.name = "agenda", .usage = "agenda [--days N] [--owner EMAIL] "
	    "[--kind KIND]", .parse = parse_agenda,
	.show = show_agenda, .list_key = "milestones"
};
const struct ctl_cmd ctl_cmd_simulate = {
	.name = "simulate", .usage = "simulate --from DATE --to DATE "
	    "[--close REF --on DATE]",
	.opts = simulate_opts, .show = show_simulate, .list_key = "alerts"
};

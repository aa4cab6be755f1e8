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
milestone_fmt(json_t *m, char *buf, size_t len)
{
	char	days[32];

	if (!json_is_object(m))
		return "";
	snprintf(buf, len, "%s %s (%s)", json_str_or(m, "milestone", "?"),
	    json_str_or(m, "due", "?"),
	    days_fmt(json_object_get(m, "days_left"), days, sizeof(days)));
	return buf;
}

static void
list_row(struct table *t, json_t *c)
{
	char		 next[128];
	const char	*cells[] = {
		json_str(c, "ref"), json_str(c, "kind"),
		json_str(c, "end_date"), json_str(c, "max_end_date"),
		milestone_fmt(json_object_get(c, "next_milestone"), next,
		    sizeof(next)),
		json_str(c, "title")
	};

	table_add(t, cells);
}

static void
show_list(json_t *r)
{
	static const char *const hdr[] = {
		"REF", "KIND", "END", "MAX END", "NEXT MILESTONE", "TITLE"
	};
	json_t	*list = json_object_get(r, "contracts");

	if (json_array_size(list) == 0) {
		printf("no contracts\n");
		return;
	}
	table_list(hdr, nitems(hdr), list, list_row);
	if (json_is_true(json_object_get(r, "more")))
		printf("(more contracts: showing the first %zu)\n",
		    json_array_size(list));
}

static void
milestone_row(struct table *t, json_t *m)
{
	char		 days[32], note[256] = "";
	const char	*cells[] = {
		json_str(m, "milestone"), json_str(m, "due"),
		json_fmt(json_object_get(m, "days_left"), days, sizeof(days)),
		json_is_true(json_object_get(m, "acked")) ? "yes" : "",
		note
	};

	if (json_str(m, "uncovered") != NULL)
		snprintf(note, sizeof(note), "uncovered: %s",
		    json_str(m, "uncovered"));
	table_add(t, cells);
}

static void
show_contract(json_t *r)
{
	static const char *const keys[] = {
		"ref", "title", "kind", "supplier", "owner_name",
		"owner_email", "notify", "start_date", "end_date",
		"max_end_date", "extension_notice_days",
		"procurement_lead_days", "successor_ref", "services", "value",
		"notes", "silenced_until", "lapsed_extension", NULL
	};
	static const char *const hdr[] = {
		"MILESTONE", "DUE", "DAYS LEFT", "ACKED", "NOTE"
	};

	show_fields(r, keys);
	printf("\n");
	table_section("milestones", hdr, nitems(hdr),
	    json_object_get(r, "milestones"), milestone_row);
}

/* The extension's note, after the lapse warning if it needs one. */
static const char *
extension_note(json_t *e, char *buf, size_t len)
{
	const char	*note = json_str_or(e, "note", "");

	if (!json_is_true(json_object_get(e, "lapsed")))
		return note;
	snprintf(buf, len, "RECORDED AFTER THE CONTRACT HAD LAPSED%s%s",
	    *note != '\0' ? "; " : "", note);
	return buf;
}

static void
extension_row(struct table *t, json_t *e)
{
	char		 note[1024];
	const char	*cells[] = {
		json_str(e, "old_end"), json_str(e, "new_end"),
		json_str(e, "decided_on"), json_str(e, "decision_ref"),
		json_str(e, "recorded_at"), json_str(e, "user"),
		extension_note(e, note, sizeof(note))
	};

	table_add(t, cells);
}

static void
alert_row(struct table *t, json_t *a)
{
	char		 off[32], state[64];
	const char	*cells[] = {
		json_str(a, "fire_at"), json_str(a, "milestone"),
		json_str(a, "due"),
		json_fmt(json_object_get(a, "offset_days"), off, sizeof(off)),
		state, json_str(a, "at")
	};

	snprintf(state, sizeof(state), "%s%s", json_str_or(a, "state", ""),
	    json_is_true(json_object_get(a, "late")) ? " (late)" : "");
	table_add(t, cells);
}

static void
ack_row(struct table *t, json_t *a)
{
	const char	*cells[] = {
		json_str(a, "milestone"), json_str(a, "due"), json_str(a, "at"),
		json_str(a, "user"), json_str(a, "note")
	};

	table_add(t, cells);
}

static void
show_history(json_t *r)
{
	static const char *const ext_hdr[] = {
		"OLD END", "NEW END", "DECIDED ON", "DECISION REF",
		"RECORDED AT", "USER", "NOTE"
	};
	static const char *const alert_hdr[] = {
		"FIRE AT", "MILESTONE", "DUE", "OFFSET", "STATE", "AT"
	};
	static const char *const ack_hdr[] = {
		"MILESTONE", "DUE", "AT", "USER", "NOTE"
	};

	printf("history of %s\n\n", json_str_or(r, "ref", "?"));
	table_section("extensions", ext_hdr, nitems(ext_hdr),
	    json_object_get(r, "extensions"), extension_row);
	printf("\n");
	table_section("alerts", alert_hdr, nitems(alert_hdr),
	    json_object_get(r, "alerts"), alert_row);
	printf("\n");
	table_section("acknowledgements", ack_hdr, nitems(ack_hdr),
	    json_object_get(r, "acks"), ack_row);
}

static int
parse_agenda(int argc, char **argv, json_t *args)
{
	static const struct ctl_opt opts[] = {
		{ .name = "days", .key = "days", .type = CTL_ARG_INT,
		    .min = 1, .max = 3650 },
		{ .name = NULL }
	};

	if (ctl_parse_args(argc, argv, NULL, opts, args) == -1)
		return -1;
	if (json_object_get(args, "days") == NULL)
		return json_object_set_new(args, "days", json_integer(90));
	return 0;
}

static void
agenda_row(struct table *t, json_t *m)
{
	char		 days[32], kind[128];
	const char	*cells[] = {
		json_str(m, "due"),
		json_fmt(json_object_get(m, "days_left"), days, sizeof(days)),
		kind, json_str(m, "ref"), json_str(m, "title")
	};

	snprintf(kind, sizeof(kind), "%s%s", json_str_or(m, "milestone", ""),
	    json_is_true(json_object_get(m, "acked")) ? " (acked)" : "");
	table_add(t, cells);
}

static void
show_agenda(json_t *r)
{
	static const char *const hdr[] = {
		"DUE", "DAYS", "MILESTONE", "REF", "TITLE"
	};
	json_t	*list = json_object_get(r, "milestones");

	printf("%smilestones due from %s to %s\n",
	    json_array_size(list) == 0 ? "no " : "",
	    json_str_or(r, "from", "?"), json_str_or(r, "to", "?"));
	table_list(hdr, nitems(hdr), list, agenda_row);
}

static const struct ctl_opt simulate_opts[] = {
	{ .name = "from", .key = "from", .type = CTL_ARG_DATE,
	    .required = 1 },
	{ .name = "to", .key = "to", .type = CTL_ARG_DATE, .required = 1 },
	{ .name = NULL }
};

/* The array's strings joined by ", ". */
static const char *
names_join(json_t *names, char *buf, size_t len)
{
	json_t	*v;
	size_t	 i, n = 0;
	int	 w;

	buf[0] = '\0';
	json_array_foreach(names, i, v) {
		w = snprintf(buf + n, len - n, "%s%s", i > 0 ? ", " : "",
		    json_is_string(v) ? json_string_value(v) : "?");
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

static void
simulate_row(struct table *t, json_t *a)
{
	char		 off[32], channels[512];
	const char	*cells[] = {
		json_str(a, "fire_at"), json_str(a, "contract"),
		json_str(a, "milestone"), json_str(a, "due"),
		json_fmt(json_object_get(a, "offset_days"), off, sizeof(off)),
		names_join(json_object_get(a, "channels"), channels,
		    sizeof(channels))
	};

	table_add(t, cells);
}

static void
show_simulate(json_t *r)
{
	static const char *const hdr[] = {
		"FIRE AT", "CONTRACT", "MILESTONE", "DUE", "OFFSET", "CHANNELS"
	};
	json_t	*list = json_object_get(r, "alerts");

	if (json_array_size(list) == 0)
		printf("no alerts in that period\n");
	table_list(hdr, nitems(hdr), list, simulate_row);
}

const struct ctl_cmd ctl_cmd_list = {
	.name = "list", .usage = "list", .parse = ctl_parse_none,
	.show = show_list, .list_key = "contracts"
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
	.name = "agenda", .usage = "agenda [--days N]", .parse = parse_agenda,
	.show = show_agenda, .list_key = "milestones"
};
const struct ctl_cmd ctl_cmd_simulate = {
	.name = "simulate", .usage = "simulate --from DATE --to DATE",
	.opts = simulate_opts, .show = show_simulate, .list_key = "alerts"
};

/*
 * export: asks for the export a page at a time, each after the last
 * contract of the one before, and writes each page's text to standard
 * output as it comes: the file is never whole in memory, here or in the
 * daemon.  An error on any page ends the export with that error.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_opt export_opts[] = {
	{ .name = "format", .key = "format", .type = CTL_ARG_STR },
	{ .name = "owner", .key = "owner", .type = CTL_ARG_STR },
	{ .name = NULL }
};

static int
parse_export(int argc, char **argv, json_t *args)
{
	const char	*f;

	if (ctl_parse_args(argc, argv, NULL, export_opts, args) == -1)
		return -1;
	f = json_string_value(json_object_get(args, "format"));
	if (f != NULL && strcmp(f, "csv") != 0 && strcmp(f, "ics") != 0)
		return ctl_usage_error("--format: %s: not csv or ics", f);
	return 0;
}

static int
export_run(int fd, json_t *args, json_t **resp)
{
	json_t		*r;
	const char	*text;

	for (;;) {
		if (ctl_call(fd, "export", args, resp) == -1)
			return -1;
		r = json_object_get(*resp, "result");
		if (!json_is_true(json_object_get(*resp, "ok")))
			return 0;
		text = json_string_value(json_object_get(r, "text"));
		if (text != NULL && fwrite(text, 1,
		    json_string_length(json_object_get(r, "text")), stdout) !=
		    json_string_length(json_object_get(r, "text")))
			return 0;	/* ctl_flush says why */
		if (!json_is_true(json_object_get(r, "more")))
			break;
		if (json_object_set(args, "after", json_object_get(r,
		    "after")) == -1)
			return -1;
		json_decref(*resp);
		*resp = NULL;
	}
	/* Written already: nothing is left to print, with --json either. */
	json_object_del(*resp, "result");
	return 0;
}

static void
show_export(json_t *r)
{
	(void)r;
}

const struct ctl_cmd ctl_cmd_export = {
	.name = "export", .usage = "export [--format csv|ics] [--owner EMAIL]",
	.parse = parse_export, .show = show_export, .run = export_run
};

/*
 * Finding things and closing a contract: the paged lists (list, audit)
 * read page by page, the audit trail, and close.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/* The cursor of the last row of the page, or NULL if it has none. */
static json_t *
page_cursor(json_t *list, const char *cursor)
{
	json_t	*last;

	if (json_array_size(list) == 0)
		return NULL;
	last = json_array_get(list, json_array_size(list) - 1);
	return json_object_get(last, cursor);
}

int
ctl_run_pages(const struct ctl_cmd *c, int fd, json_t *args,
    const char *cursor, json_t **resp)
{
	json_t	*r, *result, *next;

	for (;;) {
		if (ctl_call(fd, c->name, args, &r) == -1)
			return -1;
		result = json_object_get(r, "result");
		next = page_cursor(json_object_get(result, c->list_key),
		    cursor);
		if (!json_is_true(json_object_get(r, "ok")) ||
		    !json_is_true(json_object_get(result, "more")) ||
		    next == NULL)
			break;
		json_object_set(args, "after", next);
		ctl_print_result(c, result);
		json_decref(r);
	}
	*resp = r;
	return 0;
}

static int
audit_run(int fd, json_t *args, json_t **resp)
{
	return ctl_run_pages(&ctl_cmd_audit, fd, args, "id", resp);
}

static void
show_audit(json_t *r)
{
	static const struct table_col cols[] = {
		{ .header = "TIME", .key = "at" },
		{ .header = "USER", .key = "user" },
		{ .header = "UID", .key = "uid", .fmt = table_value },
		{ .header = "COMMAND", .key = "command" },
		{ .header = "REF", .key = "ref", .fmt = table_value },
		{ .header = "WHAT", .key = "what" },
		{ .header = NULL }
	};
	json_t	*list = json_object_get(r, "entries");

	if (json_array_size(list) == 0 && ctl_page_index == 0)
		printf("no audit entries\n");
	table_page(cols, list, ctl_page_index == 0);
}

static const struct ctl_opt audit_opts[] = {
	{ .name = "since", .key = "since", .type = CTL_ARG_DATE },
	{ .name = "ref", .key = "ref", .type = CTL_ARG_STR },
	{ .name = NULL }
};

const struct ctl_cmd ctl_cmd_audit = {
	.name = "audit", .usage = "audit [--since DATE] [--ref REF]",
	.opts = audit_opts, .show = show_audit, .list_key = "entries",
	.run = audit_run
};

static void
show_close(json_t *r)
{
	const char	*reason = json_str(r, "reason");

	printf("%s closed on %s (it was to end on %s)%s%s\n",
	    json_str_or(r, "ref", "?"), json_str_or(r, "closed_on", "?"),
	    json_str_or(r, "old_end", "?"), reason ? ": " : "",
	    reason ? reason : "");
}

static const char *const close_pos[] = { "ref", NULL };
static const struct ctl_opt close_opts[] = {
	{ .name = "on", .key = "on", .type = CTL_ARG_DATE, .required = 1 },
	{ .name = "reason", .key = "reason", .type = CTL_ARG_STR },
	{ .name = NULL }
};

const struct ctl_cmd ctl_cmd_close = {
	.name = "close", .usage = "close REF --on DATE [--reason TEXT]",
	.pos = close_pos, .opts = close_opts, .show = show_close
};

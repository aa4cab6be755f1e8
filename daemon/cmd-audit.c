/*
 * audit: the audit trail, every change asked of the daemon with who asked
 * and how it ended.  For administrators: it names users and what they
 * did.  Paged as list is: after (the last id seen), limit, more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contractd.h"
#include "import.h"
#include "store.h"

#define AUDIT_DEFAULT	1000
#define AUDIT_MAX	100000

/*
 * What a row did, in a few words: its arguments but the ref, or why it
 * was refused.
 */
static json_t *
audit_what(json_t *args, json_t *res)
{
	json_t	*err = json_object_get(res, "error"), *o, *w;
	char	*s;

	if (json_is_string(err)) {
		if (asprintf(&s, "refused (%s): %s", json_string_value(err),
		    json_string_value(json_object_get(res, "message")) ?
		    json_string_value(json_object_get(res, "message")) :
		    "") == -1)
			return NULL;
	} else {
		o = json_is_object(args) ? json_copy(args) : json_object();
		json_object_del(o, "ref");
		s = json_object_size(o) > 0 ? json_dumps(o, JSON_COMPACT |
		    JSON_SORT_KEYS) : strdup("");
		json_decref(o);
		if (s == NULL)
			return NULL;
	}
	w = json_string(s);
	free(s);
	return w;
}

static int
audit_one(void *arg, const struct audit_rec *a)
{
	json_t	*args, *res, *o;

	args = a->args ? json_loads(a->args, 0, NULL) : NULL;
	res = a->result ? json_loads(a->result, 0, NULL) : NULL;
	o = json_pack("{s:I, s:o, s:s?, s:I, s:s, s:s?, s:o, s:b, s:O?}",
	    "id", (json_int_t)a->id, "at", cmd_instant(a->at), "user",
	    a->user, "uid", (json_int_t)a->uid, "command", a->cmd, "ref",
	    a->ref, "what", audit_what(args, res), "ok",
	    !json_is_string(json_object_get(res, "error")), "args", args);
	json_decref(args);
	json_decref(res);
	return o == NULL ? -1 : json_array_append_new(arg, o);
}

static int
cmd_audit_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "since", "ref", "after",
	    "limit", NULL };
	const char	*ref = NULL;
	int32_t		 since = DATE_NONE;
	time_t		 t = 0;
	long		 after = 0, limit = AUDIT_DEFAULT;
	json_t		*a;
	int		 n;

	(void)peer;
	r->no_audit = 1;	/* reading it changes nothing */
	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_date(args, "since", 0, &since, r) == -1 ||
	    cmd_arg_str(args, "ref", 0, &ref, r) == -1 ||
	    cmd_arg_int(args, "after", 0, 0, INT32_MAX, &after, r) == -1 ||
	    cmd_arg_int(args, "limit", 0, 1, AUDIT_MAX, &limit, r) == -1)
		return -1;
	if (since != DATE_NONE && date_local_instant(since, 0,
	    daemon_ctx->conf->timezone, &t) == -1)
		return cmd_fail(r, "invalid_argument", "since: no such day in "
		    "the time zone %s", daemon_ctx->conf->timezone);
	a = json_array();
	n = store_audit_each(cmd_store(), t, ref, after, limit + 1, audit_one,
	    a);
	if (n < 0) {
		json_decref(a);
		return cmd_fail(r, "internal", "database error");
	}
	if (n > limit)
		json_array_remove(a, (size_t)limit);
	r->result = json_pack("{s:o, s:b}", "entries", a, "more", n > limit);
	return r->result == NULL ? cmd_fail(r, "internal", "out of memory") :
	    0;
}

const struct cmd cmd_audit_trail = { "audit", 1, cmd_audit_exec, NULL };

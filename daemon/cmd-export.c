/*
 * export: the contracts in the import's CSV format, or their milestones
 * as iCalendar, a page at a time.  A page is at most limit contracts in
 * ref order after "after"; the first (no after) begins with the CSV
 * header or the calendar's head, the last (more is false) ends with the
 * calendar's tail, so that the pages' texts written one after another
 * are the whole file, and neither side holds more than a page.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "commands.h"
#include "contract.h"
#include "contractd.h"
#include "csv.h"
#include "import.h"

#define EXPORT_DEFAULT	500
#define EXPORT_MAX	5000

struct export_ctx {
	struct strbuf	 out;
	int		 ics;
	const char	*owner;		/* only this owner's, or NULL */
	char		 last[CONTRACT_REF_MAX + 1];
	long		 seen;		/* contracts read */
	long		 limit;
	long		 n;		/* written */
	char		*field;		/* CSV_RECORD_MAX + 1 bytes */
};

/* One field, quoted (RFC 4180) when it holds what a plain field cannot. */
static void
csv_field(struct strbuf *b, const char *v)
{
	const char	*p;
	size_t		 n = strlen(v);

	if (strpbrk(v, ",\"\r\n") == NULL && (n == 0 || (v[0] != ' ' &&
	    v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t'))) {
		strbuf_add(b, v, n);
		return;
	}
	strbuf_add(b, "\"", 1);
	while ((p = strchr(v, '"')) != NULL) {
		strbuf_add(b, v, (size_t)(p - v + 1));
		strbuf_add(b, "\"", 1);
		v = p + 1;
	}
	strbuf_puts(b, v);
	strbuf_add(b, "\"", 1);
}

/* The header: every field of the contract record, in its order. */
static void
csv_header(struct strbuf *b)
{
	size_t	i;

	for (i = 0; contract_fields[i] != NULL; i++) {
		if (i > 0)
			strbuf_add(b, ",", 1);
		csv_field(b, contract_fields[i]);
	}
	strbuf_add(b, "\r\n", 2);
}

static int
csv_row(struct export_ctx *x, const struct contract *c)
{
	size_t	i;

	for (i = 0; contract_fields[i] != NULL; i++) {
		if (i > 0)
			strbuf_add(&x->out, ",", 1);
		if (contract_get_field(c, contract_fields[i], x->field,
		    CSV_RECORD_MAX + 1) == -1)
			return -1;
		csv_field(&x->out, x->field);
	}
	strbuf_add(&x->out, "\r\n", 2);
	return 0;
}

static int
export_one(void *arg, struct contract *c, struct contract_state *cs)
{
	struct export_ctx	*x = arg;

	(void)cs;
	if (++x->seen > x->limit)
		return 0;	/* the one past the page: there is more */
	snprintf(x->last, sizeof(x->last), "%s", c->ref);
	if (x->owner != NULL && (c->owner_email == NULL ||
	    strcmp(c->owner_email, x->owner) != 0))
		return 0;
	x->n++;
	if (x->ics)
		return calendar_events(cmd_store(), c, &x->out) < 0 ? -1 : 0;
	return csv_row(x, c);
}

static int
export_args(json_t *args, struct export_ctx *x, const char **after,
    struct cmd_reply *r)
{
	static const char *const names[] = { "format", "owner", "after",
	    "limit", NULL };
	const char	*format = "csv";

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "format", 0, &format, r) == -1 ||
	    cmd_arg_str(args, "owner", 0, &x->owner, r) == -1 ||
	    cmd_arg_str(args, "after", 0, after, r) == -1 ||
	    cmd_arg_int(args, "limit", 0, 1, EXPORT_MAX, &x->limit, r) == -1)
		return -1;
	if (strcmp(format, "ics") == 0)
		x->ics = 1;
	else if (strcmp(format, "csv") != 0)
		return cmd_fail(r, "invalid_argument", "format: %s: not csv "
		    "or ics", format);
	if (x->owner != NULL && *x->owner == '\0')
		return cmd_fail(r, "invalid_argument", "owner: empty: give "
		    "an owner's address");
	return 0;
}

/* The calendar's head on the first page, its tail on the last. */
static void
export_frame(struct export_ctx *x, const char *frame)
{
	if (frame == NULL)
		x->out.failed = 1;
	else
		strbuf_puts(&x->out, frame);
}

static int
cmd_export_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	struct export_ctx	 x;
	const char		*after = "";
	int			 n, more;

	(void)peer;
	memset(&x, 0, sizeof(x));
	x.limit = EXPORT_DEFAULT;
	if (export_args(args, &x, &after, r) == -1)
		return -1;
	if ((x.field = malloc(CSV_RECORD_MAX + 1)) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	snprintf(x.last, sizeof(x.last), "%s", after);
	if (*after == '\0' && x.ics)
		export_frame(&x, calendar_head());
	else if (*after == '\0')
		csv_header(&x.out);
	n = store_contract_each(cmd_store(), after, x.limit + 1, export_one,
	    &x);
	more = n > x.limit;
	if (n >= 0 && !more && x.ics)
		export_frame(&x, calendar_tail());
	free(x.field);
	if (n < 0 || x.out.failed) {
		strbuf_free(&x.out);
		return cmd_fail(r, "internal", n < 0 ? "database error" :
		    "out of memory");
	}
	r->result = json_pack("{s:s%, s:b, s:s, s:i}", "text",
	    x.out.s != NULL ? x.out.s : "", x.out.len, "more", more,
	    "after", x.last, "contracts", (int)x.n);
	strbuf_free(&x.out);
	return r->result != NULL ? 0 : cmd_fail(r, "internal",
	    "out of memory");
}

const struct cmd cmd_export = { "export", 0, cmd_export_exec, NULL };

/*
 * The import's OCDS source and its --update mode.
 *
 * OCDS: every active award of every release is staged by its ref, the
 * row of the latest release kept (store-import.c), and once the file is
 * read the staged rows are stored as a CSV import's are, in the order
 * the awards first came.  What cannot be mapped is skipped and listed.
 *
 * --update: a row whose ref names a contract there before the import
 * replaces the fields its source gives (the CSV header's columns; the
 * fields the OCDS mapping sets), as update does: its future alerts are
 * re-armed and the change goes into its history, naming the file.  A
 * row identical to the contract is left alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "contract-json.h"
#include "contractd.h"
#include "import_int.h"
#include "scheduler.h"
#include "store.h"

int
import_skip(struct import *im, const char *ocid, const char *why)
{
	im->skipped++;
	if (json_array_size(im->skips) >= IMPORT_SKIPS)
		return 0;
	return json_array_append_new(im->skips, json_pack("{s:s, s:s}",
	    "ocid", ocid, "reason", why));
}

int
import_ocds_row(void *arg, const struct ocds_row *row)
{
	struct import		*im = arg;
	struct stage_rec	 s;
	json_t			*o = NULL;
	char			*fields = NULL;
	int			 rc;

	if (row->ref == NULL)
		return import_skip(im, row->ocid, row->reason);
	if (row->c != NULL && ((o = contract_to_json(row->c)) == NULL ||
	    (fields = json_dumps(o, JSON_COMPACT)) == NULL)) {
		json_decref(o);
		return -1;
	}
	json_decref(o);
	s.ref = row->ref;
	s.seq = ++im->seq;
	s.date = row->date;
	s.ocid = row->ocid;
	s.fields = fields;
	s.reason = fields == NULL ? row->reason : NULL;
	rc = store_stage_put(daemon_ctx->store, &s);
	free(fields);
	return rc;
}

/* A staged row's fields (contract_to_json's) back into c. */
static int
stage_fields(const char *text, struct contract *c)
{
	json_t		*o, *v;
	const char	*key, *s;
	char		 num[32], err[CONTRACT_ERRLEN];
	int		 rc = 0;

	if ((o = json_loads(text, 0, NULL)) == NULL)
		return -1;
	json_object_foreach(o, key, v) {
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			s = num;
		} else if ((s = json_string_value(v)) == NULL)
			continue;
		if (contract_set_field(c, key, s, err, sizeof(err)) == -1)
			rc = -1;
	}
	json_decref(o);
	return rc;
}

struct stage_walk {
	struct import		*im;
	struct csv_error	*e;
};

static int
stage_one(void *arg, const struct stage_rec *s)
{
	struct stage_walk	*w = arg;
	struct contract		 c;
	const char		*field;
	char			 err[CONTRACT_ERRLEN];
	int			 rc;

	if (s->fields == NULL)
		return import_skip(w->im, s->ocid, s->reason);
	snprintf(w->im->ocid, sizeof(w->im->ocid), "%s", s->ocid);
	contract_init(&c);
	if (stage_fields(s->fields, &c) == -1 ||
	    contract_check(&c, &field, err, sizeof(err)) == -1) {
		contract_free(&c);
		snprintf(w->e->reason, sizeof(w->e->reason), "its staged "
		    "row cannot be read back");
		w->im->code = "internal";
		return -1;
	}
	rc = import_row(w->im, &c, (size_t)s->seq, w->e);
	contract_free(&c);
	return rc;
}

int
import_ocds_store(struct import *im, struct csv_error *e)
{
	struct stage_walk	 w = { im, e };

	memset(e, 0, sizeof(*e));
	if (store_stage_each(daemon_ctx->store, stage_one, &w) >= 0)
		return 0;
	if (e->reason[0] == '\0') {
		im->code = "internal";
		snprintf(e->reason, sizeof(e->reason), "database error");
	}
	return -1;
}

/* The OCDS mapping's fields: the rest stay as they are on an update. */
static const char *const ocds_given[] = {
	"ref", "title", "kind", "supplier", "owner_name", "owner_email",
	"start_date", "end_date", "max_end_date", "value", "notes", NULL
};

static int
import_gives(const struct import *im, const char *field)
{
	size_t	i;

	if (im->format != IMPORT_OCDS)
		return csv_import_has(im->csv, field);
	for (i = 0; ocds_given[i] != NULL; i++)
		if (strcmp(ocds_given[i], field) == 0)
			return 1;
	return 0;
}

/* A field's text, compared: more than any holds (contract.c, 4096). */
#define IMPORT_FIELD_MAX	8192

/*
 * The fields the source does not give taken from old; the names of the
 * fields that differ then, ", "-separated, into changed ("" for none).
 */
static int
import_merge(const struct import *im, struct contract *c,
    const struct contract *old, struct strbuf *changed)
{
	char		 a[IMPORT_FIELD_MAX], b[IMPORT_FIELD_MAX];
	char		 err[CONTRACT_ERRLEN];
	const char	*f;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; rc == 0 && (f = contract_fields[i]) != NULL; i++) {
		(void)contract_get_field(old, f, a, sizeof(a));
		if (!import_gives(im, f) && contract_set_field(c, f, a, err,
		    sizeof(err)) == -1)
			rc = -1;
		(void)contract_get_field(c, f, b, sizeof(b));
		if (strcmp(a, b) == 0)
			continue;
		if (changed->len > 0)
			strbuf_puts(changed, ", ");
		strbuf_puts(changed, f);
	}
	return rc == 0 && !changed->failed ? 0 : -1;
}

/* The change into history, then the contract and its alerts re-armed. */
static int
import_change(struct import *im, struct contract *c, struct contract *old,
    struct contract_state *cs, const char *changed)
{
	struct store		*st = daemon_ctx->store;
	struct extension_rec	 x;
	char			*note;
	int			 k;

	if (asprintf(&note, "import --update of %s: %s changed", im->file,
	    changed) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.old_end = old->end_date;
	x.new_end = c->end_date;
	x.decided_on = DATE_NONE;
	x.note = note;
	x.recorded_at = im->now;
	x.uid = im->uid;
	x.user = im->user;
	if ((k = scheduler_keep_implied(st, c->ref, im->now)) == 0)
		k = store_extension_add(st, c->ref, &x);
	free(note);
	if (k < 0 || store_contract_update(st, c, im->now) < 0 ||
	    (k = scheduler_evaluate(st, c, cs, im->now, SCHED_CHANGED)) < 0)
		return -1;
	im->fired += k;
	im->updated++;
	return 0;
}

/* A ref twice in the file: the row it came first on (OCDS: none). */
static int
import_dup(struct import *im, struct contract *c, size_t row,
    struct csv_error *e)
{
	char	 why[64];
	int64_t	 first;

	if ((first = store_import_seen(daemon_ctx->store, c->ref,
	    (int64_t)row)) == 0)
		return 0;
	if (first < 0)
		return row_fail(im, "internal", c, row, e, "database error");
	snprintf(why, sizeof(why), "duplicate ref (first on row %lld)",
	    (long long)first);
	return row_fail(im, NULL, c, row, e, im->format == IMPORT_OCDS ?
	    "duplicate ref" : why);
}

int
import_existing(struct import *im, struct contract *c, size_t row,
    struct csv_error *e)
{
	struct contract		 old;
	struct contract_state	 cs;
	struct strbuf		 changed;
	const char		*field = NULL;
	char			 err[CONTRACT_ERRLEN], why[256];
	int64_t			 id;
	int			 rc = -1;

	if (import_dup(im, c, row, e) == -1)
		return -1;
	if ((id = store_import_id_of(daemon_ctx->store, c->ref)) < 1)
		return 1;	/* new */
	contract_init(&old);
	memset(&changed, 0, sizeof(changed));
	if (store_contract_get(daemon_ctx->store, c->ref, &old, &cs) !=
	    STORE_FOUND || import_merge(im, c, &old, &changed) == -1)
		row_fail(im, "internal", c, row, e, "database error");
	else if (contract_check(c, &field, err, sizeof(err)) == -1) {
		snprintf(why, sizeof(why), "with the fields kept, %s: %.200s",
		    field ? field : "contract", err);
		row_fail(im, NULL, c, row, e, why);
	} else if (changed.len == 0) {
		im->unchanged++;
		rc = 0;
	} else if ((rc = import_change(im, c, &old, &cs, changed.s)) == -1)
		row_fail(im, "internal", c, row, e, "database error");
	strbuf_free(&changed);
	contract_free(&old);
	return rc;
}

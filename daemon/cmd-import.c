/*
 * import: contracts from a CSV or an OCDS file, in one transaction, all or
 * nothing.
 *
 * The file is parsed and stored as it comes, a piece at a time on the
 * loop, so memory stays that of one piece and other clients are served
 * between pieces: their reads go to the reader connection, which sees
 * the state before the import; their changes are refused (conflict)
 * until it ends, and the scheduler and the dispatcher wait for it.  One
 * import at a time.  Its rows get consecutive ids, so a duplicate ref
 * names the row it came first on; the contracts whose past alerts the
 * import rule may fire are noted, and fired once every row is stored,
 * since a coverage gap depends on them all.  OCDS releases and import
 * --update's rows go through import-src.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "contractd.h"
#include "csv.h"
#include "import.h"
#include "import_int.h"
#include "scheduler.h"
#include "store.h"
#include "text.h"

#define IMPORT_MAX	(512L * 1024 * 1024)
#define IMPORT_FIRE_BATCH 1000	/* contracts read for firing at a time */
#define IMPORT_SYNC_BYTES (8L * 1024 * 1024)	/* of CSV between syncs */

static struct import	*importing;
static struct event	*checkpoint_ev;

#define IMPORT_CHECKPOINT_SEC	2	/* after the commit, the log copied */

static void
checkpoint_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (importing == NULL)
		(void)store_checkpoint(daemon_ctx->store);
}

/* The log's pages copied into the database a moment after the commit. */
static void
checkpoint_later(void)
{
	struct timeval	tv = { IMPORT_CHECKPOINT_SEC, 0 };

	if (checkpoint_ev == NULL &&
	    (checkpoint_ev = evtimer_new(daemon_ctx->base, checkpoint_cb,
	    NULL)) == NULL) {
		(void)store_checkpoint(daemon_ctx->store);
		return;
	}
	evtimer_add(checkpoint_ev, &tv);
}

void
cmd_import_free(void)
{
	if (checkpoint_ev != NULL)
		event_free(checkpoint_ev);
	checkpoint_ev = NULL;
}

int
cmd_importing(void)
{
	return importing != NULL;
}

struct store *
cmd_store(void)
{
	if (importing != NULL && daemon_ctx->reader != NULL)
		return daemon_ctx->reader;
	return daemon_ctx->store;
}

int
cmd_import_busy(struct cmd_reply *r)
{
	if (importing == NULL)
		return 0;
	return cmd_fail(r, "conflict", "an import by %s is in progress "
	    "(%zu contracts so far): try again once it ends", importing->user,
	    importing->stored);
}

static int
import_error(const struct import *im, const struct csv_error *e,
    struct cmd_reply *r)
{
	const char	*code = im->code ? im->code : "invalid_argument";

	if (im->format == IMPORT_OCDS && e->value[0] != '\0')
		return cmd_fail(r, code, "award %s of %s: %s", e->value,
		    im->ocid, e->reason);
	if (im->format == IMPORT_OCDS)
		return cmd_fail(r, code, "%s", e->reason);
	if (e->column[0] != '\0' && e->value[0] != '\0')
		return cmd_fail(r, code, "row %zu, column %s, value '%s': %s",
		    e->row, e->column, e->value, e->reason);
	if (e->column[0] != '\0')
		return cmd_fail(r, code, "row %zu, column %s: %s", e->row,
		    e->column, e->reason);
	return cmd_fail(r, code, "row %zu: %s", e->row, e->reason);
}

int
row_fail(struct import *im, const char *code, struct contract *c,
    size_t row, struct csv_error *e, const char *reason)
{
	im->code = code;
	e->row = row;
	snprintf(e->column, sizeof(e->column), "ref");
	snprintf(e->value, sizeof(e->value), "%s", c->ref);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	return -1;
}

/* Why ref conflicts: a row of this import, or a contract before it. */
static int
row_conflict(struct import *im, struct contract *c, size_t row,
    struct csv_error *e)
{
	char	 why[64];
	int64_t	 id = store_import_id_of(daemon_ctx->store, c->ref);

	if (id < im->first_id)
		return row_fail(im, "conflict", c, row, e, "a contract with "
		    "this ref exists already (import --update changes it)");
	/* Data rows follow the header without a gap: id first_id is row 2. */
	if (im->format == IMPORT_OCDS)
		snprintf(why, sizeof(why), "duplicate ref");
	else
		snprintf(why, sizeof(why), "duplicate ref (first on row %lld)",
		    (long long)(id - im->first_id + 2));
	return row_fail(im, NULL, c, row, e, why);
}

/* One row: stored with its schedule, noted for the import rule. */
int
import_row(void *arg, struct contract *c, size_t row, struct csv_error *e)
{
	struct import		*im = arg;
	struct store		*st = daemon_ctx->store;
	struct contract_state	 cs;
	int			 due, rc;

	if (im->update && (rc = import_existing(im, c, row, e)) != 1)
		return rc;
	memset(&cs, 0, sizeof(cs));
	if ((due = scheduler_plan(c, im->now, &cs)) < 0)
		return row_fail(im, "internal", c, row, e, "its schedule "
		    "cannot be worked out");
	rc = store_contract_insert(st, c, &cs, im->now);
	if (rc == STORE_CONFLICT)
		return row_conflict(im, c, row, e);
	if (rc == 0 && due)
		rc = store_import_due_add(st, store_import_last_id(st));
	if (rc < 0)
		return row_fail(im, "internal", c, row, e, "database error");
	im->stored++;
	return 0;
}

/* A batch of the contracts noted due, copied out of the query. */
struct fire_batch {
	struct contract	*v;
	size_t		 n;
};

static int
fire_collect(void *arg, struct contract *c, struct contract_state *cs)
{
	struct fire_batch	*b = arg;

	(void)cs;
	return contract_copy(&b->v[b->n++], c);
}

/* Fires what the import rule fires of the rows noted due. */
static int
import_fire(struct import *im)
{
	struct store		*st = daemon_ctx->store;
	struct fire_batch	 b = { NULL, 0 };
	int64_t			 after = 0;
	size_t			 i, got;
	int			 k, rc = 0;

	if ((b.v = calloc(IMPORT_FIRE_BATCH, sizeof(*b.v))) == NULL)
		return -1;
	do {
		if (store_import_due(st, &after, IMPORT_FIRE_BATCH,
		    fire_collect, &b) < 0)
			rc = -1;
		got = b.n;
		for (i = 0; rc == 0 && i < b.n; i++) {
			if ((k = scheduler_new(st, &b.v[i], im->now)) < 0)
				rc = -1;
			else
				im->fired += k;
		}
		while (b.n > 0)
			contract_free(&b.v[--b.n]);
	} while (rc == 0 && got == IMPORT_FIRE_BATCH);
	free(b.v);
	return rc;
}

static void
import_end(struct import **up)
{
	struct import	*im = *up;

	if (im == NULL)
		return;
	if (store_in_txn(daemon_ctx->store))
		store_rollback_bulk(daemon_ctx->store);
	csv_import_free(im->csv);
	ocds_reader_free(im->ocds);
	json_decref(im->skips);
	free(im);
	*up = NULL;
	importing = NULL;
	/* What waited for the writer goes on. */
	scheduler_poke();
}

void
import_abort(struct import **up)
{
	if (*up != NULL)
		log_info("%s: the import by %s was cut short: nothing of it "
		    "stays", __func__, (*up)->user);
	import_end(up);
}

/* A flag: true, false or absent. */
static int
import_flag(json_t *args, const char *name, int *flag, struct cmd_reply *r)
{
	json_t	*v = json_object_get(args, name);

	if (v != NULL && !json_is_boolean(v))
		return cmd_fail(r, "invalid_argument", "%s: true or false",
		    name);
	*flag = json_is_true(v);
	return 0;
}

/* The options of args: format, update, strict and the file's name. */
static int
import_opts(json_t *args, struct import *o, struct cmd_reply *r)
{
	const char	*fmt = NULL, *file = NULL;

	if (cmd_arg_str(args, "format", 0, &fmt, r) == -1 ||
	    cmd_arg_str(args, "file", 0, &file, r) == -1)
		return -1;
	if (fmt == NULL || strcmp(fmt, "auto") == 0)
		o->format = IMPORT_AUTO;
	else if (strcmp(fmt, "csv") == 0)
		o->format = IMPORT_CSV;
	else if (strcmp(fmt, "ocds") == 0)
		o->format = IMPORT_OCDS;
	else
		return cmd_fail(r, "invalid_argument", "format: csv or ocds, "
		    "not %s", fmt);
	if (import_flag(args, "update", &o->update, r) == -1 ||
	    import_flag(args, "strict", &o->strict, r) == -1)
		return -1;
	if (file == NULL || *file == '\0')
		file = "an upload";
	text_excerpt(file, strlen(file), o->file, sizeof(o->file));
	return 0;
}

static int
import_start(struct peer *peer, struct import **up, json_t *args,
    struct cmd_reply *r)
{
	struct import	*im;

	if (cmd_import_busy(r) == -1)
		return -1;
	if ((im = calloc(1, sizeof(*im))) == NULL)
		return cmd_fail(r, "internal", "out of memory");
	if (import_opts(args, im, r) == -1) {
		free(im);
		return -1;
	}
	if ((im->csv = csv_import_new(import_row, im)) == NULL ||
	    (im->ocds = ocds_reader_new(import_ocds_row, im)) == NULL ||
	    (im->skips = json_array()) == NULL) {
		*up = im;
		import_end(up);
		return cmd_fail(r, "internal", "out of memory");
	}
	im->now = time(NULL);
	im->t0 = log_clock_ms();
	im->uid = (long)peer->uid;
	snprintf(im->user, sizeof(im->user), "%s", peer->user);
	*up = importing = im;
	if (store_begin_bulk(daemon_ctx->store) == -1 ||
	    store_import_begin(daemon_ctx->store) != 0 ||
	    store_stage_begin(daemon_ctx->store) != 0 ||
	    (im->first_id = store_import_next_id(daemon_ctx->store)) < 1) {
		import_end(up);
		return cmd_fail(r, "internal", "database error");
	}
	return 0;
}

#define IMPORT_WARNINGS	10	/* listed; the rest are counted */

static int
import_dangling(void *arg, const char *ref, const char *successor)
{
	json_t	*a = arg;

	if (json_array_size(a) < IMPORT_WARNINGS)
		json_array_append_new(a, cmd_successor_warning(ref,
		    successor));
	return 0;
}

/* The import's contracts that name a successor not there: warnings. */
static json_t *
import_warnings(const struct import *im)
{
	json_t	*a = json_array();
	char	 more[128];
	int	 n;

	n = store_import_dangling(daemon_ctx->store, im->first_id,
	    import_dangling, a);
	if (n > IMPORT_WARNINGS) {
		snprintf(more, sizeof(more), "%d more contracts name a "
		    "successor that is not a contract yet",
		    n - IMPORT_WARNINGS);
		json_array_append_new(a, json_string(more));
	}
	return a;
}

/* --strict: a skipped release refuses the file, the first named. */
static int
import_strict(const struct import *im, struct cmd_reply *r)
{
	json_t	*first = json_array_get(im->skips, 0);

	return cmd_fail(r, "invalid_argument", "%zu release%s cannot be "
	    "imported (%s: %s%s), and --strict refuses the file: nothing was "
	    "imported", im->skipped, im->skipped == 1 ? "" : "s",
	    json_string_value(json_object_get(first, "ocid")),
	    json_string_value(json_object_get(first, "reason")),
	    im->skipped > 1 ? "; the others are listed without --strict" :
	    "");
}

static json_t *
import_answer(struct import *im, json_t *warnings)
{
	json_t	*a;

	a = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:i, s:o}", "imported",
	    (json_int_t)im->stored, "added", (json_int_t)im->stored,
	    "updated", (json_int_t)im->updated, "unchanged",
	    (json_int_t)im->unchanged, "skipped_count",
	    (json_int_t)im->skipped, "skipped", im->skips, "fired", im->fired,
	    "warnings", warnings);
	im->skips = NULL;
	return a;
}

/* After the last row: the import rule's alerts, the commit, the answer. */
static int
import_finish(struct import **up, struct cmd_reply *r)
{
	struct import	*im = *up;
	double		 t0 = log_clock_ms();
	json_t		*warnings = NULL;

	if (im->strict && im->skipped > 0) {
		import_strict(im, r);
		import_end(up);
		return -1;
	}
	if (import_fire(im) == -1 || (warnings = import_warnings(im)) ==
	    NULL || store_commit_bulk(daemon_ctx->store) == -1) {
		json_decref(warnings);
		import_end(up);
		return cmd_fail(r, "internal", "database error");
	}
	checkpoint_later();
	log_info("%s: %zu contracts imported by %s, %d alerts fired "
	    "(stored in %.0f ms, the alerts and commit %.0f ms); of %s, %zu "
	    "updated, %zu unchanged, %zu skipped", __func__, im->stored,
	    im->user, im->fired, log_clock_ms() - im->t0, log_clock_ms() - t0,
	    im->file, im->updated, im->unchanged, im->skipped);
	r->result = import_answer(im, warnings);
	import_end(up);
	return r->result == NULL ? cmd_fail(r, "internal", "out of memory") :
	    0;
}

/* An upload of format auto is OCDS if its first byte (after blanks and
 * a byte order mark) is '{'. */
static void
import_detect(struct import *im, const char *p, size_t n)
{
	size_t	i = 0;

	if (im->format != IMPORT_AUTO)
		return;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && strchr(" \t\r\n", p[i]) != NULL)
		i++;
	/* Decided by the first piece, so that what was fed stays counted. */
	if (n > 0)
		im->format = i < n && p[i] == '{' ? IMPORT_OCDS : IMPORT_CSV;
}

static size_t
import_fed(const struct import *im)
{
	return im->format == IMPORT_OCDS ? ocds_fed(im->ocds) :
	    csv_import_fed(im->csv);
}

/* A piece of the text to its reader; the OCDS staged rows at the end. */
static int
import_text(struct import *im, const char *p, size_t n, int last,
    struct csv_error *e)
{
	import_detect(im, p, n);
	if (im->format != IMPORT_OCDS)
		return csv_import_feed(im->csv, p, n, last, e);
	memset(e, 0, sizeof(*e));
	if (ocds_feed(im->ocds, p, n, last, e->reason, sizeof(e->reason)) ==
	    -1)
		return -1;
	return last ? import_ocds_store(im, e) : 0;
}

/* Feeds a piece; -1 (the import dropped) if the text is refused. */
static int
import_feed(struct import **up, const char *p, size_t n, int last,
    struct cmd_reply *r)
{
	struct csv_error	 e;

	if (import_text(*up, p, n, last, &e) == -1) {
		import_error(*up, &e, r);
		import_end(up);
		return -1;
	}
	if (last)
		return import_finish(up, r);
	if (import_fed(*up) - (*up)->synced >= IMPORT_SYNC_BYTES) {
		(*up)->synced = import_fed(*up);
		if (store_sync_log(daemon_ctx->store) == -1)
			log_warn("%s: the log's sync", __func__);
	}
	return 0;
}

/*
 * A chunk may say where in the upload it goes ("offset"): after a chunk
 * was refused, and the upload dropped, the chunks a client had sent ahead
 * are refused too instead of starting a shorter file.
 */
static int
import_offset(json_t *args, size_t have, struct cmd_reply *r)
{
	long	off;

	if (json_object_get(args, "offset") == NULL)
		return 0;
	if (cmd_arg_int(args, "offset", 0, 0, IMPORT_MAX, &off, r) == -1)
		return -1;
	if ((size_t)off != have)
		return cmd_fail(r, "invalid_argument", "a chunk at offset %ld, "
		    "but the upload has %zu bytes", off, have);
	return 0;
}

/* {"csv": TEXT, "more": BOOL}: the file in chunks of request lines. */
static int
import_chunk(struct peer *peer, struct import **up, json_t *args,
    struct cmd_reply *r)
{
	static const char *const names[] = { "csv", "more", "offset",
	    "format", "update", "strict", "file", NULL };
	const char	*csv;
	size_t		 have, len;
	int		 more;

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_str(args, "csv", 1, &csv, r) == -1)
		return -1;
	have = *up != NULL ? import_fed(*up) : 0;
	len = json_string_length(json_object_get(args, "csv"));
	more = json_is_true(json_object_get(args, "more"));
	if (import_offset(args, have, r) == -1 ||
	    (have + len > IMPORT_MAX && cmd_fail(r, "too_large", "an import "
	    "is at most %ld bytes", IMPORT_MAX) == -1)) {
		import_end(up);		/* nothing of the upload stays */
		return -1;
	}
	if (*up == NULL && import_start(peer, up, args, r) == -1)
		return -1;
	if (import_feed(up, csv, len, !more, r) == -1)
		return -1;
	if (more) {
		r->no_audit = 1;
		r->result = json_pack("{s:I}", "received",
		    (json_int_t)import_fed(*up));
	}
	return 0;
}

/*
 * The CSV text as the request's data ({"bytes": N}, then N bytes),
 * parsed and stored as it comes.  A refused row ends the import; the
 * rest of the data is dropped.
 */
static int
import_body(struct peer *peer, const char *p, size_t n, int last,
    struct cmd_reply *r)
{
	struct import	**up = control_upload(peer->conn);

	if (*up == NULL)
		return 1;	/* refused already: the answer went out */
	if (import_feed(up, p, n, last, r) == -1 || last)
		return 1;
	return 0;
}

/* {"bytes": N}: the file follows the request line. */
static int
import_bytes(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	static const char *const names[] = { "bytes", "format", "update",
	    "strict", "file", NULL };
	struct import	**up = control_upload(peer->conn);
	long		  n;

	if (cmd_arg_only(args, names, r) == -1 ||
	    cmd_arg_int(args, "bytes", 1, 0, LONG_MAX, &n, r) == -1)
		return -1;
	if (n > IMPORT_MAX)
		return cmd_fail(r, "too_large", "an import is at most %ld "
		    "bytes", IMPORT_MAX);
	if (*up != NULL)
		return cmd_fail(r, "conflict", "an upload in chunks is in "
		    "progress on this connection");
	if (import_start(peer, up, args, r) == -1)
		return -1;
	if (n == 0)
		return import_feed(up, "", 0, 1, r);
	r->body = (size_t)n;
	return 0;
}

/*
 * import: the CSV text either follows the request line as its data
 * ("bytes"), or comes in chunks ("csv", "more": true), since a request
 * line is at most 64 KiB; either way it is parsed as it comes, and the
 * whole file is imported in one transaction.
 */
static int
cmd_import_exec(struct peer *peer, json_t *args, struct cmd_reply *r)
{
	if (json_object_get(args, "bytes") != NULL)
		return import_bytes(peer, args, r);
	return import_chunk(peer, control_upload(peer->conn), args, r);
}

const struct cmd cmd_import = { "import", 1, cmd_import_exec, import_body };

/*
 * Unit tests of the import's worker threads (daemon/csv.c, csv-work.c):
 * whatever the threads, the batch size and the pieces the text comes in,
 * an import gives what the calling thread alone gives, the same contracts
 * or the same first error.  Generated files with every kind of record and
 * error the format has; batches of a few bytes, so that small files cross
 * many batch boundaries.
 */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "csv.h"
#include "dates.h"
#include "text.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED	1
#endif
#endif

#define NFILES		160	/* generated files */
#define PIECE_RANDOM	0	/* pieces of 1 to 3000 bytes */

/* A growing text. */
/* How an import runs: threads, batch size, CSV_MAX_ROWS, pieces. */
struct run {
	size_t	 workers;
	size_t	 batch;
	size_t	 max_rows;
	size_t	 piece;		/* bytes, or PIECE_RANDOM */
};

/* What an import gave; again: the error of a piece fed after one. */
struct result {
	int			 rv;
	struct csv_error	 e;
	struct csv_error	 again;
	struct contract		*v;
	size_t			 n;
};

static uint64_t	 rng_state;
/*
 * Threads pthread_create starts for each import, then fails (-1: no
 * limit), to see an import go on with fewer.  Not under sanitizers:
 * their own pthread_create must run.
 */
static int	 threads_each = -1;
static int	 threads_left = -1;

/* splitmix64 */
static uint64_t
rng(void)
{
	uint64_t	 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* 0 to n - 1. */
static size_t
pick(size_t n)
{
	return ((size_t)(rng() % n));
}

/* True one time in n. */
static int
chance(size_t n)
{
	return (n > 0 && pick(n) == 0);
}

/* Text of a test: an allocation that fails fails the test. */
static void
text_add(struct strbuf *t, const char *s, size_t n)
{
	strbuf_add(t, s, n);
	assert_false(t->failed);
}

static void
text_puts(struct strbuf *t, const char *s)
{
	text_add(t, s, strlen(s));
}

#define text_printf(t, ...) do {					\
	strbuf_printf((t), __VA_ARGS__);				\
	assert_false((t)->failed);					\
} while (0)

/* A field, quoted when it must be and now and then when it need not. */
static void
put_field(struct strbuf *t, const char *s)
{
	const char	*p;

	if (strpbrk(s, ",\"\r\n") == NULL && !chance(4)) {
		text_puts(t, s);
		return;
	}
	text_puts(t, "\"");
	for (p = s; *p != '\0'; p++) {
		text_add(t, p, 1);
		if (*p == '"')
			text_add(t, p, 1);
	}
	text_puts(t, "\"");
}

/*
 * The columns a generated file may have, the required ones first, and
 * one that is unknown.
 */
static const char *const gen_cols[] = {
	"ref", "title", "end_date", "start_date", "max_end_date", "kind",
	"notes", "services", "value", "owner_email",
	"extension_notice_days", "bogus",
};
#define NGEN	(sizeof(gen_cols) / sizeof(gen_cols[0]))

/* How often each kind of trouble is put into a row: one row in rate. */
struct gen {
	const char	*cols[NGEN];
	size_t		 ncols;
	size_t		 rows;
	size_t		 rate;		/* 0: none */
	const char	*eol;		/* "\n", "\r\n", or NULL: mixed */
};

static const char *
gen_eol(const struct gen *g)
{
	if (g->eol != NULL)
		return (g->eol);
	return (chance(2) ? "\n" : "\r\n");
}

static void
gen_header(struct gen *g, struct strbuf *t)
{
	const char	*tmp;
	size_t		 i, j;

	g->ncols = 3;
	for (i = 0; i < NGEN; i++)
		g->cols[i] = gen_cols[i];
	for (i = 3; i < NGEN - 1; i++) {
		if (chance(2))
			g->cols[g->ncols++] = gen_cols[i];
	}
	if (chance(40))
		g->cols[g->ncols++] = "bogus";
	if (chance(60))
		g->cols[g->ncols++] = "title";		/* a duplicate */
	for (i = g->ncols - 1; i > 0; i--) {
		j = pick(i + 1);
		tmp = g->cols[i];
		g->cols[i] = g->cols[j];
		g->cols[j] = tmp;
	}
	if (chance(3))
		text_puts(t, "\xef\xbb\xbf");
	for (i = 0; i < g->ncols; i++) {
		if (i > 0)
			text_puts(t, ",");
		put_field(t, g->cols[i]);
	}
	text_puts(t, gen_eol(g));
}

/*
 * A title or notes: commas, quotes, a BOM, a tab; line breaks (which the
 * record refuses, though the reader takes them) if bad.
 */
static void
gen_text(char *buf, size_t size, size_t row, int bad)
{
	static const char *const bits[] = {
		"Care", " home", ", north", " \"big\"", "\t", "\xe2\x80\x93",
		"\xef\xbb\xbf", " x", "\"", "\n", "\r\n",
	};
	size_t	 k, n = 1 + pick(5);

	snprintf(buf, size, "%s%zu", chance(8) ? "\xef\xbb\xbf" : "T", row);
	for (k = 0; k < n; k++)
		strncat(buf, bits[pick(sizeof(bits) / sizeof(bits[0]) -
		    (bad ? 0 : 2))], size - strlen(buf) - 1);
}

/* The value of column col on data row row; trouble one time in rate. */
static void
gen_value(const struct gen *g, const char *col, size_t row, char *buf,
    size_t size)
{
	int	 bad = chance(g->rate * 4);
	size_t	 back;

	buf[0] = '\0';
	if (strcmp(col, "ref") == 0) {
		if (chance(g->rate * 3) && row > 2) {
			/* The ref of a row just before, or far before. */
			back = row - 2 < 5 || chance(2) ? row - 2 : 5;
			snprintf(buf, size, "R%zu", row - 1 - pick(back));
		} else if (bad)
			snprintf(buf, size, "bad ref %zu", row);
		else if (!chance(g->rate * 10))
			snprintf(buf, size, "R%zu", row);
	} else if (strcmp(col, "title") == 0) {
		if (!bad || chance(2))
			gen_text(buf, size, row, bad);
		else
			snprintf(buf, size, "ctl\x01%zu", row);
	} else if (strcmp(col, "end_date") == 0)
		snprintf(buf, size, bad ? "2025-02-%02zu" : "2026-%02zu-28",
		    bad ? 29 + pick(3) : 1 + row % 12);
	else if (strcmp(col, "start_date") == 0) {
		if (!chance(3))
			snprintf(buf, size, "20%02zu-01-01",
			    bad ? 27 : 20 + pick(5));
	} else if (strcmp(col, "max_end_date") == 0) {
		if (chance(2))
			snprintf(buf, size, bad ? "2025-01-01" : "2027-12-31");
	} else if (strcmp(col, "kind") == 0)
		snprintf(buf, size, "%s", bad ? "lease" :
		    contract_kind_name((enum contract_kind)pick(4)));
	else if (strcmp(col, "notes") == 0) {
		if (chance(2))
			gen_text(buf, size, row, bad);
	} else if (strcmp(col, "services") == 0)
		snprintf(buf, size, bad ? "a b" : "day:LD; home:adults");
	else if (strcmp(col, "value") == 0)
		snprintf(buf, size, bad ? "1.234" : "%zu.50", row * 1000);
	else if (strcmp(col, "owner_email") == 0)
		snprintf(buf, size, bad ? "nobody" : "o%zu@x.example", row);
	else if (strcmp(col, "extension_notice_days") == 0)
		snprintf(buf, size, "%zu", bad ? 9999 : row % 400);
}

/* Trouble that is about the record, not a value. */
static int
gen_odd_record(const struct gen *g, struct strbuf *t, size_t row)
{
	size_t	 i;

	if (!chance(g->rate * 8))
		return (0);
	switch (pick(6)) {
	case 0:		/* blank, in the middle */
		for (i = 1; i < g->ncols; i++)
			text_puts(t, ",");
		break;
	case 1:		/* a field short */
		text_printf(t, "R%zu,x", row);
		break;
	case 2:
		text_add(t, "a\0b,", 4);
		break;
	case 3:
		text_printf(t, "\"R%zu\"x,", row);
		break;
	case 4:
		text_printf(t, "R%zu,a\"b", row);
		break;
	default:	/* a quote never closed */
		text_puts(t, "\"never closed,\n");
		break;
	}
	text_puts(t, gen_eol(g));
	return (1);
}

static void
gen_row(const struct gen *g, struct strbuf *t, size_t row)
{
	char	 buf[256];
	size_t	 i;

	if (gen_odd_record(g, t, row))
		return;
	for (i = 0; i < g->ncols; i++) {
		if (i > 0)
			text_puts(t, ",");
		gen_value(g, g->cols[i], row, buf, sizeof(buf));
		put_field(t, buf);
	}
}

/* The end: blank rows, the last line break or not, a lone CR. */
static void
gen_end(const struct gen *g, struct strbuf *t)
{
	size_t	 i, n = pick(4);

	for (i = 0; i < n; i++) {
		text_puts(t, gen_eol(g));
		if (chance(2))
			text_puts(t, ",,");
	}
	switch (pick(6)) {
	case 0:
		break;
	case 1:
		text_puts(t, "\r");
		break;
	case 2:
		if (g->rate > 0)
			text_puts(t, "R1,\"open");
		break;
	default:
		text_puts(t, gen_eol(g));
		break;
	}
}

/* Generated file number k, with its run's CSV_MAX_ROWS in *max_rows. */
static void
gen_file(size_t k, struct strbuf *t, size_t *max_rows)
{
	static const size_t	 rates[] = { 0, 0, 2000, 300, 80, 20 };
	struct gen		 g;
	size_t			 row;

	memset(&g, 0, sizeof(g));
	rng_state = k;
	rng_state = rng();
	t->len = 0;
	g.rows = chance(5) ? 800 + pick(1500) : pick(250);
	g.rate = rates[pick(sizeof(rates) / sizeof(rates[0]))];
	g.eol = chance(3) ? NULL : chance(2) ? "\n" : "\r\n";
	*max_rows = chance(6) ? 1 + pick(g.rows + 2) : CSV_MAX_ROWS;
	if (chance(50)) {
		text_puts(t, chance(2) ? "" : "\n\n");
		return;
	}
	gen_header(&g, t);
	for (row = 2; row < g.rows + 2; row++) {
		if (row > 2)
			text_puts(t, gen_eol(&g));
		gen_row(&g, t, row);
	}
	gen_end(&g, t);
}

/* The size of the next piece. */
static size_t
piece(const struct run *r, size_t left)
{
	size_t	 n = r->piece == PIECE_RANDOM ? 1 + pick(3000) : r->piece;

	return (n < left ? n : left);
}

static void
result_free(struct result *res)
{
	csv_contracts_free(res->v, res->n);
	memset(res, 0, sizeof(*res));
}

static void
import_run(const struct strbuf *t, const struct run *r, struct result *res)
{
	struct csv_import	*im;
	size_t			 off = 0, n;

	memset(res, 0, sizeof(*res));
	threads_left = threads_each;
	assert_non_null(im = csv_import_new());
	csv_import_tune(im, r->workers, r->batch, r->max_rows);
	do {
		n = piece(r, t->len - off);
		res->rv = csv_import_feed(im, t->s + off, n,
		    off + n == t->len, &res->e);
		off += n;
	} while (res->rv == 0 && off < t->len);
	if (res->rv == 0)
		res->v = csv_import_take(im, &res->n);
	else
		assert_int_equal(csv_import_feed(im, "x", 1, 1, &res->again),
		    -1);
	csv_import_free(im);
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Every member of the record. */
static int
contract_same(const struct contract *a, const struct contract *b)
{
	return (strcmp(a->ref, b->ref) == 0 && str_same(a->title, b->title) &&
	    a->kind == b->kind && str_same(a->supplier, b->supplier) &&
	    str_same(a->owner_name, b->owner_name) &&
	    str_same(a->owner_email, b->owner_email) &&
	    str_same(a->notify, b->notify) &&
	    a->start_date == b->start_date && a->end_date == b->end_date &&
	    a->max_end_date == b->max_end_date &&
	    a->extension_notice_days == b->extension_notice_days &&
	    a->procurement_lead_days == b->procurement_lead_days &&
	    str_same(a->successor_ref, b->successor_ref) &&
	    str_same(a->services, b->services) &&
	    str_same(a->value, b->value) && str_same(a->notes, b->notes));
}

static int
error_same(const struct csv_error *a, const struct csv_error *b)
{
	return (a->row == b->row && strcmp(a->column, b->column) == 0 &&
	    strcmp(a->value, b->value) == 0 &&
	    strcmp(a->reason, b->reason) == 0);
}

static void
result_print(const char *what, const struct result *res)
{
	if (res->rv == 0)
		print_message("%s: %zu contracts\n", what, res->n);
	else
		print_message("%s: row %zu [%s] [%s] %s; then row %zu %s\n",
		    what, res->e.row, res->e.column, res->e.value,
		    res->e.reason, res->again.row, res->again.reason);
}

/* Where a and b differ first: "" if they do not. */
static const char *
result_diff(const struct result *a, const struct result *b, size_t *at)
{
	size_t	 i;

	if (a->rv != b->rv)
		return ("outcome");
	if (a->rv == -1)
		return (error_same(&a->e, &b->e) &&
		    error_same(&a->again, &b->again) ? "" : "error");
	if (a->n != b->n)
		return ("count");
	for (i = 0; i < a->n; i++) {
		if (!contract_same(&a->v[i], &b->v[i])) {
			*at = i;
			return ("contract");
		}
	}
	return ("");
}

static void
assert_same(const char *name, size_t k, const struct run *r,
    const struct result *want, const struct result *got)
{
	const char	*d;
	size_t		 at = 0;

	if (*(d = result_diff(want, got, &at)) == '\0')
		return;
	print_message("%s %zu: workers %zu, batch %zu, max_rows %zu, "
	    "piece %zu: %s differs (contract %zu)\n", name, k, r->workers,
	    r->batch, r->max_rows, r->piece, d, at);
	result_print("alone", want);
	result_print("threads", got);
	fail();
}

/* The calling thread alone, the whole text at once. */
static void
oracle(const struct strbuf *t, size_t max_rows, struct result *res)
{
	struct run	 r = { 0, 0, max_rows, 0 };

	r.piece = t->len > 0 ? t->len : 1;
	import_run(t, &r, res);
}

/* t imported in each of the ways that are to give the same result. */
static void
compare_runs(const char *name, size_t k, const struct strbuf *t,
    size_t max_rows, int bytewise)
{
	static const size_t	 batches[] = { 1, 13, 64, 200, 777, 4096 };
	static const size_t	 pieces[] = { 0, 7, 65536, PIECE_RANDOM, 1 };
	struct result		 want, got;
	struct run		 r;
	size_t			 i;

	oracle(t, max_rows, &want);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		if (pieces[i] == 1 && !bytewise)
			continue;
		r.workers = 1 + pick(3);
		r.batch = batches[pick(sizeof(batches) / sizeof(batches[0]))];
		r.max_rows = max_rows;
		r.piece = pieces[i] == 0 ? (t->len > 0 ? t->len : 1) :
		    pieces[i];
		import_run(t, &r, &got);
		assert_same(name, k, &r, &want, &got);
		result_free(&got);
	}
	/* The calling thread alone, in pieces, as well. */
	r.workers = 0;
	r.piece = 7;
	import_run(t, &r, &got);
	assert_same(name, k, &r, &want, &got);
	result_free(&got);
	result_free(&want);
}

static void
test_generated(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };
	size_t		 k, max_rows, failed = 0;
	struct result	 res;

	(void)state;
	for (k = 0; k < NFILES; k++) {
		gen_file(k, &t, &max_rows);
		compare_runs("file", k, &t, max_rows, k % 16 == 0 &&
		    t.len < 40000);
		oracle(&t, max_rows, &res);
		failed += res.rv == -1;
		result_free(&res);
	}
	/* The files are not all refused, nor all taken. */
	assert_true(failed > NFILES / 5 && failed < NFILES * 4 / 5);
	free(t.s);
}

/* rows data rows R2.. with fields of the same length; bad rows on top. */
static void
gen_plain(struct strbuf *t, size_t rows)
{
	size_t	 row;

	t->len = 0;
	text_puts(t, "ref,title,end_date\n");
	for (row = 2; row < rows + 2; row++)
		text_printf(t, "R%05zu,Title %05zu,2026-01-31\n", row, row);
}

/* Replaces the 6 bytes of the ref or title of row row. */
static void
patch(struct strbuf *t, size_t row, int title, const char *with)
{
	char	 key[32], *p;

	snprintf(key, sizeof(key), title ? "Title %05zu" : "R%05zu,", row);
	assert_non_null(p = strstr(t->s, key));
	memcpy(p + (title ? 6 : 1), with, 5);
}

/* The first error with threads, with the calling thread alone the same. */
static void
first_error(const struct strbuf *t, size_t batch, size_t max_rows,
    size_t row, const char *column, const char *value, const char *reason)
{
	struct run	 r = { 2, batch, max_rows, 0 };
	struct result	 want, got;
	size_t		 i;
	static const size_t	 pieces[] = { 0, 7, 4096 };

	oracle(t, max_rows, &want);
	assert_int_equal(want.rv, -1);
	assert_int_equal(want.e.row, row);
	assert_string_equal(want.e.column, column);
	assert_string_equal(want.e.value, value);
	assert_string_equal(want.e.reason, reason);
	/* Batches queued when the error is found here, few or many. */
	for (i = 0; i < 2 * sizeof(pieces) / sizeof(pieces[0]); i++) {
		r.batch = i % 2 ? 4096 : batch;
		r.piece = pieces[i / 2] == 0 ? t->len : pieces[i / 2];
		import_run(t, &r, &got);
		assert_same("first_error", row, &r, &want, &got);
		result_free(&got);
	}
	result_free(&want);
}

/*
 * A duplicate and a bad value in different batches: the earlier row wins
 * whichever it is, and batch boundaries on either side of each.  A row's
 * fields are 34 bytes here, so a batch of 68 holds two rows.
 */
static void
test_duplicate_and_field_order(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };
	size_t		 b, d;

	(void)state;
	for (b = 34; b <= 34 * 3; b += 17) {
		for (d = 298; d <= 302; d++) {
			gen_plain(&t, 600);
			patch(&t, d, 0, "00100");	/* the ref of row 100 */
			patch(&t, 500, 1, "x\001xxx");
			first_error(&t, b, CSV_MAX_ROWS, d, "ref", "R00100",
			    "duplicate ref (first on row 100)");
			gen_plain(&t, 600);
			patch(&t, 500, 0, "00100");
			patch(&t, d, 1, "x\001xxx");
			first_error(&t, b, CSV_MAX_ROWS, d, "title",
			    "Title x?xxx", "control character 0x01 at byte 8");
		}
	}
	free(t.s);
}

/* An error of the reader (and others found on the calling thread) later
 * than a bad value in a batch: the bad value. */
static void
test_reader_error_after_field(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };

	(void)state;
	gen_plain(&t, 300);
	patch(&t, 10, 1, "x\001xxx");
	text_puts(&t, "R9,\"never closed\n");
	first_error(&t, 64, CSV_MAX_ROWS, 10, "title", "Title x?xxx",
	    "control character 0x01 at byte 8");
	gen_plain(&t, 300);
	text_puts(&t, "R9,\"never closed\n");
	first_error(&t, 64, CSV_MAX_ROWS, 302, "title", "",
	    "unterminated quoted field");
	/* A blank row, rows after it, and a bad value before or after. */
	gen_plain(&t, 300);
	patch(&t, 200, 1, "x\001xxx");
	text_puts(&t, "\nR9,T,2026-01-01\n");
	first_error(&t, 64, CSV_MAX_ROWS, 200, "title", "Title x?xxx",
	    "control character 0x01 at byte 8");
	gen_plain(&t, 300);
	text_puts(&t, "\n,,\nR9,T,2026-01-01\nR10,T,2026-02-30\n");
	first_error(&t, 64, CSV_MAX_ROWS, 302, "", "",
	    "blank row (only the last rows may be blank)");
	/* Blank rows at the end only: no error. */
	gen_plain(&t, 300);
	text_puts(&t, "\n,,\r\n");
	compare_runs("blank end", 0, &t, CSV_MAX_ROWS, 0);
	free(t.s);
}

/* CSV_MAX_ROWS against a bad value before it, or after it. */
static void
test_max_rows(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };

	(void)state;
	gen_plain(&t, 200);
	first_error(&t, 40, 150, 152, "", "",
	    "too many rows (at most 150 contracts)");
	patch(&t, 140, 0, "00002");
	first_error(&t, 40, 150, 140, "ref", "R00002",
	    "duplicate ref (first on row 2)");
	gen_plain(&t, 200);
	patch(&t, 160, 0, "00002");
	first_error(&t, 40, 150, 152, "", "",
	    "too many rows (at most 150 contracts)");
	free(t.s);
}

/*
 * A record longer than CSV_RECORD_MAX, refused while it comes in, after
 * batches with a bad value: the bad value.
 */
static void
test_record_too_long(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };
	struct run	 r = { 2, 64, CSV_MAX_ROWS, 65536 };
	struct result	 res;
	size_t		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		gen_plain(&t, 3000);
		if (i == 0)
			patch(&t, 2999, 1, "x\001xxx");
		text_puts(&t, "R1,\"");
		while (t.len < 140000 + CSV_RECORD_MAX)
			text_puts(&t, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		import_run(&t, &r, &res);
		assert_int_equal(res.rv, -1);
		assert_int_equal(res.e.row, i == 0 ? 2999 : 3002);
		assert_string_equal(res.e.reason, i == 0 ?
		    "control character 0x01 at byte 8" :
		    "a record longer than 1048576 bytes");
		result_free(&res);
	}
	free(t.s);
}

/*
 * The default set-up, threads from the second MiB: csv_contracts, and an
 * import in pieces, as the calling thread alone.
 */
static void
test_defaults(void **state)
{
	struct strbuf	 t = { NULL, 0, 0, 0 };
	struct result	 want, got;
	struct contract	*v;
	size_t		 n, i;

	(void)state;
	gen_plain(&t, 50000);
	patch(&t, 45000, 1, "2\"bad");
	oracle(&t, CSV_MAX_ROWS, &want);
	assert_int_equal(csv_contracts(t.s, t.len, &v, &n, &got.e), -1);
	assert_null(v);
	assert_true(error_same(&want.e, &got.e));
	assert_int_equal(got.e.row, 45000);
	result_free(&want);

	gen_plain(&t, 50000);
	oracle(&t, CSV_MAX_ROWS, &want);
	assert_int_equal(want.n, 50000);
	assert_int_equal(csv_contracts(t.s, t.len, &v, &n, NULL), 0);
	assert_int_equal(n, want.n);
	for (i = 0; i < n; i++)
		assert_true(contract_same(&v[i], &want.v[i]));
	/* The first MiB's own strings; the workers' borrowed from the text. */
	assert_int_equal(v[0].borrowed, 0);
	assert_int_equal(v[n - 1].borrowed, 1);
	csv_contracts_free(v, n);
	result_free(&want);
	free(t.s);
}

/*
 * Freed in the middle, with batches queued and running, or after an
 * error: the threads stop and nothing leaks (valgrind and ASan tell).
 */
static void
test_free_midway(void **state)
{
	struct strbuf		 t = { NULL, 0, 0, 0 };
	struct csv_import	*im;
	struct csv_error	 ce;
	size_t			 cut;

	(void)state;
	gen_plain(&t, 20000);
	for (cut = 1000; cut < t.len; cut += t.len / 3) {
		assert_non_null(im = csv_import_new());
		csv_import_tune(im, 2, 500, CSV_MAX_ROWS);
		assert_int_equal(csv_import_feed(im, t.s, cut, 0, &ce), 0);
		csv_import_free(im);
	}
	patch(&t, 15000, 1, "x\001xxx");
	assert_non_null(im = csv_import_new());
	csv_import_tune(im, 2, 500, CSV_MAX_ROWS);
	assert_int_equal(csv_import_feed(im, t.s, t.len / 2, 0, &ce), 0);
	assert_int_equal(csv_import_feed(im, t.s + t.len / 2,
	    t.len - t.len / 2, 0, &ce), -1);
	assert_int_equal(ce.row, 15000);
	csv_import_free(im);
	csv_import_free(csv_import_new());
	free(t.s);
}

#ifndef SANITIZED
int
pthread_create(pthread_t *th, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	int	(*real)(pthread_t *, const pthread_attr_t *,
		    void *(*)(void *), void *);

	if (threads_left == 0)
		return (EAGAIN);
	if (threads_left > 0)
		threads_left--;
	*(void **)&real = dlsym(RTLD_NEXT, "pthread_create");
	assert_non_null(real);
	return (real(th, attr, fn, arg));
}
#endif

/* No thread, or one of two, starts: the same import all the same. */
static void
test_threads_fail(void **state)
{
#ifdef SANITIZED
	(void)state;
	skip();
#else
	struct strbuf	 t = { NULL, 0, 0, 0 };
	size_t		 k, max_rows;

	(void)state;
	for (threads_each = 0; threads_each < 2; threads_each++) {
		for (k = 0; k < 20; k++) {
			gen_file(k, &t, &max_rows);
			compare_runs("threads fail", k, &t, max_rows, 0);
		}
	}
	threads_each = -1;
	free(t.s);
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_duplicate_and_field_order),
		cmocka_unit_test(test_reader_error_after_field),
		cmocka_unit_test(test_max_rows),
		cmocka_unit_test(test_record_too_long),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_free_midway),
		cmocka_unit_test(test_threads_fail),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

/*
 * CSV reading and the contract import (DESIGN sections 5 and 11).
 *
 * One pass over the text: each record's fields are unquoted into one
 * reused buffer, then turned into a contract that is handed to the
 * caller at once, so memory stays that of one record however many rows
 * the import has.  Duplicate refs are the caller's to find (the daemon's
 * store does, csv_contracts here).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "csv.h"
#include "text.h"

#define REC_MORE	0	/* a ',' ended the field */
#define REC_END		1	/* a line break or the end of the text did */
#define NCOLS_MAX	32	/* more than there are contract fields */

/*
 * An import in progress: blank is the first blank row seen, 0 if none;
 * rows counts the data rows read.
 */
struct csv_import {
	struct csv_reader	 rd;
	const char		*cols[NCOLS_MAX]; /* into contract_fields */
	size_t			 ncols;		/* 0 until the header is read */
	csv_row_fn		 fn;
	void			*arg;
	size_t			 blank;
	size_t			 rows;
	int			 bom;		/* the start was looked at */
	int			 failed;
	size_t			 fed;		/* bytes fed */
	char			*pend;		/* a record cut short */
	size_t			 plen;
	size_t			 psize;
};

/* v as it may go into an error, which travels in JSON. */
static void
show(const char *v, char *out, size_t outlen)
{
	text_excerpt(v, strlen(v), out, outlen);
}

static int __attribute__((format(printf, 5, 6)))
csv_fail(struct csv_error *e, size_t row, const char *column,
    const char *value, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return (-1);
	e->row = row;
	show(column, e->column, sizeof(e->column));
	show(value, e->value, sizeof(e->value));
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * p grown (doubling from 64) to hold at least need elements of elem
 * bytes: p itself if it is big enough, NULL (p untouched) if memory is
 * short or that many bytes cannot be counted.
 */
static void *
grow(void *p, size_t *size, size_t need, size_t elem)
{
	size_t	 n = *size > 0 ? *size : 64;

	while (n < need) {
		if (n > SIZE_MAX / 4 / elem)
			return (NULL);
		n *= 2;
	}
	if (n == *size)
		return (p);
	if ((p = realloc(p, n * elem)) != NULL)
		*size = n;
	return (p);
}

/*
 * Points r at more text, keeping its record count and buffers: for text
 * that comes in pieces.
 */
static void
csv_reader_more(struct csv_reader *r, const char *text, size_t len)
{
	static const char	 empty[] = "";

	r->p = len > 0 ? text : empty;
	r->end = r->p + len;
	r->at_end = 0;
}

void
csv_reader_init(struct csv_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	csv_reader_more(r, text, len);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

void
csv_reader_free(struct csv_reader *r)
{
	free(r->buf);
	free(r->off);
	memset(r, 0, sizeof(*r));
}

const char *
csv_reader_field(const struct csv_reader *r, size_t i)
{
	return (r->buf + r->off[i]);
}

static int
put(struct csv_reader *r, const char *s, size_t n)
{
	char	*buf;

	if ((buf = grow(r->buf, &r->bufsize, r->buflen + n, 1)) == NULL)
		return (-1);
	r->buf = buf;
	memcpy(r->buf + r->buflen, s, n);
	r->buflen += n;
	return (0);
}

static int
oom(struct csv_reader *r, struct csv_error *e)
{
	return (csv_fail(e, r->row, "", "", "out of memory"));
}

/* Length of the line break at p: 1 for LF, 2 for CRLF, 0 if none. */
static size_t
eol(const struct csv_reader *r, const char *p)
{
	if (p == r->end)
		return (0);
	if (*p == '\n')
		return (1);
	if (*p == '\r' && p + 1 < r->end && p[1] == '\n')
		return (2);
	return (0);
}

/* Consumes what ends a field: REC_MORE, REC_END, or -1 for anything else. */
static int
field_end(struct csv_reader *r)
{
	size_t	 n;

	if (r->p == r->end) {
		r->at_end = 1;
		return (REC_END);
	}
	if (*r->p == ',') {
		r->p++;
		return (REC_MORE);
	}
	if ((n = eol(r, r->p)) > 0) {
		r->p += n;
		return (REC_END);
	}
	if (*r->p == '\r' && r->p + 1 == r->end)
		r->at_end = 1;		/* a CRLF may be cut */
	return (-1);
}

/* The bytes that may end an unquoted field, a CR only before a LF. */
static const unsigned char plain_stop[256] = {
	[','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, ['\0'] = 1
};

static int
read_plain(struct csv_reader *r, struct csv_error *e)
{
	const char	*q;

	for (q = r->p; q < r->end; q++) {
		if (plain_stop[(unsigned char)*q] && (*q != '\r' ||
		    eol(r, q) > 0))
			break;
	}
	if (put(r, r->p, (size_t)(q - r->p)) == -1)
		return (oom(r, e));
	r->p = q;
	if (q < r->end && *q == '"')
		return (csv_fail(e, r->row, "", "", "quote in an unquoted "
		    "field"));
	if (q < r->end && *q == '\0')
		return (csv_fail(e, r->row, "", "", "NUL byte in a field"));
	return (field_end(r));
}

static int
read_quoted(struct csv_reader *r, struct csv_error *e)
{
	const char	*q;
	int		 rv;

	for (r->p++;; r->p = q + 2) {
		if ((q = memchr(r->p, '"', (size_t)(r->end - r->p))) == NULL) {
			r->at_end = 1;
			return (csv_fail(e, r->row, "", "", "unterminated "
			    "quoted field"));
		}
		if (memchr(r->p, '\0', (size_t)(q - r->p)) != NULL)
			return (csv_fail(e, r->row, "", "", "NUL byte in a "
			    "field"));
		if (r->end - q < 2 || q[1] != '"')
			break;
		/* "" stands for one quote: keep the first. */
		if (put(r, r->p, (size_t)(q + 1 - r->p)) == -1)
			return (oom(r, e));
	}
	if (put(r, r->p, (size_t)(q - r->p)) == -1)
		return (oom(r, e));
	r->p = q + 1;
	if ((rv = field_end(r)) == -1)
		return (csv_fail(e, r->row, "", "", "text after a closing "
		    "quote"));
	return (rv);
}

static int
field_open(struct csv_reader *r)
{
	size_t	*off;

	off = grow(r->off, &r->offsize, r->nfields + 1, sizeof(*r->off));
	if (off == NULL)
		return (-1);
	r->off = off;
	r->off[r->nfields] = r->buflen;
	return (0);
}

int
csv_reader_next(struct csv_reader *r, struct csv_error *e)
{
	int	 rv;

	r->at_end = 0;
	if (r->p == r->end) {
		r->at_end = 1;
		return (0);
	}
	r->row++;
	r->nfields = 0;
	r->buflen = 0;
	do {
		if (field_open(r) == -1)
			return (oom(r, e));
		if (r->p < r->end && *r->p == '"')
			rv = read_quoted(r, e);
		else
			rv = read_plain(r, e);
		if (rv == -1)
			return (-1);
		if (put(r, "", 1) == -1)
			return (oom(r, e));
		r->nfields++;
	} while (rv == REC_MORE);
	return (1);
}

static int
record_blank(const struct csv_reader *r)
{
	size_t	 i;

	for (i = 0; i < r->nfields; i++) {
		if (*csv_reader_field(r, i) != '\0')
			return (0);
	}
	return (1);
}

static const char *
known_name(const char *name)
{
	size_t	 i;

	for (i = 0; contract_fields[i] != NULL; i++) {
		if (strcmp(contract_fields[i], name) == 0)
			return (contract_fields[i]);
	}
	return (NULL);
}

/* Column i of the header: a known field, not named before. */
static int
header_col(struct csv_import *im, size_t i, struct csv_error *e)
{
	const char	*name = csv_reader_field(&im->rd, i);
	char		 s[sizeof(e->column)];
	size_t		 j;

	if (*name == '\0')
		return (csv_fail(e, 1, "", "", "empty column name in column "
		    "%zu", i + 1));
	/* Past NCOLS_MAX some name is unknown or repeated: say which. */
	show(name, s, sizeof(s));
	if (i == NCOLS_MAX || (im->cols[i] = known_name(name)) == NULL)
		return (csv_fail(e, 1, name, "", "unknown column: %s", s));
	for (j = 0; j < i; j++) {
		if (im->cols[j] == im->cols[i])
			return (csv_fail(e, 1, name, "", "duplicate column: "
			    "%s", s));
	}
	return (0);
}

static int
header_required(struct csv_import *im, struct csv_error *e)
{
	static const char *const required[] = { "ref", "title", "end_date" };
	size_t			 i, j;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		for (j = 0; j < im->ncols; j++) {
			if (strcmp(im->cols[j], required[i]) == 0)
				break;
		}
		if (j == im->ncols)
			return (csv_fail(e, 1, required[i], "", "missing "
			    "column: %s", required[i]));
	}
	return (0);
}

/* The record just read, as the header row. */
static int
import_header(struct csv_import *im, struct csv_error *e)
{
	size_t	 i;

	if (record_blank(&im->rd))
		return (csv_fail(e, 1, "", "", "no header row"));
	for (i = 0; i < im->rd.nfields; i++) {
		if (header_col(im, i, e) == -1)
			return (-1);
	}
	im->ncols = im->rd.nfields;
	return (header_required(im, e));
}

/*
 * A field's reason ends with the value it refuses ("not a date: 1/5/21");
 * the error names the value already, so that ending goes.  An excerpt
 * of a long value, or one item of a list, stays.
 */
static void
reason_trim(char *err, const char *v)
{
	size_t	 n = strlen(err), k = strlen(v);

	if (n >= k + 2 && strcmp(err + n - k, v) == 0 &&
	    memcmp(err + n - k - 2, ": ", 2) == 0)
		err[n - k - 2] = '\0';
}

/* The fields of the data row just read, set in c. */
static int
row_fields(const struct csv_import *im, struct contract *c,
    struct csv_error *e)
{
	char		 err[CONTRACT_ERRLEN];
	const char	*v;
	size_t		 i;

	for (i = 0; i < im->ncols; i++) {
		v = csv_reader_field(&im->rd, i);
		if (*v == '\0')
			continue;
		if (contract_set_field(c, im->cols[i], v, err,
		    sizeof(err)) == -1) {
			reason_trim(err, v);
			return (csv_fail(e, im->rd.row, im->cols[i], v, "%s",
			    err));
		}
	}
	return (0);
}

static int
row_check(size_t row, struct contract *c, struct csv_error *e)
{
	char		 err[CONTRACT_ERRLEN], val[sizeof(e->value)] = "";
	const char	*field;

	if (contract_check(c, &field, err, sizeof(err)) == 0)
		return (0);
	if (field == NULL)
		field = "";
	contract_get_field(c, field, val, sizeof(val));
	reason_trim(err, val);
	return (csv_fail(e, row, field, val, "%s", err));
}

/* Checks the shape of the data row just read, and counts it. */
static int
row_begin(struct csv_import *im, struct csv_error *e)
{
	struct csv_reader	*rd = &im->rd;

	if (im->blank != 0)
		return (csv_fail(e, im->blank, "", "", "blank row (only the "
		    "last rows may be blank)"));
	if (rd->nfields != im->ncols)
		return (csv_fail(e, rd->row, "", "", "expected %zu fields, "
		    "found %zu", im->ncols, rd->nfields));
	if (im->rows == CSV_MAX_ROWS)
		return (csv_fail(e, rd->row, "", "", "too many rows (at most "
		    "%zu contracts)", (size_t)CSV_MAX_ROWS));
	im->rows++;
	return (0);
}

/*
 * The data row just read, as a contract handed to the caller once each
 * field is set and the whole checked.
 */
static int
import_row(struct csv_import *im, struct csv_error *e)
{
	struct contract	 c;
	int		 rv;

	if (record_blank(&im->rd)) {
		if (im->blank == 0)
			im->blank = im->rd.row;
		return (0);
	}
	if (row_begin(im, e) == -1)
		return (-1);
	contract_init(&c);
	if (row_fields(im, &c, e) == -1 || row_check(im->rd.row, &c, e) == -1)
		rv = -1;
	else
		rv = im->fn(im->arg, &c, im->rd.row, e);
	contract_free(&c);
	return (rv);
}

/*
 * Reads the records of the text the reader points at.  Unless last, a
 * record that looked at the end of the text is left for the next piece:
 * the reader is put back at its start.
 */
static int
import_records(struct csv_import *im, int last, struct csv_error *e)
{
	struct csv_reader	*rd = &im->rd;
	const char		*p;
	size_t			 row;
	int			 rv;

	for (;;) {
		p = rd->p;
		row = rd->row;
		rv = csv_reader_next(rd, e);
		if (rd->at_end && !last) {
			rd->p = p;
			rd->row = row;
			memset(e, 0, sizeof(*e));
			return (0);
		}
		if (rv == 0)
			return (0);
		if (rv == -1) {
			if (rd->nfields < im->ncols)
				snprintf(e->column, sizeof(e->column), "%s",
				    im->cols[rd->nfields]);
			return (-1);
		}
		if ((im->ncols > 0 ? import_row(im, e) :
		    import_header(im, e)) == -1)
			return (-1);
	}
}

/* Keeps what the reader left, the start of a record cut short. */
static int
import_keep(struct csv_import *im)
{
	size_t	 n = (size_t)(im->rd.end - im->rd.p);
	char	*p;

	if (im->rd.p != im->pend && n > 0) {
		if ((p = grow(im->pend, &im->psize, n, 1)) == NULL)
			return (-1);
		im->pend = p;
		memmove(im->pend, im->rd.p, n);
	}
	im->plen = n;
	return (0);
}

/* The text to read: the piece itself, or the record cut short and it. */
static int
import_text(struct csv_import *im, const char *text, size_t len,
    const char **p, size_t *n)
{
	char	*buf;

	if (im->plen == 0) {
		*p = text;
		*n = len;
		return (0);
	}
	if ((buf = grow(im->pend, &im->psize, im->plen + len, 1)) == NULL)
		return (-1);
	im->pend = buf;
	if (len > 0)
		memcpy(im->pend + im->plen, text, len);
	im->plen += len;
	*p = im->pend;
	*n = im->plen;
	return (0);
}

static int
import_feed(struct csv_import *im, const char *text, size_t len, int last,
    struct csv_error *e)
{
	const char	*p;
	size_t		 n;

	if (import_text(im, text, len, &p, &n) == -1)
		return (oom(&im->rd, e));
	im->fed += len;
	if (!im->bom) {
		/* A UTF-8 byte order mark may start the text. */
		if (n < 3 && !last) {
			csv_reader_more(&im->rd, p, n);
			return (import_keep(im) == -1 ? oom(&im->rd, e) : 0);
		}
		if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			n -= 3;
		}
		im->bom = 1;
	}
	csv_reader_more(&im->rd, p, n);
	if (import_records(im, last, e) == -1)
		return (-1);
	if (import_keep(im) == -1)
		return (oom(&im->rd, e));
	if (im->plen > CSV_RECORD_MAX)
		return (csv_fail(e, im->rd.row + 1, "", "", "a record longer "
		    "than %d bytes", CSV_RECORD_MAX));
	if (last && im->ncols == 0)
		return (csv_fail(e, 1, "", "", "no header row"));
	return (0);
}

struct csv_import *
csv_import_new(csv_row_fn fn, void *arg)
{
	struct csv_import	*im;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return (NULL);
	csv_reader_init(&im->rd, NULL, 0);
	im->fn = fn;
	im->arg = arg;
	return (im);
}

int
csv_import_feed(struct csv_import *im, const char *text, size_t len,
    int last, struct csv_error *e)
{
	struct csv_error	 scratch;

	if (e == NULL)
		e = &scratch;
	memset(e, 0, sizeof(*e));
	if (im->failed)
		return (csv_fail(e, im->rd.row, "", "", "the import was "
		    "refused already"));
	if (import_feed(im, text, len, last, e) == -1) {
		im->failed = 1;
		return (-1);
	}
	return (0);
}

size_t
csv_import_fed(const struct csv_import *im)
{
	return (im->fed);
}

int
csv_import_has(const struct csv_import *im, const char *field)
{
	size_t	i;

	for (i = 0; i < im->ncols; i++)
		if (strcmp(im->cols[i], field) == 0)
			return (1);
	return (0);
}

void
csv_import_free(struct csv_import *im)
{
	if (im == NULL)
		return;
	csv_reader_free(&im->rd);
	free(im->pend);
	free(im);
}

/*
 * The contracts of csv_contracts in file order.  Data rows follow the
 * header without a gap (a blank row is only allowed at the end), so v[i]
 * is on row i + 2.
 */
struct collect {
	struct contract	*v;
	size_t		 n;
	size_t		 size;
};

static int
collect_row(void *arg, struct contract *c, size_t row, struct csv_error *e)
{
	struct collect	*cl = arg;
	struct contract	*v;

	if ((v = grow(cl->v, &cl->size, cl->n + 1, sizeof(*v))) == NULL)
		return (csv_fail(e, row, "", "", "out of memory"));
	cl->v = v;
	v[cl->n++] = *c;		/* its strings move to v */
	contract_init(c);
	return (0);
}

/* By ref, then by place in the file. */
static int
ref_cmp(const void *a, const void *b)
{
	const struct contract	*x = *(const struct contract *const *)a;
	const struct contract	*y = *(const struct contract *const *)b;
	int			 rc;

	if ((rc = strcmp(x->ref, y->ref)) != 0)
		return (rc);
	return (x < y ? -1 : x > y);
}

/*
 * The duplicate ref on the earliest row, if any: -1 with e.  Sorted, the
 * second of each run of a ref is its earliest duplicate, after the first.
 */
static int
collect_dups(const struct collect *cl, struct csv_error *e)
{
	const struct contract	**ix, *dup = NULL, *first = NULL;
	size_t			  i;

	if (cl->n < 2)
		return (0);
	if ((ix = calloc(cl->n, sizeof(*ix))) == NULL)
		return (csv_fail(e, 0, "", "", "out of memory"));
	for (i = 0; i < cl->n; i++)
		ix[i] = &cl->v[i];
	qsort(ix, cl->n, sizeof(*ix), ref_cmp);
	for (i = 1; i < cl->n; i++)
		if (strcmp(ix[i]->ref, ix[i - 1]->ref) == 0 &&
		    (dup == NULL || ix[i] < dup)) {
			dup = ix[i];
			first = ix[i - 1];
		}
	free(ix);
	if (dup == NULL)
		return (0);
	return (csv_fail(e, (size_t)(dup - cl->v) + 2, "ref", dup->ref,
	    "duplicate ref (first on row %zu)", (size_t)(first - cl->v) + 2));
}

int
csv_contracts(const char *text, size_t len, struct contract **out,
    size_t *n, struct csv_error *e)
{
	struct csv_import	*im;
	struct collect		 cl = { NULL, 0, 0 };
	int			 rv;

	/* e may be NULL: csv_import_feed and csv_fail take care of it. */
	*out = NULL;
	*n = 0;
	if ((im = csv_import_new(collect_row, &cl)) == NULL)
		return (csv_fail(e, 0, "", "", "out of memory"));
	rv = csv_import_feed(im, text, len, 1, e);
	csv_import_free(im);
	if (rv == 0)
		rv = collect_dups(&cl, e);
	if (rv == -1 || cl.n == 0) {
		csv_contracts_free(cl.v, cl.n);
		return (rv);
	}
	*out = cl.v;
	*n = cl.n;
	return (0);
}

void
csv_contracts_free(struct contract *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		contract_free(&v[i]);
	free(v);
}

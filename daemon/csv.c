/*
 * CSV reading and the contract import (DESIGN sections 5 and 11).
 *
 * One pass over the text: each record's fields are unquoted into one
 * reused buffer, and duplicate refs are found with a hash set, so the cost
 * stays linear in the input however many rows it has.
 *
 * Turning fields into contracts costs most of an import, so past its first
 * BATCH_SIZE bytes that part runs on worker threads.  The calling thread
 * still reads every record, and decides all that depends on the records
 * around it (the header, blank rows, the number of fields and of rows);
 * it copies each data record's fields into a batch, the workers convert
 * batches into the contracts' places in v, and the calling thread takes
 * them in row order, finding duplicate refs as it goes.  An error it
 * finds itself is on a row after every row queued, so it first takes
 * those: the first error in the file wins, as if one thread had read it
 * all.
 *
 * The batches' fields are kept, in blocks of huge pages (huge.h), and the
 * contracts the workers make borrow their strings from them (contract.h)
 * rather than copying each: the blocks go with v, in a head ahead of
 * v[0], which is in huge pages too once large.  Memory that one thread
 * fills and others read costs a trap to the host per 4 KiB page on the
 * virtual machines this runs on, and a string apiece cost more in malloc
 * than in its conversion.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "csv.h"
#include "csv-work.h"
#include "huge.h"
#include "text.h"

#define REC_MORE	0	/* a ',' ended the field */
#define REC_END		1	/* a line break or the end of the text did */
#define NCOLS_MAX	32	/* more than there are contract fields */
#define IMPORT_WORKERS	2	/* threads converting rows */
#define BATCH_SIZE	(1024 * 1024)	/* bytes of fields in a batch */
#define BATCHES_MAX	4	/* batches queued for each thread, at most */
#define TEXT_BLOCK	(8 * 1024 * 1024)	/* bytes of fields a block */

/*
 * Built for AddressSanitizer, each batch's fields are a block of their
 * own from malloc, so that a read past them is seen.
 */
#ifdef __SANITIZE_ADDRESS__
#define TEXT_EXACT	1
#else
#define TEXT_EXACT	0
#endif

/*
 * A slot of the set of refs: the index + 1 into v of a contract (0: a free
 * slot) and its ref's hash, kept so that probing seldom reads v.
 */
struct slot {
	uint32_t	 idx;
	uint32_t	 hash;
};

/* The header row: cols point into contract_fields. */
struct csv_header {
	const char	*cols[NCOLS_MAX];
	size_t		 ncols;
};

/*
 * Data records for a worker, rows first to first + nrec - 1 (data rows
 * are never blank, so no row is left out): each record's ncols fields,
 * NUL-terminated, one after the other, in a text block.  The worker
 * converts them into v[0..n), which is where they go in the import's v;
 * failed: row first + n was refused, with e.  The contracts in v[0..n)
 * are the batch's until merged.
 */
struct batch {
	struct work_job		 job;		/* first: batch_of casts */
	size_t			 first;
	size_t			 nrec;
	char			*fields;
	size_t			 len;
	size_t			 size;
	struct contract		*v;
	size_t			 n;
	int			 failed;
	struct csv_error	 e;
};

/* A block of the batches' fields: mem[0..used) given out. */
struct text {
	struct text	*next;
	char		*mem;
	size_t		 size;
	size_t		 used;
};

/*
 * Ahead of v[0]: the text blocks its contracts' strings point into, and
 * the bytes of its mapping (0: v is from malloc).
 */
struct vhead {
	struct text	*text;
	size_t		 mapped;
};

/*
 * An import in progress.  set has a power of two of slots; blank is the
 * first blank row seen, 0 if none.  rows counts the data rows read, n
 * those converted and merged into v.
 */
struct csv_import {
	struct csv_reader	 rd;
	struct csv_header	 hdr;
	struct contract		*v;
	size_t			 n;
	size_t			 size;
	struct slot		*set;
	size_t			 setsize;
	size_t			 blank;
	size_t			 rows;
	size_t			 max_rows;
	int			 header;	/* the header row was read */
	int			 bom;		/* the start was looked at */
	int			 failed;
	size_t			 fed;		/* bytes fed */
	char			*pend;		/* a record cut short */
	size_t			 plen;
	size_t			 psize;
	size_t			 nworkers;	/* threads to start, 0: none */
	size_t			 batchsize;
	size_t			 seen;		/* bytes of data fields read */
	struct work		*work;		/* the threads, once started */
	struct batch		*cur;		/* the batch being filled */
	struct text		*text;		/* the batches' fields */
	size_t			 nbatches;	/* queued, not merged yet */
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
 * How many elements of elem bytes an array of size grows to, doubling
 * from 64, to hold need; 0 if that many bytes cannot be counted.
 */
static size_t
grown(size_t size, size_t need, size_t elem)
{
	size_t	 n = size > 0 ? size : 64;

	while (n < need) {
		if (n > SIZE_MAX / 4 / elem)
			return (0);
		n *= 2;
	}
	return (n);
}

/*
 * p grown (doubling) to hold at least need elements of elem bytes: p
 * itself if it is big enough, NULL (p untouched) if memory is short.
 */
static void *
grow(void *p, size_t *size, size_t need, size_t elem)
{
	size_t	 n;

	if ((n = grown(*size, need, elem)) == 0)
		return (NULL);
	if (n == *size)
		return (p);
	if ((p = realloc(p, n * elem)) != NULL)
		*size = n;
	return (p);
}

void
csv_reader_init(struct csv_reader *r, const char *text, size_t len)
{
	static const char	 empty[] = "";

	memset(r, 0, sizeof(*r));
	if (text == NULL || len == 0) {
		r->p = r->end = empty;
		return;
	}
	r->p = text;
	r->end = text + len;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		r->p += 3;
}

void
csv_reader_more(struct csv_reader *r, const char *text, size_t len)
{
	static const char	 empty[] = "";

	r->p = len > 0 ? text : empty;
	r->end = r->p + len;
	r->at_end = 0;
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
	if (i == NCOLS_MAX || (im->hdr.cols[i] = known_name(name)) == NULL)
		return (csv_fail(e, 1, name, "", "unknown column: %s", s));
	for (j = 0; j < i; j++) {
		if (im->hdr.cols[j] == im->hdr.cols[i])
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
		for (j = 0; j < im->hdr.ncols; j++) {
			if (strcmp(im->hdr.cols[j], required[i]) == 0)
				break;
		}
		if (j == im->hdr.ncols)
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
	im->hdr.ncols = im->rd.nfields;
	im->header = 1;
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

/* f: the record's fields, hdr->ncols of them. */
static int
row_fields(const struct csv_header *hdr, const char *const *f, size_t row,
    struct contract *c, struct csv_error *e)
{
	char		 err[CONTRACT_ERRLEN];
	size_t		 i;

	for (i = 0; i < hdr->ncols; i++) {
		if (*f[i] == '\0')
			continue;
		if (contract_set_field(c, hdr->cols[i], f[i], err,
		    sizeof(err)) == -1) {
			reason_trim(err, f[i]);
			return (csv_fail(e, row, hdr->cols[i], f[i], "%s",
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

/*
 * The contract of data row row, fields f: each field set, then the whole
 * checked; on failure c is left empty.  borrow: its strings are f's.
 * Runs on the workers too: it reads only its arguments (and constant
 * tables), and what it calls keeps no state (contract_set_field,
 * contract_check, the date parsing and formatting of dates.c that they
 * use, text_excerpt, snprintf).
 */
static int
row_convert(const struct csv_header *hdr, const char *const *f, size_t row,
    int borrow, struct contract *c, struct csv_error *e)
{
	contract_init(c);
	c->borrowed = borrow;
	if (row_fields(hdr, f, row, c, e) == -1 || row_check(row, c, e) == -1) {
		contract_free(c);
		return (-1);
	}
	return (0);
}

static uint32_t
ref_hash(const char *s)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h);
}

/* The slot of ref in set: the one holding it, or the free one for it. */
static size_t
set_slot(const struct slot *set, size_t size, const struct contract *v,
    const char *ref, uint32_t hash)
{
	size_t	 i;

	for (i = hash & (size - 1); set[i].idx != 0; i = (i + 1) & (size - 1)) {
		if (set[i].hash == hash && strcmp(v[set[i].idx - 1].ref,
		    ref) == 0)
			break;
	}
	return (i);
}

/* Keeps the set at most half full, so probe runs stay short. */
static int
set_grow(struct csv_import *im)
{
	size_t		 size, i, j;
	struct slot	*set;

	if ((im->n + 1) * 2 <= im->setsize)
		return (0);
	size = im->setsize > 0 ? im->setsize * 2 : 1024;
	if ((set = calloc(size, sizeof(*set))) == NULL)
		return (-1);
	for (i = 0; i < im->setsize; i++) {
		if (im->set[i].idx == 0)
			continue;
		for (j = im->set[i].hash & (size - 1); set[j].idx != 0;
		    j = (j + 1) & (size - 1))
			;
		set[j] = im->set[i];
	}
	free(im->set);
	im->set = set;
	im->setsize = size;
	return (0);
}

/* Adds the ref of v[n], data row row; one seen before is an error. */
static int
ref_add(struct csv_import *im, size_t row, struct csv_error *e)
{
	const char	*ref = im->v[im->n].ref;
	uint32_t	 hash = ref_hash(ref);
	size_t		 i;

	if (set_grow(im) == -1)
		return (csv_fail(e, row, "", "", "out of memory"));
	i = set_slot(im->set, im->setsize, im->v, ref, hash);
	/* Data rows follow the header without gaps: v[k] is row k + 2. */
	if (im->set[i].idx != 0)
		return (csv_fail(e, row, "ref", ref, "duplicate ref "
		    "(first on row %zu)", (size_t)im->set[i].idx + 1));
	im->set[i].idx = (uint32_t)im->n + 1;
	im->set[i].hash = hash;
	return (0);
}

static struct vhead *
vhead_of(struct contract *v)
{
	return ((struct vhead *)(void *)v - 1);
}

static void
text_free(struct text *t)
{
	struct text	*next;

	for (; t != NULL; t = next) {
		next = t->next;
		if (TEXT_EXACT)
			free(t->mem);
		else
			huge_unmap(t->mem, t->size);
		free(t);
	}
}

/* Frees v's memory, and the text in its head. */
static void
v_free(struct contract *v)
{
	struct vhead	*h;

	if (v == NULL)
		return;
	h = vhead_of(v);
	text_free(h->text);
	if (h->mapped > 0)
		huge_unmap(h, h->mapped);
	else
		free(h);
}

/*
 * Room in v for k more contracts (the merged ones, n, are moved or stay;
 * no batch is queued, so none is in v past them).  Once v is larger than
 * a huge page, it has room reserved for max_rows, and grows in place.
 */
static int
v_grow(struct csv_import *im, size_t k)
{
	struct vhead	*old = im->v != NULL ? vhead_of(im->v) : NULL, *h;
	size_t		 size, bytes, max;

	if ((size = grown(im->size, im->n + k, sizeof(*im->v))) == 0)
		return (-1);
	if (size == im->size)
		return (0);
	bytes = sizeof(*h) + size * sizeof(*im->v);
	max = sizeof(*h) + (im->max_rows > size ? im->max_rows : size) *
	    sizeof(*im->v);
	if (old != NULL && old->mapped > 0) {
		h = old;
		bytes = bytes < h->mapped ? bytes : h->mapped;
		if (huge_open(h, bytes) == -1)
			return (-1);
	} else if (bytes >= HUGE_PAGE) {
		if ((h = huge_reserve(max)) == NULL)
			return (-1);
		if (huge_open(h, bytes) == -1) {
			huge_unmap(h, max);
			return (-1);
		}
		h->mapped = max;
	} else if ((h = malloc(bytes)) != NULL)
		h->mapped = 0;
	else
		return (-1);
	if (h != old) {
		h->text = NULL;
		if (old != NULL) {
			memcpy(h + 1, im->v, im->n * sizeof(*im->v));
			v_free(im->v);
		}
	}
	im->v = (struct contract *)(void *)(h + 1);
	im->size = (bytes - sizeof(*h)) / sizeof(*im->v);
	return (0);
}

/* Checks the shape of the data row just read, and counts it. */
static int
row_begin(struct csv_import *im, struct csv_error *e)
{
	struct csv_reader	*rd = &im->rd;

	if (im->blank != 0)
		return (csv_fail(e, im->blank, "", "", "blank row (only the "
		    "last rows may be blank)"));
	if (rd->nfields != im->hdr.ncols)
		return (csv_fail(e, rd->row, "", "", "expected %zu fields, "
		    "found %zu", im->hdr.ncols, rd->nfields));
	if (im->rows == im->max_rows)
		return (csv_fail(e, rd->row, "", "", "too many rows (at most "
		    "%zu contracts)", im->max_rows));
	im->rows++;
	return (0);
}

/* Converts the data row just read here, on the calling thread. */
static int
row_store(struct csv_import *im, struct csv_error *e)
{
	const char	*f[NCOLS_MAX];
	size_t		 i;

	if (v_grow(im, 1) == -1)
		return (oom(&im->rd, e));
	for (i = 0; i < im->hdr.ncols; i++)
		f[i] = csv_reader_field(&im->rd, i);
	if (row_convert(&im->hdr, f, im->rd.row, 0, &im->v[im->n], e) == -1)
		return (-1);
	if (ref_add(im, im->rd.row, e) == -1) {
		contract_free(&im->v[im->n]);
		return (-1);
	}
	im->n++;
	return (0);
}

/* size bytes of a text block, for a batch's fields. */
static char *
text_get(struct csv_import *im, size_t size)
{
	struct text	*t = im->text;
	size_t		 bytes;

	if (TEXT_EXACT || t == NULL || t->size - t->used < size) {
		bytes = size > TEXT_BLOCK || TEXT_EXACT ? size : TEXT_BLOCK;
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return (NULL);
		t->mem = TEXT_EXACT ? malloc(bytes) : huge_map(bytes);
		if (t->mem == NULL) {
			free(t);
			return (NULL);
		}
		t->size = bytes;
		t->next = im->text;
		im->text = t;
	}
	t->used += size;
	return (t->mem + t->used - size);
}

/* A batch for rows from first, room for size bytes of fields. */
static struct batch *
batch_new(struct csv_import *im, size_t first, size_t size)
{
	struct batch	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	if ((b->fields = text_get(im, size)) == NULL) {
		free(b);
		return (NULL);
	}
	b->first = first;
	b->size = size;
	return (b);
}

/* The fields stay, for the contracts that borrow from them. */
static void
batch_free(struct batch *b)
{
	size_t	 i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		contract_free(&b->v[i]);
	free(b);
}

static struct batch *
batch_of(struct work_job *job)
{
	return ((struct batch *)job);
}

static void
batch_drop(struct work_job *job)
{
	batch_free(batch_of(job));
}

/* On a worker: converts the records of the batch, up to one refused. */
static void
batch_run(struct work_job *job, void *arg)
{
	const struct csv_header	*hdr = arg;
	struct batch		*b = batch_of(job);
	const char		*f[NCOLS_MAX], *p = b->fields;
	size_t			 i;

	for (; b->n < b->nrec; b->n++) {
		for (i = 0; i < hdr->ncols; i++) {
			f[i] = p;
			p += strlen(p) + 1;
		}
		if (row_convert(hdr, f, b->first + b->n, 1, &b->v[b->n],
		    &b->e) == -1) {
			b->failed = 1;
			break;
		}
	}
}

/*
 * Takes the contracts of b, the next ones in v, into the import, each ref
 * checked in row order; then b's own error, if it has one.  Those not
 * taken stay b's.
 */
static int
batch_merge(struct csv_import *im, struct batch *b, struct csv_error *e)
{
	for (; b->n > 0; b->first++, b->v++, b->n--, im->n++) {
		if (ref_add(im, b->first, e) == -1)
			return (-1);
	}
	if (b->failed) {
		*e = b->e;
		return (-1);
	}
	return (0);
}

/*
 * Takes back the batches converted, oldest first, and merges them: those
 * done, and while more than keep are queued, waiting for the oldest.  An
 * error is the import's first (every row before it is merged): the
 * import has failed, and nothing more is merged.
 */
static int
import_merge(struct csv_import *im, size_t keep, struct csv_error *e)
{
	struct work_job	*job;
	struct batch	*b;
	int		 rv;

	while (im->nbatches > 0 &&
	    (job = work_pop(im->work, im->nbatches > keep)) != NULL) {
		im->nbatches--;
		b = batch_of(job);
		rv = batch_merge(im, b, e);
		batch_free(b);
		if (rv == -1) {
			im->failed = 1;
			im->rd.row = e->row;	/* as if read up to there */
			return (-1);
		}
	}
	return (0);
}

/*
 * Queues the batch being filled, if there is one, with its place in v.
 * v grows only while no batch is queued, since the workers write into it
 * (and a small v moves as it grows): it doubles, so that is seldom.
 */
static int
batch_flush(struct csv_import *im, struct csv_error *e)
{
	struct batch	*b = im->cur;
	size_t		 at;

	if (b == NULL)
		return (0);
	at = b->first - 2;		/* v[k] is row k + 2 */
	if (at + b->nrec > im->size) {
		if (import_merge(im, 0, e) == -1)
			return (-1);
		if (v_grow(im, b->nrec) == -1)
			return (oom(&im->rd, e));
	}
	b->v = im->v + at;
	work_push(im->work, &b->job);
	im->cur = NULL;
	im->nbatches++;
	return (0);
}

/*
 * Adds the fields of the data row just read to the batch being filled;
 * one that is full first goes to the workers, whom the calling thread
 * waits for if they are too far behind.
 */
static int
batch_add(struct csv_import *im, struct csv_error *e)
{
	struct csv_reader	*rd = &im->rd;
	size_t			 size;

	if (im->cur != NULL && im->cur->len + rd->buflen > im->cur->size) {
		if (batch_flush(im, e) == -1 || import_merge(im,
		    BATCHES_MAX * work_threads(im->work), e) == -1)
			return (-1);
	}
	if (im->cur == NULL) {
		size = rd->buflen > im->batchsize ? rd->buflen : im->batchsize;
		if ((im->cur = batch_new(im, rd->row, size)) == NULL)
			return (oom(rd, e));
	}
	memcpy(im->cur->fields + im->cur->len, rd->buf, rd->buflen);
	im->cur->len += rd->buflen;
	im->cur->nrec++;
	return (0);
}

/* Stops the workers, and drops what they had not handed back. */
static void
import_stop(struct csv_import *im)
{
	work_free(im->work, batch_drop);
	im->work = NULL;
	im->nbatches = 0;
	batch_free(im->cur);
	im->cur = NULL;
}

/*
 * The threads start once the data rows exceed a batch: a smaller import
 * is converted here, and so is the rest of one for which none starts.
 */
static void
import_start(struct csv_import *im)
{
	if (im->work != NULL || im->nworkers == 0 ||
	    im->seen <= im->batchsize)
		return;
	if ((im->work = work_new(im->nworkers, batch_run, &im->hdr)) == NULL)
		im->nworkers = 0;
}

static int
import_row(struct csv_import *im, struct csv_error *e)
{
	if (record_blank(&im->rd)) {
		if (im->blank == 0)
			im->blank = im->rd.row;
		return (0);
	}
	if (row_begin(im, e) == -1)
		return (-1);
	im->seen += im->rd.buflen;
	import_start(im);
	if (im->work != NULL)
		return (batch_add(im, e));
	return (row_store(im, e));
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
			if (im->header && rd->nfields < im->hdr.ncols)
				snprintf(e->column, sizeof(e->column), "%s",
				    im->hdr.cols[rd->nfields]);
			return (-1);
		}
		if ((im->header ? import_row(im, e) :
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

	if (im->rd.p == im->pend || n == 0) {
		im->plen = n;
		return (0);
	}
	if (n > im->psize) {
		if ((p = realloc(im->pend, n)) == NULL)
			return (-1);
		im->pend = p;
		im->psize = n;
	}
	memmove(im->pend, im->rd.p, n);
	im->plen = n;
	return (0);
}

/* The text to read: the piece itself, or the record cut short and it. */
static int
import_text(struct csv_import *im, const char *text, size_t len,
    const char **p, size_t *n)
{
	char	*buf;
	size_t	 size;

	if (im->plen == 0) {
		*p = text;
		*n = len;
		return (0);
	}
	if (im->plen + len > im->psize) {
		size = im->psize * 2 > im->plen + len ? im->psize * 2 :
		    im->plen + len;
		if ((buf = realloc(im->pend, size)) == NULL)
			return (-1);
		im->pend = buf;
		im->psize = size;
	}
	if (len > 0)
		memcpy(im->pend + im->plen, text, len);
	im->plen += len;
	*p = im->pend;
	*n = im->plen;
	return (0);
}

/* Merges every batch once the text is read, and stops the workers. */
static int
import_finish(struct csv_import *im, struct csv_error *e)
{
	if (im->work == NULL)
		return (0);
	if (batch_flush(im, e) == -1 || import_merge(im, 0, e) == -1)
		return (-1);
	import_stop(im);
	return (0);
}

/*
 * e is an error found on the calling thread, on a row after every row
 * queued: one of those refused, or a duplicate among them, comes first.
 */
static void
import_settle(struct csv_import *im, struct csv_error *e)
{
	struct csv_error	 early;

	if (im->work == NULL)
		return;
	if (batch_flush(im, &early) == -1 || import_merge(im, 0, &early) == -1)
		*e = early;
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
	if (last && !im->header)
		return (csv_fail(e, 1, "", "", "no header row"));
	/* What the workers did meanwhile; after the last piece, all. */
	return (last ? import_finish(im, e) : import_merge(im, SIZE_MAX, e));
}

struct csv_import *
csv_import_new(void)
{
	struct csv_import	*im;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return (NULL);
	csv_reader_init(&im->rd, NULL, 0);
	im->max_rows = CSV_MAX_ROWS;
	im->nworkers = IMPORT_WORKERS;
	im->batchsize = BATCH_SIZE;
	return (im);
}

void
csv_import_tune(struct csv_import *im, size_t workers, size_t batch,
    size_t max_rows)
{
	im->nworkers = workers;
	im->batchsize = batch;
	im->max_rows = max_rows < CSV_MAX_ROWS ? max_rows : CSV_MAX_ROWS;
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
		/* Unless the error came from merging, it was found here. */
		if (!im->failed)
			import_settle(im, e);
		im->failed = 1;
		import_stop(im);
		return (-1);
	}
	return (0);
}

size_t
csv_import_fed(const struct csv_import *im)
{
	return (im->fed);
}

struct contract *
csv_import_take(struct csv_import *im, size_t *n)
{
	struct contract	*v;

	import_stop(im);		/* after the last piece, a no-op */
	if ((v = im->v) != NULL && im->n == 0) {
		v_free(v);
		v = NULL;
	}
	if (v != NULL) {
		vhead_of(v)->text = im->text;
		im->text = NULL;
	}
	*n = im->n;
	im->v = NULL;
	im->n = im->size = 0;
	return (v);
}

void
csv_import_free(struct csv_import *im)
{
	if (im == NULL)
		return;
	import_stop(im);
	csv_reader_free(&im->rd);
	csv_contracts_free(im->v, im->n);
	text_free(im->text);
	free(im->set);
	free(im->pend);
	free(im);
}

int
csv_contracts(const char *text, size_t len, struct contract **out,
    size_t *n, struct csv_error *e)
{
	struct csv_import	*im;
	struct csv_error	 scratch;
	int			 rv;

	if (e == NULL)
		e = &scratch;
	memset(e, 0, sizeof(*e));
	*out = NULL;
	*n = 0;
	if ((im = csv_import_new()) == NULL)
		return (csv_fail(e, 0, "", "", "out of memory"));
	if ((rv = csv_import_feed(im, text, len, 1, e)) == 0)
		*out = csv_import_take(im, n);
	csv_import_free(im);
	return (rv);
}

void
csv_contracts_free(struct contract *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		contract_free(&v[i]);
	v_free(v);
}

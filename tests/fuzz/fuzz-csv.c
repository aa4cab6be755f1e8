/*
 * The CSV import (daemon/csv.c) on a file's text: whole, as csv_contracts
 * reads it, and in pieces, as the daemon is fed an import in chunks.  The
 * first byte chooses the length of the pieces, 1 to 1021 bytes (a record
 * cut by a piece is read again from its start: tiny pieces are slow).  Both must see the same
 * rows and the same first error, unless the whole read only refused a
 * duplicate ref (the pieces leave those to the caller).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

static int
count_row(void *arg, struct contract *c, size_t row, struct csv_error *e)
{
	(void)c;
	(void)row;
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

/* Feeds text in pieces of step bytes; the rows go to *rows. */
static int
feed(const char *text, size_t len, size_t step, size_t *rows,
    struct csv_error *e)
{
	struct csv_import	*im;
	size_t			 off = 0, n;
	int			 rv;

	if ((im = csv_import_new(count_row, rows)) == NULL)
		abort();
	do {
		n = len - off < step ? len - off : step;
		rv = csv_import_feed(im, text + off, n, off + n == len, e);
		off += n;
	} while (rv == 0 && off < len);
	if (csv_import_fed(im) != off)
		abort();
	csv_import_free(im);
	return rv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct contract		*v;
	struct csv_error	 e1, e2;
	const char		*text = (const char *)data + 1;
	size_t			 n, rows = 0, len;
	int			 rv1, rv2;

	if (size < 1)
		return 0;
	len = size - 1;
	rv1 = csv_contracts(text, len, &v, &n, &e1);
	if (rv1 == 0)
		csv_contracts_free(v, n);
	else if (v != NULL || n != 0)
		abort();
	rv2 = feed(text, len, (size_t)data[0] * 4 + 1, &rows, &e2);
	if (rv1 == -1 && strncmp(e1.reason, "duplicate ref", 13) == 0)
		return 0;
	if (rv1 != rv2 || (rv1 == 0 && rows != n))
		abort();
	if (rv1 == -1 && (e1.row != e2.row || strcmp(e1.reason,
	    e2.reason) != 0 || strcmp(e1.column, e2.column) != 0))
		abort();
	return 0;
}

/*
 * CSV (RFC 4180) and the contract import format on top of it (DESIGN
 * sections 5 and 11).  Pure: no I/O.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#include "contract.h"

#define CSV_MAX_ROWS	2000000		/* contracts in one import */

/*
 * Why input was refused.  row is the 1-based CSV record number, the header
 * being row 1; a record is not a line, since a quoted field may hold line
 * breaks.  column is the header's name of the field at fault ("" when the
 * error is not about one field), value the offending value ("" when there
 * is none).  Both are cut short, with control characters and bytes that
 * are not UTF-8 shown as '?'.
 */
struct csv_error {
	size_t	row;
	char	column[64];
	char	value[128];
	char	reason[256];
};

/*
 * Reads records from a buffer: fields separated by ',', records by CRLF or
 * LF, the last line break optional; a field in double quotes may hold ',',
 * line breaks and "" for a quote.  A UTF-8 byte order mark at the start is
 * skipped.  A lone CR is data.  Fields holding a NUL byte are refused.
 * The text must outlive the reader; the fields of a record are valid
 * until the next call.
 */
struct csv_reader {
	const char	*p;		/* next byte */
	const char	*end;
	int		 at_end;	/* the last record looked at end */
	size_t		 row;		/* record number of the last record */
	size_t		 nfields;	/* after an error: the field at fault */
	char		*buf;		/* the fields, each NUL-terminated */
	size_t		 buflen;
	size_t		 bufsize;
	size_t		*off;		/* field i starts at buf + off[i] */
	size_t		 offsize;
};

void		 csv_reader_init(struct csv_reader *r, const char *text,
		    size_t len);
/*
 * Reads the next record: 1, or 0 at the end of the text, or -1 with row
 * and reason in e (column is left "": the reader knows no names); after
 * an error the reader can only be freed.  A record for which r->at_end is
 * set looked at the end of the text, and may read otherwise once more
 * text follows (csv.c feeds pieces): a line break, a quote or a field may
 * continue.
 */
int		 csv_reader_next(struct csv_reader *r, struct csv_error *e);
/* Field i (< r->nfields) of the last record. */
const char	*csv_reader_field(const struct csv_reader *r, size_t i);
void		 csv_reader_free(struct csv_reader *r);

/*
 * Parses an import file: a header row naming fields of contract_fields
 * (any order, each at most once, ref, title and end_date required), then
 * one contract a row, each value set with contract_set_field (empty means
 * unset) and the row checked with contract_check.  Refs must be unique.
 * Blank rows at the end are ignored; elsewhere they are an error.
 *
 * Returns 0 and the contracts in file order in *out (NULL when there are
 * none), their number in *n; free them with csv_contracts_free.  On any
 * error returns -1 with *out NULL, *n 0 and the error in e (which may be
 * NULL): the first in the file, or else the earliest duplicate ref.
 */
int	 csv_contracts(const char *text, size_t len, struct contract **out,
	    size_t *n, struct csv_error *e);
void	 csv_contracts_free(struct contract *v, size_t n);

/*
 * The same import, from text that comes in pieces (a file sent in
 * chunks): each piece is parsed as it is fed; only a record cut by the
 * end of a piece waits for the next.  Each data row, once converted and
 * checked, goes to fn with its row number; fn keeps what it needs of the
 * contract (which is freed after it returns) and returns 0, or -1 with
 * e filled to refuse the import.  Duplicate refs are fn's to find.  A
 * record is at most CSV_RECORD_MAX bytes.  csv_import_feed returns 0, or
 * -1 with the first error in the text in e, after which the import can
 * only be freed.  last marks the final piece.
 */
#define CSV_RECORD_MAX	(1024 * 1024)

struct csv_import;
typedef int (*csv_row_fn)(void *arg, struct contract *c, size_t row,
    struct csv_error *e);

struct csv_import	*csv_import_new(csv_row_fn fn, void *arg);
int	 csv_import_feed(struct csv_import *im, const char *text, size_t len,
	    int last, struct csv_error *e);
size_t	 csv_import_fed(const struct csv_import *im);	/* bytes so far */
/* Whether the header names field (0 until it is read). */
int	 csv_import_has(const struct csv_import *im, const char *field);
void	 csv_import_free(struct csv_import *im);

#endif

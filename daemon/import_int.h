/*
 * The import in progress, shared by cmd-import.c (the upload, the CSV,
 * the answer) and import-src.c (OCDS releases through the staging, and
 * the rows of an import --update that name a contract already there).
 */
#ifndef IMPORT_INT_H
#define IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "csv.h"
#include "ocds.h"

enum import_format {
	IMPORT_AUTO,		/* OCDS if the text starts with '{' */
	IMPORT_CSV,
	IMPORT_OCDS
};

#define IMPORT_SKIPS	100	/* skipped releases listed; all counted */

/* The import in progress, owned by its connection's upload slot. */
struct import {
	struct csv_import	*csv;
	struct ocds_reader	*ocds;
	enum import_format	 format;
	int			 update;	/* import --update */
	int			 strict;	/* a skipped release refuses */
	time_t			 now;
	double			 t0;		/* when it began, ms */
	size_t			 synced;	/* bytes fed at the last sync */
	int64_t			 first_id;	/* of its first row */
	size_t			 stored;	/* added */
	size_t			 updated;
	size_t			 unchanged;
	size_t			 skipped;
	json_t			*skips;		/* the first IMPORT_SKIPS */
	int64_t			 seq;		/* awards staged */
	int			 fired;
	const char		*code;		/* the error's, if a row's */
	char			 ocid[128];	/* of the award stored */
	char			 file[128];	/* its name, for history */
	char			 user[64];
	long			 uid;
};

/* cmd-import.c: one contract stored, or refused with e filled. */
int	 import_row(void *arg, struct contract *c, size_t row,
	    struct csv_error *e);

/* The row refused: code (NULL: invalid_argument), the ref and why in e. */
int	 row_fail(struct import *im, const char *code, struct contract *c,
	    size_t row, struct csv_error *e, const char *reason);

/* import-src.c */
int	 import_ocds_row(void *arg, const struct ocds_row *row);
/* The staged awards stored: 0, or -1 with e filled (e->row unused). */
int	 import_ocds_store(struct import *im, struct csv_error *e);
int	 import_skip(struct import *im, const char *ocid, const char *why);
/*
 * Row c names a contract there before the import: 1 if not (it is new),
 * else 0 once it is updated or found unchanged, -1 with e filled.
 */
int	 import_existing(struct import *im, struct contract *c, size_t row,
	    struct csv_error *e);

#endif

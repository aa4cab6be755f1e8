/*
 * The OCDS reader: jansson cannot stream inside one big object, so a
 * small scanner follows the text (strings and their escapes, nesting)
 * and cuts out each element of a package's "releases" or "records"
 * array, which json_loadb then reads whole.  A top-level object that
 * has neither is a release itself.  Top-level values follow one another
 * (JSON Lines).  Elements may span pieces: the scanner keeps its state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocds.h"

enum ocds_mode {
	OM_TOP,		/* between top-level values */
	OM_OBJ,		/* in a top-level object: kept until it is seen to
			   be a package, since it may be a release */
	OM_ARRAY,	/* in its releases or records, between elements */
	OM_ELEM		/* in an element: kept */
};

#define OCDS_KEYLEN	8	/* "releases" */

struct ocds_reader {
	ocds_row_fn	 fn;
	void		*arg;
	enum ocds_mode	 mode;
	int		 depth;
	int		 instr, esc;
	int		 records;	/* the array is of records */
	int		 pkg;		/* the object is a package */
	size_t		 bom;		/* bytes of a byte order mark seen */
	int		 is_array_key;	/* array_key of the key just read */
	char		 key[OCDS_KEYLEN + 1];
	size_t		 keylen;	/* OCDS_KEYLEN + 1: longer */
	char		*buf;		/* the value kept */
	size_t		 len, size;
	size_t		 fed;
	size_t		 at;		/* where the value kept starts */
	size_t		 nrel;		/* releases read */
	int		 failed;
};

struct ocds_reader *
ocds_reader_new(ocds_row_fn fn, void *arg)
{
	struct ocds_reader	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->fn = fn;
	o->arg = arg;
	return o;
}

void
ocds_reader_free(struct ocds_reader *o)
{
	if (o == NULL)
		return;
	free(o->buf);
	free(o);
}

size_t
ocds_fed(const struct ocds_reader *o)
{
	return o->fed;
}

size_t
ocds_releases(const struct ocds_reader *o)
{
	return o->nrel;
}

static int
keep(struct ocds_reader *o, char ch)
{
	char	*p;
	size_t	 size;

	if (o->len == o->size) {
		if (o->size >= OCDS_VALUE_MAX)
			return -1;
		size = o->size ? o->size * 2 : 4096;
		if ((p = realloc(o->buf, size)) == NULL)
			return -1;
		o->buf = p;
		o->size = size;
	}
	o->buf[o->len++] = ch;
	return 0;
}

/* One release (or, in a record package, record) read: mapped. */
static int
release(struct ocds_reader *o, json_t *v, int record, char *err,
    size_t errlen)
{
	struct ocds_row	 row;
	json_t		*r = v;

	o->nrel++;
	if (record && (r = json_object_get(v, "compiledRelease")) == NULL) {
		memset(&row, 0, sizeof(row));
		row.ocid = json_string_value(json_object_get(v, "ocid"));
		row.ocid = row.ocid ? row.ocid : "";
		row.date = OCDS_DATE_NONE;
		row.reason = "a record without compiledRelease";
		return o->fn(o->arg, &row) == -1 ? -1 : 0;
	}
	if (!json_is_object(r)) {
		snprintf(err, errlen, "byte %zu: a release is a JSON object",
		    o->at + 1);
		return -1;
	}
	if (ocds_map(r, o->fn, o->arg) == -1) {
		snprintf(err, errlen, "byte %zu: the release cannot be stored",
		    o->at + 1);
		return -1;
	}
	return 0;
}

/* A whole top-level object: a package whose array was not an array, or
 * a release. */
static int
whole(struct ocds_reader *o, json_t *v, int record, char *err,
    size_t errlen)
{
	json_t	*a, *e;
	size_t	 i;

	if (record)
		return release(o, v, 1, err, errlen);
	if ((a = json_object_get(v, "releases")) == NULL &&
	    (a = json_object_get(v, "records")) == NULL)
		return release(o, v, 0, err, errlen);
	if (!json_is_array(a)) {
		snprintf(err, errlen, "byte %zu: releases (or records) is "
		    "not an array", o->at + 1);
		return -1;
	}
	json_array_foreach(a, i, e) {
		if (release(o, e, json_object_get(v, "records") == a, err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

/* The value kept, read by jansson. */
static int
value_end(struct ocds_reader *o, int elem, char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*v;
	int		 rc;

	if ((v = json_loadb(o->buf, o->len, 0, &je)) == NULL) {
		snprintf(err, errlen, "byte %zu: not JSON: %s", o->at +
		    (size_t)(je.position > 0 ? je.position : 1), je.text);
		return -1;
	}
	rc = elem ? release(o, v, o->records, err, errlen) :
	    whole(o, v, 0, err, errlen);
	json_decref(v);
	o->len = 0;
	return rc;
}

/* A string's byte: the key of the top-level object is noted. */
static void
string_byte(struct ocds_reader *o, char ch)
{
	if (o->esc)
		o->esc = 0;
	else if (ch == '\\')
		o->esc = 1;
	else if (ch == '"')
		o->instr = 0;
	if (o->mode != OM_OBJ || o->depth != 1 || !o->instr || o->esc)
		return;
	if (o->keylen < OCDS_KEYLEN)
		o->key[o->keylen] = ch;
	if (o->keylen <= OCDS_KEYLEN)
		o->keylen++;
}

/* The key just read: 1 for releases, 2 for records, else 0. */
static int
array_key(const struct ocds_reader *o)
{
	if (o->keylen == 8 && memcmp(o->key, "releases", 8) == 0)
		return 1;
	if (o->keylen == 7 && memcmp(o->key, "records", 7) == 0)
		return 2;
	return 0;
}

/* '{' or '[' */
static int
open_byte(struct ocds_reader *o, char ch, char *err, size_t errlen)
{
	if (o->mode == OM_TOP) {
		if (ch != '{') {
			snprintf(err, errlen, "byte %zu: not OCDS: a package "
			    "or a release is a JSON object", o->fed + 1);
			return -1;
		}
		o->mode = OM_OBJ;
		o->pkg = 0;
		o->depth = 1;
		o->at = o->fed;
		o->len = 0;
		return keep(o, ch);
	}
	o->depth++;
	if (o->mode == OM_OBJ && o->depth == 2 && ch == '[' &&
	    o->is_array_key) {
		o->mode = OM_ARRAY;
		o->pkg = 1;
		o->records = o->is_array_key == 2;
		o->len = 0;
	} else if (o->mode == OM_ARRAY && o->depth == 3) {
		o->mode = OM_ELEM;
		o->at = o->fed;
		return keep(o, ch);
	}
	return 0;
}

/* '}' or ']' */
static int
close_byte(struct ocds_reader *o, char *err, size_t errlen)
{
	if (o->mode == OM_TOP || --o->depth < 0) {
		snprintf(err, errlen, "byte %zu: not JSON: a bracket closes "
		    "nothing", o->fed + 1);
		return -1;
	}
	if (o->mode == OM_ELEM && o->depth == 2) {
		o->mode = OM_ARRAY;
		return value_end(o, 1, err, errlen);
	}
	if (o->mode == OM_ARRAY && o->depth == 1)
		o->mode = OM_OBJ;	/* the rest of the package */
	else if (o->depth == 0) {
		if (!o->pkg && value_end(o, 0, err, errlen) == -1)
			return -1;
		o->mode = OM_TOP;
		o->len = 0;
	}
	return 0;
}

static int
byte(struct ocds_reader *o, char ch, char *err, size_t errlen)
{
	static const char bom[] = "\xef\xbb\xbf";

	/* A UTF-8 byte order mark at the start is skipped. */
	if (o->fed == o->bom && o->bom < 3 && ch == bom[o->bom]) {
		o->bom++;
		return 0;
	}
	if (((o->mode == OM_OBJ && !o->pkg) || o->mode == OM_ELEM) &&
	    keep(o, ch) == -1) {
		snprintf(err, errlen, "byte %zu: a release larger than %d "
		    "MiB", o->at + 1, OCDS_VALUE_MAX >> 20);
		return -1;
	}
	if (o->instr) {
		string_byte(o, ch);
		return 0;
	}
	if (o->mode == OM_ARRAY && o->depth == 2 && ch != '{' &&
	    strchr(" \t\r\n,]", ch) == NULL) {
		snprintf(err, errlen, "byte %zu: an element of %s is not an "
		    "object", o->fed + 1, o->records ? "records" : "releases");
		return -1;
	}
	switch (ch) {
	case '"':
		if (o->mode == OM_TOP)
			break;
		o->instr = 1;
		if (o->depth == 1)
			o->keylen = 0;
		return 0;
	case ':':
		if (o->mode == OM_OBJ && o->depth == 1)
			o->is_array_key = array_key(o);
		return 0;
	case '{':
	case '[':
		return open_byte(o, ch, err, errlen);
	case '}':
	case ']':
		return close_byte(o, err, errlen);
	case ' ': case '\t': case '\r': case '\n':
		return 0;
	}
	if (o->mode != OM_TOP)
		return 0;
	snprintf(err, errlen, "byte %zu: not OCDS: a package or a release "
	    "is a JSON object", o->fed + 1);
	return -1;
}

int
ocds_feed(struct ocds_reader *o, const char *p, size_t n, int last,
    char *err, size_t errlen)
{
	size_t	 i;

	if (o->failed)
		return -1;
	for (i = 0; i < n; i++, o->fed++) {
		if (byte(o, p[i], err, errlen) == -1) {
			o->failed = 1;
			return -1;
		}
	}
	if (last && (o->mode != OM_TOP || o->instr)) {
		snprintf(err, errlen, "byte %zu: the file ends inside a JSON "
		    "value", o->fed);
		o->failed = 1;
		return -1;
	}
	if (last && o->nrel == 0) {
		snprintf(err, errlen, "no OCDS release in the file");
		o->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * contractctl's output for people: aligned text tables and key: value
 * listings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

struct table {
	int	  ncols;
	size_t	  nrows;
	size_t	  maxrows;	/* room in cells, doubled when full */
	char	**cells;	/* row-major, nrows+1 rows with the header */
	size_t	 *width;
};

static void	table_add(struct table *, const char *const *);

static struct table *
table_new(const char *const *headers, int ncols)
{
	struct table	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->width = calloc(ncols, sizeof(*t->width))) == NULL) {
		free(t);
		return NULL;
	}
	t->ncols = ncols;
	table_add(t, headers);
	return t;
}

static void
table_add(struct table *t, const char *const *cells)
{
	char	**v;
	int	  i;

	if (t == NULL)
		return;
	if (t->nrows == t->maxrows) {
		/* Doubling: a table of 200 000 rows grows in 18 steps. */
		v = reallocarray(t->cells, (t->maxrows ? t->maxrows * 2 : 64) *
		    t->ncols, sizeof(*v));
		if (v == NULL)
			return;
		t->cells = v;
		t->maxrows = t->maxrows ? t->maxrows * 2 : 64;
	}
	v = t->cells;
	for (i = 0; i < t->ncols; i++) {
		v[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
		if (v[t->nrows * t->ncols + i] != NULL &&
		    strlen(v[t->nrows * t->ncols + i]) > t->width[i])
			t->width[i] = strlen(v[t->nrows * t->ncols + i]);
	}
	t->nrows++;
}

/* Prints row r up to its last non-empty cell, without trailing blanks. */
static void
table_print_row(struct table *t, size_t r)
{
	char	**row = t->cells + r * t->ncols;
	int	  i, last;

	for (last = t->ncols - 1; last > 0; last--)
		if (row[last] != NULL && row[last][0] != '\0')
			break;
	for (i = 0; i < last; i++)
		printf("%-*s  ", (int)t->width[i], row[i] ? row[i] : "");
	printf("%s\n", row[last] ? row[last] : "");
}

static void
table_print(struct table *t)
{
	size_t	r;

	if (t == NULL)
		return;
	for (r = 0; r < t->nrows; r++)
		table_print_row(t, r);
}

static void
table_free(struct table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
}

/* Adds the cells of cols (ncols of them) that row makes. */
static void
table_add_row(struct table *t, const struct table_col *cols, int ncols,
    json_t *row)
{
	char		 buf[TABLE_MAXCOLS][TABLE_CELL];
	const char	*cells[TABLE_MAXCOLS];
	int		 i;

	for (i = 0; i < ncols; i++) {
		if (cols[i].fmt == NULL)
			cells[i] = json_str(row, cols[i].key);
		else
			cells[i] = cols[i].fmt(row, cols[i].key, buf[i],
			    cols[i].size > 0 && cols[i].size < TABLE_CELL ?
			    cols[i].size : TABLE_CELL);
	}
	table_add(t, cells);
}

void
table_list(const struct table_col *cols, json_t *list)
{
	table_page(cols, list, 1);
}

void
table_page(const struct table_col *cols, json_t *list, int header)
{
	struct table	*t;
	const char	*headers[TABLE_MAXCOLS];
	json_t		*v;
	size_t		 i;
	int		 n;

	if (json_array_size(list) == 0)
		return;
	for (n = 0; n < TABLE_MAXCOLS && cols[n].header != NULL; n++)
		headers[n] = cols[n].header;
	t = table_new(headers, n);
	json_array_foreach(list, i, v)
		table_add_row(t, cols, n, v);
	if (t != NULL && !header) {
		/* The header row made the widths too: they stay alike. */
		for (n = 0; n < t->ncols; n++)
			free(t->cells[n]);
		t->cells += t->ncols;
		t->nrows--;
		table_print(t);
		t->cells -= t->ncols;
		for (n = 0; n < t->ncols; n++)
			t->cells[n] = NULL;
		t->nrows++;
	} else
		table_print(t);
	table_free(t);
}

void
table_section(const char *title, const struct table_col *cols, json_t *list)
{
	if (json_array_size(list) == 0) {
		printf("%s: none\n", title);
		return;
	}
	printf("%s:\n", title);
	table_list(cols, list);
}

const char *
table_value(json_t *row, const char *key, char *buf, size_t len)
{
	return json_fmt(json_object_get(row, key), buf, len);
}

const char *
json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const char *
json_str_or(json_t *o, const char *key, const char *def)
{
	const char	*s = json_str(o, key);

	return s != NULL ? s : def;
}

long long
json_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

const char *
json_fmt(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

const char *
days_fmt(json_t *v, char *buf, size_t len)
{
	long long	 n = json_integer_value(v);

	if (!json_is_integer(v))
		snprintf(buf, len, "%s", "");
	else if (n == 0)
		snprintf(buf, len, "today");
	else if (n == 1)
		snprintf(buf, len, "tomorrow");
	else if (n == -1)
		snprintf(buf, len, "yesterday");
	else if (n > 0)
		snprintf(buf, len, "in %lld days", n);
	else
		snprintf(buf, len, "%lld days ago", -n);
	return buf;
}

/* Values that are unset (missing, null) or false are left out. */
void
show_fields(json_t *o, const char *const *keys)
{
	const char *const	*k;
	json_t			*v;
	char			 buf[64];
	size_t			 w = 0;

	for (k = keys; *k != NULL; k++)
		if ((v = json_object_get(o, *k)) != NULL && !json_is_null(v) &&
		    !json_is_false(v) && strlen(*k) > w)
			w = strlen(*k);
	for (k = keys; *k != NULL; k++) {
		v = json_object_get(o, *k);
		if (v == NULL || json_is_null(v) || json_is_false(v))
			continue;
		printf("%-*s  %s\n", (int)w, *k, json_fmt(v, buf, sizeof(buf)));
	}
}

/* One "key: value" line per member; nested values as compact JSON. */
void
show_object(json_t *o)
{
	const char	*key;
	json_t		*v;
	char		*s;
	size_t		 w = 0;

	json_object_foreach(o, key, v)
		if (strlen(key) > w)
			w = strlen(key);
	json_object_foreach(o, key, v) {
		if (json_is_string(v))
			printf("%-*s  %s\n", (int)w + 1, key,
			    json_string_value(v));
		else {
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%-*s  %s\n", (int)w + 1, key, s ? s : "?");
			free(s);
		}
	}
}

void
ctl_warnings(json_t *r)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(r, "warnings"), i, v)
		if (json_is_string(v))
			fprintf(stderr, "warning: %s\n", json_string_value(v));
}

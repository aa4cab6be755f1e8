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
	char	**cells;	/* row-major, nrows+1 rows with the header */
	size_t	 *width;
};

struct table *
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

void
table_add(struct table *t, const char *const *cells)
{
	char	**v;
	int	  i;

	if (t == NULL)
		return;
	v = reallocarray(t->cells, (t->nrows + 1) * t->ncols, sizeof(*v));
	if (v == NULL)
		return;
	t->cells = v;
	for (i = 0; i < t->ncols; i++) {
		v[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
		if (v[t->nrows * t->ncols + i] != NULL &&
		    strlen(v[t->nrows * t->ncols + i]) > t->width[i])
			t->width[i] = strlen(v[t->nrows * t->ncols + i]);
	}
	t->nrows++;
}

void
table_print(struct table *t)
{
	const char	*c;
	size_t		 r;
	int		 i;

	if (t == NULL)
		return;
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			c = t->cells[r * t->ncols + i];
			if (c == NULL)
				c = "";
			if (i == t->ncols - 1)
				printf("%s\n", c);
			else
				printf("%-*s  ", (int)t->width[i], c);
		}
	}
}

void
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

const char *
json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
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

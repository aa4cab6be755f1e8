/*
 * Coverage: whether some contract covers a service on a day.
 *
 * For each service the store keeps the (end, start) dates of the
 * contracts that list it, sorted by end, as one blob a service in the
 * coverage table, and holds them all in memory from the first question
 * on.  An import writes one row a service, not one a contract's service,
 * and a question is a binary search: the first pair ending on the day or
 * later, then the earliest start of that pair and all after it.
 *
 * A contract's own pair never answers for it: the day asked is the day
 * after its end (engine_services_uncovered), which its pair ends before.
 * So pairs carry no ref, and removing either of two equal pairs is the
 * same.  Changes are kept in memory and written at commit; a rollback
 * forgets them all, to be read again when next asked.
 */
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "dates.h"
#include "log.h"
#include "store.h"
#include "store_int.h"

struct cover_pair {
	int32_t	 end;
	int32_t	 start;		/* DATE_NONE (the least): from always */
};

struct cover_list {
	char			*svc;
	struct cover_pair	*v;
	int32_t			*minstart;	/* least start of v[i..n) */
	size_t			 n, cap;
	int			 dirty;		/* to be written at commit */
	int			 stale;		/* v unsorted, minstart old */
};

struct cover_set {
	struct cover_list	*v;		/* in service order */
	size_t			 n, cap;
};

/* Service order: bytes, then the shorter first (SQLite's BINARY). */
static int
svc_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int	rc = memcmp(a, b, alen < blen ? alen : blen);

	if (rc != 0 || alen == blen)
		return rc;
	return alen < blen ? -1 : 1;
}

/* The index of svc in set, or where it goes (*found 0). */
static size_t
cover_find(const struct cover_set *set, const char *svc, size_t len,
    int *found)
{
	size_t	lo = 0, hi = set->n, mid;
	int	rc;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		rc = svc_cmp(set->v[mid].svc, strlen(set->v[mid].svc), svc,
		    len);
		if (rc == 0) {
			*found = 1;
			return mid;
		}
		if (rc < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The list of svc, made empty if there is none. */
static struct cover_list *
cover_list(struct cover_set *set, const char *svc, size_t len)
{
	struct cover_list	*v, *l;
	size_t			 i;
	int			 found;

	i = cover_find(set, svc, len, &found);
	if (found)
		return &set->v[i];
	if (set->n == set->cap) {
		if ((v = reallocarray(set->v, set->cap ? set->cap * 2 : 64,
		    sizeof(*v))) == NULL)
			return NULL;
		set->v = v;
		set->cap = set->cap ? set->cap * 2 : 64;
	}
	memmove(&set->v[i + 1], &set->v[i], (set->n - i) * sizeof(*set->v));
	l = &set->v[i];
	memset(l, 0, sizeof(*l));
	if ((l->svc = strndup(svc, len)) == NULL) {
		memmove(&set->v[i], &set->v[i + 1],
		    (set->n - i) * sizeof(*set->v));
		return NULL;
	}
	set->n++;
	return l;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct cover_pair	*x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Sorts the pairs and works out the least starts again. */
static int
cover_fresh(struct cover_list *l)
{
	int32_t	*m;
	size_t	 i;

	if (!l->stale)
		return 0;
	if ((m = reallocarray(l->minstart, l->cap ? l->cap : 1,
	    sizeof(*m))) == NULL)
		return -1;
	l->minstart = m;
	qsort(l->v, l->n, sizeof(*l->v), pair_cmp);
	for (i = l->n; i-- > 0;)
		m[i] = i + 1 < l->n && m[i + 1] < l->v[i].start ? m[i + 1] :
		    l->v[i].start;
	l->stale = 0;
	return 0;
}

/* Sorts every list added to; one that cannot be is sorted when asked. */
void
cover_settle(struct store *st)
{
	size_t	 i;

	for (i = 0; st->cover != NULL && i < st->cover->n; i++)
		(void)cover_fresh(&st->cover->v[i]);
}

static int
cover_push(struct cover_list *l, int32_t start, int32_t end)
{
	struct cover_pair	*v;

	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, l->cap ? l->cap * 2 : 16,
		    sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	l->v[l->n].end = end;
	l->v[l->n++].start = start;
	l->dirty = l->stale = 1;
	return 0;
}

static void
cover_set_free(struct cover_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].svc);
		free(set->v[i].v);
		free(set->v[i].minstart);
	}
	free(set->v);
	free(set);
}

void
cover_forget(struct store *st)
{
	cover_set_free(st->cover);
	st->cover = NULL;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* One row of the coverage table: 8 bytes a pair, end then start. */
static int
cover_row(sqlite3_stmt *s, void *arg)
{
	struct cover_set	*set = arg;
	struct cover_list	*l;
	const unsigned char	*p;
	const char		*svc;
	size_t			 n, i;

	svc = (const char *)sqlite3_column_text(s, 0);
	p = sqlite3_column_blob(s, 1);
	n = (size_t)sqlite3_column_bytes(s, 1);
	if (svc == NULL || n % 8 != 0) {
		log_warnx("coverage of %s: %zu bytes, not pairs of dates",
		    svc ? svc : "(null)", n);
		return -1;
	}
	if ((l = cover_list(set, svc, strlen(svc))) == NULL)
		return -1;
	for (i = 0; i < n; i += 8)
		if (cover_push(l, (int32_t)get32(p + i + 4),
		    (int32_t)get32(p + i)) == -1)
			return -1;
	l->dirty = 0;
	return 0;
}

/* Reads the coverage table, once. */
int
cover_load(struct store *st)
{
	struct cover_set	*set;
	sqlite3_stmt		*s;

	if (st->cover != NULL)
		return 0;
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return -1;
	s = store_stmt(st, SQL_COVER_LOAD,
	    "SELECT service, pairs FROM coverage");
	if (s == NULL || store_rows(st, s, cover_row, set, __func__) < 0) {
		cover_set_free(set);
		return -1;
	}
	st->cover = set;
	return 0;
}

/* Adds a pair (start, end) to each service of list services, once each. */
int
cover_add(struct store *st, const char *services, int32_t start,
    int32_t end)
{
	struct cover_list	*l;
	const char		*p = services, *svc;
	size_t			 len;

	if (cover_load(st) == -1)
		return STORE_ERROR;
	while (contract_service_next(&p, &svc, &len)) {
		if (!contract_service_first(services, svc, len))
			continue;
		if ((l = cover_list(st->cover, svc, len)) == NULL ||
		    cover_push(l, start, end) == -1)
			return STORE_ERROR;
	}
	return 0;
}

/* Takes out one pair (start, end) of each service: those cover_add put. */
int
cover_remove(struct store *st, const char *services, int32_t start,
    int32_t end)
{
	struct cover_pair	 key = { end, start }, *p;
	struct cover_list	*l;
	const char		*q = services, *svc;
	size_t			 len, i;
	int			 found;

	if (cover_load(st) == -1)
		return STORE_ERROR;
	while (contract_service_next(&q, &svc, &len)) {
		i = cover_find(st->cover, svc, len, &found);
		if (!found || !contract_service_first(services, svc, len))
			continue;
		l = &st->cover->v[i];
		if (cover_fresh(l) == -1)
			return STORE_ERROR;
		p = bsearch(&key, l->v, l->n, sizeof(*l->v), pair_cmp);
		if (p == NULL)
			continue;
		memmove(p, p + 1, (size_t)(&l->v[l->n] - (p + 1)) * sizeof(*p));
		l->n--;
		l->dirty = l->stale = 1;
	}
	return 0;
}

static int
cover_write(struct store *st, const struct cover_list *l)
{
	unsigned char	*buf;
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;

	if (l->n == 0) {
		if ((s = store_stmt(st, SQL_COVER_DELETE,
		    "DELETE FROM coverage WHERE service = ?")) == NULL)
			return STORE_ERROR;
		store_bind_text(s, 1, l->svc);
		return store_done(st, s, __func__);
	}
	if ((s = store_stmt(st, SQL_COVER_WRITE, "INSERT OR REPLACE INTO "
	    "coverage (service, pairs) VALUES (?, ?)")) == NULL)
		return STORE_ERROR;
	if ((buf = reallocarray(NULL, l->n, 8)) == NULL)
		return STORE_ERROR;
	for (i = 0; i < l->n; i++) {
		put32(buf + 8 * i, (uint32_t)l->v[i].end);
		put32(buf + 8 * i + 4, (uint32_t)l->v[i].start);
	}
	store_bind_text(s, 1, l->svc);
	sqlite3_bind_blob64(s, 2, buf, l->n * 8, free);
	rc = store_done(st, s, __func__);
	sqlite3_clear_bindings(s);	/* frees buf */
	return rc;
}

/* Writes the services changed in this transaction; before its commit. */
int
cover_flush(struct store *st)
{
	struct cover_list	*l;
	size_t			 i;

	for (i = 0; st->cover != NULL && i < st->cover->n; i++) {
		l = &st->cover->v[i];
		if (!l->dirty)
			continue;
		if (cover_fresh(l) == -1 || cover_write(st, l) != 0)
			return STORE_ERROR;
		l->dirty = 0;
	}
	return 0;
}

int
store_covering(struct store *st, const char *svc, int32_t day)
{
	struct cover_list	*l;
	size_t			 lo, hi, mid, i;
	int			 found;

	if (cover_load(st) == -1)
		return STORE_ERROR;
	i = cover_find(st->cover, svc, strlen(svc), &found);
	if (!found)
		return 0;
	l = &st->cover->v[i];
	if (cover_fresh(l) == -1)
		return STORE_ERROR;
	for (lo = 0, hi = l->n; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (l->v[mid].end < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->minstart[lo] <= day;
}

/* engine_covered_fn: ref's own pair cannot cover day (see above). */
int
store_covered(void *st, const char *svc, int32_t day, const char *ref)
{
	(void)ref;
	return store_covering(st, svc, day) == 1;
}

/*
 * Migration 3: the pairs of the services table (one row a contract's
 * service) into the coverage table, and the services table dropped.
 */
static int
cover_old_row(sqlite3_stmt *s, void *arg)
{
	struct store	*st = arg;
	const char	*svc = (const char *)sqlite3_column_text(s, 0);
	const char	*t;
	int32_t		 day[2] = { DATE_NONE, DATE_NONE };
	int		 i;

	for (i = 0; i < 2; i++) {
		t = (const char *)sqlite3_column_text(s, i + 1);
		if (t != NULL && date_parse(t, &day[i]) == -1)
			day[i] = DATE_NONE;
	}
	if (svc == NULL || day[1] == DATE_NONE)
		return 0;
	return cover_add(st, svc, day[0], day[1]) == 0 ? 0 : -1;
}

int
cover_migrate(struct store *st)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT service, start_date, end_date "
	    "FROM services", -1, &s, NULL) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return -1;
	}
	rc = store_rows(st, s, cover_old_row, st, __func__);
	sqlite3_finalize(s);
	if (rc < 0 || cover_flush(st) != 0)
		return -1;
	return store_exec(st, "DROP TABLE services");
}

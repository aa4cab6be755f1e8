/*
 * The agenda's days: for each day, the milestones of contracts that fall
 * on it, with what the agenda shows of each, as one blob a day in the
 * agenda table.
 *
 * An agenda of a month reads about ninety rows; an import writes one row
 * a day its contracts' dates fall on, where date indexes cost a B-tree
 * entry a contract each.  Changes are gathered in memory, a day at a
 * time, and written at commit; a rollback forgets them.
 *
 * A contract has an entry on its end date (AGENDA_END, with its
 * services).  Its extension deadline and procurement start are entries of
 * their own only where the contract gives its own notice or lead time
 * (AGENDA_EXT, AGENDA_PROC, on the day they fall on).  Where they follow
 * the configuration's default, the entry of the date they are counted
 * back from carries a flag instead: the end's entry, or for a procurement
 * whose maximum end is later than the end, an entry of its own on the
 * maximum end (AGENDA_MAXEND).  A question for [from, to] reads the days
 * [from + notice, to + notice] and [from + lead, to + lead] for those,
 * so the days hold nothing that a change of the defaults moves, and an
 * import writes one entry for most contracts, not three.
 *
 * A blob is a run of entries: a byte for which entry and its flags, a
 * byte for the length of the ref, two for the title and two for the
 * services (0 for none), little-endian, then those strings, each with its
 * NUL.  Where a contract's entries are follows from its row alone
 * (agenda_places).
 */
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "dates.h"
#include "heap.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "text.h"

#define ENTRY_HEAD	6

#define AGENDA_MAXEND	3		/* after the kinds of store.h */
#define ENTRY_WHICH	0x0f
#define ENTRY_EXT_DEF	0x10	/* extension due the default notice before */
#define ENTRY_PROC_DEF	0x20	/* procurement the default lead before */
#define ENTRY_FLAGS	(ENTRY_EXT_DEF | ENTRY_PROC_DEF)

/* A day changed in this transaction: all of its entries, encoded. */
struct agenda_day {
	int32_t		 day;
	struct strbuf	 rows;
	int		 dirty;		/* to be written at commit */
};

struct agenda_days {
	struct agenda_day	*v;	/* in day order */
	size_t			 n, cap;
};

struct agenda_entry {
	int		 which;
	int		 flags;
	const char	*ref;
	const char	*title;
	const char	*services;	/* NULL unless AGENDA_END */
};

static void
put16(unsigned char *p, size_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static size_t
get16(const unsigned char *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8;
}

/* Appends an entry to b; -1 if a string is too long for its field. */
static int
entry_put(struct strbuf *b, const struct agenda_entry *e)
{
	unsigned char	 h[ENTRY_HEAD];
	size_t		 rl = strlen(e->ref) + 1, tl = strlen(e->title) + 1;
	size_t		 sl = e->services ? strlen(e->services) + 1 : 0;

	if (rl > 0xff || tl > 0xffff || sl > 0xffff)
		return -1;
	h[0] = (unsigned char)(e->which | e->flags);
	h[1] = (unsigned char)rl;
	put16(h + 2, tl);
	put16(h + 4, sl);
	strbuf_add(b, (const char *)h, sizeof(h));
	strbuf_add(b, e->ref, rl);
	strbuf_add(b, e->title, tl);
	if (sl > 0)
		strbuf_add(b, e->services, sl);
	return b->failed ? -1 : 0;
}

/* The string of len bytes (its NUL the last) at p, or NULL. */
static const char *
entry_str(const unsigned char *p, size_t len)
{
	return len > 0 && p[len - 1] == '\0' ? (const char *)p : NULL;
}

/*
 * The entry at *off of the n bytes at p, into e, and *off past it: 1, or
 * 0 at the end, or -1 if the bytes are not entries.
 */
static int
entry_next(const unsigned char *p, size_t n, size_t *off,
    struct agenda_entry *e)
{
	size_t	 o = *off, rl, tl, sl;

	if (o == n)
		return 0;
	if (n - o < ENTRY_HEAD)
		return -1;
	e->which = p[o] & ENTRY_WHICH;
	e->flags = p[o] & ~ENTRY_WHICH;
	rl = p[o + 1];
	tl = get16(p + o + 2);
	sl = get16(p + o + 4);
	o += ENTRY_HEAD;
	if (n - o < rl + tl + sl || e->which > AGENDA_MAXEND ||
	    (e->flags & ~ENTRY_FLAGS) != 0)
		return -1;
	e->ref = entry_str(p + o, rl);
	e->title = entry_str(p + o + rl, tl);
	e->services = sl > 0 ? entry_str(p + o + rl + tl, sl) : NULL;
	if (e->ref == NULL || e->title == NULL ||
	    (sl > 0 && e->services == NULL))
		return -1;
	*off = o + rl + tl + sl;
	return 1;
}

static void
days_free(struct agenda_days *d)
{
	size_t	i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		strbuf_free(&d->v[i].rows);
	free(d->v);
	free(d);
}

void
agenda_forget(struct store *st)
{
	days_free(st->agenda);
	st->agenda = NULL;
	st->agenda_sealed = 0;
}

/* The stored entries of day into b; -1 on a database error. */
static int
day_read(struct store *st, int32_t day, struct strbuf *b)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = store_stmt(st, SQL_AGENDA_DAY,
	    "SELECT rows FROM agenda WHERE day = ?")) == NULL)
		return -1;
	sqlite3_bind_int(s, 1, day);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		strbuf_add(b, sqlite3_column_blob(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return -1;
	}
	return b->failed ? -1 : 0;
}

/*
 * Day's entries as this transaction has them, read when first needed;
 * the day is written at commit if the caller marks it dirty.
 */
static struct agenda_day *
day_get(struct store *st, int32_t day)
{
	struct agenda_days	*d;
	struct agenda_day	*v, fresh;
	size_t			 lo, hi, mid;

	if (st->agenda == NULL &&
	    (st->agenda = calloc(1, sizeof(*st->agenda))) == NULL)
		return NULL;
	d = st->agenda;
	for (lo = 0, hi = d->n; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (d->v[mid].day == day)
			return &d->v[mid];
		if (d->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (st->agenda_sealed) {
		log_warnx("%s: day %ld was not loaded", __func__, (long)day);
		return NULL;
	}
	memset(&fresh, 0, sizeof(fresh));
	fresh.day = day;
	if (day_read(st, day, &fresh.rows) == -1) {
		strbuf_free(&fresh.rows);
		return NULL;
	}
	if (d->n == d->cap) {
		if ((v = reallocarray(d->v, d->cap ? d->cap * 2 : 64,
		    sizeof(*v))) == NULL) {
			strbuf_free(&fresh.rows);
			return NULL;
		}
		d->v = v;
		d->cap = d->cap ? d->cap * 2 : 64;
	}
	memmove(&d->v[lo + 1], &d->v[lo], (d->n - lo) * sizeof(*d->v));
	d->v[lo] = fresh;
	d->n++;
	return &d->v[lo];
}

static int
day_add(struct store *st, int32_t day, const struct agenda_entry *e)
{
	struct agenda_day	*d;

	if (day == DATE_NONE)
		return 0;
	if ((d = day_get(st, day)) == NULL || entry_put(&d->rows, e) == -1)
		return STORE_ERROR;
	d->dirty = 1;
	return 0;
}

/*
 * Where contract c's entries go (its milestones as engine_milestones
 * finds them): their days, which and flags, into p; their number.
 */
size_t
agenda_places(const struct contract *c, struct agenda_place p[AGENDA_PLACES])
{
	int32_t	 end = c->end_date, max;
	int	 ext, proc, flags = 0;
	size_t	 n = 0;

	if (end == DATE_NONE)
		return 0;
	max = c->max_end_date != DATE_NONE ? c->max_end_date : end;
	ext = end < max;
	proc = c->successor_ref == NULL || c->successor_ref[0] == '\0';
	if (ext && c->extension_notice_days < 0)
		flags |= ENTRY_EXT_DEF;
	if (proc && c->procurement_lead_days < 0 && max == end)
		flags |= ENTRY_PROC_DEF;
	p[n++] = (struct agenda_place){ end, AGENDA_END, flags };
	if (ext && c->extension_notice_days >= 0)
		p[n++] = (struct agenda_place){ end - c->extension_notice_days,
		    AGENDA_EXT, 0 };
	if (proc && c->procurement_lead_days >= 0)
		p[n++] = (struct agenda_place){ max - c->procurement_lead_days,
		    AGENDA_PROC, 0 };
	else if (proc && max != end)
		p[n++] = (struct agenda_place){ max, AGENDA_MAXEND,
		    ENTRY_PROC_DEF };
	return n;
}

/* Contract c's entry at place p. */
static void
entry_of(const struct contract *c, const struct agenda_place *p,
    struct agenda_entry *e)
{
	e->which = p->which;
	e->flags = p->flags;
	e->ref = c->ref;
	e->title = c->title;
	e->services = p->which == AGENDA_END ?
	    (c->services ? c->services : "") : NULL;
}

/* The bytes entry_put() writes of e. */
static size_t
entry_size(const struct agenda_entry *e)
{
	return ENTRY_HEAD + strlen(e->ref) + 1 + strlen(e->title) + 1 +
	    (e->services ? strlen(e->services) + 1 : 0);
}

/* Adds the entries of contract c. */
int
agenda_add(struct store *st, const struct contract *c)
{
	struct agenda_place	 p[AGENDA_PLACES];
	struct agenda_entry	 e;
	size_t			 i, n = agenda_places(c, p);

	for (i = 0; i < n; i++) {
		entry_of(c, &p[i], &e);
		if (day_add(st, p[i].day, &e) != 0)
			return STORE_ERROR;
	}
	return 0;
}

/*
 * Loads the days that contracts v[0..n) have entries on, with room for
 * those entries, and seals them (st->agenda_sealed): agenda_add then
 * reads nothing from the database and allocates nothing, so that it may
 * run on another thread while this one stores rows, and a day not loaded
 * is an error.  The caller unseals.
 */
int
agenda_preload(struct store *st, const struct contract *v, size_t n)
{
	struct agenda_place	 p[AGENDA_PLACES];
	struct agenda_entry	 e;
	struct agenda_day	*day;
	size_t			*room, i, k, m;
	int32_t			 lo = INT32_MAX, hi = INT32_MIN, d;
	int			 rc = 0;

	for (i = 0; i < n; i++)
		for (k = 0, m = agenda_places(&v[i], p); k < m; k++) {
			lo = p[k].day < lo ? p[k].day : lo;
			hi = p[k].day > hi ? p[k].day : hi;
		}
	if (lo <= hi) {
		if ((room = calloc((size_t)(hi - lo) + 1,
		    sizeof(*room))) == NULL)
			return STORE_ERROR;
		for (i = 0; i < n; i++)
			for (k = 0, m = agenda_places(&v[i], p); k < m; k++) {
				entry_of(&v[i], &p[k], &e);
				room[p[k].day - lo] += entry_size(&e);
			}
		for (d = lo; rc == 0 && d <= hi; d++) {
			if (room[d - lo] == 0)
				continue;
			if ((day = day_get(st, d)) != NULL)
				strbuf_room(&day->rows, room[d - lo]);
			(void)heap_grown();	/* before the next day's room */
			if (day == NULL || day->rows.failed)
				rc = STORE_ERROR;
		}
		free(room);
	}
	st->agenda_sealed = rc == 0;
	return rc;
}

/* Takes the entries of ref out of day. */
static int
day_remove(struct store *st, int32_t day, const char *ref)
{
	struct agenda_day	*d;
	struct strbuf		*b, keep;
	struct agenda_entry	 e;
	size_t			 off = 0, at;
	int			 rc;

	if (day == DATE_NONE)
		return 0;
	if ((d = day_get(st, day)) == NULL)
		return STORE_ERROR;
	b = &d->rows;
	memset(&keep, 0, sizeof(keep));
	for (at = 0; (rc = entry_next((unsigned char *)b->s, b->len, &off,
	    &e)) == 1; at = off) {
		if (strcmp(e.ref, ref) != 0)
			strbuf_add(&keep, b->s + at, off - at);
		else
			d->dirty = 1;
	}
	if (rc == -1 || keep.failed) {
		if (rc == -1)
			log_warnx("agenda of day %ld: not entries",
			    (long)day);
		strbuf_free(&keep);
		return STORE_ERROR;
	}
	strbuf_free(b);
	*b = keep;
	return 0;
}

/* Takes out the entries of ref at the places it had (agenda_places). */
int
agenda_remove(struct store *st, const char *ref,
    const struct agenda_place *p, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && p[j].day != p[i].day; j++)
			;
		if (j == i && day_remove(st, p[i].day, ref) != 0)
			return STORE_ERROR;
	}
	return 0;
}

static int
day_write(struct store *st, const struct agenda_day *d)
{
	sqlite3_stmt	*s;

	if (d->rows.len == 0) {
		if ((s = store_stmt(st, SQL_AGENDA_DELETE,
		    "DELETE FROM agenda WHERE day = ?")) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int(s, 1, d->day);
		return store_done(st, s, __func__);
	}
	if ((s = store_stmt(st, SQL_AGENDA_WRITE, "INSERT OR REPLACE INTO "
	    "agenda (day, rows) VALUES (?, ?)")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(s, 1, d->day);
	sqlite3_bind_blob64(s, 2, d->rows.s, d->rows.len, SQLITE_STATIC);
	return store_done(st, s, __func__);
}

/* Writes the days changed in this transaction; before its commit. */
int
agenda_flush(struct store *st)
{
	struct agenda_days	*d = st->agenda;
	size_t			 i;

	for (i = 0; d != NULL && i < d->n; i++) {
		if (st->progress != NULL && (i & 255) == 0)
			st->progress();
		if (!d->v[i].dirty)
			continue;
		if (d->v[i].rows.failed || day_write(st, &d->v[i]) != 0)
			return STORE_ERROR;
	}
	agenda_forget(st);
	return 0;
}

/*
 * A read of days for one role: the entries (role 0) or the due dates
 * counted back from them by shift days (ENTRY_EXT_DEF, ENTRY_PROC_DEF).
 */
struct agenda_cb {
	int32_t		 from;
	int		 role;
	int32_t		 shift;
	store_agenda_fn	 fn;
	void		*arg;
};

/* What entry e of day says in the read cb, into a: 1, or 0 for nothing. */
static int
agenda_role(const struct agenda_cb *cb, const struct agenda_entry *e,
    int32_t day, struct agenda_rec *a)
{
	a->ref = e->ref;
	a->title = e->title;
	a->services = e->services;
	if (cb->role != 0) {
		if (!(e->flags & cb->role))
			return 0;
		a->which = cb->role == ENTRY_EXT_DEF ? AGENDA_EXT : AGENDA_PROC;
		a->date = day - cb->shift;
		a->services = NULL;
		return 1;
	}
	/* The day before from is read for the expiries alone. */
	if (e->which == AGENDA_MAXEND ||
	    (e->which != AGENDA_END && day < cb->from))
		return 0;
	a->which = e->which;
	a->date = day;
	return 1;
}

/* One stored day: its entries, each to fn (as a struct agenda_rec). */
static int
agenda_day_row(sqlite3_stmt *s, void *arg)
{
	struct agenda_cb	*cb = arg;
	const unsigned char	*p = sqlite3_column_blob(s, 1);
	size_t			 n = (size_t)sqlite3_column_bytes(s, 1), off = 0;
	int32_t			 day = sqlite3_column_int(s, 0);
	struct agenda_entry	 e;
	struct agenda_rec	 a;
	int			 rc;

	while ((rc = entry_next(p, n, &off, &e)) == 1)
		if (agenda_role(cb, &e, day, &a) && cb->fn(cb->arg, &a) == -1)
			return -1;
	if (rc == -1)
		log_warnx("agenda of day %ld: not entries", (long)day);
	return rc;	/* 0: the rest of the days are read */
}

/*
 * The days of one read, a row at a time: at is the date the current row
 * stands for (its day less the read's shift), INT32_MAX past the last.
 */
struct agenda_cursor {
	sqlite3_stmt	*s;
	struct agenda_cb cb;
	int32_t		 at;
};

static int
cursor_step(struct store *st, struct agenda_cursor *c)
{
	int	rc;

	if ((rc = sqlite3_step(c->s)) == SQLITE_ROW) {
		c->at = sqlite3_column_int(c->s, 0) - c->cb.shift;
		return 0;
	}
	c->at = INT32_MAX;
	if (rc == SQLITE_DONE)
		return 0;
	log_warnx("store_agenda: %s", sqlite3_errmsg(st->db));
	return STORE_ERROR;
}

static int
cursor_open(struct store *st, struct agenda_cursor *c, enum store_sql id,
    int32_t lo, int32_t hi)
{
	if ((c->s = store_stmt(st, id, "SELECT day, rows FROM agenda "
	    "WHERE day BETWEEN ? AND ?")) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int(c->s, 1, lo + c->cb.shift);
	sqlite3_bind_int(c->s, 2, hi + c->cb.shift);
	return cursor_step(st, c);
}

/*
 * The three reads merged in the order of the dates they stand for, so
 * that an answer cut short at its limit of rows keeps the earliest.
 */
int
store_agenda(struct store *st, const struct agenda_window *w,
    store_agenda_fn fn, void *arg)
{
	struct agenda_cursor	 c[3] = {
		{ NULL, { w->from, 0, 0, fn, arg }, INT32_MAX },
		{ NULL, { w->from, ENTRY_EXT_DEF, w->notice, fn, arg },
		    INT32_MAX },
		{ NULL, { w->from, ENTRY_PROC_DEF, w->lead, fn, arg },
		    INT32_MAX } };
	static const enum store_sql ids[3] = { SQL_AGENDA, SQL_AGENDA_EXT,
		SQL_AGENDA_PROC };
	size_t			 i, k;
	int			 rc = 0;

	/* A term ending the day before from expires on from. */
	for (i = 0; i < 3 && rc == 0; i++)
		rc = cursor_open(st, &c[i], ids[i], i == 0 ? w->from - 1 :
		    w->from, w->to);
	while (rc == 0) {
		for (k = 0, i = 1; i < 3; i++)
			if (c[i].at < c[k].at)
				k = i;
		if (c[k].at == INT32_MAX)
			break;
		if ((rc = agenda_day_row(c[k].s, &c[k].cb)) >= 0)
			rc = cursor_step(st, &c[k]);
	}
	for (i = 0; i < 3; i++)
		if (c[i].s != NULL)
			sqlite3_reset(c[i].s);
	return rc < 0 ? STORE_ERROR : 0;
}

/* The refs of an agenda's window, each once. */
struct window {
	char	**v;
	size_t	  n, cap;
};

static int
window_ref(void *arg, const struct agenda_rec *a)
{
	struct window	*w = arg;
	char		**v;

	if (w->n == w->cap) {
		if ((v = reallocarray(w->v, w->cap ? w->cap * 2 : 256,
		    sizeof(*v))) == NULL)
			return -1;
		w->v = v;
		w->cap = w->cap ? w->cap * 2 : 256;
	}
	if ((w->v[w->n] = strdup(a->ref)) == NULL)
		return -1;
	w->n++;
	return 0;
}

static int
ref_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
store_contract_window(struct store *st, const struct agenda_window *aw,
    store_contract_fn fn, void *arg)
{
	struct window		 w = { NULL, 0, 0 };
	struct contract		 c;
	struct contract_state	 cs;
	size_t			 i;
	int			 rc = 0, found = 0;

	if (store_agenda(st, aw, window_ref, &w) < 0)
		rc = STORE_ERROR;
	if (w.n > 0)
		qsort(w.v, w.n, sizeof(*w.v), ref_cmp);
	for (i = 0; rc == 0 && i < w.n; i++) {
		if (i > 0 && strcmp(w.v[i], w.v[i - 1]) == 0)
			continue;
		contract_init(&c);
		if ((rc = store_contract_get(st, w.v[i], &c, &cs)) ==
		    STORE_FOUND) {
			found++;
			rc = fn(arg, &c, &cs) == -1 ? STORE_ERROR : 0;
		} else if (rc == STORE_NOTFOUND) {
			log_warnx("%s: %s is in the agenda, not stored",
			    __func__, w.v[i]);
			rc = 0;
		}
		contract_free(&c);
	}
	for (i = 0; i < w.n; i++)
		free(w.v[i]);
	free(w.v);
	return rc < 0 ? STORE_ERROR : found;
}

/* One contract's row into the agenda being built again. */
static int
rebuild_row(sqlite3_stmt *s, void *arg)
{
	struct store		*st = arg;
	struct contract		 c;
	const char		*t;

	contract_init(&c);
	t = (const char *)sqlite3_column_text(s, 0);
	if (t == NULL || strlen(t) > CONTRACT_REF_MAX)
		return 0;
	memcpy(c.ref, t, strlen(t) + 1);
	/* The strings stay the statement's: c is not freed. */
	c.title = (char *)sqlite3_column_text(s, 1);
	c.services = (char *)sqlite3_column_text(s, 2);
	c.successor_ref = (char *)sqlite3_column_text(s, 3);
	c.end_date = c.max_end_date = DATE_NONE;
	if ((t = (const char *)sqlite3_column_text(s, 4)) != NULL)
		(void)date_parse(t, &c.end_date);
	if ((t = (const char *)sqlite3_column_text(s, 5)) != NULL)
		(void)date_parse(t, &c.max_end_date);
	if (sqlite3_column_type(s, 6) != SQLITE_NULL)
		c.extension_notice_days = sqlite3_column_int(s, 6);
	if (sqlite3_column_type(s, 7) != SQLITE_NULL)
		c.procurement_lead_days = sqlite3_column_int(s, 7);
	if (c.title == NULL)
		return 0;
	return agenda_add(st, &c) == 0 ? 0 : -1;
}

/*
 * The agenda made anew from every contract's row, in the caller's
 * transaction: by migrations 4 and 6.
 */
static int
agenda_rebuild(struct store *st)
{
	sqlite3_stmt	*s;
	int		 rc;

	agenda_forget(st);
	if (store_exec(st, "DELETE FROM agenda") == -1)
		return STORE_ERROR;
	if (sqlite3_prepare_v2(st->db, "SELECT ref, title, services, "
	    "successor_ref, end_date, max_end_date, extension_notice_days, "
	    "procurement_lead_days FROM contracts", -1, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(st->db));
		return STORE_ERROR;
	}
	rc = store_rows(st, s, rebuild_row, st, __func__);
	sqlite3_finalize(s);
	if (rc < 0 || agenda_flush(st) != 0)
		return STORE_ERROR;
	return 0;
}

/* Migration 4: the agenda from the rows; the date indexes it replaces go. */
int
agenda_migrate(struct store *st)
{
	if (agenda_rebuild(st) != 0)
		return -1;
	return store_exec(st, "DROP INDEX contracts_end;"
	    "DROP INDEX contracts_ext_due; DROP INDEX contracts_proc_due;");
}

/* Migration 6: the days again, in entries that follow the defaults. */
int
agenda_migrate_defaults(struct store *st)
{
	return agenda_rebuild(st) != 0 ? -1 : 0;
}

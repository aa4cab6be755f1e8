/*
 * The OCDS mapping: a release's awards as contracts (contractctl(8),
 * "OCDS"), and the timestamps it reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "ocds.h"
#include "text.h"

#define OCDS_REASON_MAX	(CONTRACT_ERRLEN + 96)

int
ocds_day(const char *ts, int32_t *day)
{
	char	 d[11];

	if (ts == NULL || strlen(ts) < 10 || (ts[10] != '\0' &&
	    ts[10] != 'T' && ts[10] != 't' && ts[10] != ' '))
		return -1;
	memcpy(d, ts, 10);
	d[10] = '\0';
	return date_parse(d, day);
}

/* "+HH:MM", "-HH:MM", "Z" or nothing: seconds east of UTC; -1 if bad. */
static int
tz_offset(const char *p, long *off)
{
	int	h, m, n = 0;

	if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
		*off = 0;
		return 0;
	}
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d:%2d%n", &h, &m,
	    &n) != 2 || p[1 + n] != '\0' || h > 23 || m > 59)
		return -1;
	*off = (*p == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

int64_t
ocds_instant(const char *ts)
{
	int32_t	 day;
	int	 h = 0, m = 0, s = 0, n = 0;
	long	 off;
	const char *p;

	if (ocds_day(ts, &day) == -1)
		return OCDS_DATE_NONE;
	p = ts + 10;
	if (*p != '\0') {
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &m, &s, &n) != 3 ||
		    h > 23 || m > 59 || s > 60)
			return OCDS_DATE_NONE;
		p += 1 + n;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (tz_offset(p, &off) == -1)
		return OCDS_DATE_NONE;
	/* Day numbers count from the epoch (dates.h). */
	return (int64_t)day * 86400 + h * 3600 + m * 60 + s - off;
}

static const char *
str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* An id: a string, or an integer written out. */
static const char *
id_of(json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return json_string_value(v);
}

/* The buyer: the party whose roles include buyer, else buyer.id's. */
static json_t *
buyer_party(json_t *rel)
{
	json_t		*parties = json_object_get(rel, "parties"), *p, *r;
	const char	*id;
	char		 b1[32], b2[32];
	size_t		 i, j;

	json_array_foreach(parties, i, p) {
		json_array_foreach(json_object_get(p, "roles"), j, r) {
			if (json_is_string(r) &&
			    strcmp(json_string_value(r), "buyer") == 0)
				return p;
		}
	}
	if ((id = id_of(json_object_get(json_object_get(rel, "buyer"), "id"),
	    b1, sizeof(b1))) == NULL)
		return NULL;
	json_array_foreach(parties, i, p) {
		const char *pid = id_of(json_object_get(p, "id"), b2,
		    sizeof(b2));

		if (pid != NULL && strcmp(pid, id) == 0)
			return p;
	}
	return NULL;
}

/*
 * The period: the award's contractPeriod, else that of the contract
 * whose awardID is the award's, else the tender's; the first of these
 * that gives an end date.
 */
static json_t *
period_of(json_t *rel, json_t *award, const char *ref)
{
	json_t		*p, *c;
	const char	*aid;
	char		 buf[32];
	size_t		 i;

	p = json_object_get(award, "contractPeriod");
	if (str_at(p, "endDate") != NULL)
		return p;
	json_array_foreach(json_object_get(rel, "contracts"), i, c) {
		aid = id_of(json_object_get(c, "awardID"), buf, sizeof(buf));
		p = json_object_get(c, "period");
		if (aid != NULL && strcmp(aid, ref) == 0 &&
		    str_at(p, "endDate") != NULL)
			return p;
	}
	p = json_object_get(json_object_get(rel, "tender"), "contractPeriod");
	return str_at(p, "endDate") != NULL ? p : NULL;
}

/* The award notice's URL: a document of type awardNotice, the award's
 * else the tender's. */
static const char *
notice_url(json_t *rel, json_t *award)
{
	json_t		*lists[2], *d;
	size_t		 i, k;

	lists[0] = json_object_get(award, "documents");
	lists[1] = json_object_get(json_object_get(rel, "tender"),
	    "documents");
	for (k = 0; k < 2; k++) {
		json_array_foreach(lists[k], i, d) {
			const char *t = str_at(d, "documentType");

			if (t != NULL && strcmp(t, "awardNotice") == 0 &&
			    str_at(d, "url") != NULL)
				return str_at(d, "url");
		}
	}
	return NULL;
}

/* One field set; its failure named in why. */
static int
set(struct contract *c, const char *name, const char *v, char *why,
    size_t len)
{
	char	err[CONTRACT_ERRLEN];

	if (v == NULL || contract_set_field(c, name, v, err, sizeof(err)) == 0)
		return 0;
	snprintf(why, len, "%s: %s", name, err);
	return -1;
}

/* A date field from a timestamp, as written. */
static int
set_day(struct contract *c, const char *name, const char *ts, char *why,
    size_t len)
{
	char	 buf[DATE_STRLEN];
	int32_t	 day;

	if (ts == NULL)
		return 0;
	if (ocds_day(ts, &day) == -1) {
		text_excerpt(ts, strlen(ts), buf, sizeof(buf));
		snprintf(why, len, "%s: not a timestamp: %s", name, buf);
		return -1;
	}
	return set(c, name, date_format(day, buf), why, len);
}

static const char *
kind_of(json_t *rel)
{
	json_t	*t = json_object_get(json_object_get(rel, "tender"),
	    "techniques");

	if (json_is_true(json_object_get(t, "hasDynamicPurchasingSystem")))
		return "dps";
	if (json_is_true(json_object_get(t, "hasFrameworkAgreement")))
		return "framework";
	return "contract";
}

/* The suppliers' names, joined by "; ". */
static int
set_suppliers(struct contract *c, json_t *award, char *why, size_t len)
{
	struct strbuf	 b;
	json_t		*s;
	const char	*name;
	size_t		 i;
	int		 rc;

	memset(&b, 0, sizeof(b));
	json_array_foreach(json_object_get(award, "suppliers"), i, s) {
		if ((name = str_at(s, "name")) == NULL || *name == '\0')
			continue;
		if (b.len > 0)
			strbuf_puts(&b, "; ");
		strbuf_puts(&b, name);
	}
	if (b.failed) {
		snprintf(why, len, "out of memory");
		rc = -1;
	} else
		rc = b.len > 0 ? set(c, "supplier", b.s, why, len) : 0;
	strbuf_free(&b);
	return rc;
}

/* The award's value, when in pounds: whole pounds and pence. */
static void
set_value(struct contract *c, json_t *award)
{
	json_t	*v = json_object_get(award, "value"), *a;
	char	 buf[64], err[CONTRACT_ERRLEN];
	const char *cur = str_at(v, "currency");

	a = json_object_get(v, "amount");
	if (cur == NULL || strcmp(cur, "GBP") != 0 || !json_is_number(a))
		return;
	if (json_is_integer(a))
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(a));
	else
		snprintf(buf, sizeof(buf), "%.2f", json_real_value(a));
	/* A negative or absurd amount is left out, not the award. */
	(void)contract_set_field(c, "value", buf, err, sizeof(err));
}

static int
set_notes(struct contract *c, json_t *rel, json_t *award, const char *ocid,
    char *why, size_t len)
{
	const char	*url = notice_url(rel, award);
	char		*s;
	int		 rc;

	if (*ocid == '\0' && url == NULL)
		return 0;
	if (asprintf(&s, "%s%s%s", ocid, *ocid && url ? " " : "",
	    url ? url : "") == -1) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	rc = set(c, "notes", s, why, len);
	free(s);
	return rc;
}

/* The period's dates; max_end_date only when later than the end. */
static int
set_period(struct contract *c, json_t *p, char *why, size_t len)
{
	int32_t	 end, max;

	if (p == NULL) {
		snprintf(why, len, "no end date (the award's, its contract's "
		    "or the tender's contractPeriod.endDate)");
		return -1;
	}
	if (set_day(c, "start_date", str_at(p, "startDate"), why, len) ==
	    -1 || set_day(c, "end_date", str_at(p, "endDate"), why, len) == -1)
		return -1;
	if (str_at(p, "maxExtentDate") == NULL)
		return 0;
	if (ocds_day(str_at(p, "maxExtentDate"), &max) == -1)
		return set_day(c, "max_end_date", str_at(p, "maxExtentDate"),
		    why, len);
	end = c->end_date;
	return max > end ? set_day(c, "max_end_date", str_at(p,
	    "maxExtentDate"), why, len) : 0;
}

/* The award as contract c: 0, or -1 with the reason in why. */
static int
map_award(json_t *rel, json_t *award, const char *ref, const char *ocid,
    struct contract *c, char *why, size_t len)
{
	json_t		*buyer = buyer_party(rel), *cp;
	const char	*title = str_at(award, "title"), *field = NULL;
	char		 err[CONTRACT_ERRLEN];

	if (title == NULL || *title == '\0')
		title = str_at(json_object_get(rel, "tender"), "title");
	cp = json_object_get(buyer, "contactPoint");
	if (set(c, "ref", ref, why, len) == -1 ||
	    set(c, "title", title, why, len) == -1 ||
	    set(c, "kind", kind_of(rel), why, len) == -1 ||
	    set_suppliers(c, award, why, len) == -1 ||
	    set(c, "owner_name", str_at(cp, "name"), why, len) == -1 ||
	    set(c, "owner_email", str_at(cp, "email"), why, len) == -1 ||
	    set_period(c, period_of(rel, award, ref), why, len) == -1 ||
	    set_notes(c, rel, award, ocid, why, len) == -1)
		return -1;
	set_value(c, award);
	if (contract_check(c, &field, err, sizeof(err)) == -1) {
		snprintf(why, len, "%s: %s", field ? field : "contract", err);
		return -1;
	}
	return 0;
}

/* Whether the award counts: its status active, or none. */
static int
award_active(json_t *award)
{
	const char	*s = str_at(award, "status");

	return json_is_object(award) && (s == NULL || strcmp(s, "active") ==
	    0);
}

static int
map_one(json_t *rel, json_t *award, struct ocds_row *row, ocds_row_fn fn,
    void *arg)
{
	struct contract	 c;
	char		 why[OCDS_REASON_MAX], full[OCDS_REASON_MAX + 64];
	char		 idbuf[32], r[40];
	int		 rc;

	row->ref = id_of(json_object_get(award, "id"), idbuf, sizeof(idbuf));
	row->c = NULL;
	row->reason = full;
	contract_init(&c);
	if (row->ref == NULL || *row->ref == '\0') {
		row->ref = NULL;
		snprintf(full, sizeof(full), "an active award without an id");
	} else if (map_award(rel, award, row->ref, row->ocid, &c, why,
	    sizeof(why)) == 0) {
		row->c = &c;
		row->reason = NULL;
	} else {
		/* The reason names the award, since a release has several. */
		text_excerpt(row->ref, strlen(row->ref), r, sizeof(r));
		snprintf(full, sizeof(full), "award %s: %s", r, why);
	}
	rc = fn(arg, row);
	contract_free(&c);
	return rc;
}

int
ocds_map(json_t *rel, ocds_row_fn fn, void *arg)
{
	struct ocds_row	 row;
	json_t		*award;
	size_t		 i, n = 0;

	memset(&row, 0, sizeof(row));
	row.ocid = str_at(rel, "ocid");
	row.ocid = row.ocid ? row.ocid : "";
	row.date = ocds_instant(str_at(rel, "date"));
	json_array_foreach(json_object_get(rel, "awards"), i, award) {
		if (!award_active(award))
			continue;
		n++;
		if (map_one(rel, award, &row, fn, arg) == -1)
			return -1;
	}
	if (n > 0)
		return 0;
	row.reason = "no active award (a planning or tender release)";
	return fn(arg, &row);
}

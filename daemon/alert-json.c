/*
 * The alert payload.  Keys are packed in the order notifier.h lists them,
 * and the text keeps that order: the generic webhook body is this text,
 * and receivers see the same bytes for the same alert.
 */
#include <stdlib.h>

#include "alert-json.h"
#include "contract-json.h"
#include "dates.h"

static json_t *
iso_utc(time_t t)
{
	struct tm	tm;
	char		buf[32];

	if (gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *
alert_json(const struct contract *c, const struct alert *a,
    const struct alert_firing *f)
{
	char	 key[ALERT_KEYLEN], local[DATE_ISOLEN];
	int32_t	 today = a->due;
	json_t	*o;

	engine_alert_key(c->ref, a, key, sizeof(key));
	(void)date_of_instant(f->now, f->tz, &today);
	if (date_format_local(a->fire, f->tz, local, sizeof(local)) == -1)
		local[0] = '\0';
	/* json_pack takes the references given to "o", even on error. */
	o = json_pack("{s:s, s:s, s:o, s:s, s:o, s:i, s:i, s:b, s:b, s:o, "
	    "s:s, s:o, s:o}",
	    "type", "contract.alert",
	    "key", key,
	    "contract", contract_to_json(c),
	    "milestone", milestone_name(a->kind),
	    "due", date_json(a->due),
	    "offset_days", a->offset,
	    "days_left", (int)(a->due - today),
	    "late", f->late,
	    "lapsed_extension", f->lapsed_extension,
	    "extension_available_until", c->end_date < c->max_end_date ?
	    date_json(c->max_end_date) : json_null(),
	    "fire_at", local,
	    "fired_at", iso_utc(f->now),
	    "uncovered", *f->uncovered ? json_string(f->uncovered) :
	    json_null());
	/* Only an overdue alert has the key: the others read as before. */
	if (o != NULL && f->overdue_days > 0 && json_object_set_new(o,
	    "overdue_days", json_integer(f->overdue_days)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
alert_json_test(const char *key, time_t now, const char *tz)
{
	int32_t	 today = 0;

	(void)date_of_instant(now, tz, &today);
	return json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:i, s:i, s:b, "
	    "s:b, s:o}", "type", "contract.test", "key", key,
	    "contract", "ref", "TEST", "title", "contractd test alert",
	    "milestone", "test", "due", date_json(today), "offset_days", 0,
	    "days_left", 0, "late", 0, "lapsed_extension", 0,
	    "fired_at", iso_utc(now));
}

json_t *
alert_json_digest_item(json_t *contract, const struct contract *c,
    const struct milestone *m, int32_t today, int acked, int overdue_days)
{
	json_t	*o;

	o = json_pack("{s:s, s:O, s:s, s:o, s:i, s:b, s:o}",
	    "type", "contract.milestone",
	    "contract", contract,
	    "milestone", milestone_name(m->kind),
	    "due", date_json(m->due),
	    "days_left", (int)(m->due - today),
	    "acked", acked,
	    "extension_available_until", c->end_date < c->max_end_date ?
	    date_json(c->max_end_date) : json_null());
	if (o != NULL && overdue_days > 0 && json_object_set_new(o,
	    "overdue_days", json_integer(overdue_days)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
alert_json_digest(const struct alert_digest *dg, json_t *milestones)
{
	int32_t	 today = 0;

	(void)date_of_instant(dg->now, dg->tz, &today);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:i, s:o, s:o}",
	    "type", "contract.digest",
	    "key", dg->key,
	    "recipient", dg->recipient,
	    "week", dg->week,
	    "date", date_json(today),
	    "horizon_days", dg->horizon_days,
	    "fired_at", iso_utc(dg->now),
	    "milestones", milestones);
}

char *
alert_json_text(json_t *o)
{
	char	*s;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

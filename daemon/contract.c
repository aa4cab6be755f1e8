/*
 * The contract record (DESIGN section 5): one table of fields, each with
 * its own parse and format functions, and the whole-record rules.
 *
 * Strings are stored as given (a notify list keeps its spaces); whoever
 * splits a list trims its items.  Every string is valid UTF-8 without
 * control characters other than tab, so it can go into JSON, a mail header
 * or the log as it is.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "dates.h"
#include "text.h"

#define TEXT_MAX	4096	/* bytes in any string field */
#define DAYS_MAX	3650
#define VALUE_DIGITS	15	/* whole pounds: pence still fit an int64 */
#define SHOW_MAX	64	/* bytes of a bad value quoted in a message */

struct field {
	const char	*name;
	size_t		 off;
	int		(*set)(struct contract *, const struct field *,
			    const char *, char *, size_t);
	void		(*get)(const struct contract *, const struct field *,
			    char *, size_t);
	/* For strings: the rule beyond UTF-8 text; NULL for free text. */
	int		(*valid)(const char *, char *, size_t);
};

const char *const contract_fields[] = {
	"ref", "title", "kind", "supplier", "owner_name", "owner_email",
	"notify", "start_date", "end_date", "max_end_date",
	"extension_notice_days", "procurement_lead_days", "successor_ref",
	"services", "value", "notes", "closed_on", "closed_reason", NULL
};

static const char *const kind_names[] = {
	[CK_CONTRACT] = "contract",
	[CK_FRAMEWORK] = "framework",
	[CK_DPS] = "dps",
	[CK_CALL_OFF] = "call-off",
};
#define NKINDS	(sizeof(kind_names) / sizeof(kind_names[0]))

static char **
str_at(struct contract *c, const struct field *f)
{
	return ((char **)((char *)c + f->off));
}

static char *const *
cstr_at(const struct contract *c, const struct field *f)
{
	return ((char *const *)((const char *)c + f->off));
}

static int
is_control(unsigned char ch)
{
	return ((ch < 0x20 && ch != '\t') || ch == 0x7f);
}

/* Writes "what: value" to err and returns -1. */
static int
bad(char *err, size_t errlen, const char *what, const char *v, size_t n)
{
	char	 buf[SHOW_MAX + 4];

	text_excerpt(v, n, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, buf);
	return (-1);
}

/* Every string field: bounded, UTF-8, no control characters but tab. */
static int
valid_text(const char *v, char *err, size_t errlen)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 i, k, n = strlen(v);

	if (n > TEXT_MAX) {
		snprintf(err, errlen, "too long: %zu bytes (at most %d)", n,
		    TEXT_MAX);
		return (-1);
	}
	for (i = 0; i < n; i += k) {
		if (is_control(s[i])) {
			snprintf(err, errlen, "control character 0x%02x at "
			    "byte %zu", s[i], i + 1);
			return (-1);
		}
		if ((k = utf8_len(s + i, n - i)) == 0) {
			snprintf(err, errlen, "not UTF-8 at byte %zu", i + 1);
			return (-1);
		}
	}
	return (0);
}

/* Spaces and the characters that would end an address in a header. */
static int
email_char(unsigned char ch)
{
	switch (ch) {
	case '<': case '>': case ',': case ';': case '"':
	case '(': case ')': case '[': case ']': case '\\':
		return (0);
	}
	return (ch > ' ' && ch != 0x7f);
}

/* One '@' between non-empty parts, and only email_char characters. */
static int
email_ok(const char *s, size_t n)
{
	const char	*at;
	size_t		 i;

	if ((at = memchr(s, '@', n)) == NULL || at == s || at == s + n - 1)
		return (0);
	if (memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL)
		return (0);
	for (i = 0; i < n; i++) {
		if (!email_char((unsigned char)s[i]))
			return (0);
	}
	return (1);
}

static int
valid_email(const char *v, char *err, size_t errlen)
{
	if (!email_ok(v, strlen(v)))
		return (bad(err, errlen, "not an email address", v,
		    strlen(v)));
	return (0);
}

static int
is_space(char ch)
{
	return (ch == ' ' || ch == '\t');
}

int
contract_list_next(const char **p, const char **item, size_t *len)
{
	const char	*s = *p, *next, *e;

	if (s == NULL)
		return (0);
	if ((next = strchr(s, ';')) == NULL)
		next = s + strlen(s);
	e = next;
	while (s < e && is_space(*s))
		s++;
	while (e > s && is_space(e[-1]))
		e--;
	*item = s;
	*len = (size_t)(e - s);
	*p = *next == '\0' ? NULL : next + 1;
	return (1);
}

int
contract_service_next(const char **p, const char **svc, size_t *len)
{
	while (contract_list_next(p, svc, len))
		if (*len > 0)
			return (1);
	return (0);
}

int
contract_service_first(const char *all, const char *svc, size_t len)
{
	const char	*it;
	size_t		 n;

	while (contract_service_next(&all, &it, &n) && it < svc)
		if (n == len && memcmp(it, svc, len) == 0)
			return (0);
	return (1);
}

/*
 * Calls item() on each ';'-separated item of v, spaces around it trimmed;
 * stops at the first that fails.
 */
static int
each_item(const char *v, int (*item)(const char *, size_t, const char *,
    char *, size_t), char *err, size_t errlen)
{
	const char	*p = v, *it;
	size_t		 n;

	while (contract_list_next(&p, &it, &n))
		if (item(it, n, v, err, errlen) == -1)
			return (-1);
	return (0);
}

static int
notify_item(const char *s, size_t n, const char *all, char *err,
    size_t errlen)
{
	if (n == 0)
		return (bad(err, errlen, "empty address in list", all,
		    strlen(all)));
	if (!email_ok(s, n))
		return (bad(err, errlen, "not an email address", s, n));
	return (0);
}

static int
valid_notify(const char *v, char *err, size_t errlen)
{
	return (each_item(v, notify_item, err, errlen));
}

/* Empty items are allowed: the engine drops them. */
static int
service_item(const char *s, size_t n, const char *all, char *err,
    size_t errlen)
{
	size_t	 i;

	(void)all;
	for (i = 0; i < n; i++) {
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '.' && s[i] != '_' && s[i] != ':' && s[i] != '-')
			return (bad(err, errlen, "not a service key "
			    "(A-Za-z0-9._:-)", s, n));
	}
	return (0);
}

static int
valid_services(const char *v, char *err, size_t errlen)
{
	return (each_item(v, service_item, err, errlen));
}

static int
valid_ref(const char *v, char *err, size_t errlen)
{
	if (!contract_ref_valid(v))
		return (bad(err, errlen, "not a ref (1-64 of A-Za-z0-9._/-)",
		    v, strlen(v)));
	return (0);
}

static size_t
digits(const char *s)
{
	size_t	 n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return (n);
}

/* Whole pounds and at most two decimals: "1250000", "1250000.50". */
static int
valid_value(const char *v, char *err, size_t errlen)
{
	size_t	 n, frac = 0;

	n = digits(v);
	if (v[n] == '.')
		frac = digits(v + n + 1);
	if (n == 0 || n > VALUE_DIGITS ||
	    (v[n] == '.' && (frac == 0 || frac > 2)) ||
	    v[n + (v[n] == '.' ? frac + 1 : 0)] != '\0')
		return (bad(err, errlen, "not an amount (digits, at most 2 "
		    "decimal places)", v, strlen(v)));
	return (0);
}

static int
set_ref(struct contract *c, const struct field *f, const char *v, char *err,
    size_t errlen)
{
	(void)f;
	if (*v != '\0' && valid_ref(v, err, errlen) == -1)
		return (-1);
	/* contract_ref_valid bounds the length to CONTRACT_REF_MAX. */
	memcpy(c->ref, v, strlen(v) + 1);
	return (0);
}

static int
set_str(struct contract *c, const struct field *f, const char *v, char *err,
    size_t errlen)
{
	char	**sp = str_at(c, f), *p = NULL;

	if (*v != '\0') {
		if (valid_text(v, err, errlen) == -1)
			return (-1);
		if (f->valid != NULL && f->valid(v, err, errlen) == -1)
			return (-1);
		if ((p = strdup(v)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
	}
	free(*sp);
	*sp = p;
	return (0);
}

static int
set_kind(struct contract *c, const struct field *f, const char *v,
    char *err, size_t errlen)
{
	enum contract_kind	 k = CK_CONTRACT;

	(void)f;
	if (*v != '\0' && contract_kind_parse(v, &k) == -1)
		return (bad(err, errlen, "not a kind (contract, framework, "
		    "dps, call-off)", v, strlen(v)));
	c->kind = k;
	return (0);
}

static int
set_date(struct contract *c, const struct field *f, const char *v,
    char *err, size_t errlen)
{
	int32_t	*dp = (int32_t *)((char *)c + f->off), day = DATE_NONE;

	if (*v != '\0' && date_parse(v, &day) == -1)
		return (bad(err, errlen, "not a date (YYYY-MM-DD)", v,
		    strlen(v)));
	*dp = day;
	return (0);
}

static int
set_days(struct contract *c, const struct field *f, const char *v,
    char *err, size_t errlen)
{
	int	*ip = (int *)((char *)c + f->off), days = 0;
	size_t	 i;

	if (*v == '\0') {
		*ip = -1;
		return (0);
	}
	for (i = 0; v[i] >= '0' && v[i] <= '9' && days <= DAYS_MAX; i++)
		days = days * 10 + (v[i] - '0');
	if (v[i] != '\0' || days > DAYS_MAX) {
		char	 what[64];

		snprintf(what, sizeof(what), "not a number of days (0-%d)",
		    DAYS_MAX);
		return (bad(err, errlen, what, v, strlen(v)));
	}
	*ip = days;
	return (0);
}

static void
get_ref(const struct contract *c, const struct field *f, char *buf,
    size_t len)
{
	(void)f;
	snprintf(buf, len, "%s", c->ref);
}

static void
get_str(const struct contract *c, const struct field *f, char *buf,
    size_t len)
{
	const char	*s = *cstr_at(c, f);

	snprintf(buf, len, "%s", s != NULL ? s : "");
}

static void
get_kind(const struct contract *c, const struct field *f, char *buf,
    size_t len)
{
	(void)f;
	snprintf(buf, len, "%s", contract_kind_name(c->kind));
}

static void
get_date(const struct contract *c, const struct field *f, char *buf,
    size_t len)
{
	int32_t	 day = *(const int32_t *)((const char *)c + f->off);
	char	 s[DATE_STRLEN];

	snprintf(buf, len, "%s", day == DATE_NONE ? "" : date_format(day, s));
}

static void
get_days(const struct contract *c, const struct field *f, char *buf,
    size_t len)
{
	int	 days = *(const int *)((const char *)c + f->off);

	if (days < 0)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%d", days);
}

#define OFF(f)	offsetof(struct contract, f)
#define REF(f)	OFF(f), set_ref, get_ref, NULL
#define STR(f, v) OFF(f), set_str, get_str, v
#define KIND(f)	OFF(f), set_kind, get_kind, NULL
#define DATE(f)	OFF(f), set_date, get_date, NULL
#define DAYS(f)	OFF(f), set_days, get_days, NULL

/* In DESIGN order, the same as contract_fields: field_find counts on it. */
static const struct field fields[] = {
	{ "ref",			REF(ref) },
	{ "title",			STR(title, NULL) },
	{ "kind",			KIND(kind) },
	{ "supplier",			STR(supplier, NULL) },
	{ "owner_name",			STR(owner_name, NULL) },
	{ "owner_email",		STR(owner_email, valid_email) },
	{ "notify",			STR(notify, valid_notify) },
	{ "start_date",			DATE(start_date) },
	{ "end_date",			DATE(end_date) },
	{ "max_end_date",		DATE(max_end_date) },
	{ "extension_notice_days",	DAYS(extension_notice_days) },
	{ "procurement_lead_days",	DAYS(procurement_lead_days) },
	{ "successor_ref",		STR(successor_ref, valid_ref) },
	{ "services",			STR(services, valid_services) },
	{ "value",			STR(value, valid_value) },
	{ "notes",			STR(notes, NULL) },
	{ "closed_on",			DATE(closed_on) },
	{ "closed_reason",		STR(closed_reason, NULL) },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const struct field *
field_find(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return (NULL);
	/* The importer passes names from contract_fields: no compares. */
	for (i = 0; i < NFIELDS; i++) {
		if (name == contract_fields[i])
			return (&fields[i]);
	}
	for (i = 0; i < NFIELDS; i++) {
		if (strcmp(fields[i].name, name) == 0)
			return (&fields[i]);
	}
	return (NULL);
}

void
contract_init(struct contract *c)
{
	memset(c, 0, sizeof(*c));
	c->kind = CK_CONTRACT;
	c->start_date = c->end_date = c->max_end_date = DATE_NONE;
	c->closed_on = DATE_NONE;
	c->extension_notice_days = c->procurement_lead_days = -1;
}

/* Frees the strings it owns and leaves c as contract_init does. */
void
contract_free(struct contract *c)
{
	size_t	 i;

	for (i = 0; i < NFIELDS; i++) {
		if (fields[i].set == set_str)
			free(*str_at(c, &fields[i]));
	}
	contract_init(c);
}

int
contract_copy(struct contract *dst, const struct contract *src)
{
	size_t	 i;

	*dst = *src;
	for (i = 0; i < NFIELDS; i++) {
		if (fields[i].set == set_str)
			*str_at(dst, &fields[i]) = NULL;
	}
	for (i = 0; i < NFIELDS; i++) {
		const char	*s;

		if (fields[i].set != set_str ||
		    (s = *cstr_at(src, &fields[i])) == NULL)
			continue;
		if ((*str_at(dst, &fields[i]) = strdup(s)) == NULL) {
			contract_free(dst);
			return (-1);
		}
	}
	return (0);
}

int
contract_field_known(const char *name)
{
	return (field_find(name) != NULL);
}

int
contract_set_field(struct contract *c, const char *name, const char *value,
    char *err, size_t errlen)
{
	const struct field	*f;

	if ((f = field_find(name)) == NULL)
		return (bad(err, errlen, "unknown field", name != NULL ? name :
		    "", name != NULL ? strlen(name) : 0));
	return (f->set(c, f, value != NULL ? value : "", err, errlen));
}

int
contract_get_field(const struct contract *c, const char *name, char *buf,
    size_t len)
{
	const struct field	*f;

	if ((f = field_find(name)) == NULL)
		return (-1);
	f->get(c, f, buf, len);
	return (0);
}

/* Writes "a X is before b Y" to err, names a in *field; returns -1. */
static int
before(const char *a, int32_t da, const char *b, int32_t db,
    const char **field, char *err, size_t errlen)
{
	char	 sa[DATE_STRLEN], sb[DATE_STRLEN];

	*field = a;
	snprintf(err, errlen, "%s %s is before %s %s", a, date_format(da, sa),
	    b, date_format(db, sb));
	return (-1);
}

static int
missing(const char *name, const char **field, char *err, size_t errlen)
{
	*field = name;
	snprintf(err, errlen, "%s is required", name);
	return (-1);
}

/* A closed contract ends on the day it was closed (cmd-close.c). */
static int
closed_check(const struct contract *c, const char **field, char *err,
    size_t errlen)
{
	char	 a[DATE_STRLEN], b[DATE_STRLEN];

	if (c->closed_on == DATE_NONE && c->closed_reason != NULL) {
		*field = "closed_reason";
		snprintf(err, errlen, "closed_reason is given without "
		    "closed_on");
		return (-1);
	}
	if (c->closed_on != DATE_NONE && c->closed_on != c->end_date) {
		*field = "closed_on";
		snprintf(err, errlen, "closed_on %s is not end_date %s: a "
		    "closed contract ends on the day it was closed",
		    date_format(c->closed_on, a), date_format(c->end_date, b));
		return (-1);
	}
	return (0);
}

int
contract_check(struct contract *c, const char **field, char *err,
    size_t errlen)
{
	const char	*dummy;

	if (field == NULL)
		field = &dummy;
	*field = NULL;
	if (c->ref[0] == '\0')
		return (missing("ref", field, err, errlen));
	if (c->title == NULL)
		return (missing("title", field, err, errlen));
	if (c->end_date == DATE_NONE)
		return (missing("end_date", field, err, errlen));
	if (c->start_date != DATE_NONE && c->end_date < c->start_date)
		return (before("end_date", c->end_date, "start_date",
		    c->start_date, field, err, errlen));
	if (c->max_end_date != DATE_NONE && c->max_end_date < c->end_date)
		return (before("max_end_date", c->max_end_date, "end_date",
		    c->end_date, field, err, errlen));
	if (c->successor_ref != NULL && strcmp(c->successor_ref, c->ref) == 0) {
		*field = "successor_ref";
		return (bad(err, errlen, "successor_ref is the contract itself",
		    c->ref, strlen(c->ref)));
	}
	if (closed_check(c, field, err, errlen) == -1)
		return (-1);
	if (c->max_end_date == DATE_NONE)
		c->max_end_date = c->end_date;
	return (0);
}

const char *
contract_kind_name(enum contract_kind k)
{
	if ((size_t)k >= NKINDS)
		return ("unknown");
	return (kind_names[k]);
}

int
contract_kind_parse(const char *s, enum contract_kind *k)
{
	size_t	 i;

	for (i = 0; s != NULL && i < NKINDS; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum contract_kind)i;
			return (0);
		}
	}
	return (-1);
}

int
contract_ref_valid(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return (0);
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-");
	return (n >= 1 && n <= CONTRACT_REF_MAX && s[n] == '\0');
}

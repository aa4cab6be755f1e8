/*
 * engine-oracle: the milestones and alerts the engine derives of a CSV
 * import, for the property test of agenda and simulate
 * (tests/integration/test_agenda_property.py).  Not a cmocka test: the
 * test runs it on the file it imports and compares the daemon's answers.
 *
 *	engine-oracle [-t today] [-H holidays] [-W yes|no] [-n notice] [-l lead]
 *	    [-z timezone] [-T HH:MM] [-o kind=days,...]... FILE
 *
 * The options are the settings of the daemon's config, with its defaults
 * (alert_conf_defaults): -H [daemon] holidays, -W working_days_only, -z
 * timezone, -T alert_time; -n and -l the [alerts] extension_notice_days
 * and procurement_lead_days; -o one [alerts] offset list ("expired=" for
 * none).
 *
 * FILE is read as an import reads it (csv_contracts).  Coverage is
 * answered from all its contracts, as the store does: service svc is
 * covered on day by a contract other than ref that lists it, with
 * start_date <= day <= end_date, a missing start_date being no bound.  A
 * successor_ref counts only if a contract of the file has that ref
 * (DESIGN section 7).  With -t (YYYY-MM-DD), each milestone says how
 * many days it is overdue on that day (engine_overdue; 0 if it is not).
 *
 * Prints one JSON object a line: each contract's milestones, then its
 * alerts, in the engine's order,
 *	{"type":"milestone","ref":R,"title":T,"milestone":K,"due":D,
 *	    "overdue_days":N}
 *	{"type":"alert","contract":R,"milestone":K,"due":D,"offset_days":N,
 *	    "date":D,"fire_at":"2025-03-31T09:00:00+01:00"}
 * Exits 1 with a message on bad input.
 */

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "contract.h"
#include "csv.h"
#include "dates.h"
#include "engine.h"

struct oracle {
	struct contract	*v;
	size_t		 n;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: engine-oracle [-t today] [-H holidays] "
	    "[-W yes|no] [-n notice] [-l lead] [-z timezone] [-T HH:MM] "
	    "[-o kind=days,...]... FILE\n");
	exit(2);
}

/* The whole of file path, NUL-terminated; its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL, *p;
	size_t	 cap = 0, n = 0, k;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(buf, cap + 1)) == NULL)
				errx(1, "out of memory");
			buf = p;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	if (ferror(f))
		errx(1, "%s: read error", path);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
days_arg(const char *s, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 3650)
		errx(1, "%s: not a number of days from 0 to 3650: %s", what, s);
	return (int)v;
}

/* -o kind=days,...: one offset list, as [alerts] sets it. */
static void
offsets_arg(struct alert_conf *conf, const char *s)
{
	const char	*eq = strchr(s, '=');
	char		 name[32], *copy, *tok, *save = NULL;
	int		 k;
	size_t		 n = 0;

	if (eq == NULL || (size_t)(eq - s) >= sizeof(name))
		errx(1, "-o %s: not kind=days,...", s);
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	if ((k = milestone_parse(name)) == -1)
		errx(1, "-o %s: not a milestone kind", s);
	if ((copy = strdup(eq + 1)) == NULL)
		errx(1, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == ENGINE_MAX_OFFSETS)
			errx(1, "-o %s: more than %d offsets", s,
			    ENGINE_MAX_OFFSETS);
		conf->offsets[k][n++] = days_arg(tok, name);
	}
	conf->noffsets[k] = n;
	free(copy);
}

static void
holidays_arg(struct holidays *h, const char *path)
{
	char	*text;
	size_t	 len;
	int	 line = 0;

	text = slurp(path, &len);
	if (holidays_parse(h, text, &line) == -1)
		errx(1, "%s:%d: not a date", path, line);
	free(text);
}

/* Whether services list has service key svc. */
static int
lists_service(const char *services, const char *svc)
{
	const char	*p = services, *it;
	size_t		 len, n = strlen(svc);

	while (p != NULL && contract_service_next(&p, &it, &len))
		if (len == n && memcmp(it, svc, n) == 0)
			return 1;
	return 0;
}

/* engine_covered_fn over every contract of the file. */
static int
oracle_covered(void *arg, const char *svc, int32_t day, const char *ref)
{
	const struct oracle	*o = arg;
	size_t			 i;

	for (i = 0; i < o->n; i++) {
		const struct contract	*c = &o->v[i];

		if (strcmp(c->ref, ref) == 0 || c->services == NULL)
			continue;
		if ((c->start_date == DATE_NONE || c->start_date <= day) &&
		    day <= c->end_date && lists_service(c->services, svc))
			return 1;
	}
	return 0;
}

static int
oracle_has(const struct oracle *o, const char *ref)
{
	size_t	 i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->v[i].ref, ref) == 0)
			return 1;
	return 0;
}

static void
print_line(json_t *obj)
{
	char	*s;

	if (obj == NULL ||
	    (s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		errx(1, "out of memory");
	puts(s);
	free(s);
	json_decref(obj);
}

static json_t *
json_day(int32_t day)
{
	char	 buf[DATE_STRLEN];

	return json_string(date_format(day, buf));
}

static void
print_milestone(const struct contract *c, const struct milestone *m,
    const struct alert_conf *conf, int32_t today)
{
	print_line(json_pack("{s:s, s:s, s:s, s:s, s:o, s:i}", "type",
	    "milestone", "ref", c->ref, "title", c->title, "milestone",
	    milestone_name(m->kind), "due", json_day(m->due), "overdue_days",
	    today == DATE_NONE ? 0 : engine_overdue(c, m, today, conf)));
}

static void
print_alert(const struct contract *c, const struct alert *a,
    const struct alert_conf *conf)
{
	char	 at[DATE_ISOLEN];

	if (date_format_local(a->fire, conf->timezone, at, sizeof(at)) == -1)
		errx(1, "%s: no local time for an alert", c->ref);
	print_line(json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:s}", "type",
	    "alert", "contract", c->ref, "milestone", milestone_name(a->kind),
	    "due", json_day(a->due), "offset_days", a->offset, "date",
	    json_day(a->date), "fire_at", at));
}

static int
oracle_exists(void *arg, const char *ref)
{
	return oracle_has(arg, ref);
}

static void
oracle_contract(struct oracle *o, struct contract *c,
    const struct alert_conf *conf, int32_t today)
{
	struct engine_peers	 p = { oracle_covered, oracle_exists, o };
	struct milestone	 ms[MS_NKINDS];
	struct alert		 v[ENGINE_MAX_ALERTS];
	size_t			 n, i;
	int			 na;

	n = engine_milestones(c, conf, &p, ms);
	if ((na = engine_alerts(ms, n, conf, v, ENGINE_MAX_ALERTS)) < 0)
		errx(1, "%s: an alert's instant could not be computed", c->ref);
	for (i = 0; i < n; i++)
		print_milestone(c, &ms[i], conf, today);
	for (i = 0; i < (size_t)na; i++)
		print_alert(c, &v[i], conf);
}

int
main(int argc, char *argv[])
{
	struct alert_conf	 conf;
	struct holidays		 hol = { NULL, 0 };
	struct oracle		 o = { NULL, 0 };
	struct csv_error	 e;
	char			*text;
	size_t			 len, i;
	int32_t			 today = DATE_NONE;
	int			 ch, hh, mm;

	alert_conf_defaults(&conf);
	while ((ch = getopt(argc, argv, "t:H:W:n:l:z:T:o:")) != -1) {
		switch (ch) {
		case 't':
			if (date_parse(optarg, &today) == -1)
				errx(1, "-t %s: not a date", optarg);
			break;
		case 'H':
			holidays_free(&hol);
			holidays_arg(&hol, optarg);
			conf.holidays = &hol;
			break;
		case 'W':
			if (strcmp(optarg, "yes") != 0 &&
			    strcmp(optarg, "no") != 0)
				usage();
			conf.working_days_only = strcmp(optarg, "yes") == 0;
			break;
		case 'n':
			conf.extension_notice_days = days_arg(optarg, "-n");
			break;
		case 'l':
			conf.procurement_lead_days = days_arg(optarg, "-l");
			break;
		case 'z':
			if (!tz_valid(optarg))
				errx(1, "-z %s: not a time zone", optarg);
			conf.timezone = optarg;
			break;
		case 'T':
			if (sscanf(optarg, "%2d:%2d", &hh, &mm) != 2 ||
			    hh < 0 || hh > 23 || mm < 0 || mm > 59)
				errx(1, "-T %s: not HH:MM", optarg);
			conf.alert_minute = hh * 60 + mm;
			break;
		case 'o':
			offsets_arg(&conf, optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	text = slurp(argv[optind], &len);
	if (csv_contracts(text, len, &o.v, &o.n, &e) == -1)
		errx(1, "%s: row %zu, column %s, value '%s': %s", argv[optind],
		    e.row, e.column, e.value, e.reason);
	for (i = 0; i < o.n; i++)
		oracle_contract(&o, &o.v[i], &conf, today);
	if (fflush(stdout) == EOF || ferror(stdout))
		errx(1, "stdout: write error");

	csv_contracts_free(o.v, o.n);
	holidays_free(&hol);
	free(text);
	return 0;
}

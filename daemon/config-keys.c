/*
 * The keys of the configuration's sections and how each value is read:
 * the setters check a value and report why one is refused, with the
 * key's line (config.c feeds them the file).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contractd.h"
#include "config_int.h"

/*
 * A problem on the current line: -1.  While a key is being set, the
 * message is why its value is refused, cut to 255 bytes, after its name.
 */
int
conf_err(struct conf_parse *p, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, p->key != NULL ? 256 : sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->key != NULL)
		conf_errors_add(p->errs, p->conf->path, p->line, "%s: %s",
		    p->key, msg);
	else
		conf_errors_add(p->errs, p->conf->path, p->line, "%s", msg);
	return -1;
}

static int
set_string(struct conf_parse *p, void *field, const char *v)
{
	char	**dst = field;
	char	 *s;

	if (*v == '\0')
		return conf_err(p, "empty value");
	if ((s = strdup(v)) == NULL)
		return conf_err(p, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

/* A whole number in [lo, hi]. */
static int
parse_int(const char *v, long lo, long hi, long *out)
{
	char	*end;
	long	 n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int
set_count(struct conf_parse *p, void *field, const char *v)
{
	long	n;

	if (parse_int(v, 1, 100000, &n) == -1)
		return conf_err(p, "not a whole number from 1 to 100000: %s",
		    v);
	*(int *)field = (int)n;
	return 0;
}

static int
set_days(struct conf_parse *p, void *field, const char *v)
{
	long	n;

	if (parse_int(v, 0, 3650, &n) == -1)
		return conf_err(p, "not a number of days from 0 to 3650: %s",
		    v);
	*(int *)field = (int)n;
	return 0;
}

/* Seconds, with an optional unit: 90, 90s, 15m, 12h, 3d. */
static int
set_duration(struct conf_parse *p, void *field, const char *v)
{
	static const char	 units[] = "smhd";
	static const long	 mult[] = { 1, 60, 3600, 86400 };
	char			 num[32], *u;
	size_t			 n = strlen(v);
	long			 val, m = 1;

	if (n > 0 && n < sizeof(num) &&
	    (u = strchr(units, v[n - 1])) != NULL) {
		m = mult[u - units];
		n--;
	}
	if (n == 0 || n >= sizeof(num))
		goto bad;
	memcpy(num, v, n);
	num[n] = '\0';
	if (parse_int(num, 1, 366L * 86400 / m, &val) == -1)
		goto bad;
	*(long *)field = val * m;
	return 0;
bad:
	return conf_err(p, "not a duration (e.g. 30s, 15m, 12h, 3d): %s", v);
}

static int
set_mode(struct conf_parse *p, void *field, const char *v)
{
	char		*end;
	unsigned long	 m;

	if (*v < '0' || *v > '7')
		goto bad;
	m = strtoul(v, &end, 8);
	if (*end != '\0' || m > 0777)
		goto bad;
	*(mode_t *)field = (mode_t)m;
	return 0;
bad:
	return conf_err(p, "not an octal file mode (e.g. 0660): %s", v);
}

static int
set_timezone(struct conf_parse *p, void *field, const char *v)
{
	if (!tz_valid(v))
		return conf_err(p, "unknown time zone (not in the tz "
		    "database): %s", v);
	return set_string(p, field, v);
}

static int
set_alert_time(struct conf_parse *p, void *field, const char *v)
{
	if (strlen(v) != 5 || !isdigit((unsigned char)v[0]) ||
	    !isdigit((unsigned char)v[1]) || v[2] != ':' ||
	    !isdigit((unsigned char)v[3]) || !isdigit((unsigned char)v[4]))
		goto bad;
	if ((v[0] - '0') * 10 + (v[1] - '0') > 23 ||
	    (v[3] - '0') * 10 + (v[4] - '0') > 59)
		goto bad;
	*(int *)field = ((v[0] - '0') * 10 + (v[1] - '0')) * 60 +
	    (v[3] - '0') * 10 + (v[4] - '0');
	return 0;
bad:
	return conf_err(p, "not a time of day HH:MM: %s", v);
}

static int
set_weekday(struct conf_parse *p, void *field, const char *v)
{
	static const char *const days[] = { "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday", "sunday" };
	size_t			 i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(v, days[i]) == 0) {
			*(int *)field = (int)i + 1;
			return 0;
		}
	return conf_err(p, "not a day of the week (monday ... sunday): %s",
	    v);
}

/* A list of channel names; checked against [notifier] sections later. */
static int
set_channels(struct conf_parse *p, void *field, const char *v)
{
	p->conf->digest.channels_line = p->line;
	return set_string(p, field, v);
}

/* A path, and its line for the errors of the file it names. */
static int
set_holidays(struct conf_parse *p, void *field, const char *v)
{
	p->conf->holidays_line = p->line;
	return set_string(p, field, v);
}

static int
set_bool(struct conf_parse *p, void *field, const char *v)
{
	static const char *yes[] = { "yes", "true", "on", "1", NULL };
	static const char *no[] = { "no", "false", "off", "0", NULL };
	size_t		   i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*(int *)field = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*(int *)field = 0;
			return 0;
		}
	}
	return conf_err(p, "not yes or no: %s", v);
}

/* "180,90,30": distinct whole numbers of days, at most ENGINE_MAX_OFFSETS. */
int
conf_set_offsets(struct conf_parse *p, void *field, const char *v)
{
	struct alert_conf	*ac = &p->conf->alerts;
	int			 kind = (int)(intptr_t)field;
	int			 tmp[ENGINE_MAX_OFFSETS];
	char			*copy, *tok, *save = NULL;
	size_t			 n = 0, i;
	long			 d;
	int			 rc = -1;

	if ((copy = strdup(v)) == NULL)
		return conf_err(p, "bad value");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (i = strlen(tok); i > 0 &&
		    isspace((unsigned char)tok[i - 1]); i--)
			tok[i - 1] = '\0';
		if (parse_int(tok, 0, 3650, &d) == -1) {
			conf_err(p, "not a list of days from 0 to 3650: %s", v);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (tmp[i] == d) {
				conf_err(p, "offset %ld is listed twice", d);
				goto out;
			}
		if (n == ENGINE_MAX_OFFSETS) {
			conf_err(p, "more than %d offsets", ENGINE_MAX_OFFSETS);
			goto out;
		}
		if (kind == MS_EXPIRED && d != 0) {
			conf_err(p, "expired fires on the day after the end "
			    "only: its one offset is 0, not %ld", d);
			goto out;
		}
		tmp[n++] = (int)d;
	}
	memcpy(ac->offsets[kind], tmp, n * sizeof(tmp[0]));
	ac->noffsets[kind] = n;
	rc = 0;
out:
	free(copy);
	return rc;
}

#define DOFF(f)	offsetof(struct config, f)
const struct conf_key conf_daemon_keys[] = {
	{ "database",		set_string,	DOFF(database) },
	{ "socket",		set_string,	DOFF(socket) },
	{ "socket_mode",	set_mode,	DOFF(socket_mode) },
	{ "admin_group",	set_string,	DOFF(admin_group) },
	{ "plugin_dir",		set_string,	DOFF(plugin_dir) },
	{ "timezone",		set_timezone,	DOFF(timezone) },
	{ "alert_time",		set_alert_time,	DOFF(alerts.alert_minute) },
	{ "holidays",		set_holidays,	DOFF(holidays_path) },
	{ "working_days_only",	set_bool,	DOFF(alerts.working_days_only) },
	{ "max_connections",	set_count,	DOFF(max_connections) },
	{ "max_connections_per_uid", set_count, DOFF(max_connections_per_uid) },
	{ "idle_timeout",	set_count,	DOFF(idle_timeout) },
	{ "max_age",		set_duration,	DOFF(max_age) },
	{ "max_transfers",	set_count,	DOFF(max_transfers) },
	{ NULL,			NULL,		0 }
};

/* Offset-list keys carry their milestone kind in off, not an offset. */
const struct conf_key conf_alerts_keys[] = {
	{ "term_end",		conf_set_offsets,	MS_TERM_END },
	{ "extension_deadline",	conf_set_offsets,	MS_EXTENSION_DEADLINE },
	{ "procurement_start",	conf_set_offsets,	MS_PROCUREMENT_START },
	{ "coverage_gap",	conf_set_offsets,	MS_COVERAGE_GAP },
	{ "expired",		conf_set_offsets,	MS_EXPIRED },
	{ "extension_notice_days", set_days,
	    DOFF(alerts.extension_notice_days) },
	{ "procurement_lead_days", set_days,
	    DOFF(alerts.procurement_lead_days) },
	{ "overdue_window_days", set_days, DOFF(alerts.overdue_window_days) },
	{ NULL,			NULL,		0 }
};

const struct conf_key conf_digest_keys[] = {
	{ "day",		set_weekday,	DOFF(digest.weekday) },
	{ "time",		set_alert_time,	DOFF(digest.minute) },
	{ "horizon_days",	set_days,	DOFF(digest.horizon_days) },
	{ "channels",		set_channels,	DOFF(digest.channels) },
	{ NULL,			NULL,		0 }
};

/* A directory that exists, by its absolute path. */
static int
set_dir(struct conf_parse *p, void *field, const char *v)
{
	struct stat	sb;

	if (*v != '/')
		return conf_err(p, "%s: not an absolute path", v);
	if (stat(v, &sb) == -1)
		return conf_err(p, "%s: %s", v, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return conf_err(p, "%s: not a directory", v);
	return set_string(p, field, v);
}

const struct conf_key conf_calendar_keys[] = {
	{ "dir",		set_dir,	DOFF(calendar_dir) },
	{ NULL,			NULL,		0 }
};

/*
 * The configuration file (DESIGN section 4), read with inih.
 *
 * inih reports only the first error's line, so the file is fed to
 * ini_parse_stream through a reader that counts lines: when the handler is
 * called, the reader's count is the line of the key.  Every problem is
 * collected as "file:line: message" so that all of them can be reported.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "contractd.h"

#define CONF_MAXSIZE	(1024 * 1024)
#define CONF_MAXLINE	4096	/* a long webhook URL fits */
#define HOLIDAYS_MAXSIZE (1024 * 1024)

struct conf_parse {
	struct config		*conf;
	struct conf_errors	*errs;
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 line;
	int			 section_line;	/* of the last [section] */
	int			 midline;	/* inih took part of a line */
	unsigned		 seen[2];	/* keys seen in [daemon], [alerts] */
	struct channel_conf	*cur;		/* current [notifier] section */
	const char		*key;		/* the key being set, if any */
};

/* Sets field from v, or reports why v is refused (conf_err): -1. */
typedef int (*conf_setter)(struct conf_parse *, void *, const char *);

struct conf_key {
	const char	*name;
	conf_setter	 set;
	size_t		 off;
};

void
conf_errors_add(struct conf_errors *errs, const char *file, int line,
    const char *fmt, ...)
{
	char	 msg[512], *s, **v;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0) {
		if (asprintf(&s, "%s:%d: %s", file, line, msg) == -1)
			return;
	} else if (asprintf(&s, "%s: %s", file, msg) == -1)
		return;
	v = reallocarray(errs->msg, errs->n + 1, sizeof(*v));
	if (v == NULL) {
		free(s);
		return;
	}
	errs->msg = v;
	errs->msg[errs->n++] = s;
}

void
conf_errors_free(struct conf_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		free(errs->msg[i]);
	free(errs->msg);
	errs->msg = NULL;
	errs->n = 0;
}

/*
 * A problem on the current line: -1.  While a key is being set, the
 * message is why its value is refused, cut to 255 bytes, after its name.
 */
static int __attribute__((format(printf, 2, 3)))
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
static int
set_offsets(struct conf_parse *p, void *field, const char *v)
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
static const struct conf_key daemon_keys[] = {
	{ "database",		set_string,	DOFF(database) },
	{ "socket",		set_string,	DOFF(socket) },
	{ "socket_mode",	set_mode,	DOFF(socket_mode) },
	{ "admin_group",	set_string,	DOFF(admin_group) },
	{ "plugin_dir",		set_string,	DOFF(plugin_dir) },
	{ "timezone",		set_timezone,	DOFF(timezone) },
	{ "alert_time",		set_alert_time,	DOFF(alerts.alert_minute) },
	{ "holidays",		set_string,	DOFF(holidays_path) },
	{ "working_days_only",	set_bool,	DOFF(alerts.working_days_only) },
	{ "max_connections",	set_count,	DOFF(max_connections) },
	{ "max_connections_per_uid", set_count, DOFF(max_connections_per_uid) },
	{ "idle_timeout",	set_count,	DOFF(idle_timeout) },
	{ "max_age",		set_duration,	DOFF(max_age) },
	{ "max_transfers",	set_count,	DOFF(max_transfers) },
	{ NULL,			NULL,		0 }
};

/* Offset-list keys carry their milestone kind in off, not an offset. */
static const struct conf_key alerts_keys[] = {
	{ "term_end",		set_offsets,	MS_TERM_END },
	{ "extension_deadline",	set_offsets,	MS_EXTENSION_DEADLINE },
	{ "procurement_start",	set_offsets,	MS_PROCUREMENT_START },
	{ "coverage_gap",	set_offsets,	MS_COVERAGE_GAP },
	{ "expired",		set_offsets,	MS_EXPIRED },
	{ "extension_notice_days", set_days,
	    DOFF(alerts.extension_notice_days) },
	{ "procurement_lead_days", set_days,
	    DOFF(alerts.procurement_lead_days) },
	{ "overdue_window_days", set_days, DOFF(alerts.overdue_window_days) },
	{ NULL,			NULL,		0 }
};

static void
conf_section_key(struct conf_parse *p, const struct conf_key *keys, int sec,
    const char *section, const char *name, const char *value)
{
	void	*field;
	size_t	i;

	for (i = 0; keys[i].name != NULL; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (keys[i].name == NULL) {
		conf_err(p, "unknown key '%s' in [%s]", name, section);
		return;
	}
	if (p->seen[sec] & (1u << i)) {
		conf_err(p, "%s: set twice in [%s]", name, section);
		return;
	}
	p->seen[sec] |= 1u << i;
	if (keys[i].set == set_offsets)
		field = (void *)(intptr_t)keys[i].off;
	else
		field = (char *)p->conf + keys[i].off;
	p->key = name;
	(void)keys[i].set(p, field, value);
	p->key = NULL;
}

int
config_kinds_parse(const char *s, unsigned *kinds)
{
	char	*copy, *tok, *save = NULL;
	int	 k, rc = 0;

	*kinds = 0;
	if (strcmp(s, "*") == 0) {
		*kinds = (1u << MS_NKINDS) - 1;
		return 0;
	}
	if ((copy = strdup(s)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((k = milestone_parse(tok)) == -1) {
			rc = -1;
			break;
		}
		*kinds |= 1u << k;
	}
	free(copy);
	return (rc == 0 && *kinds != 0) ? 0 : -1;
}

static struct channel_conf *
conf_channel_new(struct conf_parse *p, const char *name)
{
	struct config		*c = p->conf;
	struct channel_conf	*v, *ch;
	size_t			 i;

	for (i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i].name, name) == 0) {
			conf_err(p, "[notifier %s] defined twice", name);
			return NULL;
		}
	v = reallocarray(c->channels, c->nchannels + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	c->channels = v;
	ch = &c->channels[c->nchannels];
	memset(ch, 0, sizeof(*ch));
	if ((ch->name = strdup(name)) == NULL)
		return NULL;
	ch->kinds = (1u << MS_NKINDS) - 1;
	ch->line = p->section_line;
	c->nchannels++;
	return ch;
}

static void
conf_channel_key(struct conf_parse *p, struct channel_conf *ch,
    const char *name, const char *value)
{
	struct conf_kv	*v;
	size_t		 i;

	if (strcmp(name, "plugin") == 0) {
		if (ch->plugin != NULL)
			conf_err(p, "plugin: set twice in [notifier %s]",
			    ch->name);
		else if ((ch->plugin = strdup(value)) == NULL)
			conf_err(p, "out of memory");
		return;
	}
	if (strcmp(name, "kinds") == 0) {
		if (ch->kinds_line != 0)
			conf_err(p, "kinds: set twice in [notifier %s]",
			    ch->name);
		else if ((ch->kinds_line = p->line),
		    config_kinds_parse(value, &ch->kinds) == -1)
			conf_err(p, "kinds: not '*' or a list of milestone "
			    "kinds: %s", value);
		return;
	}
	for (i = 0; i < ch->nkv; i++)
		if (strcmp(ch->kv[i].key, name) == 0) {
			conf_err(p, "%s: set twice in [notifier %s]", name,
			    ch->name);
			return;
		}
	v = reallocarray(ch->kv, ch->nkv + 1, sizeof(*v));
	if (v == NULL)
		return;
	ch->kv = v;
	v[ch->nkv].key = strdup(name);
	v[ch->nkv].value = strdup(value);
	v[ch->nkv].line = p->line;
	ch->nkv++;
}

/* Section header handling: returns the channel for a [notifier NAME]. */
static struct channel_conf *
conf_channel(struct conf_parse *p, const char *section)
{
	const char	*name;
	size_t		 i;

	name = section + 9;
	while (*name == ' ')
		name++;
	if (*name == '\0') {
		conf_err(p, "[notifier] needs a name: [notifier NAME]");
		return NULL;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_') {
			conf_err(p, "notifier name '%s': use letters, digits, "
			    "'-' and '_'", name);
			return NULL;
		}
	if (p->cur != NULL && strcmp(name, p->cur->name) == 0)
		return p->cur;
	return p->cur = conf_channel_new(p, name);
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse	*p = user;
	struct channel_conf	*ch;

	if (strcmp(section, "daemon") == 0)
		conf_section_key(p, daemon_keys, 0, section, name, value);
	else if (strcmp(section, "alerts") == 0)
		conf_section_key(p, alerts_keys, 1, section, name, value);
	else if (strncmp(section, "notifier ", 9) == 0) {
		if ((ch = conf_channel(p, section)) != NULL)
			conf_channel_key(p, ch, name, value);
	} else if (*section == '\0')
		conf_err(p, "key '%s' outside any section", name);
	else
		conf_err(p, "unknown section [%s]", section);
	return 1;
}

/* A line inih cannot parse: not blank, comment, [section] or key = value. */
static int
conf_line_bad(const char *s, size_t n)
{
	const char	*end = s + n;

	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end || *s == ';' || *s == '#')
		return 0;
	if (*s == '[')
		return memchr(s, ']', end - s) == NULL;
	return memchr(s, '=', end - s) == NULL &&
	    memchr(s, ':', end - s) == NULL;
}

/* A new line of n bytes at s: counts it; -1 if it is to be skipped. */
static int
conf_line_start(struct conf_parse *p, const char *s, size_t n)
{
	p->line++;
	if (s[strspn(s, " \t")] == '[')
		p->section_line = p->line;
	if (n > CONF_MAXLINE - 3) {
		conf_err(p, "line too long (more than %d characters)",
		    CONF_MAXLINE - 3);
		return -1;
	}
	if (conf_line_bad(s, n)) {
		conf_err(p, "not a [section] or a key = value line");
		return -1;
	}
	return 0;
}

/*
 * Reader for ini_parse_stream: hands inih the file text a line at a time
 * (or in pieces, if inih's buffer is smaller than the line: it then grows
 * it and asks for the rest) and counts lines.  A line inih would reject,
 * or one too long, is reported here and passed on as a blank line, since
 * inih would only give the first one's line.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_parse	*p = stream;
	const char		*s, *nl;
	size_t			 n, take;

	if (p->pos >= p->len || num < 2)
		return NULL;
	s = p->text + p->pos;
	nl = memchr(s, '\n', p->len - p->pos);
	n = nl != NULL ? (size_t)(nl - s) + 1 : p->len - p->pos;
	if (!p->midline && conf_line_start(p, s, n) == -1) {
		p->pos += n;
		return strcpy(str, "\n");
	}
	take = n < (size_t)num - 1 ? n : (size_t)num - 1;
	memcpy(str, s, take);
	str[take] = '\0';
	p->pos += take;
	p->midline = take < n;
	return str;
}

/*
 * Reads a whole file of at most max bytes, NUL-terminated, or says why not.
 * The buffer grows with what is read: a config is a few KiB, its limit a
 * MiB.
 */
static char *
conf_readfile(const char *path, size_t max, size_t *lenp,
    struct conf_errors *errs)
{
	FILE	*f;
	char	*buf = NULL, *p;
	size_t	 n = 0, size = 0, k;

	if ((f = fopen(path, "r")) == NULL) {
		conf_errors_add(errs, path, 0, "%s", strerror(errno));
		return NULL;
	}
	do {
		if (n == size) {
			size = size == 0 ? 4096 : size * 2;
			if (size > max + 1)
				size = max + 1;
			if ((p = realloc(buf, size)) == NULL) {
				fclose(f);
				free(buf);
				conf_errors_add(errs, path, 0, "out of memory");
				return NULL;
			}
			buf = p;
		}
		n += (k = fread(buf + n, 1, size - n, f));
	} while (k > 0 && n <= max);
	if (ferror(f) || n > max) {
		conf_errors_add(errs, path, 0, ferror(f) ? "read error" :
		    "larger than %zu bytes", max);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*lenp = n;
	return buf;
}

static int
config_defaults(struct config *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	alert_conf_defaults(&c->alerts);
	c->path = strdup(path);
	c->database = strdup("/var/lib/contractd/contractd.db");
	c->socket = strdup(CONTRACTD_SOCKET);
	c->admin_group = strdup("contractd-admin");
	c->plugin_dir = strdup(CONTRACTD_PLUGIN_DIR);
	c->timezone = strdup("Europe/London");
	c->socket_mode = 0660;
	c->max_connections = 64;
	c->max_connections_per_uid = 16;
	c->idle_timeout = 60;
	c->max_age = 3 * 86400;
	c->max_transfers = 16;
	if (c->path == NULL || c->database == NULL || c->socket == NULL ||
	    c->admin_group == NULL || c->plugin_dir == NULL ||
	    c->timezone == NULL)
		return -1;
	return 0;
}

static void
config_holidays(struct config *c, struct conf_errors *errs)
{
	char	*text;
	size_t	 len;
	int	 line;

	if (c->holidays_path == NULL ||
	    (text = conf_readfile(c->holidays_path, HOLIDAYS_MAXSIZE, &len,
	    errs)) == NULL)
		return;
	if (holidays_parse(&c->holidays, text, &line) == -1)
		conf_errors_add(errs, c->holidays_path, line,
		    "not a date (YYYY-MM-DD)");
	free(text);
}

static void
config_check(struct config *c, struct conf_errors *errs)
{
	size_t	i;

	for (i = 0; i < c->nchannels; i++)
		if (c->channels[i].plugin == NULL)
			conf_errors_add(errs, c->path, c->channels[i].line,
			    "[notifier %s] has no 'plugin ='",
			    c->channels[i].name);
	c->alerts.timezone = c->timezone;
	c->alerts.holidays = c->holidays_path ? &c->holidays : NULL;
}

struct config *
config_load(const char *path, struct conf_errors *errs)
{
	struct conf_parse	 p;
	struct config		*c;
	size_t			 before = errs->n;

	memset(&p, 0, sizeof(p));
	if ((c = malloc(sizeof(*c))) == NULL || config_defaults(c, path)) {
		conf_errors_add(errs, path, 0, "out of memory");
		config_free(c);
		return NULL;
	}
	p.conf = c;
	p.errs = errs;
	p.text = conf_readfile(path, CONF_MAXSIZE, &p.len, errs);
	if (p.text == NULL) {
		config_free(c);
		return NULL;
	}
#if HAVE_DECL_INI_ALLOW_MULTILINE
	/* An indented key is a key, not the previous value's continuation. */
	ini_allow_multiline = false;
#endif
#if HAVE_DECL_INI_USE_STACK && HAVE_DECL_INI_MAX_LINE && \
    HAVE_DECL_INI_ALLOW_REALLOC
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = CONF_MAXLINE;
#endif
	ini_parse_stream(conf_reader, &p, conf_handler, &p);
	free((char *)p.text);
	config_holidays(c, errs);
	config_check(c, errs);
	if (errs->n > before) {
		config_free(c);
		return NULL;
	}
	return c;
}

static void
channel_conf_free(struct channel_conf *ch)
{
	size_t	i;

	for (i = 0; i < ch->nkv; i++) {
		free(ch->kv[i].key);
		free(ch->kv[i].value);
	}
	free(ch->kv);
	free(ch->name);
	free(ch->plugin);
}

void
config_free(struct config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nchannels; i++)
		channel_conf_free(&c->channels[i]);
	free(c->channels);
	holidays_free(&c->holidays);
	free(c->path);
	free(c->database);
	free(c->socket);
	free(c->admin_group);
	free(c->plugin_dir);
	free(c->timezone);
	free(c->holidays_path);
	free(c);
}

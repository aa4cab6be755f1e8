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
#include <unistd.h>

#include <ini.h>

#include "contractd.h"

#define CONF_MAXSIZE	(1024 * 1024)
#define CONF_MAXLINE	4096	/* a long webhook URL fits */
#define HOLIDAYS_MAXSIZE (1024 * 1024)

#include "config_int.h"

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
	if (keys[i].set == conf_set_offsets)
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

/* The channel of that name; NULL if none. */
static struct channel_conf *
conf_channel_named(struct config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i].name, name) == 0)
			return &c->channels[i];
	return NULL;
}

static struct channel_conf *
conf_channel_new(struct conf_parse *p, const char *name)
{
	struct config		*c = p->conf;
	struct channel_conf	*v, *ch;

	if (conf_channel_named(c, name) != NULL) {
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
		conf_section_key(p, conf_daemon_keys, 0, section, name, value);
	else if (strcmp(section, "alerts") == 0)
		conf_section_key(p, conf_alerts_keys, 1, section, name, value);
	else if (strcmp(section, "digest") == 0) {
		if (p->conf->digest.line == 0)
			p->conf->digest.line = p->section_line;
		conf_section_key(p, conf_digest_keys, 2, section, name, value);
	}
	else if (strcmp(section, "calendar") == 0)
		conf_section_key(p, conf_calendar_keys, 3, section, name, value);
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
	c->digest.weekday = 1;
	c->digest.minute = 8 * 60;
	c->digest.horizon_days = 90;
	if (c->path == NULL || c->database == NULL || c->socket == NULL ||
	    c->admin_group == NULL || c->plugin_dir == NULL ||
	    c->timezone == NULL)
		return -1;
	return 0;
}

#define HOLIDAYS_BAD_MAX	20	/* bad lines reported one by one */

static void
config_holidays(struct config *c, struct conf_errors *errs)
{
	int	 bad[HOLIDAYS_BAD_MAX];
	char	*text;
	size_t	 len, nbad, i;

	if (c->holidays_path == NULL)
		return;
	if (access(c->holidays_path, R_OK) == -1) {
		conf_errors_add(errs, c->path, c->holidays_line,
		    "holidays: cannot read %s: %s", c->holidays_path,
		    strerror(errno));
		return;
	}
	if ((text = conf_readfile(c->holidays_path, HOLIDAYS_MAXSIZE, &len,
	    errs)) == NULL)
		return;
	if (holidays_parse_lines(&c->holidays, text, bad, HOLIDAYS_BAD_MAX,
	    &nbad) == -1) {
		for (i = 0; i < nbad && i < HOLIDAYS_BAD_MAX; i++)
			conf_errors_add(errs, c->holidays_path, bad[i],
			    bad[i] == 0 ? "out of memory" :
			    "not a date (YYYY-MM-DD)");
		if (nbad > HOLIDAYS_BAD_MAX)
			conf_errors_add(errs, c->holidays_path, 0, "%zu more "
			    "lines that are not dates", nbad - HOLIDAYS_BAD_MAX);
	}
	free(text);
}

/* Marks the channels [digest] names; each must be a [notifier NAME]. */
static void
config_check_digest(struct config *c, struct conf_errors *errs)
{
	struct digest_conf	*dg = &c->digest;
	struct channel_conf	*ch;
	char			*copy, *tok, *save = NULL;

	if (dg->line == 0)
		return;
	if (dg->channels == NULL) {
		conf_errors_add(errs, c->path, dg->line, "[digest] needs "
		    "'channels =': the channels the digest is sent through");
		return;
	}
	if ((copy = strdup(dg->channels)) == NULL) {
		conf_errors_add(errs, c->path, dg->line, "out of memory");
		return;
	}
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((ch = conf_channel_named(c, tok)) != NULL)
			ch->digest = 1;
		else
			conf_errors_add(errs, c->path, dg->channels_line,
			    "channels: no [notifier %s] section", tok);
	}
	free(copy);
}

static void
config_check(struct config *c, struct conf_errors *errs)
{
	size_t	i;

	config_check_digest(c, errs);
	for (i = 0; i < c->nchannels; i++)
		if (c->channels[i].plugin == NULL)
			conf_errors_add(errs, c->path, c->channels[i].line,
			    "[notifier %s] has no 'plugin ='",
			    c->channels[i].name);
	c->alerts.timezone = c->timezone;
	c->alerts.holidays = c->holidays_path ? &c->holidays : NULL;
}

struct config *
config_read(const char *path, struct conf_errors *errs)
{
	struct conf_parse	 p;
	struct config		*c;

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
	return c;
}

struct config *
config_load(const char *path, struct conf_errors *errs)
{
	struct config	*c;
	size_t		 before = errs->n;

	if ((c = config_read(path, errs)) != NULL && errs->n > before) {
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
	free(c->digest.channels);
	free(c->calendar_dir);
	free(c);
}

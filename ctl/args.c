/*
 * contractctl's command lines: positional words first, then options in any
 * order ("--name VALUE" or "--name=VALUE"), checked and turned into the
 * request's args.  The daemon checks everything again; these checks only
 * catch typing mistakes before a connection is made.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/dates.h"
#include "ctl.h"

int
ctl_usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "contractctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int
ctl_parse_none(int argc, char **argv, json_t *args)
{
	(void)argv;
	(void)args;
	return argc == 1 ? 0 : -1;
}

/* Sets args' key to the string val; what names val in a complaint. */
static int
set_string(json_t *args, const char *key, const char *what, const char *val)
{
	json_t	*v;

	if ((v = json_string(val)) == NULL)
		return ctl_usage_error("%s: not UTF-8 text", what);
	return json_object_set_new(args, key, v);
}

static const struct ctl_opt *
opt_find(const struct ctl_opt *opts, const char *name, size_t len)
{
	for (; opts != NULL && opts->name != NULL; opts++)
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static int
opt_set_int(const struct ctl_opt *o, const char *val, json_t *args)
{
	long long	 n;
	char		*end;

	errno = 0;
	n = strtoll(val, &end, 10);
	if ((!isdigit((unsigned char)*val) && *val != '-') || *end != '\0' ||
	    errno != 0 || n < o->min || n > o->max)
		return ctl_usage_error("--%s: %s is not a whole number from "
		    "%lld to %lld", o->name, val, o->min, o->max);
	return json_object_set_new(args, o->key, json_integer(n));
}

/* Checks val against o's type and sets it in args. */
static int
opt_set(const struct ctl_opt *o, const char *val, json_t *args)
{
	int32_t	day;

	switch (o->type) {
	case CTL_ARG_INT:
		return opt_set_int(o, val, args);
	case CTL_ARG_DATE:
		if (date_parse(val, &day) == -1)
			return ctl_usage_error("--%s: %s is not a date "
			    "(YYYY-MM-DD)", o->name, val);
		break;
	case CTL_ARG_STR:
		break;
	}
	return set_string(args, o->key, o->name, val);
}

/* Parses the option at argv[*i], moving *i past its value. */
static int
parse_opt(const struct ctl_opt *opts, int argc, char **argv, int *i,
    json_t *args)
{
	const struct ctl_opt	*o;
	const char		*name = argv[*i] + 2, *eq, *val;
	size_t			 len;

	if (strncmp(argv[*i], "--", 2) != 0)
		return ctl_usage_error("unexpected argument: %s", argv[*i]);
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if ((o = opt_find(opts, name, len)) == NULL)
		return ctl_usage_error("unknown option: %.*s", (int)len + 2,
		    argv[*i]);
	if (json_object_get(args, o->key) != NULL)
		return ctl_usage_error("--%s given twice", o->name);
	if (eq != NULL)
		val = eq + 1;
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return ctl_usage_error("--%s needs a value", o->name);
	return opt_set(o, val, args);
}

int
ctl_parse_args(int argc, char **argv, const char *const *pos,
    const struct ctl_opt *opts, json_t *args)
{
	int	i = 1;

	for (; pos != NULL && *pos != NULL; pos++, i++) {
		if (i >= argc || strncmp(argv[i], "--", 2) == 0)
			return -1;
		if (set_string(args, *pos, argv[i], argv[i]) == -1)
			return -1;
	}
	for (; i < argc; i++)
		if (parse_opt(opts, argc, argv, &i, args) == -1)
			return -1;
	for (; opts != NULL && opts->name != NULL; opts++)
		if (opts->required && json_object_get(args, opts->key) == NULL)
			return ctl_usage_error("--%s is required", opts->name);
	return 0;
}

int
ctl_parse_cmd(const struct ctl_cmd *c, int argc, char **argv, json_t *args)
{
	if (c->parse != NULL)
		return c->parse(argc, argv, args);
	return ctl_parse_args(argc, argv, c->pos, c->opts, args);
}

/* Adds one FIELD=VALUE word to fields. */
static int
field_set(json_t *fields, const char *word)
{
	const char	*eq = strchr(word, '=');
	char		*name;
	int		 rc;

	if (eq == NULL || eq == word || *word == '-')
		return ctl_usage_error("%s: not FIELD=VALUE", word);
	if ((name = strndup(word, eq - word)) == NULL)
		return ctl_usage_error("%s", strerror(errno));
	if (json_object_get(fields, name) != NULL)
		rc = ctl_usage_error("%s given twice", name);
	else
		rc = set_string(fields, name, name, eq + 1);
	free(name);
	return rc;
}

int
ctl_parse_fields(int argc, char **argv, json_t *args)
{
	json_t	*fields;
	int	 i;

	if (argc < 1)
		return -1;
	if ((fields = json_object()) == NULL ||
	    json_object_set_new(args, "fields", fields) == -1)
		return -1;
	for (i = 0; i < argc; i++)
		if (field_set(fields, argv[i]) == -1)
			return -1;
	return 0;
}

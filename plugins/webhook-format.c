/*
 * The webhook's request bodies: the daemon's generic payload as it is, a
 * Slack message, or a Teams Adaptive Card.  The words come from the host
 * (alert_summary); this file only lays them out for each receiver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "notifier.h"
#include "webhook.h"

static const char *const webhook_format_names[] = {
	[WEBHOOK_GENERIC] = "generic",
	[WEBHOOK_SLACK] = "slack",
	[WEBHOOK_TEAMS] = "teams",
};

int
webhook_format_parse(const char *name, enum webhook_format *f)
{
	size_t	i;

	for (i = 0; i < sizeof(webhook_format_names) /
	    sizeof(webhook_format_names[0]); i++)
		if (strcmp(name, webhook_format_names[i]) == 0) {
			*f = (enum webhook_format)i;
			return 0;
		}
	return -1;
}

const char *
webhook_format_name(enum webhook_format f)
{
	return webhook_format_names[f];
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *
webhook_summary(const struct notifier_host *host,
    const struct notifier_delivery *d)
{
	char	*words, *s;

	if ((words = host->alert_summary(d->alert)) == NULL)
		return NULL;
	if (asprintf(&s, "[contractd] %s", words) == -1)
		s = NULL;
	free(words);
	return s;
}

/* Slack reads <...> as links and mentions: only &, < and > are escaped. */
static char *
webhook_slack_escape(const char *text)
{
	char	*s, *p;

	/* "&amp;" is the longest escape: 5 bytes for 1. */
	if ((s = p = malloc(strlen(text) * 5 + 1)) == NULL)
		return NULL;
	for (; *text != '\0'; text++) {
		if (*text == '&')
			p = stpcpy(p, "&amp;");
		else if (*text == '<')
			p = stpcpy(p, "&lt;");
		else if (*text == '>')
			p = stpcpy(p, "&gt;");
		else
			*p++ = *text;
	}
	*p = '\0';
	return s;
}

static json_t *
webhook_slack(const struct notifier_host *host,
    const struct notifier_delivery *d)
{
	json_t	*root = NULL;
	char	*summary, *text = NULL;

	if ((summary = webhook_summary(host, d)) != NULL &&
	    (text = webhook_slack_escape(summary)) != NULL)
		root = json_pack("{s:s}", "text", text);
	free(text);
	free(summary);
	return root;
}

static int
webhook_teams_fact(json_t *facts, const char *title, const char *value)
{
	if (value == NULL)
		return 0;
	return json_array_append_new(facts, json_pack("{s:s, s:s}",
	    "title", title, "value", value));
}

static json_t *
webhook_teams_facts(const json_t *a)
{
	const json_t	*c = json_object_get(a, "contract");
	const char	*succ = str(c, "successor_ref");
	json_t		*facts;
	char		 days[16];
	int		 rc = 0;

	if ((facts = json_array()) == NULL)
		return NULL;
	snprintf(days, sizeof(days), "%d",
	    (int)json_integer_value(json_object_get(a, "days_left")));
	rc |= webhook_teams_fact(facts, "Contract", str(c, "ref"));
	rc |= webhook_teams_fact(facts, "Milestone", str(a, "milestone"));
	rc |= webhook_teams_fact(facts, "Due", str(a, "due"));
	rc |= webhook_teams_fact(facts, "Days left", days);
	rc |= webhook_teams_fact(facts, "End date", str(c, "end_date"));
	rc |= webhook_teams_fact(facts, "Max end date",
	    str(c, "max_end_date"));
	rc |= webhook_teams_fact(facts, "Successor", succ != NULL ? succ :
	    "none");
	if (rc != 0) {
		json_decref(facts);
		return NULL;
	}
	return facts;
}

/* "REF: TITLE", or REF alone. */
static json_t *
webhook_teams_title(const json_t *a)
{
	const json_t	*c = json_object_get(a, "contract");
	const char	*ref = str(c, "ref"), *title = str(c, "title");

	if (ref == NULL)
		ref = "?";
	return title != NULL && *title != '\0' ?
	    json_sprintf("%s: %s", ref, title) : json_string(ref);
}

/* A Teams message carrying one Adaptive Card (schema 1.4). */
static json_t *
webhook_teams(const struct notifier_host *host,
    const struct notifier_delivery *d)
{
	json_t	*root;
	char	*summary;

	if ((summary = webhook_summary(host, d)) == NULL)
		return NULL;
	/* json_pack takes the references given to "o", even on error. */
	root = json_pack("{s:s, s:[{s:s, s:n, s:{s:s, s:s, s:s, s:["
	    "{s:s, s:o, s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:o}]}}]}",
	    "type", "message",
	    "attachments",
	    "contentType", "application/vnd.microsoft.card.adaptive",
	    "contentUrl",
	    "content",
	    "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
	    "type", "AdaptiveCard",
	    "version", "1.4",
	    "body",
	    "type", "TextBlock", "text", webhook_teams_title(d->alert),
	    "size", "medium", "weight", "bolder", "wrap", 1,
	    "type", "TextBlock", "text", summary, "wrap", 1,
	    "type", "FactSet", "facts", webhook_teams_facts(d->alert));
	free(summary);
	return root;
}

char *
webhook_body(const struct notifier_host *host, enum webhook_format f,
    const struct notifier_delivery *d)
{
	json_t	*root;
	char	*s;

	/* The payload's own text: the same bytes on every retry. */
	if (f == WEBHOOK_GENERIC)
		return d->json != NULL ? strdup(d->json) : NULL;
	if (f == WEBHOOK_SLACK)
		root = webhook_slack(host, d);
	else
		root = webhook_teams(host, d);
	if (root == NULL)
		return NULL;
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return s;
}

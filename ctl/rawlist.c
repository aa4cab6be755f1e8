/*
 * contractctl --json of a list: the elements of the result's list are
 * printed as the daemon wrote them, one a line, found by skipping over
 * the JSON text rather than building it into values (an agenda of tens
 * of thousands of rows would spend most of its time there).  Anything
 * unexpected leaves the answer to the full parse.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

#define RAW_DEPTH	32

struct scan {
	const char	*p;
	const char	*end;
};

static void
blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Skips a string; its text without quotes in *str, *len.  -1: not one. */
static int
string(struct scan *s, const char **str, size_t *len)
{
	const char	*q;

	if (s->p == s->end || *s->p != '"')
		return -1;
	for (q = s->p + 1; q < s->end && *q != '"'; q++)
		if (*q == '\\' && ++q == s->end)
			return -1;
	if (q == s->end)
		return -1;
	*str = s->p + 1;
	*len = (size_t)(q - s->p - 1);
	s->p = q + 1;
	return 0;
}

static int	value(struct scan *, int);

/* Skips the members (or elements) of an object (or array) at s->p. */
static int
members(struct scan *s, int object, int depth)
{
	const char	*k;
	size_t		 n;
	char		 close = object ? '}' : ']';

	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		if (object) {
			blanks(s);
			if (string(s, &k, &n) == -1)
				return -1;
			blanks(s);
			if (s->p == s->end || *s->p++ != ':')
				return -1;
		}
		if (value(s, depth + 1) == -1)
			return -1;
		blanks(s);
		if (s->p == s->end)
			return -1;
		if (*s->p == close) {
			s->p++;
			return 0;
		}
		if (*s->p++ != ',')
			return -1;
	}
}

/* Skips a literal: true, false or null. */
static int
literal(struct scan *s)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t			 i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if ((size_t)(s->end - s->p) >= n &&
		    memcmp(s->p, words[i], n) == 0) {
			s->p += n;
			return 0;
		}
	}
	return -1;
}

static int
digits(struct scan *s)
{
	const char	*q = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > q ? 0 : -1;
}

/* Skips a number as JSON writes them: -?int(.digits)?([eE][+-]?digits)? */
static int
number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == -1)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) == -1)
			return -1;
	}
	return 0;
}

/* Skips one value: a string, object, array, number or literal. */
static int
value(struct scan *s, int depth)
{
	const char	*str;
	size_t		 n;

	blanks(s);
	if (s->p == s->end || depth > RAW_DEPTH)
		return -1;
	if (*s->p == '"')
		return string(s, &str, &n);
	if (*s->p == '{' || *s->p == '[')
		return members(s, *s->p == '{', depth);
	if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
		return number(s);
	return literal(s);
}

/*
 * Positions s at the value of key in the object at s->p, checking the
 * whole object: 0, or -1 if it is not well formed or has the key other
 * than once (jansson would keep the last; better to let it decide).
 */
static int
member(struct scan *s, const char *key)
{
	struct scan	 t = *s;
	const char	*k, *at = NULL;
	size_t		 n;

	blanks(&t);
	if (t.p == t.end || *t.p != '{')
		return -1;
	t.p++;
	for (;;) {
		blanks(&t);
		if (string(&t, &k, &n) == -1)
			return -1;
		blanks(&t);
		if (t.p == t.end || *t.p++ != ':')
			return -1;
		blanks(&t);
		if (n == strlen(key) && memcmp(k, key, n) == 0) {
			if (at != NULL)
				return -1;
			at = t.p;
		}
		if (value(&t, 1) == -1)
			return -1;
		blanks(&t);
		if (t.p == t.end)
			return -1;
		if (*t.p == '}')
			break;
		if (*t.p++ != ',')
			return -1;
	}
	if (at == NULL)
		return -1;
	s->p = at;
	return 0;
}

int
ctl_print_raw_list(const char *line, size_t len, const char *key)
{
	struct scan	 s = { line, line + len }, t;
	const char	*v;

	/* The whole line is one object, and nothing follows it. */
	t = s;
	if (value(&t, 0) == -1)
		return -1;
	blanks(&t);
	if (t.p != t.end)
		return -1;
	/* {"ok": true, "result": {..., key: [...]}}, in any order. */
	t = s;
	if (member(&t, "ok") == -1 || literal(&t) == -1 ||
	    memcmp(t.p - 4, "true", 4) != 0)
		return -1;
	if (member(&s, "result") == -1 || member(&s, key) == -1 ||
	    *s.p != '[')
		return -1;
	s.p++;
	for (blanks(&s); *s.p != ']';) {
		v = s.p;
		(void)value(&s, 1);
		fwrite(v, 1, (size_t)(s.p - v), stdout);
		putchar('\n');
		blanks(&s);
		if (*s.p == ',')
			s.p++;
		blanks(&s);
	}
	return 0;
}

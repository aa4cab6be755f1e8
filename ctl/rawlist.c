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

/* Skips one value: a string, object, array, number or literal. */
static int
value(struct scan *s, int depth)
{
	const char	*str, *q;
	size_t		 n;

	blanks(s);
	if (s->p == s->end || depth > RAW_DEPTH)
		return -1;
	if (*s->p == '"')
		return string(s, &str, &n);
	if (*s->p == '{' || *s->p == '[')
		return members(s, *s->p == '{', depth);
	for (q = s->p; q < s->end && strchr("+-.0123456789Eaeflnrstu",
	    *q) != NULL && *q != '\0'; q++)
		;
	if (q == s->p)
		return -1;
	s->p = q;
	return 0;
}

/*
 * Positions s at the value of key in the object at s->p: 0, or -1 if the
 * object has no such key or is not well formed.
 */
static int
member(struct scan *s, const char *key)
{
	const char	*k;
	size_t		 n;

	blanks(s);
	if (s->p == s->end || *s->p++ != '{')
		return -1;
	for (;;) {
		blanks(s);
		if (string(s, &k, &n) == -1)
			return -1;
		blanks(s);
		if (s->p == s->end || *s->p++ != ':')
			return -1;
		blanks(s);
		if (n == strlen(key) && memcmp(k, key, n) == 0)
			return 0;
		if (value(s, 1) == -1)
			return -1;
		blanks(s);
		if (s->p == s->end || *s->p++ != ',')
			return -1;
	}
}

int
ctl_print_raw_list(const char *line, size_t len, const char *key)
{
	struct scan	 s = { line, line + len }, t;
	const char	*v;

	/* {"ok": true, "result": {..., key: [...]}}, in any order. */
	t = s;
	if (member(&t, "ok") == -1 || (size_t)(t.end - t.p) < 4 ||
	    memcmp(t.p, "true", 4) != 0)
		return -1;
	if (member(&s, "result") == -1 || member(&s, key) == -1)
		return -1;
	/* Checked whole before anything is printed. */
	t = s;
	if (t.p == t.end || *t.p != '[' || value(&t, 1) == -1)
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

/*
 * contractctl --json of a list: the elements of the result's list are
 * printed as the daemon wrote them, one a line, found by skipping over
 * the JSON text rather than building it into values (an agenda of tens
 * of thousands of rows would spend most of its time there).  One walk
 * checks the whole line, counts the members the answer needs and notes
 * where each element of the list ends; only then is anything printed.
 * Anything unexpected leaves the answer to the full parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define RAW_DEPTH	32
#define RAW_OUTBUF	65536

/* Where a value stands: what the walk notes about it. */
enum where {
	IN_ANY,
	IN_ANSWER,	/* the answer: its "ok" and "result" */
	IN_RESULT,	/* the result: the list */
	IN_LIST		/* the list: its elements */
};

struct scan {
	const char	*p;
	const char	*end;
	const char	*key;		/* the list's name in the result */
	size_t		 keylen;
	int		 oks;		/* "ok" members of the answer */
	int		 ok;		/* the last one was true */
	int		 results;	/* "result" members of the answer */
	int		 lists;		/* key members of the result */
	int		 truncateds;	/* "truncated" members of it */
	int		 truncated;	/* the last one was true */
	const char	*list;		/* the last one's value */
	const char	**ends;		/* where each element of it ends */
	size_t		 nends;
	size_t		 maxends;
};

static int	value(struct scan *, enum where, int);

static void
blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/*
 * Skips a string; its text without quotes in *str, *len.  -1: not one.
 * Strings are most of an answer, so memchr finds each quote: it ends the
 * string unless the run of backslashes just before it is odd.
 */
static int
string(struct scan *s, const char **str, size_t *len)
{
	const char	*q, *b;

	if (s->p == s->end || *s->p != '"')
		return -1;
	for (q = s->p + 1;; q++) {
		if ((q = memchr(q, '"', (size_t)(s->end - q))) == NULL)
			return -1;
		for (b = q; b > s->p + 1 && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			break;
	}
	*str = s->p + 1;
	*len = (size_t)(q - s->p - 1);
	s->p = q + 1;
	return 0;
}

/* Skips a literal: true, false or null. */
static int
literal(struct scan *s)
{
	size_t	left = (size_t)(s->end - s->p);

	if (left >= 4 && (memcmp(s->p, "true", 4) == 0 ||
	    memcmp(s->p, "null", 4) == 0)) {
		s->p += 4;
		return 0;
	}
	if (left >= 5 && memcmp(s->p, "false", 5) == 0) {
		s->p += 5;
		return 0;
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

/*
 * After a member or element: 1 past the close of its object or array,
 * 0 past the comma before the next one, -1 if neither follows.
 */
static int
next(struct scan *s, char close)
{
	char	c;

	blanks(s);
	if (s->p == s->end)
		return -1;
	c = *s->p++;
	if (c == close)
		return 1;
	return c == ',' ? 0 : -1;
}

/* Is the key of n bytes at k the n bytes of name? */
static int
iskey(const char *k, size_t n, const char *name, size_t len)
{
	return n == len && memcmp(k, name, n) == 0;
}

/*
 * The value of member k (n bytes) of an object that stands in: counts
 * the members the answer needs, so that any of them twice is seen
 * (jansson would keep the last; better to let it decide).
 */
static int
member(struct scan *s, enum where in, const char *k, size_t n, int depth)
{
	const char	*v;

	if (in == IN_ANSWER && iskey(k, n, "ok", 2)) {
		s->oks++;
		blanks(s);
		v = s->p;
		if (value(s, IN_ANY, depth) == -1)
			return -1;
		s->ok = (s->p - v == 4 && memcmp(v, "true", 4) == 0);
		return 0;
	}
	if (in == IN_ANSWER && iskey(k, n, "result", 6)) {
		s->results++;
		return value(s, IN_RESULT, depth);
	}
	if (in == IN_RESULT && iskey(k, n, "truncated", 9)) {
		s->truncateds++;
		blanks(s);
		v = s->p;
		if (value(s, IN_ANY, depth) == -1)
			return -1;
		s->truncated = (s->p - v == 4 && memcmp(v, "true", 4) == 0);
		return 0;
	}
	if (in == IN_RESULT && iskey(k, n, s->key, s->keylen)) {
		s->lists++;
		blanks(s);
		s->list = s->p;
		return value(s, IN_LIST, depth);
	}
	return value(s, IN_ANY, depth);
}

/* Skips the members of an object at s->p. */
static int
object(struct scan *s, enum where in, int depth)
{
	const char	*k;
	size_t		 n;
	int		 rc;

	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	do {
		blanks(s);
		if (string(s, &k, &n) == -1)
			return -1;
		/*
		 * A key written with escapes might spell one the answer
		 * needs, which only the full parse would see.
		 */
		if (in != IN_ANY && memchr(k, '\\', n) != NULL)
			return -1;
		blanks(s);
		if (s->p == s->end || *s->p++ != ':')
			return -1;
		if (member(s, in, k, n, depth + 1) == -1)
			return -1;
	} while ((rc = next(s, '}')) == 0);
	return rc == 1 ? 0 : -1;
}

/* Notes that an element of the list ends at s->p. */
static int
note(struct scan *s)
{
	const char	**e;
	size_t		  max;

	if (s->nends == s->maxends) {
		max = s->maxends ? s->maxends * 2 : 1024;
		if ((e = reallocarray(s->ends, max, sizeof(*e))) == NULL)
			return -1;
		s->ends = e;
		s->maxends = max;
	}
	s->ends[s->nends++] = s->p;
	return 0;
}

/* Skips the elements of an array at s->p; of the list, notes each. */
static int
array(struct scan *s, enum where in, int depth)
{
	int	rc;

	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	do {
		if (value(s, IN_ANY, depth + 1) == -1)
			return -1;
		if (in == IN_LIST && note(s) == -1)
			return -1;
	} while ((rc = next(s, ']')) == 0);
	return rc == 1 ? 0 : -1;
}

/* Skips one value: a string, object, array, number or literal. */
static int
value(struct scan *s, enum where in, int depth)
{
	const char	*str;
	size_t		 n;

	blanks(s);
	if (s->p == s->end || depth > RAW_DEPTH)
		return -1;
	switch (*s->p) {
	case '"':
		return string(s, &str, &n);
	case '{':
		return object(s, in == IN_LIST ? IN_ANY : in, depth);
	case '[':
		return array(s, in == IN_LIST ? in : IN_ANY, depth);
	case '-':
		return number(s);
	default:
		if (*s->p >= '0' && *s->p <= '9')
			return number(s);
		return literal(s);
	}
}

/*
 * Prints each element of the list and a newline, gathered into large
 * writes (a stdio call for each element cost more than the copy).  Each
 * element starts after the blanks past the list's bracket or the comma
 * that ends the one before.
 */
static void
print(struct scan *s)
{
	static char	 buf[RAW_OUTBUF];
	size_t		 used = 0, i, len;
	const char	*v;

	s->p = s->list;
	for (i = 0; i < s->nends; i++) {
		s->p++;
		blanks(s);
		v = s->p;
		len = (size_t)(s->ends[i] - v);
		if (len >= sizeof(buf) - used) {
			fwrite(buf, 1, used, stdout);
			used = 0;
		}
		if (len >= sizeof(buf)) {
			fwrite(v, 1, len, stdout);
			putchar('\n');
		} else {
			memcpy(buf + used, v, len);
			used += len;
			buf[used++] = '\n';
		}
		s->p = s->ends[i];
		blanks(s);
	}
	fwrite(buf, 1, used, stdout);
}

int
ctl_print_raw_list(const char *line, size_t len, const char *key)
{
	struct scan	 s;
	int		 rc = -1;

	/* A NUL ends the line for strlen and jansson: theirs to judge. */
	if (memchr(line, '\0', len) != NULL)
		return -1;
	memset(&s, 0, sizeof(s));
	s.p = line;
	s.end = line + len;
	s.key = key;
	s.keylen = strlen(key);
	/*
	 * The whole line is one object, nothing follows it, and it is
	 * {"ok": true, "result": {..., key: [...]}}, in any order, with
	 * each of those keys once.
	 */
	if (value(&s, IN_ANSWER, 0) == -1)
		goto out;
	blanks(&s);
	if (s.p != s.end || s.oks != 1 || !s.ok || s.results != 1 ||
	    s.lists != 1 || *s.list != '[' || s.truncateds > 1)
		goto out;
	print(&s);
	rc = s.truncated;
out:
	free(s.ends);
	return rc;
}

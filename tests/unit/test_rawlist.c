/*
 * Unit tests of contractctl's printer of list answers (ctl/rawlist.c):
 * it prints exactly the list's elements of a well-formed successful
 * answer, and refuses (-1, nothing printed) anything else, which the
 * caller then hands to the full parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl.h"

/*
 * What ctl_print_raw_list printed for the n bytes of line (its length in
 * *outlen), or "-1" if it refused.
 */
static char *
printedn(const char *line, size_t n, size_t *outlen)
{
	FILE	*f, *saved = stdout;
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	assert_non_null(f = open_memstream(&buf, &len));
	stdout = f;
	rc = ctl_print_raw_list(line, n, "rows");
	stdout = saved;
	fclose(f);
	if (rc == -1) {
		assert_int_equal(len, 0);
		free(buf);
		len = 2;
		buf = strdup("-1");
	}
	if (outlen != NULL)
		*outlen = len;
	return buf;
}

static char *
printed(const char *line)
{
	return printedn(line, strlen(line), NULL);
}

static void
is(const char *line, const char *want)
{
	char	*got = printed(line);

	assert_string_equal(got, want);
	free(got);
}

static void
test_prints_elements(void **state)
{
	(void)state;
	is("{\"v\":1,\"ok\":true,\"result\":{\"rows\":[{\"a\":1},{\"b\":"
	    "\"x]},\\\"\"},[2,3],-1.5e+3,null]}}",
	    "{\"a\":1}\n{\"b\":\"x]},\\\"\"}\n[2,3]\n-1.5e+3\nnull\n");
	/* Any order, other keys, blanks. */
	is(" { \"result\" : { \"n\" : 2 , \"rows\" : [ 1 , \"\xc3\xa9\" ] } ,"
	    " \"ok\" : true , \"v\" : 1 } ", "1\n\"\xc3\xa9\"\n");
	is("{\"ok\":true,\"result\":{\"rows\":[]}}", "");
	is("{\"ok\":true,\"result\":{\"rows\":[{\"k\": {\"a\": 1, \"b\": "
	    "[true, false]}}]}}", "{\"k\": {\"a\": 1, \"b\": [true, false]}}\n");
}

static void
test_refuses(void **state)
{
	(void)state;
	/* Not a success, or no such list. */
	is("{\"ok\":false,\"error\":{\"code\":\"x\",\"message\":\"y\"}}", "-1");
	is("{\"ok\":\"true\",\"result\":{\"rows\":[]}}", "-1");
	is("{\"ok\":true,\"result\":{\"other\":[]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":{}}}", "-1");
	is("{\"ok\":true}", "-1");
	/* Keys twice: jansson would keep the last. */
	is("{\"ok\":false,\"ok\":true,\"result\":{\"rows\":[1]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1],\"rows\":[2]}}", "-1");
	/* Not JSON. */
	is("{\"ok\":true,\"result\":{\"rows\":[1]}}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1]}} x", "-1");
	is("{\"ok\":trueX,\"result\":{\"rows\":[1]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[nul]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1.2.3]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1,]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[\"open]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1]", "-1");
	is("", "-1");
	is("[1]", "-1");
}

/* Escaped quotes and backslashes, in runs of any length, around quotes. */
static void
test_escapes(void **state)
{
	(void)state;
	/* "a\\" ends at its quote; "\\\"" holds an escaped quote. */
	is("{\"ok\":true,\"result\":{\"rows\":[\"a\\\\\",\"\\\\\\\"\","
	    "\"\\\\\\\\\",\"\\\"\",\"x\\\"],\\\\\"]}}",
	    "\"a\\\\\"\n\"\\\\\\\"\"\n\"\\\\\\\\\"\n\"\\\"\"\n"
	    "\"x\\\"],\\\\\"\n");
	/* Keys with escapes inside an element are the element's own. */
	is("{\"ok\":true,\"result\":{\"rows\":[{\"\\\"k\\\\\":\"v\"}]}}",
	    "{\"\\\"k\\\\\":\"v\"}\n");
	/* An escaped quote does not end a string; an odd run leaves it open. */
	is("{\"ok\":true,\"result\":{\"rows\":[\"a\\\"]}}", "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[\"a\\\\\\\"]}}", "-1");
}

/* What the full parse would read otherwise than the walk: left to it. */
static void
test_refuses_unclear(void **state)
{
	static const char	 nul[] = "{\"ok\":true,\"result\":{\"rows\":"
	    "[\"a\0b\"]}}";
	char			*out;

	(void)state;
	/* jansson reads "o\u006b" as ok: here ok would be false. */
	is("{\"ok\":true,\"o\\u006b\":false,\"result\":{\"rows\":[1]}}",
	    "-1");
	is("{\"ok\":true,\"result\":{\"rows\":[1],\"r\\u006fws\":[2]}}",
	    "-1");
	/* strlen (and so jansson) would stop at a NUL. */
	out = printedn(nul, sizeof(nul) - 1, NULL);
	assert_string_equal(out, "-1");
	free(out);
}

/*
 * An element 29 arrays deep holds a value 32 levels (RAW_DEPTH) into the
 * answer; one deeper leaves the answer to the full parse.
 */
static void
test_depth(void **state)
{
	char	line[256], *out;
	int	n, i, k;

	(void)state;
	for (k = 29; k <= 30; k++) {
		n = snprintf(line, sizeof(line), "{\"ok\":true,\"result\":"
		    "{\"rows\":[");
		for (i = 0; i < k; i++)
			line[n++] = '[';
		line[n++] = '1';
		for (i = 0; i < k; i++)
			line[n++] = ']';
		memcpy(line + n, "]}}", 4);
		out = printed(line);
		if (k == 29)
			assert_int_equal(strlen(out), (size_t)(2 * k + 2));
		else
			assert_string_equal(out, "-1");
		free(out);
	}
}

/*
 * Many elements of many sizes, with blanks around some: each is printed
 * whole, in order, once.  The first fill the output batch (64 KiB) to
 * its last byte, then to one byte short of an element and its newline,
 * then come elements about as large as a batch or larger.
 */
static void
test_large(void **state)
{
	static const size_t	 sizes[] = { 4, 65530, 4, 65531, 7, 150, 4095,
	    65534, 65535, 65536, 65537, 100000, 5 };
	char			*line, *want, *out, *p, *w;
	size_t			 i, j, k, n, cap = 4 * 1024 * 1024, outlen;

	(void)state;
	assert_non_null(line = malloc(cap));
	assert_non_null(want = malloc(cap));
	p = line + sprintf(line, "{\"ok\":true,\"result\":{\"rows\":[");
	w = want;
	for (i = 0; i < 3000; i++) {
		/* A string of n bytes in all, ending in an escaped quote. */
		n = i < nitems(sizes) ? sizes[i] : 4 + i % 211;
		if (i > 0)
			*p++ = ',';
		if (i % 7 == 0)
			*p++ = ' ';
		k = (size_t)(p - line);
		*p++ = '"';
		for (j = 0; j < n - 4; j++)
			*p++ = (char)('a' + (i + j) % 26);
		memcpy(p, "\\\"\"", 3);
		p += 3;
		memcpy(w, line + k, n);
		w += n;
		*w++ = '\n';
		if (i % 5 == 0)
			*p++ = '\t';
	}
	memcpy(p, "]}}", 3);
	p += 3;
	out = printedn(line, (size_t)(p - line), &outlen);
	assert_int_equal(outlen, (size_t)(w - want));
	assert_memory_equal(out, want, outlen);
	free(out);
	free(want);
	free(line);
}

/* ctl_print_raw_list's answer for line, what it printed into *out. */
static int
rc_of(const char *line, char **out)
{
	FILE	*f, *saved = stdout;
	size_t	 len = 0;
	int	 rc;

	*out = NULL;
	assert_non_null(f = open_memstream(out, &len));
	stdout = f;
	rc = ctl_print_raw_list(line, strlen(line), "rows");
	stdout = saved;
	fclose(f);
	return rc;
}

/* The result's "truncated": true makes 1, printed all the same. */
static void
test_cut_short(void **state)
{
	static const struct {
		const char	*line;
		int		 rc;
	} t[] = {
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2],\"truncated\":true}}",
		    1 },
		{ "{\"ok\":true,\"result\":{\"truncated\" : true ,\"rows\":[1,2]"
		    "}}", 1 },
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2],\"truncated\":false}}",
		    0 },
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2]}}", 0 },
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2],\"truncated\":"
		    "\"true\"}}", 0 },
		/* Elsewhere than in the result, it is not the result's. */
		{ "{\"ok\":true,\"truncated\":true,\"result\":{\"rows\":[1,2]}}",
		    0 },
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2],\"x\":{\"truncated\":"
		    "true}}}", 0 },
		/* Twice: jansson decides. */
		{ "{\"ok\":true,\"result\":{\"rows\":[1,2],\"truncated\":false,"
		    "\"truncated\":true}}", -1 },
	};
	size_t	 i;
	char	*out;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(rc_of(t[i].line, &out), t[i].rc);
		assert_string_equal(out, t[i].rc == -1 ? "" : "1\n2\n");
		free(out);
	}
}

/* Cut short anywhere, a good answer is refused, never read past. */
static void
test_truncated(void **state)
{
	const char	*line = "{\"ok\":true,\"result\":{\"rows\":[{\"a\":"
	    "[1,{\"b\":\"c\\\"d\"}]},2]}}";
	size_t		 n, len = strlen(line);
	char		*copy, *out, *buf;
	FILE		*f, *saved = stdout;
	size_t		 blen;

	(void)state;
	for (n = 0; n < len; n++) {
		/* An exact-size copy, so a read past its end is caught. */
		assert_non_null(copy = malloc(n ? n : 1));
		memcpy(copy, line, n);
		buf = NULL;
		assert_non_null(f = open_memstream(&buf, &blen));
		stdout = f;
		assert_int_equal(ctl_print_raw_list(copy, n, "rows"), -1);
		stdout = saved;
		fclose(f);
		assert_int_equal(blen, 0);
		free(buf);
		free(copy);
	}
	out = printed(line);
	assert_string_equal(out, "{\"a\":[1,{\"b\":\"c\\\"d\"}]}\n2\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prints_elements),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_refuses_unclear),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

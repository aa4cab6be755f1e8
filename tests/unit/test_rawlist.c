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

/* What ctl_print_raw_list printed for line, or "-1" if it refused. */
static char *
printed(const char *line)
{
	FILE	*f, *saved = stdout;
	char	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	assert_non_null(f = open_memstream(&buf, &len));
	stdout = f;
	rc = ctl_print_raw_list(line, strlen(line), "rows");
	stdout = saved;
	fclose(f);
	if (rc == -1) {
		assert_int_equal(len, 0);
		free(buf);
		return strdup("-1");
	}
	return buf;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

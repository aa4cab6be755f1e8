/*
 * Unit tests of the control protocol's parsing and framing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"
#include "text.h"

static int
parse(const char *line, struct proto_request *req, char *err, size_t len)
{
	return proto_parse(line, strlen(line), req, err, len);
}

static void
test_good_request(void **state)
{
	struct proto_request	req;
	char			err[256];

	(void)state;
	assert_int_equal(parse("{\"v\":1,\"cmd\":\"extend\",\"args\":"
	    "{\"ref\":\"HAV-CPDPS\",\"months\":8}}", &req, err,
	    sizeof(err)), 0);
	assert_string_equal(req.cmd, "extend");
	assert_string_equal(json_string_value(json_object_get(req.args,
	    "ref")), "HAV-CPDPS");
	assert_int_equal(json_integer_value(json_object_get(req.args,
	    "months")), 8);
	proto_request_free(&req);
}

static void
test_args_default_to_empty_object(void **state)
{
	struct proto_request	req;
	char			err[256];

	(void)state;
	assert_int_equal(parse("{\"v\":1,\"cmd\":\"ping\"}", &req, err,
	    sizeof(err)), 0);
	assert_true(json_is_object(req.args));
	assert_int_equal(json_object_size(req.args), 0);
	proto_request_free(&req);
}

static void
expect_bad(const char *line, const char *reason)
{
	struct proto_request	req;
	char			err[256] = "";

	assert_int_equal(parse(line, &req, err, sizeof(err)), -1);
	assert_non_null(strstr(err, reason));
	assert_null(req.root);
}

static void
test_bad_requests(void **state)
{
	(void)state;
	expect_bad("{not json", "invalid JSON");
	expect_bad("", "invalid JSON");
	expect_bad("[1,2]", "a request is a JSON object");
	expect_bad("{\"cmd\":\"ping\"}", "unsupported protocol version");
	expect_bad("{\"v\":2,\"cmd\":\"ping\"}", "unsupported protocol");
	expect_bad("{\"v\":\"1\",\"cmd\":\"ping\"}", "unsupported protocol");
	expect_bad("{\"v\":1}", "\"cmd\" must be a non-empty string");
	expect_bad("{\"v\":1,\"cmd\":7}", "\"cmd\" must be");
	expect_bad("{\"v\":1,\"cmd\":\"\"}", "\"cmd\" must be");
	expect_bad("{\"v\":1,\"cmd\":\"ping\",\"args\":[1]}",
	    "\"args\" must be an object");
	expect_bad("{\"v\":1,\"cmd\":\"a\",\"cmd\":\"b\"}", "invalid JSON");
	expect_bad("{\"v\":1,\"cmd\":\"ping\"} trailing", "invalid JSON");
}

/*
 * jansson quotes the text near an error byte by byte: here the first byte
 * of a two-byte sequence, after a backslash.  The reason must stay UTF-8,
 * so that the bad_request answer can be made (found by tests/fuzz).
 */
static void
test_bad_request_reason_is_utf8(void **state)
{
	struct proto_request	req;
	char			err[256], *line;

	(void)state;
	assert_int_equal(parse("{\"v\":1,\"cmd\":\"a\\\xc3\xa9\"}", &req, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "invalid JSON at column 17: invalid escape "
	    "near '\"a\\?'");
	assert_non_null(line = proto_error("bad_request", err));
	assert_string_equal(line, "{\"v\":1,\"ok\":false,\"error\":{\"code\":"
	    "\"bad_request\",\"message\":\"invalid JSON at column 17: "
	    "invalid escape near '\\\"a\\\\?'\"}}\n");
	free(line);
}

static void
test_nul_in_line(void **state)
{
	struct proto_request	req;
	char			err[256];
	const char		line[] = "{\"v\":1,\"cmd\":\"ping\"}\0garbage";

	(void)state;
	assert_int_equal(proto_parse(line, sizeof(line) - 1, &req, err,
	    sizeof(err)), -1);
}

static void
test_responses(void **state)
{
	char	*s;

	(void)state;
	s = proto_ok(json_pack("{s:i}", "n", 3));
	assert_string_equal(s, "{\"v\":1,\"ok\":true,\"result\":{\"n\":3}}\n");
	free(s);
	s = proto_ok(NULL);
	assert_string_equal(s, "{\"v\":1,\"ok\":true,\"result\":{}}\n");
	free(s);
	s = proto_error("not_found", "no contract X");
	assert_string_equal(s, "{\"v\":1,\"ok\":false,\"error\":{\"code\":"
	    "\"not_found\",\"message\":\"no contract X\"}}\n");
	free(s);
}

static void
test_request_roundtrip(void **state)
{
	struct proto_request	 req;
	char			*s, err[256];

	(void)state;
	s = proto_request("show", json_pack("{s:s}", "ref", "A/1\n\"x\""));
	assert_non_null(s);
	assert_int_equal(strchr(s, '\n') - s, (long)strlen(s) - 1);
	assert_int_equal(proto_parse(s, strlen(s) - 1, &req, err,
	    sizeof(err)), 0);
	assert_string_equal(req.cmd, "show");
	assert_string_equal(json_string_value(json_object_get(req.args,
	    "ref")), "A/1\n\"x\"");
	proto_request_free(&req);
	free(s);
}

static void
test_ok_raw(void **state)
{
	struct strbuf	 b;
	char		*line;
	json_t		*v;

	(void)state;
	memset(&b, 0, sizeof(b));
	proto_ok_open(&b);
	strbuf_puts(&b, "{\"a\":[1,2]}");
	proto_ok_close(&b);
	assert_false(b.failed);
	assert_int_equal(b.len, strlen(b.s));
	line = b.s;
	assert_string_equal(line, "{\"v\":1,\"ok\":true,\"result\":"
	    "{\"a\":[1,2]}}\n");
	v = json_loads(line, 0, NULL);
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(
	    json_object_get(v, "result"), "a"), 1)), 2);
	json_decref(v);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_request),
		cmocka_unit_test(test_args_default_to_empty_object),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_bad_request_reason_is_utf8),
		cmocka_unit_test(test_nul_in_line),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_ok_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

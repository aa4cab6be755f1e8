/*
 * Control protocol messages, built and parsed with jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int
proto_parse(const char *line, size_t len, struct proto_request *req,
    char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*v, *cmd, *args;
	char		 why[sizeof(jerr.text)];

	memset(req, 0, sizeof(*req));
	req->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->root == NULL) {
		/*
		 * jansson quotes the text "near" the error, which may end in
		 * the middle of a UTF-8 sequence: the answer must stay UTF-8.
		 */
		text_excerpt(jerr.text, strlen(jerr.text), why, sizeof(why));
		snprintf(err, errlen, "invalid JSON at column %d: %s",
		    jerr.column, why);
		return -1;
	}
	if (!json_is_object(req->root)) {
		snprintf(err, errlen, "a request is a JSON object");
		goto bad;
	}
	v = json_object_get(req->root, "v");
	if (!json_is_integer(v) || json_integer_value(v) != PROTO_VERSION) {
		snprintf(err, errlen, "unsupported protocol version "
		    "(\"v\" must be %d)", PROTO_VERSION);
		goto bad;
	}
	cmd = json_object_get(req->root, "cmd");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0) {
		snprintf(err, errlen, "\"cmd\" must be a non-empty string");
		goto bad;
	}
	args = json_object_get(req->root, "args");
	if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
		snprintf(err, errlen, "\"args\" must be an object");
		goto bad;
	}
	if (args == NULL || json_is_null(args)) {
		args = json_object();
		if (args == NULL || json_object_set_new(req->root, "args",
		    args) == -1) {
			snprintf(err, errlen, "out of memory");
			goto bad;
		}
	}
	req->cmd = json_string_value(cmd);
	req->args = args;
	return 0;
bad:
	proto_request_free(req);
	return -1;
}

void
proto_request_free(struct proto_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

/*
 * Serializes o on one line and appends the newline; steals o.  Answers
 * keep UTF-8 as it is, as the agenda's written text does; requests are
 * sent in ASCII, which contractctl's import chunks are measured in.
 */
static char *
proto_line(json_t *o, size_t flags)
{
	char	*s, *line;
	size_t	 n;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | flags);
	json_decref(o);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *
proto_ok(json_t *result)
{
	if (result == NULL)
		result = json_object();
	return proto_line(json_pack("{s:i, s:b, s:o}", "v", PROTO_VERSION,
	    "ok", 1, "result", result), 0);
}

void
proto_ok_open(struct strbuf *b)
{
	_Static_assert(PROTO_VERSION == 1, "the head names version 1");
	strbuf_puts(b, "{\"v\":1,\"ok\":true,\"result\":");
}

void
proto_ok_close(struct strbuf *b)
{
	strbuf_puts(b, "}\n");
}

char *
proto_error(const char *code, const char *message)
{
	return proto_line(json_pack("{s:i, s:b, s:{s:s, s:s}}", "v",
	    PROTO_VERSION, "ok", 0, "error", "code", code, "message",
	    message), 0);
}

char *
proto_request(const char *cmd, json_t *args)
{
	if (args == NULL)
		args = json_object();
	return proto_line(json_pack("{s:i, s:s, s:o}", "v", PROTO_VERSION,
	    "cmd", cmd, "args", args), JSON_ENSURE_ASCII);
}

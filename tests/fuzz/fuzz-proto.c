/*
 * The control protocol's request parser (daemon/proto.c) on one line of
 * input, as control.c hands it a line without its newline.  A request it
 * accepts is built again with proto_request and must parse back to the
 * same command; a refusal must give a reason that an error answer can
 * carry.  Memory is not limited, so a NULL from a builder is a defect.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static void
roundtrip(const struct proto_request *req)
{
	struct proto_request	 again;
	char			 err[256], *line;

	line = proto_request(req->cmd, json_incref(req->args));
	if (line == NULL)
		abort();
	if (proto_parse(line, strlen(line) - 1, &again, err,
	    sizeof(err)) == -1 || strcmp(again.cmd, req->cmd) != 0 ||
	    !json_equal(again.args, req->args))
		abort();
	proto_request_free(&again);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request	 req;
	char			 err[256], *line;

	if (size > PROTO_MAXLINE)
		return 0;		/* control.c refuses longer lines */
	if (proto_parse((const char *)data, size, &req, err,
	    sizeof(err)) == 0) {
		if (req.cmd == NULL || !json_is_object(req.args))
			abort();
		roundtrip(&req);
		proto_request_free(&req);
		return 0;
	}
	if (err[0] == '\0' || req.root != NULL)
		abort();
	/* The daemon answers with err: it must make a line. */
	if ((line = proto_error("bad_request", err)) == NULL)
		abort();
	free(line);
	return 0;
}

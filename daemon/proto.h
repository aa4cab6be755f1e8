/*
 * The control protocol's framing and messages (DESIGN section 9): one JSON
 * object per line each way, protocol version "v": 1.  Pure: no I/O.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

#include <jansson.h>

#include "text.h"

#define PROTO_VERSION	1
#define PROTO_MAXLINE	(64 * 1024)

struct proto_request {
	const char	*cmd;		/* borrowed from root */
	json_t		*args;		/* borrowed from root; an object */
	json_t		*root;		/* owned */
};

/*
 * Parses one request line (without its newline).  On error returns -1 and
 * writes the reason (for a bad_request answer) to err.
 */
int	 proto_parse(const char *line, size_t len, struct proto_request *req,
	    char *err, size_t errlen);
void	 proto_request_free(struct proto_request *req);

/*
 * Response lines, newline included, to be freed by the caller.  proto_ok
 * takes the reference to result (which may be NULL for {}).
 */
char	*proto_ok(json_t *result);
char	*proto_error(const char *code, const char *message);
/*
 * A success line written as JSON text, for results too large to build as
 * json_t: proto_ok_open starts the line in b, the caller writes the result
 * (one valid JSON value, on one line), proto_ok_close ends the line.
 */
void	 proto_ok_open(struct strbuf *b);
void	 proto_ok_close(struct strbuf *b);

/* Builds a request line (newline included); takes the reference to args. */
char	*proto_request(const char *cmd, json_t *args);

#endif

/*
 * import: sends a CSV file to the daemon.  A request line is limited to
 * PROTO_MAXLINE, so the text travels in chunks on one connection, each
 * answered before the next is sent: {"csv": CHUNK, "more": true}, ...,
 * then {"csv": LAST, "more": false}, whose answer is the import's result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/proto.h"
#include "ctl.h"

#define IMPORT_MAXFILE	((size_t)512 * 1024 * 1024)
#define IMPORT_CHUNK	((size_t)48 * 1024)		/* raw bytes per request */
/* Room for a chunk's escaped text, leaving the rest of the line spare. */
#define IMPORT_MAXESC	((size_t)PROTO_MAXLINE - 1024)

/* The whole of f; NULL with *why set on a read error or an oversize file. */
static char *
import_slurp(FILE *f, size_t *len, const char **why)
{
	char	*buf = NULL, *p;
	size_t	 cap = 0, n;

	for (*len = 0;;) {
		if (*len == cap) {
			if (cap >= IMPORT_MAXFILE) {
				*why = "larger than 512 MiB";
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(buf, cap)) == NULL) {
				*why = strerror(errno);
				break;
			}
			buf = p;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0 && ferror(f)) {
			*why = strerror(errno);
			break;
		}
		if (n == 0)
			return buf;
	}
	free(buf);
	return NULL;
}

/* Reads the file (or standard input for "-") into args' "csv". */
static int
parse_import(int argc, char **argv, json_t *args)
{
	const char	*path, *why = NULL;
	FILE		*f = stdin;
	char		*buf;
	size_t		 len;
	json_t		*csv;

	if (argc != 2)
		return -1;
	path = argv[1];
	if (strcmp(path, "-") != 0 && (f = fopen(path, "r")) == NULL)
		return ctl_usage_error("%s: %s", path, strerror(errno));
	buf = import_slurp(f, &len, &why);
	if (f != stdin)
		fclose(f);
	if (buf == NULL)
		return ctl_usage_error("%s: %s", path, why);
	csv = json_stringn(buf, len);
	free(buf);
	if (csv == NULL)
		return ctl_usage_error("%s: not UTF-8 text", path);
	return json_object_set_new(args, "csv", csv);
}

/* At most lim bytes of s, backed up so as not to split a character. */
static size_t
utf8_prefix(const char *s, size_t len, size_t lim)
{
	size_t	n = len < lim ? len : lim;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* The length of s[0..n) as an escaped JSON string, as proto sends it. */
static size_t
escaped_len(const char *s, size_t n)
{
	json_t	*v;
	size_t	 len;

	if ((v = json_stringn(s, n)) == NULL)
		return (size_t)-1;
	len = json_dumpb(v, NULL, 0, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	json_decref(v);
	return len;
}

/*
 * The length of the next chunk of s, len > 0 bytes of UTF-8: whole
 * characters, at most IMPORT_CHUNK bytes and IMPORT_MAXESC escaped (which
 * control characters, six times their size escaped, could exceed).
 */
static size_t
import_chunk(const char *s, size_t len)
{
	size_t	lim, n;

	for (lim = IMPORT_CHUNK; lim > 4; lim /= 2) {
		n = utf8_prefix(s, len, lim);
		if (escaped_len(s, n) <= IMPORT_MAXESC)
			return n;
	}
	return utf8_prefix(s, len, 4);
}

static int
import_send(int fd, const char *s, size_t n, int more, json_t **resp)
{
	json_t	*req;
	int	 rc;

	if ((req = json_pack("{s:s%, s:b}", "csv", s, n, "more", more)) ==
	    NULL) {
		fprintf(stderr, "contractctl: cannot build the request\n");
		return -1;
	}
	rc = ctl_call(fd, "import", req, resp);
	json_decref(req);
	return rc;
}

/*
 * Every chunk but the last makes progress, so this ends after at most
 * len requests; an error answer to any chunk ends it at once.
 */
static int
import_run(int fd, json_t *args, json_t **resp)
{
	json_t		*csv = json_object_get(args, "csv");
	const char	*s = json_string_value(csv);
	size_t		 len = json_string_length(csv), off = 0, n;
	int		 more;

	for (;;) {
		n = off < len ? import_chunk(s + off, len - off) : 0;
		more = off + n < len;
		if (import_send(fd, s + off, n, more, resp) == -1)
			return -1;
		if (!more || !json_is_true(json_object_get(*resp, "ok")))
			return 0;
		json_decref(*resp);
		*resp = NULL;
		off += n;
	}
}

static void
show_import(json_t *r)
{
	long long	n = json_int(r, "imported"), k = json_int(r, "fired");

	printf("imported %lld contract%s", n, n == 1 ? "" : "s");
	if (k > 0)
		printf(", %lld alert%s fired at once", k, k == 1 ? "" : "s");
	printf("\n");
}

const struct ctl_cmd ctl_cmd_import = {
	.name = "import", .usage = "import FILE.csv", .parse = parse_import,
	.show = show_import, .run = import_run
};

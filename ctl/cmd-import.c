/*
 * import: sends a CSV file to the daemon.  A request line is limited to
 * PROTO_MAXLINE, so the text travels in chunks on one connection, each
 * up to IMPORT_WINDOW ahead of their answers: {"csv": CHUNK, "more": true,
 * "offset": 0}, ..., then {"csv": LAST, "more": false, "offset": N}, whose
 * answer is the import's result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/proto.h"
#include "ctl.h"

#define IMPORT_MAXFILE	((size_t)512 * 1024 * 1024)
#define IMPORT_CHUNK	((size_t)48 * 1024)		/* raw bytes per request */
#define IMPORT_WINDOW	4		/* chunks sent ahead of their answers */
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

/*
 * The size of byte ch of UTF-8 text escaped in a JSON string, as proto
 * sends it (JSON_ENSURE_ASCII): a character beyond ASCII becomes \uXXXX,
 * or a surrogate pair of two, counted at its lead byte.
 */
static size_t
escaped_size(unsigned char ch)
{
	if (ch == '"' || ch == '\\' || ch == '\n' || ch == '\r' ||
	    ch == '\t' || ch == '\b' || ch == '\f')
		return 2;
	if (ch < 0x20)
		return 6;
	if (ch < 0x80 || (ch & 0xc0) == 0x80)
		return ch < 0x80;
	return ch >= 0xf0 ? 12 : 6;
}

/*
 * The length of the next chunk of s, len > 0 bytes of UTF-8: whole
 * characters, at most IMPORT_CHUNK bytes and IMPORT_MAXESC escaped.
 */
static size_t
import_chunk(const char *s, size_t len)
{
	size_t	n, esc = 0;

	for (n = 0; n < len && n < IMPORT_CHUNK; n++) {
		esc += escaped_size((unsigned char)s[n]);
		if (esc > IMPORT_MAXESC)
			break;
	}
	/* Back up to the start of a character. */
	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/*
 * Sends the chunk at off.  Each chunk names its offset, so that the
 * daemon refuses the rest of an upload after refusing one chunk of it.
 */
static int
import_send(int fd, const char *s, size_t off, size_t n, int more)
{
	json_t	*req;
	int	 rc;

	if ((req = json_pack("{s:s%, s:b, s:I}", "csv", s + off, n, "more",
	    more, "offset", (json_int_t)off)) == NULL) {
		fprintf(stderr, "contractctl: cannot build the request\n");
		return -1;
	}
	rc = ctl_send(fd, "import", req);
	json_decref(req);
	return rc;
}

/*
 * The chunks go out up to IMPORT_WINDOW ahead of their answers, so that
 * the daemon decodes one while the next is encoded.  Every chunk but the
 * last makes progress, so this ends; an error answer to any chunk, which
 * the daemon gives to all that follow it too, ends it at once.
 */
static int
import_run(int fd, json_t *args, json_t **resp)
{
	json_t		*csv = json_object_get(args, "csv");
	const char	*s = json_string_value(csv);
	size_t		 len = json_string_length(csv), off = 0, n;
	int		 more = 1, lost = 0, ahead = 0;

	for (;;) {
		while (more && !lost && ahead < IMPORT_WINDOW) {
			n = off < len ? import_chunk(s + off, len - off) : 0;
			more = off + n < len;
			if (import_send(fd, s, off, n, more) == -1)
				lost = 1;	/* an answer may say why */
			else {
				off += n;
				ahead++;
			}
		}
		if (ahead == 0 || ctl_recv(fd, resp) == -1)
			return -1;
		ahead--;
		if (!json_is_true(json_object_get(*resp, "ok")))
			return 0;
		if (ahead == 0 && !more && !lost)
			return 0;
		json_decref(*resp);
		*resp = NULL;
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

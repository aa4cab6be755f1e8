/*
 * import: sends a CSV file to the daemon as the data of one request,
 * {"bytes": N} and then the N bytes of the file, as they are: no escaping,
 * no chunks.  The answer is the import's result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define IMPORT_MAXFILE	((size_t)512 * 1024 * 1024)

/* The file read by parse_import, for import_run. */
static struct {
	char	*buf;
	size_t	 len;
} import_file;

/* The whole of f; NULL with *why set on a read error or an oversize file. */
static char *
import_slurp(FILE *f, size_t *len, const char **why)
{
	char	*buf = NULL, *p;
	size_t	 cap = 0, n;

	for (*len = 0;;) {
		if (*len == cap) {
			/* Room for one byte more than the most, to see it. */
			if (cap > IMPORT_MAXFILE) {
				*why = "larger than 512 MiB";
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > IMPORT_MAXFILE)
				cap = IMPORT_MAXFILE + 1;
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

/* Reads the file (or standard input for "-"); args say how long it is. */
static int
parse_import(int argc, char **argv, json_t *args)
{
	const char	*path, *why = NULL;
	FILE		*f = stdin;

	if (argc != 2)
		return -1;
	path = argv[1];
	if (strcmp(path, "-") != 0 && (f = fopen(path, "r")) == NULL)
		return ctl_usage_error("%s: %s", path, strerror(errno));
	import_file.buf = import_slurp(f, &import_file.len, &why);
	if (f != stdin)
		fclose(f);
	if (import_file.buf == NULL)
		return ctl_usage_error("%s: %s", path, why);
	return json_object_set_new(args, "bytes",
	    json_integer((json_int_t)import_file.len));
}

/*
 * The request, then the file.  If the daemon refuses the request it says
 * why and closes the connection, so that writing the file fails: the
 * answer is read all the same.
 */
static int
import_run(int fd, json_t *args, json_t **resp)
{
	int	rc = -1;

	if (ctl_send(fd, "import", args) == 0) {
		(void)ctl_write(fd, import_file.buf, import_file.len);
		rc = ctl_recv(fd, resp);
	}
	free(import_file.buf);
	import_file.buf = NULL;
	return rc;
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

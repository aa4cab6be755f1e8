/*
 * import [--update] [--format csv|ocds] [--strict] FILE: sends a CSV or
 * an OCDS file to the daemon as the data of one request, {"bytes": N,
 * ...} and then the N bytes of the file, as they are: no escaping, no
 * chunks.  The answer is the import's result.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define IMPORT_MAXFILE	((size_t)512 * 1024 * 1024)

/*
 * The file parse_import opened, for import_run: a regular file is sent as
 * it is read, in pieces; standard input or a pipe is read whole first,
 * since the request must say how long it is.
 */
static struct {
	const char	*path;
	int		 fd;		/* a regular file, or -1 */
	char		*buf;		/* else what was read */
	size_t		 len;
} import_file = { NULL, -1, NULL, 0 };

#define IMPORT_PIECE	((size_t)1024 * 1024)

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

/* A regular file: its size now; anything else is read whole. */
static int
import_open(const char *path)
{
	struct stat	 sb;
	const char	*why = NULL;
	FILE		*f;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		why = strerror(errno);
		if (fd != -1)
			close(fd);
		return ctl_usage_error("%s: %s", path, why);
	}
	/* A size of 0 may be a file of /proc's, whose size is not known. */
	if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
		if ((uintmax_t)sb.st_size > IMPORT_MAXFILE) {
			close(fd);
			return ctl_usage_error("%s: larger than 512 MiB", path);
		}
		import_file.fd = fd;
		import_file.len = (size_t)sb.st_size;
		return 0;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return ctl_usage_error("%s: %s", path, strerror(errno));
	}
	import_file.buf = import_slurp(f, &import_file.len, &why);
	fclose(f);
	return import_file.buf == NULL ?
	    ctl_usage_error("%s: %s", path, why) : 0;
}

/* The options before FILE: --update, --strict, --format csv|ocds. */
static int
import_options(int argc, char **argv, json_t *args, int *i)
{
	const char	*a, *fmt;

	for (*i = 1; *i < argc - 1; (*i)++) {
		a = argv[*i];
		if (strcmp(a, "--update") == 0 || strcmp(a, "--strict") == 0) {
			if (json_object_get(args, a + 2) != NULL)
				return ctl_usage_error("%s given twice", a);
			json_object_set_new(args, a + 2, json_true());
			continue;
		}
		if (strcmp(a, "--format") == 0 && *i + 2 < argc)
			fmt = argv[++*i];
		else if (strncmp(a, "--format=", 9) == 0)
			fmt = a + 9;
		else if (strcmp(a, "--format") == 0)
			return ctl_usage_error("--format needs csv or ocds, "
			    "before FILE");
		else
			return ctl_usage_error("unknown option: %s", a);
		if (json_object_get(args, "format") != NULL)
			return ctl_usage_error("--format given twice");
		if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "ocds") != 0)
			return ctl_usage_error("--format: csv or ocds, not %s",
			    fmt);
		json_object_set_new(args, "format", json_string(fmt));
	}
	return 0;
}

/* Opens the file (or reads standard input for "-"); args say its size. */
static int
parse_import(int argc, char **argv, json_t *args)
{
	const char	*why = NULL, *base;
	json_t		*name;
	int		 i;

	if (argc < 2 || import_options(argc, argv, args, &i) == -1)
		return -1;
	if (i != argc - 1 || (strncmp(argv[i], "--", 2) == 0 &&
	    strcmp(argv[i], "-") != 0))
		return ctl_usage_error("import: FILE (or - for standard "
		    "input) comes last");
	import_file.path = argv[i];
	if (strcmp(argv[i], "-") != 0) {
		if (import_open(argv[i]) == -1)
			return -1;
		base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 :
		    argv[i];
	} else if ((import_file.buf = import_slurp(stdin, &import_file.len,
	    &why)) == NULL)
		return ctl_usage_error("-: %s", why);
	else
		base = "standard input";
	/* A name that is not UTF-8 is not sent: the daemon says "an upload". */
	if ((name = json_string(base)) != NULL)
		json_object_set_new(args, "file", name);
	return json_object_set_new(args, "bytes",
	    json_integer((json_int_t)import_file.len));
}

/*
 * Sends the regular file's len bytes as they are read.  1: the daemon
 * stopped reading (it refused the request, and says why); -1: the file
 * could not be read to its size, said here.
 */
static int
import_stream(int fd)
{
	char	*buf;
	size_t	 left = import_file.len;
	ssize_t	 n;

	if ((buf = malloc(IMPORT_PIECE)) == NULL) {
		warnx("%s", strerror(errno));
		return -1;
	}
	while (left > 0) {
		n = read(import_file.fd, buf, left < IMPORT_PIECE ? left :
		    IMPORT_PIECE);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			warnx("%s: %s", import_file.path, n == 0 ? "shorter "
			    "than when it was opened" : strerror(errno));
			free(buf);
			return -1;
		}
		if (ctl_write(fd, buf, (size_t)n) == -1)
			break;
		left -= (size_t)n;
	}
	free(buf);
	return left > 0;
}

/*
 * The request, then the file.  If the daemon refuses the request it says
 * why and closes the connection, so that writing the file fails: the
 * answer is read all the same.  A file that cannot be read to the end
 * leaves the data short: the connection is closed, and the daemon drops
 * what it had.
 */
static int
import_run(int fd, json_t *args, json_t **resp)
{
	int	rc = -1;

	if (ctl_send(fd, "import", args) == 0) {
		if (import_file.fd == -1) {
			(void)ctl_write(fd, import_file.buf, import_file.len);
			rc = ctl_recv(fd, resp);
		} else if (import_stream(fd) != -1)
			rc = ctl_recv(fd, resp);
	}
	if (import_file.fd != -1)
		close(import_file.fd);
	free(import_file.buf);
	import_file.fd = -1;
	import_file.buf = NULL;
	return rc;
}

static void
show_skipped(json_t *r)
{
	json_t		*s;
	size_t		 i;
	long long	 n = json_int(r, "skipped_count");

	json_array_foreach(json_object_get(r, "skipped"), i, s)
		printf("skipped %s: %s\n",
		    json_string_value(json_object_get(s, "ocid")),
		    json_string_value(json_object_get(s, "reason")));
	if (n > (long long)json_array_size(json_object_get(r, "skipped")))
		printf("(and %lld more skipped)\n", n -
		    (long long)json_array_size(json_object_get(r, "skipped")));
}

static void
show_import(json_t *r)
{
	long long	n = json_int(r, "added"), k = json_int(r, "fired");

	printf("imported %lld contract%s (added %lld, updated %lld, unchanged "
	    "%lld, skipped %lld)", n, n == 1 ? "" : "s", n,
	    json_int(r, "updated"), json_int(r, "unchanged"),
	    json_int(r, "skipped_count"));
	if (k > 0)
		printf("; %lld alert%s fired at once", k, k == 1 ? "" : "s");
	printf("\n");
	show_skipped(r);
	ctl_warnings(r);
}

const struct ctl_cmd ctl_cmd_import = {
	.name = "import",
	.usage = "import [--update] [--format csv|ocds] [--strict] FILE",
	.parse = parse_import, .show = show_import, .run = import_run
};

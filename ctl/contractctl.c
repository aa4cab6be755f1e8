/*
 * contractctl: sends one command to contractd over its control socket and
 * prints the answer, as a table for people or as the daemon's JSON.
 *
 * Exit: 0 success, 1 the daemon answered with an error, 2 usage error,
 * 3 the daemon could not be reached.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../daemon/proto.h"
#include "ctl.h"

#ifndef CONTRACTD_SOCKET
#define CONTRACTD_SOCKET	"/run/contractd/control.sock"
#endif
#define CTL_TIMEOUT_MS		(600 * 1000)
#define CTL_MAXRESP		(256 * 1024 * 1024)
#define CTL_INBUF		(64 * 1024)

static void	usage(void) __attribute__((__noreturn__));

static void
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: contractctl [-s socket] [--json] command "
	    "[args]\ncommands:\n");
	for (i = 0; ctl_cmds[i] != NULL; i++)
		fprintf(stderr, "  %s\n", ctl_cmds[i]->usage);
	exit(CTL_EXIT_USAGE);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "contractctl: %s: socket path too long\n",
		    path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "contractctl: cannot reach contractd at %s: "
		    "%s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
ctl_write(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * What was read past the last line returned: answers to requests sent
 * ahead can arrive in one read.  contractctl talks on one socket.
 */
static struct {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	size_t	 scanned;	/* bytes known to hold no newline */
} ctl_in;

/*
 * The first line in ctl_in, without its newline, taken out, its length
 * in *lenp; or NULL.
 */
static char *
ctl_takeline(size_t *lenp)
{
	char	*nl, *line;
	size_t	 n;

	if (ctl_in.len == ctl_in.scanned ||
	    (nl = memchr(ctl_in.buf + ctl_in.scanned, '\n',
	    ctl_in.len - ctl_in.scanned)) == NULL) {
		ctl_in.scanned = ctl_in.len;
		return NULL;
	}
	ctl_in.scanned = 0;
	n = (size_t)(nl - ctl_in.buf);
	*lenp = n;
	if (n + 1 == ctl_in.len) {
		/* The whole of it (a large answer): no copy. */
		line = ctl_in.buf;
		line[n] = '\0';
		memset(&ctl_in, 0, sizeof(ctl_in));
		return line;
	}
	if ((line = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(line, ctl_in.buf, n);
	line[n] = '\0';
	ctl_in.len -= n + 1;
	memmove(ctl_in.buf, nl + 1, ctl_in.len);
	return line;
}

/*
 * Makes room in ctl_in for a read, doubling it: 0, or -1 at CTL_MAXRESP
 * or out of memory.
 */
static int
ctl_in_grow(void)
{
	char	*p;
	size_t	 cap;

	if (ctl_in.cap == CTL_MAXRESP)
		return -1;
	cap = ctl_in.cap == 0 ? CTL_INBUF : ctl_in.cap * 2;
	if (cap > CTL_MAXRESP)
		cap = CTL_MAXRESP;
	if ((p = realloc(ctl_in.buf, cap)) == NULL)
		return -1;
	ctl_in.buf = p;
	ctl_in.cap = cap;
	return 0;
}

/*
 * Reads one line (without its newline), its length in *lenp; caller
 * frees.  NULL on failure.
 */
static char *
ctl_readline(int fd, size_t *lenp)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		*line;
	ssize_t		 n;

	while ((line = ctl_takeline(lenp)) == NULL) {
		if (ctl_in.cap - ctl_in.len < 4096 && ctl_in_grow() == -1)
			return NULL;
		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0)
			return NULL;
		n = read(fd, ctl_in.buf + ctl_in.len, ctl_in.cap - ctl_in.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		ctl_in.len += (size_t)n;
	}
	return line;
}

int
ctl_send(int fd, const char *cmd, json_t *args)
{
	char	*line;
	int	 rc;

	json_incref(args);
	if ((line = proto_request(cmd, args)) == NULL)
		return -1;
	rc = ctl_write(fd, line, strlen(line));
	free(line);
	if (rc == -1)
		fprintf(stderr, "contractctl: the connection to contractd "
		    "was lost\n");
	return rc;
}

/* The answer line as JSON; -1 (said why) if it is not an object. */
static int
ctl_parse(const char *line, size_t len, json_t **resp)
{
	json_error_t	 jerr;

	*resp = json_loadb(line, len, 0, &jerr);
	if (*resp == NULL || !json_is_object(*resp)) {
		fprintf(stderr, "contractctl: contractd's answer is not "
		    "JSON: %s\n", jerr.text);
		json_decref(*resp);
		*resp = NULL;
		return -1;
	}
	return 0;
}

int
ctl_recv(int fd, json_t **resp)
{
	char	*line;
	size_t	 len;
	int	 rc;

	if ((line = ctl_readline(fd, &len)) == NULL) {
		fprintf(stderr, "contractctl: the connection to contractd "
		    "was lost\n");
		return -1;
	}
	rc = ctl_parse(line, len, resp);
	free(line);
	return rc;
}

int
ctl_call(int fd, const char *cmd, json_t *args, json_t **resp)
{
	if (ctl_send(fd, cmd, args) == -1)
		return -1;
	return ctl_recv(fd, resp);
}

static void
print_json(json_t *o)
{
	char	*s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

/* Says on stderr that the daemon cut c's list short. */
static void
ctl_note_truncated(const struct ctl_cmd *c)
{
	fprintf(stderr, "contractctl: %s: the answer was cut short at the "
	    "daemon's limit of rows: ask for a shorter period\n", c->name);
}

int		 ctl_page_index;
static int	 ctl_json;

static void
print_result(const struct ctl_cmd *c, json_t *result, int json)
{
	json_t	*list, *v;
	size_t	 i;

	if (c->list_key != NULL &&
	    json_is_true(json_object_get(result, "truncated")))
		ctl_note_truncated(c);
	if (!json) {
		if (c->show != NULL)
			c->show(result);
		else
			show_object(result);
		return;
	}
	list = c->list_key ? json_object_get(result, c->list_key) : NULL;
	if (!json_is_array(list)) {
		print_json(result);
		return;
	}
	json_array_foreach(list, i, v)
		print_json(v);
}

void
ctl_print_result(const struct ctl_cmd *c, json_t *result)
{
	print_result(c, result, ctl_json);
	ctl_page_index++;
}

/* Prints the answer; returns the exit code. */
static int
ctl_answer(const struct ctl_cmd *c, json_t *resp, int json)
{
	json_t	*err;

	if (json_is_true(json_object_get(resp, "ok"))) {
		print_result(c, json_object_get(resp, "result"), json);
		return CTL_EXIT_OK;
	}
	err = json_object_get(resp, "error");
	if (json)
		print_json(resp);
	fprintf(stderr, "contractctl: %s: %s\n",
	    json_str(err, "code") ? json_str(err, "code") : "error",
	    json_str(err, "message") ? json_str(err, "message") : "");
	return CTL_EXIT_DAEMON;
}

/*
 * Standard output written out: a full disk or a closed file is an error
 * (exit 1), not a silent loss of the answer.
 */
static int
ctl_flush(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "contractctl: standard output: %s\n",
	    errno != 0 ? strerror(errno) : "write error");
	return rc == CTL_EXIT_OK ? CTL_EXIT_DAEMON : rc;
}

static const struct ctl_cmd *
ctl_find(const char *name)
{
	size_t	i;

	for (i = 0; ctl_cmds[i] != NULL; i++)
		if (strcmp(ctl_cmds[i]->name, name) == 0)
			return ctl_cmds[i];
	return NULL;
}

/* Takes --json out of argv wherever it stands (DESIGN puts it last). */
static int
strip_json(int *argc, char **argv)
{
	int	i, j, found = 0;

	for (i = j = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
	return found;
}

int
main(int argc, char *argv[])
{
	const struct ctl_cmd	*c;
	const char		*sock = CONTRACTD_SOCKET;
	json_t			*args, *resp = NULL;
	int			 json = 0, fd, rc;

	json = strip_json(&argc, argv);
	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		if (strcmp(argv[0], "-j") == 0)
			json = 1;
		else if (strcmp(argv[0], "-s") == 0 && argc > 1) {
			sock = argv[1];
			argc--, argv++;
		} else if (strcmp(argv[0], "-h") == 0 ||
		    strcmp(argv[0], "--help") == 0)
			usage();
		else
			usage();
	}
	if (argc < 1 || (c = ctl_find(argv[0])) == NULL)
		usage();
	if ((args = json_object()) == NULL)
		return CTL_EXIT_REACH;
	if (ctl_parse_cmd(c, argc, argv, args) == -1) {
		fprintf(stderr, "usage: contractctl %s\n", c->usage);
		json_decref(args);
		return CTL_EXIT_USAGE;
	}
	ctl_json = json;
	if ((fd = ctl_connect(sock)) == -1) {
		json_decref(args);
		return CTL_EXIT_REACH;
	}
	if (c->run != NULL)
		rc = c->run(fd, args, &resp);
	else
		rc = ctl_call(fd, c->name, args, &resp);
	close(fd);
	json_decref(args);
	if (rc == -1)
		return CTL_EXIT_REACH;
	rc = ctl_answer(c, resp, json);
	json_decref(resp);
	return ctl_flush(rc);
}

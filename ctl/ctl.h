/*
 * contractctl: the command-line client of contractd's control socket.
 */
#ifndef CTL_H
#define CTL_H

#include <jansson.h>

#define CTL_EXIT_OK	0
#define CTL_EXIT_DAEMON	1	/* the daemon answered with an error */
#define CTL_EXIT_USAGE	2
#define CTL_EXIT_REACH	3	/* the daemon could not be reached */

/*
 * One subcommand: parse builds the request's args from argv (argv[0] is
 * the subcommand) and returns -1 on a usage error; show prints a result
 * for people.  A NULL show prints the result's keys and values.
 */
struct ctl_cmd {
	const char	*name;
	const char	*usage;
	int		(*parse)(int argc, char **argv, json_t *args);
	void		(*show)(json_t *result);
	/* For --json: the result key holding a list printed one per line. */
	const char	*list_key;
	/* Instead of one request: run the exchange on fd itself. */
	int		(*run)(int fd, json_t *args, json_t **resp);
};

/* ctl-cmds.c */
extern const struct ctl_cmd	ctl_cmds[];

/* output.c: aligned text tables. */
struct table;
struct table	*table_new(const char *const *headers, int ncols);
void		 table_add(struct table *t, const char *const *cells);
void		 table_print(struct table *t);
void		 table_free(struct table *t);
void		 show_object(json_t *o);
const char	*json_str(json_t *o, const char *key);

/* contractctl.c */
/* One request and its response on fd; -1 if the exchange failed. */
int		 ctl_call(int fd, const char *cmd, json_t *args,
		    json_t **resp);
int		 ctl_parse_none(int argc, char **argv, json_t *args);

#endif

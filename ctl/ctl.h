/*
 * contractctl: the command-line client of contractd's control socket.
 */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>

#include <jansson.h>

#define CTL_EXIT_OK	0
#define CTL_EXIT_DAEMON	1	/* the daemon answered with an error */
#define CTL_EXIT_USAGE	2
#define CTL_EXIT_REACH	3	/* the daemon could not be reached */

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct ctl_opt;

/*
 * One subcommand: parse builds the request's args from argv (argv[0] is
 * the subcommand) and returns -1 on a usage error; a NULL parse takes the
 * words of pos and the options of opts (ctl_parse_args).  show prints a
 * result for people; a NULL show prints the result's keys and values.
 */
struct ctl_cmd {
	const char		 *name;
	const char		 *usage;
	int			(*parse)(int argc, char **argv, json_t *args);
	const char *const	 *pos;
	const struct ctl_opt	 *opts;
	void			(*show)(json_t *result);
	/* For --json: the result key holding a list printed one per line. */
	const char		 *list_key;
	/*
	 * Instead of one request: run the exchange on fd itself, from the
	 * args parse built, and leave the answer to show in *resp.
	 */
	int			(*run)(int fd, json_t *args, json_t **resp);
};

/* ctl-cmds.c: every command, in the order -h lists them; NULL ends it. */
extern const struct ctl_cmd *const ctl_cmds[];

/* cmd-contracts.c: reading contracts and their schedule. */
extern const struct ctl_cmd	ctl_cmd_list;
extern const struct ctl_cmd	ctl_cmd_show;
extern const struct ctl_cmd	ctl_cmd_history;
extern const struct ctl_cmd	ctl_cmd_agenda;
extern const struct ctl_cmd	ctl_cmd_simulate;

/* cmd-change.c: changing contracts. */
extern const struct ctl_cmd	ctl_cmd_add;
extern const struct ctl_cmd	ctl_cmd_update;
extern const struct ctl_cmd	ctl_cmd_extend;
extern const struct ctl_cmd	ctl_cmd_ack;
extern const struct ctl_cmd	ctl_cmd_silence;

/* cmd-find.c: finding contracts, the audit trail, closing. */
extern const struct ctl_cmd	ctl_cmd_audit;
extern const struct ctl_cmd	ctl_cmd_close;
/*
 * A run for a paged command (list, audit): asks for page after page,
 * moving args' "after" to the cursor key of the last row, and prints
 * each but the last as it comes; the last is left in *resp.
 */
int		 ctl_run_pages(const struct ctl_cmd *c, int fd, json_t *args,
		    const char *cursor, json_t **resp);

/* cmd-import.c */
extern const struct ctl_cmd	ctl_cmd_import;

/* cmd-export.c */
extern const struct ctl_cmd	ctl_cmd_export;

/* cmd-outbox.c: deliveries. */
extern const struct ctl_cmd	ctl_cmd_outbox;
extern const struct ctl_cmd	ctl_cmd_retry;
extern const struct ctl_cmd	ctl_cmd_notify_test;

/* args.c: command-line arguments into a request's args. */
enum ctl_arg_type {
	CTL_ARG_STR,
	CTL_ARG_DATE,		/* YYYY-MM-DD, sent as a string */
	CTL_ARG_INT		/* sent as an integer within [min, max] */
};

/* An option "--name VALUE" or "--name=VALUE"; a NULL name ends a list. */
struct ctl_opt {
	const char		*name;
	const char		*key;		/* its name in the args */
	enum ctl_arg_type	 type;
	int			 required;
	long long		 min, max;
};

/*
 * Parses argv[1..]: first the positional arguments, one for each key in
 * pos (NULL-terminated; pos may be NULL), then the options of opts in any
 * order, each at most once.  Returns -1 on a usage error, having said why
 * when the usage line alone would not.
 */
int		 ctl_parse_args(int argc, char **argv, const char *const *pos,
		    const struct ctl_opt *opts, json_t *args);
/* argv[0..argc-1] are FIELD=VALUE words (at least one): args' "fields". */
int		 ctl_parse_fields(int argc, char **argv, json_t *args);
/* Only the subcommand itself. */
int		 ctl_parse_none(int argc, char **argv, json_t *args);
/* c's command line, by its parse or else by its pos and opts. */
int		 ctl_parse_cmd(const struct ctl_cmd *c, int argc, char **argv,
		    json_t *args);
/* Prints "contractctl: " and the message to stderr; returns -1. */
int		 ctl_usage_error(const char *fmt, ...)
		    __attribute__((__format__(__printf__, 1, 2)));

/* output.c: aligned text tables. */
#define TABLE_MAXCOLS	8
#define TABLE_CELL	1024	/* bytes of a cell that fmt makes */

/*
 * A column of a table: its header, and the cell of each row: fmt makes it
 * from the row's member key in buf (len bytes: size, or TABLE_CELL if
 * size is 0) or returns a string of its own; a NULL fmt shows the
 * member's string.  A NULL header ends a list of columns (at most
 * TABLE_MAXCOLS of them).
 */
struct table_col {
	const char	 *header;
	const char	 *key;
	const char	*(*fmt)(json_t *row, const char *key, char *buf,
			    size_t len);
	size_t		  size;
};

/* A table of cols with one row per element of list; none if it is empty. */
void		 table_list(const struct table_col *cols, json_t *list);
/* The same, without its header row unless header: a page of a list. */
void		 table_page(const struct table_col *cols, json_t *list,
		    int header);
/* "title:" and the table_list, or "title: none". */
void		 table_section(const char *title, const struct table_col *cols,
		    json_t *list);
/* A table_col fmt: the member as json_fmt writes it. */
const char	*table_value(json_t *row, const char *key, char *buf,
		    size_t len);
void		 show_object(json_t *o);
/* A "key  value" line for each of keys that o has with a value. */
void		 show_fields(json_t *o, const char *const *keys);
const char	*json_str(json_t *o, const char *key);
/* o's string key, or def when it is missing, null or not a string. */
const char	*json_str_or(json_t *o, const char *key, const char *def);
long long	 json_int(json_t *o, const char *key);
/* v as text: a string, a number, yes or no; "" for null or missing. */
const char	*json_fmt(json_t *v, char *buf, size_t len);
/* A day count as "today", "in 3 days", "2 days ago"; "" if none. */
const char	*days_fmt(json_t *v, char *buf, size_t len);
/* Each string of r's "warnings" as "warning: ..." on standard error. */
void		 ctl_warnings(json_t *r);

/* contractctl.c */
/* Pages of a list printed before the one being shown (ctl_run_pages). */
extern int	 ctl_page_index;
/* Prints a result of c as the answer is printed, text or JSON. */
void		 ctl_print_result(const struct ctl_cmd *c, json_t *result);
/* One request and its response on fd; -1 if the exchange failed. */
int		 ctl_call(int fd, const char *cmd, json_t *args,
		    json_t **resp);
/* The two halves of ctl_call, for requests sent ahead of their answers. */
int		 ctl_send(int fd, const char *cmd, json_t *args);
int		 ctl_recv(int fd, json_t **resp);
/* Writes all of buf; -1 if the connection was lost. */
int		 ctl_write(int fd, const char *buf, size_t len);

#endif

/*
 * Control commands: one table, each entry declaring the access it needs.
 * Handlers build a JSON result or fail with a protocol error code.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#include <stddef.h>

#include <time.h>

#include <jansson.h>

#include "control.h"
#include "engine.h"
#include "store.h"
#include "text.h"

struct cmd_reply {
	json_t		*result;	/* owned; NULL means {} */
	struct strbuf	 raw;		/* the whole answer line, begun
					   with proto_ok_open: for results
					   too large to build as json_t;
					   wins over result */
	const char	*code;		/* error code, NULL on success */
	char		 message[512];
	int		 no_audit;	/* a partial step of a change */
	size_t		 body;		/* set by exec: the answer waits for
					   this many bytes of data after the
					   request line, which go to body */
};

struct cmd {
	const char	*name;
	int		 admin;		/* changes state: admin peers only */
	int		(*exec)(struct peer *, json_t *, struct cmd_reply *);
	/*
	 * Takes the request's data as it comes (see body above), the last
	 * piece marked: 1 once r holds the answer, 0 for more.  Data that
	 * comes after it answered is dropped.
	 */
	int		(*body)(struct peer *, const char *, size_t, int,
			    struct cmd_reply *);
};

/* A request's data being read: the command, and how much is to come. */
struct cmd_body;

/*
 * What to do after a request line: send line (len bytes, caller frees),
 * then close the connection if close is set; or, if body is set, read
 * that request's data first (commands_body).
 */
struct cmd_answer {
	char		*line;
	size_t		 len;
	int		 close;
	struct cmd_body	*body;
};

/* Handles one request line. */
void	 commands_dispatch(struct peer *peer, const char *line, size_t len,
	    struct cmd_answer *a);
/* Bytes of the request's data still to come. */
size_t	 commands_body_left(const struct cmd_body *b);
/*
 * Hands the next n bytes of the request's data to its command (at most
 * commands_body_left); after the last, a->line is the answer and b is
 * freed.
 */
void	 commands_body(struct peer *peer, struct cmd_body *b, const char *p,
	    size_t n, struct cmd_answer *a);
void	 commands_body_free(struct cmd_body *b);

/* Fails the reply with code and a formatted message; returns -1. */
int	 cmd_fail(struct cmd_reply *r, const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Argument helpers: fetch args[name], checking its type.  A missing
 * optional argument leaves *out untouched and returns 0; a missing
 * required one or a wrong type fails the reply (invalid_argument).
 */
int	 cmd_arg_str(json_t *args, const char *name, int required,
	    const char **out, struct cmd_reply *r);
int	 cmd_arg_int(json_t *args, const char *name, int required,
	    long lo, long hi, long *out, struct cmd_reply *r);
int	 cmd_arg_date(json_t *args, const char *name, int required,
	    int32_t *out, struct cmd_reply *r);
/* Fails with invalid_argument if args has a key not in names (NULL-ended). */
int	 cmd_arg_only(json_t *args, const char *const *names,
	    struct cmd_reply *r);

/* cmd-contract.c: shared helpers */
int32_t	 cmd_today(void);
json_t	*cmd_instant(time_t t);
int	 cmd_load(const char *ref, struct contract *c,
	    struct contract_state *cs, struct cmd_reply *r);
int	 cmd_commit(struct cmd_reply *r);
/* Warnings about c for its answers (an array, maybe empty). */
json_t	*cmd_warnings(const struct contract *c);
/* "[REF: ]SUCCESSOR is not a contract yet: ..." */
json_t	*cmd_successor_warning(const char *ref, const char *successor);
int	 cmd_abort(struct cmd_reply *r, const char *code, const char *msg);
/*
 * cmd-alert.c: c's overdue milestones on today, unacknowledged (how
 * many); the number of them over every contract, -1 on error.
 */
size_t	 cmd_overdue(struct store *st, const struct contract *c,
	    int32_t today, struct milestone out[MS_NKINDS]);
long	 cmd_overdue_count(void);
/*
 * To fn, each contract that may have a milestone due in [from, to]; each
 * that may have one overdue on today; each once.
 */
int	 cmd_window_each(struct store *st, int32_t from, int32_t to,
	    store_contract_fn fn, void *arg);
int	 cmd_overdue_each(struct store *st, int32_t today,
	    store_contract_fn fn, void *arg);
/*
 * cmd-daemon.c: the daemon's state in one line, for systemd's STATUS=:
 * "watching 1 234 contracts; next alert 2025-03-31 09:00; outbox 0
 * pending, 2 dead; 3 overdue".
 */
void	 cmd_status_line(char *buf, size_t len);
/* cmd-outbox.c */
json_t	*cmd_outbox_counts(void);

extern const struct cmd	cmd_ping, cmd_status, cmd_reload;
extern const struct cmd	cmd_list, cmd_show, cmd_history, cmd_add;
extern const struct cmd	cmd_update, cmd_extend, cmd_import;
extern const struct cmd	cmd_agenda, cmd_simulate, cmd_ack, cmd_silence;
extern const struct cmd	cmd_outbox, cmd_retry, cmd_notify_test;
extern const struct cmd	cmd_export;
extern const struct cmd	cmd_close, cmd_audit_trail;

/*
 * cmd-close.c: closes c on day on (for close, and simulate --close):
 * refuses a contract closed already (conflict), a day after its end or
 * before its start and a bad reason (invalid_argument); else c ends on
 * on, closed for reason (may be NULL).
 */
int	 cmd_close_apply(struct contract *c, int32_t on, const char *reason,
	    struct cmd_reply *r);

#endif

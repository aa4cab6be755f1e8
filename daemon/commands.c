/*
 * Control commands: decides what a request means.  One table lists every
 * command and the access it needs; the dispatcher checks access once,
 * runs the handler and writes every change to the audit table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "commands.h"
#include "contractd.h"
#include "import.h"
#include "store.h"
#include "text.h"

static const struct cmd *const cmd_table[] = {
	&cmd_ping,
	&cmd_status,
	&cmd_reload,
	&cmd_list,
	&cmd_show,
	&cmd_history,
	&cmd_agenda,
	&cmd_simulate,
	&cmd_outbox,
	&cmd_add,
	&cmd_update,
	&cmd_import,
	&cmd_extend,
	&cmd_ack,
	&cmd_silence,
	&cmd_retry,
	&cmd_notify_test,
	&cmd_close,
	&cmd_audit_trail,
	&cmd_export,
	NULL
};

/* A message cut by its buffer may end inside a UTF-8 sequence: drop it. */
static void
utf8_trim(char *s)
{
	size_t	n = strlen(s), i = n, k;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)s[i - 1] >= 0xc0) {
		k = utf8_len((const unsigned char *)s + i - 1, n - i + 1);
		if (k == 0)
			s[i - 1] = '\0';
	}
}

int
cmd_fail(struct cmd_reply *r, const char *code, const char *fmt, ...)
{
	va_list	ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	/* A database error, when the disk is full, is that. */
	if (strcmp(code, "internal") == 0 && daemon_ctx != NULL &&
	    daemon_ctx->store != NULL && store_full(daemon_ctx->store))
		snprintf(r->message, sizeof(r->message), "the disk holding "
		    "the database is full: nothing was changed; make room and "
		    "try again");
	utf8_trim(r->message);
	return -1;
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

/* args for the audit table: long texts (an import's CSV) as their size. */
static json_t *
audit_args(json_t *args)
{
	const char	*key;
	json_t		*v, *o = json_deep_copy(args);
	char		 buf[64];

	json_object_foreach(o, key, v)
		if (json_is_string(v) && json_string_length(v) > 256) {
			snprintf(buf, sizeof(buf), "<%zu bytes>",
			    json_string_length(v));
			json_object_set_new(o, key, json_string(buf));
		}
	return o;
}

static void
cmd_audit(struct peer *peer, const char *name, json_t *args,
    const struct cmd_reply *r)
{
	json_t	*o;
	char	*a, *res = NULL;

	o = audit_args(args);
	a = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	o = r->code ? json_pack("{s:s, s:s}", "error", r->code, "message",
	    r->message) : json_pack("{s:b}", "ok", 1);
	if (o != NULL)
		res = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (store_audit(daemon_ctx->store, time(NULL), (long)peer->uid,
	    peer->user, name, a, res) == -1)
		log_warnx("%s: %s by uid %lu not audited", __func__, name,
		    (unsigned long)peer->uid);
	free(a);
	free(res);
}

/* The answer line of r, and its length; r owns nothing afterwards. */
static char *
cmd_answer(struct cmd_reply *r, size_t *outlen)
{
	json_t	*result = r->result;
	char	*line;

	r->result = NULL;
	if (r->code == NULL && (r->raw.s != NULL || r->raw.failed)) {
		json_decref(result);
		result = NULL;
		proto_ok_close(&r->raw);
		if (!r->raw.failed) {
			line = r->raw.s;
			*outlen = r->raw.len;
			memset(&r->raw, 0, sizeof(r->raw));
			return line;
		}
		cmd_fail(r, "internal", "out of memory");
	}
	strbuf_free(&r->raw);
	if (r->code != NULL) {
		json_decref(result);
		line = proto_error(r->code, r->message);
	} else
		line = proto_ok(result);
	*outlen = line != NULL ? strlen(line) : 0;
	return line;
}

struct cmd_body {
	const struct cmd	*cmd;
	json_t			*args;		/* for the audit */
	size_t			 left;
	int			 answered;
	struct cmd_reply	 r;
};

/* Audits a change once it is done, and makes its answer line. */
static void
cmd_done(struct peer *peer, const struct cmd *cmd, json_t *args,
    struct cmd_reply *r, struct cmd_answer *a)
{
	/* Not into an import's transaction: only its own, after it. */
	if (cmd->admin && !r->no_audit && !cmd_importing()) {
		cmd_audit(peer, cmd->name, args, r);
		/* The one place every change passes: calendars follow. */
		if (r->code == NULL)
			calendar_changed();
	}
	a->line = cmd_answer(r, &a->len);
}

/*
 * Data announced by a request ("bytes") that will not be read: it would
 * be taken for requests, so the connection ends after the answer.
 */
static int
cmd_announces_body(json_t *args)
{
	json_t	*v = json_object_get(args, "bytes");

	return v != NULL && (!json_is_integer(v) || json_integer_value(v) != 0);
}

/* The same, of a request line that is not a valid request. */
static int
cmd_bad_announces_body(const char *line, size_t len)
{
	json_t	*root;
	int	 rc;

	if ((root = json_loadb(line, len, 0, NULL)) == NULL)
		return 0;
	rc = json_is_object(root) &&
	    cmd_announces_body(json_object_get(root, "args"));
	json_decref(root);
	return rc;
}

void
commands_dispatch(struct peer *peer, const char *line, size_t len,
    struct cmd_answer *a)
{
	struct proto_request	 req;
	struct cmd_reply	 r;
	const struct cmd	*cmd;
	struct cmd_body		*b;
	char			 err[256];
	int			 ran = 0;

	memset(a, 0, sizeof(*a));
	memset(&r, 0, sizeof(r));
	if (proto_parse(line, len, &req, err, sizeof(err)) == -1) {
		cmd_fail(&r, "bad_request", "%s", err);
		a->line = cmd_answer(&r, &a->len);
		a->close = cmd_bad_announces_body(line, len);
		return;
	}
	if ((cmd = cmd_find(req.cmd)) == NULL)
		cmd_fail(&r, "unknown_command", "unknown command: %s", req.cmd);
	else if (cmd->admin && !peer->admin)
		cmd_fail(&r, "forbidden", "%s: uid %lu (%s) may only read",
		    cmd->name, (unsigned long)peer->uid, peer->user);
	else if (cmd->admin && cmd != &cmd_import && cmd != &cmd_audit_trail &&
	    cmd_import_busy(&r) == -1)
		;	/* changes wait for the import: nothing to audit */
	else {
		cmd->exec(peer, req.args, &r);
		ran = 1;
	}
	if (ran && r.code == NULL && r.body > 0 && cmd->body != NULL) {
		if ((b = calloc(1, sizeof(*b))) != NULL) {
			b->cmd = cmd;
			b->args = json_incref(req.args);
			b->left = r.body;
			b->r = r;
			a->body = b;
			proto_request_free(&req);
			return;
		}
		json_decref(r.result);
		r.result = NULL;
		cmd_fail(&r, "internal", "out of memory");
	}
	a->close = cmd_announces_body(req.args);
	if (ran)
		cmd_done(peer, cmd, req.args, &r, a);
	else
		a->line = cmd_answer(&r, &a->len);
	proto_request_free(&req);
}

size_t
commands_body_left(const struct cmd_body *b)
{
	return b->left;
}

void
commands_body(struct peer *peer, struct cmd_body *b, const char *p,
    size_t n, struct cmd_answer *a)
{
	memset(a, 0, sizeof(*a));
	b->left -= n;
	if (!b->answered)
		b->answered = b->cmd->body(peer, p, n, b->left == 0, &b->r);
	if (b->left > 0)
		return;
	if (!b->answered)
		cmd_fail(&b->r, "internal", "%s: the data ended unanswered",
		    b->cmd->name);
	cmd_done(peer, b->cmd, b->args, &b->r, a);
	commands_body_free(b);
}

void
commands_body_free(struct cmd_body *b)
{
	if (b == NULL)
		return;
	json_decref(b->args);
	json_decref(b->r.result);
	strbuf_free(&b->r.raw);
	free(b);
}

static json_t *
cmd_arg(json_t *args, const char *name, int required, struct cmd_reply *r)
{
	json_t	*v = json_object_get(args, name);

	if ((v == NULL || json_is_null(v)) && required)
		cmd_fail(r, "invalid_argument", "%s is required", name);
	return json_is_null(v) ? NULL : v;
}

int
cmd_arg_str(json_t *args, const char *name, int required, const char **out,
    struct cmd_reply *r)
{
	json_t	*v = cmd_arg(args, name, required, r);

	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_string(v))
		return cmd_fail(r, "invalid_argument", "%s must be a string",
		    name);
	*out = json_string_value(v);
	return 0;
}

int
cmd_arg_int(json_t *args, const char *name, int required, long lo, long hi,
    long *out, struct cmd_reply *r)
{
	json_t		*v = cmd_arg(args, name, required, r);
	json_int_t	 n;

	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_integer(v))
		return cmd_fail(r, "invalid_argument", "%s must be a whole "
		    "number", name);
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return cmd_fail(r, "invalid_argument", "%s must be from %ld "
		    "to %ld", name, lo, hi);
	*out = (long)n;
	return 0;
}

int
cmd_arg_date(json_t *args, const char *name, int required, int32_t *out,
    struct cmd_reply *r)
{
	const char	*s = NULL;

	if (cmd_arg_str(args, name, required, &s, r) == -1)
		return -1;
	if (s == NULL)
		return 0;
	if (date_parse(s, out) == -1)
		return cmd_fail(r, "invalid_argument", "%s: not a date "
		    "(YYYY-MM-DD): %s", name, s);
	return 0;
}

int
cmd_arg_only(json_t *args, const char *const *names, struct cmd_reply *r)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	json_object_foreach(args, key, v) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], key) == 0)
				break;
		if (names[i] == NULL)
			return cmd_fail(r, "invalid_argument", "unknown "
			    "argument: %s", key);
	}
	return 0;
}

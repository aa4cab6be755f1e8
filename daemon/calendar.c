/*
 * Calendars of milestones (calendar.h).  The files of [calendar] dir are
 * written by one pass over the contracts in owner order, a slice a turn
 * of the loop, so that other clients are served meanwhile: all.ics and
 * the current owner's file are open, each a temporary file.  Once all
 * are written a child process puts them on disk and renames them over
 * the old ones, as that waits on the disk.  A change during a pass or
 * its child marks it stale: another follows.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../plugins/ics.h"
#include "alert-text.h"
#include "calendar.h"
#include "contract-json.h"
#include "contractd.h"
#include "import.h"
#include "scheduler.h"

#define CAL_DELAY_MS	200	/* changes that come together: one pass */
#define CAL_SLICE	100	/* contracts a turn of the loop, at most */
#define CAL_TURN_MS	10	/* and no longer than this */
#define CAL_NAME_MAX	200

/* One file being written: its temporary name until it is renamed. */
struct cal_file {
	FILE	*f;
	char	*tmp;
	char	*path;
};

struct cal_run {
	char		*dir;
	int		 owners;	/* 0: those without an owner first */
	char		*owner;		/* of the last contract read */
	char		 ref[CONTRACT_REF_MAX + 1];
	struct cal_file	 all, one;
	char		*one_owner;	/* whose file one is */
	char		**names;	/* owners' files written */
	size_t		 nnames, cap;
	size_t		 got;		/* contracts of this slice */
	int		 full;		/* the turn's time is up */
	struct timespec	 deadline;	/* of the turn */
	size_t		 renamed;	/* names[] renamed (or the child's) */
};

static struct {
	struct event_base *base;
	struct event	*ev;
	pid_t		 child;		/* renaming the last run's files */
	struct event	*child_ev;	/* its end */
	struct cal_run	*run;
	int		 stale;		/* a change came during the run */
	char		*head, *tail;
} cal;

static void
cal_frame(void)
{
	if (cal.head == NULL && ics_frame(&cal.head, &cal.tail) == -1)
		log_warnx("%s: out of memory", __func__);
}

const char *
calendar_head(void)
{
	cal_frame();
	return cal.head;
}

const char *
calendar_tail(void)
{
	cal_frame();
	return cal.tail;
}

/* The alert words of milestone m of c, as on its due day. */
static json_t *
cal_alert(struct store *st, const struct contract *c,
    const struct milestone *m, const char *due)
{
	char	 unc[1024] = "";

	if (m->kind == MS_COVERAGE_GAP)
		engine_uncovered(c, store_covered, st, unc, sizeof(unc));
	return json_pack("{s:o, s:s, s:s, s:i, s:s}", "contract",
	    contract_to_json(c), "milestone", milestone_name(m->kind),
	    "due", due, "days_left", 0, "uncovered", unc);
}

/* "SUMMARY.\nIf nothing is done, CONSEQUENCE." of alert a. */
static char *
cal_description(const json_t *a, const char *summary)
{
	char	*cons, *d = NULL;
	int	 rc;

	if ((cons = alert_text_consequence(a)) == NULL)
		return NULL;
	if (*cons != '\0')
		rc = asprintf(&d, "%s.\nIf nothing is done, %s.", summary,
		    cons);
	else
		rc = asprintf(&d, "%s.", summary);
	free(cons);
	return rc == -1 ? NULL : d;
}

static int
cal_event(struct store *st, const struct contract *c,
    const struct milestone *m, struct strbuf *out)
{
	char		 due[DATE_STRLEN], *sum = NULL, *desc = NULL;
	char		*text = NULL;
	json_t		*a;
	icalcomponent	*ev = NULL;

	date_format(m->due, due);
	if ((a = cal_alert(st, c, m, due)) != NULL &&
	    (sum = alert_text_summary(a)) != NULL &&
	    (desc = cal_description(a, sum)) != NULL &&
	    (ev = ics_event(c->ref, milestone_name(m->kind), due, sum,
	    desc)) != NULL && (text = ics_text(ev)) != NULL)
		strbuf_puts(out, text);
	if (ev != NULL)
		icalcomponent_free(ev);
	json_decref(a);
	free(text);
	free(desc);
	free(sum);
	return text != NULL ? 0 : -1;
}

int
calendar_events(struct store *st, const struct contract *c,
    struct strbuf *out)
{
	struct engine_peers	p = scheduler_peers(st, store_covered);
	struct milestone	ms[MS_NKINDS];
	size_t			n, i;

	n = engine_milestones(c, &daemon_ctx->conf->alerts, &p, ms);
	for (i = 0; i < n; i++)
		if (cal_event(st, c, &ms[i], out) == -1)
			return -1;
	return out->failed ? -1 : (int)n;
}

static int
cal_safe(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("._-@+", ch) != NULL;
}

int
calendar_file_name(const char *owner, char *buf, size_t len)
{
	size_t	n = 0, i;

	if (*owner == '\0' || len < 5)
		return -1;
	for (i = 0; owner[i] != '\0'; i++) {
		if (n + 3 + 5 > len || n > CAL_NAME_MAX)
			return -1;
		if (cal_safe((unsigned char)owner[i]) &&
		    !(i == 0 && owner[0] == '.') &&
		    !(i == 0 && strcmp(owner, "all") == 0))
			buf[n++] = owner[i];
		else
			n += (size_t)snprintf(buf + n, len - n, "%%%02X",
			    (unsigned char)owner[i]);
	}
	memcpy(buf + n, ".ics", 5);
	return 0;
}

/* Opens DIR/.NAME.tmp for DIR/NAME; -1 with errno. */
static int
cal_open(struct cal_file *cf, const char *dir, const char *name)
{
	int	fd;

	if (asprintf(&cf->tmp, "%s/.%s.tmp", dir, name) == -1) {
		cf->tmp = NULL;
		return -1;
	}
	if (asprintf(&cf->path, "%s/%s", dir, name) == -1) {
		cf->path = NULL;
		return -1;
	}
	if ((fd = open(cf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	if ((cf->f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	return fputs(cal.head, cf->f) == EOF ? -1 : 0;
}

static void
cal_file_drop(struct cal_file *cf)
{
	if (cf->f != NULL)
		fclose(cf->f);
	if (cf->tmp != NULL)
		unlink(cf->tmp);
	free(cf->tmp);
	free(cf->path);
	memset(cf, 0, sizeof(*cf));
}

/*
 * Ends the file under its temporary name: its tail, closed.  It is
 * renamed over the old one once every file is written and on disk.
 */
static int
cal_end(struct cal_file *cf)
{
	int	rc = 0;

	if (fputs(cal.tail, cf->f) == EOF || fflush(cf->f) == EOF)
		rc = -1;
	if (fclose(cf->f) == EOF)
		rc = -1;
	cf->f = NULL;
	if (rc == -1) {
		log_warn("%s: %s", __func__, cf->tmp);
		cal_file_drop(cf);
		return -1;
	}
	free(cf->tmp);
	free(cf->path);
	memset(cf, 0, sizeof(*cf));
	return 0;
}

/* DIR/.NAME.tmp and DIR/NAME of names[i]; -1 if out of memory. */
static int
cal_paths(const struct cal_run *run, size_t i, char **tmp, char **path)
{
	if (asprintf(tmp, "%s/.%s.tmp", run->dir, run->names[i]) == -1)
		return -1;
	if (asprintf(path, "%s/%s", run->dir, run->names[i]) == -1) {
		free(*tmp);
		return -1;
	}
	return 0;
}

/* The temporary files not renamed yet go. */
static void
cal_unlink_rest(struct cal_run *run)
{
	char	*tmp, *path;
	size_t	 i;

	for (i = run->renamed; i < run->nnames; i++)
		if (cal_paths(run, i, &tmp, &path) == 0) {
			unlink(tmp);
			free(tmp);
			free(path);
		}
}

static void
cal_run_free(struct cal_run *run)
{
	size_t	i;

	if (run == NULL)
		return;
	cal_file_drop(&run->all);
	cal_file_drop(&run->one);
	cal_unlink_rest(run);
	for (i = 0; i < run->nnames; i++)
		free(run->names[i]);
	free(run->names);
	free(run->one_owner);
	free(run->owner);
	free(run->dir);
	free(run);
}

/* Notes a file written in this run, to be renamed at its end. */
static int
cal_name_add(struct cal_run *run, const char *name)
{
	char	**v;

	if (run->nnames == run->cap) {
		run->cap = run->cap ? run->cap * 2 : 64;
		if ((v = reallocarray(run->names, run->cap,
		    sizeof(*v))) == NULL)
			return -1;
		run->names = v;
	}
	if ((run->names[run->nnames] = strdup(name)) == NULL)
		return -1;
	run->nnames++;
	return 0;
}

/* Starts owner's file, having ended the previous owner's. */
static int
cal_owner(struct cal_run *run, const char *owner)
{
	char	 name[CAL_NAME_MAX + 16];

	if (run->one.f != NULL && cal_end(&run->one) == -1)
		return -1;
	free(run->one_owner);
	if ((run->one_owner = strdup(owner)) == NULL)
		return -1;
	if (calendar_file_name(owner, name, sizeof(name)) == -1) {
		log_warnx("%s: no calendar file for %s: the address is too "
		    "long", __func__, owner);
		return 0;
	}
	if (cal_name_add(run, name) == -1)
		return -1;
	if (cal_open(&run->one, run->dir, name) == -1) {
		log_warn("%s: %s/%s", __func__, run->dir, name);
		return -1;
	}
	return 0;
}

static int
cal_late(const struct timespec *deadline)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec ==
	    deadline->tv_sec && now.tv_nsec > deadline->tv_nsec);
}

static void
cal_turn_start(struct cal_run *run)
{
	clock_gettime(CLOCK_MONOTONIC, &run->deadline);
	run->deadline.tv_nsec += CAL_TURN_MS * 1000000L;
	if (run->deadline.tv_nsec >= 1000000000L) {
		run->deadline.tv_sec++;
		run->deadline.tv_nsec -= 1000000000L;
	}
	run->full = 0;
	run->got = 0;
}

static int
cal_row(void *arg, struct contract *c, struct contract_state *cs)
{
	struct cal_run	*run = arg;
	struct strbuf	 b = { NULL, 0, 0, 0 };
	const char	*owner = c->owner_email ? c->owner_email : "";
	int		 rc = -1;

	(void)cs;
	if (run->full || (run->got > 0 && cal_late(&run->deadline))) {
		run->full = 1;
		return 0;	/* the next turn starts here */
	}
	run->got++;
	if (run->owners) {
		free(run->owner);
		if ((run->owner = strdup(owner)) == NULL)
			return -1;
	}
	snprintf(run->ref, sizeof(run->ref), "%s", c->ref);
	if (calendar_events(cmd_store(), c, &b) == -1)
		goto out;
	if (*owner != '\0' && (run->one_owner == NULL ||
	    strcmp(run->one_owner, owner) != 0) && cal_owner(run, owner) == -1)
		goto out;
	if (b.s != NULL && (fputs(b.s, run->all.f) == EOF ||
	    (run->one.f != NULL && strcmp(run->one_owner, owner) == 0 &&
	    fputs(b.s, run->one.f) == EOF)))
		goto out;
	rc = 0;
out:
	strbuf_free(&b);
	return rc;
}

static int
cal_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes the .ics files of owners who own nothing any more. */
static void
cal_prune(struct cal_run *run)
{
	DIR		*d;
	struct dirent	*e;
	const char	*n;
	size_t		 len;

	if ((d = opendir(run->dir)) == NULL) {
		log_warn("%s: %s", __func__, run->dir);
		return;
	}
	qsort(run->names, run->nnames, sizeof(*run->names), cal_name_cmp);
	while ((e = readdir(d)) != NULL) {
		n = e->d_name;
		len = strlen(n);
		if (len < 5 || n[0] == '.' || strcmp(n + len - 4, ".ics") ||
		    strcmp(n, "all.ics") == 0 || bsearch(&n, run->names,
		    run->nnames, sizeof(*run->names), cal_name_cmp) != NULL)
			continue;
		if (unlinkat(dirfd(d), n, 0) == -1)
			log_warn("%s: %s/%s", __func__, run->dir, n);
		else
			log_debug("%s: %s/%s: its owner owns nothing now",
			    __func__, run->dir, n);
	}
	closedir(d);
}

static void
cal_arm(int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(cal.ev, &tv);
}

static struct cal_run *
cal_start(const char *dir)
{
	struct cal_run	*run;

	if ((run = calloc(1, sizeof(*run))) == NULL ||
	    (run->dir = strdup(dir)) == NULL ||
	    (run->owner = strdup("")) == NULL) {
		cal_run_free(run);
		log_warnx("%s: out of memory", __func__);
		return NULL;
	}
	if (cal_open(&run->all, dir, "all.ics") == -1) {
		log_warn("%s: %s/all.ics", __func__, dir);
		cal_run_free(run);
		return NULL;
	}
	return run;
}

/*
 * In a child: every file on disk at once (one syncfs, not an fsync a
 * file), then renamed, all.ics last, and the files of owners who own
 * nothing pruned.  Those calls wait on the disk: the loop does not.
 */
static void __attribute__((noreturn))
cal_child(struct cal_run *run)
{
	char	*tmp, *path;
	size_t	 i;
	int	 fd, rc = 0;

	/* The daemon's handlers would tell the parent of our signals. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if ((fd = open(run->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || syncfs(fd) == -1) {
		log_warn("%s: %s", __func__, run->dir);
		_exit(1);
	}
	for (i = 0; i < run->nnames; i++) {
		if (cal_paths(run, i, &tmp, &path) == -1)
			_exit(1);
		if (rename(tmp, path) == -1) {
			log_warn("%s: %s", __func__, path);
			rc = 1;
		}
		free(tmp);
		free(path);
	}
	cal_prune(run);
	(void)fsync(fd);
	_exit(rc);
}

static void
cal_child_done(evutil_socket_t fd, short what, void *arg)
{
	int	status;

	(void)what;
	(void)arg;
	close(fd);
	event_free(cal.child_ev);
	cal.child_ev = NULL;
	if (waitpid(cal.child, &status, 0) == -1)
		log_warn("%s: waitpid", __func__);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("%s: the calendar files were not all renamed",
		    __func__);
	cal.child = 0;
	if (cal.stale)
		cal_arm(CAL_DELAY_MS);
}

/* Hands the written files to a child to make durable and rename. */
static void
cal_rename(struct cal_run *run)
{
	int	p[2];

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		return;
	}
	if ((cal.child = fork()) == -1) {
		log_warn("%s: fork", __func__);
		cal.child = 0;
		close(p[0]);
		close(p[1]);
		return;
	}
	if (cal.child == 0) {
		close(p[0]);
		cal_child(run);		/* p[1] closes as it exits */
	}
	close(p[1]);
	run->renamed = run->nnames;	/* the child's now */
	if ((cal.child_ev = event_new(cal.base, p[0], EV_READ,
	    cal_child_done, NULL)) == NULL ||
	    event_add(cal.child_ev, NULL) == -1) {
		/* Wait for it here rather than lose it. */
		cal_child_done(p[0], EV_READ, NULL);
	}
}

/* One turn of the run; 1 once it is over. */
static int
cal_step(struct cal_run *run)
{
	int	n;

	cal_turn_start(run);
	n = store_contract_each_owner(cmd_store(), run->owners ? run->owner :
	    NULL, run->ref, CAL_SLICE, cal_row, run);
	if (n < 0) {
		log_warnx("%s: %s: not written", __func__, run->dir);
		return 1;
	}
	if (run->full || run->got == CAL_SLICE)
		return 0;
	if (!run->owners) {
		run->owners = 1;
		run->ref[0] = '\0';
		return 0;
	}
	if ((run->one.f != NULL && cal_end(&run->one) == -1) ||
	    cal_end(&run->all) == -1 || cal_name_add(run, "all.ics") == -1)
		return 1;
	cal_rename(run);
	return 1;
}

static void
cal_timer(evutil_socket_t fd, short what, void *arg)
{
	const char	*dir = daemon_ctx->conf->calendar_dir;

	(void)fd;
	(void)what;
	(void)arg;
	if (cal.child != 0) {
		cal.stale = 1;		/* after the child */
		return;
	}
	if (cal.run == NULL) {
		cal.stale = 0;
		if (dir == NULL || calendar_head() == NULL ||
		    (cal.run = cal_start(dir)) == NULL)
			return;
	}
	if (cal_step(cal.run) == 0) {
		cal_arm(0);
		return;
	}
	cal_run_free(cal.run);
	cal.run = NULL;
	if (cal.stale)
		cal_arm(CAL_DELAY_MS);
}

void
calendar_changed(void)
{
	if (cal.ev == NULL || daemon_ctx->conf->calendar_dir == NULL)
		return;
	if (cal.run != NULL || cal.child != 0)
		cal.stale = 1;
	else if (!evtimer_pending(cal.ev, NULL))
		cal_arm(CAL_DELAY_MS);
}

int
calendar_init(struct event_base *base)
{
	cal.base = base;
	if ((cal.ev = evtimer_new(base, cal_timer, NULL)) == NULL)
		return -1;
	if (daemon_ctx->conf->calendar_dir != NULL)
		cal_arm(0);
	return 0;
}

void
calendar_free(void)
{
	cal_run_free(cal.run);
	cal.run = NULL;
	if (cal.child_ev != NULL)
		cal_child_done(event_get_fd(cal.child_ev), EV_READ, NULL);
	if (cal.ev != NULL)
		event_free(cal.ev);
	cal.ev = NULL;
	free(cal.head);
	free(cal.tail);
	cal.head = cal.tail = NULL;
	ics_fini();
}

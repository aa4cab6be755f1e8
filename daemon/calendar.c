/*
 * Calendars of milestones (calendar.h).  The files of [calendar] dir are
 * written by one pass over the contracts in owner order, a slice a turn
 * of the loop, so that other clients are served meanwhile: all.ics and
 * the current owner's file are open, each a temporary file until it is
 * whole.  A change during a pass marks it stale: another follows.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#define CAL_SLICE	100	/* contracts a turn of the loop */
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
	int		 bad;
};

static struct {
	struct event	*ev;
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

/* Ends the file: its tail, fsync, rename over the old one. */
static int
cal_close(struct cal_file *cf)
{
	int	rc = 0;

	if (fputs(cal.tail, cf->f) == EOF || fflush(cf->f) == EOF ||
	    fsync(fileno(cf->f)) == -1)
		rc = -1;
	if (fclose(cf->f) == EOF)
		rc = -1;
	cf->f = NULL;
	if (rc == 0 && rename(cf->tmp, cf->path) == -1)
		rc = -1;
	if (rc == -1)
		log_warn("%s: %s", __func__, cf->path);
	cal_file_drop(cf);
	return rc;
}

static void
cal_run_free(struct cal_run *run)
{
	size_t	i;

	if (run == NULL)
		return;
	cal_file_drop(&run->all);
	cal_file_drop(&run->one);
	for (i = 0; i < run->nnames; i++)
		free(run->names[i]);
	free(run->names);
	free(run->one_owner);
	free(run->owner);
	free(run->dir);
	free(run);
}

/* Starts owner's file, having ended the previous owner's. */
static int
cal_owner(struct cal_run *run, const char *owner)
{
	char	 name[CAL_NAME_MAX + 16], **v;

	if (run->one.f != NULL && cal_close(&run->one) == -1)
		return -1;
	free(run->one_owner);
	if ((run->one_owner = strdup(owner)) == NULL)
		return -1;
	if (calendar_file_name(owner, name, sizeof(name)) == -1) {
		log_warnx("%s: no calendar file for %s: the address is too "
		    "long", __func__, owner);
		return 0;
	}
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
	if (cal_open(&run->one, run->dir, name) == -1) {
		log_warn("%s: %s/%s", __func__, run->dir, name);
		return -1;
	}
	return 0;
}

static int
cal_row(void *arg, struct contract *c, struct contract_state *cs)
{
	struct cal_run	*run = arg;
	struct strbuf	 b = { NULL, 0, 0, 0 };
	const char	*owner = c->owner_email ? c->owner_email : "";
	int		 rc = -1;

	(void)cs;
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

/* The directory's entries made durable. */
static void
cal_sync_dir(const char *dir)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
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

/* One slice of the run; 1 once it is over. */
static int
cal_step(struct cal_run *run)
{
	int	n;

	run->got = 0;
	n = store_contract_each_owner(cmd_store(), run->owners ? run->owner :
	    NULL, run->ref, CAL_SLICE, cal_row, run);
	if (n < 0) {
		log_warnx("%s: %s: not written", __func__, run->dir);
		return 1;
	}
	if (run->got == CAL_SLICE)
		return 0;
	if (!run->owners) {
		run->owners = 1;
		run->ref[0] = '\0';
		return 0;
	}
	if ((run->one.f == NULL || cal_close(&run->one) == 0) &&
	    cal_close(&run->all) == 0) {
		cal_prune(run);
		cal_sync_dir(run->dir);
		log_debug("%s: %s written", __func__, run->dir);
	}
	return 1;
}

static void
cal_timer(evutil_socket_t fd, short what, void *arg)
{
	const char	*dir = daemon_ctx->conf->calendar_dir;

	(void)fd;
	(void)what;
	(void)arg;
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
	if (cal.run != NULL)
		cal.stale = 1;
	else if (!evtimer_pending(cal.ev, NULL))
		cal_arm(CAL_DELAY_MS);
}

int
calendar_init(struct event_base *base)
{
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
	if (cal.ev != NULL)
		event_free(cal.ev);
	cal.ev = NULL;
	free(cal.head);
	free(cal.tail);
	cal.head = cal.tail = NULL;
	ics_fini();
}

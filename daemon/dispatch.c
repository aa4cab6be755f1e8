/*
 * Dispatch: turns fired alerts into deliveries and sends them.
 *
 * The outbox table is the truth: a delivery is marked in flight when it is
 * handed to its plugin, and its result is written back.  Results that
 * arrive in one turn of the loop are written in one transaction (a crash
 * before it commits only means a delivery is sent again: at least once,
 * with the same key).  After a restart nothing is in flight.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "alert-json.h"
#include "contractd.h"
#include "dispatch.h"
#include "http.h"
#include "plugin.h"

#define DISPATCH_BACKOFF_MIN	30
#define DISPATCH_BACKOFF_MAX	3600
#define DISPATCH_DRAIN_SECS	5
#define DISPATCH_BATCH		512	/* deliveries loaded, results written */
#define DISPATCH_FLUSH_USEC	20000	/* results wait at most this long */
#define DISPATCH_TURN		64	/* deliveries started in a loop turn */
#define DISPATCH_ERRLEN		512

/*
 * One delivery being sent: d points at the copies below, d.json at the
 * outbox's text and d.alert at payload, that text parsed once.
 */
struct dlv {
	TAILQ_ENTRY(dlv)		 entry;
	struct notifier_delivery	 d;
	struct channel			*ch;
	json_t				*payload;
	char				*key;
	char				*alert_key;
	char				*channel;
	char				*recipient;
	time_t				 created;
	int				 attempts;
};
TAILQ_HEAD(dlv_list, dlv);

/* A result waiting to be written. */
struct dlv_result {
	TAILQ_ENTRY(dlv_result)	 entry;
	char			*key;
	const char		*state;
	int			 attempts;
	time_t			 next;
	char			*error;
};

static struct {
	struct dlv_list		 inflight;
	struct dlv_list		 ready;		/* loaded, marked, not sent */
	TAILQ_HEAD(, dlv_result) results;
	int			 n;
	unsigned		 tests;		/* notify-test sequence */
	int			 nready;
	int			 nresults;
	int			 draining;
	int			 quiescing;
	void			(*drained)(void);
	struct event		*kick;
	struct event		*flush;
	struct event		*drain_timer;
	void			(*changed)(void);	/* dispatch_init's */
} disp;

int
dispatch_inflight(void)
{
	return disp.n;
}

static int
dispatch_cap(void)
{
	return daemon_ctx->conf->max_transfers;
}

time_t
dispatch_next(void)
{
	/* At the cap, or with a queue to send, the next result kicks. */
	if (disp.draining || disp.n >= dispatch_cap() || disp.nready > 0)
		return 0;
	return store_delivery_next(daemon_ctx->store);
}

/* Adds one delivery of payload to the outbox. */
static int
enqueue_one(struct store *st, const char *alert_key, const char *channel,
    const char *recipient, const char *payload, time_t now)
{
	struct delivery_rec	 d;
	char			*key;
	int			 rc;

	if (asprintf(&key, "%s/%s%s%s", alert_key, channel, recipient != NULL ?
	    "/" : "", recipient != NULL ? recipient : "") == -1)
		return -1;
	memset(&d, 0, sizeof(d));
	d.key = key;
	d.alert_key = alert_key;
	d.channel = channel;
	d.recipient = recipient;
	d.next_attempt = now;
	d.created = now;
	d.payload = payload;
	rc = store_delivery_add(st, &d);
	free(key);
	return rc < 0 ? -1 : 0;
}

/* What a plugin's own recipients are added with. */
struct enqueue_ctx {
	struct store	*st;
	const char	*alert_key;
	const char	*channel;
	const char	*payload;
	time_t		 now;
	int		 n;
};

static int
enqueue_addr(void *arg, const char *addr)
{
	struct enqueue_ctx	*e = arg;

	e->n++;
	return enqueue_one(e->st, e->alert_key, e->channel, addr, e->payload,
	    e->now);
}

/*
 * One delivery per address of the owner, the notify list and the
 * plugin's own recipients (a cc); an address listed twice is one.
 */
static int
enqueue_recipients(struct store *st, const struct contract *c,
    const char *alert_key, const struct channel *ch, const char *payload,
    time_t now)
{
	struct enqueue_ctx	 e = { st, alert_key, ch->name, payload, now,
				    0 };
	const char		*p, *it;
	char			*list, *addr;
	size_t			 len;
	int			 rc = 0;

	if (asprintf(&list, "%s;%s", c->owner_email ? c->owner_email : "",
	    c->notify ? c->notify : "") == -1)
		return -1;
	for (p = list; rc == 0 && contract_service_next(&p, &it, &len);) {
		if ((addr = strndup(it, len)) == NULL)
			rc = -1;
		else
			rc = enqueue_addr(&e, addr);
		free(addr);
	}
	free(list);
	if (rc == 0 && NOTIFIER_HAS(ch->plugin, struct notifier_plugin,
	    recipients) && ch->plugin->recipients != NULL)
		rc = ch->plugin->recipients(ch->instance, enqueue_addr, &e);
	/* No address: the plugin may still know what to do. */
	if (rc == 0 && e.n == 0)
		rc = enqueue_one(st, alert_key, ch->name, NULL, payload, now);
	return rc;
}

int
dispatch_enqueue(struct store *st, const struct contract *c,
    const struct contract_state *cs, const struct alert *a,
    const char *uncovered, int late, int overdue, time_t now)
{
	struct daemon		*d = daemon_ctx;
	struct alert_firing	 f = { now, d->conf->timezone, uncovered, late,
				    overdue, cs->lapsed_extension };
	char			*payload, key[ALERT_KEYLEN];
	size_t			 i;
	int			 rc = 0;

	engine_alert_key(c->ref, a, key, sizeof(key));
	if ((payload = alert_json_text(alert_json(c, a, &f))) == NULL)
		return -1;
	for (i = 0; i < d->nchannels && rc == 0; i++) {
		if (!(d->channels[i].kinds & (1u << a->kind)))
			continue;
		if (d->channels[i].plugin->flags & NOTIFIER_PER_RECIPIENT)
			rc = enqueue_recipients(st, c, key, &d->channels[i],
			    payload, now);
		else
			rc = enqueue_one(st, key, d->channels[i].name, NULL,
			    payload, now);
	}
	free(payload);
	return rc;
}

int
dispatch_enqueue_digest(struct store *st, const char *key,
    const char *recipient, const char *payload, time_t now)
{
	struct daemon	*d = daemon_ctx;
	size_t		 i;

	for (i = 0; i < d->nchannels; i++)
		if (d->channels[i].digest && enqueue_one(st, key,
		    d->channels[i].name, recipient, payload, now) == -1)
			return -1;
	return 0;
}

int
dispatch_test(struct store *st, const char *channel, const char *to,
    time_t now, char *key, size_t keylen)
{
	struct channel	*ch;
	char		*payload, alert_key[128];
	int		 rc;

	ch = plugins_find(daemon_ctx->channels, daemon_ctx->nchannels,
	    channel);
	if (ch == NULL)
		return STORE_NOTFOUND;
	/* Unique even for several tests in one second. */
	snprintf(alert_key, sizeof(alert_key), "test/%s/%lld.%u", channel,
	    (long long)now, ++disp.tests);
	payload = alert_json_text(alert_json_test(alert_key, now,
	    daemon_ctx->conf->timezone));
	if (payload == NULL)
		return STORE_ERROR;
	rc = enqueue_one(st, alert_key, channel, to, payload, now);
	free(payload);
	snprintf(key, keylen, "%s/%s%s%s", alert_key, channel, to != NULL ?
	    "/" : "", to != NULL ? to : "");
	return rc < 0 ? STORE_ERROR : STORE_FOUND;
}

/* Hands the plugin the alert, parsed once from the outbox's text. */
static void
dlv_fields(struct dlv *v)
{
	struct notifier_delivery	*d = &v->d;
	const char			*type;

	type = json_string_value(json_object_get(v->payload, "type"));
	d->size = sizeof(*d);
	d->key = v->key;
	d->alert_key = v->alert_key;
	d->channel = v->channel;
	d->recipient = v->recipient;
	d->attempt = v->attempts + 1;
	if (type != NULL && strcmp(type, "contract.test") == 0)
		d->event = "test";
	else if (type != NULL && strcmp(type, "contract.digest") == 0)
		d->event = "digest";
	else
		d->event = "alert";
	d->alert = v->payload;
	d->host_data = v;
}

static void
dlv_free(struct dlv *v)
{
	free((char *)v->d.json);
	json_decref(v->payload);
	free(v->key);
	free(v->alert_key);
	free(v->channel);
	free(v->recipient);
	free(v);
}

static void
dlv_free_list(struct dlv_list *list)
{
	struct dlv	*v;

	while ((v = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, v, entry);
		dlv_free(v);
	}
}

/*
 * A delivery from its outbox row, its payload kept as text: it is parsed
 * when sent, so the queue's memory stays small.  NULL when out of memory.
 */
static struct dlv *
dlv_new(const struct delivery_rec *r)
{
	struct dlv	*v;
	char		*text;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->key = strdup(r->key);
	v->alert_key = strdup(r->alert_key);
	v->channel = strdup(r->channel);
	v->recipient = r->recipient ? strdup(r->recipient) : NULL;
	text = r->payload ? strdup(r->payload) : NULL;
	v->d.json = text;
	v->created = r->created;
	v->attempts = r->attempts;
	v->d.host_data = v;
	if (v->key == NULL || v->alert_key == NULL || v->channel == NULL ||
	    text == NULL || (r->recipient != NULL && v->recipient == NULL)) {
		dlv_free(v);
		return NULL;
	}
	return v;
}

/* Seconds until the next try after attempts failures: 30 s doubling to 1 h,
 * with +-20% jitter so that retries of many deliveries spread out. */
static long
dispatch_backoff(int attempts)
{
	long	d = DISPATCH_BACKOFF_MIN;

	while (--attempts > 0 && d < DISPATCH_BACKOFF_MAX)
		d *= 2;
	if (d > DISPATCH_BACKOFF_MAX)
		d = DISPATCH_BACKOFF_MAX;
	return d * 4 / 5 + (long)arc4random_uniform((uint32_t)(d * 2 / 5) + 1);
}

static const struct timeval	flush_delay = { 0, DISPATCH_FLUSH_USEC };
static const struct timeval	flush_retry = { 1, 0 };

static void
result_queue(const char *key, const char *state, int attempts, time_t next,
    const char *error)
{
	struct dlv_result	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->key = strdup(key)) == NULL) {
		log_warnx("%s: %s: out of memory: it will be sent again",
		    __func__, key);
		free(r);
		return;
	}
	r->state = state;
	r->attempts = attempts;
	r->next = next;
	r->error = error ? strdup(error) : NULL;
	TAILQ_INSERT_TAIL(&disp.results, r, entry);
	/* Results are written together: one commit for many deliveries. */
	if (++disp.nresults >= DISPATCH_BATCH)
		event_active(disp.flush, EV_TIMEOUT, 0);
	else if (!evtimer_pending(disp.flush, NULL))
		evtimer_add(disp.flush, &flush_delay);
}

/* The new state of a delivery that failed; sets *next. */
static const char *
retry_state(struct dlv *v, long retry_after, time_t now, time_t *next)
{
	struct timeval	tv;
	long		max_age = daemon_ctx->conf->max_age;
	time_t		deadline = v->created + max_age;

	if (now >= deadline)
		return "dead";
	/* Whole seconds from the next second: never sooner than asked. */
	gettimeofday(&tv, NULL);
	now = tv.tv_sec + (tv.tv_usec > 0);
	*next = now + (retry_after > 0 ? (retry_after < 86400 ? retry_after :
	    86400) : dispatch_backoff(v->attempts + 1));
	if (*next > deadline)
		*next = deadline;
	return "failed";
}

static void
channel_disable(struct channel *ch, const char *why)
{
	if (ch == NULL || ch->disabled)
		return;
	if (why == NULL)
		why = "disabled by its endpoint";
	ch->disabled = 1;
	free(ch->disabled_why);
	ch->disabled_why = strdup(why);
	log_warnx("channel %s disabled until reload: %s", ch->name, why);
}

void
dispatch_result(struct notifier_delivery *d, enum notifier_status status,
    long retry_after, const char *message)
{
	struct dlv	*v = d->host_data;
	const char	*state = "delivered";
	time_t		 now = time(NULL), next = now;
	int		 attempts = v->attempts + 1;

	if (disp.quiescing && status == NOTIFIER_RETRY) {
		/* Cut short by us, not a try: it goes out again at once. */
		attempts = v->attempts;
		state = attempts > 0 ? "failed" : "pending";
	} else if (status == NOTIFIER_RETRY || status == NOTIFIER_DISABLE)
		state = retry_state(v, retry_after, now, &next);
	else if (status == NOTIFIER_FAIL)
		state = "dead";
	if (status == NOTIFIER_DISABLE)
		channel_disable(v->ch, message);
	if (status == NOTIFIER_OK)
		log_debug("%s: %s delivered", __func__, v->key);
	else
		log_info("%s: %s: %s (attempt %d)%s%s", __func__, v->key,
		    state, attempts, message ? ": " : "",
		    message ? message : "");
	result_queue(v->key, state, attempts, next, message);
	TAILQ_REMOVE(&disp.inflight, v, entry);
	disp.n--;
	dlv_free(v);
	if (disp.draining && disp.n == 0 && disp.drained != NULL)
		event_active(disp.drain_timer, EV_TIMEOUT, 0);
	else
		dispatch_kick();
}

/* Hands v to its channel's plugin, or ends it at once if it cannot go. */
static void
dlv_send(struct dlv *v)
{
	struct daemon	*d = daemon_ctx;
	json_error_t	 jerr;
	const char	*why = NULL;

	TAILQ_INSERT_TAIL(&disp.inflight, v, entry);
	disp.n++;
	if ((v->payload = json_loads(v->d.json, 0, &jerr)) == NULL) {
		dispatch_result(&v->d, NOTIFIER_FAIL, 0, "unreadable payload "
		    "in the outbox");
		return;
	}
	dlv_fields(v);
	v->ch = plugins_find(d->channels, d->nchannels, v->channel);
	if (v->ch == NULL)
		why = "no such channel in the configuration";
	else if (v->ch->disabled)
		why = "channel disabled until reload";
	else if (v->ch->plugin->send(v->ch->instance, &v->d) == -1)
		why = "the plugin could not start the delivery";
	if (why != NULL)
		dispatch_result(&v->d, NOTIFIER_RETRY, 0, why);
}

struct kick_batch {
	struct dlv_list		 list;
	int			 n;
};

static int
kick_collect(void *arg, const struct delivery_rec *r)
{
	struct kick_batch	*b = arg;
	struct dlv		*v;

	if ((v = dlv_new(r)) == NULL) {
		log_warnx("%s: %s: out of memory: left for later", __func__,
		    r->key);
		return 0;
	}
	TAILQ_INSERT_TAIL(&b->list, v, entry);
	b->n++;
	return 0;
}

/*
 * Marks the batch in flight in one transaction.  The mark only keeps the
 * deliveries from being loaded twice and is cleared at start-up, so it
 * needs no sync to disk.  -1 leaves the batch unsent.
 */
static int
kick_mark(struct kick_batch *b)
{
	struct store	*st = daemon_ctx->store;
	struct dlv	*v;

	if (TAILQ_EMPTY(&b->list))
		return 0;
	if (store_begin_nosync(st) == -1)
		return -1;
	TAILQ_FOREACH(v, &b->list, entry)
		if (store_delivery_inflight(st, v->key) < 0) {
			store_rollback_nosync(st);
			return -1;
		}
	return store_commit_nosync(st);
}

/* Loads deliveries that are due into the ready queue. */
static void
dispatch_refill(void)
{
	struct kick_batch	 b;

	TAILQ_INIT(&b.list);
	b.n = 0;
	if (store_delivery_due(daemon_ctx->store, time(NULL), DISPATCH_BATCH,
	    kick_collect, &b) < 0 || kick_mark(&b) == -1) {
		dlv_free_list(&b.list);
		return;
	}
	TAILQ_CONCAT(&disp.ready, &b.list, entry);
	disp.nready += b.n;
}

/*
 * Fills the free transfer slots from the ready queue, loading it first
 * when it cannot fill them.  A plugin that delivers at once (log) frees
 * its slot at once: DISPATCH_TURN a turn, so that a large answer to a
 * client goes out between turns instead of after the whole backlog.
 */
static void
dispatch_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dlv	*v;
	int		 sent;

	(void)fd;
	(void)what;
	(void)arg;
	/* An import holds the writer: its end kicks again. */
	if (disp.draining || store_in_txn(daemon_ctx->store))
		return;
	if (disp.nready < dispatch_cap() - disp.n)
		dispatch_refill();
	for (sent = 0; disp.n < dispatch_cap() &&
	    (v = TAILQ_FIRST(&disp.ready)) != NULL; sent++) {
		if (sent == DISPATCH_TURN) {
			dispatch_kick();
			break;
		}
		TAILQ_REMOVE(&disp.ready, v, entry);
		disp.nready--;
		dlv_send(v);
	}
}

/*
 * Through the timers rather than at once: a plugin that delivers at once
 * (log) kicks again from each result, and the loop must see its sockets
 * between kicks.
 */
void
dispatch_kick(void)
{
	static const struct timeval	now = { 0, 0 };

	if (disp.kick != NULL && !evtimer_pending(disp.kick, NULL))
		evtimer_add(disp.kick, &now);
}

static void
results_free(void)
{
	struct dlv_result	*r;

	while ((r = TAILQ_FIRST(&disp.results)) != NULL) {
		TAILQ_REMOVE(&disp.results, r, entry);
		free(r->key);
		free(r->error);
		free(r);
	}
	disp.nresults = 0;
}

/* Writes the queued results in one transaction. */
static void
dispatch_flush(void)
{
	struct store		*st = daemon_ctx->store;
	struct dlv_result	*r;
	int			 ok;

	if (TAILQ_EMPTY(&disp.results))
		return;
	if (store_in_txn(st)) {
		/* An import holds the writer: written once it ends. */
		evtimer_add(disp.flush, &flush_retry);
		return;
	}
	ok = store_begin(st) == 0;
	TAILQ_FOREACH(r, &disp.results, entry)
		if (!ok || store_delivery_result(st, r->key, r->state,
		    r->attempts, r->next, r->error) < 0) {
			ok = 0;
			break;
		}
	if (!ok || store_commit(st) == -1) {
		/* Kept and tried again: until written, they stay in flight. */
		store_rollback(st);
		if (!store_full(st))	/* which the store said once */
			log_warnx("%s: delivery results not saved: trying "
			    "again in a second", __func__);
		evtimer_add(disp.flush, &flush_retry);
		return;
	}
	results_free();
}

static void
dispatch_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	dispatch_flush();
	/* The outbox changed: the scheduler may want to kick us again. */
	if (!disp.draining && disp.changed != NULL)
		disp.changed();
}

/* Ends the drain: what is still in flight stays pending in the outbox. */
static void
dispatch_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	void	(*done)(void) = disp.drained;

	(void)fd;
	(void)what;
	(void)arg;
	evtimer_del(disp.drain_timer);
	if (disp.n > 0) {
		log_info("%s: %d deliveries still in flight: they stay in "
		    "the outbox", __func__, disp.n);
		dispatch_quiesce();
	}
	dispatch_flush();
	disp.drained = NULL;
	if (done != NULL)
		done();
}

void
dispatch_drain(void (*done)(void))
{
	struct timeval	tv = { DISPATCH_DRAIN_SECS, 0 };

	if (disp.draining)
		return;
	disp.draining = 1;
	disp.drained = done;
	if (disp.n == 0)
		event_active(disp.drain_timer, EV_TIMEOUT, 0);
	else
		evtimer_add(disp.drain_timer, &tv);
}

void
dispatch_quiesce(void)
{
	struct dlv	*v;

	disp.quiescing = 1;
	http_cancel_all();
	/* A plugin that kept a delivery without a transfer loses it here. */
	while ((v = TAILQ_FIRST(&disp.inflight)) != NULL)
		dispatch_result(&v->d, NOTIFIER_RETRY, 0, "cancelled");
	disp.quiescing = 0;
	dispatch_flush();
}

int
dispatch_init(struct event_base *base, void (*changed)(void))
{
	disp.changed = changed;
	TAILQ_INIT(&disp.inflight);
	TAILQ_INIT(&disp.ready);
	TAILQ_INIT(&disp.results);
	disp.kick = event_new(base, -1, 0, dispatch_kick_cb, NULL);
	disp.flush = evtimer_new(base, dispatch_flush_cb, NULL);
	disp.drain_timer = evtimer_new(base, dispatch_drain_cb, NULL);
	if (disp.kick == NULL || disp.flush == NULL ||
	    disp.drain_timer == NULL ||
	    store_delivery_reset_inflight(daemon_ctx->store) == -1)
		return -1;
	return 0;
}

void
dispatch_free(void)
{
	/* Loaded but not sent: in flight in the table until the next start. */
	dlv_free_list(&disp.ready);
	results_free();
	if (disp.kick != NULL)
		event_free(disp.kick);
	if (disp.flush != NULL)
		event_free(disp.flush);
	if (disp.drain_timer != NULL)
		event_free(disp.drain_timer);
	memset(&disp, 0, sizeof(disp));
}

/*
 * The transfer engine: libcurl's multi_socket API on the daemon's libevent
 * loop (the wiring of curl's hiperfifo example).  curl tells us which
 * sockets to watch (http_socket_cb) and when to time out (http_timer_cb);
 * libevent tells curl when a socket is ready; finished transfers are
 * collected with curl_multi_info_read and handed back to their plugin.
 * One multi handle keeps connections alive between deliveries.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "http.h"

struct http_xfer {
	TAILQ_ENTRY(http_xfer)		 entry;
	CURL				*easy;
	struct notifier_delivery	*d;
	void	(*done)(struct notifier_delivery *, CURL *, CURLcode);
};

static struct {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	TAILQ_HEAD(, http_xfer)	 xfers;
} http;

/* Takes x off the multi handle and hands its result to its plugin. */
static void
http_finish(struct http_xfer *x, CURLcode result)
{
	curl_multi_remove_handle(http.multi, x->easy);
	TAILQ_REMOVE(&http.xfers, x, entry);
	x->done(x->d, x->easy, result);
	free(x);
}

static void
http_check_done(void)
{
	struct http_xfer	*x;
	CURLMsg			*msg;
	int			 left;

	while ((msg = curl_multi_info_read(http.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		http_finish(x, msg->data.result);
	}
}

static void
http_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int	action = 0, running;

	(void)arg;
	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(http.multi, fd, action, &running);
	http_check_done();
}

static void
http_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	int	running;

	(void)fd;
	(void)what;
	(void)arg;
	curl_multi_socket_action(http.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done();
}

/* curl's CURLMOPT_TIMERFUNCTION: -1 deletes the timer. */
static int
http_timer_cb(CURLM *multi, long ms, void *arg)
{
	struct timeval	tv;

	(void)multi;
	(void)arg;
	if (ms < 0) {
		evtimer_del(http.timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return evtimer_add(http.timer, &tv);
}

/* curl's CURLMOPT_SOCKETFUNCTION: what to watch on fd. */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct event	*ev = sockp;
	short		 kind = EV_PERSIST;

	(void)easy;
	(void)arg;
	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL)
			event_free(ev);
		curl_multi_assign(http.multi, fd, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (ev != NULL) {
		event_del(ev);
		event_assign(ev, http.base, fd, kind, http_event_cb, NULL);
	} else {
		ev = event_new(http.base, fd, kind, http_event_cb, NULL);
		if (ev == NULL)
			return -1;
		curl_multi_assign(http.multi, fd, ev);
	}
	return event_add(ev, NULL);
}

int
http_init(struct event_base *base)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	http.base = base;
	TAILQ_INIT(&http.xfers);
	if ((http.multi = curl_multi_init()) == NULL ||
	    (http.timer = evtimer_new(base, http_timeout_cb, NULL)) == NULL)
		return -1;
	curl_multi_setopt(http.multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(http.multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	/* The dispatcher caps transfers; keep their connections for reuse. */
	curl_multi_setopt(http.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	curl_multi_setopt(http.multi, CURLMOPT_MAXCONNECTS, 256L);
	return 0;
}

int
http_transfer(struct notifier_delivery *d, CURL *easy,
    void (*done)(struct notifier_delivery *, CURL *, CURLcode))
{
	struct http_xfer	*x;

	if (http.multi == NULL || (x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->d = d;
	x->easy = easy;
	x->done = done;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (curl_multi_add_handle(http.multi, easy) != CURLM_OK) {
		free(x);
		return -1;
	}
	TAILQ_INSERT_TAIL(&http.xfers, x, entry);
	return 0;
}

/* Ends every transfer under way, telling each plugin it was aborted. */
void
http_cancel_all(void)
{
	struct http_xfer	*x;

	if (http.multi == NULL)
		return;
	while ((x = TAILQ_FIRST(&http.xfers)) != NULL)
		http_finish(x, CURLE_ABORTED_BY_CALLBACK);
}

/* Abandons transfers still under way: their deliveries stay pending. */
void
http_shutdown(void)
{
	http_cancel_all();
	if (http.multi != NULL)
		curl_multi_cleanup(http.multi);
	if (http.timer != NULL)
		event_free(http.timer);
	memset(&http, 0, sizeof(http));
	curl_global_cleanup();
}

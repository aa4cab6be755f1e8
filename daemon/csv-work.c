/*
 * Worker threads for the CSV import (see csv-work.h).  One queue in the
 * order jobs were pushed: the threads take its jobs from the front, the
 * caller takes them back from the front once run, so results come back
 * in order whichever thread finished first.
 */
#include <pthread.h>
#include <stdlib.h>

#include "csv-work.h"
#include "thread.h"

struct work {
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;		/* a job queued, or stop */
	pthread_cond_t	 ran;		/* a job done */
	pthread_t	 threads[WORK_THREADS_MAX];
	size_t		 nthreads;
	int		 stop;
	struct work_job	*head;		/* oldest not taken back */
	struct work_job	*tail;
	struct work_job	*todo;		/* oldest not started */
	void		(*run)(struct work_job *, void *);
	void		*arg;
};

static void *
work_main(void *p)
{
	struct work	*w = p;
	struct work_job	*job;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->todo == NULL)
			pthread_cond_wait(&w->more, &w->mu);
		if (w->stop)
			break;
		job = w->todo;
		w->todo = job->next;
		pthread_mutex_unlock(&w->mu);
		w->run(job, w->arg);
		pthread_mutex_lock(&w->mu);
		job->done = 1;
		pthread_cond_signal(&w->ran);	/* only the caller waits */
	}
	pthread_mutex_unlock(&w->mu);
	return (NULL);
}

static void
work_start(struct work *w, size_t n)
{
	while (w->nthreads < n && thread_start(&w->threads[w->nthreads],
	    work_main, w) == 0)
		w->nthreads++;
}

struct work *
work_new(size_t nthreads, void (*run)(struct work_job *, void *), void *arg)
{
	struct work	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->run = run;
	w->arg = arg;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->more, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&w->ran, NULL) != 0)
		goto fail_more;
	work_start(w, nthreads < WORK_THREADS_MAX ? nthreads :
	    WORK_THREADS_MAX);
	if (w->nthreads > 0)
		return (w);
	pthread_cond_destroy(&w->ran);
fail_more:
	pthread_cond_destroy(&w->more);
fail_mu:
	pthread_mutex_destroy(&w->mu);
fail:
	free(w);
	return (NULL);
}

size_t
work_threads(const struct work *w)
{
	return (w->nthreads);
}

void
work_push(struct work *w, struct work_job *job)
{
	pthread_mutex_lock(&w->mu);
	job->next = NULL;
	job->done = 0;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	if (w->todo == NULL)
		w->todo = job;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->mu);
}

struct work_job *
work_pop(struct work *w, int wait)
{
	struct work_job	*job;

	pthread_mutex_lock(&w->mu);
	if ((job = w->head) != NULL) {
		while (wait && !job->done)
			pthread_cond_wait(&w->ran, &w->mu);
		if (job->done) {
			if ((w->head = job->next) == NULL)
				w->tail = NULL;
		} else
			job = NULL;
	}
	pthread_mutex_unlock(&w->mu);
	return (job);
}

void
work_free(struct work *w, void (*drop)(struct work_job *))
{
	struct work_job	*job, *next;
	size_t		 i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	for (job = w->head; job != NULL; job = next) {
		next = job->next;
		drop(job);
	}
	pthread_cond_destroy(&w->ran);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

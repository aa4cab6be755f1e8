/*
 * Worker threads for csv.c: jobs run on them and are taken back in the
 * order they were queued.  Internal to csv.c and its tests.
 */
#ifndef CSV_WORK_H
#define CSV_WORK_H

#include <stddef.h>

#define WORK_THREADS_MAX	8

/* Embedded in the caller's job; the queue's links, owned by it. */
struct work_job {
	struct work_job	*next;
	int		 done;
};

struct work;

/*
 * Starts up to nthreads (at most WORK_THREADS_MAX) threads that call
 * run(job, arg) for each queued job.  run may change only what the job
 * owns, and read what arg points at, which must not change meanwhile.
 * NULL if not even one thread could start, or memory is short.
 */
struct work	*work_new(size_t nthreads,
		    void (*run)(struct work_job *, void *), void *arg);
size_t		 work_threads(const struct work *w);
/* Queues job; until work_pop hands it back only a thread touches it. */
void		 work_push(struct work *w, struct work_job *job);
/*
 * The oldest job queued, once it has run: waits for it if wait is set,
 * else NULL if it has not.  NULL when the queue is empty.
 */
struct work_job	*work_pop(struct work *w, int wait);
/*
 * Stops the threads (each after the job it is running), joins them, and
 * calls drop on every job still queued, run or not.
 */
void		 work_free(struct work *w, void (*drop)(struct work_job *));

#endif

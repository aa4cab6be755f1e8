/*
 * The daemon's few threads (the WAL checkpointer, an import's workers)
 * start with every signal blocked: the daemon's signals go to its event
 * loop.
 */
#ifndef THREAD_H
#define THREAD_H

#include <pthread.h>

/* pthread_create's result: 0, or an error number. */
int	thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif

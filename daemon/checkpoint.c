/*
 * WAL checkpoints off the event loop.  SQLite would copy the WAL into the
 * database inside whichever commit crossed 1000 pages, on the loop's
 * thread: after an import of a million contracts that is about a
 * gigabyte, seconds during which nothing is answered.  Here a thread with
 * its own connection runs a PASSIVE checkpoint when a commit leaves the
 * WAL that long; PASSIVE blocks neither the writer nor readers.
 *
 * The thread also starts the WAL's pages for the disk when asked, during
 * a large transaction, so that its commit has less to wait for: that
 * may block while the disk is busy, which the loop must not.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "checkpoint.h"
#include "log.h"
#include "thread.h"

#define CKPT_PAGES	1000	/* SQLite's own autocheckpoint threshold */

struct checkpointer {
	sqlite3		*db;		/* the thread's own connection */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 want;
	int		 writeback;	/* asked for */
	int		 stop;
};

/* Starts writing the WAL's dirty pages, without waiting for them. */
static void
ckpt_writeback(struct checkpointer *ck)
{
	const char	*wal;
	int		 fd;

	wal = sqlite3_filename_wal(sqlite3_db_filename(ck->db, "main"));
	if (wal == NULL || (fd = open(wal, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	close(fd);
}

static void *
ckpt_main(void *arg)
{
	struct checkpointer	*ck = arg;
	int			 rc, pages, done, want, writeback;

	for (;;) {
		pthread_mutex_lock(&ck->mu);
		while (!ck->want && !ck->writeback && !ck->stop)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->stop) {
			pthread_mutex_unlock(&ck->mu);
			return NULL;
		}
		want = ck->want;
		writeback = ck->writeback;
		ck->want = ck->writeback = 0;
		pthread_mutex_unlock(&ck->mu);
		if (writeback)
			ckpt_writeback(ck);
		if (!want)
			continue;
		rc = sqlite3_wal_checkpoint_v2(ck->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &pages, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("checkpoint: %s", sqlite3_errmsg(ck->db));
		else
			log_debug("checkpoint: %d of %d pages of the WAL",
			    done, pages);
	}
}

/* Called by SQLite after each commit on the main connection. */
static int
ckpt_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct checkpointer	*ck = arg;

	(void)db;
	(void)name;
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&ck->mu);
		ck->want = 1;
		pthread_cond_signal(&ck->cv);
		pthread_mutex_unlock(&ck->mu);
	}
	return SQLITE_OK;
}

void
checkpointer_writeback(struct checkpointer *ck)
{
	if (ck == NULL)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->writeback = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
}

static void
ckpt_free(struct checkpointer *ck)
{
	sqlite3_close(ck->db);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	free(ck);
}

struct checkpointer *
checkpointer_start(sqlite3 *main, const char *path)
{
	struct checkpointer	*ck;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	if (pthread_mutex_init(&ck->mu, NULL) != 0) {
		free(ck);
		return NULL;
	}
	if (pthread_cond_init(&ck->cv, NULL) != 0) {
		pthread_mutex_destroy(&ck->mu);
		free(ck);
		return NULL;
	}
	if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(ck->db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    thread_start(&ck->thread, ckpt_main, ck) != 0) {
		log_warnx("%s: %s: checkpoints stay on the loop", __func__,
		    ck->db ? sqlite3_errmsg(ck->db) : "out of memory");
		ckpt_free(ck);
		return NULL;
	}
	/* Replaces SQLite's autocheckpoint on the main connection. */
	sqlite3_wal_hook(main, ckpt_hook, ck);
	return ck;
}

void
checkpointer_stop(struct checkpointer *ck, sqlite3 *main)
{
	if (ck == NULL)
		return;
	sqlite3_wal_hook(main, NULL, NULL);
	pthread_mutex_lock(&ck->mu);
	ck->stop = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	ckpt_free(ck);
}

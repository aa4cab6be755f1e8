/*
 * sqlite-floor: what SQLite alone takes to store N rows shaped like
 * contractd's contracts (22 columns, about 280 bytes, keyed by ref, in ref
 * order, WITHOUT ROWID), in one transaction with the daemon's settings
 * (16 KiB pages, WAL, synchronous=FULL, a 32 MiB cache): no parsing, no
 * schedule, no other table.  An import cannot be faster than this.
 *
 *	cc -O2 -o /tmp/sqlite-floor bench/sqlite-floor.c -lsqlite3
 *	/tmp/sqlite-floor /tmp/floor.db 1000000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
bind_row(sqlite3_stmt *s, long i)
{
	static const char *const text[] = {
		NULL, NULL, "Day opportunities (learning disabilities) contract",
		"contract", "Willow Care Trust", "Samuel Williams",
		"samuel.williams@hertfordshire.council.example", NULL,
		"2022-11-18", "2028-11-27", "2028-11-27"
	};
	char	ref[32];
	int	c;

	snprintf(ref, sizeof(ref), "HRT-2016-%07ld", i);
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_TRANSIENT);
	for (c = 2; c <= 10; c++)
		if (text[c] != NULL)
			sqlite3_bind_text(s, c, text[c], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, 90);
	sqlite3_bind_int(s, 12, 365);
	sqlite3_bind_text(s, 14, "day-services:LD;carers-support:adults", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 15, "6122632", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 16, "notes, with \"quotes\" in some", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(s, 18, 0);
	for (c = 19; c <= 22; c++)
		sqlite3_bind_int64(s, c, 1795000000 + c);
}

int
main(int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		 wal[4096];
	double		 t0, t1, t2;
	long		 n, i;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sqlite-floor DB N\n");
		return 2;
	}
	snprintf(wal, sizeof(wal), "%s-wal", argv[1]);
	unlink(argv[1]);
	unlink(wal);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA page_size = 16384;"
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768;"
	    "CREATE TABLE contracts (ref TEXT PRIMARY KEY, title TEXT,"
	    " kind TEXT, supplier TEXT, owner_name TEXT, owner_email TEXT,"
	    " notify TEXT, start_date TEXT, end_date TEXT, max_end_date TEXT,"
	    " extension_notice_days INTEGER, procurement_lead_days INTEGER,"
	    " successor_ref TEXT, services TEXT, value TEXT, notes TEXT,"
	    " silenced_until TEXT, lapsed_extension INTEGER,"
	    " horizon INTEGER, next_fire INTEGER,"
	    " created INTEGER, updated INTEGER) WITHOUT ROWID;",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO contracts VALUES (?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1,
	    &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	t0 = now_ms();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		bind_row(s, i);
		if (sqlite3_step(s) != SQLITE_DONE) {
			fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(s);
	}
	t1 = now_ms();
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "commit: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	t2 = now_ms();
	printf("%ld rows: inserts %.0f ms, commit %.0f ms, %.0f rows/s\n", n,
	    t1 - t0, t2 - t1, n / ((t2 - t0) / 1e3));
	sqlite3_finalize(s);
	sqlite3_close(db);
	unlink(argv[1]);
	unlink(wal);
	return 0;
}

/*
 * The schema of the store, as the migrations that make it: a database of
 * version N has had the first N applied, each in a transaction of its
 * own (store.c runs them).  A migration is only ever appended.
 */
#include <stddef.h>

#include "store.h"
#include "store_int.h"

/*
 * Migrations, applied in order inside one transaction each; the schema
 * version is the number of migrations applied (PRAGMA user_version).
 */
const char *const store_migrations[] = {
	/* 1: contracts, their history, alert state, outbox, audit */
	"CREATE TABLE contracts ("
	" ref TEXT PRIMARY KEY,"
	" title TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'contract',"
	" supplier TEXT, owner_name TEXT, owner_email TEXT, notify TEXT,"
	" start_date TEXT, end_date TEXT NOT NULL, max_end_date TEXT NOT NULL,"
	" extension_notice_days INTEGER, procurement_lead_days INTEGER,"
	" successor_ref TEXT, services TEXT, value TEXT, notes TEXT,"
	" silenced_until TEXT,"
	" lapsed_extension INTEGER NOT NULL DEFAULT 0,"
	" ext_due TEXT, proc_due TEXT,"
	" horizon INTEGER NOT NULL DEFAULT 0,"
	" next_fire INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX contracts_next_fire ON contracts(next_fire)"
	" WHERE next_fire IS NOT NULL;"
	"CREATE INDEX contracts_end ON contracts(end_date);"
	"CREATE INDEX contracts_ext_due ON contracts(ext_due)"
	" WHERE ext_due IS NOT NULL;"
	"CREATE INDEX contracts_proc_due ON contracts(proc_due)"
	" WHERE proc_due IS NOT NULL;"
	"CREATE TABLE services ("
	" service TEXT NOT NULL, end_date TEXT NOT NULL, ref TEXT NOT NULL,"
	" start_date TEXT,"
	" PRIMARY KEY (service, end_date, ref)) WITHOUT ROWID;"
	"CREATE INDEX services_ref ON services(ref);"
	"CREATE TABLE extensions ("
	" id INTEGER PRIMARY KEY, ref TEXT NOT NULL,"
	" old_end TEXT NOT NULL, new_end TEXT NOT NULL,"
	" decided_on TEXT, decision_ref TEXT, note TEXT,"
	" lapsed INTEGER NOT NULL DEFAULT 0,"
	" recorded_at INTEGER NOT NULL, uid INTEGER, user TEXT);"
	"CREATE INDEX extensions_ref ON extensions(ref);"
	"CREATE TABLE alerts ("
	" key TEXT PRIMARY KEY, ref TEXT NOT NULL, kind TEXT NOT NULL,"
	" due TEXT NOT NULL, offset_days INTEGER NOT NULL,"
	" fire_at INTEGER NOT NULL, state TEXT NOT NULL,"
	" late INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX alerts_ref ON alerts(ref);"
	"CREATE TABLE acks ("
	" ref TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,"
	" note TEXT, at INTEGER NOT NULL, uid INTEGER, user TEXT,"
	" PRIMARY KEY (ref, kind, due)) WITHOUT ROWID;"
	"CREATE TABLE deliveries ("
	" key TEXT PRIMARY KEY, alert_key TEXT NOT NULL,"
	" channel TEXT NOT NULL, recipient TEXT,"
	" state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL, created INTEGER NOT NULL,"
	" inflight INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, payload TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX deliveries_next ON deliveries(state, next_attempt);"
	"CREATE INDEX deliveries_inflight ON deliveries(inflight)"
	" WHERE inflight <> 0;"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, uid INTEGER,"
	" user TEXT, cmd TEXT NOT NULL, args TEXT, result TEXT);",
	/*
	 * 2: services are found by key, and removed by the keys in their
	 * contract's row: an index by ref cost a B-tree insert per service
	 * (two million in an import of a million contracts).
	 */
	"DROP INDEX services_ref;"
	/*
	 * The agenda reads its window from the date indexes alone, without
	 * a lookup of each contract's row: they carry what it shows.
	 */
	"DROP INDEX contracts_end;"
	"DROP INDEX contracts_ext_due;"
	"DROP INDEX contracts_proc_due;"
	"CREATE INDEX contracts_end ON contracts(end_date, title, services);"
	"CREATE INDEX contracts_ext_due ON contracts(ext_due, title)"
	" WHERE ext_due IS NOT NULL;"
	"CREATE INDEX contracts_proc_due ON contracts(proc_due, title)"
	" WHERE proc_due IS NOT NULL;"
	/*
	 * Deliveries in a rowid table: a payload of about 1 KB made each
	 * row overflow the B-tree pages of a table keyed by its text.
	 */
	"CREATE TABLE deliveries_v2 ("
	" id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
	" alert_key TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT,"
	" state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL, created INTEGER NOT NULL,"
	" inflight INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, payload TEXT NOT NULL);"
	"INSERT INTO deliveries_v2 (key, alert_key, channel, recipient, state,"
	" attempts, next_attempt, created, inflight, last_error, payload)"
	" SELECT key, alert_key, channel, recipient, state, attempts,"
	" next_attempt, created, inflight, last_error, payload"
	" FROM deliveries ORDER BY created, key;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_v2 RENAME TO deliveries;"
	"CREATE INDEX deliveries_next ON deliveries(state, next_attempt);"
	"CREATE INDEX deliveries_inflight ON deliveries(inflight)"
	" WHERE inflight <> 0;",
	/* 3: coverage as dates a service, in a blob of its own (gone in 9). */
	"CREATE TABLE coverage ("
	" service TEXT PRIMARY KEY, pairs BLOB NOT NULL) WITHOUT ROWID;",
	/* 4: the agenda's days, a blob a day (gone in 9); meta. */
	"CREATE TABLE agenda (day INTEGER PRIMARY KEY, rows BLOB NOT NULL);"
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;",
	/*
	 * 5: the dispatcher's next deliveries in the order it takes them,
	 * LIMIT rows of an index, not every pending one sorted each batch.
	 */
	"CREATE INDEX deliveries_due ON deliveries(next_attempt, key)"
	" WHERE state IN ('pending', 'failed') AND inflight = 0;",
	/* 6: a note of the agenda's days (gone in 9). */
	"DELETE FROM meta WHERE name = 'agenda_stale';",
	/* 7: the derived due dates of a row, which nothing reads since (6). */
	"DROP INDEX IF EXISTS contracts_ext_due;"
	"DROP INDEX IF EXISTS contracts_proc_due;"
	"ALTER TABLE contracts DROP COLUMN ext_due;"
	"ALTER TABLE contracts DROP COLUMN proc_due;",
	/*
	 * 8: an alert's key begins with its contract's ref and a '/', so
	 * its contract's alerts are a range of keys: an index by ref cost
	 * a B-tree insert for each alert an import fires.
	 */
	"DROP INDEX IF EXISTS alerts_ref;",
	/*
	 * 9: plain tables.  Contracts get a rowid, so that an import
	 * appends its rows, and indexes on the dates a milestone is counted
	 * from, and on the deadlines of those that give their own notice or
	 * lead; services(service, end_date, start_date, contract), keyed
	 * in that order, answers coverage (start_date '' for a contract
	 * that gives none; store_services_fill makes the rows from the
	 * contracts' lists).  The blobs of 3, 4 and 6 go.
	 */
	"DROP TABLE IF EXISTS coverage;"
	"DROP TABLE IF EXISTS agenda;"
	"DROP TABLE IF EXISTS services;"
	"DELETE FROM meta WHERE name LIKE 'agenda%';"
	"CREATE TABLE contracts_v9 ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'contract',"
	" supplier TEXT, owner_name TEXT, owner_email TEXT, notify TEXT,"
	" start_date TEXT, end_date TEXT NOT NULL, max_end_date TEXT NOT NULL,"
	" extension_notice_days INTEGER, procurement_lead_days INTEGER,"
	" successor_ref TEXT, services TEXT, value TEXT, notes TEXT,"
	" silenced_until TEXT,"
	" lapsed_extension INTEGER NOT NULL DEFAULT 0,"
	" horizon INTEGER NOT NULL DEFAULT 0,"
	" next_fire INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"INSERT INTO contracts_v9 (ref, title, kind, supplier, owner_name,"
	" owner_email, notify, start_date, end_date, max_end_date,"
	" extension_notice_days, procurement_lead_days, successor_ref,"
	" services, value, notes, silenced_until, lapsed_extension, horizon,"
	" next_fire, created, updated)"
	" SELECT ref, title, kind, supplier, owner_name, owner_email, notify,"
	" start_date, end_date, max_end_date, extension_notice_days,"
	" procurement_lead_days, successor_ref, services, value, notes,"
	" silenced_until, lapsed_extension, horizon, next_fire, created,"
	" updated FROM contracts ORDER BY ref;"
	"DROP TABLE contracts;"
	"ALTER TABLE contracts_v9 RENAME TO contracts;"
	"CREATE INDEX contracts_next_fire ON contracts(next_fire)"
	" WHERE next_fire IS NOT NULL;"
	"CREATE INDEX contracts_end ON contracts(end_date,"
	" extension_notice_days);"
	"CREATE INDEX contracts_max_end ON contracts(max_end_date,"
	" procurement_lead_days);"
	/* Deadlines of contracts that give their own notice or lead. */
	"CREATE INDEX contracts_ext_own ON contracts(" STORE_EXT_OWN ")"
	" WHERE extension_notice_days IS NOT NULL;"
	"CREATE INDEX contracts_proc_own ON contracts(" STORE_PROC_OWN ")"
	" WHERE procurement_lead_days IS NOT NULL;"
	"CREATE TABLE services ("
	" service TEXT NOT NULL, end_date TEXT NOT NULL,"
	" start_date TEXT NOT NULL, contract INTEGER NOT NULL,"
	" PRIMARY KEY (service, end_date, start_date, contract))"
	" WITHOUT ROWID;",
	/*
	 * 10: a milestone acknowledged again keeps its first
	 * acknowledgement; the later ones add their notes as rows.
	 */
	"CREATE TABLE acks_v10 ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL, kind TEXT NOT NULL, due TEXT NOT NULL,"
	" note TEXT, at INTEGER NOT NULL, uid INTEGER, user TEXT);"
	"INSERT INTO acks_v10 (ref, kind, due, note, at, uid, user)"
	" SELECT ref, kind, due, note, at, uid, user FROM acks ORDER BY at;"
	"DROP TABLE acks;"
	"ALTER TABLE acks_v10 RENAME TO acks;"
	"CREATE INDEX acks_milestone ON acks(ref, kind, due);"
	"CREATE INDEX acks_due ON acks(due);",
	/*
	 * 11: a contract closed early (its closing day and why; its old end
	 * in closures, the history of the close), and indexes for finding
	 * contracts by owner and the audit trail by time and contract.
	 */
	"ALTER TABLE contracts ADD COLUMN closed_on TEXT;"
	"ALTER TABLE contracts ADD COLUMN closed_reason TEXT;"
	"CREATE TABLE closures ("
	" id INTEGER PRIMARY KEY, ref TEXT NOT NULL,"
	" old_end TEXT NOT NULL, closed_on TEXT NOT NULL, reason TEXT,"
	" recorded_at INTEGER NOT NULL, uid INTEGER, user TEXT);"
	"CREATE INDEX closures_ref ON closures(ref);"
	"CREATE INDEX contracts_owner ON contracts(owner_email COLLATE NOCASE)"
	" WHERE owner_email IS NOT NULL;"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE INDEX audit_ref ON audit(" STORE_AUDIT_REF ")"
	" WHERE " STORE_AUDIT_REF " IS NOT NULL;",
	/*
	 * 12: contracts in owner order, a slice at a time, for the
	 * calendar files: one owner's file is written, then the next's.
	 */
	"CREATE INDEX contracts_owner_ref ON contracts(owner_email, ref);",
};
const int store_nmigrations =
	(int)(sizeof(store_migrations) / sizeof(store_migrations[0]));

/* What a migration does after its SQL, if anything. */
int (*const store_migration_fns[])(struct store *) = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, store_services_fill,
	NULL, NULL, NULL
};

_Static_assert(sizeof(store_migration_fns) / sizeof(store_migration_fns[0]) ==
    sizeof(store_migrations) / sizeof(store_migrations[0]),
    "every migration has its entry in store_migration_fns");

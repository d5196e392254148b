/* attest-store-private.h: what the other files of src/store (schema, audit, and later the
 * gallery and match code) share. Not for use outside src/store, except by tests/test-store.c.
 *
 * Locking: one GMutex guards the sqlite3 handle. Take it with _attest_store_lock(), keep it for
 * the whole transaction, and release it with _attest_store_unlock(). The public attest_store_*
 * calls take the lock themselves, so do not call them while holding it (GMutex is not
 * recursive). */
#pragma once

#include <sqlite3.h>

#include "attest-store.h"

G_BEGIN_DECLS

/* PRAGMA application_id of an Attest gallery: "ATST". */
#define ATTEST_STORE_APPLICATION_ID 0x41545354

/* Milliseconds a connection waits for another process's write lock. */
#define ATTEST_STORE_BUSY_TIMEOUT_MS 5000

/* ---- attest-store-schema.c ---- */

/* One schema step: applied, in one transaction together with PRAGMA user_version = version
 * and PRAGMA application_id, to a database at version - 1. */
typedef struct
{
  int         version;
  const char *sql;
  gboolean    rebuilds_tables;  /* run with foreign keys off (SQLite's table rebuild), then
                                 * checked with PRAGMA foreign_key_check before commit */
} AttestStoreMigration;

/* The steps in order; step i has version i + 1; the last is ATTEST_STORE_SCHEMA_VERSION. */
const AttestStoreMigration *_attest_store_get_migrations (guint *n_migrations);

/* Applies the steps above the database's user_version up to target_version, each in its own
 * BEGIN IMMEDIATE transaction (the version is re-read inside it, so two processes migrating at
 * once do not both apply a step). */
typedef gboolean (*AttestStoreStepHook) (int       version,
                                         gpointer  data,
                                         GError  **error);
/* after_step (may be NULL) runs inside each step's transaction after its SQL, so that work a
 * step needs done in code (the seal of schema 4) commits with it or not at all. */
gboolean     _attest_store_migrate                (sqlite3             *db,
                                                   int                  target_version,
                                                   AttestStoreStepHook  after_step,
                                                   gpointer             data,
                                                   GError             **error);

/* ---- attest-store.c ---- */

/* Like attest_store_open(), but migrates only up to target_version (tests build a database
 * at version N - 1 this way, then test the step to N). */
AttestStore *_attest_store_open_at_version        (const char  *path,
                                                   int          target_version,
                                                   GError     **error);

/* Takes the store's lock and returns the handle; the caller must _attest_store_unlock(). */
sqlite3     *_attest_store_lock                   (AttestStore *self);
void         _attest_store_unlock                 (AttestStore *self);
/* The handle, for code that already holds the lock (e.g. inside a transaction). */
sqlite3     *_attest_store_get_db                 (AttestStore *self);

/* Transaction helpers; the caller holds the lock. begin is BEGIN IMMEDIATE (takes the write
 * lock up front, so a read-then-write transaction never fails half-way with SQLITE_BUSY). */
gboolean     _attest_store_begin                  (AttestStore *self,
                                                   GError     **error);
gboolean     _attest_store_commit                 (AttestStore *self,
                                                   GError     **error);
void         _attest_store_rollback               (AttestStore *self);
/* Ends the transaction begun with _attest_store_begin: commits when `ok`, else rolls back.
 * Returns whether the change is now stored. */
gboolean     _attest_store_end                    (AttestStore *self,
                                                   gboolean     ok,
                                                   GError     **error);
/* sqlite3_exec() with the error turned into a GError; the caller holds the lock. */
gboolean     _attest_store_exec                   (AttestStore *self,
                                                   const char  *sql,
                                                   GError     **error);

/* An ATTEST_STORE_ERROR from a SQLite result code: _IO for disk-level failures, else _FAILED.
 * `what` is a translated sentence such as _("Could not record the source"). */
void         _attest_store_set_sqlite_error       (GError     **error,
                                                   sqlite3     *db,
                                                   int          rc,
                                                   const char  *what);

/* Runs func (GTask thread-function signature) on the store's one writer thread. The store is
 * kept alive until func has run; func must return the task's value and takes the lock itself. */
void         _attest_store_run_in_worker          (AttestStore     *self,
                                                   GTask           *task,
                                                   GTaskThreadFunc  func);

/* A GTask on `self` with source_tag and task data `data` (freed with data_free), run by func
 * on the writer thread: the start of every _async call of the store. */
void         _attest_store_start_task             (AttestStore         *self,
                                                   gpointer             data,
                                                   GDestroyNotify       data_free,
                                                   GTaskThreadFunc      func,
                                                   gpointer             source_tag,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* Whether `result` is the task _attest_store_start_task made on self for source_tag. */
gboolean     _attest_store_is_result_of           (AttestStore         *self,
                                                   GAsyncResult        *result,
                                                   gpointer             source_tag);

/* Sessions of this installation write keyed audit entries from this schema on. */
#define ATTEST_STORE_KEYED_SCHEMA_VERSION 4

/* The installation key the store was opened with (never NULL once open). */
AttestKey   *_attest_store_get_key                (AttestStore *self);
/* Compares the checked log with the head this installation last saw in this gallery file
 * (audit-heads.ini beside the key) and, when it still holds, remembers the newer head. Lock
 * held. FALSE with *first_bad_id and error when the log is shorter or differs there. */
gboolean     _attest_store_check_seen_head        (AttestStore      *self,
                                                   AttestAuditCheck *check,
                                                   gint64           *first_bad_id,
                                                   GError          **error);

/* In the transaction of the step to schema 4: appends the "seal" entry (keyed) after the
 * entries written before keys, when there are any. Lock held; self's db set. */
gboolean     _attest_store_seal_in_tx             (AttestStore      *self,
                                                   GError          **error);
/* At open and close: remembers the head when the log continues the one seen here. */
void         _attest_store_remember_head          (AttestStore      *self);

/* ---- attest-store-audit.c ---- */

/* Appends one audit entry inside the transaction the caller holds (lock held, begun with
 * _attest_store_begin), so a change and its audit row commit or roll back together.
 * Returns the new id, or -1 with error set (then roll back). */
gint64       _attest_store_append_audit_in_tx     (AttestStore            *self,
                                                   const AttestAuditEntry *entry,
                                                   GError                **error);

/* The canonical encoding hashed for an entry (every field but hash; see attest-store-audit.c)
 * and the entry's hash, SHA-256 hex of prev_hash || canonical. entry->id and prev_hash must be
 * set. */
char        *_attest_audit_entry_canonical        (const AttestAuditEntry *entry);
char        *_attest_audit_entry_compute_hash     (const AttestAuditEntry *entry);

G_END_DECLS

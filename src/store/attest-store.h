/* attest-store.h: the SQLite gallery database (identities, faces, sources, matches, audit).
 *
 * One AttestStore owns the sqlite3 connection. The _async calls run on the store's single
 * writer thread (an exclusive one-thread pool) so the UI never waits on disk; the plain calls
 * are for the CLI and tests and take the same lock. Every multi-row change is one
 * transaction; every audited change writes its audit row in the same transaction.
 *
 * Refuses, leaving the file byte-for-byte unchanged: a file that is not SQLite, a SQLite
 * database that is not an Attest gallery, a gallery from a newer Attest (user_version).
 * The database file is 0600 and its folder 0700. */
#pragma once

#include <gio/gio.h>

#include "attest-key.h"

G_BEGIN_DECLS

#define ATTEST_STORE_SCHEMA_VERSION 5
#define ATTEST_STORE_ERROR (attest_store_error_quark ())

typedef enum
{
  ATTEST_STORE_ERROR_NOT_A_DATABASE,  /* not SQLite at all */
  ATTEST_STORE_ERROR_FOREIGN,         /* SQLite, but not an Attest gallery */
  ATTEST_STORE_ERROR_TOO_NEW,         /* written by a newer Attest */
  ATTEST_STORE_ERROR_IO,              /* cannot create folder / open / write */
  ATTEST_STORE_ERROR_FAILED,
  ATTEST_STORE_ERROR_BUSY,            /* another program held the write lock past the wait */
} AttestStoreError;

/* One audit entry. Strings may be NULL; numbers use NAN / -1 for "not applicable".
 * attest_store_append_audit() only reads it; entries read back own their strings
 * (attest_audit_entry_free frees them). */
typedef struct
{
  gint64      id;             /* set by the store */
  gint64      at_us;          /* UTC microseconds; 0 = now (set by the store) */
  char       *actor;          /* reviewer name; required */
  char       *action;         /* enrol, import, rename, merge, delete, confirm, reject, undo, export, ... */
  char       *subject;        /* what it is about, e.g. "face:12", "identity:3", "item:7" */
  char       *source_sha256;  /* the frame: source file hash ... */
  gint64      source_ms;      /* ... and time in it (-1: none) */
  double      score;          /* NAN: none */
  double      threshold;      /* NAN: none */
  char       *model_id;
  char       *rationale;
  char       *details;        /* free JSON object text, may be NULL */
  char       *prev_hash;      /* hex, set by the store when read back */
  char       *hash;           /* hex, set by the store when read back */
  char       *key_id;         /* the installation key that authenticated it (NULL: written
                               * before the gallery had keys); set by the store */
  char       *mac;            /* hex HMAC of hash under that key; set by the store */
} AttestAuditEntry;

#define ATTEST_TYPE_STORE (attest_store_get_type ())
G_DECLARE_FINAL_TYPE (AttestStore, attest_store, ATTEST, STORE, GObject)

GQuark       attest_store_error_quark     (void);

/* $XDG_DATA_HOME/attest/gallery.db, newly allocated. */
char        *attest_store_default_path    (void);

/* Opens or creates the database (folder 0700, file 0600), migrates it to
 * ATTEST_STORE_SCHEMA_VERSION. */
AttestStore *attest_store_open            (const char          *path,
                                           GError             **error);
/* Opens an existing, current gallery for reading only: nothing in or beside it is changed
 * (mode, schema, journal), so a gallery on read-only media, or 0400, can be verified. No
 * installation key is made; without one, keyed entries are checked by their chain only. */
AttestStore *attest_store_open_read_only  (const char          *path,
                                           GError             **error);
void         attest_store_open_async      (const char          *path,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
AttestStore *attest_store_open_finish     (GAsyncResult        *result,
                                           GError             **error);

const char  *attest_store_get_path        (AttestStore         *self);

/* ---- what changed ----
 *
 * Signal "changed" (detailed; one guint argument, the AttestStoreChange flags of everything
 * that changed together): emitted on the main context of the thread that opened the store,
 * after every committed write, once per detail that changed ("changed::gallery",
 * "changed::review", "changed::audit", "changed::rejections", "changed::matches"). A handler
 * connected without a detail gets one call per detail. Several writes close together may be
 * reported as one. Writes by another process (the CLI beside the app) are noticed by
 * attest_store_watch_others() and reported with every flag set. */
typedef enum
{
  ATTEST_STORE_CHANGE_GALLERY    = 1 << 0,  /* identities, faces, sources */
  ATTEST_STORE_CHANGE_REVIEW     = 1 << 1,  /* review items (not scan progress) */
  ATTEST_STORE_CHANGE_AUDIT      = 1 << 2,
  ATTEST_STORE_CHANGE_REJECTIONS = 1 << 3,
  ATTEST_STORE_CHANGE_MATCHES    = 1 << 4,
} AttestStoreChange;

#define ATTEST_STORE_CHANGE_ALL ((AttestStoreChange) 0x1f)

/* Starts looking, every interval_ms on the opening thread's main context, whether another
 * connection (another process) has committed to the database since the last look (SQLite's
 * data_version), and emits "changed" with every flag when so. Stops with the store. */
void         attest_store_watch_others    (AttestStore         *self,
                                           guint                interval_ms);
/* Moves everything written so far from the write-ahead log into the database file, so that
 * the file alone holds it (a copy or a backup of gallery.db misses nothing). Closing the store
 * does the same; a program that may exit while a worker still holds the store calls this. */
gboolean     attest_store_checkpoint      (AttestStore         *self,
                                           GError             **error);
int          attest_store_get_schema_version (AttestStore      *self);

/* Records a source file by its URI and the SHA-256 of its contents; returns its row id
 * (the same id when the same contents were recorded before). */
gint64       attest_store_ensure_source   (AttestStore         *self,
                                           const char          *uri,
                                           const char          *sha256,
                                           GError             **error);

/* Appends one audit entry (its own transaction). Returns the new id, or -1. */
gint64       attest_store_append_audit    (AttestStore            *self,
                                           const AttestAuditEntry *entry,
                                           GError                **error);
/* Entries in chain order; element type AttestAuditEntry*, free with attest_audit_entry_free. */
GPtrArray   *attest_store_list_audit      (AttestStore         *self,
                                           gint64               after_id,
                                           guint                limit,
                                           GError             **error);
/* Recomputes the chain. TRUE and *n_entries when intact; FALSE with *first_bad_id (the id
 * of the first entry whose hash or link does not hold, or the position of a gap / reorder)
 * and an ATTEST_STORE_ERROR_FAILED error naming it. */
gboolean     attest_store_verify_audit    (AttestStore         *self,
                                           guint64             *n_entries,
                                           gint64              *first_bad_id,
                                           GError             **error);

/* What a check of the audit log found (attest_store_check_audit). */
typedef struct
{
  guint64  n_entries;     /* entries that check out (all of them when intact) */
  guint64  n_unkeyed;     /* the first n_unkeyed were written before the gallery had keys;
                           * the keyed entry after them seals them */
  guint64  n_this_key;    /* authenticated with this installation's key */
  guint64  n_other_keys;  /* keyed by another installation: chained, not checkable here */
  char    *head;          /* the newest entry's hash */
  char    *gallery_id;
  char    *key_id;        /* this installation's key id */
  guint64  seen_count;    /* entries this installation had seen in this file before, or 0 */
  char    *seen_head;     /* and the newest of them */
} AttestAuditCheck;

/* Recomputes the chain and checks every keyed entry and the head against this installation's
 * key, and the log against the head this installation last saw in this file. TRUE when all
 * holds; FALSE with *first_bad_id and an ATTEST_STORE_ERROR_FAILED error naming what does
 * not. `check` (may be NULL) is filled either way; clear it with attest_audit_check_clear. */
gboolean     attest_store_check_audit     (AttestStore         *self,
                                           AttestAuditCheck    *check,
                                           gint64              *first_bad_id,
                                           GError             **error);
void         attest_audit_check_clear     (AttestAuditCheck    *check);

/* The same two reads on the store's writer thread (attest-store-audit-async.c), for the UI:
 * _finish gives what the plain calls give. A cancelled call finishes with
 * G_IO_ERROR_CANCELLED. */
void         attest_store_list_audit_async   (AttestStore          *self,
                                              gint64                after_id,
                                              guint                 limit,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
GPtrArray   *attest_store_list_audit_finish  (AttestStore          *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void         attest_store_check_audit_async  (AttestStore          *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean     attest_store_check_audit_finish (AttestStore          *self,
                                              GAsyncResult         *result,
                                              AttestAuditCheck     *check,
                                              gint64               *first_bad_id,
                                              GError              **error);

/* This installation's key (attest-key.h), loaded when the store was opened. */
AttestKey   *attest_store_get_key         (AttestStore         *self);

void         attest_audit_entry_free      (AttestAuditEntry    *entry);
/* Hex SHA-256 of an entry's canonical encoding (attest-store-audit.c). */
char        *attest_audit_entry_content_hash (const AttestAuditEntry *entry);
/* Hex SHA-256 of prev_hash || content_hash: a keyed entry's hash. */
char        *attest_audit_link_hash       (const char          *prev_hash,
                                           const char          *content_hash);
/* The entry's hash by its own version's recipe (keyed or not). */
char        *attest_audit_entry_compute_hash (const AttestAuditEntry *entry);

/* SHA-256 of a file's contents, hex; streams the file. */
char        *attest_file_sha256           (GFile               *file,
                                           GCancellable        *cancellable,
                                           GError             **error);
/* The same off the calling thread (a GTask thread, not the store's worker: a long file does
 * not hold up the store). */
void         attest_file_sha256_async     (GFile               *file,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char        *attest_file_sha256_finish    (GFile               *file,
                                           GAsyncResult        *result,
                                           GError             **error);

/* A read composed above the store (the rejections of src/review, say), run on the store's
 * worker as every _async read here is, so the UI never reads on its own thread: func gets the
 * store and `data` and returns its result, or NULL with error set. */
typedef gpointer (*AttestStoreReadFunc) (AttestStore  *store,
                                         gpointer      data,
                                         GError      **error);
/* result_free frees a result nobody finished; data_free frees data once func has run. */
void         attest_store_read_async      (AttestStore         *self,
                                           AttestStoreReadFunc  func,
                                           gpointer             data,
                                           GDestroyNotify       data_free,
                                           GDestroyNotify       result_free,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* func's result (the caller owns it), or NULL with error set (G_IO_ERROR_CANCELLED too). */
gpointer     attest_store_read_finish     (AttestStore         *self,
                                           GAsyncResult        *result,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestAuditEntry, attest_audit_entry_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AttestAuditCheck, attest_audit_check_clear)

G_END_DECLS

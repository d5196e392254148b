/* attest-store.c: opening (and refusing) gallery databases, the lock, the writer thread.
 *
 * Open sequence, chosen so that a refused file is never touched:
 *  1. An existing non-empty file must start with "SQLite format 3\0", read with plain stdio.
 *  2. It is then read through an `immutable=1` read-only URI: SQLite takes no locks and creates
 *     no -wal/-shm/-journal files (a plain read-only open of a WAL database leaves both
 *     behind). application_id must be Attest's, or the database must be empty; user_version
 *     must not be above ATTEST_STORE_SCHEMA_VERSION.
 *  3. Only then is it opened read-write. The same checks are repeated on that connection
 *     before anything is written, because step 2 does not see a -wal file another program
 *     left behind; until they pass, checkpoint-on-close is off and any side file this open
 *     created is removed on refusal.
 * A missing file is created empty with mode 0600 (missing folders 0700) before SQLite sees it,
 * because SQLite creates new databases 0644 and gives -wal/-shm the database file's mode.
 *
 * Connection settings: WAL; foreign_keys=ON; busy_timeout; synchronous=FULL. FULL rather than
 * NORMAL because a confirmation the reviewer has seen saved, and its audit entry, must survive
 * a power cut; writes are human-paced (bulk imports batch rows in one transaction), so the
 * extra fsync per commit costs nothing anyone notices (measured: ~3 ms per single-append
 * commit, ~0.1 ms per entry inside one transaction).
 *
 * Threads: a GMutex guards the handle; the _async calls run on the store's one exclusive
 * worker thread, which hands its references back to the caller's main context when done. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest-store-private.h"

struct _AttestStore
{
  GObject      parent_instance;

  GMutex       lock;
  sqlite3     *db;
  char        *path;
  int          schema_version;
  AttestKey   *key;
  gboolean     read_only;

  /* One exclusive thread: every _async call runs there, in order. */
  GThreadPool *worker;

  /* What changed: the update hook marks tables inside a transaction (lock held), the commit
   * hook moves them to pending (atomic) and schedules one emission on `context`. */
  GMainContext *context;
  guint         txn_changes;
  gint          pending_changes;
  GSource      *watch;
  int           data_version;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AttestStore, attest_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (attest-store-error-quark, attest_store_error)

static const char sqlite_magic[16] = "SQLite format 3";  /* + its terminating NUL: 16 bytes */
static const char *const side_suffixes[] = { "-wal", "-shm", "-journal" };

typedef struct
{
  AttestStore     *store;
  GTask           *task;
  GTaskThreadFunc  func;
} WorkerJob;

static gboolean
release_job (gpointer data)
{
  WorkerJob *job = data;

  g_object_unref (job->task);
  g_object_unref (job->store);
  g_free (job);
  return G_SOURCE_REMOVE;
}

static void
worker_run (gpointer data,
            gpointer user_data)
{
  WorkerJob *job = data;

  if (!g_task_return_error_if_cancelled (job->task))
    job->func (job->task,
               g_task_get_source_object (job->task),
               g_task_get_task_data (job->task),
               g_task_get_cancellable (job->task));

  /* The references go back to the caller's main context (after the callback, queued before
   * this): the store is then never finalized on its own worker thread, and the database is
   * closed when the caller's last unref returns, not some time later. Always queued, never
   * run here: g_main_context_invoke() runs the function at once in this thread when nobody
   * holds the context at that moment, and a finalize here would wait for this very thread
   * (seen under AddressSanitizer's slower timing). */
  {
    GSource *source = g_idle_source_new ();

    g_source_set_callback (source, release_job, job, NULL);
    g_source_set_static_name (source, "[attest] store job done");
    g_source_attach (source, g_task_get_context (job->task));
    g_source_unref (source);
  }
}

static void
attest_store_finalize (GObject *object)
{
  AttestStore *self = ATTEST_STORE (object);

  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_source_unref (self->watch);
    }

  /* Waits for a running job; none is queued (each job holds a reference). */
  if (self->worker != NULL)
    g_thread_pool_free (self->worker, FALSE, TRUE);

  _attest_store_remember_head (self);

  /* close_v2 and not close: a statement leaked by a caller must not keep the file open. */
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_object (&self->key);

  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (attest_store_parent_class)->finalize (object);
}

static void
attest_store_class_init (AttestStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = attest_store_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
attest_store_init (AttestStore *self)
{
  g_mutex_init (&self->lock);
  self->worker = g_thread_pool_new (worker_run, self, 1, TRUE, NULL);
}

/* ---- errors ---- */

void
_attest_store_set_sqlite_error (GError     **error,
                                sqlite3     *db,
                                int          rc,
                                const char  *what)
{
  AttestStoreError code = ATTEST_STORE_ERROR_FAILED;

  switch (rc & 0xff)
    {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = ATTEST_STORE_ERROR_IO;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_BUSY,
                   _("%s: the gallery is in use: another program (a scan, or Attest in another "
                     "window) kept writing to it for %d s. Nothing was changed; try again when "
                     "it has finished."), what, ATTEST_STORE_BUSY_TIMEOUT_MS / 1000);
      return;
    default:
      break;
    }

  g_set_error (error, ATTEST_STORE_ERROR, code, "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

/* ---- refusing what is not ours ---- */

typedef struct
{
  guint32 application_id;
  int     user_version;
  int     n_objects;  /* tables, indexes, views, triggers */
} DbIdentity;

/* Reads the identity; SQLITE_NOTADB / SQLITE_CORRUPT come back as *rc for the caller. */
static gboolean
read_identity (sqlite3    *db,
               DbIdentity *id,
               int        *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT (SELECT application_id FROM pragma_application_id),"
                           "       (SELECT user_version FROM pragma_user_version),"
                           "       (SELECT count (*) FROM sqlite_schema)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id->application_id = (guint32) sqlite3_column_int64 (stmt, 0);
      id->user_version = sqlite3_column_int (stmt, 1);
      id->n_objects = sqlite3_column_int (stmt, 2);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return rc == SQLITE_OK;
}

static gboolean
check_identity (const DbIdentity  *id,
                const char        *display,
                GError           **error)
{
  if (id->application_id == ATTEST_STORE_APPLICATION_ID)
    {
      if (id->user_version > ATTEST_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_TOO_NEW,
                       _("“%s” was written by a newer version of Attest (schema %d; this "
                         "version knows up to %d). Attest has not changed it; open it with a "
                         "newer Attest."),
                       display, id->user_version, ATTEST_STORE_SCHEMA_VERSION);
          return FALSE;
        }
      return TRUE;
    }

  /* An empty database (e.g. made by `sqlite3 x.db ""` + VACUUM) is as good as a new file. */
  if (id->application_id == 0 && id->n_objects == 0 && id->user_version == 0)
    return TRUE;

  g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FOREIGN,
               _("“%s” is an SQLite database, but not an Attest gallery. "
                 "Attest has not changed it."),
               display);
  return FALSE;
}

static void
set_unreadable_error (GError     **error,
                      sqlite3     *db,
                      int          rc,
                      const char  *display)
{
  if ((rc & 0xff) == SQLITE_NOTADB)
    g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_NOT_A_DATABASE,
                 _("“%s” is not a gallery database (it is not an SQLite file). "
                   "Attest has not changed it."),
                 display);
  else if ((rc & 0xff) == SQLITE_CORRUPT)
    g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_NOT_A_DATABASE,
                 _("“%s” is a damaged SQLite file. Attest has not changed it."),
                 display);
  else
    {
      g_autofree char *what = g_strdup_printf (_("Could not read “%s”"), display);
      _attest_store_set_sqlite_error (error, db, rc, what);
    }
}

/* Steps 1 and 2 of the open sequence: touches nothing. */
static gboolean
probe_existing (const char  *path,
                const char  *display,
                GError     **error)
{
  g_autofree char *file_uri = NULL;
  g_autofree char *uri = NULL;
  char header[sizeof sqlite_magic];
  sqlite3 *db = NULL;
  DbIdentity id = { 0 };
  size_t n;
  FILE *file;
  int saved_errno;
  int rc;

  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      saved_errno = errno;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }
  n = fread (header, 1, sizeof header, file);
  fclose (file);

  if (n != sizeof header || memcmp (header, sqlite_magic, sizeof header) != 0)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is not a gallery database (it is not an SQLite file). "
                     "Attest has not changed it."),
                   display);
      return FALSE;
    }

  file_uri = g_filename_to_uri (path, NULL, NULL);
  if (file_uri == NULL)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("Could not read “%s”: the file name cannot be used"), display);
      return FALSE;
    }
  uri = g_strconcat (file_uri, "?mode=ro&immutable=1", NULL);

  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc != SQLITE_OK || !read_identity (db, &id, &rc))
    {
      set_unreadable_error (error, db, rc, display);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_close (db);

  return check_identity (&id, display, error);
}

/* ---- creating a new file ---- */

static gboolean
create_folders (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *walk = g_strdup (dir);
  int saved_errno;

  /* Only folders this call creates get 0700: an existing folder is the user's business. */
  while (!g_file_test (walk, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (walk);

      g_ptr_array_add (missing, g_steal_pointer (&walk));
      walk = parent;
      if (g_strcmp0 (walk, ((char *) missing->pdata[missing->len - 1])) == 0)
        break;
    }

  if (missing->len == 0)
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_autofree char *display = g_filename_display_name (dir);

      saved_errno = errno;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }

  /* The umask may have taken bits away; put exactly 0700 back. */
  for (guint i = 0; i < missing->len; i++)
    g_chmod (missing->pdata[i], 0700);

  return TRUE;
}

static gboolean
create_empty_file (const char  *path,
                   const char  *display,
                   GError     **error)
{
  int saved_errno;
  int fd;

  fd = g_open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return TRUE;  /* created meanwhile: probe_existing or the 0-byte path handles it */
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("Could not create “%s”: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

/* ---- opening ---- */

static gboolean
exec_pragma (sqlite3     *db,
             const char  *sql,
             const char  *display,
             GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf (_("Could not set up “%s”"), display);
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

/* Takes group and other permissions away, and never gives any: a gallery someone made 0400
 * stays 0400 (the user's choice), one made 0644 becomes 0600. */
static void
narrow_mode (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
    g_chmod (path, st.st_mode & 0700);
}

static void
make_private (const char *path)
{
  narrow_mode (path);
  for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
    {
      g_autofree char *side = g_strconcat (path, side_suffixes[i], NULL);

      narrow_mode (side);
    }
}

/* SQLite's busy handler: waits up to ATTEST_STORE_BUSY_TIMEOUT_MS for another program's write
 * lock, saying once, after a second, what it is waiting for (the CLI's stderr, the app's
 * log). Returns 0 to give up (SQLITE_BUSY, said as ATTEST_STORE_ERROR_BUSY). */
static int
wait_while_busy (void *data,
                 int   n_calls)
{
  AttestStore *self = data;
  const int step_ms = 20;

  if (n_calls * step_ms >= ATTEST_STORE_BUSY_TIMEOUT_MS)
    return 0;
  if (n_calls * step_ms == 1000)
    g_message (_("Waiting for “%s”: another program is writing to it"), self->path);
  g_usleep (step_ms * 1000);
  return 1;
}

/* ---- what changed ---- */

static const struct
{
  const char        *name;
  AttestStoreChange  change;
} change_details[] = {
  { "gallery", ATTEST_STORE_CHANGE_GALLERY },
  { "review", ATTEST_STORE_CHANGE_REVIEW },
  { "audit", ATTEST_STORE_CHANGE_AUDIT },
  { "rejections", ATTEST_STORE_CHANGE_REJECTIONS },
  { "matches", ATTEST_STORE_CHANGE_MATCHES },
};

static AttestStoreChange
change_of_table (const char *table)
{
  if (g_str_equal (table, "identities") || g_str_equal (table, "faces") ||
      g_str_equal (table, "sources"))
    return ATTEST_STORE_CHANGE_GALLERY;
  /* Not "scans": a scan's checkpoints (every analysed frame) change no item. */
  if (g_str_equal (table, "review_items") || g_str_equal (table, "review_frames"))
    return ATTEST_STORE_CHANGE_REVIEW;
  if (g_str_equal (table, "audit"))
    return ATTEST_STORE_CHANGE_AUDIT;
  if (g_str_equal (table, "rejections"))
    return ATTEST_STORE_CHANGE_REJECTIONS;
  if (g_str_equal (table, "matches"))
    return ATTEST_STORE_CHANGE_MATCHES;
  return 0;  /* attest_meta, and the tables of a schema step's rebuild */
}

static void
emit_changed (AttestStore *self,
              guint        flags)
{
  g_object_ref (self);
  for (guint i = 0; i < G_N_ELEMENTS (change_details); i++)
    if (flags & change_details[i].change)
      g_signal_emit (self, signals[SIGNAL_CHANGED],
                     g_quark_from_static_string (change_details[i].name), flags);
  g_object_unref (self);
}

static gboolean
emit_pending_cb (gpointer user_data)
{
  g_autoptr (AttestStore) self = g_weak_ref_get (user_data);

  if (self != NULL)
    emit_changed (self, (guint) g_atomic_int_exchange (&self->pending_changes, 0));
  return G_SOURCE_REMOVE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Always from an idle, never at once: the writer holds the store's lock here, and a handler
 * reads the store. A weak reference: a store nobody uses any more is not kept open by a
 * notification no main loop will run. */
static void
schedule_emission (AttestStore *self)
{
  GWeakRef *ref = g_new (GWeakRef, 1);
  GSource *source = g_idle_source_new ();

  g_weak_ref_init (ref, self);
  g_source_set_callback (source, emit_pending_cb, ref, weak_ref_free);
  g_source_set_static_name (source, "[attest] store changed");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
update_hook (void          *data,
             int            op,
             const char    *database,
             const char    *table,
             sqlite3_int64  rowid)
{
  AttestStore *self = data;

  self->txn_changes |= change_of_table (table);
}

static int
commit_hook (void *data)
{
  AttestStore *self = data;
  guint changes = self->txn_changes;

  self->txn_changes = 0;
  if (changes != 0 && g_atomic_int_or ((guint *) &self->pending_changes, changes) == 0)
    schedule_emission (self);
  return 0;  /* go on with the commit */
}

static void
rollback_hook (void *data)
{
  AttestStore *self = data;

  self->txn_changes = 0;
}

static gboolean
watch_cb (gpointer user_data)
{
  g_autoptr (AttestStore) self = g_weak_ref_get (user_data);
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  /* A writer of this process holds the lock: look next time. */
  if (!g_mutex_trylock (&self->lock))
    return G_SOURCE_CONTINUE;
  if (self->db != NULL &&
      sqlite3_prepare_v2 (self->db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);

  if (version >= 0 && version != self->data_version)
    {
      gboolean first = self->data_version < 0;

      self->data_version = version;
      if (!first)
        emit_changed (self, ATTEST_STORE_CHANGE_ALL);
    }
  return G_SOURCE_CONTINUE;
}

void
attest_store_watch_others (AttestStore *self,
                           guint        interval_ms)
{
  GWeakRef *ref;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (interval_ms > 0);

  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  ref = g_new (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  self->data_version = -1;
  self->watch = g_timeout_source_new (interval_ms);
  g_source_set_callback (self->watch, watch_cb, ref, weak_ref_free);
  g_source_set_static_name (self->watch, "[attest] store watch");
  g_source_attach (self->watch, self->context);
  /* The version as it is now: only later commits count. */
  watch_cb (ref);
}

/* A connection configured as every one of the store's is, or NULL with error. */
static sqlite3 *
open_connection (AttestStore  *self,
                 const char   *filename,
                 int           flags,
                 const char   *display,
                 GError      **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (filename, &db, flags, NULL);

  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf (_("Could not open “%s”"), display);

      _attest_store_set_sqlite_error (error, db, rc, what);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_handler (db, wait_while_busy, self);
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  /* No writable_schema and friends from this connection, whatever SQL later code runs. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_update_hook (db, update_hook, self);
  sqlite3_commit_hook (db, commit_hook, self);
  sqlite3_rollback_hook (db, rollback_hook, self);
  return db;
}

/* The step to schema 4 seals the entries written before keys in its own transaction. */
static gboolean
after_step (int       version,
            gpointer  data,
            GError  **error)
{
  AttestStore *self = data;

  if (version != ATTEST_STORE_KEYED_SCHEMA_VERSION)
    return TRUE;
  self->schema_version = version;
  return _attest_store_seal_in_tx (self, error);
}

static gboolean
store_open_into (AttestStore  *self,
                 int           target_version,
                 GError      **error)
{
  g_autofree char *display = g_filename_display_name (self->path);
  gboolean side_existed[G_N_ELEMENTS (side_suffixes)];
  g_autofree char *key_path = attest_key_default_path ();
  DbIdentity id = { 0 };
  sqlite3 *db = NULL;
  GStatBuf st;
  int saved_errno;
  int rc;

  /* The key first: without it nothing may be written, so nothing is touched. Reading needs
   * none (entries are then checked by their chain only), and never makes one. */
  g_clear_object (&self->key);
  if (self->read_only)
    {
      g_autoptr (GError) local = NULL;

      self->key = attest_key_load (key_path, FALSE, &local);
      if (self->key == NULL && g_file_test (key_path, G_FILE_TEST_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  else
    {
      self->key = attest_key_load (key_path, TRUE, error);
      if (self->key == NULL)
        return FALSE;
    }

  if (g_stat (self->path, &st) == 0)
    {
      if (!S_ISREG (st.st_mode))
        {
          g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                       _("“%s” is not a file. Choose a gallery file, not a folder."), display);
          return FALSE;
        }
      if (st.st_size > 0 && !probe_existing (self->path, display, error))
        return FALSE;
      /* Read-only media or a file made read-only: say so, and how it can still be checked. */
      if (!self->read_only && g_access (self->path, W_OK) != 0)
        {
          saved_errno = errno;
          g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                       _("“%s” cannot be written (%s): Attest can only read it, e.g. with "
                         "“attest-cli verify-audit”. Attest has not changed it."),
                       display, g_strerror (saved_errno));
          return FALSE;
        }
    }
  else if (errno == ENOENT && self->read_only)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("“%s” was not found"), display);
      return FALSE;
    }
  else if (errno == ENOENT)
    {
      if (!create_folders (self->path, error) ||
          !create_empty_file (self->path, display, error))
        return FALSE;
    }
  else
    {
      saved_errno = errno;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO,
                   _("Could not read “%s”: %s"), display, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
    {
      g_autofree char *side = g_strconcat (self->path, side_suffixes[i], NULL);
      side_existed[i] = g_file_test (side, G_FILE_TEST_EXISTS);
    }

  /* No SQLITE_OPEN_CREATE: the file exists now, with our mode. */
  db = open_connection (self, self->path,
                        self->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                        display, error);
  if (db == NULL)
    return FALSE;

  /* Read-only media: a WAL gallery cannot have its -shm made there, so it is read as
   * immutable (nothing can change it while it is on such media). */
  if (self->read_only && !read_identity (db, &id, &rc))
    {
      g_autofree char *file_uri = g_filename_to_uri (self->path, NULL, NULL);
      g_autofree char *uri = g_strconcat (file_uri, "?mode=ro&immutable=1", NULL);

      sqlite3_close (db);
      db = open_connection (self, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, display, error);
      if (db == NULL)
        return FALSE;
    }

  /* Step 3: the same checks on the connection that will write (sees any -wal content). */
  if (!read_identity (db, &id, &rc) || !check_identity (&id, display, error))
    {
      if (rc != SQLITE_OK)
        set_unreadable_error (error, db, rc, display);
      sqlite3_close (db);
      for (guint i = 0; i < G_N_ELEMENTS (side_suffixes); i++)
        {
          g_autofree char *side = g_strconcat (self->path, side_suffixes[i], NULL);
          if (!side_existed[i])
            g_unlink (side);
        }
      return FALSE;
    }
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

  if (self->read_only)
    {
      /* As it is: no mode, schema or journal change; an older gallery is not updated. */
      if (id.user_version != ATTEST_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                       id.user_version == 0
                       ? _("“%s” is not a gallery yet (it is empty). Attest has not changed it.")
                       : _("“%s” was made by an older Attest: open it in Attest once to update "
                           "it. Attest has not changed it."), display);
          sqlite3_close (db);
          return FALSE;
        }
      if (!exec_pragma (db, "PRAGMA foreign_keys = ON", display, error))
        {
          sqlite3_close (db);
          return FALSE;
        }
      self->db = db;
      self->schema_version = id.user_version;
      _attest_store_remember_head (self);
      return TRUE;
    }

  make_private (self->path);

  self->db = db;
  self->schema_version = id.user_version;
  if (!exec_pragma (db, "PRAGMA journal_mode = WAL", display, error) ||
      !exec_pragma (db, "PRAGMA synchronous = FULL", display, error) ||
      !exec_pragma (db, "PRAGMA foreign_keys = ON", display, error) ||
      !_attest_store_migrate (db, target_version, after_step, self, error))
    {
      self->db = NULL;
      sqlite3_close (db);
      return FALSE;
    }

  /* -wal and -shm now exist; SQLite created them with the database file's mode. */
  make_private (self->path);

  if (!read_identity (db, &id, &rc))
    {
      set_unreadable_error (error, db, rc, display);
      self->db = NULL;
      sqlite3_close (db);
      return FALSE;
    }

  self->db = db;
  self->schema_version = id.user_version;
  _attest_store_remember_head (self);
  return TRUE;
}

static AttestStore *
store_new (const char *path)
{
  AttestStore *self = g_object_new (ATTEST_TYPE_STORE, NULL);

  self->path = g_canonicalize_filename (path, NULL);
  self->context = g_main_context_ref_thread_default ();
  return self;
}

static AttestStore *
open_sync (const char  *path,
           int          target_version,
           gboolean     read_only,
           GError     **error)
{
  g_autoptr (AttestStore) self = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = store_new (path);
  self->read_only = read_only;
  g_mutex_lock (&self->lock);
  ok = store_open_into (self, target_version, error);
  g_mutex_unlock (&self->lock);

  return ok ? g_steal_pointer (&self) : NULL;
}

AttestStore *
_attest_store_open_at_version (const char  *path,
                               int          target_version,
                               GError     **error)
{
  return open_sync (path, target_version, FALSE, error);
}

AttestStore *
attest_store_open_read_only (const char  *path,
                             GError     **error)
{
  return open_sync (path, ATTEST_STORE_SCHEMA_VERSION, TRUE, error);
}

AttestStore *
attest_store_open (const char  *path,
                   GError     **error)
{
  return _attest_store_open_at_version (path, ATTEST_STORE_SCHEMA_VERSION, error);
}

static void
open_in_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  AttestStore *self = task_data;
  GError *error = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = store_open_into (self, ATTEST_STORE_SCHEMA_VERSION, &error);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  else
    g_task_return_error (task, error);
}

void
attest_store_open_async (const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  AttestStore *self;

  g_return_if_fail (path != NULL && *path != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The store's own writer thread opens it, so the UI never waits on the disk. */
  self = store_new (path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_store_open_async);
  g_task_set_task_data (task, self, g_object_unref);
  _attest_store_run_in_worker (self, task, open_in_worker);
}

AttestStore *
attest_store_open_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == attest_store_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
attest_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "attest", "gallery.db", NULL);
}

gboolean
attest_store_checkpoint (AttestStore  *self,
                         GError      **error)
{
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = _attest_store_lock (self);
  rc = sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    _attest_store_set_sqlite_error (error, db, rc, _("Could not write the database file"));
  _attest_store_unlock (self);
  return rc == SQLITE_OK;
}

const char *
attest_store_get_path (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);

  return self->path;
}

int
attest_store_get_schema_version (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);

  return self->schema_version;
}

/* ---- private: lock, transactions, worker ---- */

sqlite3 *
_attest_store_lock (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);

  g_mutex_lock (&self->lock);
  return self->db;
}

void
_attest_store_unlock (AttestStore *self)
{
  g_return_if_fail (ATTEST_IS_STORE (self));

  g_mutex_unlock (&self->lock);
}

AttestKey *
_attest_store_get_key (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);

  return self->key;
}

AttestKey *
attest_store_get_key (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);

  return self->key;
}

sqlite3 *
_attest_store_get_db (AttestStore *self)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);

  return self->db;
}

gboolean
_attest_store_exec (AttestStore  *self,
                    const char   *sql,
                    GError      **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _attest_store_set_sqlite_error (error, self->db, rc, _("The gallery database failed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
_attest_store_begin (AttestStore  *self,
                     GError      **error)
{
  return _attest_store_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
_attest_store_commit (AttestStore  *self,
                      GError      **error)
{
  if (_attest_store_exec (self, "COMMIT", error))
    return TRUE;

  /* A failed COMMIT may leave the transaction open; end it so the next caller starts clean. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

void
_attest_store_rollback (AttestStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
_attest_store_end (AttestStore *self,
                   gboolean     ok,
                   GError     **error)
{
  if (ok)
    return _attest_store_commit (self, error);
  _attest_store_rollback (self);
  return FALSE;
}

void
_attest_store_run_in_worker (AttestStore     *self,
                             GTask           *task,
                             GTaskThreadFunc  func)
{
  WorkerJob *job;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  job = g_new0 (WorkerJob, 1);
  job->store = g_object_ref (self);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (self->worker, job, NULL);
}

void
_attest_store_start_task (AttestStore         *self,
                          gpointer             data,
                          GDestroyNotify       data_free,
                          GTaskThreadFunc      func,
                          gpointer             source_tag,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, data_free);
  _attest_store_run_in_worker (self, task, func);
}

gboolean
_attest_store_is_result_of (AttestStore  *self,
                            GAsyncResult *result,
                            gpointer      source_tag)
{
  return g_task_is_valid (result, self) &&
         g_task_get_source_tag (G_TASK (result)) == source_tag;
}

/* ---- reads composed above the store ---- */

typedef struct
{
  AttestStoreReadFunc func;
  gpointer            data;
  GDestroyNotify      data_free;
  GDestroyNotify      result_free;
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
run_read (GTask        *task,
          gpointer      source_object,
          gpointer      task_data,
          GCancellable *cancellable)
{
  ReadJob *job = task_data;
  GError *error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;
  result = job->func (source_object, job->data, &error);
  if (result == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                             _("Could not read the gallery"));
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, result, job->result_free);
}

void
attest_store_read_async (AttestStore         *self,
                         AttestStoreReadFunc  func,
                         gpointer             data,
                         GDestroyNotify       data_free,
                         GDestroyNotify       result_free,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ReadJob *job;

  g_return_if_fail (ATTEST_IS_STORE (self));
  g_return_if_fail (func != NULL);

  job = g_new0 (ReadJob, 1);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  _attest_store_start_task (self, job, (GDestroyNotify) read_job_free, run_read,
                            attest_store_read_async, cancellable, callback, user_data);
}

gpointer
attest_store_read_finish (AttestStore   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (_attest_store_is_result_of (self, result, attest_store_read_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- sources ---- */

static char *
normalize_sha256 (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return NULL;
  for (const char *p = sha256; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  return g_ascii_strdown (sha256, -1);
}

gint64
attest_store_ensure_source (AttestStore  *self,
                            const char   *uri,
                            const char   *sha256,
                            GError      **error)
{
  g_autofree char *sha = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 id = -1;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (sha256 != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  sha = normalize_sha256 (sha256);
  if (sha == NULL)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("“%s” is not a SHA-256 hash (64 hexadecimal digits)"), sha256);
      return -1;
    }

  g_mutex_lock (&self->lock);

  /* One statement: the insert is a no-op when the contents are known, and RETURNING would
   * then return nothing, hence the SELECT after it. */
  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO sources (uri, sha256, first_seen_at) VALUES (?1, ?2, ?3)"
                           "  ON CONFLICT (sha256) DO NOTHING",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, sha, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    rc = sqlite3_prepare_v2 (self->db, "SELECT id FROM sources WHERE sha256 = ?1",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
    }

  if (id < 0)
    _attest_store_set_sqlite_error (error, self->db, rc, _("Could not record the source file"));

  sqlite3_finalize (stmt);
  g_mutex_unlock (&self->lock);

  return id;
}

/* ---- file hashing ---- */

char *
attest_file_sha256 (GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  g_autofree guint8 *buffer = NULL;
  const gsize chunk = 64 * 1024;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  buffer = g_malloc (chunk);

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, chunk, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

static void
run_file_sha256 (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  char *sha = attest_file_sha256 (source_object, cancellable, &error);

  if (sha != NULL)
    g_task_return_pointer (task, sha, g_free);
  else
    g_task_return_error (task, error);
}

void
attest_file_sha256_async (GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (file, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_file_sha256_async);
  g_task_run_in_thread (task, run_file_sha256);
}

char *
attest_file_sha256_finish (GFile         *file,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, file), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

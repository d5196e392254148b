/* test-store.c: the gallery database on real files in a temporary folder.
 *
 * Tampering is done the way a person would do it: with the real `sqlite3` command-line tool,
 * dropping the append-only triggers first. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

#include "store/attest-store.h"
#include "store/attest-store-private.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define N_CHAIN 20

/* ---- helpers ---- */

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_chmod (path, 0700);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static char *
make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("attest-store-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static int
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Independent of attest_file_sha256, which is under test itself. */
static char *
sha256_of (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
assert_no_side_files (const char *path)
{
  const char *suffixes[] = { "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *side = g_strconcat (path, suffixes[i], NULL);

      if (g_file_test (side, G_FILE_TEST_EXISTS))
        g_error ("%s was left beside the database", side);
    }
}

/* Runs the real sqlite3 tool on path; returns its trimmed output. */
static char *
run_sqlite3 (const char *path,
             const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { NULL, "-batch", path, sql, NULL };
  int status = -1;

  if (program == NULL)
    g_error ("the sqlite3 command-line tool is needed (Debian package sqlite3)");
  argv[0] = program;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("sqlite3 %s \"%s\" failed: %s", path, sql, err);

  return g_strdup (g_strstrip (out));
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* ---- opening a new gallery ---- */

static const char *const v1_tables[] = {
  "identities", "sources", "faces", "matches", "rejections", "audit", "attest_meta",
};

static void
assert_gallery_connection (AttestStore *store)
{
  sqlite3 *db = _attest_store_lock (store);
  g_autofree char *journal = query_text (db, "PRAGMA journal_mode");

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, ATTEST_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, ATTEST_STORE_APPLICATION_ID);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA synchronous"), ==, 2);  /* FULL */
  g_assert_cmpstr (journal, ==, "wal");

  for (guint i = 0; i < G_N_ELEMENTS (v1_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sqlite_schema"
                                              " WHERE type = 'table' AND name = '%s'",
                                              v1_tables[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }

  _attest_store_unlock (store);
}

static void
test_open_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *outer = g_build_filename (tmp, "not-yet", NULL);
  g_autofree char *folder = g_build_filename (outer, "attest", NULL);
  g_autofree char *path = g_build_filename (folder, "gallery.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *app_id = NULL;
  AttestStore *store;
  gint64 source_id;

  /* A typical umask would make new files 0644 and folders 0755. */
  umask (022);

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (file_mode (outer), ==, 0700);
  g_assert_cmpint (file_mode (folder), ==, 0700);
  g_assert_cmpint (file_mode (path), ==, 0600);
  g_assert_cmpstr (attest_store_get_path (store), ==, path);
  g_assert_cmpint (attest_store_get_schema_version (store), ==, ATTEST_STORE_SCHEMA_VERSION);
  assert_gallery_connection (store);

  /* A write leaves WAL files while the store is open: they are private too. */
  source_id = attest_store_ensure_source (store, "file:///clip.mp4",
                                          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                          &error);
  g_assert_no_error (error);
  g_assert_cmpint (source_id, >, 0);
  g_assert_cmpint (file_mode (wal), ==, 0600);
  g_assert_cmpint (file_mode (shm), ==, 0600);

  g_assert_finalize_object (store);
  assert_no_side_files (path);

  /* An independent reader sees an Attest gallery in WAL mode. */
  app_id = run_sqlite3 (path, "PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode;");
  g_assert_cmpstr (app_id, ==, "1096045396\n" G_STRINGIFY (ATTEST_STORE_SCHEMA_VERSION) "\nwal");

  /* Reopen: same state, nothing migrated again, the row is still there. */
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_get_schema_version (store), ==, ATTEST_STORE_SCHEMA_VERSION);
  assert_gallery_connection (store);
  g_assert_cmpint (attest_store_ensure_source (store, NULL,
                                               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                                               &error), ==, source_id);
  g_assert_no_error (error);
  g_assert_cmpint (file_mode (path), ==, 0600);
  g_assert_finalize_object (store);
  assert_no_side_files (path);

  rm_rf (tmp);
}

static void
test_open_zero_bytes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "empty.db", NULL);
  AttestStore *store;

  write_file (path, "", 0);
  g_chmod (path, 0644);
  g_chmod (tmp, 0755);

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_get_schema_version (store), ==, ATTEST_STORE_SCHEMA_VERSION);
  g_assert_cmpint (file_mode (path), ==, 0600);
  /* The folder existed already: it is the user's, so its mode is left alone. */
  g_assert_cmpint (file_mode (tmp), ==, 0755);
  assert_gallery_connection (store);
  g_assert_finalize_object (store);

  rm_rf (tmp);
}

static void
test_open_bad_location (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *plain = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *under_file = g_build_filename (plain, "sub", "gallery.db", NULL);
  AttestStore *store;

  write_file (plain, "a file, not a folder\n", -1);

  /* A folder given instead of a file. */
  store = attest_store_open (tmp, &error);
  g_assert_null (store);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, tmp));
  g_clear_error (&error);

  /* A folder that cannot be created (a file is in the way). */
  store = attest_store_open (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "sub"));
  g_assert_false (g_file_test (under_file, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  rm_rf (tmp);
}

/* ---- migrations ---- */

typedef struct
{
  int    version;
  /* Puts rows into a database at version - 1 (NULL: nothing to carry over). */
  void (*fill_previous) (sqlite3 *db);
  /* Checks the database after the step, including the rows fill_previous wrote. */
  void (*check) (sqlite3 *db);
} MigrationCase;

static void
check_v1 (sqlite3 *db)
{
  const char *const indexes[] = {
    "faces_identity", "faces_file_sha256", "matches_identity", "matches_source",
    "rejections_identity", "rejections_source", "audit_subject",
  };
  const char *const triggers[] = { "audit_no_update", "audit_no_delete" };
  g_autofree char *head = NULL;
  g_autofree char *zeros = g_malloc0 (4 * 512);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0x41545354);

  for (guint i = 0; i < G_N_ELEMENTS (v1_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sqlite_schema"
                                              " WHERE type = 'table' AND name = '%s'",
                                              v1_tables[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sqlite_schema"
                                              " WHERE type = 'index' AND name = '%s'",
                                              indexes[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (triggers); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sqlite_schema"
                                              " WHERE type = 'trigger' AND name = '%s'",
                                              triggers[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }

  /* The audit head starts empty. */
  g_assert_cmpint (query_int (db, "SELECT value FROM attest_meta WHERE key = 'audit_count'"), ==, 0);
  head = query_text (db, "SELECT value FROM attest_meta WHERE key = 'audit_head'");
  g_assert_cmpstr (head, ==, ZERO_HASH);

  /* Names are unique ignoring case. */
  exec_ok (db, "INSERT INTO identities (name, created_at, created_by) VALUES ('Ann', 1, 'rev')");
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO identities (name, created_at, created_by)"
                                     " VALUES ('ann', 2, 'rev')", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_UNIQUE);

  /* An embedding must hold embedding_dim floats. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO faces (identity_id, embedding, embedding_dim,"
                                       " model_id, enrolled_by, enrolled_at)"
                                       " VALUES (1, ?1, ?2, 'm', 'rev', 1)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, zeros, 4 * 512, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, 511);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_CONSTRAINT_CHECK);
  sqlite3_reset (stmt);
  sqlite3_bind_int (stmt, 2, 512);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  /* Deleting an identity takes its faces with it (foreign keys are on)... */
  exec_ok (db, "DELETE FROM identities WHERE name = 'ANN'");
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM faces"), ==, 0);

  /* ... but not when a reviewer confirmed a match for it. */
  exec_ok (db, "INSERT INTO identities (id, name, created_at, created_by) VALUES (5, 'Bo', 1, 'r');"
               "INSERT INTO sources (id, sha256, first_seen_at)"
               "  VALUES (1, '" ZERO_HASH "', 1);"
               "INSERT INTO matches (identity_id, source_id, source_ms, box_x, box_y, box_w, box_h,"
               "  score, threshold, model_id, reviewer, decided_at)"
               "  VALUES (5, 1, 1000, 1, 2, 30, 30, 0.8, 0.45, 'm', 'rev', 1)");
  /* (SQLite implements RESTRICT as a trigger, hence the extended code.) */
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM identities WHERE id = 5", NULL, NULL, NULL) & 0xff,
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpstr (sqlite3_errmsg (db), ==, "FOREIGN KEY constraint failed");
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches"), ==, 1);
}

/* A v1 gallery with a confirmed match and a rejection made before review items existed. */
static void
fill_v1 (sqlite3 *db)
{
  exec_ok (db, "INSERT INTO identities (id, name, created_at, created_by) VALUES (5, 'Bo', 1, 'r');"
               "INSERT INTO sources (id, sha256, first_seen_at) VALUES (1, '" ZERO_HASH "', 1);"
               "INSERT INTO matches (identity_id, source_id, source_ms, box_x, box_y, box_w, box_h,"
               "  score, threshold, model_id, reviewer, decided_at, rationale)"
               "  VALUES (5, 1, 1000, 1, 2, 30, 30, 0.8, 0.45, 'm', 'rev', 1, 'same scar');"
               "INSERT INTO rejections (identity_id, source_id, source_ms, box_x, box_y, box_w,"
               "  box_h, reviewer, decided_at)"
               "  VALUES (5, 1, 2000, 1, 2, 30, 30, 'rev', 2)");
}

static void
check_v2 (sqlite3 *db)
{
  const char *const indexes[] = {
    "review_items_status", "review_items_source", "matches_review_item", "matches_audit",
    "rejections_review_item", "rejections_audit",
  };
  g_autofree char *rationale = NULL;

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0x41545354);
  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM sqlite_schema"
                                              " WHERE type = 'index' AND name = '%s'",
                                              indexes[i]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }

  /* The v1 rows are all still there, neither revoked nor tied to an item. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches WHERE identity_id = 5"
                                  " AND review_item_id IS NULL AND revoked_at IS NULL"
                                  " AND revoked_audit_id IS NULL"), ==, 1);
  rationale = query_text (db, "SELECT rationale FROM matches");
  g_assert_cmpstr (rationale, ==, "same scar");
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM rejections WHERE source_ms = 2000"
                                  " AND review_item_id IS NULL AND revoked_at IS NULL"), ==, 1);

  /* Items: a known status and valid candidate JSON, or nothing is written. */
  exec_ok (db, "INSERT INTO review_items (source_id, start_ms, end_ms, best_ms, box_x, box_y,"
               "  box_w, box_h, model_id, threshold, candidates, created_at)"
               "  VALUES (1, 0, 10, 5, 1, 2, 3, 4, 'm', 0.5, '[]', 1)");
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'"),
                   ==, 1);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE review_items SET status = 'maybe'",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_CHECK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE review_items SET candidates = '[{'",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_CHECK);
  /* An item must name a recorded source (foreign keys are on). */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO review_items (source_id, start_ms, end_ms,"
                                     "  best_ms, box_x, box_y, box_w, box_h, model_id, threshold,"
                                     "  created_at) VALUES (99, 0, 1, 0, 1, 1, 1, 1, 'm', 0.5, 1)",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items"), ==, 1);
}

/* A v2 gallery with one pending review item, from before scans were recorded. */
static void
fill_v2 (sqlite3 *db)
{
  fill_v1 (db);
  exec_ok (db, "INSERT INTO review_items (id, source_id, start_ms, end_ms, best_ms, box_x, box_y,"
               "  box_w, box_h, model_id, threshold, candidates, created_at)"
               "  VALUES (7, 1, 0, 10, 5, 1, 2, 3, 4, 'm', 0.5, '[]', 1)");
}

static void
check_v3 (sqlite3 *db)
{
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, 0x41545354);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_schema WHERE type = 'table'"
                                  " AND name IN ('scans', 'review_frames')"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_schema WHERE type = 'index'"
                                  " AND name = 'review_frames_item'"), ==, 1);

  /* The v2 item is still pending, and no source counts as scanned. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE id = 7"
                                  " AND status = 'pending'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM scans"), ==, 0);

  /* One progress row per source; a frame step of at least 1; a recorded source. */
  exec_ok (db, "INSERT INTO scans (source_id, model_id, threshold, every, scanned_to_ms,"
               "  started_at, updated_at) VALUES (1, 'm', 0.45, 5, 1200, 1, 1)");
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO scans (source_id, model_id, threshold, every,"
                                     "  started_at, updated_at) VALUES (1, 'm', 0.45, 5, 1, 1)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_PRIMARYKEY);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE scans SET every = 0", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_CHECK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO scans (source_id, model_id, threshold, every,"
                                     "  started_at, updated_at) VALUES (99, 'm', 0.45, 5, 1, 1)",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (query_int (db, "SELECT scanned_to_ms FROM scans"), ==, 1200);

  /* Frames belong to an item and go with it; an empty image is refused. */
  exec_ok (db, "INSERT INTO review_frames (item_id, ms, png) VALUES (7, 3, x'89504e47')");
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO review_frames (item_id, ms, png)"
                                     " VALUES (7, 4, x'')", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_CHECK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO review_frames (item_id, ms, png)"
                                     " VALUES (99, 4, x'00')", NULL, NULL, NULL) & 0xff,
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_frames"), ==, 1);
  exec_ok (db, "DELETE FROM review_items WHERE id = 7");
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_frames"), ==, 0);
}

/* A v3 gallery with three audit entries written before keys (version 1 hashes), as Attest
 * wrote them then. */
static void
fill_v3 (sqlite3 *db)
{
  g_autofree char *prev = g_strdup (ZERO_HASH);

  fill_v2 (db);
  for (gint64 id = 1; id <= 3; id++)
    {
      AttestAuditEntry entry = { 0 };
      g_autofree char *hash = NULL;
      g_autofree char *sql = NULL;

      entry.id = id;
      entry.at_us = 1600000000000000 + id;
      entry.actor = (char *) "ann";
      entry.action = (char *) "enrol";
      entry.subject = g_strdup_printf ("face:%" G_GINT64_FORMAT, id);
      entry.source_ms = -1;
      entry.score = NAN;
      entry.threshold = NAN;
      entry.prev_hash = prev;
      hash = _attest_audit_entry_compute_hash (&entry);
      sql = g_strdup_printf ("INSERT INTO audit (id, at_us, actor, action, subject, prev_hash,"
                             " hash) VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'ann',"
                             " 'enrol', '%s', '%s', '%s');"
                             "UPDATE attest_meta SET value = CASE key WHEN 'audit_count'"
                             " THEN %" G_GINT64_FORMAT " ELSE '%s' END"
                             " WHERE key IN ('audit_count', 'audit_head');",
                             id, entry.at_us, entry.subject, prev, hash, id, hash);
      exec_ok (db, sql);
      g_free (entry.subject);
      g_free (prev);
      prev = g_steal_pointer (&hash);
    }
}

/* The step to keyed entries seals the old ones in the same transaction. */
static void
check_v4 (sqlite3 *db)
{
  g_autofree char *gallery_id = NULL;

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit WHERE key_id IS NULL"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit WHERE id = 4 AND action = 'seal'"
                                  " AND key_id IS NOT NULL AND length (mac) = 64"
                                  " AND details = '{\"sealed_entries\":3}'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT value FROM attest_meta WHERE key = 'audit_count'"),
                   ==, 4);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM attest_meta WHERE key IN"
                                  " ('audit_head_key', 'audit_head_mac') AND value IS NOT NULL"),
                   ==, 2);
  gallery_id = query_text (db, "SELECT value FROM attest_meta WHERE key = 'gallery_id'");
  g_assert_cmpuint (strlen (gallery_id), ==, 32);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM attest_meta WHERE key = 'gallery_id'",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE attest_meta SET value = 'x'"
                                     " WHERE key = 'gallery_id'",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_TRIGGER);
}

/* A v4 gallery whose audit log names identity 9, face 12, item 20 and match 4, all deleted
 * since: the ids an AUTOINCREMENT sequence must start above. */
static void
fill_v4 (sqlite3 *db)
{
  fill_v2 (db);
  exec_ok (db, "INSERT INTO faces (id, identity_id, embedding, embedding_dim, model_id,"
               "  enrolled_by, enrolled_at) VALUES (3, 5, x'0000803f', 1, 'm', 'r', 1);"
               "INSERT INTO audit (id, at_us, actor, action, subject, details, prev_hash, hash)"
               "  VALUES (1, 1, 'r', 'delete', 'identity:9', '{\"face_id\":12}', '', ''),"
               "         (2, 2, 'r', 'undo', 'item:20', NULL, '', ''),"
               "         (3, 3, 'r', 'confirm', 'match:4', NULL, '', '')");
}

/* Ids are never used twice: every table that the audit log names keeps a sequence. */
static void
check_v5 (sqlite3 *db)
{
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_schema WHERE type = 'table'"
                                  " AND name IN ('identities', 'faces', 'review_items', 'matches')"
                                  " AND sql LIKE '%AUTOINCREMENT%'"), ==, 4);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_schema WHERE type = 'index'"
                                  " AND name IN ('faces_identity', 'faces_file_sha256',"
                                  " 'review_items_status', 'review_items_source',"
                                  " 'matches_identity', 'matches_source', 'matches_review_item',"
                                  " 'matches_audit')"), ==, 8);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sqlite_schema WHERE name LIKE '%_new'"),
                   ==, 0);
  /* What was there is there. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM identities WHERE id = 5 AND name = 'Bo'"),
                   ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM faces WHERE id = 3 AND identity_id = 5"),
                   ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches WHERE identity_id = 5"
                                  " AND rationale = 'same scar'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE id = 7"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM rejections"), ==, 1);
  /* New rows take ids above every one the log has named. */
  exec_ok (db, "INSERT INTO identities (name, created_at, created_by) VALUES ('Cy', 1, 'r');"
               "INSERT INTO faces (identity_id, embedding, embedding_dim, model_id, enrolled_by,"
               "  enrolled_at) VALUES (5, x'0000803f', 1, 'm', 'r', 1);"
               "INSERT INTO review_items (source_id, start_ms, end_ms, best_ms, box_x, box_y,"
               "  box_w, box_h, model_id, threshold, created_at)"
               "  VALUES (1, 0, 1, 0, 1, 1, 1, 1, 'm', 0.5, 1);"
               "INSERT INTO matches (identity_id, source_id, source_ms, box_x, box_y, box_w, box_h,"
               "  score, threshold, model_id, reviewer, decided_at)"
               "  VALUES (5, 1, 5, 1, 2, 30, 30, 0.8, 0.45, 'm', 'rev', 1);");
  g_assert_cmpint (query_int (db, "SELECT max (id) FROM identities"), ==, 10);
  g_assert_cmpint (query_int (db, "SELECT max (id) FROM faces"), ==, 13);
  g_assert_cmpint (query_int (db, "SELECT max (id) FROM review_items"), ==, 21);
  g_assert_cmpint (query_int (db, "SELECT max (id) FROM matches"), ==, 5);
  /* Deleting the newest and adding again does not give its id back. */
  exec_ok (db, "DELETE FROM identities WHERE id = 10;"
               "INSERT INTO identities (name, created_at, created_by) VALUES ('Cy', 1, 'r');");
  g_assert_cmpint (query_int (db, "SELECT max (id) FROM identities"), ==, 11);
}

/* One case per step: adding schema version 2 means adding { 2, fill_v1, check_v2 } here. */
static const MigrationCase migration_cases[] = {
  { 1, NULL, check_v1 },
  { 2, fill_v1, check_v2 },
  { 3, fill_v2, check_v3 },
  { 4, fill_v3, check_v4 },
  { 5, fill_v4, check_v5 },
};

static void
test_migration_table (void)
{
  const AttestStoreMigration *steps;
  guint n = 0;

  steps = _attest_store_get_migrations (&n);
  g_assert_cmpuint (n, ==, ATTEST_STORE_SCHEMA_VERSION);
  g_assert_cmpuint (G_N_ELEMENTS (migration_cases), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (steps[i].version, ==, (int) i + 1);
      g_assert_nonnull (steps[i].sql);
      g_assert_cmpint (migration_cases[i].version, ==, steps[i].version);
    }
}

static void
test_migration_step (gconstpointer data)
{
  const MigrationCase *mc = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  AttestStore *store;
  sqlite3 *db;

  if (mc->version == 1)
    {
      /* Version 0 is a new, 0-byte file. */
      write_file (path, "", 0);
    }
  else
    {
      store = _attest_store_open_at_version (path, mc->version - 1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (attest_store_get_schema_version (store), ==, mc->version - 1);
      if (mc->fill_previous != NULL)
        {
          db = _attest_store_lock (store);
          mc->fill_previous (db);
          _attest_store_unlock (store);
        }
      g_assert_finalize_object (store);
    }

  store = _attest_store_open_at_version (path, mc->version, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attest_store_get_schema_version (store), ==, mc->version);

  db = _attest_store_lock (store);
  mc->check (db);
  _attest_store_unlock (store);
  g_assert_finalize_object (store);

  rm_rf (tmp);
}

/* ---- refusals ---- */

static void
assert_refused (const char       *path,
                AttestStoreError  code,
                const char       *must_mention)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = sha256_of (path);
  g_autofree char *after = NULL;
  g_autofree char *base = g_path_get_basename (path);
  AttestStore *store;
  GStatBuf st_before, st_after;

  g_assert_cmpint (g_stat (path, &st_before), ==, 0);

  store = attest_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, ATTEST_STORE_ERROR, (int) code);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, base));
  g_assert_nonnull (strstr (error->message, "Attest has not changed it"));
  if (must_mention != NULL)
    g_assert_nonnull (strstr (error->message, must_mention));

  after = sha256_of (path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (g_stat (path, &st_after), ==, 0);
  g_assert_cmpint (st_after.st_mode, ==, st_before.st_mode);
  g_assert_cmpint (st_after.st_size, ==, st_before.st_size);
  assert_no_side_files (path);
}

static void
test_refuse_text (void)
{
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *tiny = g_build_filename (tmp, "tiny.db", NULL);

  write_file (path, "Shopping list:\n- milk\n- a gallery database? no.\n", -1);
  assert_refused (path, ATTEST_STORE_ERROR_NOT_A_DATABASE, "not an SQLite file");

  /* Shorter than the SQLite header. */
  write_file (tiny, "SQLite", -1);
  assert_refused (tiny, ATTEST_STORE_ERROR_NOT_A_DATABASE, NULL);

  rm_rf (tmp);
}

static void
test_refuse_images (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *png = g_build_filename (tmp, "picture.png", NULL);
  g_autofree char *jpeg = g_build_filename (tmp, "photo.jpg", NULL);
  g_autofree char *photo = NULL;
  g_autoptr (GFile) src = NULL;
  g_autoptr (GFile) dst = NULL;
  const char *examples = g_getenv ("ATTEST_DLIB_EXAMPLES");

  if (examples == NULL || *examples == '\0')
    examples = "/usr/share/doc/libdlib19.1/examples";

  /* A real photograph (copied: the refusal must not depend on the original being read-only). */
  photo = g_build_filename (examples, "faces", "2008_002470.jpg", NULL);
  src = g_file_new_for_path (photo);
  dst = g_file_new_for_path (jpeg);
  g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_refused (jpeg, ATTEST_STORE_ERROR_NOT_A_DATABASE, NULL);

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 48);
  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  gdk_pixbuf_save (pixbuf, png, "png", &error, NULL);
  g_assert_no_error (error);
  assert_refused (png, ATTEST_STORE_ERROR_NOT_A_DATABASE, NULL);

  rm_rf (tmp);
}

static void
test_refuse_damaged (void)
{
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "damaged.db", NULL);
  char contents[600];

  /* The right magic followed by nonsense. */
  memset (contents, 0xA5, sizeof contents);
  memcpy (contents, "SQLite format 3", 16);
  write_file (path, contents, sizeof contents);
  assert_refused (path, ATTEST_STORE_ERROR_NOT_A_DATABASE, NULL);

  rm_rf (tmp);
}

static void
test_refuse_foreign (void)
{
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "cars.db", NULL);
  g_autofree char *wal_path = g_build_filename (tmp, "cars-wal.sqlite", NULL);
  g_autofree char *out = NULL;

  out = run_sqlite3 (path, "CREATE TABLE cars (id INTEGER PRIMARY KEY, make TEXT, year INTEGER);"
                           "INSERT INTO cars (make, year) VALUES ('Volvo', 1999), ('Saab', 2003);");
  assert_refused (path, ATTEST_STORE_ERROR_FOREIGN, "not an Attest gallery");

  /* A WAL-mode database that even claims schema 1: a read-only open would leave -wal/-shm. */
  g_free (out);
  out = run_sqlite3 (wal_path, "PRAGMA journal_mode = WAL; PRAGMA user_version = 1;"
                               "CREATE TABLE cars (id INTEGER PRIMARY KEY, make TEXT);"
                               "INSERT INTO cars (make) VALUES ('Lada');");
  assert_no_side_files (wal_path);
  assert_refused (wal_path, ATTEST_STORE_ERROR_FOREIGN, NULL);

  rm_rf (tmp);
}

static void
test_refuse_too_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "future.db", NULL);
  g_autofree char *out = NULL;
  AttestStore *store;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  out = run_sqlite3 (path, "PRAGMA user_version = 99; PRAGMA application_id;");
  g_assert_cmpstr (out, ==, "1096045396");
  assert_refused (path, ATTEST_STORE_ERROR_TOO_NEW, "schema 99");

  rm_rf (tmp);
}

/* ---- audit log ---- */

typedef struct
{
  const char *actor, *action, *subject, *source_sha256;
  gint64      source_ms;
  double      score, threshold;
  const char *model_id, *rationale, *details;
} EntrySpec;

static void
spec_for (guint             i,
          EntrySpec        *spec,
          AttestAuditEntry *entry)
{
  static const char *const actors[] = { "ann", "Björn Ærø", "reviewer \"two\"", "李" };
  static const char *const actions[] = { "enrol", "confirm", "reject", "rename", "export" };
  static const char *const rationales[] = {
    NULL, "same scar on the left cheek", "line one\nline two\ttabbed", "quote \" and \\ backslash",
    "", "emoji 🙂 and a\rcarriage return",
  };

  spec->actor = actors[i % G_N_ELEMENTS (actors)];
  spec->action = actions[i % G_N_ELEMENTS (actions)];
  spec->subject = i % 3 == 0 ? NULL : (i % 3 == 1 ? "face:12" : "identity:3");
  spec->source_sha256 = i % 2 == 0 ? NULL
                        : "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  spec->source_ms = i % 4 == 0 ? -1 : (gint64) i * 40 + 7;
  spec->score = i % 5 == 0 ? NAN : 1.0 / (i + 3.0);
  spec->threshold = i % 5 == 0 ? NAN : 0.45;
  spec->model_id = i % 2 == 1 ? "fr_feature-512@87aacdfe" : NULL;
  spec->rationale = rationales[i % G_N_ELEMENTS (rationales)];
  spec->details = i % 3 == 2 ? "{\"rank\": 1, \"note\": \"ä\\n\"}" : NULL;

  memset (entry, 0, sizeof *entry);
  entry->at_us = 1700000000000000 + (gint64) i * 1000;
  entry->actor = (char *) spec->actor;
  entry->action = (char *) spec->action;
  entry->subject = (char *) spec->subject;
  entry->source_sha256 = (char *) spec->source_sha256;
  entry->source_ms = spec->source_ms;
  entry->score = spec->score;
  entry->threshold = spec->threshold;
  entry->model_id = (char *) spec->model_id;
  entry->rationale = (char *) spec->rationale;
  entry->details = (char *) spec->details;
}

static void
fill_chain (AttestStore *store)
{
  for (guint i = 0; i < N_CHAIN; i++)
    {
      g_autoptr (GError) error = NULL;
      AttestAuditEntry entry;
      EntrySpec spec;

      spec_for (i, &spec, &entry);
      g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, i + 1);
      g_assert_no_error (error);
    }
}

static void
assert_intact (AttestStore *store,
               guint64      expected)
{
  g_autoptr (GError) error = NULL;
  guint64 n = 0;
  gint64 bad = 0;

  g_assert_true (attest_store_verify_audit (store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expected);
  g_assert_cmpint (bad, ==, -1);
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
test_audit_chain (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) page = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autofree char *expected_1 = NULL;
  g_autofree char *expected_2 = NULL;
  AttestStore *store;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  assert_intact (store, 0);

  fill_chain (store);
  assert_intact (store, N_CHAIN);

  entries = attest_store_list_audit (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, N_CHAIN);

  for (guint i = 0; i < entries->len; i++)
    {
      AttestAuditEntry *got = entries->pdata[i];
      AttestAuditEntry want;
      EntrySpec spec;

      spec_for (i, &spec, &want);
      g_assert_cmpint (got->id, ==, i + 1);
      g_assert_cmpint (got->at_us, ==, want.at_us);
      g_assert_cmpstr (got->actor, ==, want.actor);
      g_assert_cmpstr (got->action, ==, want.action);
      g_assert_cmpstr (got->subject, ==, want.subject);
      g_assert_cmpstr (got->source_sha256, ==, want.source_sha256);
      g_assert_cmpint (got->source_ms, ==, want.source_ms);
      if (isnan (want.score))
        g_assert_true (isnan (got->score));
      else
        g_assert_cmpfloat (got->score, ==, want.score);
      if (isnan (want.threshold))
        g_assert_true (isnan (got->threshold));
      else
        g_assert_cmpfloat (got->threshold, ==, want.threshold);
      g_assert_cmpstr (got->model_id, ==, want.model_id);
      /* An empty optional string is stored as given. */
      g_assert_cmpstr (got->rationale, ==, want.rationale);
      g_assert_cmpstr (got->details, ==, want.details);

      g_assert_cmpuint (strlen (got->hash), ==, 64);
      if (i == 0)
        g_assert_cmpstr (got->prev_hash, ==, ZERO_HASH);
      else
        g_assert_cmpstr (got->prev_hash, ==, ((AttestAuditEntry *) entries->pdata[i - 1])->hash);
    }

  /* The documented canonical encoding (version 2, keyed), written out by hand for the first
   * two entries: anybody can re-check the chain without Attest. */
  {
    const char *key_id = attest_key_get_id (attest_store_get_key (store));
    g_autofree char *canonical_1 = g_strconcat (
      "{\"id\":1,\"at_us\":1700000000000000,\"actor\":\"ann\","
      "\"action\":\"enrol\",\"subject\":null,\"source_sha256\":null,"
      "\"source_ms\":null,\"score\":null,\"threshold\":null,"
      "\"model_id\":null,\"rationale\":null,\"details\":null,"
      "\"prev_hash\":\"" ZERO_HASH "\",\"key_id\":\"", key_id, "\"}", NULL);
    g_autofree char *content_1 = sha256_hex (canonical_1);
    g_autofree char *input_1 = g_strconcat (ZERO_HASH, content_1, NULL);
    g_autofree char *canonical_2 = NULL;
    g_autofree char *content_2 = NULL;
    g_autofree char *input_2 = NULL;

    expected_1 = sha256_hex (input_1);
    g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[0])->hash, ==, expected_1);
    g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[0])->key_id, ==, key_id);

    canonical_2 = g_strconcat (
      "{\"id\":2,\"at_us\":1700000000001000,\"actor\":\"Björn Ærø\",\"action\":\"confirm\","
      "\"subject\":\"face:12\",\"source_sha256\":"
      "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
      "\"source_ms\":47,\"score\":0.25,\"threshold\":0.45000000000000001,"
      "\"model_id\":\"fr_feature-512@87aacdfe\",\"rationale\":\"same scar on the left cheek\","
      "\"details\":null,\"prev_hash\":\"", expected_1, "\",\"key_id\":\"", key_id, "\"}",
      NULL);
    content_2 = sha256_hex (canonical_2);
    input_2 = g_strconcat (expected_1, content_2, NULL);
    expected_2 = sha256_hex (input_2);
    g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[1])->hash, ==, expected_2);
  }
  /* Version 1 (entries written before keys): SHA-256 of prev_hash || canonical. */
  {
    AttestAuditEntry legacy = { 0 };
    g_autofree char *hash = NULL;
    g_autofree char *v1 = sha256_hex (ZERO_HASH
                                      "{\"id\":1,\"at_us\":1700000000000000,\"actor\":\"ann\","
                                      "\"action\":\"enrol\",\"subject\":null,\"source_sha256\":null,"
                                      "\"source_ms\":null,\"score\":null,\"threshold\":null,"
                                      "\"model_id\":null,\"rationale\":null,\"details\":null,"
                                      "\"prev_hash\":\"" ZERO_HASH "\"}");

    legacy.id = 1;
    legacy.at_us = 1700000000000000;
    legacy.actor = (char *) "ann";
    legacy.action = (char *) "enrol";
    legacy.source_ms = -1;
    legacy.score = NAN;
    legacy.threshold = NAN;
    legacy.prev_hash = (char *) ZERO_HASH;
    hash = attest_audit_entry_compute_hash (&legacy);
    g_assert_cmpstr (hash, ==, v1);
  }
  /* Escaping: quote, backslash, control characters. */
  {
    AttestAuditEntry *e4 = entries->pdata[3];  /* rationale "quote \" and \\ backslash" */
    AttestAuditEntry *e3 = entries->pdata[2];  /* rationale with \n and \t */
    g_autofree char *c4 = _attest_audit_entry_canonical (e4);
    g_autofree char *c3 = _attest_audit_entry_canonical (e3);

    g_assert_nonnull (strstr (c4, "\"rationale\":\"quote \\\" and \\\\ backslash\""));
    g_assert_nonnull (strstr (c3, "\"rationale\":\"line one\\u000aline two\\u0009tabbed\""));
    g_assert_nonnull (strstr (c3, "\"details\":\"{\\\"rank\\\": 1, \\\"note\\\": \\\"ä\\\\n\\\"}\""));
  }

  /* Paging. */
  page = attest_store_list_audit (store, 5, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_cmpint (((AttestAuditEntry *) page->pdata[0])->id, ==, 6);
  g_assert_cmpint (((AttestAuditEntry *) page->pdata[2])->id, ==, 8);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = attest_store_list_audit (store, N_CHAIN, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);

  g_assert_finalize_object (store);

  /* Still intact after closing and reopening. */
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  assert_intact (store, N_CHAIN);
  g_assert_finalize_object (store);

  rm_rf (tmp);
}

typedef struct
{
  const char *name;
  const char *sql;          /* run by the sqlite3 tool after dropping the triggers */
  gint64      first_bad;
  guint64     n_good;       /* entries that check out before the first bad one */
  void      (*tamper) (const char *path);  /* when sql is NULL */
  const char *must_say;     /* besides "entry N " and "the log was changed" */
} TamperCase;

/* What someone holding only the database does with the published recipes: `edit` changes
 * entries[from] (and, for a stripper, each entry after it), every hash from there on is
 * recomputed, and the returned SQL (triggers dropped first) stores it with the head moved. */
typedef void (*EntryEdit) (AttestAuditEntry *e,
                           gboolean          first);

static char *
rewrite_chain_sql (GPtrArray *entries,
                   guint      from,
                   EntryEdit  edit)
{
  GString *sql = g_string_new ("DROP TRIGGER audit_no_update;");
  g_autofree char *prev = g_strdup (from > 0 ? ((AttestAuditEntry *) entries->pdata[from - 1])->hash
                                             : ZERO_HASH);
  char *head;

  for (guint i = from; i < entries->len; i++)
    {
      AttestAuditEntry *e = entries->pdata[i];
      char *update;

      edit (e, i == from);
      g_free (e->prev_hash);
      e->prev_hash = g_strdup (prev);
      g_free (e->hash);
      e->hash = attest_audit_entry_compute_hash (e);
      update = sqlite3_mprintf ("UPDATE audit SET actor = %Q, rationale = %Q, key_id = %Q,"
                                " mac = CASE WHEN %Q IS NULL THEN NULL ELSE mac END,"
                                " prev_hash = %Q, hash = %Q WHERE id = %lld;",
                                e->actor, e->rationale, e->key_id, e->key_id, e->prev_hash,
                                e->hash, (long long) e->id);
      g_string_append (sql, update);
      sqlite3_free (update);
      g_free (prev);
      prev = g_strdup (e->hash);
    }
  head = sqlite3_mprintf ("UPDATE attest_meta SET value = %Q WHERE key = 'audit_head';", prev);
  g_string_append (sql, head);
  sqlite3_free (head);
  return g_string_free (sql, FALSE);
}

static GPtrArray *
read_entries (const char *path)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries;
  AttestStore *store;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  entries = attest_store_list_audit (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);
  return entries;
}

static void
edit_rationale (AttestAuditEntry *e,
                gboolean          first)
{
  if (first)
    {
      g_free (e->rationale);
      e->rationale = g_strdup ("nothing to see here");
    }
}

static void
edit_actor (AttestAuditEntry *e,
            gboolean          first)
{
  if (first)
    {
      g_free (e->actor);
      e->actor = g_strdup ("mallory");
    }
}

static void
edit_strip_key (AttestAuditEntry *e,
                gboolean          first)
{
  g_clear_pointer (&e->key_id, g_free);
}

/* The documented recipe, followed by someone holding only the database: entry 7 changed, then
 * every later hash, and the head, recomputed. Only the MACs (keyed) stand in the way. */
static void
tamper_rewrite_chain_from_7 (const char *path)
{
  g_autoptr (GPtrArray) entries = read_entries (path);
  g_autofree char *sql = rewrite_chain_sql (entries, 6, edit_rationale);
  g_autofree char *out = run_sqlite3 (path, sql);
}

static void
tamper_rehash_7 (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;
  AttestStore *store;
  AttestAuditEntry *seventh;

  /* A careful tamperer: changes entry 7 and gives it a correct hash for its new content. */
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  entries = attest_store_list_audit (store, 6, 1, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  seventh = entries->pdata[0];
  g_free (seventh->rationale);
  seventh->rationale = g_strdup ("nothing to see here");
  hash = _attest_audit_entry_compute_hash (seventh);
  sql = g_strdup_printf ("DROP TRIGGER audit_no_update;"
                         "UPDATE audit SET rationale = 'nothing to see here', hash = '%s'"
                         " WHERE id = 7;", hash);
  out = run_sqlite3 (path, sql);
}

/* Entry 20 passed off as written before keys: key and MAC removed, hash by version 1, head
 * moved with it. */
static void
tamper_unkey_20 (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;
  AttestStore *store;
  AttestAuditEntry *e;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  entries = attest_store_list_audit (store, 19, 1, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  e = entries->pdata[0];
  g_clear_pointer (&e->key_id, g_free);
  g_free (e->hash);
  e->hash = attest_audit_entry_compute_hash (e);
  sql = g_strdup_printf ("DROP TRIGGER audit_no_update;"
                         "UPDATE audit SET key_id = NULL, mac = NULL, hash = '%s' WHERE id = 20;"
                         "UPDATE attest_meta SET value = CASE key WHEN 'audit_head' THEN '%s'"
                         " ELSE NULL END WHERE key IN ('audit_head', 'audit_head_key',"
                         " 'audit_head_mac');", e->hash, e->hash);
  out = run_sqlite3 (path, sql);
}

static void
test_audit_tamper (void)
{
  static const TamperCase cases[] = {
    { "edit a field of entry 7",
      "UPDATE audit SET rationale = 'changed' WHERE id = 7;", 7, 6 },
    { "edit the score of entry 7",
      "UPDATE audit SET score = 0.99 WHERE id = 7;", 7, 6 },
    { "delete entry 12",
      "DELETE FROM audit WHERE id = 12;", 12, 11 },
    { "swap the contents of entries 3 and 15",
      "UPDATE audit SET id = -3 WHERE id = 3;"
      "UPDATE audit SET id = 3 WHERE id = 15;"
      "UPDATE audit SET id = 15 WHERE id = -3;", 3, 2 },
    { "delete the newest entry",
      "DELETE FROM audit WHERE id = 20;", 20, 19 },
    { "append a forged entry without updating the head",
      "INSERT INTO audit (id, at_us, actor, action, prev_hash, hash)"
      "  SELECT 21, at_us, 'mallory', 'confirm', hash, hash FROM audit WHERE id = 20;", 21, 20 },
    { "rewrite entry 7 with a fresh hash", NULL, 7, 6, tamper_rehash_7,
      "not written by this installation" },
    { "rewrite entry 7, recompute every later hash and the head", NULL, 7, 6,
      tamper_rewrite_chain_from_7, "not written by this installation" },
    { "delete the newest 3 entries and move the head back to entry 17",
      "DELETE FROM audit WHERE id > 17;"
      "UPDATE attest_meta SET value = 17 WHERE key = 'audit_count';"
      "UPDATE attest_meta SET value = (SELECT hash FROM audit WHERE id = 17)"
      " WHERE key = 'audit_head';", 17, 17, NULL, "newer entries were removed" },
    { "the same, and remove the head's MAC",
      "DELETE FROM audit WHERE id > 17;"
      "UPDATE attest_meta SET value = 17 WHERE key = 'audit_count';"
      "UPDATE attest_meta SET value = NULL WHERE key = 'audit_head_mac';"
      "UPDATE attest_meta SET value = (SELECT hash FROM audit WHERE id = 17)"
      " WHERE key = 'audit_head';", 17, 17, NULL, "newer entries were removed" },
    { "make entry 20 an unkeyed one with a correct version 1 hash", NULL, 20, 19,
      tamper_unkey_20, "has no key" },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *pristine = g_build_filename (tmp, "pristine.db", NULL);
  g_autoptr (GFile) pristine_file = g_file_new_for_path (pristine);
  AttestStore *store;

  store = attest_store_open (pristine, &error);
  g_assert_no_error (error);
  fill_chain (store);
  assert_intact (store, N_CHAIN);
  g_assert_finalize_object (store);
  assert_no_side_files (pristine);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("tampered-%u.db", i);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autoptr (GFile) copy = g_file_new_for_path (path);
      g_autofree char *bad_text = NULL;
      guint64 n = 0;
      gint64 bad = 0;

      g_test_message ("tamper: %s", cases[i].name);
      g_file_copy (pristine_file, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      if (cases[i].sql != NULL)
        {
          g_autofree char *sql = g_strconcat ("DROP TRIGGER audit_no_update;"
                                              "DROP TRIGGER audit_no_delete;",
                                              cases[i].sql, NULL);
          g_autofree char *out = run_sqlite3 (path, sql);
        }
      else
        cases[i].tamper (path);

      store = attest_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_false (attest_store_verify_audit (store, &n, &bad, &error));
      g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
      g_test_message ("  -> %s", error->message);
      g_assert_cmpint (bad, ==, cases[i].first_bad);
      g_assert_cmpuint (n, ==, cases[i].n_good);
      bad_text = g_strdup_printf ("entry %" G_GINT64_FORMAT, cases[i].first_bad);
      {
        const char *at = strstr (error->message, bad_text);

        g_assert_nonnull (at);
        g_assert_false (g_ascii_isdigit (at[strlen (bad_text)]));
      }
      g_assert_true (strstr (error->message, "the log was changed") != NULL ||
                     strstr (error->message, "the head was moved") != NULL);
      if (cases[i].must_say != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].must_say));
      g_clear_error (&error);
      g_assert_finalize_object (store);
    }

  rm_rf (tmp);
}



/* ---- the installation key ---- */

static void
assert_check (AttestStore *store,
              guint64      n_entries,
              guint64      n_unkeyed,
              guint64      n_this_key,
              guint64      n_other_keys)
{
  g_autoptr (GError) error = NULL;
  g_auto (AttestAuditCheck) check = { 0 };
  gint64 bad = 0;

  if (!attest_store_check_audit (store, &check, &bad, &error))
    g_error ("audit check failed: %s", error->message);
  g_assert_cmpint (bad, ==, -1);
  g_assert_cmpuint (check.n_entries, ==, n_entries);
  g_assert_cmpuint (check.n_unkeyed, ==, n_unkeyed);
  g_assert_cmpuint (check.n_this_key, ==, n_this_key);
  g_assert_cmpuint (check.n_other_keys, ==, n_other_keys);
  g_assert_cmpstr (check.key_id, ==, attest_key_get_id (attest_store_get_key (store)));
}

static char *
assert_broken (const char *path,
               gint64      first_bad,
               const char *must_say)
{
  g_autoptr (GError) error = NULL;
  AttestStore *store;
  gint64 bad = 0;
  char *message;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (attest_store_check_audit (store, NULL, &bad, &error));
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_test_message ("  -> %s", error->message);
  g_assert_cmpint (bad, ==, first_bad);
  if (must_say != NULL)
    g_assert_nonnull (strstr (error->message, must_say));
  message = g_strdup (error->message);
  g_assert_finalize_object (store);
  return message;
}

/* A gallery of the previous schema: its entries verify as before, the migration seals them,
 * and a later rewrite of them (with every hash recomputed) is caught at the seal. */
static void
test_audit_migrated (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autofree char *copy = g_build_filename (tmp, "copy.db", NULL);
  g_autofree char *message = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *out = NULL;
  AttestStore *store;

  store = _attest_store_open_at_version (path, ATTEST_STORE_KEYED_SCHEMA_VERSION - 1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    {
      AttestAuditEntry entry;
      EntrySpec spec;

      spec_for (i, &spec, &entry);
      g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, i + 1);
      g_assert_no_error (error);
    }
  assert_intact (store, 5);
  g_assert_finalize_object (store);

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  assert_check (store, 6, 5, 1, 0);
  entries = attest_store_list_audit (store, 5, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[0])->action, ==, "seal");
  g_clear_pointer (&entries, g_ptr_array_unref);
  /* Opening again does not seal twice; new entries are keyed. */
  g_assert_finalize_object (store);
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  {
    AttestAuditEntry entry;
    EntrySpec spec;

    spec_for (7, &spec, &entry);
    g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, 7);
  }
  assert_check (store, 7, 5, 2, 0);
  entries = attest_store_list_audit (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  /* Entry 2 rewritten, then every later hash recomputed by the published recipes. */
  sql = rewrite_chain_sql (entries, 1, edit_actor);
  {
    g_autoptr (GFile) from = g_file_new_for_path (path);
    g_autoptr (GFile) to = g_file_new_for_path (copy);

    g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  out = run_sqlite3 (copy, sql);
  g_test_message ("rewrite a sealed entry and every hash after it:");
  message = assert_broken (copy, 6, "not written by this installation");

  rm_rf (tmp);
}

/* Someone with the database file only, in its place while the app is closed: every key
 * removed and every hash recomputed by version 1, so that it looks written before keys; or
 * the file rebuilt at the previous schema, to be sealed afresh; or an older copy put back. */
static void
strip_keys (const char *path,
            gboolean    downgrade)
{
  g_autoptr (GPtrArray) entries = read_entries (path);
  g_autofree char *rewrite = rewrite_chain_sql (entries, 0, edit_strip_key);
  g_autoptr (GString) sql = g_string_new (rewrite);
  g_autofree char *out = NULL;

  g_string_append (sql, "UPDATE attest_meta SET value = NULL"
                        " WHERE key IN ('audit_head_key', 'audit_head_mac');");
  if (downgrade)
    g_string_append (sql, "DROP TRIGGER attest_meta_keep_audit_head;"
                          "DROP TRIGGER attest_meta_keep_gallery_id;"
                          "DELETE FROM attest_meta WHERE key IN ('audit_head_key',"
                          " 'audit_head_mac', 'gallery_id');"
                          "ALTER TABLE audit DROP COLUMN key_id;"
                          "ALTER TABLE audit DROP COLUMN mac;"
                          "CREATE TRIGGER attest_meta_keep_audit_head BEFORE DELETE ON attest_meta"
                          " WHEN old.key IN ('audit_count', 'audit_head')"
                          " BEGIN SELECT RAISE (ABORT, 'the audit head cannot be deleted'); END;"
                          "PRAGMA user_version = 3;");
  out = run_sqlite3 (path, sql->str);
}

static void
test_audit_strip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *older = g_build_filename (tmp, "older.db", NULL);
  AttestStore *store;

  for (guint kind = 0; kind < 3; kind++)
    {
      g_autofree char *name = g_strdup_printf ("gallery-%u.db", kind);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autofree char *message = NULL;

      store = attest_store_open (path, &error);
      g_assert_no_error (error);
      fill_chain (store);
      assert_check (store, N_CHAIN, 0, N_CHAIN, 0);
      g_assert_finalize_object (store);

      if (kind == 2)
        {
          g_autoptr (GFile) from = g_file_new_for_path (path);
          g_autoptr (GFile) to = g_file_new_for_path (older);
          AttestAuditEntry entry;
          EntrySpec spec;

          /* An older copy of the same gallery, five entries behind, put back. */
          g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          store = attest_store_open (path, &error);
          g_assert_no_error (error);
          for (guint i = 0; i < 5; i++)
            {
              spec_for (i, &spec, &entry);
              g_assert_cmpint (attest_store_append_audit (store, &entry, &error), >, 0);
            }
          g_assert_finalize_object (store);
          g_assert_cmpint (g_rename (older, path), ==, 0);
          g_test_message ("an older copy put back:");
          message = assert_broken (path, N_CHAIN + 1, "an older copy");
          continue;
        }

      strip_keys (path, kind == 1);
      g_test_message (kind == 0 ? "keys stripped:" : "keys stripped, schema 3 rebuilt:");
      message = assert_broken (path, 1, "have no key");
    }

  rm_rf (tmp);
}

/* A gallery moved to another installation: its entries chain but cannot be checked there;
 * that installation's own entries can. A damaged or exposed key is refused, never replaced. */
static void
test_audit_keys (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autofree char *other_key = g_build_filename (tmp, "other", "config", "installation.key", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("ATTEST_KEY_FILE"));
  g_autofree char *first_id = NULL;
  g_autofree char *contents = NULL;
  AttestStore *store;
  GStatBuf st;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  fill_chain (store);
  first_id = g_strdup (attest_key_get_id (attest_store_get_key (store)));
  g_assert_finalize_object (store);

  g_setenv ("ATTEST_KEY_FILE", other_key, TRUE);
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attest_key_get_id (attest_store_get_key (store)), !=, first_id);
  g_assert_cmpint (g_stat (other_key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autofree char *folder = g_path_get_dirname (other_key);

    g_assert_cmpint (g_stat (folder, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  }
  assert_check (store, N_CHAIN, 0, 0, N_CHAIN);
  {
    AttestAuditEntry entry;
    EntrySpec spec;

    spec_for (3, &spec, &entry);
    g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, N_CHAIN + 1);
  }
  assert_check (store, N_CHAIN + 1, 0, 1, N_CHAIN);
  g_assert_finalize_object (store);

  /* Readable by others: refused, the file left as it was, the gallery untouched. */
  g_assert_cmpint (g_chmod (other_key, 0644), ==, 0);
  g_assert_true (g_file_get_contents (other_key, &contents, NULL, NULL));
  store = attest_store_open (path, &error);
  g_assert_null (store);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "other users may read it"));
  g_assert_nonnull (strstr (error->message, "installation.key"));
  g_clear_error (&error);
  {
    g_autofree char *after = NULL;

    g_assert_true (g_file_get_contents (other_key, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, contents);
  }

  /* Not a key file, or a damaged secret: refused, never replaced. */
  g_assert_cmpint (g_chmod (other_key, 0600), ==, 0);
  g_assert_true (g_file_set_contents_full (other_key, "[Attest installation key]\nversion=1\n"
                                           "secret=c2hvcnQ=\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  store = attest_store_open (path, &error);
  g_assert_null (store);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "its secret is damaged"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents_full (other_key, "\x89PNG\r\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  store = attest_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "not an Attest key file"));
  g_clear_error (&error);

  g_setenv ("ATTEST_KEY_FILE", saved, TRUE);
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  assert_check (store, N_CHAIN + 1, 0, N_CHAIN, 1);
  g_assert_finalize_object (store);

  rm_rf (tmp);
}

/* A gallery someone made 0400 stays 0400; one on read-only media, or being written by another
 * process, can still be opened to read and verified; an up-to-date gallery opens without
 * taking the write lock. */
static void
test_open_hands_off (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AttestStore *store;
  sqlite3 *writer = NULL;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  fill_chain (store);
  g_assert_finalize_object (store);

  /* 0400: opening (to write, or to read) never widens it. */
  g_assert_cmpint (g_chmod (path, 0400), ==, 0);
  before = sha256_of (path);
  store = attest_store_open_read_only (path, &error);
  g_assert_no_error (error);
  assert_check (store, N_CHAIN, 0, N_CHAIN, 0);
  g_assert_finalize_object (store);
  g_assert_cmpint (file_mode (path), ==, 0400);
  after = sha256_of (path);
  g_assert_cmpstr (after, ==, before);
  if (geteuid () == 0)
    {
      store = attest_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_finalize_object (store);
      g_assert_cmpint (file_mode (path), ==, 0400);
    }
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  /* Another process holds the write lock (a scan writing): both opens go ahead, and the log
   * verifies from the read-only one. */
  g_assert_cmpint (sqlite3_open (path, &writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (writer, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  store = attest_store_open_read_only (path, &error);
  g_assert_no_error (error);
  assert_check (store, N_CHAIN, 0, N_CHAIN, 0);
  g_assert_finalize_object (store);
  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  /* A write waits for the other program, then says plainly what kept it from happening. */
  {
    AttestAuditEntry entry;
    EntrySpec spec;

    spec_for (0, &spec, &entry);
    g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, -1);
    g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_BUSY);
    g_test_message ("busy: %s", error->message);
    g_assert_nonnull (strstr (error->message, "the gallery is in use: another program"));
    g_clear_error (&error);
  }
  g_assert_finalize_object (store);
  sqlite3_exec (writer, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (writer);

  /* On a read-only file system (where this test may mount one). */
  {
    g_autofree char *mnt = g_build_filename (tmp, "media", NULL);
    g_autofree char *copy = g_build_filename (mnt, "gallery.db", NULL);

    g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
    if (mount ("tmpfs", mnt, "tmpfs", 0, "size=4m") != 0)
      g_test_message ("no tmpfs mount here (%s): read-only media not tried", g_strerror (errno));
    else
      {
        g_autoptr (GFile) from = g_file_new_for_path (path);
        g_autoptr (GFile) to = g_file_new_for_path (copy);

        g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
        g_assert_cmpint (mount ("tmpfs", mnt, "tmpfs", MS_REMOUNT | MS_RDONLY, "size=4m"), ==, 0);
        store = attest_store_open_read_only (copy, &error);
        g_assert_no_error (error);
        assert_check (store, N_CHAIN, 0, N_CHAIN, 0);
        g_assert_finalize_object (store);
        /* Opening to write says why it cannot. */
        store = attest_store_open (copy, &error);
        g_assert_null (store);
        g_test_message ("read-write on read-only media: %s", error->message);
        g_assert_nonnull (strstr (error->message, "cannot be written (Read-only file system)"));
        g_assert_nonnull (strstr (error->message, "attest-cli verify-audit"));
        g_clear_error (&error);
        umount2 (mnt, MNT_DETACH);
      }
  }

  rm_rf (tmp);
}


static void
test_audit_append_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  AttestStore *store;
  sqlite3 *db;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  fill_chain (store);

  /* The store's own connection cannot change or remove entries, nor the head. */
  db = _attest_store_lock (store);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit SET actor = 'someone else' WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_nonnull (strstr (sqlite3_errmsg (db), "append-only"));
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit WHERE id = 20", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM audit", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM attest_meta", NULL, NULL, NULL),
                   ==, SQLITE_CONSTRAINT_TRIGGER);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit"), ==, N_CHAIN);
  _attest_store_unlock (store);

  assert_intact (store, N_CHAIN);
  g_assert_finalize_object (store);
  rm_rf (tmp);
}

static void
test_audit_in_transaction (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  AttestAuditEntry entry = { 0 };
  AttestStore *store;
  sqlite3 *db;
  gint64 id;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  fill_chain (store);

  entry.actor = (char *) "ann";
  entry.action = (char *) "enrol";
  entry.subject = (char *) "identity:1";
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;

  /* A change and its audit row roll back together... */
  db = _attest_store_lock (store);
  g_assert_true (_attest_store_begin (store, &error));
  exec_ok (db, "INSERT INTO identities (name, created_at, created_by) VALUES ('Cy', 1, 'ann')");
  id = _attest_store_append_audit_in_tx (store, &entry, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, N_CHAIN + 1);
  _attest_store_rollback (store);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM identities"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit"), ==, N_CHAIN);
  _attest_store_unlock (store);
  assert_intact (store, N_CHAIN);

  /* ... and commit together. */
  db = _attest_store_lock (store);
  g_assert_true (_attest_store_begin (store, &error));
  exec_ok (db, "INSERT INTO identities (name, created_at, created_by) VALUES ('Cy', 1, 'ann')");
  id = _attest_store_append_audit_in_tx (store, &entry, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, N_CHAIN + 1);
  g_assert_true (_attest_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM identities"), ==, 1);
  _attest_store_unlock (store);
  assert_intact (store, N_CHAIN + 1);

  /* at_us 0 means now. */
  {
    g_autoptr (GPtrArray) last = attest_store_list_audit (store, N_CHAIN, 1, &error);
    gint64 at = ((AttestAuditEntry *) last->pdata[0])->at_us;

    g_assert_no_error (error);
    g_assert_cmpint (at, >, 1700000000000000);
    g_assert_cmpint (at, <=, g_get_real_time ());
  }

  g_assert_finalize_object (store);
  rm_rf (tmp);
}

static void
test_audit_invalid (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  AttestAuditEntry entry = { 0 };
  AttestStore *store;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  fill_chain (store);

  entry.action = (char *) "confirm";
  entry.score = NAN;
  entry.threshold = NAN;
  entry.source_ms = -1;

  /* No reviewer: refused, nothing written. */
  g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, -1);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "actor"));
  g_clear_error (&error);

  entry.actor = (char *) "ann";
  entry.score = INFINITY;
  g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, -1);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);

  entry.score = 0.5;
  entry.rationale = (char *) "bad \xff\xfe bytes";
  g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, -1);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);

  assert_intact (store, N_CHAIN);

  /* A valid entry afterwards continues the chain without a gap; -0 is stored as 0. */
  entry.rationale = NULL;
  entry.score = -0.0;
  g_assert_cmpint (attest_store_append_audit (store, &entry, &error), ==, N_CHAIN + 1);
  g_assert_no_error (error);
  assert_intact (store, N_CHAIN + 1);

  g_assert_finalize_object (store);
  rm_rf (tmp);
}

#define N_THREADS 4
#define PER_THREAD 10

static gpointer
append_from_thread (gpointer data)
{
  AttestStore *store = data;

  for (guint i = 0; i < PER_THREAD; i++)
    {
      g_autoptr (GError) error = NULL;
      AttestAuditEntry entry = { 0 };

      entry.actor = (char *) "thread";
      entry.action = (char *) "import";
      entry.source_ms = i;
      entry.score = NAN;
      entry.threshold = NAN;
      g_assert_cmpint (attest_store_append_audit (store, &entry, &error), >, 0);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_audit_threads (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  GThread *threads[N_THREADS];
  AttestStore *store;
  gint64 start;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("append", append_from_thread, store);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_test_message ("%d appends from %d threads: %.1f ms each (synchronous=FULL)",
                  N_THREADS * PER_THREAD, N_THREADS,
                  (g_get_monotonic_time () - start) / 1000.0 / (N_THREADS * PER_THREAD));

  assert_intact (store, N_THREADS * PER_THREAD);
  g_assert_finalize_object (store);
  rm_rf (tmp);
}

/* ---- what changed ---- */

typedef struct
{
  guint n_audit;
  guint n_gallery;
  guint n_any;
  guint last_flags;
} Changes;

static void
on_changed_audit (AttestStore *store,
                  guint        flags,
                  Changes     *changes)
{
  changes->n_audit++;
  changes->last_flags = flags;
}

static void
on_changed_gallery (AttestStore *store,
                    guint        flags,
                    Changes     *changes)
{
  changes->n_gallery++;
}

static void
on_changed_any (AttestStore *store,
                guint        flags,
                Changes     *changes)
{
  changes->n_any++;
}

/* Runs the main context until `count` is at least `want` (a minute at most). */
static gboolean
wait_for_count (const guint *count,
                guint        want)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*count < want && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return *count >= want;
}

static void
append_one (AttestStore *store,
            const char  *actor)
{
  g_autoptr (GError) error = NULL;
  AttestAuditEntry entry = { 0 };

  entry.actor = (char *) actor;
  entry.action = (char *) "import";
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;
  g_assert_cmpint (attest_store_append_audit (store, &entry, &error), >, 0);
  g_assert_no_error (error);
}

/* The store says what changed after every write: its own writes (any thread) with the
 * tables they touched, a failed write not at all, another connection's (another process's)
 * once watched, with every flag. */
static void
test_changed (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (AttestStore) other = NULL;
  Changes changes = { 0 };
  AttestAuditEntry bad = { 0 };
  GThread *thread;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);
  /* What opening wrote (a new gallery's seal) is reported too; start counting after it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (store, "changed::audit", G_CALLBACK (on_changed_audit), &changes);
  g_signal_connect (store, "changed::gallery", G_CALLBACK (on_changed_gallery), &changes);
  g_signal_connect (store, "changed", G_CALLBACK (on_changed_any), &changes);

  /* Not during the write: on the main context, afterwards. */
  append_one (store, "main");
  g_assert_cmpuint (changes.n_audit, ==, 0);
  g_assert_true (wait_for_count (&changes.n_audit, 1));
  g_assert_cmpuint (changes.last_flags & ATTEST_STORE_CHANGE_AUDIT, !=, 0);
  g_assert_cmpuint (changes.last_flags & ATTEST_STORE_CHANGE_GALLERY, ==, 0);
  g_assert_cmpuint (changes.n_gallery, ==, 0);

  /* From another thread: still emitted here, on the main context. */
  thread = g_thread_new ("append", append_from_thread, store);
  g_thread_join (thread);
  g_assert_true (wait_for_count (&changes.n_audit, 2));

  /* A gallery write. */
  g_assert_cmpint (attest_store_ensure_source (store, "file:///tmp/a.mp4",
                                               "ba7816bf8f01cfea414140de5dae2223b00361a3"
                                               "96177a9cb410ff61f20015ad", &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (wait_for_count (&changes.n_gallery, 1));

  /* A refused write changes nothing and says nothing. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  changes.n_any = 0;
  bad.action = (char *) "import";  /* no actor */
  bad.score = bad.threshold = NAN;
  bad.source_ms = -1;
  g_assert_cmpint (attest_store_append_audit (store, &bad, &error), <, 0);
  g_clear_error (&error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (changes.n_any, ==, 0);

  /* Another connection to the same file, as the CLI beside the app. */
  attest_store_watch_others (store, 100);
  other = attest_store_open (path, &error);
  g_assert_no_error (error);
  changes.n_audit = changes.n_gallery = 0;
  {
    /* other's own signals go to this context too; only store's count here. */
    Changes ignored = { 0 };

    g_signal_connect (other, "changed", G_CALLBACK (on_changed_any), &ignored);
    append_one (other, "cli");
    g_assert_true (wait_for_count (&changes.n_gallery, 1));
    g_signal_handlers_disconnect_by_data (other, &ignored);
  }
  g_assert_cmpuint (changes.n_audit, >=, 1);
  g_assert_cmpuint (changes.last_flags, ==, ATTEST_STORE_CHANGE_ALL);

  g_clear_object (&other);
  g_assert_finalize_object (g_steal_pointer (&store));
  rm_rf (tmp);
}

/* ---- the audit log read off the main thread ---- */

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* What the page reads: the same entries and verdict as the plain calls, and a broken chain
 * said the same way. */
static void
test_audit_async (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  g_autoptr (AttestStore) store = attest_store_open (path, &error);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GAsyncResult) listed = NULL;
  g_autoptr (GAsyncResult) checked = NULL;
  g_autoptr (GAsyncResult) checked_again = NULL;
  AttestAuditCheck check = { 0 };
  gint64 bad = 0;

  g_assert_no_error (error);
  for (int i = 0; i < 3; i++)
    append_one (store, "async");

  attest_store_list_audit_async (store, 0, 0, NULL, on_async_done, &listed);
  entries = attest_store_list_audit_finish (store, wait_result (&listed), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[2])->actor, ==, "async");

  attest_store_check_audit_async (store, NULL, on_async_done, &checked);
  g_assert_true (attest_store_check_audit_finish (store, wait_result (&checked), &check, &bad,
                                                  &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_entries, ==, 3);
  g_assert_cmpint (bad, ==, -1);
  attest_audit_check_clear (&check);

  /* Edited behind the store's back: the async check says where, as the plain one does. */
  g_free (run_sqlite3 (path, "DROP TRIGGER audit_no_update;"
                             " UPDATE audit SET actor = 'someone else' WHERE id = 2;"));
  attest_store_check_audit_async (store, NULL, on_async_done, &checked_again);
  g_assert_false (attest_store_check_audit_finish (store, wait_result (&checked_again), &check,
                                                   &bad, &error));
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_assert_cmpint (bad, ==, 2);
  attest_audit_check_clear (&check);

  g_clear_object (&store);
  rm_rf (tmp);
}

/* ---- sources and hashing ---- */

static void
test_sources (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "gallery.db", NULL);
  const char *sha_a = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  const char *sha_a_upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
  const char *sha_b = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  AttestStore *store;
  gint64 a, again, upper, b;
  sqlite3 *db;

  store = attest_store_open (path, &error);
  g_assert_no_error (error);

  a = attest_store_ensure_source (store, "file:///cam1.mp4", sha_a, &error);
  g_assert_no_error (error);
  again = attest_store_ensure_source (store, "file:///renamed.mp4", sha_a, &error);
  g_assert_no_error (error);
  upper = attest_store_ensure_source (store, NULL, sha_a_upper, &error);
  g_assert_no_error (error);
  b = attest_store_ensure_source (store, "file:///cam2.mp4", sha_b, &error);
  g_assert_no_error (error);

  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (again, ==, a);
  g_assert_cmpint (upper, ==, a);
  g_assert_cmpint (b, !=, a);

  g_assert_cmpint (attest_store_ensure_source (store, "file:///x", "abc", &error), ==, -1);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);

  db = _attest_store_lock (store);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM sources"), ==, 2);
  {
    /* The first URI seen is kept. */
    g_autofree char *uri = query_text (db, "SELECT uri FROM sources WHERE sha256 = "
                                           "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'");
    g_assert_cmpstr (uri, ==, "file:///cam1.mp4");
  }
  _attest_store_unlock (store);

  g_assert_finalize_object (store);
  rm_rf (tmp);
}

static void
test_file_sha256 (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *abc_path = g_build_filename (tmp, "abc.txt", NULL);
  g_autofree char *big_path = g_build_filename (tmp, "big.bin", NULL);
  g_autofree char *missing_path = g_build_filename (tmp, "missing", NULL);
  g_autoptr (GFile) abc = g_file_new_for_path (abc_path);
  g_autoptr (GFile) big = g_file_new_for_path (big_path);
  g_autoptr (GFile) missing = g_file_new_for_path (missing_path);
  g_autofree guint8 *data = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  const gsize big_size = 200 * 1024 + 17;  /* several 64 KiB chunks and a partial one */

  write_file (abc_path, "abc", 3);
  got = attest_file_sha256 (abc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_clear_pointer (&got, g_free);

  data = g_malloc (big_size);
  for (gsize i = 0; i < big_size; i++)
    data[i] = (guint8) (i * 131 + (i >> 8));
  write_file (big_path, (const char *) data, big_size);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, big_size);
  got = attest_file_sha256 (big, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, expected);
  g_clear_pointer (&got, g_free);

  got = attest_file_sha256 (missing, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  rm_rf (tmp);
}

/* ---- async ---- */

typedef struct
{
  GMainLoop   *loop;
  AttestStore *store;
  GError      *error;
} AsyncResult;

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->store = attest_store_open_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
iterate_until_finalized (GWeakRef *weak)
{
  GObject *alive;

  /* The worker hands its references back through the main context; no timing involved. */
  while ((alive = g_weak_ref_get (weak)) != NULL)
    {
      g_object_unref (alive);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_open_async (void)
{
  g_autofree char *tmp = make_tmpdir ();
  g_autofree char *path = g_build_filename (tmp, "sub", "gallery.db", NULL);
  g_autofree char *text = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  AsyncResult r = { 0 };
  GWeakRef weak;

  r.loop = g_main_loop_new (NULL, FALSE);

  attest_store_open_async (path, NULL, opened_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);
  g_assert_true (ATTEST_IS_STORE (r.store));
  g_assert_cmpstr (attest_store_get_path (r.store), ==, path);
  g_assert_cmpint (attest_store_get_schema_version (r.store), ==, ATTEST_STORE_SCHEMA_VERSION);
  assert_gallery_connection (r.store);
  assert_intact (r.store, 0);

  g_weak_ref_init (&weak, r.store);
  g_clear_object (&r.store);
  iterate_until_finalized (&weak);
  g_weak_ref_clear (&weak);
  /* Finalized on this thread, so the database is closed (checkpointed) by now. */
  assert_no_side_files (path);

  /* Refusals come back through the callback too, file untouched. */
  write_file (text, "not a database\n", -1);
  before = sha256_of (text);
  attest_store_open_async (text, NULL, opened_cb, &r);
  g_main_loop_run (r.loop);
  g_assert_null (r.store);
  g_assert_error (r.error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&r.error);
  after = sha256_of (text);
  g_assert_cmpstr (after, ==, before);
  assert_no_side_files (text);

  g_main_loop_unref (r.loop);
  rm_rf (tmp);
}

static void
test_default_path (void)
{
  g_autofree char *path = attest_store_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "attest", "gallery.db",
                                                NULL);

  g_assert_cmpstr (path, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/open/new", test_open_new);
  g_test_add_func ("/store/open/zero-bytes", test_open_zero_bytes);
  g_test_add_func ("/store/open/bad-location", test_open_bad_location);
  g_test_add_func ("/store/open/async", test_open_async);
  g_test_add_func ("/store/open/default-path", test_default_path);

  g_test_add_func ("/store/migration/table", test_migration_table);
  for (guint i = 0; i < G_N_ELEMENTS (migration_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/store/migration/v%d-to-v%d",
                                               migration_cases[i].version - 1,
                                               migration_cases[i].version);
      g_test_add_data_func (name, &migration_cases[i], test_migration_step);
    }

  g_test_add_func ("/store/refuse/text", test_refuse_text);
  g_test_add_func ("/store/refuse/images", test_refuse_images);
  g_test_add_func ("/store/refuse/damaged", test_refuse_damaged);
  g_test_add_func ("/store/refuse/foreign", test_refuse_foreign);
  g_test_add_func ("/store/refuse/too-new", test_refuse_too_new);

  g_test_add_func ("/store/audit/chain", test_audit_chain);
  g_test_add_func ("/store/audit/tamper", test_audit_tamper);
  g_test_add_func ("/store/audit/migrated", test_audit_migrated);
  g_test_add_func ("/store/audit/strip", test_audit_strip);
  g_test_add_func ("/store/audit/keys", test_audit_keys);
  g_test_add_func ("/store/open/hands-off", test_open_hands_off);
  g_test_add_func ("/store/audit/append-only", test_audit_append_only);
  g_test_add_func ("/store/audit/in-transaction", test_audit_in_transaction);
  g_test_add_func ("/store/audit/invalid", test_audit_invalid);
  g_test_add_func ("/store/audit/threads", test_audit_threads);
  g_test_add_func ("/store/changed", test_changed);
  g_test_add_func ("/store/audit/async", test_audit_async);

  g_test_add_func ("/store/sources", test_sources);
  g_test_add_func ("/store/file-sha256", test_file_sha256);

  return g_test_run ();
}

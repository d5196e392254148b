/* attest-store-schema.c: the gallery schema as ordered migration steps keyed by
 * PRAGMA user_version.
 *
 * Never edit a released step: add a new one (version N + 1), bump ATTEST_STORE_SCHEMA_VERSION
 * and add its case to tests/test-store.c (migration_cases).
 *
 * Conventions: times are UTC microseconds (INTEGER), hashes lowercase hex SHA-256 (TEXT),
 * boxes are pixels of the frame they were found in (REAL), embeddings are float32 arrays in
 * host byte order (BLOB, 4 * embedding_dim bytes). */
#include "config.h"

#include <glib/gi18n.h>

#include "attest-store-private.h"

static const AttestStoreMigration migrations[] = {
  {
    1,
    /* People in the gallery. Names are unique ignoring case so "Ann" and "ann" are one. */
    "CREATE TABLE identities ("
    "  id          INTEGER PRIMARY KEY,"
    "  name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length (trim (name)) > 0),"
    "  notes       TEXT,"
    "  created_at  INTEGER NOT NULL,"
    "  created_by  TEXT NOT NULL"
    ");"

    /* Files faces and probes came from, by content hash (the UNIQUE index serves lookups). */
    "CREATE TABLE sources ("
    "  id             INTEGER PRIMARY KEY,"
    "  uri            TEXT,"
    "  sha256         TEXT NOT NULL UNIQUE CHECK (length (sha256) = 64),"
    "  first_seen_at  INTEGER NOT NULL"
    ");"

    /* Enrolled gallery faces with their provenance (who, when, from where, on what basis).
     * file_sha256 lets a folder import skip files it has already taken. */
    "CREATE TABLE faces ("
    "  id             INTEGER PRIMARY KEY,"
    "  identity_id    INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  embedding      BLOB NOT NULL,"
    "  embedding_dim  INTEGER NOT NULL"
    "                 CHECK (embedding_dim > 0 AND length (embedding) = 4 * embedding_dim),"
    "  model_id       TEXT NOT NULL,"
    "  thumbnail_png  BLOB,"
    "  source_id      INTEGER REFERENCES sources (id),"
    "  source_uri     TEXT,"
    "  source_ms      INTEGER,"
    "  box_x          REAL,"
    "  box_y          REAL,"
    "  box_w          REAL,"
    "  box_h          REAL,"
    "  file_sha256    TEXT,"
    "  enrolled_by    TEXT NOT NULL,"
    "  enrolled_at    INTEGER NOT NULL,"
    "  basis          TEXT"
    ");"
    "CREATE INDEX faces_identity ON faces (identity_id);"
    "CREATE INDEX faces_file_sha256 ON faces (file_sha256);"

    /* A match exists only as a reviewer's confirmation: who, when, why, on what score and
     * threshold and model, for which probe (source, time, frame, box). An identity that has
     * confirmed matches cannot be deleted (RESTRICT): merge moves them instead. */
    "CREATE TABLE matches ("
    "  id           INTEGER PRIMARY KEY,"
    "  identity_id  INTEGER NOT NULL REFERENCES identities (id) ON DELETE RESTRICT,"
    "  face_id      INTEGER REFERENCES faces (id) ON DELETE SET NULL,"
    "  source_id    INTEGER NOT NULL REFERENCES sources (id),"
    "  source_ms    INTEGER NOT NULL,"
    "  frame        INTEGER,"
    "  track        INTEGER,"
    "  box_x        REAL NOT NULL,"
    "  box_y        REAL NOT NULL,"
    "  box_w        REAL NOT NULL,"
    "  box_h        REAL NOT NULL,"
    "  score        REAL NOT NULL,"
    "  threshold    REAL NOT NULL,"
    "  model_id     TEXT NOT NULL,"
    "  reviewer     TEXT NOT NULL CHECK (length (trim (reviewer)) > 0),"
    "  decided_at   INTEGER NOT NULL,"
    "  rationale    TEXT,"
    "  audit_id     INTEGER REFERENCES audit (id)"
    ");"
    "CREATE INDEX matches_identity ON matches (identity_id);"
    "CREATE INDEX matches_source ON matches (source_id, source_ms);"

    /* "Not this person": a rejected suggestion is kept as negative evidence so it is never
     * suggested again for that probe / track. */
    "CREATE TABLE rejections ("
    "  id           INTEGER PRIMARY KEY,"
    "  identity_id  INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  face_id      INTEGER REFERENCES faces (id) ON DELETE SET NULL,"
    "  source_id    INTEGER NOT NULL REFERENCES sources (id),"
    "  source_ms    INTEGER NOT NULL,"
    "  frame        INTEGER,"
    "  track        INTEGER,"
    "  box_x        REAL NOT NULL,"
    "  box_y        REAL NOT NULL,"
    "  box_w        REAL NOT NULL,"
    "  box_h        REAL NOT NULL,"
    "  score        REAL,"
    "  threshold    REAL,"
    "  model_id     TEXT,"
    "  reviewer     TEXT NOT NULL CHECK (length (trim (reviewer)) > 0),"
    "  decided_at   INTEGER NOT NULL,"
    "  rationale    TEXT,"
    "  audit_id     INTEGER REFERENCES audit (id)"
    ");"
    "CREATE INDEX rejections_identity ON rejections (identity_id);"
    "CREATE INDEX rejections_source ON rejections (source_id, source_ms);"

    /* The hash-chained audit log (format in attest-store-audit.c). Append-only for every
     * connection that does not first drop these triggers. */
    "CREATE TABLE audit ("
    "  id             INTEGER PRIMARY KEY,"
    "  at_us          INTEGER NOT NULL,"
    "  actor          TEXT NOT NULL,"
    "  action         TEXT NOT NULL,"
    "  subject        TEXT,"
    "  source_sha256  TEXT,"
    "  source_ms      INTEGER,"
    "  score          REAL,"
    "  threshold      REAL,"
    "  model_id       TEXT,"
    "  rationale      TEXT,"
    "  details        TEXT,"
    "  prev_hash      TEXT NOT NULL,"
    "  hash           TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_subject ON audit (subject);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE (ABORT, 'the audit log is append-only'); END;"

    /* The audit head (entry count and newest hash), updated in the same transaction as each
     * append: deleting the newest entries breaks it. */
    "CREATE TABLE attest_meta ("
    "  key    TEXT PRIMARY KEY,"
    "  value"
    ") WITHOUT ROWID;"
    "INSERT INTO attest_meta (key, value) VALUES"
    "  ('audit_count', 0),"
    "  ('audit_head', '0000000000000000000000000000000000000000000000000000000000000000');"
    "CREATE TRIGGER attest_meta_keep_audit_head BEFORE DELETE ON attest_meta"
    "  WHEN old.key IN ('audit_count', 'audit_head')"
    "  BEGIN SELECT RAISE (ABORT, 'the audit head cannot be deleted'); END;"
  },
  {
    2,
    /* What the analysis proposes for a reviewer to decide: a probe (source, time, frame, box,
     * image, embedding) and its candidates as a JSON array of
     * {identity_id, name, score, face_id}. Items are kept whatever the decision. */
    "CREATE TABLE review_items ("
    "  id               INTEGER PRIMARY KEY,"
    "  source_id        INTEGER NOT NULL REFERENCES sources (id),"
    "  source_uri       TEXT,"
    "  track            INTEGER,"
    "  start_ms         INTEGER NOT NULL,"
    "  end_ms           INTEGER NOT NULL,"
    "  best_ms          INTEGER NOT NULL,"
    "  best_frame       INTEGER,"
    "  box_x            REAL NOT NULL,"
    "  box_y            REAL NOT NULL,"
    "  box_w            REAL NOT NULL,"
    "  box_h            REAL NOT NULL,"
    "  probe_png        BLOB,"
    "  probe_embedding  BLOB,"
    "  model_id         TEXT NOT NULL,"
    "  threshold        REAL NOT NULL,"
    "  candidates       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid (candidates)),"
    "  status           TEXT NOT NULL DEFAULT 'pending'"
    "                   CHECK (status IN ('pending', 'confirmed', 'rejected', 'skipped', 'unsure')),"
    "  created_at       INTEGER NOT NULL"
    ");"
    "CREATE INDEX review_items_status ON review_items (status, id);"
    "CREATE INDEX review_items_source ON review_items (source_id, track);"

    /* An undone decision stays as evidence, marked revoked by the "undo" entry. */
    "ALTER TABLE matches ADD COLUMN review_item_id INTEGER REFERENCES review_items (id);"
    "ALTER TABLE matches ADD COLUMN revoked_at INTEGER;"
    "ALTER TABLE matches ADD COLUMN revoked_audit_id INTEGER REFERENCES audit (id);"
    "CREATE INDEX matches_review_item ON matches (review_item_id);"
    "CREATE INDEX matches_audit ON matches (audit_id);"
    "ALTER TABLE rejections ADD COLUMN review_item_id INTEGER REFERENCES review_items (id);"
    "ALTER TABLE rejections ADD COLUMN revoked_at INTEGER;"
    "ALTER TABLE rejections ADD COLUMN revoked_audit_id INTEGER REFERENCES audit (id);"
    "CREATE INDEX rejections_review_item ON rejections (review_item_id);"
    "CREATE INDEX rejections_audit ON rejections (audit_id);"
  },
  {
    3,
    /* How far each source file (by content) has been scanned, so an interrupted scan resumes
     * where it stopped: with which model, threshold and frame step, up to which stream time
     * (a point no track of the scan spans: every track before it has its item, none after it
     * has), and whether the whole file is done. Written in the same transaction as the items
     * of the tracks that ended before scanned_to_ms. */
    "CREATE TABLE scans ("
    "  source_id      INTEGER PRIMARY KEY REFERENCES sources (id),"
    "  model_id       TEXT NOT NULL,"
    "  threshold      REAL NOT NULL,"
    "  every          INTEGER NOT NULL CHECK (every >= 1),"
    "  scanned_to_ms  INTEGER NOT NULL DEFAULT 0 CHECK (scanned_to_ms >= 0),"
    "  duration_ms    INTEGER,"
    "  completed      INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),"
    "  started_at     INTEGER NOT NULL,"
    "  updated_at     INTEGER NOT NULL"
    ");"

    /* More crops of an item's track besides its probe, for the reviewer (PNG). */
    "CREATE TABLE review_frames ("
    "  id       INTEGER PRIMARY KEY,"
    "  item_id  INTEGER NOT NULL REFERENCES review_items (id) ON DELETE CASCADE,"
    "  ms       INTEGER NOT NULL,"
    "  png      BLOB NOT NULL CHECK (length (png) > 0)"
    ");"
    "CREATE INDEX review_frames_item ON review_frames (item_id, ms);"
  },
  {
    4,
    /* Audit entries authenticated with the installation key (attest-key.h), which the
     * database never holds: the key's id and the entry's HMAC; NULL in entries written
     * before (the first keyed entry seals them). The head gets its key and HMAC too, and the
     * gallery a random id, which the head's HMAC covers. */
    "ALTER TABLE audit ADD COLUMN key_id TEXT;"
    "ALTER TABLE audit ADD COLUMN mac TEXT;"
    "INSERT INTO attest_meta (key, value) VALUES"
    "  ('audit_head_key', NULL),"
    "  ('audit_head_mac', NULL),"
    "  ('gallery_id', lower (hex (randomblob (16))));"
    "DROP TRIGGER attest_meta_keep_audit_head;"
    "CREATE TRIGGER attest_meta_keep_audit_head BEFORE DELETE ON attest_meta"
    "  WHEN old.key IN ('audit_count', 'audit_head', 'audit_head_key', 'audit_head_mac',"
    "                   'gallery_id')"
    "  BEGIN SELECT RAISE (ABORT, 'the audit head cannot be deleted'); END;"
    "CREATE TRIGGER attest_meta_keep_gallery_id BEFORE UPDATE ON attest_meta"
    "  WHEN old.key = 'gallery_id'"
    "  BEGIN SELECT RAISE (ABORT, 'the gallery id cannot be changed'); END;"
  },
  {
    5,
    /* Ids are never used twice (AUTOINCREMENT), so that "identity:6" in the audit log means one
     * record for ever, even after a delete. SQLite's table rebuild, with foreign keys off for
     * the step and checked before it commits; the sequences start above every id the table or
     * the audit log has used. */
    "CREATE TABLE identities_new ("
    "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length (trim (name)) > 0),"
    "  notes       TEXT,"
    "  created_at  INTEGER NOT NULL,"
    "  created_by  TEXT NOT NULL"
    ");"
    "INSERT INTO identities_new (id, name, notes, created_at, created_by)"
    "  SELECT id, name, notes, created_at, created_by FROM identities;"
    "DROP TABLE identities;"
    "ALTER TABLE identities_new RENAME TO identities;"

    "CREATE TABLE faces_new ("
    "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  identity_id    INTEGER NOT NULL REFERENCES identities (id) ON DELETE CASCADE,"
    "  embedding      BLOB NOT NULL,"
    "  embedding_dim  INTEGER NOT NULL"
    "                 CHECK (embedding_dim > 0 AND length (embedding) = 4 * embedding_dim),"
    "  model_id       TEXT NOT NULL,"
    "  thumbnail_png  BLOB,"
    "  source_id      INTEGER REFERENCES sources (id),"
    "  source_uri     TEXT,"
    "  source_ms      INTEGER,"
    "  box_x          REAL,"
    "  box_y          REAL,"
    "  box_w          REAL,"
    "  box_h          REAL,"
    "  file_sha256    TEXT,"
    "  enrolled_by    TEXT NOT NULL,"
    "  enrolled_at    INTEGER NOT NULL,"
    "  basis          TEXT"
    ");"
    "INSERT INTO faces_new SELECT id, identity_id, embedding, embedding_dim, model_id,"
    "  thumbnail_png, source_id, source_uri, source_ms, box_x, box_y, box_w, box_h, file_sha256,"
    "  enrolled_by, enrolled_at, basis FROM faces;"
    "DROP TABLE faces;"
    "ALTER TABLE faces_new RENAME TO faces;"
    "CREATE INDEX faces_identity ON faces (identity_id);"
    "CREATE INDEX faces_file_sha256 ON faces (file_sha256);"

    "CREATE TABLE review_items_new ("
    "  id               INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  source_id        INTEGER NOT NULL REFERENCES sources (id),"
    "  source_uri       TEXT,"
    "  track            INTEGER,"
    "  start_ms         INTEGER NOT NULL,"
    "  end_ms           INTEGER NOT NULL,"
    "  best_ms          INTEGER NOT NULL,"
    "  best_frame       INTEGER,"
    "  box_x            REAL NOT NULL,"
    "  box_y            REAL NOT NULL,"
    "  box_w            REAL NOT NULL,"
    "  box_h            REAL NOT NULL,"
    "  probe_png        BLOB,"
    "  probe_embedding  BLOB,"
    "  model_id         TEXT NOT NULL,"
    "  threshold        REAL NOT NULL,"
    "  candidates       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid (candidates)),"
    "  status           TEXT NOT NULL DEFAULT 'pending'"
    "                   CHECK (status IN ('pending', 'confirmed', 'rejected', 'skipped', 'unsure')),"
    "  created_at       INTEGER NOT NULL"
    ");"
    "INSERT INTO review_items_new SELECT id, source_id, source_uri, track, start_ms, end_ms,"
    "  best_ms, best_frame, box_x, box_y, box_w, box_h, probe_png, probe_embedding, model_id,"
    "  threshold, candidates, status, created_at FROM review_items;"
    "DROP TABLE review_items;"
    "ALTER TABLE review_items_new RENAME TO review_items;"
    "CREATE INDEX review_items_status ON review_items (status, id);"
    "CREATE INDEX review_items_source ON review_items (source_id, track);"

    "CREATE TABLE matches_new ("
    "  id                INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  identity_id       INTEGER NOT NULL REFERENCES identities (id) ON DELETE RESTRICT,"
    "  face_id           INTEGER REFERENCES faces (id) ON DELETE SET NULL,"
    "  source_id         INTEGER NOT NULL REFERENCES sources (id),"
    "  source_ms         INTEGER NOT NULL,"
    "  frame             INTEGER,"
    "  track             INTEGER,"
    "  box_x             REAL NOT NULL,"
    "  box_y             REAL NOT NULL,"
    "  box_w             REAL NOT NULL,"
    "  box_h             REAL NOT NULL,"
    "  score             REAL NOT NULL,"
    "  threshold         REAL NOT NULL,"
    "  model_id          TEXT NOT NULL,"
    "  reviewer          TEXT NOT NULL CHECK (length (trim (reviewer)) > 0),"
    "  decided_at        INTEGER NOT NULL,"
    "  rationale         TEXT,"
    "  audit_id          INTEGER REFERENCES audit (id),"
    "  review_item_id    INTEGER REFERENCES review_items (id),"
    "  revoked_at        INTEGER,"
    "  revoked_audit_id  INTEGER REFERENCES audit (id)"
    ");"
    "INSERT INTO matches_new SELECT id, identity_id, face_id, source_id, source_ms, frame, track,"
    "  box_x, box_y, box_w, box_h, score, threshold, model_id, reviewer, decided_at, rationale,"
    "  audit_id, review_item_id, revoked_at, revoked_audit_id FROM matches;"
    "DROP TABLE matches;"
    "ALTER TABLE matches_new RENAME TO matches;"
    "CREATE INDEX matches_identity ON matches (identity_id);"
    "CREATE INDEX matches_source ON matches (source_id, source_ms);"
    "CREATE INDEX matches_review_item ON matches (review_item_id);"
    "CREATE INDEX matches_audit ON matches (audit_id);"

    "DELETE FROM sqlite_sequence WHERE name = 'identities';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'identities', max ("
    "  coalesce ((SELECT max (id) FROM identities), 0),"
    "  coalesce ((SELECT max (CAST (substr (subject, 10) AS INTEGER)) FROM audit"
    "             WHERE subject LIKE 'identity:%'), 0),"
    "  coalesce ((SELECT max (max (coalesce (json_extract (details, '$.identity_id'), 0),"
    "                          coalesce (json_extract (details, '$.from_id'), 0),"
    "                          coalesce (json_extract (details, '$.into_id'), 0)))"
    "             FROM audit WHERE json_valid (details)), 0));"
    "DELETE FROM sqlite_sequence WHERE name = 'faces';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'faces', max ("
    "  coalesce ((SELECT max (id) FROM faces), 0),"
    "  coalesce ((SELECT max (CAST (substr (subject, 6) AS INTEGER)) FROM audit"
    "             WHERE subject LIKE 'face:%'), 0),"
    "  coalesce ((SELECT max (json_extract (details, '$.face_id')) FROM audit"
    "             WHERE json_valid (details)), 0));"
    "DELETE FROM sqlite_sequence WHERE name = 'review_items';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'review_items', max ("
    "  coalesce ((SELECT max (id) FROM review_items), 0),"
    "  coalesce ((SELECT max (CAST (substr (subject, 6) AS INTEGER)) FROM audit"
    "             WHERE subject LIKE 'item:%'), 0),"
    "  coalesce ((SELECT max (json_extract (details, '$.item_id')) FROM audit"
    "             WHERE json_valid (details)), 0));"
    "DELETE FROM sqlite_sequence WHERE name = 'matches';"
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'matches', max ("
    "  coalesce ((SELECT max (id) FROM matches), 0),"
    "  coalesce ((SELECT max (CAST (substr (subject, 7) AS INTEGER)) FROM audit"
    "             WHERE subject LIKE 'match:%'), 0));"
    ,
    TRUE,
  },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ATTEST_STORE_SCHEMA_VERSION);

const AttestStoreMigration *
_attest_store_get_migrations (guint *n_migrations)
{
  if (n_migrations != NULL)
    *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_user_version (sqlite3  *db,
                   int      *version,
                   GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the schema version"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

/* After a rebuild with foreign keys off: every reference must still hold. */
static gboolean
check_foreign_keys (sqlite3     *db,
                    const char  *what,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *table = g_strdup ((const char *) sqlite3_column_text (stmt, 0));

      sqlite3_finalize (stmt);
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("%s: a row of “%s” refers to one that does not exist"), what, table);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
_attest_store_migrate (sqlite3             *db,
                       int                  target_version,
                       AttestStoreStepHook  after_step,
                       gpointer             data,
                       GError             **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (target_version >= 0 &&
                        target_version <= ATTEST_STORE_SCHEMA_VERSION, FALSE);

  for (;;)
    {
      const AttestStoreMigration *step;
      g_autofree char *set_version = NULL;
      g_autofree char *what = NULL;
      gboolean keys_off = FALSE;
      int current;

      /* A step that rebuilds tables runs with foreign keys off (they cannot change inside a
       * transaction); which step comes next is only known inside it, so peek first. */
      if (!read_user_version (db, &current, error))
        return FALSE;
      /* Up to date: no write lock taken, so opening never waits on (or blocks) a writer. */
      if (current >= target_version)
        return TRUE;
      if (migrations[current].rebuilds_tables)
        {
          if (!exec_sql (db, "PRAGMA foreign_keys = OFF", _("Could not start the schema update"),
                         error))
            return FALSE;
          keys_off = TRUE;
        }

      if (!exec_sql (db, "BEGIN IMMEDIATE", _("Could not start the schema update"), error))
        goto restore_keys;

      if (!read_user_version (db, &current, error))
        goto fail;

      if (current >= target_version)
        {
          gboolean done = exec_sql (db, "COMMIT", _("Could not finish the schema update"), error);

          if (keys_off)
            sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
          return done;
        }

      step = &migrations[current];
      if (step->rebuilds_tables && !keys_off)
        {
          /* Another process migrated in between: start this step again with keys off. */
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          continue;
        }
      g_assert (step->version == current + 1);

      what = g_strdup_printf (_("Could not update the gallery to schema %d"), step->version);
      if (!exec_sql (db, step->sql, what, error))
        goto fail;
      if (after_step != NULL && !after_step (step->version, data, error))
        goto fail;
      if (step->rebuilds_tables && !check_foreign_keys (db, what, error))
        goto fail;

      set_version = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                     step->version, ATTEST_STORE_APPLICATION_ID);
      if (!exec_sql (db, set_version, what, error) ||
          !exec_sql (db, "COMMIT", what, error))
        goto fail;

      if (keys_off)
        sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
      continue;

    fail:
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    restore_keys:
      if (keys_off)
        sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
      return FALSE;
    }
}

/* attest-store-matches.c: reading confirmed matches back (see attest-matches.h).
 *
 * One SELECT under the store's lock. A database at schema 1 (tests open one with
 * _attest_store_open_at_version) has no review items and no revocation: those fields read as
 * none. The match-id selection is bound as one JSON array (json_each), never spliced into the
 * SQL text. */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "attest-matches.h"
#include "attest-store-gallery-private.h"
#include "attest-store-private.h"

void
attest_match_record_free (AttestMatchRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->identity_name);
  g_free (record->confirmed_name);
  g_free (record->source_uri);
  g_free (record->source_sha256);
  g_free (record->model_id);
  g_free (record->reviewer);
  g_free (record->rationale);
  g_clear_pointer (&record->probe_png, g_bytes_unref);
  g_clear_pointer (&record->gallery_png, g_bytes_unref);
  g_free (record);
}

void
attest_match_source_free (AttestMatchSource *source)
{
  if (source == NULL)
    return;
  g_free (source->uri);
  g_free (source->sha256);
  g_free (source);
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           i)
{
  if (sqlite3_column_type (stmt, i) != SQLITE_BLOB)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, i), sqlite3_column_bytes (stmt, i));
}

static gint64
column_id (sqlite3_stmt *stmt,
           int           i)
{
  return sqlite3_column_type (stmt, i) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, i);
}

static char *
ids_to_json (const gint64 *ids,
             guint         n)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

GPtrArray *
attest_store_list_matches (AttestStore             *self,
                           const AttestMatchFilter *filter,
                           GError                 **error)
{
  static const AttestMatchFilter all = ATTEST_MATCH_FILTER_INIT;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *ids_json = NULL;
  gboolean v2;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (filter == NULL)
    filter = &all;
  v2 = attest_store_get_schema_version (self) >= 2;
  if (filter->match_ids != NULL)
    ids_json = ids_to_json (filter->match_ids, filter->n_match_ids);

  sql = g_strdup_printf (
    "SELECT m.id, m.identity_id, i.name, m.face_id, m.source_id, s.uri, s.sha256, m.source_ms,"
    "  m.frame, m.track, m.box_x, m.box_y, m.box_w, m.box_h, m.score, m.threshold, m.model_id,"
    "  m.reviewer, m.decided_at, m.rationale, m.audit_id, %s, %s, %s, %s,"
    /* The matched face's thumbnail, else the identity's first face that has one. */
    "  coalesce ((SELECT f.thumbnail_png FROM faces f"
    "             WHERE f.id = m.face_id AND f.thumbnail_png IS NOT NULL),"
    "            (SELECT f.thumbnail_png FROM faces f"
    "             WHERE f.identity_id = m.identity_id AND f.thumbnail_png IS NOT NULL"
    "             ORDER BY f.id LIMIT 1)),"
    /* The name and identity as the reviewer confirmed them (renames and merges come later). */
    "  (SELECT json_extract (a.details, '$.name') FROM audit a"
    "   WHERE a.id = m.audit_id AND json_valid (a.details)),"
    "  (SELECT json_extract (a.details, '$.identity_id') FROM audit a"
    "   WHERE a.id = m.audit_id AND json_valid (a.details))"
    " FROM matches m JOIN sources s ON s.id = m.source_id"
    "  JOIN identities i ON i.id = m.identity_id"
    " WHERE (?1 IS NULL OR s.sha256 = ?1)"
    "  AND (?2 < 0 OR m.source_ms >= ?2)"
    "  AND (?3 < 0 OR m.source_ms <= ?3)"
    "  AND (?4 IS NULL OR m.id IN (SELECT value FROM json_each (?4)))"
    "  %s"
    " ORDER BY m.id",
    v2 ? "m.review_item_id" : "NULL",
    v2 ? "m.revoked_at" : "NULL",
    v2 ? "m.revoked_audit_id" : "NULL",
    v2 ? "(SELECT r.probe_png FROM review_items r WHERE r.id = m.review_item_id)" : "NULL",
    v2 && !filter->include_revoked ? "AND m.revoked_at IS NULL" : "");

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_match_record_free);
  db = _attest_store_lock (self);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (filter->source_sha256 != NULL)
        sqlite3_bind_text (stmt, 1, filter->source_sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, filter->from_ms);
      sqlite3_bind_int64 (stmt, 3, filter->to_ms);
      if (ids_json != NULL)
        sqlite3_bind_text (stmt, 4, ids_json, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          AttestMatchRecord *m = g_new0 (AttestMatchRecord, 1);

          m->id = sqlite3_column_int64 (stmt, 0);
          m->identity_id = sqlite3_column_int64 (stmt, 1);
          m->identity_name = column_strdup (stmt, 2);
          m->face_id = column_id (stmt, 3);
          m->source_id = sqlite3_column_int64 (stmt, 4);
          m->source_uri = column_strdup (stmt, 5);
          m->source_sha256 = column_strdup (stmt, 6);
          m->source_ms = sqlite3_column_int64 (stmt, 7);
          m->frame = column_id (stmt, 8);
          m->track = column_id (stmt, 9);
          m->box_x = sqlite3_column_double (stmt, 10);
          m->box_y = sqlite3_column_double (stmt, 11);
          m->box_w = sqlite3_column_double (stmt, 12);
          m->box_h = sqlite3_column_double (stmt, 13);
          m->score = sqlite3_column_double (stmt, 14);
          m->threshold = sqlite3_column_double (stmt, 15);
          m->model_id = column_strdup (stmt, 16);
          m->reviewer = column_strdup (stmt, 17);
          m->decided_at = sqlite3_column_int64 (stmt, 18);
          m->rationale = column_strdup (stmt, 19);
          m->audit_id = column_id (stmt, 20);
          m->review_item_id = column_id (stmt, 21);
          m->revoked_at = sqlite3_column_type (stmt, 22) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 22);
          m->revoked_audit_id = column_id (stmt, 23);
          m->probe_png = column_bytes (stmt, 24);
          m->gallery_png = column_bytes (stmt, 25);
          m->confirmed_name = sqlite3_column_type (stmt, 26) == SQLITE_TEXT
                              ? column_strdup (stmt, 26) : g_strdup (m->identity_name);
          m->confirmed_identity_id = sqlite3_column_type (stmt, 27) == SQLITE_INTEGER
                                     ? sqlite3_column_int64 (stmt, 27) : m->identity_id;
          g_ptr_array_add (records, m);
        }
    }
  if (rc != SQLITE_DONE)
    _attest_store_set_sqlite_error (error, db, rc, _("Could not read the confirmed matches"));
  sqlite3_finalize (stmt);
  _attest_store_unlock (self);
  return rc == SQLITE_DONE ? g_steal_pointer (&records) : NULL;
}

GPtrArray *
attest_store_list_sources_with_matches (AttestStore  *self,
                                        GError      **error)
{
  g_autoptr (GPtrArray) sources = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;
  const char *sql =
    attest_store_get_schema_version (self) >= 2
      ? "SELECT s.id, s.uri, s.sha256, count (*), min (m.source_ms), max (m.source_ms)"
        " FROM matches m JOIN sources s ON s.id = m.source_id"
        " WHERE m.revoked_at IS NULL GROUP BY s.id ORDER BY s.id"
      : "SELECT s.id, s.uri, s.sha256, count (*), min (m.source_ms), max (m.source_ms)"
        " FROM matches m JOIN sources s ON s.id = m.source_id GROUP BY s.id ORDER BY s.id";

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sources = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_match_source_free);
  db = _attest_store_lock (self);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        AttestMatchSource *s = g_new0 (AttestMatchSource, 1);

        s->id = sqlite3_column_int64 (stmt, 0);
        s->uri = column_strdup (stmt, 1);
        s->sha256 = column_strdup (stmt, 2);
        s->n_matches = (guint) sqlite3_column_int64 (stmt, 3);
        s->first_ms = sqlite3_column_int64 (stmt, 4);
        s->last_ms = sqlite3_column_int64 (stmt, 5);
        g_ptr_array_add (sources, s);
      }
  if (rc != SQLITE_DONE)
    _attest_store_set_sqlite_error (error, db, rc, _("Could not read the sources with matches"));
  sqlite3_finalize (stmt);
  _attest_store_unlock (self);
  return rc == SQLITE_DONE ? g_steal_pointer (&sources) : NULL;
}

/* ---- matches against their confirmations ---- */

void
attest_match_problem_free (AttestMatchProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->differs);
  g_free (problem->message);
  g_free (problem);
}

static gboolean
same_text (sqlite3_stmt *stmt,
           int           a,
           int           b)
{
  return g_strcmp0 ((const char *) sqlite3_column_text (stmt, a),
                    (const char *) sqlite3_column_text (stmt, b)) == 0;
}

static gboolean
same_number (sqlite3_stmt *stmt,
             int           a,
             int           b)
{
  if (sqlite3_column_type (stmt, a) == SQLITE_NULL || sqlite3_column_type (stmt, b) == SQLITE_NULL)
    return sqlite3_column_type (stmt, a) == sqlite3_column_type (stmt, b);
  /* The entry's values are those the match was written with, to the bit. */
  return sqlite3_column_double (stmt, a) == sqlite3_column_double (stmt, b);
}

/* The integer member of the entry's details, or -1. */
static gint64
details_int (const char *details,
             const char *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (details == NULL || !json_parser_load_from_data (parser, details, -1, NULL))
    return -1;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, member))
    return -1;
  return json_object_get_int_member (object, member);
}

/* An audited merge moves a match from one identity to another: (entry id, from, into). */
typedef struct
{
  gint64 entry_id;
  gint64 from_id;
  gint64 into_id;
} Merge;

static GArray *
load_merges (sqlite3 *db)
{
  GArray *merges = g_array_new (FALSE, FALSE, sizeof (Merge));
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT id, json_extract (details, '$.from_id'),"
                              "  json_extract (details, '$.into_id') FROM audit"
                              " WHERE action = 'merge' AND json_valid (details) ORDER BY id",
                          -1, &stmt, NULL) != SQLITE_OK)
    return merges;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Merge m = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                  sqlite3_column_int64 (stmt, 2) };

      g_array_append_val (merges, m);
    }
  return merges;
}

/* The identity a match confirmed as `identity_id` by entry `confirm_id` belongs to after the
 * audited merges since. */
static gint64
identity_after_merges (GArray *merges,
                       gint64  confirm_id,
                       gint64  identity_id)
{
  for (guint i = 0; i < merges->len; i++)
    {
      const Merge *m = &g_array_index (merges, Merge, i);

      if (m->entry_id > confirm_id && m->from_id == identity_id)
        identity_id = m->into_id;
    }
  return identity_id;
}

GPtrArray *
attest_store_verify_matches (AttestStore  *self,
                             guint        *n_checked,
                             GError      **error)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (
    (GDestroyNotify) attest_match_problem_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GArray) merges = NULL;
  const char *what = _("Could not read the matches");
  guint checked = 0;
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = _attest_store_lock (self);
  merges = load_merges (db);
  /* Pairs of columns: the match's (even) beside the entry's (odd). */
  stmt = _attest_gallery_prepare (db,
                                "SELECT m.id, m.audit_id, a.id, a.action, a.details,"
                                "  m.reviewer, a.actor,"            /* 5, 6 */
                                "  m.rationale, a.rationale,"       /* 7, 8 */
                                "  m.score, a.score,"               /* 9, 10 */
                                "  m.threshold, a.threshold,"       /* 11, 12 */
                                "  m.model_id, a.model_id,"         /* 13, 14 */
                                "  s.sha256, a.source_sha256,"      /* 15, 16 */
                                "  m.source_ms, a.source_ms,"       /* 17, 18 */
                                "  m.decided_at, a.at_us,"          /* 19, 20 */
                                "  m.identity_id, m.review_item_id" /* 21, 22 */
                                " FROM matches m JOIN sources s ON s.id = m.source_id"
                                " LEFT JOIN audit a ON a.id = m.audit_id ORDER BY m.id",
                                what, error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 match_id = sqlite3_column_int64 (stmt, 0);
          const char *details = (const char *) sqlite3_column_text (stmt, 4);
          g_autoptr (GString) differs = g_string_new (NULL);
          AttestMatchProblem *problem;

          checked++;
          if (sqlite3_column_type (stmt, 2) == SQLITE_NULL ||
              g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "confirm") != 0)
            g_string_append (differs, "no confirmation");
          else
            {
              const struct { int column; const char *name; gboolean number; } pairs[] = {
                { 5, "reviewer", FALSE }, { 7, "rationale", FALSE }, { 9, "score", TRUE },
                { 11, "threshold", TRUE }, { 13, "model", FALSE }, { 15, "source", FALSE },
                { 17, "position", TRUE }, { 19, "time", TRUE },
              };

              if (identity_after_merges (merges, sqlite3_column_int64 (stmt, 2),
                                         details_int (details, "identity_id"))
                  != sqlite3_column_int64 (stmt, 21))
                g_string_append (differs, "identity");
              for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
                if (pairs[i].number ? !same_number (stmt, pairs[i].column, pairs[i].column + 1)
                                    : !same_text (stmt, pairs[i].column, pairs[i].column + 1))
                  g_string_append_printf (differs, "%s%s", differs->len > 0 ? ", " : "",
                                          pairs[i].name);
              if (sqlite3_column_type (stmt, 22) != SQLITE_NULL &&
                  details_int (details, "item_id") != sqlite3_column_int64 (stmt, 22))
                g_string_append_printf (differs, "%sreview item", differs->len > 0 ? ", " : "");
            }
          if (differs->len == 0)
            continue;

          problem = g_new0 (AttestMatchProblem, 1);
          problem->match_id = match_id;
          problem->audit_id = sqlite3_column_type (stmt, 2) == SQLITE_NULL
                              ? -1 : sqlite3_column_int64 (stmt, 2);
          problem->differs = g_strdup (differs->str);
          if (problem->audit_id > 0)
            problem->message = g_strdup_printf (_("Match %" G_GINT64_FORMAT " does not say what "
                                                  "its confirmation (audit entry %" G_GINT64_FORMAT
                                                  ") says: %s"),
                                                match_id, problem->audit_id, problem->differs);
          else
            problem->message = g_strdup_printf (_("Match %" G_GINT64_FORMAT " has no confirmation "
                                                  "in the audit log"), match_id);
          g_ptr_array_add (problems, problem);
        }
      if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  if (rc != SQLITE_DONE)
    return NULL;
  if (n_checked != NULL)
    *n_checked = checked;
  return g_steal_pointer (&problems);
}

/* attest-store-review.c: review items and the reviewer's decisions on them.
 *
 * Each decision is one BEGIN IMMEDIATE transaction holding the checks, the change, the status
 * update and its audit entry; a refusal or failure rolls all of it back. This file holds the
 * only INSERT INTO matches outside the gallery's merge (which only moves rows). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "attest-review.h"
#include "attest-store-gallery-private.h"
#include "attest-store-review-private.h"

G_DEFINE_QUARK (attest-review-error-quark, attest_review_error)

/* Decisions an undo can take back; the audit actions are these words. */
static const char *const decision_actions = "'confirm', 'reject', 'skip', 'unsure'";

/* ---- items ---- */

static void
candidates_clear (AttestReviewCandidate *candidates,
                  guint                  n)
{
  for (guint i = 0; i < n; i++)
    g_free (candidates[i].name);
  g_free (candidates);
}

void
attest_review_item_free (AttestReviewItem *item)
{
  if (item == NULL)
    return;
  g_free (item->source_uri);
  g_free (item->source_sha256);
  g_clear_pointer (&item->probe_png, g_bytes_unref);
  g_clear_pointer (&item->probe_embedding, g_bytes_unref);
  g_free (item->model_id);
  candidates_clear (item->candidates, item->n_candidates);
  g_free (item->status);
  g_free (item);
}

static char *
candidates_to_json (const AttestReviewCandidate *candidates,
                    guint                        n)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (builder);
      _attest_gallery_add_member_int (builder, "identity_id", candidates[i].identity_id);
      _attest_gallery_add_member_string (builder, "name", candidates[i].name);
      json_builder_set_member_name (builder, "score");
      json_builder_add_double_value (builder, candidates[i].score);
      _attest_gallery_add_member_int (builder, "face_id", candidates[i].face_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return _attest_gallery_builder_to_text (builder);
}

/* The stored JSON back into candidates; tolerant of missing members (defaults). */
static void
candidates_from_json (const char             *text,
                      AttestReviewCandidate **out,
                      guint                  *n_out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *array;
  guint n;

  *out = NULL;
  *n_out = 0;
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return;
  array = json_node_get_array (json_parser_get_root (parser));
  n = json_array_get_length (array);
  *out = g_new0 (AttestReviewCandidate, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o;

      (*out)[i].identity_id = -1;
      (*out)[i].face_id = -1;
      (*out)[i].score = NAN;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      o = json_node_get_object (node);
      (*out)[i].identity_id = json_object_get_int_member_with_default (o, "identity_id", -1);
      (*out)[i].name = g_strdup (json_object_get_string_member_with_default (o, "name", NULL));
      (*out)[i].score = json_object_get_double_member_with_default (o, "score", NAN);
      (*out)[i].face_id = json_object_get_int_member_with_default (o, "face_id", -1);
    }
  *n_out = n;
}

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

gboolean
_attest_review_check_spec (const AttestReviewItemSpec *spec,
                           GError                    **error)
{
  const char *problem = NULL;

  if (!is_sha256_hex (spec->source_sha256))
    problem = _("Could not add the review item: the source hash is not 64 hex digits");
  else if (spec->model_id == NULL || _attest_gallery_is_blank (spec->model_id))
    problem = _("Could not add the review item: the model is not named");
  else if (!(spec->box_w > 0 && spec->box_h > 0) || !isfinite (spec->box_x) ||
           !isfinite (spec->box_y))
    problem = _("Could not add the review item: the face box is empty");
  else if (spec->end_ms < spec->start_ms || spec->best_ms < spec->start_ms ||
           spec->best_ms > spec->end_ms)
    problem = _("Could not add the review item: the best frame is outside its time span");
  else if (!isfinite (spec->threshold))
    problem = _("Could not add the review item: the threshold is not a number");
  else if (spec->probe_embedding != NULL && spec->embedding_dim == 0)
    problem = _("Could not add the review item: the embedding is empty");
  else if (spec->n_candidates > 0 && spec->candidates == NULL)
    problem = _("Could not add the review item: the candidates are missing");
  else if (spec->n_frames > 0 && (spec->frame_pngs == NULL || spec->frame_ms == NULL))
    problem = _("Could not add the review item: the track's frames are missing");
  else
    {
      for (guint i = 0; i < spec->n_candidates; i++)
        if (spec->candidates[i].identity_id <= 0 || !isfinite (spec->candidates[i].score))
          problem = _("Could not add the review item: a candidate has no identity or score");
      for (guint i = 0; i < spec->n_frames; i++)
        if (spec->frame_pngs[i] == NULL || g_bytes_get_size (spec->frame_pngs[i]) == 0)
          problem = _("Could not add the review item: a frame of the track has no image");
    }

  if (problem != NULL)
    {
      g_set_error_literal (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID, problem);
      return FALSE;
    }
  return TRUE;
}

gboolean
_attest_review_add_item_in_tx (AttestStore                *self,
                               const AttestReviewItemSpec *spec,
                               gint64                     *id,
                               GError                    **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sha = g_ascii_strdown (spec->source_sha256, -1);
  g_autofree char *json = candidates_to_json (spec->candidates, spec->n_candidates);
  gint64 now = g_get_real_time ();
  gint64 source_id;
  const char *what = _("Could not add the review item");

  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO sources (uri, sha256, first_seen_at)"
                                  " VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  if (spec->source_uri != NULL)
    sqlite3_bind_text (stmt, 1, spec->source_uri, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = _attest_gallery_prepare (db, "SELECT id FROM sources WHERE sha256 = ?1", what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, sqlite3_errcode (db), what);
      return FALSE;
    }
  source_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO review_items (source_id, source_uri, track,"
                                  "  start_ms, end_ms, best_ms, best_frame, box_x, box_y, box_w,"
                                  "  box_h, probe_png, probe_embedding, model_id, threshold,"
                                  "  candidates, status, created_at)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                                  "  ?13, ?14, ?15, ?16, 'pending', ?17)",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  if (spec->source_uri != NULL)
    sqlite3_bind_text (stmt, 2, spec->source_uri, -1, SQLITE_TRANSIENT);
  if (spec->track >= 0)
    sqlite3_bind_int64 (stmt, 3, spec->track);
  sqlite3_bind_int64 (stmt, 4, spec->start_ms);
  sqlite3_bind_int64 (stmt, 5, spec->end_ms);
  sqlite3_bind_int64 (stmt, 6, spec->best_ms);
  if (spec->best_frame >= 0)
    sqlite3_bind_int64 (stmt, 7, spec->best_frame);
  sqlite3_bind_double (stmt, 8, spec->box_x);
  sqlite3_bind_double (stmt, 9, spec->box_y);
  sqlite3_bind_double (stmt, 10, spec->box_w);
  sqlite3_bind_double (stmt, 11, spec->box_h);
  if (spec->probe_png != NULL)
    {
      gsize len;
      gconstpointer data = g_bytes_get_data (spec->probe_png, &len);

      sqlite3_bind_blob64 (stmt, 12, len > 0 ? data : "", len, SQLITE_TRANSIENT);
    }
  if (spec->probe_embedding != NULL)
    sqlite3_bind_blob64 (stmt, 13, spec->probe_embedding,
                         (sqlite3_uint64) spec->embedding_dim * sizeof (float), SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, spec->model_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 15, spec->threshold);
  sqlite3_bind_text (stmt, 16, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 17, now);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* The track's other crops, in the same transaction: an item is whole or absent. */
  if (spec->n_frames > 0)
    {
      stmt = _attest_gallery_prepare (db,
                                      "INSERT INTO review_frames (item_id, ms, png)"
                                      " VALUES (?1, ?2, ?3)",
                                      what, error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < spec->n_frames; i++)
        {
          gsize len;
          gconstpointer data = g_bytes_get_data (spec->frame_pngs[i], &len);

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, *id);
          sqlite3_bind_int64 (stmt, 2, spec->frame_ms[i]);
          sqlite3_bind_blob64 (stmt, 3, data, len, SQLITE_TRANSIENT);
          if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
attest_store_add_review_item (AttestStore                *self,
                              const AttestReviewItemSpec *spec,
                              gint64                     *id,
                              GError                    **error)
{
  gint64 new_id = -1;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (id != NULL)
    *id = -1;
  if (!_attest_review_check_spec (spec, error))
    return FALSE;

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = _attest_review_add_item_in_tx (self, spec, &new_id, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  if (ok && id != NULL)
    *id = new_id;
  return ok;
}

#define ITEM_COLUMNS \
  "r.id, r.source_id, r.source_uri, s.sha256, r.track, r.start_ms, r.end_ms, r.best_ms," \
  " r.best_frame, r.box_x, r.box_y, r.box_w, r.box_h, r.probe_png, r.probe_embedding," \
  " r.model_id, r.threshold, r.candidates, r.status, r.created_at" \
  " FROM review_items r JOIN sources s ON s.id = r.source_id"

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column), sqlite3_column_bytes (stmt, column));
}

static gint64
column_int_or (sqlite3_stmt *stmt,
               int           column,
               gint64        fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int64 (stmt, column);
}

static AttestReviewItem *
item_from_row (sqlite3_stmt *stmt)
{
  AttestReviewItem *item = g_new0 (AttestReviewItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->source_id = sqlite3_column_int64 (stmt, 1);
  item->source_uri = g_strdup (_attest_gallery_column_text (stmt, 2));
  item->source_sha256 = g_strdup (_attest_gallery_column_text (stmt, 3));
  item->track = column_int_or (stmt, 4, -1);
  item->start_ms = sqlite3_column_int64 (stmt, 5);
  item->end_ms = sqlite3_column_int64 (stmt, 6);
  item->best_ms = sqlite3_column_int64 (stmt, 7);
  item->best_frame = column_int_or (stmt, 8, -1);
  item->box_x = sqlite3_column_double (stmt, 9);
  item->box_y = sqlite3_column_double (stmt, 10);
  item->box_w = sqlite3_column_double (stmt, 11);
  item->box_h = sqlite3_column_double (stmt, 12);
  item->probe_png = column_bytes (stmt, 13);
  item->probe_embedding = column_bytes (stmt, 14);
  item->model_id = g_strdup (_attest_gallery_column_text (stmt, 15));
  item->threshold = sqlite3_column_double (stmt, 16);
  candidates_from_json (_attest_gallery_column_text (stmt, 17), &item->candidates,
                        &item->n_candidates);
  item->status = g_strdup (_attest_gallery_column_text (stmt, 18));
  item->created_at = sqlite3_column_int64 (stmt, 19);
  return item;
}

/* The item, or NULL with NOT_FOUND (or a database error); lock held. */
static AttestReviewItem *
read_item (sqlite3  *db,
           gint64    item_id,
           GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not read the review item");
  int rc;

  stmt = _attest_gallery_prepare (db, "SELECT " ITEM_COLUMNS " WHERE r.id = ?1", what, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOT_FOUND,
                 _("Review item %" G_GINT64_FORMAT " does not exist"), item_id);
  else
    _attest_store_set_sqlite_error (error, db, rc, what);
  return NULL;
}

GPtrArray *
attest_store_list_review_items (AttestStore  *self,
                                const char   *status,
                                GError      **error)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not read the review items");
  sqlite3 *db;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_review_item_free);
  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db,
                                  "SELECT " ITEM_COLUMNS
                                  " WHERE ?1 IS NULL OR r.status = ?1 ORDER BY r.id",
                                  what, error);
  if (stmt != NULL)
    {
      if (status != NULL)
        sqlite3_bind_text (stmt, 1, status, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (items, item_from_row (stmt));
      if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&items);
}

AttestReviewItem *
attest_store_get_review_item (AttestStore  *self,
                              gint64        item_id,
                              GError      **error)
{
  AttestReviewItem *item;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = read_item (_attest_store_lock (self), item_id, error);
  _attest_store_unlock (self);
  return item;
}

/* ---- decisions ---- */

static gboolean
item_is_open (const AttestReviewItem *item)
{
  return g_strcmp0 (item->status, "confirmed") != 0 && g_strcmp0 (item->status, "rejected") != 0;
}

/* The open item, or NULL with ALREADY_DECIDED / NOT_FOUND; lock held. */
static AttestReviewItem *
read_open_item (sqlite3  *db,
                gint64    item_id,
                GError  **error)
{
  AttestReviewItem *item = read_item (db, item_id, error);

  if (item != NULL && !item_is_open (item))
    {
      g_set_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_ALREADY_DECIDED,
                   _("Review item %" G_GINT64_FORMAT " is already %s; undo that decision "
                     "first"),
                   item_id, g_strcmp0 (item->status, "confirmed") == 0 ? _("confirmed")
                                                                      : _("rejected"));
      g_clear_pointer (&item, attest_review_item_free);
    }
  return item;
}

static const AttestReviewCandidate *
find_candidate (const AttestReviewItem *item,
                gint64                  identity_id)
{
  for (guint i = 0; i < item->n_candidates; i++)
    if (item->candidates[i].identity_id == identity_id)
      return &item->candidates[i];
  return NULL;
}

static gboolean
set_status (sqlite3     *db,
            gint64       item_id,
            const char  *status,
            GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not update the review item");

  stmt = _attest_gallery_prepare (db, "UPDATE review_items SET status = ?1 WHERE id = ?2",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, item_id);
  return _attest_gallery_step_done (db, stmt, what, NULL, error);
}

/* An audit entry about an item: its frame, model and threshold filled in. */
static void
item_entry_init (AttestAuditEntry       *entry,
                 const AttestReviewItem *item,
                 const char             *actor,
                 const char             *action,
                 const char             *subject,
                 gint64                  now)
{
  _attest_gallery_audit_entry_init (entry, actor, action, subject);
  entry->at_us = now;
  entry->source_sha256 = item->source_sha256;
  entry->source_ms = item->best_ms;
  entry->threshold = item->threshold;
  entry->model_id = item->model_id;
}

/* The identity's current name, or NOT_FOUND; lock held. */
static char *
identity_name (sqlite3  *db,
               gint64    identity_id,
               GError  **error)
{
  g_autofree char *name = NULL;

  if (!_attest_gallery_read_identity_row (db, identity_id, &name, NULL,
                                          _("That person is no longer in the gallery"), error))
    return NULL;
  return g_steal_pointer (&name);
}

static gint64
confirm_in_tx (AttestStore  *self,
               gint64        item_id,
               gint64        identity_id,
               const char   *actor,
               const char   *rationale,
               GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (AttestReviewItem) item = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *name = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  const AttestReviewCandidate *cand;
  AttestAuditEntry entry;
  gint64 now = g_get_real_time ();
  gint64 audit_id;
  gint64 match_id;
  const char *what = _("Could not record the confirmation");

  item = read_open_item (db, item_id, error);
  if (item == NULL)
    return -1;
  cand = find_candidate (item, identity_id);
  if (cand == NULL)
    {
      g_set_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOT_FOUND,
                   _("Could not confirm: that person was not suggested for review item %"
                     G_GINT64_FORMAT),
                   item_id);
      return -1;
    }
  name = identity_name (db, identity_id, error);
  if (name == NULL)
    return -1;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "item_id", item_id);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "name", name);
  if (cand->face_id > 0)
    _attest_gallery_add_member_int (details, "face_id", cand->face_id);
  _attest_gallery_add_member_string (details, "from", item->status);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, item_id);
  item_entry_init (&entry, item, actor, "confirm", subject, now);
  entry.score = cand->score;
  entry.rationale = (char *) rationale;
  entry.details = details_text;
  audit_id = _attest_store_append_audit_in_tx (self, &entry, error);
  if (audit_id < 0)
    return -1;

  /* A gallery face deleted since the suggestion is simply not linked. */
  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO matches (identity_id, face_id, source_id,"
                                  "  source_ms, frame, track, box_x, box_y, box_w, box_h, score,"
                                  "  threshold, model_id, reviewer, decided_at, rationale,"
                                  "  audit_id, review_item_id)"
                                  " VALUES (?1, (SELECT id FROM faces WHERE id = ?2), ?3, ?4, ?5,"
                                  "  ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                                  what, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_int64 (stmt, 2, cand->face_id);
  sqlite3_bind_int64 (stmt, 3, item->source_id);
  sqlite3_bind_int64 (stmt, 4, item->best_ms);
  if (item->best_frame >= 0)
    sqlite3_bind_int64 (stmt, 5, item->best_frame);
  if (item->track >= 0)
    sqlite3_bind_int64 (stmt, 6, item->track);
  sqlite3_bind_double (stmt, 7, item->box_x);
  sqlite3_bind_double (stmt, 8, item->box_y);
  sqlite3_bind_double (stmt, 9, item->box_w);
  sqlite3_bind_double (stmt, 10, item->box_h);
  sqlite3_bind_double (stmt, 11, cand->score);
  sqlite3_bind_double (stmt, 12, item->threshold);
  sqlite3_bind_text (stmt, 13, item->model_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 15, now);
  sqlite3_bind_text (stmt, 16, rationale, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 17, audit_id);
  sqlite3_bind_int64 (stmt, 18, item_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return -1;
  match_id = sqlite3_last_insert_rowid (db);

  if (!set_status (db, item_id, "confirmed", error))
    return -1;
  return match_id;
}

gint64
attest_store_confirm_review_item (AttestStore  *self,
                                  gint64        item_id,
                                  gint64        identity_id,
                                  const char   *actor,
                                  const char   *rationale,
                                  GError      **error)
{
  g_autofree char *clean_actor = NULL;
  g_autofree char *clean_rationale = NULL;
  gint64 match_id = -1;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return -1;
  clean_rationale = _attest_gallery_clean_text (rationale);
  if (clean_rationale == NULL)
    {
      g_set_error_literal (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID,
                           _("Could not confirm: say why this is the person (a rationale is "
                             "required)"));
      return -1;
    }

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      match_id = confirm_in_tx (self, item_id, identity_id, clean_actor, clean_rationale, error);
      ok = _attest_store_end (self, match_id > 0, error);
    }
  _attest_store_unlock (self);

  return ok ? match_id : -1;
}

/* Whether every candidate at or above the threshold has a standing rejection on this item. */
static gboolean
all_strong_rejected (sqlite3                *db,
                     const AttestReviewItem *item,
                     gboolean               *all,
                     GError                **error)
{
  *all = TRUE;
  for (guint i = 0; i < item->n_candidates; i++)
    {
      g_autofree char *sql = NULL;
      gint64 n;

      if (!(item->candidates[i].score >= item->threshold))
        continue;
      sql = g_strdup_printf ("SELECT count (*) FROM rejections WHERE review_item_id = ?1"
                             " AND revoked_at IS NULL AND identity_id = %" G_GINT64_FORMAT,
                             item->candidates[i].identity_id);
      n = _attest_gallery_count_rows (db, sql, item->id, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          *all = FALSE;
          return TRUE;
        }
    }
  return TRUE;
}

static gboolean
reject_in_tx (AttestStore  *self,
              gint64        item_id,
              gint64        identity_id,
              const char   *actor,
              const char   *rationale,
              GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (AttestReviewItem) item = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *name = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *count_sql = NULL;
  const AttestReviewCandidate *cand;
  AttestAuditEntry entry;
  gint64 now = g_get_real_time ();
  gint64 audit_id;
  gint64 already;
  gboolean all = FALSE;
  const char *what = _("Could not record the rejection");

  item = read_open_item (db, item_id, error);
  if (item == NULL)
    return FALSE;
  name = identity_name (db, identity_id, error);
  if (name == NULL)
    return FALSE;

  count_sql = g_strdup_printf ("SELECT count (*) FROM rejections WHERE review_item_id = ?1"
                               " AND revoked_at IS NULL AND identity_id = %" G_GINT64_FORMAT,
                               identity_id);
  already = _attest_gallery_count_rows (db, count_sql, item_id, error);
  if (already < 0)
    return FALSE;
  if (already > 0)
    {
      g_set_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_ALREADY_DECIDED,
                   _("“%s” is already rejected for review item %" G_GINT64_FORMAT),
                   name, item_id);
      return FALSE;
    }
  cand = find_candidate (item, identity_id);

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "item_id", item_id);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "name", name);
  _attest_gallery_add_member_string (details, "from", item->status);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, item_id);
  item_entry_init (&entry, item, actor, "reject", subject, now);
  if (cand != NULL)
    entry.score = cand->score;
  entry.rationale = (char *) rationale;
  entry.details = details_text;
  audit_id = _attest_store_append_audit_in_tx (self, &entry, error);
  if (audit_id < 0)
    return FALSE;

  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO rejections (identity_id, face_id, source_id,"
                                  "  source_ms, frame, track, box_x, box_y, box_w, box_h, score,"
                                  "  threshold, model_id, reviewer, decided_at, rationale,"
                                  "  audit_id, review_item_id)"
                                  " VALUES (?1, (SELECT id FROM faces WHERE id = ?2), ?3, ?4, ?5,"
                                  "  ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_int64 (stmt, 2, cand != NULL ? cand->face_id : -1);
  sqlite3_bind_int64 (stmt, 3, item->source_id);
  sqlite3_bind_int64 (stmt, 4, item->best_ms);
  if (item->best_frame >= 0)
    sqlite3_bind_int64 (stmt, 5, item->best_frame);
  if (item->track >= 0)
    sqlite3_bind_int64 (stmt, 6, item->track);
  sqlite3_bind_double (stmt, 7, item->box_x);
  sqlite3_bind_double (stmt, 8, item->box_y);
  sqlite3_bind_double (stmt, 9, item->box_w);
  sqlite3_bind_double (stmt, 10, item->box_h);
  if (cand != NULL)
    sqlite3_bind_double (stmt, 11, cand->score);
  sqlite3_bind_double (stmt, 12, item->threshold);
  sqlite3_bind_text (stmt, 13, item->model_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 15, now);
  if (rationale != NULL)
    sqlite3_bind_text (stmt, 16, rationale, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 17, audit_id);
  sqlite3_bind_int64 (stmt, 18, item_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;

  /* The item is settled only when no strong suggestion is left to decide. */
  if (!all_strong_rejected (db, item, &all, error))
    return FALSE;
  if (all && !set_status (db, item_id, "rejected", error))
    return FALSE;
  return TRUE;
}

gboolean
attest_store_reject_review_item (AttestStore  *self,
                                 gint64        item_id,
                                 gint64        identity_id,
                                 const char   *actor,
                                 const char   *rationale,
                                 GError      **error)
{
  g_autofree char *clean_actor = NULL;
  g_autofree char *clean_rationale = NULL;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return FALSE;
  clean_rationale = _attest_gallery_clean_text (rationale);

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = reject_in_tx (self, item_id, identity_id, clean_actor, clean_rationale, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  return ok;
}

static gboolean
set_status_in_tx (AttestStore  *self,
                  gint64        item_id,
                  const char   *actor,
                  const char   *action,
                  const char   *status,
                  GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (AttestReviewItem) item = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  AttestAuditEntry entry;

  item = read_open_item (db, item_id, error);
  if (item == NULL)
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "item_id", item_id);
  _attest_gallery_add_member_string (details, "from", item->status);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, item_id);
  item_entry_init (&entry, item, actor, action, subject, g_get_real_time ());
  entry.details = details_text;
  if (_attest_store_append_audit_in_tx (self, &entry, error) < 0)
    return FALSE;
  return set_status (db, item_id, status, error);
}

static gboolean
run_set_status (AttestStore  *self,
                gint64        item_id,
                const char   *actor,
                const char   *action,
                const char   *status,
                GError      **error)
{
  g_autofree char *clean_actor = NULL;
  gboolean ok;

  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return FALSE;

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = set_status_in_tx (self, item_id, clean_actor, action, status, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  return ok;
}

gboolean
attest_store_skip_review_item (AttestStore  *self,
                               gint64        item_id,
                               const char   *actor,
                               GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_set_status (self, item_id, actor, "skip", "skipped", error);
}

gboolean
attest_store_mark_review_item_unsure (AttestStore  *self,
                                      gint64        item_id,
                                      const char   *actor,
                                      GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_set_status (self, item_id, actor, "unsure", "unsure", error);
}

/* ---- undo ---- */

static gboolean
revoke_rows (sqlite3     *db,
             const char  *table,
             gint64       undone_id,
             gint64       undo_id,
             gint64       now,
             GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET revoked_at = ?1, revoked_audit_id = ?2"
                                          " WHERE audit_id = ?3 AND revoked_at IS NULL",
                                          table);
  const char *what = _("Could not undo the decision");

  stmt = _attest_gallery_prepare (db, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, undo_id);
  sqlite3_bind_int64 (stmt, 3, undone_id);
  return _attest_gallery_step_done (db, stmt, what, NULL, error);
}

static gboolean
undo_in_tx (AttestStore  *self,
            const char   *actor,
            gint64       *item_id_out,
            GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (AttestReviewItem) item = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *undone_action = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *from = NULL;
  g_autofree char *undone_name = NULL;
  g_autofree char *details_text = NULL;
  AttestAuditEntry entry;
  gint64 undone_identity = -1;
  gint64 undone_id;
  gint64 item_id;
  gint64 undo_id;
  gint64 now = g_get_real_time ();
  const char *what = _("Could not undo the decision");
  int rc;

  /* The newest decision that no "undo" entry names yet. */
  sql = g_strdup_printf ("SELECT a.id, a.action, a.subject,"
                         "  json_extract (a.details, '$.item_id'),"
                         "  json_extract (a.details, '$.from'),"
                         "  json_extract (a.details, '$.name'),"
                         "  json_extract (a.details, '$.identity_id')"
                         " FROM audit a WHERE a.action IN (%s) AND a.subject LIKE 'item:%%'"
                         " AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.action = 'undo'"
                         "   AND u.subject = a.subject"
                         "   AND json_extract (u.details, '$.undone_audit_id') = a.id)"
                         " ORDER BY a.id DESC LIMIT 1",
                         decision_actions);
  stmt = _attest_gallery_prepare (db, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOTHING_TO_UNDO,
                           _("There is no decision to undo"));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  undone_id = sqlite3_column_int64 (stmt, 0);
  undone_action = g_strdup (_attest_gallery_column_text (stmt, 1));
  subject = g_strdup (_attest_gallery_column_text (stmt, 2));
  item_id = sqlite3_column_int64 (stmt, 3);
  from = g_strdup (_attest_gallery_column_text (stmt, 4));
  undone_name = g_strdup (_attest_gallery_column_text (stmt, 5));
  undone_identity = sqlite3_column_type (stmt, 6) == SQLITE_INTEGER
                    ? sqlite3_column_int64 (stmt, 6) : -1;
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Entries written before "from" was recorded would go back to pending. */
  if (from == NULL)
    from = g_strdup ("pending");

  item = read_item (db, item_id, error);
  if (item == NULL)
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "item_id", item_id);
  _attest_gallery_add_member_int (details, "undone_audit_id", undone_id);
  _attest_gallery_add_member_string (details, "undone_action", undone_action);
  /* What was undone, by name: "undo of confirm John Salley", not only an entry number. */
  if (undone_identity >= 0)
    _attest_gallery_add_member_int (details, "undone_identity_id", undone_identity);
  if (undone_name != NULL)
    _attest_gallery_add_member_string (details, "undone_name", undone_name);
  _attest_gallery_add_member_string (details, "from", item->status);
  _attest_gallery_add_member_string (details, "to", from);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  item_entry_init (&entry, item, actor, "undo", subject, now);
  entry.details = details_text;
  undo_id = _attest_store_append_audit_in_tx (self, &entry, error);
  if (undo_id < 0)
    return FALSE;

  if (g_strcmp0 (undone_action, "confirm") == 0 &&
      !revoke_rows (db, "matches", undone_id, undo_id, now, error))
    return FALSE;
  if (g_strcmp0 (undone_action, "reject") == 0 &&
      !revoke_rows (db, "rejections", undone_id, undo_id, now, error))
    return FALSE;
  if (!set_status (db, item_id, from, error))
    return FALSE;

  *item_id_out = item_id;
  return TRUE;
}

gboolean
attest_store_undo_last_decision (AttestStore  *self,
                                 const char   *actor,
                                 gint64       *item_id,
                                 GError      **error)
{
  g_autofree char *clean_actor = NULL;
  gint64 undone_item = -1;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (item_id != NULL)
    *item_id = -1;
  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return FALSE;

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = undo_in_tx (self, clean_actor, &undone_item, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  if (ok && item_id != NULL)
    *item_id = undone_item;
  return ok;
}

gboolean
attest_store_is_rejected (AttestStore  *self,
                          gint64        item_id,
                          gint64        identity_id,
                          GError      **error)
{
  g_autofree char *sql = NULL;
  gint64 n;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The same probe, or any probe of the same track in the same source. */
  sql = g_strdup_printf ("SELECT count (*) FROM rejections j, review_items r"
                         " WHERE r.id = ?1 AND j.identity_id = %" G_GINT64_FORMAT
                         " AND j.revoked_at IS NULL"
                         " AND (j.review_item_id = r.id"
                         "      OR (r.track IS NOT NULL AND j.source_id = r.source_id"
                         "          AND j.track = r.track))",
                         identity_id);
  n = _attest_gallery_count_rows (_attest_store_lock (self), sql, item_id, error);
  _attest_store_unlock (self);
  return n > 0;
}

/* attest-store-scan.c: scan progress and checkpoints (attest-store-scan.h), the extra frames
 * of review items and the negative evidence a new probe is searched with (attest-review.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "attest-store-gallery-private.h"
#include "attest-store-review-private.h"
#include "attest-store-scan.h"

/* ---- helpers ---- */

/* Cosine of two float vectors (not assumed normalised); NAN when either is all zeros. */
static double
cosine (const float *a,
        const float *b,
        guint        dim)
{
  double dot = 0, na = 0, nb = 0;

  for (guint i = 0; i < dim; i++)
    {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
  if (!(na > 0) || !(nb > 0))
    return NAN;
  return dot / sqrt (na * nb);
}

/* The cosine of `embedding` with a stored embedding column (NAN when NULL or of another
 * length). */
static double
cosine_with_column (sqlite3_stmt *stmt,
                    int           column,
                    const float  *embedding,
                    guint         dim)
{
  const void *blob;
  g_autofree float *stored = NULL;

  if (embedding == NULL || sqlite3_column_type (stmt, column) == SQLITE_NULL ||
      (gsize) sqlite3_column_bytes (stmt, column) != (gsize) dim * sizeof (float))
    return NAN;
  blob = sqlite3_column_blob (stmt, column);
  /* A copy: the blob need not be aligned for floats. */
  stored = g_memdup2 (blob, (gsize) dim * sizeof (float));
  return cosine (embedding, stored, dim);
}

static char *
normalise_sha (const char *sha)
{
  return sha != NULL ? g_ascii_strdown (sha, -1) : NULL;
}

/* The source's id, recording it when new; -1 with error. Lock held, in a transaction. */
static gint64
ensure_source_in_tx (sqlite3     *db,
                     const char  *uri,
                     const char  *sha,
                     GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not record the source");

  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO sources (uri, sha256, first_seen_at)"
                                  " VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
                                  what, error);
  if (stmt == NULL)
    return -1;
  if (uri != NULL)
    sqlite3_bind_text (stmt, 1, uri, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return -1;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = _attest_gallery_prepare (db, "SELECT id FROM sources WHERE sha256 = ?1", what, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, sqlite3_errcode (db), what);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/* ---- progress ---- */

void
attest_scan_progress_free (AttestScanProgress *progress)
{
  if (progress == NULL)
    return;
  g_free (progress->model_id);
  g_free (progress);
}

/* The row, NULL when none (*error unset) or on failure (*error set). Lock held. */
static AttestScanProgress *
read_progress (sqlite3     *db,
               const char  *sha,
               GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  AttestScanProgress *p;
  const char *what = _("Could not read how far the file was scanned");
  int rc;

  stmt = _attest_gallery_prepare (db,
                                  "SELECT c.model_id, c.threshold, c.every, c.scanned_to_ms,"
                                  "  c.duration_ms, c.completed, c.started_at, c.updated_at"
                                  " FROM scans c JOIN sources s ON s.id = c.source_id"
                                  " WHERE s.sha256 = ?1",
                                  what, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return NULL;
    }
  p = g_new0 (AttestScanProgress, 1);
  p->model_id = g_strdup (_attest_gallery_column_text (stmt, 0));
  p->threshold = sqlite3_column_double (stmt, 1);
  p->every = (guint) sqlite3_column_int64 (stmt, 2);
  p->scanned_to_ms = sqlite3_column_int64 (stmt, 3);
  p->duration_ms = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1
                                                                  : sqlite3_column_int64 (stmt, 4);
  p->completed = sqlite3_column_int (stmt, 5) != 0;
  p->started_at = sqlite3_column_int64 (stmt, 6);
  p->updated_at = sqlite3_column_int64 (stmt, 7);
  return p;
}

AttestScanProgress *
attest_store_get_scan_progress (AttestStore  *self,
                                const char   *source_sha256,
                                GError      **error)
{
  g_autofree char *sha = NULL;
  AttestScanProgress *p;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (source_sha256 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sha = normalise_sha (source_sha256);
  p = read_progress (_attest_store_lock (self), sha, error);
  _attest_store_unlock (self);
  return p;
}

gboolean
attest_store_reset_scan_progress (AttestStore  *self,
                                  const char   *source_sha256,
                                  GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sha = NULL;
  const char *what = _("Could not reset how far the file was scanned");
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (source_sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sha = normalise_sha (source_sha256);
  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db,
                                  "DELETE FROM scans WHERE source_id ="
                                  " (SELECT id FROM sources WHERE sha256 = ?1)",
                                  what, error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
      ok = _attest_gallery_step_done (db, stmt, what, NULL, error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);
  return ok;
}

/* ---- checkpoints ---- */

/* Whether the same face of the same source has an item already (see the header). */
static gboolean
already_queued (sqlite3                    *db,
                gint64                      source_id,
                const AttestReviewItemSpec *spec,
                gboolean                   *queued,
                GError                    **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not look for items already queued");
  int rc;

  *queued = FALSE;
  if (spec->probe_embedding == NULL)
    return TRUE;
  stmt = _attest_gallery_prepare (db,
                                  "SELECT probe_embedding FROM review_items"
                                  " WHERE source_id = ?1 AND start_ms <= ?3 AND end_ms >= ?2"
                                  "   AND probe_embedding IS NOT NULL",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, spec->start_ms);
  sqlite3_bind_int64 (stmt, 3, spec->end_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (cosine_with_column (stmt, 0, spec->probe_embedding, spec->embedding_dim) >=
        ATTEST_REVIEW_SAME_PROBE_SIMILARITY)
      {
        *queued = TRUE;
        return TRUE;
      }
  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_progress (sqlite3                  *db,
                gint64                    source_id,
                const AttestScanProgress *progress,
                GError                  **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not record how far the file was scanned");
  gint64 now = g_get_real_time ();

  /* A new model, threshold or frame step is a new scan: it starts its own clock. */
  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO scans (source_id, model_id, threshold, every,"
                                  "  scanned_to_ms, duration_ms, completed, started_at, updated_at)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)"
                                  " ON CONFLICT (source_id) DO UPDATE SET"
                                  "  started_at = CASE WHEN model_id = excluded.model_id"
                                  "    AND threshold = excluded.threshold AND every = excluded.every"
                                  "    THEN started_at ELSE excluded.started_at END,"
                                  "  model_id = excluded.model_id, threshold = excluded.threshold,"
                                  "  every = excluded.every, scanned_to_ms = excluded.scanned_to_ms,"
                                  "  duration_ms = excluded.duration_ms,"
                                  "  completed = excluded.completed, updated_at = excluded.updated_at",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_text (stmt, 2, progress->model_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 3, progress->threshold);
  sqlite3_bind_int64 (stmt, 4, progress->every);
  sqlite3_bind_int64 (stmt, 5, MAX (progress->scanned_to_ms, 0));
  if (progress->duration_ms >= 0)
    sqlite3_bind_int64 (stmt, 6, progress->duration_ms);
  sqlite3_bind_int (stmt, 7, progress->completed ? 1 : 0);
  sqlite3_bind_int64 (stmt, 8, now);
  return _attest_gallery_step_done (db, stmt, what, NULL, error);
}

static gboolean
checkpoint_in_tx (AttestStore                       *self,
                  const char                        *uri,
                  const char                        *sha,
                  const AttestScanProgress          *progress,
                  const AttestReviewItemSpec *const *items,
                  guint                              n_items,
                  GArray                            *ids,
                  GError                           **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  gint64 source_id = ensure_source_in_tx (db, uri, sha, error);

  if (source_id < 0)
    return FALSE;
  for (guint i = 0; i < n_items; i++)
    {
      AttestReviewItemSpec spec = *items[i];
      gboolean queued;
      gint64 id = -1;

      /* Every item of a checkpoint is of this source. */
      spec.source_uri = uri;
      spec.source_sha256 = sha;
      if (!already_queued (db, source_id, &spec, &queued, error))
        return FALSE;
      if (!queued && !_attest_review_add_item_in_tx (self, &spec, &id, error))
        return FALSE;
      g_array_append_val (ids, id);
    }
  return write_progress (db, source_id, progress, error);
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
attest_store_save_scan_checkpoint (AttestStore                       *self,
                                   const char                        *source_uri,
                                   const char                        *source_sha256,
                                   const AttestScanProgress          *progress,
                                   const AttestReviewItemSpec *const *items,
                                   guint                              n_items,
                                   GArray                            *item_ids,
                                   GError                           **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *sha = NULL;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (progress != NULL, FALSE);
  g_return_val_if_fail (n_items == 0 || items != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_sha256_hex (source_sha256) || progress->model_id == NULL ||
      _attest_gallery_is_blank (progress->model_id) || progress->every < 1 ||
      !isfinite (progress->threshold))
    {
      g_set_error_literal (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID,
                           _("Could not record the scan: its source, model or settings are missing"));
      return FALSE;
    }
  sha = normalise_sha (source_sha256);
  for (guint i = 0; i < n_items; i++)
    {
      AttestReviewItemSpec spec = *items[i];

      spec.source_sha256 = sha;
      if (!_attest_review_check_spec (&spec, error))
        return FALSE;
    }

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = checkpoint_in_tx (self, source_uri, sha, progress, items, n_items, ids, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  if (ok && item_ids != NULL)
    g_array_append_vals (item_ids, ids->data, ids->len);
  return ok;
}

/* ---- frames ---- */

void
attest_review_frame_free (AttestReviewFrame *frame)
{
  if (frame == NULL)
    return;
  g_clear_pointer (&frame->png, g_bytes_unref);
  g_free (frame);
}

GPtrArray *
attest_store_list_review_frames (AttestStore  *self,
                                 gint64        item_id,
                                 GError      **error)
{
  g_autoptr (GPtrArray) frames = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not read the frames of the review item");
  sqlite3 *db;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_review_frame_free);
  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db,
                                  "SELECT ms, png FROM review_frames WHERE item_id = ?1"
                                  " ORDER BY ms, id",
                                  what, error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, item_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          AttestReviewFrame *frame = g_new0 (AttestReviewFrame, 1);

          frame->ms = sqlite3_column_int64 (stmt, 0);
          frame->png = g_bytes_new (sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1));
          g_ptr_array_add (frames, frame);
        }
      if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  else
    rc = SQLITE_ERROR;
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&frames);
}


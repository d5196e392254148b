/* attest-store-rejections.c: the probes reviewers rejected, for filtering suggestions in
 * memory (see attest_store_foreach_rejected_probe in attest-review.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "attest-review.h"
#include "attest-store-gallery-private.h"

gint64
attest_store_foreach_rejection (AttestStore          *self,
                                const char           *model_id,
                                AttestRejectionFunc   func,
                                gpointer              user_data,
                                GError              **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree float *vector = g_new (float, ATTEST_GALLERY_EMBEDDING_DIM);
  const char *what = _("Could not read the rejected suggestions");
  const gsize size = ATTEST_GALLERY_EMBEDDING_DIM * sizeof (float);
  gint64 n = 0;
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (model_id != NULL, -1);
  g_return_val_if_fail (func != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db,
                                  "SELECT j.id, j.identity_id, j.reviewer, j.decided_at,"
                                  " coalesce (r.source_uri, s.uri), s.sha256, r.start_ms, r.end_ms,"
                                  " r.best_ms, r.probe_embedding"
                                  " FROM rejections j JOIN review_items r ON r.id = j.review_item_id"
                                  " JOIN sources s ON s.id = r.source_id"
                                  " WHERE j.revoked_at IS NULL AND r.model_id = ?1"
                                  " AND r.probe_embedding IS NOT NULL ORDER BY j.id",
                                  what, error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, model_id, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          AttestStoredRejection r = { 0 };

          /* Another model's or a damaged probe is not comparable: left out. */
          if ((gsize) sqlite3_column_bytes (stmt, 9) != size)
            continue;
          /* The blob may sit unaligned in SQLite's page buffer. */
          memcpy (vector, sqlite3_column_blob (stmt, 9), size);
          r.rejection_id = sqlite3_column_int64 (stmt, 0);
          r.identity_id = sqlite3_column_int64 (stmt, 1);
          r.reviewer = (const char *) sqlite3_column_text (stmt, 2);
          r.decided_at_us = sqlite3_column_int64 (stmt, 3);
          r.source_uri = (const char *) sqlite3_column_text (stmt, 4);
          r.source_sha256 = (const char *) sqlite3_column_text (stmt, 5);
          r.start_ms = sqlite3_column_int64 (stmt, 6);
          r.end_ms = sqlite3_column_int64 (stmt, 7);
          r.best_ms = sqlite3_column_int64 (stmt, 8);
          r.probe = vector;
          func (&r, user_data);
          n++;
        }
      if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  return rc == SQLITE_DONE ? n : -1;
}

gboolean
attest_store_find_review_item_covering (AttestStore  *self,
                                        const char   *source_sha256,
                                        gint64        best_identity_id,
                                        gint64        start_ms,
                                        gint64        end_ms,
                                        gint64        slack_ms,
                                        gint64       *item_id,
                                        GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sha = NULL;
  const char *what = _("Could not read the review queue");
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (source_sha256 != NULL, FALSE);
  g_return_val_if_fail (item_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *item_id = -1;
  sha = g_ascii_strdown (source_sha256, -1);
  db = _attest_store_lock (self);
  /* The source index narrows it to one file's items; only their spans and first candidate
   * are read, not their crops. */
  stmt = _attest_gallery_prepare (db,
                                  "SELECT r.id FROM review_items r JOIN sources s ON s.id = r.source_id"
                                  " WHERE s.sha256 = ?1 AND r.start_ms <= ?3 + ?5 AND ?2 - ?5 <= r.end_ms"
                                  " AND json_extract (r.candidates, '$[0].identity_id') IS ?4"
                                  " ORDER BY r.id LIMIT 1",
                                  what, error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, sha, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, start_ms);
      sqlite3_bind_int64 (stmt, 3, end_ms);
      if (best_identity_id > 0)
        sqlite3_bind_int64 (stmt, 4, best_identity_id);
      else
        sqlite3_bind_null (stmt, 4);
      sqlite3_bind_int64 (stmt, 5, slack_ms);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        *item_id = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

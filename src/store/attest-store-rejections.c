/* attest-store-rejections.c: the probes reviewers rejected, for filtering suggestions in
 * memory (see attest_store_foreach_rejected_probe in attest-review.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "attest-review.h"
#include "attest-store-gallery-private.h"

gint64
attest_store_foreach_rejected_probe (AttestStore          *self,
                                     const char           *model_id,
                                     AttestEmbeddingFunc   func,
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
                                  "SELECT j.id, j.identity_id, r.probe_embedding"
                                  " FROM rejections j JOIN review_items r ON r.id = j.review_item_id"
                                  " WHERE j.revoked_at IS NULL AND r.model_id = ?1"
                                  " AND r.probe_embedding IS NOT NULL ORDER BY j.id",
                                  what, error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, model_id, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          /* Another model's or a damaged probe is not comparable: left out. */
          if ((gsize) sqlite3_column_bytes (stmt, 2) != size)
            continue;
          /* The blob may sit unaligned in SQLite's page buffer. */
          memcpy (vector, sqlite3_column_blob (stmt, 2), size);
          func (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), vector, user_data);
          n++;
        }
      if (rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);

  return rc == SQLITE_DONE ? n : -1;
}

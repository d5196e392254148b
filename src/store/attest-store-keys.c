/* attest-store-keys.c: what keeps a gallery's audit log tied to this installation besides the
 * MACs (attest-store-audit.c): the seal of entries written before keys, and the heads this
 * installation has seen.
 *
 * audit-heads.ini, beside the installation key, has one group per gallery file (its canonical
 * path) with the gallery id, the entry count and the newest hash this installation last saw
 * there. It moves forward only along a log that still holds where it was, checked cheaply at
 * every open and close and fully by attest_store_check_audit, so a log that was truncated
 * together with its head, stripped of its keys and rewritten, or replaced by an older copy is
 * reported even though the database alone looks consistent. A new gallery made at the same
 * place (a different gallery id) replaces the record only when it is empty or carries entries
 * authenticated by this installation. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>

#include "attest-store-gallery-private.h"
#include "attest-store-private.h"

typedef struct
{
  char   *gallery_id;
  gint64  count;
  char   *head;
  char   *at;
} SeenHead;

static void
seen_head_clear (SeenHead *seen)
{
  g_clear_pointer (&seen->gallery_id, g_free);
  g_clear_pointer (&seen->head, g_free);
  g_clear_pointer (&seen->at, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeenHead, seen_head_clear)

static char *
seen_heads_path (AttestStore *self)
{
  g_autofree char *folder = g_path_get_dirname (attest_key_get_path (_attest_store_get_key (self)));

  return g_build_filename (folder, "audit-heads.ini", NULL);
}

static gboolean
read_seen (AttestStore *self,
           SeenHead    *seen)
{
  g_autofree char *path = seen_heads_path (self);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  const char *group = attest_store_get_path (self);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group (file, group))
    return FALSE;

  seen->gallery_id = g_key_file_get_string (file, group, "gallery", NULL);
  seen->count = g_key_file_get_int64 (file, group, "entries", NULL);
  seen->head = g_key_file_get_string (file, group, "head", NULL);
  seen->at = g_key_file_get_string (file, group, "seen", NULL);
  return seen->gallery_id != NULL && seen->head != NULL && seen->count > 0;
}

static void
write_seen (AttestStore *self,
            const char  *gallery_id,
            gint64       count,
            const char  *head)
{
  g_autofree char *path = seen_heads_path (self);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *at = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  const char *group = attest_store_get_path (self);

  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  {
    /* Galleries that are gone (moved, deleted, a test's) are forgotten. */
    g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);

    for (guint i = 0; groups[i] != NULL; i++)
      if (g_strcmp0 (groups[i], group) != 0 && !g_file_test (groups[i], G_FILE_TEST_EXISTS))
        g_key_file_remove_group (file, groups[i], NULL);
  }
  g_key_file_set_string (file, group, "gallery", gallery_id);
  g_key_file_set_int64 (file, group, "entries", count);
  g_key_file_set_string (file, group, "head", head);
  g_key_file_set_string (file, group, "seen", at);

  /* Only a convenience on top of the MACs: a failure to write it is logged, not fatal. */
  if (!g_file_set_contents_full (path, g_key_file_to_data (file, NULL, NULL), -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not remember the audit head in %s: %s", path, error->message);
}

static char *
query_text (sqlite3    *db,
            const char *sql,
            gint64      arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, arg);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return text;
}

static gboolean
has_own_entries (AttestStore *self,
                 sqlite3     *db)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM audit WHERE key_id = ?1 LIMIT 1",
                          -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  sqlite3_bind_text (stmt, 1, attest_key_get_id (_attest_store_get_key (self)), -1,
                     SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* Whether the log (gallery_id, count entries, newest `head`) is the one seen before, or a
 * continuation of it. Lock held. */
static gboolean
compare_seen (AttestStore *self,
              sqlite3     *db,
              const char  *gallery_id,
              gint64       count,
              gint64      *first_bad_id,
              guint64     *seen_count,
              char       **seen_head,
              GError     **error)
{
  g_auto (SeenHead) seen = { 0 };
  g_autofree char *hash_there = NULL;
  const char *at;

  if (!read_seen (self, &seen))
    return TRUE;

  at = seen.at != NULL ? seen.at : "?";
  if (seen_count != NULL)
    *seen_count = (guint64) seen.count;
  if (seen_head != NULL)
    *seen_head = g_strdup (seen.head);

  if (g_strcmp0 (seen.gallery_id, gallery_id) != 0)
    {
      if (count == 0 || has_own_entries (self, db))
        return TRUE;
      *first_bad_id = 1;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("This gallery is not the one this installation last saw in this file "
                     "(%" G_GINT64_FORMAT " audit entries on %s), and none of its entries is "
                     "authenticated by this installation: the log was replaced or rewritten"),
                   seen.count, at);
      return FALSE;
    }

  if (count < seen.count)
    {
      *first_bad_id = count + 1;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("The audit log has %" G_GINT64_FORMAT " entries, but this installation "
                     "saw %" G_GINT64_FORMAT " in it on %s: entries were removed or an older "
                     "copy of the gallery was put in its place"),
                   count, seen.count, at);
      return FALSE;
    }

  hash_there = query_text (db, "SELECT hash FROM audit WHERE id = ?1", seen.count);
  if (g_strcmp0 (hash_there, seen.head) != 0)
    {
      *first_bad_id = seen.count;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("Audit entry %" G_GINT64_FORMAT " is not the one this installation saw "
                     "there on %s: the log was rewritten"), seen.count, at);
      return FALSE;
    }

  return TRUE;
}

gboolean
_attest_store_check_seen_head (AttestStore      *self,
                               AttestAuditCheck *check,
                               gint64           *first_bad_id,
                               GError          **error)
{
  sqlite3 *db = _attest_store_get_db (self);

  if (attest_store_get_schema_version (self) < ATTEST_STORE_KEYED_SCHEMA_VERSION ||
      _attest_store_get_key (self) == NULL)
    return TRUE;

  if (!compare_seen (self, db, check->gallery_id, (gint64) check->n_entries, first_bad_id,
                     &check->seen_count, &check->seen_head, error))
    return FALSE;

  if (check->n_entries > 0)
    write_seen (self, check->gallery_id, (gint64) check->n_entries, check->head);
  return TRUE;
}

/* The head as attest_meta has it, without walking the log. */
static gboolean
read_meta_head (sqlite3  *db,
                char    **gallery_id,
                gint64   *count,
                char    **head,
                char    **head_key)
{
  g_autofree char *count_text = NULL;

  *gallery_id = query_text (db, "SELECT value FROM attest_meta WHERE key = 'gallery_id'"
                                " AND ?1 = ?1", 0);
  count_text = query_text (db, "SELECT value FROM attest_meta WHERE key = 'audit_count'"
                               " AND ?1 = ?1", 0);
  *head = query_text (db, "SELECT value FROM attest_meta WHERE key = 'audit_head'"
                          " AND ?1 = ?1", 0);
  *head_key = query_text (db, "SELECT value FROM attest_meta WHERE key = 'audit_head_key'"
                              " AND ?1 = ?1", 0);
  *count = count_text != NULL ? g_ascii_strtoll (count_text, NULL, 10) : 0;
  return count_text != NULL && *head != NULL;
}

void
_attest_store_remember_head (AttestStore *self)
{
  g_autofree char *gallery_id = NULL;
  g_autofree char *head = NULL;
  g_autofree char *head_key = NULL;
  gint64 count = 0;
  gint64 bad = -1;
  sqlite3 *db = _attest_store_get_db (self);

  if (db == NULL || _attest_store_get_key (self) == NULL ||
      attest_store_get_schema_version (self) < ATTEST_STORE_KEYED_SCHEMA_VERSION)
    return;

  /* One snapshot (another process may be appending), and only forward along the same log: a
   * changed one keeps the old record, for verify to name. */
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return;
  if (read_meta_head (db, &gallery_id, &count, &head, &head_key) && count > 0 &&
      compare_seen (self, db, gallery_id, count, &bad, NULL, NULL, NULL))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      write_seen (self, gallery_id, count, head);
      return;
    }
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
_attest_store_seal_in_tx (AttestStore  *self,
                          GError      **error)
{
  g_autofree char *gallery_id = NULL;
  g_autofree char *head = NULL;
  g_autofree char *head_key = NULL;
  g_autofree char *details = NULL;
  AttestAuditEntry entry = { 0 };
  sqlite3 *db = _attest_store_get_db (self);
  gint64 count = 0;

  gint64 bad = -1;

  /* A log that is not the one this installation saw in this file (rebuilt at an older schema
   * to be sealed afresh) stays unsealed, for verify to report: a seal would vouch for it. */
  if (!read_meta_head (db, &gallery_id, &count, &head, &head_key) || count == 0 ||
      !compare_seen (self, db, gallery_id, count, &bad, NULL, NULL, NULL))
    return TRUE;

  details = g_strdup_printf ("{\"sealed_entries\":%" G_GINT64_FORMAT "}", count);
  entry.actor = (char *) g_get_user_name ();
  entry.action = (char *) "seal";
  entry.subject = (char *) "audit";
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;
  entry.rationale = (char *) "Entries written before this gallery had an installation key, "
                             "sealed by its first keyed entry";
  entry.details = details;

  return _attest_store_append_audit_in_tx (self, &entry, error) > 0;
}

/* attest-store-audit.c: the hash-chained, append-only audit log.
 *
 * Canonical encoding (version 1) of an entry, hashed and never stored: one JSON object, no
 * whitespace, keys in exactly this order:
 *
 *   {"id":N,"at_us":N,"actor":S,"action":S,"subject":S,"source_sha256":S,"source_ms":N,
 *    "score":F,"threshold":F,"model_id":S,"rationale":S,"details":S,"prev_hash":S}
 *
 *  - N: decimal integer ("-" for negatives); source_ms < 0 is null.
 *  - F: g_ascii_formatd "%.17g" (round-trips every double, locale independent); NAN is null;
 *    -0 is written as 0 (SQLite reads a stored -0.0 back as 0).
 *  - S: null, or a JSON string: '"' and '\' escaped as \" and \\, bytes below 0x20 as \u00xx
 *    (lowercase hex), everything else (UTF-8) as is. details is hashed as this string, not
 *    parsed, so its own formatting is preserved.
 *
 * hash = lowercase hex SHA-256 of (prev_hash || canonical), prev_hash being the previous
 * entry's hash and 64 "0" for entry 1. Ids are 1, 2, 3, ... with no gap: the store assigns
 * count + 1. attest_meta holds the head (audit_count, audit_head), written in the same
 * transaction as the entry, so removing the newest entries is detected too.
 *
 * What verify cannot see: someone who rewrites every hash after a change and the head with
 * them. Anchoring the head outside the database (an export, a printed report) covers that. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "attest-store-private.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

#define AUDIT_COLUMNS \
  "id, at_us, actor, action, subject, source_sha256, source_ms, score, threshold, model_id," \
  " rationale, details, prev_hash, hash"

void
attest_audit_entry_free (AttestAuditEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->actor);
  g_free (entry->action);
  g_free (entry->subject);
  g_free (entry->source_sha256);
  g_free (entry->model_id);
  g_free (entry->rationale);
  g_free (entry->details);
  g_free (entry->prev_hash);
  g_free (entry->hash);
  g_free (entry);
}

/* ---- canonical encoding ---- */

static void
append_key (GString    *out,
            const char *key)
{
  if (out->len > 1)
    g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, key);
  g_string_append (out, "\":");
}

static void
append_string (GString    *out,
               const char *key,
               const char *value)
{
  append_key (out, key);
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_int (GString    *out,
            const char *key,
            gint64      value,
            gboolean    is_null)
{
  append_key (out, key);
  if (is_null)
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

static void
append_double (GString    *out,
               const char *key,
               double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  append_key (out, key);
  if (isnan (value))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.17g",
                                           value == 0.0 ? 0.0 : value));
}

char *
_attest_audit_entry_canonical (const AttestAuditEntry *entry)
{
  GString *out;

  g_return_val_if_fail (entry != NULL, NULL);

  out = g_string_new ("{");
  append_int (out, "id", entry->id, FALSE);
  append_int (out, "at_us", entry->at_us, FALSE);
  append_string (out, "actor", entry->actor);
  append_string (out, "action", entry->action);
  append_string (out, "subject", entry->subject);
  append_string (out, "source_sha256", entry->source_sha256);
  append_int (out, "source_ms", entry->source_ms, entry->source_ms < 0);
  append_double (out, "score", entry->score);
  append_double (out, "threshold", entry->threshold);
  append_string (out, "model_id", entry->model_id);
  append_string (out, "rationale", entry->rationale);
  append_string (out, "details", entry->details);
  append_string (out, "prev_hash", entry->prev_hash);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
_attest_audit_entry_compute_hash (const AttestAuditEntry *entry)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  canonical = _attest_audit_entry_canonical (entry);
  if (entry->prev_hash != NULL)
    g_checksum_update (checksum, (const guchar *) entry->prev_hash, -1);
  g_checksum_update (checksum, (const guchar *) canonical, -1);

  return g_strdup (g_checksum_get_string (checksum));
}

/* ---- reading rows ---- */

static char *
column_strdup (sqlite3_stmt *stmt,
               int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup (text) : NULL;
}

/* A row selected with AUDIT_COLUMNS. */
static AttestAuditEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  AttestAuditEntry *entry = g_new0 (AttestAuditEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->at_us = sqlite3_column_int64 (stmt, 1);
  entry->actor = column_strdup (stmt, 2);
  entry->action = column_strdup (stmt, 3);
  entry->subject = column_strdup (stmt, 4);
  entry->source_sha256 = column_strdup (stmt, 5);
  entry->source_ms = sqlite3_column_type (stmt, 6) == SQLITE_NULL
                     ? -1 : sqlite3_column_int64 (stmt, 6);
  entry->score = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                 ? NAN : sqlite3_column_double (stmt, 7);
  entry->threshold = sqlite3_column_type (stmt, 8) == SQLITE_NULL
                     ? NAN : sqlite3_column_double (stmt, 8);
  entry->model_id = column_strdup (stmt, 9);
  entry->rationale = column_strdup (stmt, 10);
  entry->details = column_strdup (stmt, 11);
  entry->prev_hash = column_strdup (stmt, 12);
  entry->hash = column_strdup (stmt, 13);

  return entry;
}

/* ---- appending ---- */

static gboolean
check_text (const char  *name,
            const char  *value,
            gboolean     required,
            GError     **error)
{
  if (value == NULL || *value == '\0')
    {
      if (!required)
        return TRUE;
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("An audit entry needs a %s"), name);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("The audit entry’s %s is not valid UTF-8 text"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_number (const char  *name,
              double       value,
              GError     **error)
{
  if (isinf (value))
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("The audit entry’s %s is not a finite number"), name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_head (sqlite3  *db,
           gint64   *count,
           char    **head,
           GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found_count = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT key, value FROM attest_meta"
                           " WHERE key IN ('audit_count', 'audit_head')",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (key, "audit_count") == 0)
        {
          *count = sqlite3_column_int64 (stmt, 1);
          found_count = TRUE;
        }
      else
        {
          g_free (*head);
          *head = column_strdup (stmt, 1);
        }
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the audit log’s head"));
      return FALSE;
    }
  if (!found_count || *head == NULL)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("The audit log’s head is missing: the log was changed"));
      return FALSE;
    }
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           index,
                     double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_double (stmt, index, value == 0.0 ? 0.0 : value);
}

gint64
_attest_store_append_audit_in_tx (AttestStore            *self,
                                  const AttestAuditEntry *entry,
                                  GError                **error)
{
  sqlite3 *db;
  AttestAuditEntry row;
  g_autofree char *head = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count = 0;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (entry != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  db = _attest_store_get_db (self);
  g_return_val_if_fail (db != NULL, -1);
  g_return_val_if_fail (!sqlite3_get_autocommit (db), -1);

  if (!check_text (_("actor"), entry->actor, TRUE, error) ||
      !check_text (_("action"), entry->action, TRUE, error) ||
      !check_text (_("subject"), entry->subject, FALSE, error) ||
      !check_text (_("source hash"), entry->source_sha256, FALSE, error) ||
      !check_text (_("model"), entry->model_id, FALSE, error) ||
      !check_text (_("rationale"), entry->rationale, FALSE, error) ||
      !check_text (_("details"), entry->details, FALSE, error) ||
      !check_number (_("score"), entry->score, error) ||
      !check_number (_("threshold"), entry->threshold, error))
    return -1;

  if (!read_head (db, &count, &head, error))
    return -1;

  /* The copy that is hashed is exactly what is stored and read back. */
  row = *entry;
  row.id = count + 1;
  row.at_us = entry->at_us != 0 ? entry->at_us : g_get_real_time ();
  row.source_ms = entry->source_ms >= 0 ? entry->source_ms : -1;
  row.score = entry->score == 0.0 ? 0.0 : entry->score;
  row.threshold = entry->threshold == 0.0 ? 0.0 : entry->threshold;
  row.prev_hash = head;
  row.hash = NULL;
  hash = _attest_audit_entry_compute_hash (&row);

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO audit (" AUDIT_COLUMNS ")"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, row.id);
      sqlite3_bind_int64 (stmt, 2, row.at_us);
      bind_text_or_null (stmt, 3, row.actor);
      bind_text_or_null (stmt, 4, row.action);
      bind_text_or_null (stmt, 5, row.subject);
      bind_text_or_null (stmt, 6, row.source_sha256);
      if (row.source_ms >= 0)
        sqlite3_bind_int64 (stmt, 7, row.source_ms);
      else
        sqlite3_bind_null (stmt, 7);
      bind_double_or_null (stmt, 8, row.score);
      bind_double_or_null (stmt, 9, row.threshold);
      bind_text_or_null (stmt, 10, row.model_id);
      bind_text_or_null (stmt, 11, row.rationale);
      bind_text_or_null (stmt, 12, row.details);
      bind_text_or_null (stmt, 13, row.prev_hash);
      bind_text_or_null (stmt, 14, hash);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE attest_meta SET value = CASE key"
                             "  WHEN 'audit_count' THEN ?1 ELSE ?2 END"
                             " WHERE key IN ('audit_count', 'audit_head')",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, row.id);
      sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not write the audit log"));
      return -1;
    }

  return row.id;
}

gint64
attest_store_append_audit (AttestStore             *self,
                           const AttestAuditEntry  *entry,
                           GError                 **error)
{
  gint64 id;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (entry != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  _attest_store_lock (self);

  if (!_attest_store_begin (self, error))
    {
      _attest_store_unlock (self);
      return -1;
    }

  id = _attest_store_append_audit_in_tx (self, entry, error);
  if (id < 0 || !_attest_store_commit (self, error))
    {
      _attest_store_rollback (self);
      id = -1;
    }

  _attest_store_unlock (self);
  return id;
}

/* ---- reading and verifying ---- */

GPtrArray *
attest_store_list_audit (AttestStore  *self,
                         gint64        after_id,
                         guint         limit,
                         GError      **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_audit_entry_free);
  db = _attest_store_lock (self);

  /* limit 0: all of them (LIMIT -1 is SQLite's "no limit"). */
  rc = sqlite3_prepare_v2 (db,
                           "SELECT " AUDIT_COLUMNS " FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, after_id);
      sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (entries, entry_from_row (stmt));
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the audit log"));
      _attest_store_unlock (self);
      return NULL;
    }

  _attest_store_unlock (self);
  return g_steal_pointer (&entries);
}

static void
set_tampered (GError     **error,
              gint64      *first_bad_id,
              gint64       id,
              const char  *format_with_id)
{
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  *first_bad_id = id;
  g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED, format_with_id, id_text);
}

/* Walks the chain by id inside one read transaction (a consistent snapshot): each id must be
 * the previous + 1 (a gap names the first missing id), each hash must recompute, each
 * prev_hash must be the previous entry's hash, and the end must match the head. */
static gboolean
verify_locked (sqlite3  *db,
               guint64  *n_entries,
               gint64   *first_bad_id,
               GError  **error)
{
  g_autofree char *head = NULL;
  g_autofree char *prev = g_strdup (ZERO_HASH);
  sqlite3_stmt *stmt = NULL;
  gint64 head_count = 0;
  gint64 expected = 1;
  int rc;

  if (!read_head (db, &head_count, &head, error))
    return FALSE;

  rc = sqlite3_prepare_v2 (db, "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (AttestAuditEntry) entry = entry_from_row (stmt);
      g_autofree char *computed = NULL;

      rc = SQLITE_OK;
      *n_entries = expected - 1;

      if (entry->id > expected)
        {
          set_tampered (error, first_bad_id, expected,
                        _("Audit entry %s is missing: the log was changed"));
          break;
        }
      if (entry->id < expected)
        {
          set_tampered (error, first_bad_id, entry->id,
                        _("Audit entry %s is out of place: the log was changed"));
          break;
        }

      computed = _attest_audit_entry_compute_hash (entry);
      if (g_strcmp0 (computed, entry->hash) != 0)
        {
          set_tampered (error, first_bad_id, entry->id,
                        _("Audit entry %s does not match its hash: the log was changed"));
          break;
        }
      if (g_strcmp0 (entry->prev_hash, prev) != 0)
        {
          set_tampered (error, first_bad_id, entry->id,
                        _("Audit entry %s does not follow the entry before it: "
                          "the log was changed"));
          break;
        }

      g_free (prev);
      prev = g_steal_pointer (&entry->hash);
      expected++;
    }
  sqlite3_finalize (stmt);

  if (*first_bad_id >= 0)
    return FALSE;

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the audit log"));
      return FALSE;
    }

  *n_entries = expected - 1;

  if (expected - 1 < head_count)
    {
      set_tampered (error, first_bad_id, expected,
                    _("Audit entry %s is missing (the log is shorter than its head records): "
                      "the log was changed"));
      return FALSE;
    }
  if (expected - 1 > head_count)
    {
      set_tampered (error, first_bad_id, head_count + 1,
                    _("Audit entry %s is not recorded in the log’s head: the log was changed"));
      return FALSE;
    }
  if (g_strcmp0 (prev, head) != 0)
    {
      set_tampered (error, first_bad_id, MAX (head_count, 1),
                    _("Audit entry %s is not the newest entry the log’s head records: "
                      "the log was changed"));
      return FALSE;
    }

  return TRUE;
}

gboolean
attest_store_verify_audit (AttestStore  *self,
                           guint64      *n_entries,
                           gint64       *first_bad_id,
                           GError      **error)
{
  guint64 n = 0;
  gint64 bad = -1;
  gboolean ok;
  sqlite3 *db;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  db = _attest_store_lock (self);

  if (!_attest_store_exec (self, "BEGIN", error))
    {
      _attest_store_unlock (self);
      return FALSE;
    }
  ok = verify_locked (db, &n, &bad, error);
  _attest_store_rollback (self);

  _attest_store_unlock (self);

  /* On failure n is the number of entries that checked out before the first bad one. */
  if (n_entries != NULL)
    *n_entries = n;
  if (first_bad_id != NULL)
    *first_bad_id = bad;
  return ok;
}

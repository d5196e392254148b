/* attest-store-audit.c: the hash-chained, append-only audit log, authenticated with the
 * installation key (attest-key.h).
 *
 * Canonical encoding of an entry, hashed and never stored: one JSON object, no whitespace,
 * keys in exactly this order:
 *
 *   {"id":N,"at_us":N,"actor":S,"action":S,"subject":S,"source_sha256":S,"source_ms":N,
 *    "score":F,"threshold":F,"model_id":S,"rationale":S,"details":S,"prev_hash":S}
 *
 * and, for a keyed entry (version 2), one more key before the closing brace: ,"key_id":S
 *
 *  - N: decimal integer ("-" for negatives); source_ms < 0 is null.
 *  - F: g_ascii_formatd "%.17g" (round-trips every double, locale independent); NAN is null;
 *    -0 is written as 0 (SQLite reads a stored -0.0 back as 0).
 *  - S: null, or a JSON string: '"' and '\' escaped as \" and \\, bytes below 0x20 as \u00xx
 *    (lowercase hex), everything else (UTF-8) as is. details is hashed as this string, not
 *    parsed, so its own formatting is preserved.
 *
 * Version 1 (entries written before the gallery had keys, schema 3 and older):
 *   hash = hex SHA-256 of (prev_hash || canonical)
 * Version 2 (keyed):
 *   content = hex SHA-256 of canonical
 *   hash    = hex SHA-256 of (prev_hash || content)
 *   mac     = hex HMAC-SHA256 under the installation's audit key of "attest-audit-entry:" hash
 * so that an export may show an entry only by its content hash and the chain still checks.
 * prev_hash is the previous entry's hash and 64 "0" for entry 1. Ids are 1, 2, 3, ... with no
 * gap: the store assigns count + 1.
 *
 * attest_meta holds the head, written in the same transaction as each entry: audit_count,
 * audit_head (the newest hash), audit_head_key and audit_head_mac (HMAC of
 * "attest-audit-head:" count ":" head). Once one entry is keyed, every later one must be.
 * Opening a gallery whose entries are all unkeyed appends a "seal" entry, whose hash covers
 * every entry before it.
 *
 * Without the key, a rewrite (even with every hash recomputed), a truncation or a moved head
 * is detected. Outside the database this installation also remembers, per gallery file, the
 * newest head it saw (attest-store.c, audit-heads.ini beside the key), so that a log stripped
 * of its keys, or replaced by an older copy, is reported too. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "attest-store-private.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

#define AUDIT_COLUMNS \
  "id, at_us, actor, action, subject, source_sha256, source_ms, score, threshold, model_id," \
  " rationale, details, prev_hash, hash, key_id, mac"
/* Schema 3 and older have no keys (tests build such galleries to migrate them). */
#define AUDIT_COLUMNS_V1 \
  "id, at_us, actor, action, subject, source_sha256, source_ms, score, threshold, model_id," \
  " rationale, details, prev_hash, hash, NULL, NULL"

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
  g_free (entry->key_id);
  g_free (entry->mac);
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
  if (entry->key_id != NULL)
    append_string (out, "key_id", entry->key_id);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
attest_audit_entry_content_hash (const AttestAuditEntry *entry)
{
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  canonical = _attest_audit_entry_canonical (entry);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
}

char *
attest_audit_link_hash (const char *prev_hash,
                        const char *content_hash)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_return_val_if_fail (content_hash != NULL, NULL);

  if (prev_hash != NULL)
    g_checksum_update (checksum, (const guchar *) prev_hash, -1);
  g_checksum_update (checksum, (const guchar *) content_hash, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

char *
attest_audit_entry_compute_hash (const AttestAuditEntry *entry)
{
  return _attest_audit_entry_compute_hash (entry);
}

char *
_attest_audit_entry_compute_hash (const AttestAuditEntry *entry)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  if (entry->key_id != NULL)
    {
      g_autofree char *content = attest_audit_entry_content_hash (entry);

      return attest_audit_link_hash (entry->prev_hash, content);
    }

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
  entry->key_id = column_strdup (stmt, 14);
  entry->mac = column_strdup (stmt, 15);

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

/* The head as attest_meta records it. key and mac are NULL before the first keyed entry. */
typedef struct
{
  gint64  count;
  char   *hash;
  char   *key_id;
  char   *mac;
  char   *gallery_id;
} AuditHead;

static void
audit_head_clear (AuditHead *head)
{
  g_clear_pointer (&head->hash, g_free);
  g_clear_pointer (&head->key_id, g_free);
  g_clear_pointer (&head->mac, g_free);
  g_clear_pointer (&head->gallery_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AuditHead, audit_head_clear)

static gboolean
read_head (sqlite3    *db,
           AuditHead  *head,
           GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found_count = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT key, value FROM attest_meta WHERE key IN"
                           " ('audit_count', 'audit_head', 'audit_head_key', 'audit_head_mac', 'gallery_id')",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (key, "audit_count") == 0)
        {
          head->count = sqlite3_column_int64 (stmt, 1);
          found_count = TRUE;
        }
      else if (g_strcmp0 (key, "audit_head") == 0)
        {
          g_free (head->hash);
          head->hash = column_strdup (stmt, 1);
        }
      else if (g_strcmp0 (key, "audit_head_key") == 0)
        {
          g_free (head->key_id);
          head->key_id = column_strdup (stmt, 1);
        }
      else if (g_strcmp0 (key, "audit_head_mac") == 0)
        {
          g_free (head->mac);
          head->mac = column_strdup (stmt, 1);
        }
      else
        {
          g_free (head->gallery_id);
          head->gallery_id = column_strdup (stmt, 1);
        }
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the audit log’s head"));
      return FALSE;
    }
  if (!found_count || head->hash == NULL)
    {
      g_set_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED,
                   _("The audit log’s head is missing: the log was changed"));
      return FALSE;
    }
  return TRUE;
}

/* The gallery id is covered so that the head of one gallery cannot stand in for another's. */
static char *
head_mac (AttestKey  *key,
          const char *gallery_id,
          gint64      count,
          const char *hash)
{
  g_autofree char *text = g_strdup_printf ("%s:%" G_GINT64_FORMAT ":%s",
                                           gallery_id != NULL ? gallery_id : "",
                                           count, hash);

  return attest_key_mac (key, "attest-audit-head", text);
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

static gboolean
is_keyed (AttestStore *self)
{
  return attest_store_get_schema_version (self) >= ATTEST_STORE_KEYED_SCHEMA_VERSION;
}

gint64
_attest_store_append_audit_in_tx (AttestStore            *self,
                                  const AttestAuditEntry *entry,
                                  GError                **error)
{
  g_auto (AuditHead) head = { 0 };
  AttestKey *key = NULL;
  sqlite3 *db;
  AttestAuditEntry row;
  g_autofree char *hash = NULL;
  g_autofree char *mac = NULL;
  g_autofree char *new_head_mac = NULL;
  sqlite3_stmt *stmt = NULL;
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

  if (is_keyed (self))
    {
      key = _attest_store_get_key (self);
      g_return_val_if_fail (key != NULL, -1);
    }

  if (!read_head (db, &head, error))
    return -1;

  /* The copy that is hashed is exactly what is stored and read back. */
  row = *entry;
  row.id = head.count + 1;
  row.at_us = entry->at_us != 0 ? entry->at_us : g_get_real_time ();
  row.source_ms = entry->source_ms >= 0 ? entry->source_ms : -1;
  row.score = entry->score == 0.0 ? 0.0 : entry->score;
  row.threshold = entry->threshold == 0.0 ? 0.0 : entry->threshold;
  row.prev_hash = head.hash;
  row.hash = NULL;
  row.key_id = key != NULL ? (char *) attest_key_get_id (key) : NULL;
  row.mac = NULL;
  hash = _attest_audit_entry_compute_hash (&row);
  if (key != NULL)
    {
      mac = attest_key_mac (key, "attest-audit-entry", hash);
      new_head_mac = head_mac (key, head.gallery_id, row.id, hash);
    }

  rc = sqlite3_prepare_v2 (db,
                           key != NULL
                           ? "INSERT INTO audit (" AUDIT_COLUMNS ")"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                             " ?14, ?15, ?16)"
                           : "INSERT INTO audit (id, at_us, actor, action, subject,"
                             " source_sha256, source_ms, score, threshold, model_id, rationale,"
                             " details, prev_hash, hash)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                             " ?14)",
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
      if (key != NULL)
        {
          bind_text_or_null (stmt, 15, row.key_id);
          bind_text_or_null (stmt, 16, mac);
        }
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE attest_meta SET value = CASE key"
                             "  WHEN 'audit_count' THEN ?1 WHEN 'audit_head' THEN ?2"
                             "  WHEN 'audit_head_key' THEN ?3 ELSE ?4 END"
                             " WHERE key IN ('audit_count', 'audit_head', 'audit_head_key',"
                             "  'audit_head_mac')",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, row.id);
      sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
      bind_text_or_null (stmt, 3, row.key_id);
      bind_text_or_null (stmt, 4, new_head_mac);
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

static const char *
select_columns (AttestStore *self)
{
  return is_keyed (self) ? AUDIT_COLUMNS : AUDIT_COLUMNS_V1;
}

GPtrArray *
attest_store_list_audit (AttestStore  *self,
                         gint64        after_id,
                         guint         limit,
                         GError      **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_audit_entry_free);
  db = _attest_store_lock (self);

  /* limit 0: all of them (LIMIT -1 is SQLite's "no limit"). */
  sql = g_strdup_printf ("SELECT %s FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
                         select_columns (self));
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
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

/* Whether a keyed entry is the "seal" written by the step to the keyed schema over the
 * n_unkeyed entries before it. */
static gboolean
is_seal_of (const AttestAuditEntry *entry,
            guint64                 n_unkeyed)
{
  g_autofree char *expected = g_strdup_printf ("{\"sealed_entries\":%" G_GUINT64_FORMAT "}",
                                               n_unkeyed);

  return g_strcmp0 (entry->action, "seal") == 0 && g_strcmp0 (entry->details, expected) == 0;
}

/* Walks the chain by id inside one read transaction (a consistent snapshot): each id must be
 * the previous + 1 (a gap names the first missing id), each hash must recompute, each
 * prev_hash must be the previous entry's hash, each entry after the first keyed one must be
 * keyed, each entry keyed by this installation must carry its MAC, and the end must match the
 * head, whose MAC must hold when this installation wrote it. */
static gboolean
verify_locked (AttestStore       *self,
               sqlite3           *db,
               AttestAuditCheck  *check,
               gint64            *first_bad_id,
               GError           **error)
{
  g_auto (AuditHead) head = { 0 };
  g_autofree char *prev = g_strdup (ZERO_HASH);
  g_autofree char *last_key = NULL;
  g_autofree char *sql = NULL;
  AttestKey *key = _attest_store_get_key (self);
  const char *our_id = key != NULL ? attest_key_get_id (key) : NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 expected = 1;
  int rc;

  if (!read_head (db, &head, error))
    return FALSE;

  sql = g_strdup_printf ("SELECT %s FROM audit ORDER BY id", select_columns (self));
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (AttestAuditEntry) entry = entry_from_row (stmt);
      g_autofree char *computed = NULL;

      rc = SQLITE_OK;
      check->n_entries = expected - 1;

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

      if (entry->key_id == NULL && last_key != NULL)
        {
          set_tampered (error, first_bad_id, entry->id,
                        _("Audit entry %s has no key although the entries before it have: "
                          "the log was changed"));
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

      if (entry->key_id != NULL && last_key == NULL && check->n_unkeyed > 0 &&
          !is_seal_of (entry, check->n_unkeyed))
        {
          set_tampered (error, first_bad_id, entry->id,
                        _("Audit entry %s is keyed but does not seal the unkeyed entries "
                          "before it: the log was changed"));
          break;
        }

      if (entry->key_id == NULL)
        check->n_unkeyed++;
      else if (our_id != NULL && g_strcmp0 (entry->key_id, our_id) == 0)
        {
          g_autofree char *mac = attest_key_mac (key, "attest-audit-entry", entry->hash);

          if (entry->mac == NULL || g_ascii_strcasecmp (mac, entry->mac) != 0)
            {
              set_tampered (error, first_bad_id, entry->id,
                            _("Audit entry %s was not written by this installation (its key "
                              "does not confirm it): the log was changed"));
              break;
            }
          check->n_this_key++;
        }
      else
        check->n_other_keys++;

      if (entry->key_id != NULL)
        {
          g_free (last_key);
          last_key = g_strdup (entry->key_id);
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

  check->n_entries = expected - 1;

  /* A gallery of the keyed schema seals its older entries when it is migrated: entries that
   * are all unkeyed there were stripped of their keys. */
  if (is_keyed (self) && check->n_unkeyed > 0 && last_key == NULL)
    {
      set_tampered (error, first_bad_id, 1,
                    _("Audit entries %s to the newest have no key although this gallery has "
                      "had keys since its update: the log was changed"));
      check->n_entries = 0;
      return FALSE;
    }

  if (expected - 1 < head.count)
    {
      set_tampered (error, first_bad_id, expected,
                    _("Audit entry %s is missing (the log is shorter than its head records): "
                      "the log was changed"));
      return FALSE;
    }
  if (expected - 1 > head.count)
    {
      set_tampered (error, first_bad_id, head.count + 1,
                    _("Audit entry %s is not recorded in the log’s head: the log was changed"));
      return FALSE;
    }
  if (g_strcmp0 (prev, head.hash) != 0)
    {
      set_tampered (error, first_bad_id, MAX (head.count, 1),
                    _("Audit entry %s is not the newest entry the log’s head records: "
                      "the log was changed"));
      return FALSE;
    }
  if (g_strcmp0 (last_key, head.key_id) != 0)
    {
      set_tampered (error, first_bad_id, MAX (head.count, 1),
                    _("The audit log’s head (entry %s) does not name the key of its newest "
                      "entry: entries were removed or the head was moved"));
      return FALSE;
    }
  if (last_key != NULL && our_id != NULL && g_strcmp0 (last_key, our_id) == 0)
    {
      g_autofree char *mac = head_mac (key, head.gallery_id, head.count, head.hash);

      if (head.mac == NULL || g_ascii_strcasecmp (mac, head.mac) != 0)
        {
          set_tampered (error, first_bad_id, MAX (head.count, 1),
                        _("The audit log’s head (entry %s) was not written by this "
                          "installation: newer entries were removed or the head was moved"));
          return FALSE;
        }
    }

  check->head = g_strdup (head.hash);
  check->gallery_id = g_strdup (head.gallery_id);
  return TRUE;
}

void
attest_audit_check_clear (AttestAuditCheck *check)
{
  g_return_if_fail (check != NULL);

  g_clear_pointer (&check->head, g_free);
  g_clear_pointer (&check->key_id, g_free);
  g_clear_pointer (&check->seen_head, g_free);
  g_clear_pointer (&check->gallery_id, g_free);
}

gboolean
attest_store_check_audit (AttestStore       *self,
                          AttestAuditCheck  *check,
                          gint64            *first_bad_id,
                          GError           **error)
{
  AttestAuditCheck local = { 0 };
  AttestKey *key;
  gint64 bad = -1;
  gboolean ok;
  sqlite3 *db;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key = _attest_store_get_key (self);
  if (key != NULL)
    local.key_id = g_strdup (attest_key_get_id (key));

  db = _attest_store_lock (self);

  if (!_attest_store_exec (self, "BEGIN", error))
    {
      _attest_store_unlock (self);
      attest_audit_check_clear (&local);
      return FALSE;
    }
  ok = verify_locked (self, db, &local, &bad, error);
  _attest_store_rollback (self);
  if (ok)
    ok = _attest_store_check_seen_head (self, &local, &bad, error);

  _attest_store_unlock (self);

  /* On failure n_entries is the number of entries that checked out before the first bad one. */
  if (check != NULL)
    *check = local;
  else
    attest_audit_check_clear (&local);
  if (first_bad_id != NULL)
    *first_bad_id = bad;
  return ok;
}

gboolean
attest_store_verify_audit (AttestStore  *self,
                           guint64      *n_entries,
                           gint64       *first_bad_id,
                           GError      **error)
{
  g_auto (AttestAuditCheck) check = { 0 };
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = attest_store_check_audit (self, &check, first_bad_id, error);
  if (n_entries != NULL)
    *n_entries = check.n_entries;
  return ok;
}

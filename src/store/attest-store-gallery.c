/* attest-store-gallery.c: identities and enrolled faces (attest-gallery.h) on the v1 schema:
 * shared helpers, enrolment, reading, counts, the embedding stream. Renaming, merging and
 * deleting are in attest-store-gallery-edit.c, the _async calls in attest-store-gallery-async.c.
 *
 * Names: stored trimmed, NFC, with inner white space collapsed. Uniqueness ignores case for
 * all of Unicode, not only ASCII (the schema's COLLATE NOCASE only folds A-Z), so names are
 * compared here by a key: NFKD of the case-folded name. The scan that does it runs inside
 * the write transaction, so no other writer can slip a clashing name in meanwhile.
 *
 * Every write: _attest_store_begin (BEGIN IMMEDIATE), checks, changes, the audit entry
 * (_attest_store_append_audit_in_tx), commit; any failure rolls all of it back. */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "attest-store-gallery-private.h"

G_DEFINE_QUARK (attest-gallery-error-quark, attest_gallery_error)

/* How far an embedding's length may be from 1 (float32 rounding of a normalised vector is
 * ~1e-6; anything further was not normalised). */
#define NORM_TOLERANCE 1e-3

/* ---- small helpers (shared through attest-store-gallery-private.h) ---- */

sqlite3_stmt *
_attest_gallery_prepare (sqlite3     *db,
                         const char  *sql,
                         const char  *what,
                         GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

/* Runs a statement that returns no rows; *changes gets the rows it changed. */
gboolean
_attest_gallery_step_done (sqlite3       *db,
                           sqlite3_stmt  *stmt,
                           const char    *what,
                           gint64        *changes,
                           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  if (changes != NULL)
    *changes = sqlite3_changes64 (db);
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           column,
                   const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, column, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  const void *data;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  data = sqlite3_column_blob (stmt, column);
  return g_bytes_new (data, sqlite3_column_bytes (stmt, column));
}

const char *
_attest_gallery_column_text (sqlite3_stmt *stmt,
                             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

void
_attest_gallery_audit_entry_init (AttestAuditEntry *entry,
                                  const char       *actor,
                                  const char       *action,
                                  const char       *subject)
{
  memset (entry, 0, sizeof *entry);
  entry->actor = (char *) actor;
  entry->action = (char *) action;
  entry->subject = (char *) subject;
  entry->source_ms = -1;
  entry->score = NAN;
  entry->threshold = NAN;
}

char *
_attest_gallery_builder_to_text (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

void
_attest_gallery_add_member_string (JsonBuilder *builder,
                                   const char  *name,
                                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
_attest_gallery_add_member_int (JsonBuilder *builder,
                                const char  *name,
                                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* ---- validating input ---- */

/* A copy of `text` trimmed, NFC, with runs of white space and control characters made one
 * space; NULL when text is NULL, blank or not UTF-8. */
char *
_attest_gallery_clean_text (const char *text)
{
  g_autofree char *normal = NULL;
  GString *out;
  gboolean pending_space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  normal = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (normal == NULL)
    return NULL;

  out = g_string_new (NULL);
  for (const char *p = normal; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_unichar (out, c);
    }

  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

gboolean
_attest_gallery_is_blank (const char *text)
{
  g_autofree char *clean = _attest_gallery_clean_text (text);

  return clean == NULL;
}

/* What two names must share to be "the same name". */
static char *
name_key (const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  return g_utf8_normalize (folded, -1, G_NORMALIZE_ALL);
}

/* Lowercase copy of a SHA-256 hex string, or NULL when it is not one. */
static char *
clean_sha256 (const char *sha256)
{
  if (sha256 == NULL || strlen (sha256) != 64)
    return NULL;
  for (const char *p = sha256; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  return g_ascii_strdown (sha256, -1);
}

gboolean
_attest_gallery_check_name (const char  *name,
                            GError     **error)
{
  for (const char *p = name; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Zero-width spaces and joiners, bidirectional overrides, byte order marks: a name that
       * looks like another, or shows its letters in another order than it holds them. */
      if (g_unichar_type (c) == G_UNICODE_FORMAT)
        {
          g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                       _("The name “%s” holds an invisible formatting character (U+%04X): "
                         "type it again without it"), name, c);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_attest_gallery_check_actor (const char  *actor,
                             char       **clean_out,
                             GError     **error)
{
  *clean_out = _attest_gallery_clean_text (actor);
  if (*clean_out == NULL)
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Enter your name as reviewer before changing the gallery"));
      return FALSE;
    }
  if (!_attest_gallery_check_name (*clean_out, error))
    {
      g_clear_pointer (clean_out, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Latin letters that other scripts draw alike (Cyrillic and Greek), and digits read as
 * letters: names that differ only by these look the same on screen. */
static gunichar
unconfuse (gunichar c)
{
  static const struct { gunichar from, to; } table[] = {
    { 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043E, 'o' }, { 0x0440, 'p' }, { 0x0441, 'c' },
    { 0x0445, 'x' }, { 0x0443, 'y' }, { 0x0456, 'i' }, { 0x0458, 'j' }, { 0x0455, 's' },
    { 0x04BB, 'h' }, { 0x0501, 'd' }, { 0x051B, 'q' }, { 0x051D, 'w' }, { 0x03BF, 'o' },
    { 0x03B1, 'a' }, { 0x03B9, 'i' }, { 0x03BD, 'v' }, { 0x03C1, 'p' }, { 0x03BA, 'k' },
    { 0x0131, 'i' }, { '0', 'o' }, { '1', 'l' }, { '5', 's' },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].from == c)
      return table[i].to;
  return c;
}

char *
_attest_gallery_likeness_key (const char *name)
{
  g_autofree char *key = name_key (name);
  GString *out = g_string_new (NULL);

  /* name_key folded case and decomposed; keep letters and digits only, without their marks
   * and with look-alikes made one: "John_Salley", "john salley", "Jоhn Sаlley" (Cyrillic о
   * and а) and "John Salléy" share a key. */
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) && !g_unichar_ismark (c))
        g_string_append_unichar (out, unconfuse (c));
    }
  return g_string_free (out, FALSE);
}

static gboolean
check_embedding (const float  *embedding,
                 GError      **error)
{
  double sum = 0.0;

  if (embedding == NULL)
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: it has no embedding"));
      return FALSE;
    }

  for (guint i = 0; i < ATTEST_GALLERY_EMBEDDING_DIM; i++)
    {
      if (!isfinite (embedding[i]))
        {
          g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                               _("Could not enrol the face: its embedding holds values that "
                                 "are not numbers"));
          return FALSE;
        }
      sum += (double) embedding[i] * embedding[i];
    }

  /* The matcher compares by dot product, which is the cosine only for unit vectors. */
  if (fabs (sqrt (sum) - 1.0) > NORM_TOLERANCE)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("Could not enrol the face: its embedding is not normalised "
                     "(length %.4f instead of 1)"),
                   sqrt (sum));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_png (GBytes *bytes)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return size > sizeof signature && memcmp (data, signature, sizeof signature) == 0;
}

/* The enrolment's checked, cleaned values. */
typedef struct
{
  char *actor;
  char *name;       /* NULL when enrolling by identity id */
  char *notes;
  char *basis;
  char *model_id;
  char *source_sha256;
  char *file_sha256;
  gint64 source_ms;
} CleanEnrolment;

static void
clean_enrolment_clear (CleanEnrolment *c)
{
  g_free (c->actor);
  g_free (c->name);
  g_free (c->notes);
  g_free (c->basis);
  g_free (c->model_id);
  g_free (c->source_sha256);
  g_free (c->file_sha256);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CleanEnrolment, clean_enrolment_clear)

static gboolean
check_enrolment (const AttestEnrolment  *e,
                 CleanEnrolment         *c,
                 GError                **error)
{
  if (!_attest_gallery_check_actor (e->actor, &c->actor, error))
    return FALSE;

  if (e->identity_id <= 0)
    {
      c->name = _attest_gallery_clean_text (e->identity_name);
      if (c->name == NULL)
        {
          g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                               _("Could not enrol the face: choose a person or type a name"));
          return FALSE;
        }
      if (!_attest_gallery_check_name (c->name, error))
        return FALSE;
    }

  /* The basis keeps its lines (it may be a paragraph); only a blank one is refused. */
  if (!_attest_gallery_is_blank (e->basis))
    c->basis = g_strstrip (g_strdup (e->basis));
  if (c->basis == NULL)
    {
      if (c->name != NULL)
        g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                     _("Could not enrol the face as “%s”: say how you know it is them "
                       "(the basis is empty)"),
                     c->name);
      else
        g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                             _("Could not enrol the face: say how you know who it is "
                               "(the basis is empty)"));
      return FALSE;
    }

  if (e->notes != NULL && !g_utf8_validate (e->notes, -1, NULL))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: the notes are not valid text"));
      return FALSE;
    }
  /* Notes keep their lines; only blank notes count as none. */
  c->notes = !_attest_gallery_is_blank (e->notes) ? g_strstrip (g_strdup (e->notes)) : NULL;

  if (!check_embedding (e->embedding, error))
    return FALSE;

  c->model_id = _attest_gallery_clean_text (e->model_id);
  if (c->model_id == NULL)
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: the embedding’s model is not named"));
      return FALSE;
    }

  if (e->thumbnail_png != NULL && !is_png (e->thumbnail_png))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: its thumbnail is not a PNG image"));
      return FALSE;
    }

  if (e->source_sha256 != NULL && (c->source_sha256 = clean_sha256 (e->source_sha256)) == NULL)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("Could not enrol the face: “%s” is not a SHA-256 hash of its source"),
                   e->source_sha256);
      return FALSE;
    }
  if (e->file_sha256 != NULL && (c->file_sha256 = clean_sha256 (e->file_sha256)) == NULL)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("Could not enrol the face: “%s” is not a SHA-256 hash of its file"),
                   e->file_sha256);
      return FALSE;
    }
  if (e->source_uri != NULL && !g_utf8_validate (e->source_uri, -1, NULL))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: its source address is not valid text"));
      return FALSE;
    }

  c->source_ms = e->source_ms >= 0 ? e->source_ms : -1;

  if (e->has_box &&
      (!isfinite (e->box_x) || !isfinite (e->box_y) || !isfinite (e->box_w) ||
       !isfinite (e->box_h) || e->box_w <= 0.0 || e->box_h <= 0.0))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not enrol the face: its box has no area"));
      return FALSE;
    }

  return TRUE;
}

/* ---- lookups (lock held) ---- */

/* The identity whose name is the same as `name` ignoring case, other than exclude_id:
 * *found_id (-1: none) and its stored name. */
gboolean
_attest_gallery_find_identity_by_name (sqlite3     *db,
                                       const char  *name,
                                       gint64       exclude_id,
                                       gint64      *found_id,
                                       char       **found_name,
                                       GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *key = name_key (name);
  int rc;

  *found_id = -1;

  /* Fast path through the name index (COLLATE NOCASE): an ASCII-case match is a match. */
  stmt = _attest_gallery_prepare (db,
                                  "SELECT id, name FROM identities WHERE name = ?1 AND id != ?2",
                                  _("Could not read the gallery"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, exclude_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found_id = sqlite3_column_int64 (stmt, 0);
      if (found_name != NULL)
        *found_name = g_strdup (_attest_gallery_column_text (stmt, 1));
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Otherwise every name's key: the only way to find "ÉMILE" for "Émile". */
  stmt = _attest_gallery_prepare (db, "SELECT id, name FROM identities",
                                  _("Could not read the gallery"), error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *other = _attest_gallery_column_text (stmt, 1);
      g_autofree char *other_key = NULL;

      if (sqlite3_column_int64 (stmt, 0) == exclude_id || other == NULL)
        continue;
      other_key = name_key (other);
      if (g_strcmp0 (key, other_key) == 0)
        {
          *found_id = sqlite3_column_int64 (stmt, 0);
          if (found_name != NULL)
            *found_name = g_strdup (other);
          return TRUE;
        }
    }

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      return FALSE;
    }
  return TRUE;
}

/* An identity's name and notes; ATTEST_GALLERY_ERROR_NOT_FOUND with `missing` (a sentence)
 * when it is not there. */
gboolean
_attest_gallery_read_identity_row (sqlite3     *db,
                                   gint64       identity_id,
                                   char       **name,
                                   char       **notes,
                                   const char  *missing,
                                   GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _attest_gallery_prepare (db, "SELECT name, notes FROM identities WHERE id = ?1",
                                  _("Could not read the gallery"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *name = g_strdup (_attest_gallery_column_text (stmt, 0));
      if (notes != NULL)
        *notes = g_strdup (_attest_gallery_column_text (stmt, 1));
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND, missing);
  else
    _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
  return FALSE;
}

static gboolean
find_face_by_file_locked (sqlite3     *db,
                          gint64       identity_id,
                          const char  *file_sha256,
                          gint64      *face_id,
                          GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  *face_id = -1;
  stmt = _attest_gallery_prepare (db,
                                  "SELECT id FROM faces WHERE identity_id = ?1 AND file_sha256 = ?2"
                                  " ORDER BY id LIMIT 1",
                                  _("Could not read the gallery"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_text (stmt, 2, file_sha256, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *face_id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      return FALSE;
    }
  return TRUE;
}

gint64
_attest_gallery_count_rows (sqlite3     *db,
                            const char  *sql,
                            gint64       bound_id,
                            GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _attest_gallery_prepare (db, sql, _("Could not read the gallery"), error);
  if (stmt == NULL)
    return -1;
  if (bound_id >= 0)
    sqlite3_bind_int64 (stmt, 1, bound_id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/* ---- enrol ---- */

static gboolean
enrol_in_tx (AttestStore            *self,
             const AttestEnrolment  *e,
             const CleanEnrolment   *c,
             gint64                 *face_id_out,
             gboolean               *duplicate_out,
             GError                **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *identity_name = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  AttestAuditEntry entry;
  gint64 identity_id = -1;
  gint64 source_id = -1;
  gint64 face_id;
  gboolean created = FALSE;
  gint64 now = g_get_real_time ();
  const char *what = _("Could not enrol the face");

  /* Who. */
  if (e->identity_id > 0)
    {
      if (!_attest_gallery_read_identity_row (db, e->identity_id, &identity_name, NULL,
                                              _("Could not enrol the face: the chosen person "
                                                "is no longer in the gallery"),
                                              error))
        return FALSE;
      identity_id = e->identity_id;
    }
  else
    {
      if (!_attest_gallery_find_identity_by_name (db, c->name, -1, &identity_id, &identity_name,
                                                  error))
        return FALSE;
      if (identity_id > 0 && e->create_identity)
        {
          g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_EXISTS,
                       _("An identity named “%s” already exists"), identity_name);
          return FALSE;
        }
    }

  /* The same image file already enrolled for this person: nothing to do. */
  if (identity_id > 0 && c->file_sha256 != NULL)
    {
      gint64 existing;

      if (!find_face_by_file_locked (db, identity_id, c->file_sha256, &existing, error))
        return FALSE;
      if (existing > 0)
        {
          *face_id_out = existing;
          *duplicate_out = TRUE;
          return TRUE;
        }
    }

  if (identity_id <= 0)
    {
      stmt = _attest_gallery_prepare (db,
                                      "INSERT INTO identities (name, notes, created_at, created_by)"
                                      " VALUES (?1, ?2, ?3, ?4)",
                                      what, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, c->name, -1, SQLITE_TRANSIENT);
      bind_text_or_null (stmt, 2, c->notes);
      sqlite3_bind_int64 (stmt, 3, now);
      sqlite3_bind_text (stmt, 4, c->actor, -1, SQLITE_TRANSIENT);
      if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);

      identity_id = sqlite3_last_insert_rowid (db);
      identity_name = g_strdup (c->name);
      created = TRUE;
    }

  /* Where from. */
  if (c->source_sha256 != NULL)
    {
      int rc;

      stmt = _attest_gallery_prepare (db,
                                      "INSERT INTO sources (uri, sha256, first_seen_at)"
                                      " VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
                                      what, error);
      if (stmt == NULL)
        return FALSE;
      bind_text_or_null (stmt, 1, e->source_uri);
      sqlite3_bind_text (stmt, 2, c->source_sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);

      stmt = _attest_gallery_prepare (db, "SELECT id FROM sources WHERE sha256 = ?1", what, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, c->source_sha256, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          _attest_store_set_sqlite_error (error, db, rc, what);
          return FALSE;
        }
      source_id = sqlite3_column_int64 (stmt, 0);
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  /* The face. */
  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO faces (identity_id, embedding, embedding_dim,"
                                  "  model_id, thumbnail_png, source_id, source_uri, source_ms,"
                                  "  box_x, box_y, box_w, box_h, file_sha256, enrolled_by,"
                                  "  enrolled_at, basis)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                                  "  ?13, ?14, ?15, ?16)",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  sqlite3_bind_blob (stmt, 2, e->embedding, ATTEST_GALLERY_EMBEDDING_DIM * sizeof (float),
                     SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, ATTEST_GALLERY_EMBEDDING_DIM);
  sqlite3_bind_text (stmt, 4, c->model_id, -1, SQLITE_TRANSIENT);
  if (e->thumbnail_png != NULL)
    {
      gsize size = 0;
      const void *data = g_bytes_get_data (e->thumbnail_png, &size);

      sqlite3_bind_blob64 (stmt, 5, data, size, SQLITE_TRANSIENT);
    }
  if (source_id > 0)
    sqlite3_bind_int64 (stmt, 6, source_id);
  bind_text_or_null (stmt, 7, e->source_uri);
  if (c->source_ms >= 0)
    sqlite3_bind_int64 (stmt, 8, c->source_ms);
  if (e->has_box)
    {
      sqlite3_bind_double (stmt, 9, e->box_x);
      sqlite3_bind_double (stmt, 10, e->box_y);
      sqlite3_bind_double (stmt, 11, e->box_w);
      sqlite3_bind_double (stmt, 12, e->box_h);
    }
  bind_text_or_null (stmt, 13, c->file_sha256);
  sqlite3_bind_text (stmt, 14, c->actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 15, now);
  sqlite3_bind_text (stmt, 16, c->basis, -1, SQLITE_TRANSIENT);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;
  face_id = sqlite3_last_insert_rowid (db);

  /* The audit entry, in the same transaction. */
  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "identity_name", identity_name);
  json_builder_set_member_name (details, "identity_created");
  json_builder_add_boolean_value (details, created);
  json_builder_set_member_name (details, "box");
  if (e->has_box)
    {
      json_builder_begin_object (details);
      json_builder_set_member_name (details, "x");
      json_builder_add_double_value (details, e->box_x);
      json_builder_set_member_name (details, "y");
      json_builder_add_double_value (details, e->box_y);
      json_builder_set_member_name (details, "w");
      json_builder_add_double_value (details, e->box_w);
      json_builder_set_member_name (details, "h");
      json_builder_add_double_value (details, e->box_h);
      json_builder_end_object (details);
    }
  else
    json_builder_add_null_value (details);
  _attest_gallery_add_member_string (details, "basis", c->basis);
  _attest_gallery_add_member_string (details, "source_uri", e->source_uri);
  _attest_gallery_add_member_string (details, "file_sha256", c->file_sha256);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("face:%" G_GINT64_FORMAT, face_id);
  _attest_gallery_audit_entry_init (&entry, c->actor, e->via_import ? "import" : "enrol", subject);
  entry.at_us = now;
  entry.source_sha256 = c->source_sha256;
  entry.source_ms = c->source_ms;
  entry.model_id = c->model_id;
  entry.rationale = c->basis;
  entry.details = details_text;
  if (_attest_store_append_audit_in_tx (self, &entry, error) < 0)
    return FALSE;

  *face_id_out = face_id;
  return TRUE;
}

gboolean
attest_store_enrol_face (AttestStore            *self,
                         const AttestEnrolment  *e,
                         gint64                 *face_id_out,
                         gboolean               *duplicate_out,
                         GError                **error)
{
  g_auto (CleanEnrolment) c = { 0 };
  gint64 face_id = -1;
  gboolean duplicate = FALSE;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (e != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (face_id_out != NULL)
    *face_id_out = -1;
  if (duplicate_out != NULL)
    *duplicate_out = FALSE;

  if (!check_enrolment (e, &c, error))
    return FALSE;

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = enrol_in_tx (self, e, &c, &face_id, &duplicate, error);
      /* A duplicate wrote nothing: end the transaction without a commit. */
      if (ok && !duplicate)
        ok = _attest_store_commit (self, error);
      else
        _attest_store_rollback (self);
    }
  _attest_store_unlock (self);

  if (!ok)
    return FALSE;

  if (face_id_out != NULL)
    *face_id_out = face_id;
  if (duplicate_out != NULL)
    *duplicate_out = duplicate;
  return TRUE;
}

/* ---- reading identities and faces ---- */

#define IDENTITY_SELECT \
  "SELECT i.id, i.name, i.notes, i.created_at, i.created_by," \
  "  (SELECT count (*) FROM faces f WHERE f.identity_id = i.id)," \
  "  (SELECT count (*) FROM matches m WHERE m.identity_id = i.id)," \
  "  (SELECT f.thumbnail_png FROM faces f WHERE f.identity_id = i.id" \
  "     AND f.thumbnail_png IS NOT NULL ORDER BY f.id LIMIT 1)" \
  " FROM identities i"

static AttestIdentity *
identity_from_row (sqlite3_stmt *stmt)
{
  g_autoptr (GBytes) cover = column_bytes (stmt, 7);

  /* Values are clamped to the properties' ranges: a database edited by hand must not make
   * g_object_new complain. */
  return g_object_new (ATTEST_TYPE_IDENTITY,
                       "id", (gint64) sqlite3_column_int64 (stmt, 0),
                       "name", _attest_gallery_column_text (stmt, 1),
                       "notes", _attest_gallery_column_text (stmt, 2),
                       "created-at", (gint64) MAX (sqlite3_column_int64 (stmt, 3), 0),
                       "created-by", _attest_gallery_column_text (stmt, 4),
                       "n-faces", (guint) CLAMP (sqlite3_column_int64 (stmt, 5), 0, G_MAXUINT),
                       "n-matches", (guint) CLAMP (sqlite3_column_int64 (stmt, 6), 0, G_MAXUINT),
                       "cover", cover,
                       NULL);
}

#define FACE_SELECT \
  "SELECT f.id, f.identity_id, i.name, f.thumbnail_png, f.embedding, f.model_id," \
  "  f.source_uri, s.sha256, f.source_ms, f.box_x, f.box_y, f.box_w, f.box_h," \
  "  f.file_sha256, f.enrolled_by, f.enrolled_at, f.basis" \
  " FROM faces f JOIN identities i ON i.id = f.identity_id" \
  " LEFT JOIN sources s ON s.id = f.source_id"

static AttestFace *
face_from_row (sqlite3_stmt *stmt)
{
  g_autoptr (GBytes) thumbnail = column_bytes (stmt, 3);
  g_autoptr (GBytes) embedding = column_bytes (stmt, 4);
  gboolean has_box = sqlite3_column_type (stmt, 9) != SQLITE_NULL &&
                     sqlite3_column_type (stmt, 10) != SQLITE_NULL &&
                     sqlite3_column_type (stmt, 11) != SQLITE_NULL &&
                     sqlite3_column_type (stmt, 12) != SQLITE_NULL;

  return g_object_new (ATTEST_TYPE_FACE,
                       "id", (gint64) sqlite3_column_int64 (stmt, 0),
                       "identity-id", (gint64) sqlite3_column_int64 (stmt, 1),
                       "identity-name", _attest_gallery_column_text (stmt, 2),
                       "thumbnail", thumbnail,
                       "embedding", embedding,
                       "model-id", _attest_gallery_column_text (stmt, 5),
                       "source-uri", _attest_gallery_column_text (stmt, 6),
                       "source-sha256", _attest_gallery_column_text (stmt, 7),
                       "source-ms", (gint64) (sqlite3_column_type (stmt, 8) == SQLITE_NULL
                                              ? -1 : MAX (sqlite3_column_int64 (stmt, 8), -1)),
                       "has-box", has_box,
                       "box-x", has_box ? sqlite3_column_double (stmt, 9) : 0.0,
                       "box-y", has_box ? sqlite3_column_double (stmt, 10) : 0.0,
                       "box-width", has_box ? MAX (sqlite3_column_double (stmt, 11), 0.0) : 0.0,
                       "box-height", has_box ? MAX (sqlite3_column_double (stmt, 12), 0.0) : 0.0,
                       "file-sha256", _attest_gallery_column_text (stmt, 13),
                       "enrolled-by", _attest_gallery_column_text (stmt, 14),
                       "enrolled-at", (gint64) MAX (sqlite3_column_int64 (stmt, 15), 0),
                       "basis", _attest_gallery_column_text (stmt, 16),
                       NULL);
}

typedef struct
{
  char           *key;
  AttestIdentity *identity;
} SortItem;

static void
sort_item_free (gpointer data)
{
  SortItem *item = data;

  g_free (item->key);
  g_clear_object (&item->identity);
  g_free (item);
}

static int
sort_item_compare (gconstpointer a,
                   gconstpointer b)
{
  const SortItem *x = *(const SortItem * const *) a;
  const SortItem *y = *(const SortItem * const *) b;
  int by_name = strcmp (x->key, y->key);
  gint64 id_x = attest_identity_get_id (x->identity);
  gint64 id_y = attest_identity_get_id (y->identity);

  if (by_name != 0)
    return by_name;
  return id_x < id_y ? -1 : id_x > id_y;
}

GListStore *
attest_store_list_identities (AttestStore  *self,
                              const char   *search,
                              GError      **error)
{
  g_autoptr (GListStore) list = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *needle = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  clean = _attest_gallery_clean_text (search);
  if (clean != NULL)
    needle = name_key (clean);

  items = g_ptr_array_new_with_free_func (sort_item_free);
  db = _attest_store_lock (self);

  stmt = _attest_gallery_prepare (db, IDENTITY_SELECT, _("Could not read the gallery"), error);
  if (stmt == NULL)
    {
      _attest_store_unlock (self);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = _attest_gallery_column_text (stmt, 1);
      g_autofree char *folded = NULL;
      SortItem *item;

      if (name == NULL)
        continue;
      if (needle != NULL)
        {
          g_autofree char *key = name_key (name);

          if (strstr (key, needle) == NULL)
            continue;
        }

      /* Case-folded first: in the C locale a plain collate key puts "Zed" before "ann". */
      folded = g_utf8_casefold (name, -1);
      item = g_new0 (SortItem, 1);
      item->key = g_utf8_collate_key (folded, -1);
      item->identity = identity_from_row (stmt);
      g_ptr_array_add (items, item);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      _attest_store_unlock (self);
      return NULL;
    }
  _attest_store_unlock (self);

  g_ptr_array_sort (items, sort_item_compare);
  list = g_list_store_new (ATTEST_TYPE_IDENTITY);
  for (guint i = 0; i < items->len; i++)
    g_list_store_append (list, ((SortItem *) items->pdata[i])->identity);

  return g_steal_pointer (&list);
}

char *
attest_store_find_name_like (AttestStore  *self,
                             const char   *name,
                             gint64        exclude_id,
                             GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = _attest_gallery_clean_text (name);
  g_autofree char *key = NULL;
  g_autofree char *likeness = NULL;
  char *found = NULL;
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (clean == NULL)
    return NULL;
  key = name_key (clean);
  likeness = _attest_gallery_likeness_key (clean);
  if (*likeness == '\0')
    return NULL;
  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db, "SELECT id, name FROM identities ORDER BY id",
                                  _("Could not read the gallery"), error);
  if (stmt != NULL)
    {
      while (found == NULL && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *other = _attest_gallery_column_text (stmt, 1);
          g_autofree char *other_key = NULL;
          g_autofree char *other_likeness = NULL;

          if (sqlite3_column_int64 (stmt, 0) == exclude_id || other == NULL)
            continue;
          other_key = name_key (other);
          other_likeness = _attest_gallery_likeness_key (other);
          /* The same name is the same person (the store refuses a second one). */
          if (strcmp (other_likeness, likeness) == 0 && strcmp (other_key, key) != 0)
            found = g_strdup (other);
        }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _attest_store_unlock (self);
  return found;
}

AttestIdentity *
attest_store_get_identity (AttestStore  *self,
                           gint64        identity_id,
                           GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  AttestIdentity *identity = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db, IDENTITY_SELECT " WHERE i.id = ?1",
                                  _("Could not read the gallery"), error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, identity_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        identity = identity_from_row (stmt);
      else if (rc == SQLITE_DONE)
        g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND,
                             _("That person is no longer in the gallery"));
      else
        _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  _attest_store_unlock (self);

  return identity;
}

GListStore *
attest_store_list_faces (AttestStore  *self,
                         gint64        identity_id,
                         GError      **error)
{
  g_autoptr (GListStore) list = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = g_list_store_new (ATTEST_TYPE_FACE);
  db = _attest_store_lock (self);

  /* One read transaction, so the identity check and the faces are one snapshot. */
  if (!_attest_store_exec (self, "BEGIN", error))
    {
      _attest_store_unlock (self);
      return NULL;
    }
  if (_attest_gallery_read_identity_row (db, identity_id, &name, NULL,
                                         _("That person is no longer in the gallery"), error))
    {
      stmt = _attest_gallery_prepare (db, FACE_SELECT " WHERE f.identity_id = ?1 ORDER BY f.id",
                                      _("Could not read the gallery"), error);
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, identity_id);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              g_autoptr (AttestFace) face = face_from_row (stmt);
              g_list_store_append (list, face);
            }
          if (rc != SQLITE_DONE)
            _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
    }
  _attest_store_rollback (self);
  _attest_store_unlock (self);

  return rc == SQLITE_DONE ? g_steal_pointer (&list) : NULL;
}

AttestFace *
attest_store_get_face (AttestStore  *self,
                       gint64        face_id,
                       GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  AttestFace *face = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (ATTEST_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = _attest_store_lock (self);
  stmt = _attest_gallery_prepare (db, FACE_SELECT " WHERE f.id = ?1",
                                  _("Could not read the gallery"), error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, face_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        face = face_from_row (stmt);
      else if (rc == SQLITE_DONE)
        {
          g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, face_id);

          g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND,
                       _("Face %s is no longer in the gallery"), id_text);
        }
      else
        _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery"));
      g_clear_pointer (&stmt, sqlite3_finalize);
    }
  _attest_store_unlock (self);

  return face;
}

/* ---- counts and lookups ---- */

static gint64
count_locked (AttestStore  *self,
              const char   *sql,
              GError      **error)
{
  gint64 n;
  sqlite3 *db = _attest_store_lock (self);

  n = _attest_gallery_count_rows (db, sql, -1, error);
  _attest_store_unlock (self);
  return n;
}

gint64
attest_store_count_faces (AttestStore  *self,
                          GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return count_locked (self, "SELECT count (*) FROM faces", error);
}

gint64
attest_store_count_identities (AttestStore  *self,
                               GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return count_locked (self, "SELECT count (*) FROM identities", error);
}

gint64
attest_store_find_face_by_file (AttestStore  *self,
                                gint64        identity_id,
                                const char   *file_sha256,
                                GError      **error)
{
  g_autofree char *sha = NULL;
  gint64 face_id = -1;
  sqlite3 *db;

  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (file_sha256 != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  sha = clean_sha256 (file_sha256);
  if (sha == NULL)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("“%s” is not a SHA-256 hash (64 hexadecimal digits)"), file_sha256);
      return -1;
    }

  db = _attest_store_lock (self);
  find_face_by_file_locked (db, identity_id, sha, &face_id, error);
  _attest_store_unlock (self);

  return face_id;
}

/* ---- streaming embeddings ---- */

gint64
_attest_gallery_foreach_embedding (AttestStore          *self,
                                   const char           *model_id,
                                   AttestEmbeddingFunc   func,
                                   gpointer              user_data,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  float *vector;
  gint64 n = 0;
  sqlite3 *db;
  int rc = SQLITE_ERROR;

  /* The blob may sit unaligned in SQLite's page buffer: copy it to float-aligned memory. */
  vector = g_new (float, ATTEST_GALLERY_EMBEDDING_DIM);
  db = _attest_store_lock (self);

  /* One read transaction: one consistent snapshot even if the worker writes meanwhile. */
  if (!_attest_store_exec (self, "BEGIN", error))
    {
      _attest_store_unlock (self);
      g_free (vector);
      return -1;
    }

  stmt = _attest_gallery_prepare (db,
                                  "SELECT id, identity_id, embedding, embedding_dim FROM faces"
                                  " WHERE ?1 IS NULL OR model_id = ?1 ORDER BY id",
                                  _("Could not read the gallery’s faces"), error);
  if (stmt != NULL)
    {
      bind_text_or_null (stmt, 1, model_id);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 face_id = sqlite3_column_int64 (stmt, 0);
          const void *blob = sqlite3_column_blob (stmt, 2);
          int size = sqlite3_column_bytes (stmt, 2);

          if (sqlite3_column_int (stmt, 3) != ATTEST_GALLERY_EMBEDDING_DIM ||
              size != ATTEST_GALLERY_EMBEDDING_DIM * (int) sizeof (float))
            {
              g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, face_id);

              g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Face %s has an embedding of %d values; this version of Attest "
                             "uses %d"),
                           id_text, size / (int) sizeof (float), ATTEST_GALLERY_EMBEDDING_DIM);
              break;
            }
          if (n % 1024 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            break;

          memcpy (vector, blob, size);
          func (face_id, sqlite3_column_int64 (stmt, 1), vector, user_data);
          n++;
        }

      if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        _attest_store_set_sqlite_error (error, db, rc, _("Could not read the gallery’s faces"));
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  _attest_store_rollback (self);
  _attest_store_unlock (self);
  g_free (vector);

  return rc == SQLITE_DONE ? n : -1;
}

gint64
attest_store_foreach_embedding (AttestStore          *self,
                                const char           *model_id,
                                AttestEmbeddingFunc   func,
                                gpointer              user_data,
                                GError              **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), -1);
  g_return_val_if_fail (func != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return _attest_gallery_foreach_embedding (self, model_id, func, user_data, NULL, error);
}

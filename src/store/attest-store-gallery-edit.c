/* attest-store-gallery-edit.c: renaming, merging and deleting identities and faces.
 *
 * Each is one BEGIN IMMEDIATE transaction holding the checks, the change and its audit entry;
 * a refusal or failure rolls all of it back. Confirmed matches are evidence: merging moves
 * them, deleting a face only unlinks them, and an identity they name cannot be deleted. */
#include "config.h"

#include <glib/gi18n.h>

#include "attest-store-gallery-private.h"

/* ---- rename ---- */

static gboolean
rename_in_tx (AttestStore  *self,
              gint64        identity_id,
              const char   *new_name,
              const char   *actor,
              gboolean     *changed,
              GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *other_name = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  AttestAuditEntry entry;
  gint64 other_id = -1;
  const char *what = _("Could not rename the person");

  *changed = FALSE;

  if (!_attest_gallery_read_identity_row (db, identity_id, &old_name, NULL,
                                          _("Could not rename: that person is no longer in "
                                            "the gallery"),
                                          error))
    return FALSE;

  clean = _attest_gallery_clean_text (new_name);
  if (clean == NULL)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("Could not rename “%s”: the new name is empty"), old_name);
      return FALSE;
    }
  if (!_attest_gallery_check_name (clean, error))
    return FALSE;

  if (!_attest_gallery_find_identity_by_name (db, clean, identity_id, &other_id, &other_name,
                                              error))
    return FALSE;
  if (other_id > 0)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_EXISTS,
                   _("Could not rename “%s” to “%s”: an identity with that name already "
                     "exists"),
                   old_name, clean);
      return FALSE;
    }

  if (g_strcmp0 (old_name, clean) == 0)
    return TRUE;

  stmt = _attest_gallery_prepare (db, "UPDATE identities SET name = ?1 WHERE id = ?2", what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, identity_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "from", old_name);
  _attest_gallery_add_member_string (details, "to", clean);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT, identity_id);
  _attest_gallery_audit_entry_init (&entry, actor, "rename", subject);
  entry.details = details_text;
  if (_attest_store_append_audit_in_tx (self, &entry, error) < 0)
    return FALSE;

  *changed = TRUE;
  return TRUE;
}

gboolean
attest_store_rename_identity (AttestStore  *self,
                              gint64        identity_id,
                              const char   *new_name,
                              const char   *actor,
                              GError      **error)
{
  g_autofree char *clean_actor = NULL;
  gboolean changed = FALSE;
  gboolean ok;

  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return FALSE;

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = rename_in_tx (self, identity_id, new_name, clean_actor, &changed, error);
      if (ok && changed)
        ok = _attest_store_commit (self, error);
      else
        _attest_store_rollback (self);
    }
  _attest_store_unlock (self);

  return ok;
}

/* ---- merge ---- */

static gboolean
update_identity_column (sqlite3     *db,
                        const char  *sql,
                        gint64       into_id,
                        gint64       from_id,
                        gint64      *changes,
                        GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *what = _("Could not merge the people");

  stmt = _attest_gallery_prepare (db, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, into_id);
  sqlite3_bind_int64 (stmt, 2, from_id);
  return _attest_gallery_step_done (db, stmt, what, changes, error);
}

/* The text of the one value `sql` (binding ?1 to id) selects; NULL with error. */
static char *
select_text (sqlite3     *db,
             const char  *sql,
             gint64       id,
             const char  *what,
             GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = _attest_gallery_prepare (db, sql, what, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc, what);
      return NULL;
    }
  return g_strdup (_attest_gallery_column_text (stmt, 0));
}

/* A member whose value is the JSON text `json` (an array of ids). */
static void
add_member_json (JsonBuilder *builder,
                 const char  *name,
                 const char  *json)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, json_from_string (json, NULL));
}

static gboolean
merge_in_tx (AttestStore  *self,
             gint64        from_id,
             gint64        into_id,
             const char   *actor,
             const char   *rationale,
             GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *from_notes = NULL;
  g_autofree char *into_name = NULL;
  g_autofree char *into_notes = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *face_ids = NULL;
  g_autofree char *match_ids = NULL;
  g_autofree char *rejection_ids = NULL;
  g_autofree char *created = NULL;
  AttestAuditEntry entry;
  gint64 faces_moved = 0;
  gint64 matches_moved = 0;
  gint64 rejections_moved = 0;
  const char *what = _("Could not merge the people");
  const char *missing = _("Could not merge: one of the two people is no longer in the gallery");

  if (!_attest_gallery_read_identity_row (db, from_id, &from_name, &from_notes, missing, error))
    return FALSE;

  if (from_id == into_id)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                   _("Could not merge “%s” into itself: choose two different people"),
                   from_name);
      return FALSE;
    }

  if (!_attest_gallery_read_identity_row (db, into_id, &into_name, &into_notes, missing, error))
    return FALSE;

  /* What moves, by id, and what the merged-away person was: the audit entry holds all an
   * undo needs (attest_store_undo_merge). */
  face_ids = select_text (db, "SELECT json_group_array (id) FROM faces WHERE identity_id = ?1",
                          from_id, what, error);
  match_ids = face_ids == NULL ? NULL
              : select_text (db, "SELECT json_group_array (id) FROM matches WHERE identity_id = ?1",
                             from_id, what, error);
  rejection_ids = match_ids == NULL ? NULL
                  : select_text (db, "SELECT json_group_array (id) FROM rejections"
                                     " WHERE identity_id = ?1", from_id, what, error);
  created = rejection_ids == NULL ? NULL
            : select_text (db, "SELECT json_array (created_at, created_by) FROM identities"
                               " WHERE id = ?1", from_id, what, error);
  if (created == NULL)
    return FALSE;

  /* Matches and rejections are evidence about a person: they move with the faces. */
  if (!update_identity_column (db, "UPDATE faces SET identity_id = ?1 WHERE identity_id = ?2",
                               into_id, from_id, &faces_moved, error) ||
      !update_identity_column (db, "UPDATE matches SET identity_id = ?1 WHERE identity_id = ?2",
                               into_id, from_id, &matches_moved, error) ||
      !update_identity_column (db,
                               "UPDATE rejections SET identity_id = ?1 WHERE identity_id = ?2",
                               into_id, from_id, &rejections_moved, error))
    return FALSE;

  /* Nothing is lost: the notes of the merged-away identity are kept below the others. */
  if (from_notes != NULL && *from_notes != '\0' && g_strcmp0 (from_notes, into_notes) != 0)
    {
      g_autofree char *notes = NULL;

      if (into_notes != NULL && *into_notes != '\0')
        notes = g_strdup_printf ("%s\n\n%s", into_notes, from_notes);
      else
        notes = g_strdup (from_notes);

      stmt = _attest_gallery_prepare (db, "UPDATE identities SET notes = ?1 WHERE id = ?2",
                                      what, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, notes, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, into_id);
      if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  stmt = _attest_gallery_prepare (db, "DELETE FROM identities WHERE id = ?1", what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "from_id", from_id);
  _attest_gallery_add_member_string (details, "from_name", from_name);
  _attest_gallery_add_member_int (details, "into_id", into_id);
  _attest_gallery_add_member_string (details, "into_name", into_name);
  _attest_gallery_add_member_int (details, "faces_moved", faces_moved);
  _attest_gallery_add_member_int (details, "matches_moved", matches_moved);
  _attest_gallery_add_member_int (details, "rejections_moved", rejections_moved);
  add_member_json (details, "face_ids", face_ids);
  add_member_json (details, "match_ids", match_ids);
  add_member_json (details, "rejection_ids", rejection_ids);
  add_member_json (details, "from_created", created);
  _attest_gallery_add_member_string (details, "from_notes", from_notes);
  _attest_gallery_add_member_string (details, "into_notes", into_notes);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT, into_id);
  _attest_gallery_audit_entry_init (&entry, actor, "merge", subject);
  entry.rationale = (char *) rationale;
  entry.details = details_text;
  return _attest_store_append_audit_in_tx (self, &entry, error) >= 0;
}

typedef gboolean (*IdentityEdit) (AttestStore  *self,
                                  gint64        from_id,
                                  gint64        into_id,
                                  const char   *actor,
                                  const char   *rationale,
                                  GError      **error);

/* A merge or its undo: the actor and the reason checked, then `edit` in one transaction.
 * bad_reason: the message for a reason that is not valid text. */
static gboolean
run_identity_edit (AttestStore   *self,
                   IdentityEdit   edit,
                   gint64         from_id,
                   gint64         into_id,
                   const char    *actor,
                   const char    *rationale,
                   const char    *bad_reason,
                   GError       **error)
{
  g_autofree char *clean_actor = NULL;
  g_autofree char *clean_rationale = NULL;
  gboolean ok;

  if (!_attest_gallery_check_actor (actor, &clean_actor, error))
    return FALSE;
  if (rationale != NULL && !g_utf8_validate (rationale, -1, NULL))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID, bad_reason);
      return FALSE;
    }
  if (!_attest_gallery_is_blank (rationale))
    clean_rationale = g_strstrip (g_strdup (rationale));

  _attest_store_lock (self);
  ok = _attest_store_begin (self, error);
  if (ok)
    {
      ok = edit (self, from_id, into_id, clean_actor, clean_rationale, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  return ok;
}

gboolean
attest_store_merge_identities (AttestStore  *self,
                               gint64        from_id,
                               gint64        into_id,
                               const char   *actor,
                               const char   *rationale,
                               GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_identity_edit (self, merge_in_tx, from_id, into_id, actor, rationale,
                            _("Could not merge: the reason given is not valid text"), error);
}

/* ---- undoing a merge ---- */

/* The newest merge of from_id into into_id that is not undone yet: its audit id and details
 * (parsed), or -1 with error. */
static gint64
find_merge (sqlite3     *db,
            gint64       from_id,
            gint64       into_id,
            JsonParser  *parser,
            GError     **error)
{
  const char *what = _("Could not undo the merge");
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT, into_id);
  gint64 id;
  int rc;

  stmt = _attest_gallery_prepare (db,
                                  "SELECT a.id, a.details FROM audit a"
                                  " WHERE a.action = 'merge' AND a.subject = ?1"
                                  "   AND json_valid (a.details)"
                                  "   AND json_extract (a.details, '$.from_id') = ?2"
                                  "   AND NOT EXISTS (SELECT 1 FROM audit u WHERE u.action = 'unmerge'"
                                  "     AND json_extract (u.details, '$.undone_audit_id') = a.id)"
                                  " ORDER BY a.id DESC LIMIT 1",
                                  what, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, from_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND,
                           _("Could not undo the merge: the audit log holds no such merge that "
                             "is not undone already"));
      return -1;
    }
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return -1;
    }
  id = sqlite3_column_int64 (stmt, 0);
  if (!json_parser_load_from_data (parser, _attest_gallery_column_text (stmt, 1), -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !json_object_has_member (json_node_get_object (json_parser_get_root (parser)), "face_ids"))
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not undo the merge: it was recorded before merges could be "
                             "undone"));
      return -1;
    }
  return id;
}

/* Moves the rows of `table` listed in the JSON array `ids` from into_id back to from_id. */
static gboolean
move_back (sqlite3     *db,
           const char  *table,
           JsonNode    *ids,
           gint64       from_id,
           gint64       into_id,
           gint64      *changes,
           GError     **error)
{
  const char *what = _("Could not undo the merge");
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET identity_id = ?1 WHERE identity_id = ?2"
                                          " AND id IN (SELECT value FROM json_each (?3))", table);
  g_autofree char *json = ids != NULL ? json_to_string (ids, FALSE) : g_strdup ("[]");
  g_autoptr (sqlite3_stmt) stmt = _attest_gallery_prepare (db, sql, what, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  sqlite3_bind_int64 (stmt, 2, into_id);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_TRANSIENT);
  return _attest_gallery_step_done (db, stmt, what, changes, error);
}

static gboolean
undo_merge_in_tx (AttestStore  *self,
                  gint64        from_id,
                  gint64        into_id,
                  const char   *actor,
                  const char   *rationale,
                  GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *into_name = NULL;
  g_autofree char *into_notes = NULL;
  g_autofree char *merged_notes = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  const char *what = _("Could not undo the merge");
  const char *from_name, *from_notes, *into_notes_before, *created_by;
  JsonObject *merge;
  JsonArray *created;
  AttestAuditEntry entry;
  gint64 merge_id, faces_back = 0, matches_back = 0, rejections_back = 0;

  merge_id = find_merge (db, from_id, into_id, parser, error);
  if (merge_id < 0)
    return FALSE;
  merge = json_node_get_object (json_parser_get_root (parser));
  from_name = json_object_get_string_member_with_default (merge, "from_name", NULL);
  from_notes = json_object_get_string_member_with_default (merge, "from_notes", NULL);
  into_notes_before = json_object_get_string_member_with_default (merge, "into_notes", NULL);
  created = json_object_get_array_member (merge, "from_created");
  created_by = created != NULL && json_array_get_length (created) == 2
               ? json_array_get_string_element (created, 1) : NULL;
  if (from_name == NULL || created_by == NULL)
    {
      g_set_error_literal (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID,
                           _("Could not undo the merge: its audit entry is incomplete"));
      return FALSE;
    }

  if (!_attest_gallery_read_identity_row (db, into_id, &into_name, &into_notes,
                                          _("Could not undo the merge: the person it merged "
                                            "into is no longer in the gallery"),
                                          error))
    return FALSE;
  /* The person comes back as the same record ("identity:N" in the log means one person). */
  stmt = _attest_gallery_prepare (db,
                                  "INSERT INTO identities (id, name, notes, created_at, created_by)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  sqlite3_bind_text (stmt, 2, from_name, -1, SQLITE_TRANSIENT);
  if (from_notes != NULL)
    sqlite3_bind_text (stmt, 3, from_notes, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, json_array_get_int_element (created, 0));
  sqlite3_bind_text (stmt, 5, created_by, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_UNIQUE ||
          sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_EXISTS,
                     _("Could not undo the merge: another person is called “%s” now"), from_name);
      else
        _attest_store_set_sqlite_error (error, db, sqlite3_errcode (db), what);
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Only what the merge moved goes back: faces enrolled into the person since stay. */
  if (!move_back (db, "faces", json_object_get_member (merge, "face_ids"), from_id, into_id,
                  &faces_back, error) ||
      !move_back (db, "matches", json_object_get_member (merge, "match_ids"), from_id, into_id,
                  &matches_back, error) ||
      !move_back (db, "rejections", json_object_get_member (merge, "rejection_ids"), from_id,
                  into_id, &rejections_back, error))
    return FALSE;

  /* The notes as they were, unless someone has edited them since. */
  if (from_notes != NULL && *from_notes != '\0' && g_strcmp0 (from_notes, into_notes_before) != 0)
    merged_notes = into_notes_before != NULL && *into_notes_before != '\0'
                   ? g_strdup_printf ("%s\n\n%s", into_notes_before, from_notes)
                   : g_strdup (from_notes);
  if (merged_notes != NULL && g_strcmp0 (into_notes, merged_notes) == 0)
    {
      stmt = _attest_gallery_prepare (db, "UPDATE identities SET notes = ?1 WHERE id = ?2",
                                      what, error);
      if (stmt == NULL)
        return FALSE;
      if (into_notes_before != NULL)
        sqlite3_bind_text (stmt, 1, into_notes_before, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, into_id);
      if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
        return FALSE;
    }

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "undone_audit_id", merge_id);
  _attest_gallery_add_member_int (details, "from_id", from_id);
  _attest_gallery_add_member_string (details, "from_name", from_name);
  _attest_gallery_add_member_int (details, "into_id", into_id);
  _attest_gallery_add_member_string (details, "into_name", into_name);
  _attest_gallery_add_member_int (details, "faces_moved_back", faces_back);
  _attest_gallery_add_member_int (details, "matches_moved_back", matches_back);
  _attest_gallery_add_member_int (details, "rejections_moved_back", rejections_back);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT, from_id);
  _attest_gallery_audit_entry_init (&entry, actor, "unmerge", subject);
  entry.rationale = (char *) rationale;
  entry.details = details_text;
  return _attest_store_append_audit_in_tx (self, &entry, error) >= 0;
}

gboolean
attest_store_undo_merge (AttestStore  *self,
                         gint64        from_id,
                         gint64        into_id,
                         const char   *actor,
                         const char   *rationale,
                         GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_identity_edit (self, undo_merge_in_tx, from_id, into_id, actor, rationale,
                            _("Could not undo the merge: the reason given is not valid text"),
                            error);
}

/* ---- delete ---- */

static gboolean
delete_face_in_tx (AttestStore  *self,
                   gint64        face_id,
                   const char   *actor,
                   GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *identity_name = NULL;
  g_autofree char *model_id = NULL;
  g_autofree char *source_sha256 = NULL;
  g_autofree char *file_sha256 = NULL;
  g_autofree char *basis = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  AttestAuditEntry entry;
  gint64 identity_id;
  gint64 source_ms;
  gint64 matches_unlinked;
  const char *what = _("Could not delete the face");
  int rc;

  stmt = _attest_gallery_prepare (db,
                                  "SELECT f.identity_id, i.name, f.model_id, s.sha256, f.source_ms,"
                                  "  f.file_sha256, f.basis"
                                  " FROM faces f JOIN identities i ON i.id = f.identity_id"
                                  " LEFT JOIN sources s ON s.id = f.source_id WHERE f.id = ?1",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, face_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, face_id);

      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND,
                   _("Could not delete face %s: it is no longer in the gallery"), id_text);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  identity_id = sqlite3_column_int64 (stmt, 0);
  identity_name = g_strdup (_attest_gallery_column_text (stmt, 1));
  model_id = g_strdup (_attest_gallery_column_text (stmt, 2));
  source_sha256 = g_strdup (_attest_gallery_column_text (stmt, 3));
  source_ms = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 4);
  file_sha256 = g_strdup (_attest_gallery_column_text (stmt, 5));
  basis = g_strdup (_attest_gallery_column_text (stmt, 6));
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* Confirmed matches keep their identity (ON DELETE SET NULL clears only the face link). */
  matches_unlinked = _attest_gallery_count_rows (db,
                                                 "SELECT count (*) FROM matches WHERE face_id = ?1",
                                                 face_id, error);
  if (matches_unlinked < 0)
    return FALSE;

  stmt = _attest_gallery_prepare (db, "DELETE FROM faces WHERE id = ?1", what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, face_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "identity_name", identity_name);
  _attest_gallery_add_member_string (details, "file_sha256", file_sha256);
  _attest_gallery_add_member_string (details, "basis", basis);
  _attest_gallery_add_member_int (details, "matches_unlinked", matches_unlinked);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  subject = g_strdup_printf ("face:%" G_GINT64_FORMAT, face_id);
  _attest_gallery_audit_entry_init (&entry, actor, "delete", subject);
  entry.source_sha256 = source_sha256;
  entry.source_ms = source_ms;
  entry.model_id = model_id;
  entry.details = details_text;
  return _attest_store_append_audit_in_tx (self, &entry, error) >= 0;
}

static gboolean
delete_identity_in_tx (AttestStore  *self,
                       gint64        identity_id,
                       const char   *actor,
                       GError      **error)
{
  sqlite3 *db = _attest_store_get_db (self);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) details = NULL;
  g_autofree char *name = NULL;
  g_autofree char *details_text = NULL;
  g_autofree char *subject = NULL;
  AttestAuditEntry entry;
  gint64 n_matches;
  gint64 n_rejections;
  gint64 n_faces = 0;
  const char *what = _("Could not delete the person");
  int rc;

  if (!_attest_gallery_read_identity_row (db, identity_id, &name, NULL,
                                          _("Could not delete: that person is no longer in "
                                            "the gallery"),
                                          error))
    return FALSE;

  n_matches = _attest_gallery_count_rows (db,
                                          "SELECT count (*) FROM matches WHERE identity_id = ?1",
                                          identity_id, error);
  if (n_matches < 0)
    return FALSE;
  if (n_matches > 0)
    {
      g_set_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_IN_USE,
                   ngettext ("Could not delete “%s”: %u confirmed match names this person, "
                             "and matches are evidence. Merge “%s” into another person "
                             "instead.",
                             "Could not delete “%s”: %u confirmed matches name this person, "
                             "and matches are evidence. Merge “%s” into another person "
                             "instead.",
                             (gulong) n_matches),
                   name, (guint) MIN (n_matches, G_MAXUINT), name);
      return FALSE;
    }

  n_rejections = _attest_gallery_count_rows (db,
                                             "SELECT count (*) FROM rejections"
                                             " WHERE identity_id = ?1",
                                             identity_id, error);
  if (n_rejections < 0)
    return FALSE;

  details = json_builder_new ();
  json_builder_begin_object (details);
  _attest_gallery_add_member_int (details, "identity_id", identity_id);
  _attest_gallery_add_member_string (details, "name", name);
  json_builder_set_member_name (details, "face_ids");
  json_builder_begin_array (details);

  /* The deleted faces are listed in the audit entry so the record says what went. */
  stmt = _attest_gallery_prepare (db, "SELECT id FROM faces WHERE identity_id = ?1 ORDER BY id",
                                  what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_add_int_value (details, sqlite3_column_int64 (stmt, 0));
      n_faces++;
    }
  if (rc != SQLITE_DONE)
    {
      _attest_store_set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  json_builder_end_array (details);
  _attest_gallery_add_member_int (details, "faces_deleted", n_faces);
  _attest_gallery_add_member_int (details, "rejections_deleted", n_rejections);
  json_builder_end_object (details);
  details_text = _attest_gallery_builder_to_text (details);

  /* Faces and rejections go with it (ON DELETE CASCADE). */
  stmt = _attest_gallery_prepare (db, "DELETE FROM identities WHERE id = ?1", what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, identity_id);
  if (!_attest_gallery_step_done (db, stmt, what, NULL, error))
    return FALSE;

  subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT, identity_id);
  _attest_gallery_audit_entry_init (&entry, actor, "delete", subject);
  entry.details = details_text;
  return _attest_store_append_audit_in_tx (self, &entry, error) >= 0;
}

typedef gboolean (*DeleteFunc) (AttestStore  *self,
                                gint64        id,
                                const char   *actor,
                                GError      **error);

static gboolean
run_delete (AttestStore  *self,
            DeleteFunc    func,
            gint64        id,
            const char   *actor,
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
      ok = func (self, id, clean_actor, error);
      ok = _attest_store_end (self, ok, error);
    }
  _attest_store_unlock (self);

  return ok;
}

gboolean
attest_store_delete_face (AttestStore  *self,
                          gint64        face_id,
                          const char   *actor,
                          GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_delete (self, delete_face_in_tx, face_id, actor, error);
}

gboolean
attest_store_delete_identity (AttestStore  *self,
                              gint64        identity_id,
                              const char   *actor,
                              GError      **error)
{
  g_return_val_if_fail (ATTEST_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_delete (self, delete_identity_in_tx, identity_id, actor, error);
}

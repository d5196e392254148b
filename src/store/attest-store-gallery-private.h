/* attest-store-gallery-private.h: what the gallery's files share (attest-store-gallery.c:
 * helpers, enrolment, reading; -edit.c: rename, merge, delete; -async.c: the _async calls).
 * Not for use outside src/store. Functions taking a sqlite3* expect the store's lock held. */
#pragma once

#include <json-glib/json-glib.h>

#include "attest-gallery.h"
#include "attest-store-private.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* ---- SQL ---- */

/* A prepared statement, or NULL with error set (`what`: a translated sentence). */
sqlite3_stmt *_attest_gallery_prepare               (sqlite3               *db,
                                                     const char            *sql,
                                                     const char            *what,
                                                     GError               **error);
/* Runs a statement that returns no rows; *changes (may be NULL) gets the rows it changed. */
gboolean      _attest_gallery_step_done             (sqlite3               *db,
                                                     sqlite3_stmt          *stmt,
                                                     const char            *what,
                                                     gint64                *changes,
                                                     GError               **error);
const char   *_attest_gallery_column_text           (sqlite3_stmt          *stmt,
                                                     int                    column);
/* The single integer a query returns; ?1 is bound to bound_id when it is >= 0. -1 on error. */
gint64        _attest_gallery_count_rows            (sqlite3               *db,
                                                     const char            *sql,
                                                     gint64                 bound_id,
                                                     GError               **error);

/* ---- audit ---- */

/* Borrows the strings; numbers start as "not applicable" (NAN, -1). */
void          _attest_gallery_audit_entry_init      (AttestAuditEntry      *entry,
                                                     const char            *actor,
                                                     const char            *action,
                                                     const char            *subject);
char         *_attest_gallery_builder_to_text       (JsonBuilder           *builder);
void          _attest_gallery_add_member_string     (JsonBuilder           *builder,
                                                     const char            *name,
                                                     const char            *value);
void          _attest_gallery_add_member_int        (JsonBuilder           *builder,
                                                     const char            *name,
                                                     gint64                 value);

/* ---- input ---- */

/* Trimmed, NFC, runs of white space made one space; NULL when NULL, blank or not UTF-8. */
char         *_attest_gallery_clean_text            (const char            *text);
/* FALSE with ATTEST_GALLERY_ERROR_INVALID when a cleaned name holds a format character
 * (zero-width, bidi override): names of people and reviewers. */
gboolean      _attest_gallery_check_name            (const char            *name,
                                                     GError               **error);
/* What names that look alike share: case, spaces, punctuation, marks and look-alike letters
 * of other scripts left out. */
char         *_attest_gallery_likeness_key          (const char            *name);
gboolean      _attest_gallery_is_blank              (const char            *text);
/* The cleaned reviewer name, or FALSE with ATTEST_GALLERY_ERROR_INVALID. */
gboolean      _attest_gallery_check_actor           (const char            *actor,
                                                     char                 **clean_out,
                                                     GError               **error);

/* ---- lookups ---- */

/* The identity other than exclude_id whose name is the same as `name` ignoring case (all of
 * Unicode): *found_id, or -1 when none, and its stored name (may be NULL). */
gboolean      _attest_gallery_find_identity_by_name (sqlite3               *db,
                                                     const char            *name,
                                                     gint64                 exclude_id,
                                                     gint64                *found_id,
                                                     char                 **found_name,
                                                     GError               **error);
/* An identity's name and notes (notes may be NULL); ATTEST_GALLERY_ERROR_NOT_FOUND with the
 * sentence `missing` when it is not there. */
gboolean      _attest_gallery_read_identity_row     (sqlite3               *db,
                                                     gint64                 identity_id,
                                                     char                 **name,
                                                     char                 **notes,
                                                     const char            *missing,
                                                     GError               **error);

/* attest_store_foreach_embedding with a cancellable (takes the lock itself). */
gint64        _attest_gallery_foreach_embedding     (AttestStore           *self,
                                                     const char            *model_id,
                                                     AttestEmbeddingFunc    func,
                                                     gpointer               user_data,
                                                     GCancellable          *cancellable,
                                                     GError               **error);

G_END_DECLS

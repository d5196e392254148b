/* attest-gallery.h: the people and enrolled faces in an AttestStore.
 *
 * Every write is one transaction that also appends its audit entry (actor = the reviewer
 * name, required), so a change and its audit row are saved together or not at all. Refusals
 * (missing basis, duplicate name, ...) write nothing.
 *
 * The store sends no change notification: after a write, callers that show the gallery list
 * again (attest_store_list_identities / attest_store_list_faces) and rebuild or patch their
 * search index (attest_store_foreach_embedding). AttestIdentity and AttestFace are snapshots.
 *
 * Plain calls block (CLI, tests); the _async calls run on the store's writer thread, in the
 * order they were made, and call back on the caller's thread-default main context.
 *
 * Errors: ATTEST_GALLERY_ERROR for refusals (messages name the thing and fit a toast),
 * ATTEST_STORE_ERROR for database failures. No g_warning is ever emitted. */
#pragma once

#include <gio/gio.h>

#include "attest-face.h"
#include "attest-identity.h"
#include "attest-store.h"

G_BEGIN_DECLS

/* Floats in an enrolled embedding (the vision module's ATTEST_EMBEDDING_DIM). */
#define ATTEST_GALLERY_EMBEDDING_DIM 512
#define ATTEST_GALLERY_ERROR (attest_gallery_error_quark ())

typedef enum
{
  ATTEST_GALLERY_ERROR_INVALID,    /* missing basis, actor or name; bad embedding, hash, box */
  ATTEST_GALLERY_ERROR_EXISTS,     /* an identity with that name already exists */
  ATTEST_GALLERY_ERROR_NOT_FOUND,  /* the identity or face is no longer in the gallery */
  ATTEST_GALLERY_ERROR_IN_USE,     /* confirmed matches refer to the identity */
} AttestGalleryError;

/* One face to enrol. Only read; the caller keeps ownership. Start from ATTEST_ENROLMENT_INIT
 * (identity_id and source_ms -1) and fill in the rest. */
typedef struct
{
  /* Who: an existing identity's id, or -1 (0 too: ids start at 1) to go by identity_name.
   * By name: the identity is created when no identity has that name (ignoring case). When
   * one has, create_identity FALSE means "add to it", TRUE means "I meant a new person" and
   * the enrolment is refused with ATTEST_GALLERY_ERROR_EXISTS. */
  gint64        identity_id;
  const char   *identity_name;
  gboolean      create_identity;
  const char   *notes;          /* for a newly created identity; NULL: none */

  const char   *basis;          /* required: why this face is this person */
  const char   *actor;          /* required: the reviewer */

  /* ATTEST_GALLERY_EMBEDDING_DIM floats, L2-normalised (|v| within 1e-3 of 1). */
  const float  *embedding;
  const char   *model_id;       /* required, e.g. attest_vision_get_model_id() */
  GBytes       *thumbnail_png;  /* NULL: none */

  /* Provenance. source_sha256 (64 hex digits) is recorded in the sources table in the same
   * transaction. source_ms -1: a still image. */
  const char   *source_uri;
  const char   *source_sha256;
  gint64        source_ms;
  gboolean      has_box;        /* the box in pixels of the source frame */
  double        box_x;
  double        box_y;
  double        box_w;
  double        box_h;

  /* Image imports: the image file's SHA-256. A face from a file already enrolled for the
   * same identity is not enrolled again (see attest_store_enrol_face). */
  const char   *file_sha256;
  gboolean      via_import;     /* audited as "import" instead of "enrol" */
} AttestEnrolment;

#define ATTEST_ENROLMENT_INIT { .identity_id = -1, .source_ms = -1 }

/* Called once per stored face; `embedding` holds ATTEST_GALLERY_EMBEDDING_DIM floats, valid
 * only during the call. Runs with the store locked: it must not call the store. */
typedef void (*AttestEmbeddingFunc) (gint64       face_id,
                                     gint64       identity_id,
                                     const float *embedding,
                                     gpointer     user_data);

GQuark          attest_gallery_error_quark          (void);

/* Enrols one face: creates the identity if needed, records the source, stores the face and
 * appends the audit entry ("enrol", or "import" when via_import; subject "face:N"), all in one
 * transaction. *face_id_out gets the face's id. When e->file_sha256 is already enrolled for
 * that identity nothing is written, *face_id_out is the existing face and *duplicate_out TRUE
 * (both outputs may be NULL). */
gboolean        attest_store_enrol_face             (AttestStore            *self,
                                                     const AttestEnrolment  *e,
                                                     gint64                 *face_id_out,
                                                     gboolean               *duplicate_out,
                                                     GError                **error);
/* Copies *e before returning. */
void            attest_store_enrol_face_async       (AttestStore            *self,
                                                     const AttestEnrolment  *e,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_enrol_face_finish      (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     gint64                 *face_id_out,
                                                     gboolean               *duplicate_out,
                                                     GError                **error);

/* Identities whose name contains `search` (ignoring case; NULL or blank:
 * all), sorted by name for the current locale. Element type AttestIdentity. */
GListStore     *attest_store_list_identities        (AttestStore            *self,
                                                     const char             *search,
                                                     GError                **error);
void            attest_store_list_identities_async  (AttestStore            *self,
                                                     const char             *search,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
GListStore     *attest_store_list_identities_finish (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
AttestIdentity *attest_store_get_identity           (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     GError                **error);
/* The stored name of another identity (not exclude_id) whose name looks like `name` but is
 * not the same name: it differs only by spaces, underscores, punctuation, accents or letters
 * of other scripts drawn alike ("John_Salley" beside "John Salley"). NULL when there is none,
 * or with error when the gallery cannot be read. For a warning: such names are allowed. */
char           *attest_store_find_name_like         (AttestStore            *self,
                                                     const char             *name,
                                                     gint64                  exclude_id,
                                                     GError                **error);

/* One identity's faces in enrolment order. Element type AttestFace. */
GListStore     *attest_store_list_faces             (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     GError                **error);
void            attest_store_list_faces_async       (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
GListStore     *attest_store_list_faces_finish      (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);
AttestFace     *attest_store_get_face               (AttestStore            *self,
                                                     gint64                  face_id,
                                                     GError                **error);
void            attest_store_get_face_async         (AttestStore            *self,
                                                     gint64                  face_id,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
AttestFace     *attest_store_get_face_finish        (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* Audited "rename" (subject "identity:N"). Refuses an empty name and a name another identity
 * has (ignoring case). Renaming to the same name writes nothing. */
gboolean        attest_store_rename_identity        (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     const char             *new_name,
                                                     const char             *actor,
                                                     GError                **error);
void            attest_store_rename_identity_async  (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     const char             *new_name,
                                                     const char             *actor,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_rename_identity_finish (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* Moves from_id's faces, confirmed matches and rejections to into_id, appends from_id's notes
 * to into_id's, deletes from_id; audited "merge" (subject "identity:<into_id>"). rationale
 * may be NULL. */
gboolean        attest_store_merge_identities       (AttestStore            *self,
                                                     gint64                  from_id,
                                                     gint64                  into_id,
                                                     const char             *actor,
                                                     const char             *rationale,
                                                     GError                **error);
void            attest_store_merge_identities_async (AttestStore            *self,
                                                     gint64                  from_id,
                                                     gint64                  into_id,
                                                     const char             *actor,
                                                     const char             *rationale,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_merge_identities_finish (AttestStore           *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

/* Undoes the newest merge of from_id into into_id that is not undone yet, as an audited
 * reversal ("unmerge", subject "identity:<from_id>", naming the merge's entry): from_id comes
 * back as the same record with its name and notes, and the faces, matches and rejections the
 * merge moved go back to it (what was added to into_id since stays). Refused when there is no
 * such merge, when the merge predates undo, or when another person has taken the name. */
gboolean        attest_store_undo_merge             (AttestStore            *self,
                                                     gint64                  from_id,
                                                     gint64                  into_id,
                                                     const char             *actor,
                                                     const char             *rationale,
                                                     GError                **error);
void            attest_store_undo_merge_async       (AttestStore            *self,
                                                     gint64                  from_id,
                                                     gint64                  into_id,
                                                     const char             *actor,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_undo_merge_finish      (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* Audited "delete" (subject "face:N"). Confirmed matches made against the face keep their
 * identity; their face link is cleared. */
gboolean        attest_store_delete_face            (AttestStore            *self,
                                                     gint64                  face_id,
                                                     const char             *actor,
                                                     GError                **error);
void            attest_store_delete_face_async      (AttestStore            *self,
                                                     gint64                  face_id,
                                                     const char             *actor,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_delete_face_finish     (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* Deletes the identity with its faces and rejections; audited "delete" (subject
 * "identity:N"). Refused (ATTEST_GALLERY_ERROR_IN_USE) while confirmed matches name it:
 * matches are evidence (merge it into another identity instead). */
gboolean        attest_store_delete_identity        (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     const char             *actor,
                                                     GError                **error);
void            attest_store_delete_identity_async  (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     const char             *actor,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
gboolean        attest_store_delete_identity_finish (AttestStore            *self,
                                                     GAsyncResult           *result,
                                                     GError                **error);

/* -1 with error set on failure. */
gint64          attest_store_count_faces            (AttestStore            *self,
                                                     GError                **error);
gint64          attest_store_count_identities       (AttestStore            *self,
                                                     GError                **error);

/* Streams every face's embedding made by model_id (NULL: every model; embeddings of
 * different models are not comparable) in face id order, from one consistent snapshot, for
 * building the in-memory search index. Returns the number of faces, or -1 with error set. */
gint64          attest_store_foreach_embedding      (AttestStore            *self,
                                                     const char             *model_id,
                                                     AttestEmbeddingFunc     func,
                                                     gpointer                user_data,
                                                     GError                **error);
/* The same on the store's writer thread: func is called THERE (the index must accept
 * inserts from another thread); user_data must stay valid until callback runs. Cancelling
 * stops the stream with G_IO_ERROR_CANCELLED. */
void            attest_store_foreach_embedding_async (AttestStore           *self,
                                                      const char            *model_id,
                                                      AttestEmbeddingFunc    func,
                                                      gpointer               func_data,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
gint64          attest_store_foreach_embedding_finish (AttestStore          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The first face of identity_id imported from a file with this SHA-256, or -1 (error set
 * only on failure). For skipping files a folder import has already taken. */
gint64          attest_store_find_face_by_file      (AttestStore            *self,
                                                     gint64                  identity_id,
                                                     const char             *file_sha256,
                                                     GError                **error);

G_END_DECLS

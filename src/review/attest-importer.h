/* attest-importer.h: enrolling faces from image files.
 *
 * Two ways in: image files for one identity (attest_importer_import_file, or _import_files_async
 * for several), or a folder with one sub-folder per person, DIR/<identity name>/ holding .jpg,
 * .jpeg or .png photos (_import_folder_async). Each image is hashed, loaded, searched for faces
 * (tight crops included, see attest-search.h), put through the quality gate, embedded and
 * enrolled with its 96 px thumbnail: the face is audited as "import", with the importer's actor
 * (reviewer) and basis, the file's URI and SHA-256 as its source. An identity is created when
 * no identity has the name (ignoring case); otherwise the faces are added to it.
 *
 * An image is enrolled only when it holds exactly one face that passes the quality gate;
 * otherwise it is skipped with a reason, and nothing is written for it. A file already
 * enrolled for the same identity (same SHA-256) is skipped as "already enrolled": importing a
 * folder again adds only what is new. Every image is its own transaction, so a cancelled or
 * failed import keeps what it enrolled, and nothing half-written.
 *
 * The search index is NOT updated here: after an import the caller loads it again
 * (attest_matcher_load_from_store) or adds the enrolled faces itself.
 *
 * The importer does not own the AttestVision given to it: keep it alive until the importer
 * and any import it runs have finished.
 */
#pragma once

#include <gio/gio.h>

#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_IMPORTER_ERROR (attest_importer_error_quark ())

typedef enum
{
  ATTEST_IMPORTER_ERROR_INVALID,        /* blank basis, actor or identity name */
  ATTEST_IMPORTER_ERROR_NO_SUBFOLDERS,  /* a folder import found no person folders */
} AttestImporterError;

typedef enum
{
  ATTEST_IMPORT_ENROLLED,
  ATTEST_IMPORT_SKIPPED,
} AttestImportStatus;

/* Why an image was skipped (ATTEST_IMPORT_SKIP_NONE: it was enrolled). */
typedef enum
{
  ATTEST_IMPORT_SKIP_NONE,
  ATTEST_IMPORT_SKIP_ALREADY_ENROLLED, /* same file (SHA-256) already enrolled for the identity */
  ATTEST_IMPORT_SKIP_UNREADABLE,       /* missing, no permission, a dangling link, ... */
  ATTEST_IMPORT_SKIP_NOT_AN_IMAGE,     /* read, but not an image in a known format */
  ATTEST_IMPORT_SKIP_NO_FACE,
  ATTEST_IMPORT_SKIP_SEVERAL_FACES,
  ATTEST_IMPORT_SKIP_POOR_QUALITY,     /* the quality gate: too small, blurred, turned, cut */
  ATTEST_IMPORT_SKIP_NOT_IN_A_FOLDER,  /* folder import: an image beside the person folders */
  ATTEST_IMPORT_SKIP_FAILED,           /* the face could not be measured or was refused */
} AttestImportSkip;

/* What became of one image. */
typedef struct
{
  char              *file;      /* the path (as given, or found in the folder) */
  AttestImportStatus status;
  AttestImportSkip   skip;
  char              *reason;    /* "" when enrolled; else a short translated reason */
  char              *identity;  /* the identity's name as stored (as requested when there is
                                 * none yet; "" for an image outside any person folder) */
  gint64             face_id;   /* the new face; for "already enrolled" the face enrolled
                                 * before from that file; -1 otherwise */
  char              *warning;   /* NULL, or a short translated warning: this image created a
                                 * person whose name looks like another's */
} AttestImportResult;

#define ATTEST_TYPE_IMPORT_RESULT (attest_import_result_get_type ())
GType               attest_import_result_get_type (void) G_GNUC_CONST;
AttestImportResult *attest_import_result_copy     (const AttestImportResult *result);
void                attest_import_result_free     (AttestImportResult       *result);
/* Frees the members of a result that lives on the stack; it can be filled again. */
void                attest_import_result_clear    (AttestImportResult       *result);

#define ATTEST_TYPE_IMPORTER (attest_importer_get_type ())
G_DECLARE_FINAL_TYPE (AttestImporter, attest_importer, ATTEST, IMPORTER, GObject)

GQuark          attest_importer_error_quark       (void);

/* actor: the reviewer's name; basis: why these faces are these people (both required,
 * checked when importing). */
AttestImporter *attest_importer_new               (AttestStore         *store,
                                                   AttestVision        *vision,
                                                   const char          *actor,
                                                   const char          *basis);

AttestStore    *attest_importer_get_store         (AttestImporter      *self);
AttestVision   *attest_importer_get_vision        (AttestImporter      *self);
const char     *attest_importer_get_actor         (AttestImporter      *self);
const char     *attest_importer_get_basis         (AttestImporter      *self);

/* Imports one image for `identity_name`, blocking (CLI, tests). TRUE when the image was dealt
 * with, enrolled or skipped: *out says which (clear it with attest_import_result_clear).
 * FALSE when the import cannot go on at all: a blank basis, actor or name
 * (ATTEST_IMPORTER_ERROR_INVALID) or a database failure (ATTEST_STORE_ERROR). */
gboolean        attest_importer_import_file       (AttestImporter      *self,
                                                   const char          *path,
                                                   const char          *identity_name,
                                                   AttestImportResult  *out,
                                                   GError             **error);

/* Imports the photos in DIR/<identity name>/ (.jpg, .jpeg, .png in any case; hidden files and
 * folders, and other files, are left alone), people and files sorted by name, in a worker
 * thread. On the caller's thread-default main context, for each image in turn: "result",
 * then "progress" (done, total); "progress" (0, total) comes first. The worker waits for
 * each image's signals to be delivered before it starts the next, so cancelling from a
 * handler stops the import right there; cancelling stops between images and keeps what was
 * enrolled. An image directly in DIR is reported as skipped (not in a person's folder).
 * Fails with ATTEST_IMPORTER_ERROR_NO_SUBFOLDERS when DIR has no person folder, a G_IO_ERROR
 * when it cannot be listed, G_IO_ERROR_CANCELLED when cancelled, or as _import_file. */
void            attest_importer_import_folder_async  (AttestImporter      *self,
                                                      GFile               *dir,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Every result (element type AttestImportResult*), in order; NULL with error set. */
GPtrArray      *attest_importer_import_folder_finish (AttestImporter      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* The same for image files the user picked for one identity, in the order given. */
void            attest_importer_import_files_async   (AttestImporter      *self,
                                                      GFile              **files,
                                                      guint                n_files,
                                                      const char          *identity_name,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray      *attest_importer_import_files_finish  (AttestImporter      *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS

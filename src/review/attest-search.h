/* attest-search.h: what the importer and `attest-cli identify` share: filling the search
 * index from the gallery, and finding the faces of a still image.
 *
 * Still images: a photo is searched as it is; when no face is found there, it is searched
 * again padded by half its size on every side (edge pixels repeated). Tight crops (ID photos,
 * pre-cropped faces such as dlib's johns/) fill the frame and leave the detector no context;
 * the retry finds them without adding faces to photos where the first pass found any.
 */
#pragma once

#include <glib.h>

#include "analysis/attest-matcher.h"
#include "analysis/attest-rejections.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* Faces of one image kept for examination; more are counted (attest_still_get_n_faces). */
#define ATTEST_STILL_MAX_FACES 64

/* Clears `matcher`, then adds every gallery face whose embedding model is `model_id` (faces
 * of other models are not comparable and are left out). Returns the number of faces loaded,
 * or -1 with error set (the matcher then holds what was loaded before the failure).
 * The index is a snapshot: after enrolling, importing, merging or deleting, load again. */
gint64                 attest_matcher_load_from_store (AttestMatcher          *matcher,
                                                       AttestStore            *store,
                                                       const char             *model_id,
                                                       GError                **error);

/* Negative evidence in memory: every standing rejection of a probe made by model_id, for
 * the analysis's rejection policy (analysis/attest-rejections.h). A snapshot: load again
 * after a reject or an undo. NULL with error when the store cannot be read. */
AttestRejections      *attest_rejections_load_from_store (AttestStore          *store,
                                                          const char           *model_id,
                                                          GError              **error);
/* The same on the store's worker (attest_store_read_async), for the UI. */
void                   attest_rejections_load_async      (AttestStore          *store,
                                                          const char           *model_id,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
AttestRejections      *attest_rejections_load_finish     (AttestStore          *store,
                                                          GAsyncResult         *result,
                                                          GError              **error);

typedef struct _AttestStill AttestStill;

/* Loads the image file and finds its faces (retrying padded, see above).
 * NULL with ATTEST_VISION_ERROR_IMAGE when the file is missing or is not an image. */
AttestStill           *attest_still_load              (AttestVision           *vision,
                                                       const char             *path,
                                                       GError                **error);
/* The same for an image already decoded (taken): a caller that read and hashed the bytes
 * itself (attest_image_decode) analyses exactly those. */
AttestStill           *attest_still_new               (AttestVision           *vision,
                                                       AttestImage            *image);
void                   attest_still_free              (AttestStill            *self);

/* Faces found (may be more than ATTEST_STILL_MAX_FACES; only that many have boxes). */
guint                  attest_still_get_n_faces       (AttestStill            *self);
/* TRUE when the faces were only found in the padded copy. */
gboolean               attest_still_get_padded        (AttestStill            *self);
/* The pixels the face boxes below refer to: the file's, or the padded copy. */
const AttestImageView *attest_still_get_view          (AttestStill            *self);
/* Face i (best detector score first) in attest_still_get_view() pixels. */
const AttestBox       *attest_still_get_box           (AttestStill            *self,
                                                       guint                   i);
/* Face i in the file's own pixels (a tight crop's box may reach past its edges). */
void                   attest_still_get_file_box      (AttestStill            *self,
                                                       guint                   i,
                                                       AttestBox              *out);

/* Applies the quality gate to face i and, when it passes, computes its embedding
 * (ATTEST_EMBEDDING_DIM floats; left untouched otherwise). FALSE only when measuring or
 * embedding failed. */
gboolean               attest_still_examine_face      (AttestStill            *self,
                                                       guint                   i,
                                                       AttestQuality          *quality,
                                                       float                  *embedding,
                                                       GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestStill, attest_still_free)

G_END_DECLS

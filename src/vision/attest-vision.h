/* attest-vision.h: the C face of the one C++ file (OpenCV DNN).
 *
 * Plain structs, no GObject: the analysis worker, the CLI and the tests call this directly.
 * One AttestVision may be used from any thread; calls are serialised inside (the OpenCV nets
 * are not re-entrant), so give each worker its own instance if it must run in parallel.
 * Models and how they are run: ../shared/models.md.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ATTEST_EMBEDDING_DIM 512
#define ATTEST_VISION_ERROR (attest_vision_error_quark ())

typedef enum
{
  ATTEST_VISION_ERROR_MODEL_MISSING,  /* a model file is not there: message names it + the fix */
  ATTEST_VISION_ERROR_MODEL_CORRUPT,  /* wrong sha256 or OpenCV cannot load it */
  ATTEST_VISION_ERROR_IMAGE,          /* not an image, unreadable, empty */
  ATTEST_VISION_ERROR_FACE,           /* box outside the image, too small to align */
} AttestVisionError;

typedef enum
{
  ATTEST_PIXELS_BGR,   /* 3 bytes per pixel */
  ATTEST_PIXELS_RGB,
  ATTEST_PIXELS_BGRA,  /* 4 bytes per pixel */
  ATTEST_PIXELS_RGBA,
} AttestPixelFormat;

/* Borrowed pixels: nothing here owns `data`. */
typedef struct
{
  const guint8     *data;
  int               width;
  int               height;
  int               stride;  /* bytes per row */
  AttestPixelFormat format;
} AttestImageView;

/* A face box in pixels of the image it was found in; score = detector confidence 0..1
 * (1.0 for a box drawn by hand). */
typedef struct
{
  float x, y, w, h;
  float score;
} AttestBox;

/* Eyes (left, right as seen in the image), nose tip, mouth corners (left, right), pixels. */
typedef struct
{
  float points[5][2];
} AttestLandmarks;

typedef struct _AttestVision AttestVision;
typedef struct _AttestImage AttestImage;

GQuark        attest_vision_error_quark        (void);

/* $ATTEST_MODELS_DIR if set, else $XDG_DATA_HOME/attest/models. Newly allocated. */
char         *attest_vision_default_models_dir (void);
/* The shell command that fetches the models (shown in "model missing" messages). */
const char   *attest_vision_fetch_command      (void);

/* Loads fr_detect.onnx, fr_landmark.onnx, fr_feature.onnx from models_dir (NULL: default),
 * checking each file's sha256. Caps OpenCV at 2 threads. */
AttestVision *attest_vision_new                (const char            *models_dir,
                                                GError               **error);
/* Drops a reference (the one attest_vision_new gave): the models go with the last one. */
void          attest_vision_free               (AttestVision          *self);
/* Another reference, for whatever runs analysis on a thread of its own (a scan, a player):
 * the models stay until it is done, even if the one who made them lets go first. */
AttestVision *attest_vision_ref                (AttestVision          *self);
/* Identifies the embedding model, stored with every face and audit entry,
 * e.g. "fr_feature-512@87aacdfe". */
const char   *attest_vision_get_model_id       (AttestVision          *self);

/* Tiling: on (default) a large frame is also searched in overlapping tiles so faces ~40 px
 * wide in 1280x720 are found; off = one 320x240 pass (benchmarks compare both). */
void          attest_vision_set_tiling         (AttestVision          *self,
                                                gboolean               tiling);

/* Finds faces. Writes at most max_boxes boxes sorted by score (highest first) and returns
 * how many faces were found (may be > max_boxes). */
int           attest_vision_detect             (AttestVision          *self,
                                                const AttestImageView *image,
                                                AttestBox             *boxes,
                                                int                    max_boxes);

/* Five alignment points for a face box (68-point model reduced as in models.md). */
gboolean      attest_vision_landmarks          (AttestVision          *self,
                                                const AttestImageView *image,
                                                const AttestBox       *box,
                                                AttestLandmarks       *out,
                                                GError               **error);

/* Landmarks, closed-form similarity alignment to 112x112, embedding, L2-normalised. */
gboolean      attest_vision_embed              (AttestVision          *self,
                                                const AttestImageView *image,
                                                const AttestBox       *box,
                                                float                  embedding[ATTEST_EMBEDDING_DIM],
                                                GError               **error);

/* Cosine of two L2-normalised embeddings (their dot product). */
float         attest_embedding_cosine          (const float           *a,
                                                const float           *b);

/* Quality gate: whether a face is good enough to compare at all. A poor face is shown as
 * "too poor to compare" with its reason and never matched or enrolled. */
typedef enum
{
  ATTEST_QUALITY_OK,
  ATTEST_QUALITY_TOO_SMALL,   /* face narrower than the minimum (frame pixels) */
  ATTEST_QUALITY_BLURRED,     /* too little detail in the aligned face */
  ATTEST_QUALITY_TURNED,      /* head turned / tilted too far for a frontal model */
  ATTEST_QUALITY_CUT,         /* face partly outside the image */
} AttestQualityIssue;

typedef struct
{
  AttestQualityIssue issue;     /* the first failing check of CUT, TOO_SMALL, BLURRED, TURNED */
  float              width;     /* face box width, pixels */
  float              sharpness; /* detail measure of the aligned 112x112 face (higher = sharper) */
  float              yaw;       /* estimated left/right turn, degrees (0 = frontal) */
  float              roll;      /* in-plane tilt, degrees */
} AttestQuality;

/* Measures the face (landmarks + alignment; no embedding) and applies the thresholds
 * documented in attest-vision.cpp. FALSE only on error (bad box / image). */
gboolean      attest_vision_assess             (AttestVision          *self,
                                                const AttestImageView *image,
                                                const AttestBox       *box,
                                                AttestQuality         *out,
                                                GError               **error);
/* A short translated reason for the UI and the CLI, e.g. "face too small (31 px; needs 40)".
 * Newly allocated; "ok" for ATTEST_QUALITY_OK. */
char         *attest_quality_describe          (const AttestQuality   *quality);

/* What Attest reads, image or video frame: at most 50 megapixels (150 MB as BGR; a 8K UHD
 * frame is 33), each side at least 24 pixels and the long side at most 16 times the short one
 * (thinner frames hold no face and cost thousands of detector passes). */
#define ATTEST_VISION_MAX_PIXELS 50000000
#define ATTEST_VISION_MIN_SIDE 24
#define ATTEST_VISION_MAX_ASPECT 16
/* An image file is read whole: none larger than this is (a 50-megapixel PNG is ~150 MB). */
#define ATTEST_VISION_MAX_FILE_BYTES 200000000

/* Whether a width x height image or frame is within those limits; FALSE with a message
 * naming `name` and the limit (ATTEST_VISION_ERROR_IMAGE). */
gboolean               attest_vision_check_size (int                width,
                                                 int                height,
                                                 const char        *name,
                                                 GError           **error);

/* An image file (JPEG, PNG, ...) decoded to BGR. The header is read first: an image outside
 * the limits above is refused before any pixel buffer is made. */
AttestImage           *attest_image_load       (const char            *path,
                                                GError               **error);
/* An encoded image (JPEG, PNG, ...) held in memory, decoded to BGR: the bytes a caller has
 * read (and hashed) are the bytes analysed. name: for messages (a file's display name). */
AttestImage           *attest_image_decode     (GBytes                *bytes,
                                                const char            *name,
                                                GError               **error);
/* A deep copy of borrowed pixels, converted to BGR. */
AttestImage           *attest_image_new_from_view (const AttestImageView *view);
void                   attest_image_free       (AttestImage           *self);
const AttestImageView *attest_image_get_view   (AttestImage           *self);

/* A square crop around the box (box side * 1.5, clamped to the image), scaled to
 * size x size, encoded as PNG: the face thumbnail stored with a face. */
GBytes       *attest_image_crop_png            (const AttestImageView *image,
                                                const AttestBox       *box,
                                                int                    size,
                                                GError               **error);

/* Intersection over union of two boxes. */
float         attest_box_iou                   (const AttestBox       *a,
                                                const AttestBox       *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestVision, attest_vision_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestImage, attest_image_free)

G_END_DECLS

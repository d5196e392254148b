/* attest-vision.cpp: face detection, landmarks and embeddings with OpenCV DNN.
 *
 * The only C++ in Attest. Everything here is reached through the extern "C" functions
 * declared in attest-vision.h; no C++ exception may cross that boundary, so every entry
 * point that touches OpenCV or allocates catches everything (cv::Exception mostly) and turns
 * it into a GError or an empty result. How the models are run: models.md (see the header).
 */
#include "attest-vision.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#define DETECT_FILE "fr_detect.onnx"
#define LANDMARK_FILE "fr_landmark.onnx"
#define FEATURE_FILE "fr_feature.onnx"

/* The detector's input size is baked into the model (other sizes fail in OpenCV 4.6). */
static const int DETECT_W = 320;
static const int DETECT_H = 240;
static const float DETECT_SCORE = 0.65f;
static const float DETECT_NMS_IOU = 0.4f;
/* Boxes narrower or lower than this (frame pixels) are dropped: too small to compare or to
 * review, and the only false positive measured on the face-free photos (a 13x20 px drink can
 * in video_frames/frame_000225.jpg at 0.666) is one. */
static const float DETECT_MIN_SIDE = 16.0f;

/* Tiling. The full 320x240 pass of a 1280x720 frame shrinks it 4x, so a 40 px face reaches
 * the net at 10 px, under its ~12 px recall floor. Tiles are 4:3 like the net's input and
 * TILE_W wide (shrunk 2.4x: that face arrives at ~17 px), or a third of the frame past 2304 px
 * wide; frames the full pass shrinks no more than that are not tiled. Neighbouring tiles
 * overlap by at least TILE_MIN_OVERLAP (a twelfth of the frame past 1920 px), so a face up to
 * that size lies wholly inside one tile. 1280x720 takes 2x2 tiles, 1920x1080 3x3.
 * Tiles only answer for faces up to the overlap less the edge margins (~110 px in 720p):
 * bigger ones are the full pass's job (it sees a 110 px face in 720p at ~27 px), and at the
 * tiles' scale the net takes big dog faces for people (measured on dogs.jpg). */
static const int TILE_W = 768;
static const int TILE_MIN_OVERLAP = 160;
/* A tile box this close to an inner tile edge (fraction of the tile) is probably a face cut
 * by the edge: the net often boxes the visible part a few pixels away from the edge. */
static const float TILE_EDGE_MARGIN = 0.03f;
/* A box this much inside a bigger box is part of that face, not another face. */
static const float CONTAINED = 0.6f;

static const int LANDMARK_SIZE = 64;
static const int ALIGN_SIZE = 112;

/* The standard five-point template for 112x112 face crops. */
static const float ALIGN_TEMPLATE[5][2] = {
  { 38.2946f, 51.6963f },
  { 73.5318f, 51.5014f },
  { 56.0252f, 71.7366f },
  { 41.5493f, 92.3655f },
  { 70.7299f, 92.2041f },
};

typedef struct
{
  const char *file;
  const char *sha256;
} ModelFile;

static const ModelFile MODEL_FILES[] = {
  { DETECT_FILE, "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854" },
  { LANDMARK_FILE, "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258" },
  { FEATURE_FILE, "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581" },
};

/* One OpenCV call at a time in the whole process. The nets are not re-entrant, and with a
 * scan running while a video plays (two analyses, one model set) OpenCV 4.6 crashed in
 * Net::forwardLayer, or read freed memory there, even with each instance's nets behind a
 * lock of their own (/review-ui/scan-while-playing, 1 run in 3; AddressSanitizer named a
 * block freed by another thread inside libopencv_dnn). Holding one lock over every OpenCV
 * call, nets, image decoding, thumbnails alike, removes every overlap. The nets dominate the
 * time anyway, and they were serialised already. */
static std::mutex opencv_lock;

struct _AttestVision
{
  std::atomic<int> refs { 1 };
  cv::dnn::Net detect;
  cv::dnn::Net landmark;
  cv::dnn::Net feature;
  std::string model_id;
  std::atomic<bool> tiling { true };
};

struct _AttestImage
{
  cv::Mat bgr;
  AttestImageView view;
};

typedef struct
{
  cv::Rect2f rect;
  float score;
} Detection;

G_DEFINE_QUARK (attest-vision-error-quark, attest_vision_error)

/* Why the exception being handled was thrown, short (OpenCV's what() holds file and line).
 * Only call it inside a catch block. */
static std::string
exception_reason (void)
{
  try
    {
      throw;
    }
  catch (const cv::Exception &e)
    {
      return e.err;
    }
  catch (const std::exception &e)
    {
      return e.what ();
    }
  catch (...)
    {
      return "unknown error";
    }
}

/* ----------------------------------------------------------------------------------------
 * Pixels
 */

static int
bytes_per_pixel (AttestPixelFormat format)
{
  return (format == ATTEST_PIXELS_BGRA || format == ATTEST_PIXELS_RGBA) ? 4 : 3;
}

static bool
view_is_valid (const AttestImageView *view)
{
  return view != NULL && view->data != NULL && view->width > 0 && view->height > 0 &&
         view->format >= ATTEST_PIXELS_BGR && view->format <= ATTEST_PIXELS_RGBA &&
         view->stride >= view->width * bytes_per_pixel (view->format);
}

/* The view as BGR. For BGR input this wraps the borrowed pixels without copying, so the
 * result must not outlive the view and must not be written to. */
static cv::Mat
view_to_bgr (const AttestImageView *view)
{
  int type = bytes_per_pixel (view->format) == 4 ? CV_8UC4 : CV_8UC3;
  cv::Mat wrapped (view->height, view->width, type, const_cast<guint8 *> (view->data),
                   (size_t) view->stride);
  cv::Mat bgr;

  switch (view->format)
    {
    case ATTEST_PIXELS_BGR:
      return wrapped;
    case ATTEST_PIXELS_RGB:
      cv::cvtColor (wrapped, bgr, cv::COLOR_RGB2BGR);
      break;
    case ATTEST_PIXELS_BGRA:
      cv::cvtColor (wrapped, bgr, cv::COLOR_BGRA2BGR);
      break;
    case ATTEST_PIXELS_RGBA:
    default:
      cv::cvtColor (wrapped, bgr, cv::COLOR_RGBA2BGR);
      break;
    }
  return bgr;
}

static bool
box_is_usable (const AttestBox *box, int width, int height)
{
  if (!std::isfinite (box->x) || !std::isfinite (box->y) ||
      !std::isfinite (box->w) || !std::isfinite (box->h))
    return false;
  /* Too small to hold a face that the landmark net could read. */
  if (box->w < 2.0f || box->h < 2.0f)
    return false;
  if (box->x >= width || box->y >= height || box->x + box->w <= 0 || box->y + box->h <= 0)
    return false;
  /* A box far bigger than the image is a mistake, and its crop would be huge. */
  if (box->w > 2.0f * std::max (width, height) || box->h > 2.0f * std::max (width, height))
    return false;
  return true;
}

/* A copy of `rect` from `src`; parts outside `src` are black. */
static cv::Mat
crop_with_border (const cv::Mat &src, const cv::Rect &rect)
{
  cv::Mat out = cv::Mat::zeros (rect.height, rect.width, src.type ());
  cv::Rect inside = rect & cv::Rect (0, 0, src.cols, src.rows);

  if (inside.area () > 0)
    src (inside).copyTo (out (cv::Rect (inside.x - rect.x, inside.y - rect.y,
                                        inside.width, inside.height)));
  return out;
}

/* ----------------------------------------------------------------------------------------
 * Models
 */

char *
attest_vision_default_models_dir (void)
{
  const char *env = g_getenv ("ATTEST_MODELS_DIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "attest", "models", NULL);
}

const char *
attest_vision_fetch_command (void)
{
  return "build-aux/fetch-models.sh";
}

/* Streamed, so a huge wrong file in the models folder costs no memory. */
static char *
file_sha256 (const char *path, GError **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  FILE *file = g_fopen (path, "rb");
  guchar buffer[65536];
  size_t n;
  bool failed;

  if (file == NULL)
    {
      int saved_errno = errno;
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return NULL;
    }
  while ((n = fread (buffer, 1, sizeof buffer, file)) > 0)
    g_checksum_update (checksum, buffer, (gssize) n);
  failed = ferror (file) != 0;
  fclose (file);
  if (failed)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO, g_strerror (EIO));
      return NULL;
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static bool
load_model (const char *models_dir, const ModelFile *model, cv::dnn::Net *net,
            char **sha256_out, GError **error)
{
  g_autofree char *path = g_build_filename (models_dir, model->file, NULL);
  g_autofree char *sha256 = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_MISSING,
                   _("Face model “%s” is missing from %s. Fetch the models with: %s"),
                   model->file, models_dir, attest_vision_fetch_command ());
      return false;
    }

  sha256 = file_sha256 (path, &local_error);
  if (sha256 == NULL)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                   _("Face model “%s” in %s cannot be read (%s). Fetch the models again with: %s"),
                   model->file, models_dir, local_error->message, attest_vision_fetch_command ());
      return false;
    }
  if (g_ascii_strcasecmp (sha256, model->sha256) != 0)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                   _("Face model “%s” in %s is damaged or the wrong version (its checksum "
                     "does not match). Fetch the models again with: %s"),
                   model->file, models_dir, attest_vision_fetch_command ());
      return false;
    }

  try
    {
      *net = cv::dnn::readNetFromONNX (path);
      net->setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
      net->setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                   _("Face model “%s” in %s could not be loaded (%s). Fetch the models again with: %s"),
                   model->file, models_dir, exception_reason ().c_str (),
                   attest_vision_fetch_command ());
      return false;
    }
  if (net->empty ())
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                   _("Face model “%s” in %s could not be loaded. Fetch the models again with: %s"),
                   model->file, models_dir, attest_vision_fetch_command ());
      return false;
    }

  if (sha256_out != NULL)
    *sha256_out = g_steal_pointer (&sha256);
  return true;
}

AttestVision *
attest_vision_new (const char *models_dir, GError **error)
{
  g_autofree char *default_dir = NULL;
  g_autofree char *feature_sha = NULL;
  g_autofree char *model_id = NULL;
  AttestVision *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (models_dir == NULL)
    models_dir = default_dir = attest_vision_default_models_dir ();

  {
    std::lock_guard<std::mutex> guard (opencv_lock);

    try
      {
        cv::setNumThreads (2);
        self = new AttestVision ();
      }
    catch (...)
      {
        g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                     _("The face models could not be prepared: %s"), exception_reason ().c_str ());
        return NULL;
      }

    if (!load_model (models_dir, &MODEL_FILES[0], &self->detect, NULL, error) ||
        !load_model (models_dir, &MODEL_FILES[1], &self->landmark, NULL, error) ||
        !load_model (models_dir, &MODEL_FILES[2], &self->feature, &feature_sha, error))
      {
        delete self;
        return NULL;
      }
  }

  /* The embedding model and the first 8 hex digits of its checksum: embeddings made by
   * another model must never be compared with these. */
  model_id = g_strdup_printf ("fr_feature-%d@%.8s", ATTEST_EMBEDDING_DIM, feature_sha);
  self->model_id = model_id;
  return self;
}

AttestVision *
attest_vision_ref (AttestVision *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  self->refs.fetch_add (1);
  return self;
}

void
attest_vision_free (AttestVision *self)
{
  if (self == NULL || self->refs.fetch_sub (1) > 1)
    return;
  {
    std::lock_guard<std::mutex> guard (opencv_lock);

    delete self;
  }
}

const char *
attest_vision_get_model_id (AttestVision *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->model_id.c_str ();
}

void
attest_vision_set_tiling (AttestVision *self, gboolean tiling)
{
  g_return_if_fail (self != NULL);

  self->tiling = tiling != FALSE;
}

/* ----------------------------------------------------------------------------------------
 * Detection
 */

/* One 320x240 pass over `region` of `bgr` (plain resize, no letterbox); boxes are returned
 * in pixels of `bgr`, clipped to the region. */
static std::vector<Detection>
detect_pass (cv::dnn::Net &net, const cv::Mat &bgr, const cv::Rect &region)
{
  std::vector<Detection> found;
  std::vector<cv::Mat> outs;
  cv::Mat blob;

  /* (px - 127) / 128, RGB. */
  blob = cv::dnn::blobFromImage (bgr (region), 1.0 / 128.0, cv::Size (DETECT_W, DETECT_H),
                                 cv::Scalar (127, 127, 127), true, false, CV_32F);
  net.setInput (blob, "input");
  net.forward (outs, std::vector<cv::String> { "scores", "boxes" });

  const cv::Mat &scores = outs[0];
  const cv::Mat &boxes = outs[1];
  int n = scores.dims == 3 ? scores.size[1] : 0;
  /* [1,N,2] scores and [1,N,4] boxes, or nothing is read. */
  if (n == 0 || scores.total () != (size_t) n * 2 || boxes.total () != (size_t) n * 4 ||
      scores.type () != CV_32F || boxes.type () != CV_32F)
    CV_Error (cv::Error::StsUnmatchedSizes, "unexpected detector output shape");
  const float *s = scores.ptr<float> ();
  const float *b = boxes.ptr<float> ();

  for (int i = 0; i < n; i++)
    {
      float score = s[i * 2 + 1];
      if (!(score > DETECT_SCORE))
        continue;

      float x1 = std::clamp (b[i * 4 + 0], 0.0f, 1.0f) * region.width + region.x;
      float y1 = std::clamp (b[i * 4 + 1], 0.0f, 1.0f) * region.height + region.y;
      float x2 = std::clamp (b[i * 4 + 2], 0.0f, 1.0f) * region.width + region.x;
      float y2 = std::clamp (b[i * 4 + 3], 0.0f, 1.0f) * region.height + region.y;
      if (x2 - x1 < DETECT_MIN_SIDE || y2 - y1 < DETECT_MIN_SIDE)
        continue;
      found.push_back (Detection { cv::Rect2f (x1, y1, x2 - x1, y2 - y1), score });
    }
  return found;
}

static std::vector<Detection>
nms (const std::vector<Detection> &in)
{
  std::vector<cv::Rect2d> rects;
  std::vector<float> scores;
  std::vector<int> keep;
  std::vector<Detection> out;

  for (const Detection &d : in)
    {
      rects.emplace_back (d.rect.x, d.rect.y, d.rect.width, d.rect.height);
      scores.push_back (d.score);
    }
  cv::dnn::NMSBoxes (rects, scores, DETECT_SCORE, DETECT_NMS_IOU, keep);
  for (int i : keep)
    out.push_back (in[i]);
  return out;
}

/* NMS at IoU 0.4 keeps a small box lying inside a big one: the net sometimes boxes an eye
 * of a large face (measured on close-ups), and a tile cutting a face away from the tile's
 * edge can box the visible part (mouth and chin). Either way it is part of the bigger face. */
static std::vector<Detection>
drop_contained (const std::vector<Detection> &in)
{
  std::vector<Detection> out;

  for (const Detection &d : in)
    {
      bool contained = false;

      for (const Detection &other : in)
        if (other.rect.area () > d.rect.area () &&
            (other.rect & d.rect).area () >= CONTAINED * d.rect.area ())
          {
            contained = true;
            break;
          }
      if (!contained)
        out.push_back (d);
    }
  return out;
}

/* Tiles smaller than this hold no face the full pass would miss; more tiles than this per
 * frame (a 1920x1080 frame takes 9) only happen on frames of extreme shape. */
#define TILE_MIN_SIDE 64
#define TILE_MAX_COUNT 36

/* Start offsets of n evenly spaced tiles of `tile` pixels covering `total`, overlapping by
 * at least `overlap`. */
static std::vector<int>
tile_starts (int total, int tile, int overlap)
{
  std::vector<int> starts;

  if (tile >= total)
    {
      starts.push_back (0);
      return starts;
    }
  int n = (int) std::ceil ((double) (total - overlap) / (double) (tile - overlap));
  n = std::max (n, 2);
  for (int i = 0; i < n; i++)
    starts.push_back ((int) std::lround ((double) i * (total - tile) / (n - 1)));
  return starts;
}

static std::vector<Detection>
detect_locked (AttestVision *self, const cv::Mat &bgr)
{
  cv::Rect whole (0, 0, bgr.cols, bgr.rows);
  std::vector<Detection> all = nms (detect_pass (self->detect, bgr, whole));

  int tile_w = std::max (TILE_W, bgr.cols / 3);
  int tile_h = tile_w * 3 / 4;

  if (self->tiling && (bgr.cols > tile_w || bgr.rows > tile_h))
    {
      int overlap = std::max (TILE_MIN_OVERLAP, bgr.cols / 12);
      /* A frame shorter (or narrower) than a tile gets smaller 4:3 tiles. */
      if (tile_h > bgr.rows)
        {
          tile_h = bgr.rows;
          tile_w = tile_h * 4 / 3;
        }
      if (tile_w > bgr.cols)
        {
          tile_w = bgr.cols;
          tile_h = tile_w * 3 / 4;
        }
      overlap = std::min (overlap, std::min (tile_w, tile_h) / 2);
      /* A frame so thin that its tiles would be slivers (thousands of detector passes, each
       * too small to hold a face) gets the full pass only. */
      if (std::min (tile_w, tile_h) < TILE_MIN_SIDE ||
          tile_starts (bgr.rows, tile_h, overlap).size () *
          tile_starts (bgr.cols, tile_w, overlap).size () > TILE_MAX_COUNT)
        return all;
      float mx = TILE_EDGE_MARGIN * tile_w;
      float my = TILE_EDGE_MARGIN * tile_h;
      /* With the edge margins, faces up to this size still lie clear of the inner edges of
       * at least one tile. */
      float max_face = overlap - 2.0f * std::max (mx, my);

      for (int ty : tile_starts (bgr.rows, tile_h, overlap))
        for (int tx : tile_starts (bgr.cols, tile_w, overlap))
          {
            cv::Rect tile (tx, ty, tile_w, tile_h);

            for (const Detection &d : detect_pass (self->detect, bgr, tile))
              {
                if (d.rect.width > max_face || d.rect.height > max_face)
                  continue;
                /* A face cut by an inner tile edge gives a partial box hugging that edge;
                 * the same face lies whole in a neighbouring tile or the full pass. */
                if ((tile.x > 0 && d.rect.x <= tile.x + mx) ||
                    (tile.y > 0 && d.rect.y <= tile.y + my) ||
                    (tile.br ().x < bgr.cols && d.rect.br ().x >= tile.br ().x - mx) ||
                    (tile.br ().y < bgr.rows && d.rect.br ().y >= tile.br ().y - my))
                  continue;
                all.push_back (d);
              }
          }
      all = nms (all);
    }
  all = drop_contained (all);

  std::stable_sort (all.begin (), all.end (),
                    [] (const Detection &a, const Detection &b) { return a.score > b.score; });
  return all;
}

int
attest_vision_detect (AttestVision *self, const AttestImageView *image, AttestBox *boxes,
                      int max_boxes)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (view_is_valid (image), 0);
  g_return_val_if_fail (max_boxes >= 0, 0);
  g_return_val_if_fail (boxes != NULL || max_boxes == 0, 0);

  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);
      cv::Mat bgr = view_to_bgr (image);
      std::vector<Detection> found = detect_locked (self, bgr);
      int n = (int) found.size ();

      for (int i = 0; i < std::min (n, max_boxes); i++)
        boxes[i] = AttestBox { found[i].rect.x, found[i].rect.y,
                               found[i].rect.width, found[i].rect.height, found[i].score };
      return n;
    }
  catch (...)
    {
      /* Not a g_warning: a bad frame must not take the app (or a test) down. */
      g_debug ("Face detection failed: %s", exception_reason ().c_str ());
      return 0;
    }
}

/* ----------------------------------------------------------------------------------------
 * Landmarks, alignment, embedding
 */

static AttestLandmarks
landmarks_locked (AttestVision *self, const cv::Mat &bgr, const AttestBox *box)
{
  /* Square crop centred on the box, side = box height (how the landmark net was trained). */
  float side = box->h;
  float cx = box->x + box->w / 2.0f;
  float cy = box->y + box->h / 2.0f;
  int isize = std::max (1, (int) std::lround (side));
  cv::Rect crop_rect ((int) std::lround (cx - side / 2.0f), (int) std::lround (cy - side / 2.0f),
                      isize, isize);
  cv::Mat crop = crop_with_border (bgr, crop_rect);
  cv::Mat grey, small, blob;
  AttestLandmarks out;

  cv::cvtColor (crop, grey, cv::COLOR_BGR2GRAY);
  cv::resize (grey, small, cv::Size (LANDMARK_SIZE, LANDMARK_SIZE), 0, 0, cv::INTER_LINEAR);
  blob = cv::dnn::blobFromImage (small, 1.0 / 256.0, cv::Size (), cv::Scalar (), false, false,
                                 CV_32F);
  self->landmark.setInput (blob, "input");
  cv::Mat pts = self->landmark.forward ("output");
  if (pts.total () != 68 * 2 || pts.type () != CV_32F)
    CV_Error (cv::Error::StsUnmatchedSizes, "unexpected landmark output shape");
  const float *p = pts.ptr<float> ();

  auto point = [&] (int i, int axis) {
    float v = p[i * 2 + axis];
    return axis == 0 ? crop_rect.x + v * crop_rect.width : crop_rect.y + v * crop_rect.height;
  };
  /* 68-point (iBUG) numbering from 0: eye centres from the lids, not the corners. */
  for (int axis = 0; axis < 2; axis++)
    {
      out.points[0][axis] = (point (37, axis) + point (38, axis) +
                             point (40, axis) + point (41, axis)) / 4.0f;
      out.points[1][axis] = (point (43, axis) + point (44, axis) +
                             point (46, axis) + point (47, axis)) / 4.0f;
      out.points[2][axis] = point (30, axis);
      out.points[3][axis] = (point (48, axis) + point (60, axis)) / 2.0f;
      out.points[4][axis] = (point (54, axis) + point (64, axis)) / 2.0f;
    }
  return out;
}

/* Closed-form least-squares similarity (rotation, uniform scale, translation) taking the
 * five points onto the template: Umeyama's solution in 2-D, no reflection. Deterministic,
 * unlike the RANSAC/LMEDS estimators. Returns false when the points are degenerate. */
static bool
similarity_to_template (const AttestLandmarks *lm, cv::Matx23d *out)
{
  double sx = 0, sy = 0, dx = 0, dy = 0;

  for (int i = 0; i < 5; i++)
    {
      sx += lm->points[i][0];
      sy += lm->points[i][1];
      dx += ALIGN_TEMPLATE[i][0];
      dy += ALIGN_TEMPLATE[i][1];
    }
  sx /= 5; sy /= 5; dx /= 5; dy /= 5;

  double var = 0, a = 0, b = 0;
  for (int i = 0; i < 5; i++)
    {
      double xs = lm->points[i][0] - sx, ys = lm->points[i][1] - sy;
      double xd = ALIGN_TEMPLATE[i][0] - dx, yd = ALIGN_TEMPLATE[i][1] - dy;
      var += xs * xs + ys * ys;
      a += xs * xd + ys * yd;
      b += xs * yd - ys * xd;
    }
  if (!(var > 1e-6) || !std::isfinite (a) || !std::isfinite (b))
    return false;
  a /= var;
  b /= var;

  /* x' = a x - b y + tx ; y' = b x + a y + ty */
  *out = cv::Matx23d (a, -b, dx - (a * sx - b * sy),
                      b, a, dy - (b * sx + a * sy));
  return true;
}

static bool
embed_locked (AttestVision *self, const cv::Mat &bgr, const AttestBox *box,
              float embedding[ATTEST_EMBEDDING_DIM], GError **error)
{
  AttestLandmarks lm = landmarks_locked (self, bgr, box);
  cv::Matx23d transform;
  cv::Mat aligned, blob;

  if (!similarity_to_template (&lm, &transform))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("The face is too small or unclear to compare."));
      return false;
    }

  cv::warpAffine (bgr, aligned, cv::Mat (transform), cv::Size (ALIGN_SIZE, ALIGN_SIZE),
                  cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar (0, 0, 0));
  /* BGR, (px - 127) / 128. */
  blob = cv::dnn::blobFromImage (aligned, 1.0 / 128.0, cv::Size (), cv::Scalar (127, 127, 127),
                                 false, false, CV_32F);
  self->feature.setInput (blob, "input");
  cv::Mat feat = self->feature.forward ("output");

  if ((int) feat.total () != ATTEST_EMBEDDING_DIM)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_CORRUPT,
                   _("Face model “%s” gave an embedding of the wrong size. "
                     "Fetch the models again with: %s"),
                   FEATURE_FILE, attest_vision_fetch_command ());
      return false;
    }

  const float *f = feat.ptr<float> ();
  double norm = 0;
  for (int i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    norm += (double) f[i] * f[i];
  norm = std::sqrt (norm);
  if (!(norm > 1e-12) || !std::isfinite (norm))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("The face is too small or unclear to compare."));
      return false;
    }
  for (int i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    embedding[i] = (float) (f[i] / norm);
  return true;
}

static bool
check_box (const AttestImageView *image, const AttestBox *box, GError **error)
{
  if (!box_is_usable (box, image->width, image->height))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("The face box %.0f×%.0f at (%.0f, %.0f) cannot hold a face of the %d×%d image."),
                   box->w, box->h, box->x, box->y, image->width, image->height);
      return false;
    }
  return true;
}

gboolean
attest_vision_landmarks (AttestVision *self, const AttestImageView *image, const AttestBox *box,
                         AttestLandmarks *out, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (view_is_valid (image), FALSE);
  g_return_val_if_fail (box != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_box (image, box, error))
    return FALSE;

  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);
      *out = landmarks_locked (self, view_to_bgr (image), box);
      return TRUE;
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("Could not find the face’s landmarks: %s"), exception_reason ().c_str ());
      return FALSE;
    }
}

gboolean
attest_vision_embed (AttestVision *self, const AttestImageView *image, const AttestBox *box,
                     float embedding[ATTEST_EMBEDDING_DIM], GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (view_is_valid (image), FALSE);
  g_return_val_if_fail (box != NULL, FALSE);
  g_return_val_if_fail (embedding != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_box (image, box, error))
    return FALSE;

  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);
      return embed_locked (self, view_to_bgr (image), box, embedding, error);
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("Could not compute the face’s embedding: %s"), exception_reason ().c_str ());
      return FALSE;
    }
}

float
attest_embedding_cosine (const float *a, const float *b)
{
  double dot = 0;

  g_return_val_if_fail (a != NULL, 0.0f);
  g_return_val_if_fail (b != NULL, 0.0f);

  for (int i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    dot += (double) a[i] * b[i];
  return (float) dot;
}

/* ----------------------------------------------------------------------------------------
 * Quality gate
 *
 * Thresholds measured on real photos (Debian's dlib examples); tests/test-vision.c
 * (/vision/quality/...) checks the main points again. "Pass rate" below is
 * the share of same-person pairs with cosine >= 0.45 (the default match threshold): each of the
 * 55 johns chips (5 people x 11), degraded, against the other 10 undegraded photos of its
 * person (550 pairs), and against the 44 of other people (2,420 pairs) for false accepts.
 * Measuring it takes the aligned face, so a poor face costs the landmarks and one warp, no
 * embedding.
 */

/* CUT. A box (drawn by hand, or from a tracker) may hang over the frame's edge; more than this
 * share of its width or height outside and the face is cut. */
static const float QUALITY_MAX_OUTSIDE = 0.10f;
/* The detector clamps its boxes to the frame, so for its boxes the face's whole extent comes
 * from the landmarks: FACE_IN_TEMPLATE (the median detector box of the johns chips in
 * 112x112 template coordinates: left, top, right, bottom) mapped back, and how far it hangs
 * over each edge of the frame is compared with that side's limit. Faces pushed over the edge
 * of a frame by 0..30% of their box: on the left, right and top the estimate reads the cut
 * within about +-0.1, faces just touching the edge read up to 0.15 (sides) and 0.18 (top),
 * and cuts up to 30% still pass 98-100%, 40% 50-94%; tight portrait crops (the johns chips
 * as they are, 100% pass) read 0.11-0.14 at the top. At the bottom cuts matter more (10%:
 * 96% pass, 15%: 85%, 20%: 66%) and read smaller, because the landmark net squeezes its
 * points into the visible part (about half the cut, +-0.08): a known weakness. Limits: left,
 * top, right, bottom. */
static const float QUALITY_MAX_OUTSIDE_PREDICTED[4] = { 0.15f, 0.25f, 0.15f, 0.10f };
static const float FACE_IN_TEMPLATE[4] = { 18.0f, 6.0f, 94.0f, 120.0f };

/* TOO_SMALL, detector box width in frame pixels. Chips shrunk (area filter) so the face is
 * 20..64 px wide: clean, pass rate is 97% at 20 px (3 false accepts, max 0.48), >= 99.6% from
 * 24 px with none. Saved as JPEG quality 50 as well (a stand-in for video compression): 24 px
 * 50%, 28 px 92%, 32 px 92% with a false accept (0.50), 40 px 99.5% and none (max 0.43), 48 px
 * 100%. 40 px is the smallest width from which both stay >= 90% with no false accept. */
static const float QUALITY_MIN_WIDTH = 40.0f;

/* BLURRED. Sharpness = variance of the Laplacian of the aligned 112x112 grey face over
 * SHARPNESS_RECT (eyes, nose, mouth; edges replicated so the frame's border adds nothing).
 * Gaussian blur on the chips (faces ~100-120 px): sigma 0, 1, 2, 2.5, 3, 3.5, 4, 5 give median
 * sharpness 184, 69, 19, 11, 7.3, 5.3, 4.5, 3.5 and pass rates 100, 100, 100, 99.6, 96, 93,
 * 66, 4%. Over all 1,045 degraded faces >= 40 px (blur, shrinking, JPEG), those under 5 pass
 * 19-67% on average, 5..6 85%, 6..8 96%, above 8 99%: the cut-off sits at 6. Small faces read
 * lower (upscaling is blur too), but sharp ones of 40 px read >= 17. */
static const float QUALITY_MIN_SHARPNESS = 6.0f;
static const cv::Rect SHARPNESS_RECT (24, 36, 64, 68);

/* TURNED. Yaw from the nose's offset from the eye midpoint along the eye line, relative to the
 * eye distance: for a head turned by yaw that is NOSE_DEPTH * tan (yaw), where NOSE_DEPTH =
 * nose tip depth / eye distance = 37.8 / 66.1 mm in the 68-point mean 3-D face (OpenFace's).
 * Checked by turning the chips with that 3-D face (piecewise-affine warp): true 0, 10, 20, 30,
 * 40, 50, 60 degrees read a median 5, 9, 19, 30, 35, 40, 39 (+-10): right up to 30, then the
 * landmark net stops following. Pass rates there: 100, 100, 99.8, 90, 53, 31, 11%. Real
 * photos: the johns chips read <= 21, the labelled PASCAL faces <= 29, visibly turned faces
 * (about 30 degrees, in training.xml and bald_guys.jpg) 28-35. 35 flags <= 5% of the turned
 * chips up to 25 degrees, 25% at 30, and 38, 52, 68% at 35, 40, 50+. */
static const double NOSE_DEPTH = 0.572;
static const float QUALITY_MAX_YAW = 35.0f;
/* Roll is the eye line's angle. Alignment undoes it: chips rotated in-plane by up to 50
 * degrees still pass 100% and the roll reads within about +-10 of the angle. From 45 degrees the detector's boxes
 * start to lose the landmarks (92% with them), at 60 the landmark net fails on some faces
 * even with a good box (73%) and beyond ~70 it no longer follows at all, so sideways or upside
 * down faces read a small roll and get past this check (a known weakness; their cosines stay
 * near 0, under 0.45 against everyone measured). */
static const float QUALITY_MAX_ROLL = 40.0f;

/* How far the rectangle hangs over the image's edges, as the largest share of its width (left,
 * right) or height (top, bottom) outside. */
static float
outside_fraction (float x, float y, float w, float h, int width, int height)
{
  float left = std::max (0.0f, -x);
  float right = std::max (0.0f, x + w - width);
  float top = std::max (0.0f, -y);
  float bottom = std::max (0.0f, y + h - height);

  if (!(w > 0.0f) || !(h > 0.0f))
    return 1.0f;
  return std::max (std::max (left, right) / w, std::max (top, bottom) / h);
}

/* Whether the whole face, from where the landmarks put it in the template, hangs over any
 * edge of the image by more than that side's limit. */
static bool
predicted_cut (const cv::Matx23d &transform, int width, int height)
{
  cv::Matx33d forward (transform (0, 0), transform (0, 1), transform (0, 2),
                       transform (1, 0), transform (1, 1), transform (1, 2),
                       0, 0, 1);
  cv::Matx33d back = forward.inv ();
  float x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT;

  for (int corner = 0; corner < 4; corner++)
    {
      double tx = FACE_IN_TEMPLATE[corner % 2 == 0 ? 0 : 2];
      double ty = FACE_IN_TEMPLATE[corner < 2 ? 1 : 3];
      float x = (float) (back (0, 0) * tx + back (0, 1) * ty + back (0, 2));
      float y = (float) (back (1, 0) * tx + back (1, 1) * ty + back (1, 2));

      x0 = std::min (x0, x);
      x1 = std::max (x1, x);
      y0 = std::min (y0, y);
      y1 = std::max (y1, y);
    }

  float w = x1 - x0, h = y1 - y0;
  if (!(w > 0.0f) || !(h > 0.0f))
    return false;
  return -x0 / w > QUALITY_MAX_OUTSIDE_PREDICTED[0] ||
         -y0 / h > QUALITY_MAX_OUTSIDE_PREDICTED[1] ||
         (x1 - width) / w > QUALITY_MAX_OUTSIDE_PREDICTED[2] ||
         (y1 - height) / h > QUALITY_MAX_OUTSIDE_PREDICTED[3];
}

static float
aligned_sharpness (const cv::Mat &bgr, const cv::Matx23d &transform)
{
  cv::Mat grey, aligned, lap;
  cv::Scalar mean, stddev;

  cv::cvtColor (bgr, grey, cv::COLOR_BGR2GRAY);
  cv::warpAffine (grey, aligned, cv::Mat (transform), cv::Size (ALIGN_SIZE, ALIGN_SIZE),
                  cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Laplacian (aligned, lap, CV_32F, 1);
  cv::meanStdDev (lap (SHARPNESS_RECT), mean, stddev);
  return (float) (stddev[0] * stddev[0]);
}

static AttestQuality
assess_locked (AttestVision *self, const cv::Mat &bgr, const AttestBox *box)
{
  AttestLandmarks lm = landmarks_locked (self, bgr, box);
  AttestQuality out = {};
  cv::Matx23d transform;
  bool aligned = similarity_to_template (&lm, &transform);
  double ex = lm.points[1][0] - lm.points[0][0];
  double ey = lm.points[1][1] - lm.points[0][1];
  double eyes = std::hypot (ex, ey);
  float outside = outside_fraction (box->x, box->y, box->w, box->h, bgr.cols, bgr.rows);

  out.width = box->w;
  out.roll = (float) (std::atan2 (ey, ex) * 180.0 / G_PI);
  if (eyes > 1e-3)
    {
      double mx = (lm.points[0][0] + lm.points[1][0]) / 2.0;
      double my = (lm.points[0][1] + lm.points[1][1]) / 2.0;
      /* Along the eye line, so roll does not read as yaw. */
      double offset = ((lm.points[2][0] - mx) * ex + (lm.points[2][1] - my) * ey) / (eyes * eyes);
      out.yaw = (float) (std::atan (offset / NOSE_DEPTH) * 180.0 / G_PI);
    }
  else
    out.yaw = 90.0f;
  /* Points that cannot be aligned are no face to compare. */
  out.sharpness = aligned ? aligned_sharpness (bgr, transform) : 0.0f;

  if (outside > QUALITY_MAX_OUTSIDE || (aligned && predicted_cut (transform, bgr.cols, bgr.rows)))
    out.issue = ATTEST_QUALITY_CUT;
  else if (out.width < QUALITY_MIN_WIDTH)
    out.issue = ATTEST_QUALITY_TOO_SMALL;
  else if (!(out.sharpness >= QUALITY_MIN_SHARPNESS))
    out.issue = ATTEST_QUALITY_BLURRED;
  else if (std::fabs (out.yaw) > QUALITY_MAX_YAW || std::fabs (out.roll) > QUALITY_MAX_ROLL)
    out.issue = ATTEST_QUALITY_TURNED;
  else
    out.issue = ATTEST_QUALITY_OK;
  return out;
}

gboolean
attest_vision_assess (AttestVision *self, const AttestImageView *image, const AttestBox *box,
                      AttestQuality *out, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (view_is_valid (image), FALSE);
  g_return_val_if_fail (box != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_box (image, box, error))
    return FALSE;

  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);

      *out = assess_locked (self, view_to_bgr (image), box);
      return TRUE;
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE,
                   _("Could not judge the face’s quality: %s"), exception_reason ().c_str ());
      return FALSE;
    }
}

char *
attest_quality_describe (const AttestQuality *quality)
{
  g_return_val_if_fail (quality != NULL, NULL);

  /* Translators: these are the reasons a face is "too poor to compare", short, lower case,
   * shown beside the face; "ok" is the verdict for a face that can be compared. */
  switch (quality->issue)
    {
    case ATTEST_QUALITY_OK:
      return g_strdup (_("ok"));
    case ATTEST_QUALITY_TOO_SMALL:
      /* Rounded down: 39.6 px shown as "40 px; needs 40" would make no sense. */
      return g_strdup_printf (_("face too small (%.0f px; needs %.0f)"),
                              std::floor (quality->width), QUALITY_MIN_WIDTH);
    case ATTEST_QUALITY_BLURRED:
      return g_strdup (_("face too blurred to compare"));
    case ATTEST_QUALITY_TURNED:
      /* The angle furthest over its limit; roll is a tilt, not a turn. */
      if (std::fabs (quality->yaw) / QUALITY_MAX_YAW >= std::fabs (quality->roll) / QUALITY_MAX_ROLL)
        return g_strdup_printf (_("face turned too far (about %.0f°)"), std::fabs (quality->yaw));
      return g_strdup_printf (_("face tilted too far (about %.0f°)"), std::fabs (quality->roll));
    case ATTEST_QUALITY_CUT:
      return g_strdup (_("face partly outside the frame"));
    default:
      return g_strdup (_("face quality unknown"));
    }
}

/* ----------------------------------------------------------------------------------------
 * Images
 */

static AttestImage *
image_new_take (cv::Mat bgr)
{
  AttestImage *self = new AttestImage ();

  self->bgr = bgr;
  self->view.data = self->bgr.data;
  self->view.width = self->bgr.cols;
  self->view.height = self->bgr.rows;
  self->view.stride = (int) self->bgr.step[0];
  self->view.format = ATTEST_PIXELS_BGR;
  return self;
}

AttestImage *
attest_image_load (const char *path, GError **error)
{
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display = g_filename_display_name (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("The image “%s” does not exist."), display);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("“%s” is not an image file."), display);
      return NULL;
    }
  {
    GStatBuf st;

    if (g_stat (path, &st) == 0 && st.st_size > ATTEST_VISION_MAX_FILE_BYTES)
      {
        g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                     _("“%s” is too large to be a photo (%lld MB; at most %d MB)."), display,
                     (long long) (st.st_size / 1000000), ATTEST_VISION_MAX_FILE_BYTES / 1000000);
        return NULL;
      }
  }

  {
    g_autoptr (GError) read_error = NULL;
    g_autoptr (GBytes) bytes = NULL;
    char *contents = NULL;
    gsize length = 0;

    /* Copied, not mapped: a file cut short by someone else while it is read must not crash. */
    if (!g_file_get_contents (path, &contents, &length, &read_error))
      {
        g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                     _("The image “%s” could not be read: %s"), display, read_error->message);
        return NULL;
      }
    bytes = g_bytes_new_take (contents, length);
    return attest_image_decode (bytes, display, error);
  }
}

gboolean
attest_vision_check_size (int          width,
                          int          height,
                          const char  *name,
                          GError     **error)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("“%s” has no pixels."), name);
      return FALSE;
    }
  if ((double) width * (double) height > ATTEST_VISION_MAX_PIXELS)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("“%s” is %d×%d pixels (%.0f megapixels): larger than Attest reads "
                     "(at most %d megapixels)."),
                   name, width, height, (double) width * height / 1e6,
                   ATTEST_VISION_MAX_PIXELS / 1000000);
      return FALSE;
    }
  if (std::min (width, height) < ATTEST_VISION_MIN_SIDE ||
      std::max (width, height) > ATTEST_VISION_MAX_ASPECT * std::min (width, height))
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("“%s” is %d×%d pixels: too small or too thin to hold a face (each side "
                     "needs %d pixels, and the long side at most %d times the short one)."),
                   name, width, height, ATTEST_VISION_MIN_SIDE, ATTEST_VISION_MAX_ASPECT);
      return FALSE;
    }
  return TRUE;
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  int *size = (int *) user_data;

  size[0] = width;
  size[1] = height;
  /* Asking for 0x0 stops the loader before it makes any pixel buffer
   * (gdk_pixbuf_get_file_info does the same). */
  gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* The size an encoded image says it has, read from its header only; FALSE when gdk-pixbuf
 * does not know the format (OpenCV's own limit then applies). */
static gboolean
header_size (const guint8 *data,
             gsize         length,
             int          *width,
             int          *height)
{
  GdkPixbufLoader *loader = gdk_pixbuf_loader_new ();
  int size[2] = { -1, -1 };

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), size);
  for (gsize offset = 0; offset < length && size[0] < 0; offset += 4096)
    if (!gdk_pixbuf_loader_write (loader, data + offset, MIN ((gsize) 4096, length - offset),
                                  NULL))
      break;
  gdk_pixbuf_loader_close (loader, NULL);
  g_object_unref (loader);

  *width = size[0];
  *height = size[1];
  return size[0] >= 0;
}

AttestImage *
attest_image_decode (GBytes     *bytes,
                     const char *name,
                     GError    **error)
{
  cv::Mat bgr;
  gsize size = 0;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = (const guint8 *) g_bytes_get_data (bytes, &size);
  if (size == 0 || size > (gsize) G_MAXINT)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("“%s” is empty, damaged or not an image in a known format."), name);
      return NULL;
    }
  {
    int width, height;

    /* The header first: no pixel buffer for an image Attest would refuse. */
    if (header_size (data, size, &width, &height) &&
        !attest_vision_check_size (width, height, name, error))
      return NULL;
  }
  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);
      cv::Mat encoded (1, (int) size, CV_8UC1, (void *) data);

      bgr = cv::imdecode (encoded, cv::IMREAD_COLOR);
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("The image “%s” could not be read: %s"), name,
                   exception_reason ().c_str ());
      return NULL;
    }
  if (bgr.empty ())
    {
      /* Its bytes, not its name, say what it is: a video named .png is said to be a video. */
      g_autofree char *type = g_content_type_guess (NULL, data, MIN (size, (gsize) 4096), NULL);

      if (type != NULL && (g_content_type_is_a (type, "video/*") ||
                           g_content_type_is_mime_type (type, "application/mp4")))
        g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                     _("“%s” is a video, not a photo"), name);
      else
        g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                     _("“%s” is empty, damaged or not an image in a known format."), name);
      return NULL;
    }
  if (!attest_vision_check_size (bgr.cols, bgr.rows, name, error))
    return NULL;

  try
    {
      return image_new_take (bgr);
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("The image “%s” could not be read: %s"), name,
                   exception_reason ().c_str ());
      return NULL;
    }
}

AttestImage *
attest_image_new_from_view (const AttestImageView *view)
{
  g_return_val_if_fail (view_is_valid (view), NULL);

  try
    {
      return image_new_take (view_to_bgr (view).clone ());
    }
  catch (...)
    {
      g_debug ("Could not copy an image: %s", exception_reason ().c_str ());
      return NULL;
    }
}

void
attest_image_free (AttestImage *self)
{
  delete self;
}

const AttestImageView *
attest_image_get_view (AttestImage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->view;
}

GBytes *
attest_image_crop_png (const AttestImageView *image, const AttestBox *box, int size,
                       GError **error)
{
  g_return_val_if_fail (view_is_valid (image), NULL);
  g_return_val_if_fail (box != NULL, NULL);
  g_return_val_if_fail (size > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_box (image, box, error))
    return NULL;

  try
    {
      std::lock_guard<std::mutex> guard (opencv_lock);
      cv::Mat bgr = view_to_bgr (image);
      /* Square, 1.5x the box's larger side, shrunk and shifted to stay inside the image so
       * the thumbnail has no black bars. */
      int side = (int) std::lround (std::max (box->w, box->h) * 1.5f);
      side = std::clamp (side, 1, std::min (bgr.cols, bgr.rows));
      int x = (int) std::lround (box->x + box->w / 2.0f - side / 2.0f);
      int y = (int) std::lround (box->y + box->h / 2.0f - side / 2.0f);
      x = std::clamp (x, 0, bgr.cols - side);
      y = std::clamp (y, 0, bgr.rows - side);

      cv::Mat thumb;
      cv::resize (bgr (cv::Rect (x, y, side, side)), thumb, cv::Size (size, size), 0, 0,
                  side > size ? cv::INTER_AREA : cv::INTER_LINEAR);

      std::vector<uchar> png;
      if (!cv::imencode (".png", thumb, png) || png.empty ())
        {
          g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                       _("The face thumbnail could not be encoded as PNG."));
          return NULL;
        }
      return g_bytes_new (png.data (), png.size ());
    }
  catch (...)
    {
      g_set_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_IMAGE,
                   _("The face thumbnail could not be made: %s"), exception_reason ().c_str ());
      return NULL;
    }
}

float
attest_box_iou (const AttestBox *a, const AttestBox *b)
{
  g_return_val_if_fail (a != NULL, 0.0f);
  g_return_val_if_fail (b != NULL, 0.0f);

  float ix = std::max (0.0f, std::min (a->x + a->w, b->x + b->w) - std::max (a->x, b->x));
  float iy = std::max (0.0f, std::min (a->y + a->h, b->y + b->h) - std::max (a->y, b->y));
  float inter = ix * iy;
  float uni = std::max (0.0f, a->w) * std::max (0.0f, a->h) +
              std::max (0.0f, b->w) * std::max (0.0f, b->h) - inter;

  return uni > 0.0f ? inter / uni : 0.0f;
}

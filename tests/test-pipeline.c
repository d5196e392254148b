/* test-pipeline.c: the media module on real encoded video.
 *
 * A small H.264/MP4 is made here with GStreamer (videotestsrc + timeoverlay); the bundled
 * sample (build-aux/make-sample-video.c, real photographs moving over real video frames) comes
 * with a ground-truth JSON of where every face is in every frame. The pipeline is driven the
 * way the app drives it: a main loop, the paintable, the detections property. No display is
 * needed: GdkMemoryTexture and GtkSnapshot work without one. */
#include <gio/gio.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "analysis/attest-detections.h"
#include "media/attest-frame-reader.h"
#include "media/attest-pipeline.h"
#include "media/attest-video-paintable.h"
#include "vision/attest-vision.h"
#include "test-slideshow.h"

/* Guard against hangs only: nothing passes or fails on how fast it is. */
#define WAIT_LIMIT_S 60

#define MADE_FRAMES 50
#define MADE_WIDTH 320
#define MADE_HEIGHT 240
#define MADE_FPS 25
#define FRAME_NS(fps_n, fps_d) gst_util_uint64_scale_int (GST_SECOND, (fps_d), (fps_n))

static char *tmp_dir;
static char *made_video;
static AttestVision *vision;

/* ---- Ground truth ---- */

typedef struct
{
  int          frame;
  GstClockTime pts;
  GArray      *faces;  /* AttestBox, score = visible fraction */
  GPtrArray   *ids;    /* char *, one per face: who it is, which appearance */
} TruthFrame;

typedef struct
{
  int        width;
  int        height;
  int        fps_n;
  int        fps_d;
  int        n_frames;
  GstClockTime duration;
  GPtrArray *frames;   /* TruthFrame, index = frame number */
} Truth;

static void
truth_frame_free (TruthFrame *frame)
{
  g_array_unref (frame->faces);
  g_ptr_array_unref (frame->ids);
  g_free (frame);
}

static Truth *truth;

static Truth *
truth_load (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *frames;
  Truth *self;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  self = g_new0 (Truth, 1);
  self->width = json_object_get_int_member (root, "width");
  self->height = json_object_get_int_member (root, "height");
  self->fps_n = json_object_get_int_member (root, "fps_n");
  self->fps_d = json_object_get_int_member (root, "fps_d");
  self->n_frames = json_object_get_int_member (root, "n_frames");
  self->duration = json_object_get_int_member (root, "duration_ms") * GST_MSECOND;
  self->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) truth_frame_free);

  frames = json_object_get_array_member (root, "frames");
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *f = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (f, "faces");
      TruthFrame *frame = g_new0 (TruthFrame, 1);

      frame->frame = json_object_get_int_member (f, "frame");
      frame->pts = json_object_get_int_member (f, "pts_ms") * GST_MSECOND;
      frame->faces = g_array_new (FALSE, TRUE, sizeof (AttestBox));
      frame->ids = g_ptr_array_new_with_free_func (g_free);
      for (guint j = 0; j < json_array_get_length (faces); j++)
        {
          JsonObject *face = json_array_get_object_element (faces, j);
          AttestBox box = {
            .x = json_object_get_double_member (face, "x"),
            .y = json_object_get_double_member (face, "y"),
            .w = json_object_get_double_member (face, "w"),
            .h = json_object_get_double_member (face, "h"),
            .score = json_object_get_double_member (face, "visible"),
          };
          g_array_append_val (frame->faces, box);
          g_ptr_array_add (frame->ids, g_strdup (json_object_get_string_member (face, "id")));
        }
      g_assert_cmpint (frame->frame, ==, (int) i);
      g_ptr_array_add (self->frames, frame);
    }

  g_assert_cmpint (self->frames->len, ==, self->n_frames);

  return self;
}

static void
truth_free (Truth *self)
{
  g_ptr_array_unref (self->frames);
  g_free (self);
}

static TruthFrame *
truth_frame (int n)
{
  g_assert_cmpint (n, >=, 0);
  g_assert_cmpint (n, <, (int) truth->frames->len);

  return g_ptr_array_index (truth->frames, n);
}

/* The detector finds faces down to ~40 px wide in a 1280x720 frame; smaller or half-visible
 * faces are not promised. */
static gboolean
face_is_findable (const AttestBox *face)
{
  return face->w >= 48 && face->h >= 48 && face->score >= 0.99;
}

/* The match rule of the task: IoU >= 0.3, or the truth face's centre inside the detection. */
static gboolean
box_matches (const AttestBox *detected,
             const AttestBox *truth_box)
{
  float cx = truth_box->x + truth_box->w / 2;
  float cy = truth_box->y + truth_box->h / 2;

  if (attest_box_iou (detected, truth_box) >= 0.3f)
    return TRUE;

  return cx >= detected->x && cx <= detected->x + detected->w &&
         cy >= detected->y && cy <= detected->y + detected->h;
}

/* The same face (same id) in another frame, or NULL. */
static const AttestBox *
truth_find_face (TruthFrame *frame,
                 const char *id)
{
  for (guint i = 0; i < frame->ids->len; i++)
    if (g_str_equal (g_ptr_array_index (frame->ids, i), id))
      return &g_array_index (frame->faces, AttestBox, i);

  return NULL;
}

/* A frame whose faces are all findable and all move so far in 5 frames that a box found 5
 * frames away would not match: so a detection stamped with the wrong frame fails the test.
 * Among those, the one with the most faces. */
static int
pick_moving_frame (void)
{
  int best = -1;
  guint best_faces = 0;

  for (int n = 2 * truth->fps_n; n + 5 < truth->n_frames; n++)
    {
      TruthFrame *now = truth_frame (n);
      TruthFrame *later = truth_frame (n + 5);
      gboolean all_move = now->faces->len > 0;

      for (guint i = 0; i < now->faces->len && all_move; i++)
        {
          const AttestBox *a = &g_array_index (now->faces, AttestBox, i);
          const AttestBox *b = truth_find_face (later, g_ptr_array_index (now->ids, i));

          if (!face_is_findable (a) || b == NULL || box_matches (b, a) || box_matches (a, b))
            all_move = FALSE;
        }

      if (all_move && now->faces->len > best_faces)
        {
          best = n;
          best_faces = now->faces->len;
        }
    }

  return best;
}

/* ---- Main loop helpers ---- */

typedef gboolean (*Predicate) (gpointer data);

static gboolean
wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_until (Predicate   predicate,
               gpointer    data,
               const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;
  guint wake_up = g_timeout_add (20, wake_up_cb, NULL);

  while (!predicate (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("Gave up waiting for %s", what);
          g_assert_not_reached ();
        }
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake_up);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static gboolean
pointer_unset (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;
  GError *local_error = NULL;

  if (!attest_pipeline_open_file_finish (ATTEST_PIPELINE (source), result, &local_error))
    *error = local_error;
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

/* Opens and waits for the result; TRUE on success, else the error. */
static gboolean
open_file (AttestPipeline  *pipeline,
           const char      *path,
           GError         **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GError *result = NULL;

  attest_pipeline_open_file_async (pipeline, file, NULL, open_done_cb, &result);
  iterate_until (pointer_set, &result, "the file to open");

  if (g_error_matches (result, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_error_free (result);
      return TRUE;
    }

  g_propagate_error (error, result);
  return FALSE;
}

typedef struct
{
  AttestPipeline *pipeline;
  GstClockTime    pts;
} WaitFrame;

/* The frame at `pts` is on screen and its detections have arrived. */
static gboolean
frame_analysed (gpointer data)
{
  WaitFrame *wait = data;
  AttestDetections *detections = attest_pipeline_get_detections (wait->pipeline);
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (wait->pipeline);

  return attest_video_paintable_get_pts (paintable) == wait->pts &&
         detections != NULL && detections->pts == wait->pts;
}

/* The frame at `pts` is on screen (no analysis: for pipelines without a detector). */
static gboolean
frame_shown (gpointer data)
{
  WaitFrame *wait = data;
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (wait->pipeline);

  return attest_video_paintable_get_pts (paintable) == wait->pts;
}

static void
wait_frame_analysed (AttestPipeline *pipeline,
                     GstClockTime    pts)
{
  WaitFrame wait = { pipeline, pts };

  iterate_until (frame_analysed, &wait, "the frame to be shown and analysed");
}

/* A file check still running on a worker thread holds the pipeline until it ends: wait for
 * the last reference to go, which also proves nothing else leaks one. */
static void
finalize_pipeline (AttestPipeline *pipeline)
{
  gpointer weak = pipeline;

  g_object_add_weak_pointer (G_OBJECT (pipeline), &weak);
  g_object_unref (pipeline);
  iterate_until (pointer_unset, &weak, "the pipeline to be finalized");
}

/* ---- Fixtures ---- */

static void
run_to_eos (const char *description)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, WAIT_LIMIT_S * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* H.264 in MP4, 50 frames with the running time drawn on them. mp4mux writes the index
 * (moov) at the end, unlike the sample (faststart): cut short, this one has none. */
static void
make_test_video (const char *path,
                 const char *par)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf ("videotestsrc num-buffers=%d "
                                 "! video/x-raw,width=%d,height=%d,framerate=%d/1,"
                                 "pixel-aspect-ratio=%s "
                                 "! timeoverlay ! x264enc speed-preset=ultrafast "
                                 "! mp4mux ! filesink location=\"%s\"",
                                 MADE_FRAMES, MADE_WIDTH, MADE_HEIGHT, MADE_FPS, par, path);
  run_to_eos (description);
}

static void
make_sound_file (const char *path)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf ("audiotestsrc num-buffers=50 ! audioconvert ! vorbisenc "
                                 "! oggmux ! filesink location=\"%s\"", path);
  run_to_eos (description);
}

static const char *
sample_video (void)
{
  const char *path = g_getenv ("ATTEST_SAMPLE_VIDEO");

  g_assert_nonnull (path);
  return path;
}

static char *
dlib_jpeg (void)
{
  const char *examples = g_getenv ("ATTEST_DLIB_EXAMPLES");

  g_assert_nonnull (examples);
  return g_build_filename (examples, "faces", "2008_002506.jpg", NULL);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* ---- Detections ---- */

static void
test_detections_boxed (void)
{
  AttestBox boxes[2] = { { 10, 20, 30, 40, 0.9f }, { 1, 2, 3, 4, 0.7f } };
  g_autoptr(AttestDetections) detections = attest_detections_new (40 * GST_MSECOND, 1,
                                                                  640, 480, boxes, 2);
  AttestDetections *copy;

  /* The boxes are copied: the worker's stack array may be reused at once. */
  boxes[0].x = -1;
  g_assert_cmpfloat (detections->faces[0].x, ==, 10);
  g_assert_cmpuint (detections->n_faces, ==, 2);
  g_assert_cmpuint (detections->pts, ==, 40 * GST_MSECOND);

  copy = g_boxed_copy (ATTEST_TYPE_DETECTIONS, detections);
  g_assert_true (copy == detections);
  g_boxed_free (ATTEST_TYPE_DETECTIONS, copy);
  g_assert_cmpfloat (detections->faces[1].score, ==, 0.7f);
}

/* ---- Frame reader ---- */

static void
test_frame_reader_made_video (void)
{
  g_autoptr(AttestFrameReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  AttestImageView view;
  GstClockTime pts, last_pts = GST_CLOCK_TIME_NONE;
  guint64 number;
  guint count = 0;

  reader = attest_frame_reader_new (made_video, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (attest_frame_reader_get_uri (reader), "file:///"));
  g_assert_cmpfloat_with_epsilon (attest_frame_reader_get_framerate (reader), MADE_FPS, 1e-6);
  g_assert_cmpuint (attest_frame_reader_get_duration (reader), ==,
                    MADE_FRAMES * FRAME_NS (MADE_FPS, 1));

  while (attest_frame_reader_next (reader, &view, &pts, &number, &error))
    {
      const guint8 *white, *yellow;

      g_assert_cmpuint (number, ==, count);
      g_assert_cmpint (view.width, ==, MADE_WIDTH);
      g_assert_cmpint (view.height, ==, MADE_HEIGHT);
      g_assert_cmpint (view.format, ==, ATTEST_PIXELS_BGR);
      g_assert_cmpint (view.stride, >=, 3 * MADE_WIDTH);
      g_assert_true (GST_CLOCK_TIME_IS_VALID (pts));
      if (GST_CLOCK_TIME_IS_VALID (last_pts))
        g_assert_cmpuint (pts, >, last_pts);

      /* videotestsrc's bars start white then yellow: yellow has no blue, and in BGR the
       * blue byte comes first. (The time overlay sits at the top left, so look lower.) */
      white = view.data + (MADE_HEIGHT / 2) * view.stride + 3 * (MADE_WIDTH / 14);
      yellow = view.data + (MADE_HEIGHT / 2) * view.stride + 3 * (3 * MADE_WIDTH / 14);
      g_assert_cmpint (white[0], >, 150);
      g_assert_cmpint (white[1], >, 150);
      g_assert_cmpint (white[2], >, 150);
      g_assert_cmpint (yellow[0], <, 60);
      g_assert_cmpint (yellow[1], >, 150);
      g_assert_cmpint (yellow[2], >, 150);

      last_pts = pts;
      count++;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, MADE_FRAMES);
  g_assert_cmpuint (last_pts, ==, (MADE_FRAMES - 1) * FRAME_NS (MADE_FPS, 1));
  /* The end stays the end. */
  g_assert_false (attest_frame_reader_next (reader, &view, &pts, &number, &error));
  g_assert_no_error (error);
}

static void
test_frame_reader_image (void)
{
  g_autofree char *jpeg = dlib_jpeg ();
  g_autofree char *uri = g_filename_to_uri (jpeg, NULL, NULL);
  g_autoptr(AttestFrameReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;
  int width = 0, height = 0;

  g_assert_nonnull (gdk_pixbuf_get_file_info (jpeg, &width, &height));

  /* A URI works as well as a path. */
  reader = attest_frame_reader_new (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attest_frame_reader_get_uri (reader), ==, uri);

  g_assert_true (attest_frame_reader_next (reader, &view, &pts, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pts, ==, 0);
  g_assert_cmpuint (number, ==, 0);
  g_assert_cmpint (view.width, ==, width);
  g_assert_cmpint (view.height, ==, height);

  g_assert_false (attest_frame_reader_next (reader, &view, &pts, &number, &error));
  g_assert_no_error (error);
}

/* Bad files fail in _new with the same codes and names as the pipeline. */
/* Ctrl+C in `attest-cli scan` cancels the reader: whenever the cancel comes (before the
 * opening, inside the discoverer, the end check or the preroll, or between frames), the reader
 * stops with G_IO_ERROR_CANCELLED, never with a message that blames the file. */
static gpointer
cancel_later (gpointer user_data)
{
  GCancellable *cancellable = user_data;
  gulong delay = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (cancellable), "delay-us"));

  g_usleep (delay);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_frame_reader_cancelled (void)
{
  const gulong delays_us[] = { 0, 2000, 10000, 30000, 60000, 100000, 200000, 400000 };
  guint n_during_open = 0;

  for (guint i = 0; i < G_N_ELEMENTS (delays_us); i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(AttestFrameReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GThread) thread = NULL;
      AttestImageView view;
      GstClockTime pts;
      guint64 number;
      gint64 frames = 0;

      if (delays_us[i] == 0)
        g_cancellable_cancel (cancellable);
      else
        {
          g_object_set_data (G_OBJECT (cancellable), "delay-us", GSIZE_TO_POINTER (delays_us[i]));
          thread = g_thread_new ("cancel", cancel_later, cancellable);
        }

      reader = attest_frame_reader_new (sample_video (), cancellable, &error);
      if (reader == NULL)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          n_during_open++;
        }
      else
        {
          /* Opened before the cancel came: reading stops at it, long before the end. */
          while (attest_frame_reader_next (reader, &view, &pts, &number, &error))
            frames++;
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_cmpint (frames, <, truth->n_frames);
          g_clear_error (&error);
          g_assert_false (attest_frame_reader_next (reader, &view, &pts, &number, &error));
        }
      if (thread != NULL)
        g_thread_join (g_steal_pointer (&thread));
      g_test_message ("cancel after %lu us: %s", delays_us[i],
                      reader == NULL ? "while opening" : "while reading");
    }
  g_assert_cmpuint (n_during_open, >=, 1);
}

static void
test_frame_reader_bad_input (void)
{
  struct
  {
    const char *name;
    int         code;
  } cases[] = {
    { "missing.mp4", ATTEST_MEDIA_ERROR_NOT_FOUND },
    { "empty.mp4", ATTEST_MEDIA_ERROR_NOT_VIDEO },
    { "notes.mp4", ATTEST_MEDIA_ERROR_NOT_VIDEO },
    { "truncated.mp4", ATTEST_MEDIA_ERROR_UNPLAYABLE },
    { "no-index.mp4", ATTEST_MEDIA_ERROR_UNPLAYABLE },
    { "sound.ogg", ATTEST_MEDIA_ERROR_NOT_VIDEO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_path (cases[i].name);
      g_autoptr(GError) error = NULL;
      AttestFrameReader *reader = attest_frame_reader_new (path, NULL, &error);

      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(opened)");
      g_assert_null (reader);
      g_assert_error (error, ATTEST_MEDIA_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].name));
    }
}

/* ---- Pipeline ---- */

typedef struct
{
  GArray *pts;   /* GstClockTime of every detections notify */
} Collected;

static void
on_detections (AttestPipeline *pipeline,
               GParamSpec     *pspec,
               Collected      *collected)
{
  AttestDetections *detections = attest_pipeline_get_detections (pipeline);

  if (detections != NULL)
    g_array_append_val (collected->pts, detections->pts);
}

static guint
count_distinct (GArray *pts)
{
  guint distinct = 0;

  for (guint i = 0; i < pts->len; i++)
    if (i == 0 || g_array_index (pts, GstClockTime, i) != g_array_index (pts, GstClockTime, i - 1))
      distinct++;

  return distinct;
}

typedef struct
{
  AttestPipeline *pipeline;
  GstClockTime    position;
  Collected      *collected;
} WaitPlayback;

/* A second of stream time has played and the worker has sent results for a few frames
 * (it needs ~0.2 s a frame on 2 cores; slower under sanitizers, hence "and"). */
static gboolean
playback_progressed (gpointer data)
{
  WaitPlayback *wait = data;

  return attest_pipeline_get_position (wait->pipeline) >= wait->position &&
         count_distinct (wait->collected->pts) >= 3;
}

typedef struct
{
  AttestPipeline *pipeline;
  GstClockTime    after;
} WaitSettled;

/* Paused, and the frame on screen, the position and the boxes all agree. */
static gboolean
paused_frame_analysed (gpointer data)
{
  WaitSettled *wait = data;
  AttestDetections *detections = attest_pipeline_get_detections (wait->pipeline);
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (wait->pipeline);
  GstClockTime shown = attest_video_paintable_get_pts (paintable);

  return !attest_pipeline_get_playing (wait->pipeline) &&
         GST_CLOCK_TIME_IS_VALID (shown) && shown > wait->after &&
         attest_pipeline_get_position (wait->pipeline) == shown &&
         detections != NULL && detections->pts == shown;
}

/* The RGBA frame on screen against the frame reader's BGR frame: same pixels. */
static void
assert_shown_frame_equals (AttestPipeline *pipeline,
                           int             frame_number)
{
  GdkPaintable *paintable;
  g_autoptr(GdkPaintable) image = NULL;
  g_autoptr(AttestFrameReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = NULL;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;
  int width, height;
  gsize stride;
  guint64 differing = 0;

  paintable = GDK_PAINTABLE (attest_pipeline_get_paintable (pipeline));
  image = gdk_paintable_get_current_image (paintable);
  g_assert_true (GDK_IS_TEXTURE (image));
  width = gdk_texture_get_width (GDK_TEXTURE (image));
  height = gdk_texture_get_height (GDK_TEXTURE (image));
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  /* Cairo's ARGB32: B, G, R, A in memory on little-endian. */
  gdk_texture_download (GDK_TEXTURE (image), pixels, stride);

  reader = attest_frame_reader_new (sample_video (), NULL, &error);
  g_assert_no_error (error);
  do
    {
      g_assert_true (attest_frame_reader_next (reader, &view, &pts, &number, &error));
      g_assert_no_error (error);
    }
  while ((int) number < frame_number);

  g_assert_cmpint (view.width, ==, width);
  g_assert_cmpint (view.height, ==, height);
  g_assert_cmpuint (pts, ==, truth_frame (frame_number)->pts);

  for (int y = 0; y < height; y += 7)
    for (int x = 0; x < width; x += 7)
      {
        const guint8 *shown = pixels + y * stride + x * 4;
        const guint8 *decoded = view.data + y * view.stride + x * 3;

        for (int c = 0; c < 3; c++)
          if (ABS ((int) shown[c] - (int) decoded[c]) > 4)
            differing++;
      }

  /* Both come from the same decoder; only conversion rounding may differ. */
  g_assert_cmpuint (differing, ==, 0);
}

static GskRenderNode *
snapshot_node (AttestVideoPaintable *paintable)
{
  GtkSnapshot *snapshot;

  /* gtk_init registers the render node types; without a display, ask for them directly. */
  g_type_ensure (GSK_TYPE_TEXTURE_NODE);
  snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (GDK_PAINTABLE (paintable), GDK_SNAPSHOT (snapshot), 640, 360);
  return gtk_snapshot_free_to_node (snapshot);
}

/* Drawn as one texture scaled to the area, and the same texture (no copy, no rebuild) for
 * as long as the frame does not change. */
static void
assert_snapshot_is_cached_texture (AttestVideoPaintable *paintable)
{
  g_autoptr(GskRenderNode) first = snapshot_node (paintable);
  g_autoptr(GskRenderNode) second = snapshot_node (paintable);
  graphene_rect_t bounds;

  g_assert_cmpint (gsk_render_node_get_node_type (first), ==, GSK_TEXTURE_NODE);
  g_assert_cmpint (gsk_render_node_get_node_type (second), ==, GSK_TEXTURE_NODE);
  gsk_render_node_get_bounds (first, &bounds);
  g_assert_cmpfloat (bounds.size.width, ==, 640);
  g_assert_cmpfloat (bounds.size.height, ==, 360);
  g_assert_true (gsk_texture_node_get_texture (first) == gsk_texture_node_get_texture (second));
  g_assert_cmpint (gdk_texture_get_width (gsk_texture_node_get_texture (first)), ==, 1280);
}

static void
test_pipeline_sample (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (vision);
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (pipeline);
  g_autoptr(GError) error = NULL;
  Collected collected = { g_array_new (FALSE, FALSE, sizeof (GstClockTime)) };
  GstClockTime frame_ns = FRAME_NS (truth->fps_n, truth->fps_d);
  AttestDetections *detections;
  TruthFrame *target, *later;
  WaitPlayback wait_playback;
  WaitSettled wait_settled;
  GstClockTime start, last_shown;
  int width, height;
  int moving;

  g_assert_cmpint (truth->width, ==, 1280);
  g_assert_cmpint (truth->height, ==, 720);

  /* Opened = prerolled on the first frame, on screen. */
  g_assert_true (open_file (pipeline, sample_video (), &error));
  g_assert_no_error (error);
  attest_video_paintable_get_frame_size (paintable, &width, &height);
  g_assert_cmpint (width, ==, 1280);
  g_assert_cmpint (height, ==, 720);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 1280);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 720);
  g_assert_cmpuint (attest_video_paintable_get_pts (paintable), ==, 0);
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, 0);
  g_assert_true (attest_pipeline_get_seekable (pipeline));
  g_assert_false (attest_pipeline_get_playing (pipeline));
  g_assert_cmpuint (attest_pipeline_get_duration (pipeline), >=, truth->duration - frame_ns);
  g_assert_cmpuint (attest_pipeline_get_duration (pipeline), <=, truth->duration + frame_ns);
  g_assert_true (g_str_has_suffix (attest_pipeline_get_uri (pipeline), "/attest-sample.mp4"));
  assert_shown_frame_equals (pipeline, 0);
  assert_snapshot_is_cached_texture (paintable);

  /* Seek, paused, to a frame where faces move fast: the boxes must be for that frame. */
  moving = pick_moving_frame ();
  g_assert_cmpint (moving, >, 0);
  target = truth_frame (moving);
  later = truth_frame (moving + 5);
  g_test_message ("Seeking to frame %d (%u faces)", moving, target->faces->len);
  for (guint i = 0; i < target->faces->len; i++)
    {
      const AttestBox *moved = truth_find_face (later, g_ptr_array_index (target->ids, i));

      /* So that detections of another frame could not pass below. */
      g_assert_nonnull (moved);
      g_assert_false (box_matches (moved, &g_array_index (target->faces, AttestBox, i)));
    }

  attest_pipeline_seek (pipeline, target->pts);
  wait_frame_analysed (pipeline, target->pts);
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, target->pts);
  assert_shown_frame_equals (pipeline, moving);

  detections = attest_pipeline_get_detections (pipeline);
  g_assert_cmpuint (detections->frame, ==, (guint64) moving);
  g_assert_cmpint (detections->width, ==, 1280);
  g_assert_cmpint (detections->height, ==, 720);
  for (guint i = 0; i < target->faces->len; i++)
    {
      const AttestBox *face = &g_array_index (target->faces, AttestBox, i);
      gboolean found = FALSE;

      for (guint j = 0; j < detections->n_faces && !found; j++)
        found = box_matches (&detections->faces[j], face);
      if (!found)
        g_test_message ("Face %u at %.0f,%.0f %.0fx%.0f not found among %u detections",
                        i, face->x, face->y, face->w, face->h, detections->n_faces);
      g_assert_true (found);
    }

  /* One frame forward and back, paused: position is the shown frame, boxes follow. */
  attest_pipeline_step (pipeline, 1);
  wait_frame_analysed (pipeline, target->pts + frame_ns);
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, target->pts + frame_ns);
  g_assert_cmpuint (attest_pipeline_get_detections (pipeline)->frame, ==, (guint64) moving + 1);
  g_assert_false (attest_pipeline_get_playing (pipeline));

  attest_pipeline_step (pipeline, -1);
  wait_frame_analysed (pipeline, target->pts);
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, target->pts);
  assert_shown_frame_equals (pipeline, moving);

  /* Play about a second: position advances, the worker keeps up by skipping frames, and
   * every result is stamped with a real frame's PTS. */
  g_signal_connect (pipeline, "notify::detections", G_CALLBACK (on_detections), &collected);
  start = attest_pipeline_get_position (pipeline);
  attest_pipeline_play (pipeline);
  g_assert_true (attest_pipeline_get_playing (pipeline));
  wait_playback = (WaitPlayback) { pipeline, start + GST_SECOND, &collected };
  iterate_until (playback_progressed, &wait_playback, "a second of playback");
  g_signal_handlers_disconnect_by_data (pipeline, &collected);
  g_assert_cmpuint (attest_video_paintable_get_pts (paintable), >, start);

  /* A step while playing pauses first, then shows and analyses a later frame. */
  last_shown = attest_video_paintable_get_pts (paintable);
  attest_pipeline_step (pipeline, 1);
  g_assert_false (attest_pipeline_get_playing (pipeline));
  wait_settled = (WaitSettled) { pipeline, last_shown };
  iterate_until (paused_frame_analysed, &wait_settled, "a step from playback");

  g_test_message ("%u detections in a second of playback, interval %" GST_TIME_FORMAT,
                  collected.pts->len,
                  GST_TIME_ARGS (attest_pipeline_get_analysis_interval (pipeline)));
  for (guint i = 0; i < collected.pts->len; i++)
    {
      GstClockTime pts = g_array_index (collected.pts, GstClockTime, i);

      /* A real frame of this stretch of the video, never a time in between. */
      g_assert_cmpuint (pts % frame_ns, ==, 0);
      g_assert_cmpuint (pts, >=, start);
      g_assert_cmpuint (pts, <=, attest_pipeline_get_position (pipeline));
      if (i > 0)
        g_assert_cmpuint (pts, >=, g_array_index (collected.pts, GstClockTime, i - 1));
    }
  g_assert_cmpuint (attest_pipeline_get_analysis_interval (pipeline), >=, frame_ns);
  g_assert_cmpuint (attest_pipeline_get_analysis_interval (pipeline), <, GST_SECOND);

  g_array_unref (collected.pts);
  attest_pipeline_close (pipeline);
  attest_video_paintable_get_frame_size (paintable, &width, &height);
  g_assert_cmpint (width, ==, 0);
  g_assert_null (attest_pipeline_get_uri (pipeline));
  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

/* ---- Boxes during playback ---- */

/* A face the detector is promised to find: whole, at least 40 px (the task's figure). */
static gboolean
face_is_whole_40 (const AttestBox *face)
{
  return face->w >= 40 && face->h >= 40 && face->score >= 0.99;
}

/* A frame that must have boxes: faces, all of them findable. */
static gboolean
frame_has_findable_faces (TruthFrame *frame)
{
  if (frame->faces->len == 0)
    return FALSE;

  for (guint i = 0; i < frame->faces->len; i++)
    if (!face_is_whole_40 (&g_array_index (frame->faces, AttestBox, i)))
      return FALSE;

  return TRUE;
}

/* The frame number of a stream time on the sample's timeline. */
static int
truth_frame_number (GstClockTime pts)
{
  return (int) gst_util_uint64_scale_round (pts, truth->fps_n, (guint64) truth->fps_d * GST_SECOND);
}

/* The start of the 2.5 s stretch (after the first second) with the most frames that must
 * have boxes. */
static int
pick_playback_start (void)
{
  int span = 5 * truth->fps_n / (2 * truth->fps_d);
  int best = -1, best_count = -1;

  for (int start = truth->fps_n / truth->fps_d; start + span < truth->n_frames; start += 5)
    {
      int count = 0;

      for (int n = start; n < start + span; n++)
        count += frame_has_findable_faces (truth_frame (n));
      if (count > best_count)
        {
          best = start;
          best_count = count;
        }
    }

  return best;
}

typedef struct
{
  GstClockTime      shown;
  GstClockTime      interval;    /* the pipeline's analysis interval when it was shown */
  AttestDetections *detections;  /* looked up for the shown frame, or NULL */
} ShownFrame;

static void
shown_frame_clear (ShownFrame *frame)
{
  g_clear_pointer (&frame->detections, attest_detections_unref);
}

typedef struct
{
  AttestPipeline *pipeline;
  GArray         *frames;  /* ShownFrame */
} ShownLog;

/* What the window does on every frame it shows. */
static void
on_frame_shown (AttestVideoPaintable *paintable,
                ShownLog             *log)
{
  ShownFrame frame = { attest_video_paintable_get_pts (paintable),
                       attest_pipeline_get_analysis_interval (log->pipeline), NULL };

  if (!GST_CLOCK_TIME_IS_VALID (frame.shown))
    return;

  frame.detections = attest_pipeline_lookup_detections (log->pipeline, frame.shown);
  g_array_append_val (log->frames, frame);
}

typedef struct
{
  AttestPipeline *pipeline;
  GstClockTime    until;
} WaitShown;

static gboolean
shown_reached (gpointer data)
{
  WaitShown *wait = data;
  GstClockTime shown = attest_video_paintable_get_pts (attest_pipeline_get_paintable (wait->pipeline));

  return GST_CLOCK_TIME_IS_VALID (shown) && shown >= wait->until;
}

/* Every findable face of truth frame `number` has a box overlapping it by IoU >= 0.5 (the
 * detector's boxes overlap the truth by 0.65-0.8), and every box is on a face of that
 * frame. Faces move ~13 px a frame here, so boxes of a frame 4 away fail this. */
static gboolean
detections_match_frame (const AttestDetections *detections,
                        int                     number,
                        guint                  *missed,
                        guint                  *stray)
{
  TruthFrame *frame = truth_frame (number);

  *missed = 0;
  *stray = 0;
  for (guint i = 0; i < frame->faces->len; i++)
    {
      const AttestBox *face = &g_array_index (frame->faces, AttestBox, i);
      float best = 0;

      if (!face_is_whole_40 (face))
        continue;
      for (guint j = 0; j < detections->n_faces; j++)
        best = MAX (best, attest_box_iou (&detections->faces[j], face));
      *missed += best < 0.5f;
    }

  for (guint j = 0; j < detections->n_faces; j++)
    {
      gboolean on_face = FALSE;

      for (guint i = 0; i < frame->faces->len && !on_face; i++)
        on_face = box_matches (&detections->faces[j], &g_array_index (frame->faces, AttestBox, i));
      *stray += !on_face;
    }

  return *missed == 0 && *stray == 0;
}

/* The product rule while playing (issue 2): boxes are computed for the frame they are drawn
 * on, or an earlier one no more than one analysis interval before it; and since frames are
 * analysed before they are shown, most frames with faces have such boxes. */
static void
test_pipeline_playback_sync (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (vision);
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (pipeline);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) checked = g_ptr_array_new ();
  GstClockTime frame_ns = FRAME_NS (truth->fps_n, truth->fps_d);
  ShownLog log = { pipeline, g_array_new (FALSE, TRUE, sizeof (ShownFrame)) };
  WaitShown wait_shown;
  GstClockTime start_pts;
  AttestDetections *before;
  guint with_faces = 0, with_boxes = 0, stale = 0, matched = 0, match_later = 0;
  int start;

  g_array_set_clear_func (log.frames, (GDestroyNotify) shown_frame_clear);

  start = pick_playback_start ();
  g_assert_cmpint (start, >, 0);
  start_pts = truth_frame (start)->pts;

  g_assert_true (open_file (pipeline, sample_video (), &error));
  g_assert_no_error (error);

  /* A seek forgets the results of before it: nothing to look up until the new frame is
   * analysed, and then nothing before it. */
  wait_frame_analysed (pipeline, 0);
  before = attest_pipeline_lookup_detections (pipeline, start_pts);
  g_assert_nonnull (before);
  g_assert_cmpuint (before->pts, ==, 0);
  attest_detections_unref (before);
  attest_pipeline_seek (pipeline, start_pts);
  g_assert_null (attest_pipeline_lookup_detections (pipeline, start_pts));
  wait_frame_analysed (pipeline, start_pts);
  g_assert_null (attest_pipeline_lookup_detections (pipeline, start_pts - frame_ns));

  /* About two seconds of playback, every shown frame looked up as the window does. */
  g_signal_connect (paintable, "invalidate-contents", G_CALLBACK (on_frame_shown), &log);
  attest_pipeline_play (pipeline);
  wait_shown = (WaitShown) { pipeline, start_pts + 2 * GST_SECOND };
  iterate_until (shown_reached, &wait_shown, "two seconds of playback");
  attest_pipeline_pause (pipeline);
  g_signal_handlers_disconnect_by_data (paintable, &log);

  for (guint i = 0; i < log.frames->len; i++)
    {
      ShownFrame *frame = &g_array_index (log.frames, ShownFrame, i);
      AttestDetections *detections = frame->detections;
      int number = truth_frame_number (frame->shown);

      /* The paintable only shows real frames of the stretch played. */
      g_assert_cmpuint (frame->shown % frame_ns, ==, 0);
      g_assert_cmpint (number, >=, start);

      if (!frame_has_findable_faces (truth_frame (number)))
        continue;
      with_faces++;

      if (detections == NULL)
        continue;

      /* Never boxes from a later frame. */
      g_assert_cmpuint (detections->pts, <=, frame->shown);
      g_assert_cmpuint (detections->frame, ==, (guint64) truth_frame_number (detections->pts));
      if (frame->shown - detections->pts > frame->interval)
        {
          stale++;
          continue;
        }

      with_boxes++;
      if (!g_ptr_array_find (checked, detections, NULL))
        g_ptr_array_add (checked, detections);
    }

  /* The key assertion: the boxes belong to the frame they were computed for. */
  for (guint i = 0; i < checked->len; i++)
    {
      AttestDetections *detections = g_ptr_array_index (checked, i);
      guint missed, stray;

      if (detections_match_frame (detections, (int) detections->frame, &missed, &stray))
        matched++;
      else
        g_test_message ("Frame %" G_GUINT64_FORMAT ": %u faces missed, %u boxes off any face",
                        detections->frame, missed, stray);

      /* The same check against the frame 4 later, to show it tells frames apart. */
      if ((int) detections->frame + 4 < truth->n_frames &&
          detections_match_frame (detections, (int) detections->frame + 4, &missed, &stray))
        match_later++;
    }

  g_test_message ("Playing from frame %d: %u frames shown, %u with whole faces >= 40 px, "
                  "%u of them with boxes (%.0f%%), %u with boxes older than the interval; "
                  "%u results drawn, %u matching their frame (%u the frame 4 later); "
                  "interval %" GST_TIME_FORMAT,
                  start, log.frames->len, with_faces, with_boxes,
                  with_faces > 0 ? 100.0 * with_boxes / with_faces : 0.0, stale,
                  checked->len, matched, match_later,
                  GST_TIME_ARGS (attest_pipeline_get_analysis_interval (pipeline)));

  g_assert_cmpuint (with_faces, >=, 10);
  g_assert_cmpuint (checked->len, >=, 2);
  g_assert_cmpuint (matched, ==, checked->len);
  g_assert_cmpuint (match_later, <, checked->len);
  /* A conservative floor: this machine may be busy with other builds. */
  g_assert_cmpfloat ((double) with_boxes / with_faces, >=, 0.5);

  g_array_unref (log.frames);
  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

static void
on_eos (AttestPipeline *pipeline,
        guint          *count)
{
  (*count)++;
}

static void
on_error (AttestPipeline *pipeline,
          GError         *error,
          guint          *count)
{
  g_test_message ("Unexpected error: %s", error->message);
  (*count)++;
}

static gboolean
uint_set (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_pipeline_eos (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (NULL);
  g_autoptr(GError) error = NULL;
  GstClockTime frame_ns = FRAME_NS (MADE_FPS, 1);
  GstClockTime duration;
  WaitFrame wait_shown;
  guint eos = 0, errors = 0;

  g_signal_connect (pipeline, "eos", G_CALLBACK (on_eos), &eos);
  g_signal_connect (pipeline, "error", G_CALLBACK (on_error), &errors);

  g_assert_true (open_file (pipeline, made_video, &error));
  g_assert_no_error (error);
  duration = attest_pipeline_get_duration (pipeline);
  g_assert_cmpuint (duration, ==, MADE_FRAMES * frame_ns);

  /* A seek past the end shows the last frame. */
  attest_pipeline_seek (pipeline, duration + GST_SECOND);
  wait_shown = (WaitFrame) { pipeline, duration - frame_ns };
  iterate_until (frame_shown, &wait_shown, "the last frame");
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, duration - frame_ns);
  g_assert_cmpuint (eos, ==, 0);

  attest_pipeline_seek (pipeline, duration - 5 * frame_ns);
  attest_pipeline_play (pipeline);
  iterate_until (uint_set, &eos, "the end of the video");

  /* Paused on the last frame, nothing reported as an error. */
  g_assert_cmpuint (errors, ==, 0);
  g_assert_false (attest_pipeline_get_playing (pipeline));
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), ==, duration);
  g_assert_cmpuint (attest_video_paintable_get_pts (attest_pipeline_get_paintable (pipeline)),
                    ==, duration - frame_ns);

  /* Play again starts from the beginning. */
  attest_pipeline_play (pipeline);
  g_assert_cmpuint (attest_pipeline_get_position (pipeline), <, duration / 2);
  attest_pipeline_pause (pipeline);

  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

/* Replacing or closing an open in flight cancels it; the newest one wins. */
static void
test_pipeline_open_replaced (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (NULL);
  g_autoptr(GFile) first = g_file_new_for_path (sample_video ());
  g_autoptr(GFile) second = g_file_new_for_path (made_video);
  GError *first_result = NULL;
  GError *second_result = NULL;
  GError *third_result = NULL;
  int width, height;

  attest_pipeline_open_file_async (pipeline, first, NULL, open_done_cb, &first_result);
  attest_pipeline_open_file_async (pipeline, second, NULL, open_done_cb, &second_result);
  iterate_until (pointer_set, &second_result, "the second open");
  iterate_until (pointer_set, &first_result, "the first open to be cancelled");

  g_assert_error (first_result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (second_result, G_IO_ERROR, G_IO_ERROR_EXISTS);  /* = success */
  attest_video_paintable_get_frame_size (attest_pipeline_get_paintable (pipeline),
                                         &width, &height);
  g_assert_cmpint (width, ==, MADE_WIDTH);
  g_assert_cmpint (height, ==, MADE_HEIGHT);

  attest_pipeline_open_file_async (pipeline, first, NULL, open_done_cb, &third_result);
  attest_pipeline_close (pipeline);
  iterate_until (pointer_set, &third_result, "the closed open");
  g_assert_error (third_result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (attest_pipeline_get_uri (pipeline));

  g_clear_error (&first_result);
  g_clear_error (&second_result);
  g_clear_error (&third_result);
  finalize_pipeline (g_steal_pointer (&pipeline));
}

static void
assert_open_fails (AttestPipeline *pipeline,
                   const char     *path,
                   int             code)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GError) error = NULL;
  int width = -1, height = -1;

  g_assert_false (open_file (pipeline, path, &error));
  g_test_message ("%s: %s", name, error->message);
  g_assert_error (error, ATTEST_MEDIA_ERROR, code);
  g_assert_nonnull (strstr (error->message, name));
  /* Nothing stale left on screen. */
  attest_video_paintable_get_frame_size (attest_pipeline_get_paintable (pipeline),
                                         &width, &height);
  g_assert_cmpint (width, ==, 0);
  g_assert_cmpint (height, ==, 0);
  g_assert_null (attest_pipeline_get_uri (pipeline));

  /* Still usable. */
  g_clear_error (&error);
  g_assert_true (open_file (pipeline, made_video, &error));
  g_assert_no_error (error);
  attest_video_paintable_get_frame_size (attest_pipeline_get_paintable (pipeline),
                                         &width, &height);
  g_assert_cmpint (width, ==, MADE_WIDTH);
}

static void
test_pipeline_bad_input (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (vision);
  g_autofree char *missing = tmp_path ("missing.mp4");
  g_autofree char *empty = tmp_path ("empty.mp4");
  g_autofree char *notes = tmp_path ("notes.mp4");
  g_autofree char *truncated = tmp_path ("truncated.mp4");
  g_autofree char *no_index = tmp_path ("no-index.mp4");
  g_autofree char *sound = tmp_path ("sound.ogg");
  g_autofree char *jpeg = dlib_jpeg ();

  assert_open_fails (pipeline, notes, ATTEST_MEDIA_ERROR_NOT_VIDEO);
  assert_open_fails (pipeline, empty, ATTEST_MEDIA_ERROR_NOT_VIDEO);
  assert_open_fails (pipeline, truncated, ATTEST_MEDIA_ERROR_UNPLAYABLE);
  assert_open_fails (pipeline, no_index, ATTEST_MEDIA_ERROR_UNPLAYABLE);
  assert_open_fails (pipeline, sound, ATTEST_MEDIA_ERROR_NOT_VIDEO);
  assert_open_fails (pipeline, jpeg, ATTEST_MEDIA_ERROR_STILL_IMAGE);
  assert_open_fails (pipeline, missing, ATTEST_MEDIA_ERROR_NOT_FOUND);

  g_assert_finalize_object (g_steal_pointer (&pipeline));
}


/* Videos whose frames Attest would refuse: said from the container (parsebin), before any
 * frame is decoded (an 8000x8000 H.264 file used to take 2 GB and end "damaged"; a 2x30000
 * one ran for minutes in the detector). */
static void
test_frame_size_limits (void)
{
  struct
  {
    const char *name;
    const char *launch;
    const char *says;
  } cases[] = {
    { "claims-8000.mkv",
      "fakesrc num-buffers=1 sizetype=fixed sizemax=64 filltype=zero format=time datarate=64"
      " ! video/x-vp8,width=8000,height=8000,framerate=1/1 ! matroskamux",
      "is 8000×8000 pixels (64 megapixels): larger than Attest reads" },
    { "thin.mkv",
      "videotestsrc num-buffers=2 ! video/x-raw,format=I420,width=2,height=3000,framerate=1/1"
      " ! matroskamux",
      "is 2×3000 pixels: too small or too thin to hold a face" },
  };
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (vision);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_path (cases[i].name);
      g_autofree char *launch = g_strdup_printf ("%s ! filesink location=\"%s\"",
                                                 cases[i].launch, path);
      g_autoptr(GError) error = NULL;
      g_autoptr(GstElement) writer = gst_parse_launch (launch, &error);
      g_autoptr(GstBus) bus = NULL;
      g_autoptr(GstMessage) done = NULL;
      AttestFrameReader *reader;

      g_assert_no_error (error);
      bus = gst_element_get_bus (writer);
      gst_element_set_state (writer, GST_STATE_PLAYING);
      done = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
                                         GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      g_assert_cmpint (GST_MESSAGE_TYPE (done), ==, GST_MESSAGE_EOS);
      gst_element_set_state (writer, GST_STATE_NULL);

      reader = attest_frame_reader_new (path, NULL, &error);
      g_test_message ("%s: %s", cases[i].name, error != NULL ? error->message : "(opened)");
      g_assert_null (reader);
      g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      assert_open_fails (pipeline, path, ATTEST_MEDIA_ERROR_UNPLAYABLE);
    }
  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

/* ---- local files only ---- */

/* A TCP server on 127.0.0.1 that only counts the connections it is offered. */
typedef struct
{
  GSocket  *socket;
  guint16   port;
  gint      connections;
  gint      stop;
  GThread  *thread;
} CountingServer;

static gpointer
count_connections (gpointer data)
{
  CountingServer *server = data;

  while (!g_atomic_int_get (&server->stop))
    {
      g_autoptr(GSocket) client = NULL;

      if (!g_socket_condition_timed_wait (server->socket, G_IO_IN, 50000, NULL, NULL))
        continue;
      client = g_socket_accept (server->socket, NULL, NULL);
      if (client != NULL)
        g_atomic_int_inc (&server->connections);
    }
  return NULL;
}

static void
counting_server_start (CountingServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server->socket, any_port, TRUE, &error));
  g_assert_true (g_socket_listen (server->socket, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (server->socket, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  server->thread = g_thread_new ("counting-server", count_connections, server);
}

static gint
counting_server_stop (CountingServer *server)
{
  g_atomic_int_set (&server->stop, 1);
  g_thread_join (server->thread);
  g_clear_object (&server->socket);
  return g_atomic_int_get (&server->connections);
}

/* An HLS playlist saved as "case-video.mp4" (and an SDP file as .mp4) pointing at a server on
 * 127.0.0.1: neither the frame reader (scan, detect) nor the player fetches anything, and both
 * say what the file is. A pipe named like a video is refused at once instead of blocking. */
static void
test_local_only (void)
{
  CountingServer server = { 0 };
  g_autofree char *playlist = tmp_path ("case-video.mp4");
  g_autofree char *sdp = tmp_path ("case-call.mp4");
  g_autofree char *fifo = tmp_path ("camera-feed.mp4");
  g_autofree char *text = NULL;
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (vision);
  const char *files[] = { playlist, sdp };

  counting_server_start (&server);
  text = g_strdup_printf ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n"
                          "#EXTINF:10.0,\nhttp://127.0.0.1:%u/beacon-segment.ts\n"
                          "#EXT-X-ENDLIST\n", server.port);
  g_assert_true (g_file_set_contents (playlist, text, -1, NULL));
  g_free (text);
  text = g_strdup_printf ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=beacon\r\n"
                          "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video %u RTP/AVP 96\r\n"
                          "a=rtpmap:96 H264/90000\r\na=control:rtsp://127.0.0.1:%u/x\r\n",
                          server.port, server.port);
  g_assert_true (g_file_set_contents (sdp, text, -1, NULL));
  g_unlink (fifo);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      AttestFrameReader *reader = attest_frame_reader_new (files[i], NULL, &error);

      g_test_message ("frame reader: %s", error != NULL ? error->message : "(opened)");
      g_assert_null (reader);
      g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO);
      g_assert_nonnull (strstr (error->message, "is a playlist that points to the network: "
                                                "Attest opens only local files"));
      assert_open_fails (pipeline, files[i], ATTEST_MEDIA_ERROR_NOT_VIDEO);
    }
  {
    g_autoptr(GError) error = NULL;
    AttestFrameReader *reader = attest_frame_reader_new (fifo, NULL, &error);

    g_test_message ("frame reader: %s", error != NULL ? error->message : "(opened)");
    g_assert_null (reader);
    g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO);
    g_assert_nonnull (strstr (error->message, "is not a regular file"));
    assert_open_fails (pipeline, fifo, ATTEST_MEDIA_ERROR_NOT_VIDEO);
  }

  g_assert_cmpint (counting_server_stop (&server), ==, 0);
  g_unlink (fifo);
  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

/* Non-square pixels (e.g. DV, anamorphic DVD) are shown at their display shape while the
 * boxes stay in stream pixels. */
static void
test_pipeline_pixel_aspect_ratio (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (NULL);
  g_autofree char *path = tmp_path ("wide-pixels.mp4");
  g_autoptr(GError) error = NULL;
  AttestVideoPaintable *paintable = attest_pipeline_get_paintable (pipeline);
  int width, height;

  make_test_video (path, "2/1");
  g_assert_true (open_file (pipeline, path, &error));
  g_assert_no_error (error);

  attest_video_paintable_get_frame_size (paintable, &width, &height);
  g_assert_cmpint (width, ==, MADE_WIDTH);
  g_assert_cmpint (height, ==, MADE_HEIGHT);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)),
                   ==, 2 * MADE_WIDTH);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)),
                   ==, MADE_HEIGHT);

  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

static void
test_pipeline_no_camera (void)
{
  g_autoptr(AttestPipeline) pipeline = attest_pipeline_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dev = g_dir_open ("/dev", 0, NULL);
  const char *name;

  while (dev != NULL && (name = g_dir_read_name (dev)) != NULL)
    if (g_str_has_prefix (name, "video"))
      {
        g_test_skip ("This machine has a camera");
        return;
      }

  g_assert_false (attest_pipeline_open_camera (pipeline, NULL, &error));
  g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA);
  g_assert_cmpstr (error->message, ==, "No camera was found. Connect a camera and try again.");
  g_clear_error (&error);

  g_assert_false (attest_pipeline_open_camera (pipeline, "/dev/video7", &error));
  g_assert_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA);
  g_assert_nonnull (strstr (error->message, "/dev/video7"));
  g_clear_error (&error);

  /* Still usable for files. */
  g_assert_true (open_file (pipeline, made_video, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&pipeline));
}

/* ---- Set-up ---- */

static void
write_bad_files (void)
{
  g_autofree char *empty = tmp_path ("empty.mp4");
  g_autofree char *notes = tmp_path ("notes.mp4");
  g_autofree char *truncated = tmp_path ("truncated.mp4");
  g_autofree char *no_index = tmp_path ("no-index.mp4");
  g_autofree char *sound = tmp_path ("sound.ogg");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  for (int i = 0; i < 200; i++)
    g_string_append (text, "Meeting notes: nothing here is a video.\n");

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (notes, text->str, text->len, &error);
  g_assert_no_error (error);

  /* Partial copies, the first 30% of the bytes: of the sample, whose index is at the front
   * (plays, then stops short), and of the made video, whose index is at the end (missing). */
  g_file_get_contents (sample_video (), &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 100000);
  g_file_set_contents (truncated, contents, length * 3 / 10, &error);
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);

  g_file_get_contents (made_video, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (no_index, contents, length * 3 / 10, &error);
  g_assert_no_error (error);

  make_sound_file (sound);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
}

/* ---- Live labels: different people in the same place ---- */

typedef struct
{
  const Slideshow *show;
  guint            results;
  guint            labelled[SLIDESHOW_MAX_APPEARANCES];  /* by segment */
  guint            items[SLIDESHOW_MAX_APPEARANCES];     /* by appearance */
  guint            eos;
  guint64          last_frame;
} LiveWatch;

/* Every analysed frame during playback: a face labelled as someone is that person, never the
 * one who stood in its place before. */
static void
on_live_detections (AttestPipeline *pipeline,
                    GParamSpec     *pspec,
                    LiveWatch      *w)
{
  AttestDetections *d = attest_pipeline_get_detections (pipeline);

  if (d == NULL || d->info == NULL || d->frame == w->last_frame)
    return;
  w->last_frame = d->frame;
  w->results++;
  for (guint i = 0; i < d->n_faces; i++)
    {
      const AttestFaceInfo *info = &d->info[i];
      const SlideAppearance *a = slideshow_at (w->show, d->frame, &d->faces[i]);

      if (attest_face_info_get_state (info, d->threshold) != ATTEST_FACE_STATE_SUGGESTION)
        continue;
      if (a == NULL || !g_str_equal (info->candidates[0].name, a->person))
        g_error ("%s at %d fps, frame %" G_GUINT64_FORMAT ": the face at (%.0f, %.0f) is labelled"
                 " %s on screen but shows %s", w->show->name, w->show->fps, d->frame,
                 d->faces[i].x, d->faces[i].y, info->candidates[0].name,
                 a != NULL ? a->person : "nobody");
      w->labelled[a - w->show->appearances]++;
    }
}

/* What the review queue would get: a suggestion per appearance, naming its person. */
static void
on_live_track_ended (AttestPipeline     *pipeline,
                     AttestTrackSummary *summary,
                     const char         *uri,
                     LiveWatch          *w)
{
  const SlideAppearance *a = slideshow_at (w->show, summary->best_frame, &summary->best_box);

  g_assert_nonnull (a);
  g_assert_cmpstr (summary->candidates[0].name, ==, a->person);
  w->items[a->appearance]++;
}

static void
on_live_eos (AttestPipeline *pipeline,
             LiveWatch      *w)
{
  w->eos++;
}

static void
test_pipeline_live_labels (gconstpointer data)
{
  g_autoptr (Slideshow) show = slideshow_new (SLIDESHOW_SAME_PLACE, GPOINTER_TO_INT (data));
  g_autofree char *video = tmp_path ("live-slideshow.mp4");
  g_autoptr (AttestPipeline) pipeline = attest_pipeline_new (vision);
  g_autoptr (AttestMatcher) gallery = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GError) error = NULL;
  LiveWatch w = { show, 0, { 0 }, { 0 }, 0, G_MAXUINT64 };

  slideshow_write (show, video);
  gallery = slideshow_gallery_new (vision, &names);
  attest_pipeline_set_matcher (pipeline, gallery, names);
  g_signal_connect (pipeline, "notify::detections", G_CALLBACK (on_live_detections), &w);
  g_signal_connect (pipeline, "track-ended", G_CALLBACK (on_live_track_ended), &w);
  g_signal_connect (pipeline, "eos", G_CALLBACK (on_live_eos), &w);
  g_assert_true (open_file (pipeline, video, &error));
  g_assert_no_error (error);
  attest_pipeline_play (pipeline);
  iterate_until (uint_set, &w.eos, "the end of the slideshow");
  /* What is still in view ends with the video. */
  attest_pipeline_close (pipeline);

  for (guint i = 0; i < show->n; i++)
    {
      const SlideAppearance *a = &show->appearances[i];

      g_test_message ("%s at %.1f s: labelled on %u analysed frames, %u queued", a->person,
                      a->first_frame / (double) show->fps, w.labelled[i], w.items[a->appearance]);
      /* Seen and named while on screen (playback analyses several frames a second)... */
      g_assert_cmpuint (w.labelled[i], >, 0);
      /* ... and queued once, as that person. */
      g_assert_cmpuint (w.items[a->appearance], ==, 1);
    }
  g_test_message ("%u analysed frames during playback", w.results);
  g_signal_handlers_disconnect_by_data (pipeline, &w);
  g_assert_finalize_object (g_steal_pointer (&pipeline));
  g_unlink (video);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *truth_path;
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("attest-test-pipeline-XXXXXX", &error);
  g_assert_no_error (error);
  made_video = tmp_path ("made.mp4");
  make_test_video (made_video, "1/1");
  write_bad_files ();

  truth_path = g_getenv ("ATTEST_SAMPLE_TRUTH");
  g_assert_nonnull (truth_path);
  truth = truth_load (truth_path);

  vision = attest_vision_new (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/media/detections/boxed", test_detections_boxed);
  g_test_add_func ("/media/frame-reader/made-video", test_frame_reader_made_video);
  g_test_add_func ("/media/frame-reader/image", test_frame_reader_image);
  g_test_add_func ("/media/frame-reader/bad-input", test_frame_reader_bad_input);
  g_test_add_func ("/media/frame-reader/cancelled", test_frame_reader_cancelled);
  g_test_add_func ("/media/pipeline/sample", test_pipeline_sample);
  g_test_add_func ("/media/pipeline/playback-sync", test_pipeline_playback_sync);
  g_test_add_func ("/media/pipeline/eos", test_pipeline_eos);
  g_test_add_func ("/media/pipeline/open-replaced", test_pipeline_open_replaced);
  g_test_add_func ("/media/pipeline/bad-input", test_pipeline_bad_input);
  g_test_add_func ("/media/local-only", test_local_only);
  g_test_add_func ("/media/frame-size-limits", test_frame_size_limits);
  g_test_add_func ("/media/pipeline/pixel-aspect-ratio", test_pipeline_pixel_aspect_ratio);
  g_test_add_func ("/media/pipeline/no-camera", test_pipeline_no_camera);
  g_test_add_data_func ("/media/pipeline/live-labels/10fps", GINT_TO_POINTER (10),
                        test_pipeline_live_labels);
  g_test_add_data_func ("/media/pipeline/live-labels/25fps", GINT_TO_POINTER (25),
                        test_pipeline_live_labels);

  ret = g_test_run ();

  attest_vision_free (vision);
  truth_free (truth);
  remove_tmp_dir ();
  g_free (made_video);
  g_free (tmp_dir);

  return ret;
}

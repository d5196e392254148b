/* test-window.c: the main window, the video view and the preferences, under a real display
 * (xvfb-run), on the real sample video with the real face models. What is asserted is what
 * a user sees: pages, labels, toasts and the pixels of the rendered video view. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "app/attest-preferences-window.h"
#include "app/attest-settings.h"
#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "media/attest-video-paintable.h"
#include "widgets/attest-side-layout.h"
#include "widgets/attest-video-view.h"
#include "widgets/attest-wrap-layout.h"

#define WAIT_SECONDS 60

#include "test-ui-helpers.h"

static AttestVision *vision;

/* ---- helpers ---------------------------------------------------------------------- */

static GtkLabel *
find_mapped_label (GtkWidget  *root,
                   const char *text)
{
  return (GtkLabel *) find_widget (root, GTK_TYPE_LABEL, label_mapped_containing, text);
}

static gboolean
is_main_stack (GtkWidget     *widget,
               gconstpointer  data)
{
  return gtk_stack_get_child_by_name (GTK_STACK (widget), "empty") != NULL;
}

static const char *
visible_page (GtkWidget *window)
{
  GtkWidget *stack = find_widget (window, GTK_TYPE_STACK, is_main_stack, NULL);

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static const char *
window_subtitle (GtkWidget *window)
{
  GtkWidget *title = find_widget (window, ADW_TYPE_WINDOW_TITLE, NULL, NULL);

  g_assert_nonnull (title);
  return adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title));
}

static AttestWindow *
new_window (void)
{
  AttestWindow *window = attest_window_new (NULL, NULL);

  attest_window_set_vision (window, vision);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

static void
open_sample (AttestWindow *window)
{
  g_autoptr (GFile) file = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));

  attest_window_open_file (window, file);
  g_assert_true (wait_for (window_done_opening, window));
  g_assert_cmpstr (_attest_window_get_last_toast_title (window), ==, NULL);
  g_assert_nonnull (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));
}

/* A box-blue pixel within 2 px of (x, y). */
static gboolean
blue_near (const Pixels *pixels,
           double        x,
           double        y)
{
  return colour_near (pixels, x, y, 2, is_box_blue);
}

/* Fraction of points along the four edges of a widget-space rectangle that have the box
 * colour within 2 px. */
static double
outline_blue_fraction (const Pixels          *pixels,
                       const graphene_rect_t *r)
{
  const int steps = 12;
  int hits = 0, total = 0;

  for (int i = 1; i < steps; i++)
    {
      double t = (double) i / steps;
      double x = r->origin.x + t * r->size.width;
      double y = r->origin.y + t * r->size.height;

      hits += blue_near (pixels, x, r->origin.y);
      hits += blue_near (pixels, x, r->origin.y + r->size.height);
      hits += blue_near (pixels, r->origin.x, y);
      hits += blue_near (pixels, r->origin.x + r->size.width, y);
      total += 4;
    }

  return (double) hits / total;
}

static graphene_rect_t
box_to_widget (AttestVideoView        *view,
               const AttestDetections *detections,
               const AttestBox        *box)
{
  GdkPaintable *paintable = attest_video_view_get_paintable (view);
  int frame_w, frame_h;
  double x0, y0, x1, y1, sx, sy;

  attest_video_paintable_get_frame_size (ATTEST_VIDEO_PAINTABLE (paintable), &frame_w, &frame_h);
  sx = (double) frame_w / detections->width;
  sy = (double) frame_h / detections->height;
  g_assert_true (attest_video_view_stream_to_widget (view, box->x * sx, box->y * sy, &x0, &y0));
  g_assert_true (attest_video_view_stream_to_widget (view, (box->x + box->w) * sx,
                                                     (box->y + box->h) * sy, &x1, &y1));

  return GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0);
}

/* ---- sample ground truth ------------------------------------------------------------ */

typedef struct
{
  GstClockTime pts;
  guint        n_faces;
  AttestBox    faces[16];
  GstClockTime empty_pts;  /* the middle of the longest run of frames without faces */
} TruthFrame;

/* The frame of the sample with the most faces fully in view (each at least 60 px wide). */
static void
load_truth_frame (TruthFrame *out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GstClockTime empty_pts = 0;
  JsonArray *frames;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  frames = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "frames");
  g_assert_nonnull (frames);

  memset (out, 0, sizeof *out);
  for (guint i = 0, run = 0, best_run = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *frame = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (frame, "faces");
      TruthFrame candidate = { 0 };
      gboolean usable = json_array_get_length (faces) > 0;

      run = usable ? 0 : run + 1;
      if (run > best_run)
        {
          JsonObject *middle = json_array_get_object_element (frames, i - run / 2);

          best_run = run;
          empty_pts = (GstClockTime) json_object_get_int_member (middle, "pts_ms") * GST_MSECOND;
        }

      candidate.pts = (GstClockTime) json_object_get_int_member (frame, "pts_ms") * GST_MSECOND;
      for (guint j = 0; j < json_array_get_length (faces) && usable; j++)
        {
          JsonObject *face = json_array_get_object_element (faces, j);
          AttestBox *box = &candidate.faces[candidate.n_faces++];

          box->x = json_object_get_double_member (face, "x");
          box->y = json_object_get_double_member (face, "y");
          box->w = json_object_get_double_member (face, "w");
          box->h = json_object_get_double_member (face, "h");
          usable = json_object_get_double_member (face, "visible") >= 1.0 && box->w >= 60 &&
                   candidate.n_faces < G_N_ELEMENTS (candidate.faces);
        }

      if (usable && candidate.n_faces > out->n_faces)
        *out = candidate;
    }

  out->empty_pts = empty_pts;
  g_assert_cmpuint (out->n_faces, >=, 2);
  g_assert_cmpuint (out->empty_pts, >, 0);
}

/* ---- the PTS rule, checked on every frame the view shows ---------------------------- */

typedef struct
{
  AttestVideoView *view;
  guint            frames_checked;
  guint            frames_with_boxes;
  guint            target_checked;
  guint            lag_samples;
  GstClockTime     lag_sum;    /* shown - analysed, over frames shown after their analysis */
} PtsWatch;

static gboolean
watch_reached_target (gpointer data)
{
  PtsWatch *watch = data;

  return watch->frames_checked >= watch->target_checked;
}

static void
check_pts_rule (GdkPaintable *paintable,
                PtsWatch     *watch)
{
  AttestDetections *detections = attest_video_view_get_detections (watch->view);
  GstClockTime shown = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (paintable));

  watch->frames_checked++;
  if (detections != NULL && GST_CLOCK_TIME_IS_VALID (shown) && shown >= detections->pts)
    {
      watch->lag_samples++;
      watch->lag_sum += shown - detections->pts;
    }
  if (!attest_video_view_get_boxes_shown (watch->view))
    return;

  /* Boxes only over the analysed frame or a later one within one analysis interval. */
  watch->frames_with_boxes++;
  g_assert_nonnull (detections);
  g_assert_cmpuint (shown, >=, detections->pts);
  g_assert_cmpuint (shown - detections->pts, <=,
                    attest_video_view_get_analysis_interval (watch->view));
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_empty_window (void)
{
  AttestWindow *window = new_window ();
  GtkWidget *status_page;

  g_assert_cmpstr (visible_page (GTK_WIDGET (window)), ==, "empty");
  status_page = find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL, NULL);
  g_assert_nonnull (status_page);
  g_assert_true (gtk_widget_get_mapped (status_page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "No Video Open");
  /* The title is on screen, as is the button that opens a video. */
  g_assert_nonnull (find_mapped_label (status_page, "No Video Open"));
  g_assert_nonnull (find_widget (status_page, GTK_TYPE_BUTTON, has_action_name, "win.open"));
  g_assert_cmpstr (window_subtitle (GTK_WIDGET (window)), ==, "");

  /* Nothing to play: the playback keys do nothing. */
  g_assert_null (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "video.toggle-play", NULL);
  g_assert_null (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* Boxes on the target frame (a FrameWait), faces found on it or not. */
static gboolean
boxes_on_target_frame (gpointer data)
{
  return boxes_on_frame (data, FALSE);
}

static gboolean
label_has_text (gpointer data)
{
  GtkLabel *label = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];

  return g_strcmp0 (gtk_label_get_text (label), text) == 0;
}

static void
test_video_boxes (void)
{
  AttestWindow *window = new_window ();
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  g_autoptr (GdkTexture) with_boxes = NULL;
  g_autoptr (GdkTexture) without_boxes = NULL;
  g_autoptr (AttestDetections) detections = NULL;
  g_autofree char *png = NULL;
  g_autofree char *faces_text = NULL;
  g_auto (Pixels) on = { 0 };
  g_auto (Pixels) off = { 0 };
  AttestPipeline *pipeline;
  GtkWidget *play_button;
  GtkLabel *time_label;
  TruthFrame truth;
  FrameWait wait;
  PtsWatch watch = { view, 0, 0, 0, 0, 0 };
  gulong watch_id;
  graphene_rect_t video, boxes[16];
  double best_x = 0, best_y = 0, best_distance = -1;
  guint stray = 0;

  load_truth_frame (&truth);
  g_test_message ("target frame at %" GST_TIME_FORMAT " with %u faces",
                  GST_TIME_ARGS (truth.pts), truth.n_faces);

  open_sample (window);
  pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  g_assert_cmpstr (visible_page (GTK_WIDGET (window)), ==, "video");
  g_assert_cmpstr (window_subtitle (GTK_WIDGET (window)), ==, "attest-sample.mp4");

  watch_id = g_signal_connect (attest_video_view_get_paintable (view), "invalidate-contents",
                               G_CALLBACK (check_pts_rule), &watch);

  /* Opening plays; Space's action pauses, and the button then offers Play. */
  if (attest_pipeline_get_playing (pipeline))
    gtk_widget_activate_action (GTK_WIDGET (window->video_page), "video.toggle-play", NULL);
  g_assert_true (wait_for (not_playing, pipeline));
  play_button = find_widget (GTK_WIDGET (window), GTK_TYPE_BUTTON, has_action_name, "video.toggle-play");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (play_button)), ==,
                   "media-playback-start-symbolic");

  wait.view = view;
  wait.target = truth.pts;
  attest_pipeline_seek (pipeline, truth.pts);
  g_assert_true (wait_for (boxes_on_target_frame, &wait));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  /* The controls say where we are and how many faces are boxed. */
  time_label = find_mapped_label (GTK_WIDGET (window), " / 0:36");
  g_assert_nonnull (time_label);
  {
    g_autofree char *expected = g_strdup_printf ("0:%02u / 0:36", (guint) (truth.pts / GST_SECOND));
    gpointer label_wait[2] = { time_label, expected };

    g_assert_true (wait_for (label_has_text, label_wait));
  }

  detections = attest_detections_ref (attest_video_view_get_detections (view));
  g_assert_cmpuint (detections->n_faces, ==, truth.n_faces);
  faces_text = g_strdup_printf ("%u faces", detections->n_faces);
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), faces_text));
  g_assert_cmpuint (attest_video_view_get_visible_faces (view), ==, detections->n_faces);

  /* Every face of the ground truth was found. */
  for (guint i = 0; i < truth.n_faces; i++)
    {
      float best = 0;

      for (guint j = 0; j < detections->n_faces; j++)
        best = MAX (best, attest_box_iou (&truth.faces[i], &detections->faces[j]));
      g_test_message ("truth face %u: best IoU %.2f", i, best);
      g_assert_cmpfloat (best, >=, 0.5);
    }

  with_boxes = render_widget (GTK_WIDGET (view));
  png = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"), "test-window-video.png", NULL);
  g_assert_true (gdk_texture_save_to_png (with_boxes, png));
  g_test_message ("rendered video view: %s", png);
  pixels_from_texture (&on, with_boxes);

  /* The same frame without the detections, to see what the boxes alone changed. */
  attest_video_view_set_detections (view, NULL);
  without_boxes = render_widget (GTK_WIDGET (view));
  attest_video_view_set_detections (view, detections);
  pixels_from_texture (&off, without_boxes);

  /* A blue outline along every detected face, and none there without the detections. */
  for (guint i = 0; i < detections->n_faces; i++)
    {
      boxes[i] = box_to_widget (view, detections, &detections->faces[i]);
      g_test_message ("face %u at %.0f,%.0f %.0fx%.0f (widget): outline blue %.0f%% / %.0f%%",
                      i, boxes[i].origin.x, boxes[i].origin.y, boxes[i].size.width,
                      boxes[i].size.height, 100 * outline_blue_fraction (&on, &boxes[i]),
                      100 * outline_blue_fraction (&off, &boxes[i]));
      g_assert_cmpfloat (outline_blue_fraction (&on, &boxes[i]), >=, 0.95);
      g_assert_cmpfloat (outline_blue_fraction (&off, &boxes[i]), <=, 0.25);
    }

  /* Nothing changed away from the faces: every changed pixel lies on a box or its label
   * (above the box, or inside its top edge). */
  for (int y = 0; y < on.height; y++)
    for (int x = 0; x < on.width; x++)
      {
        gboolean near_face = FALSE;

        if (memcmp (pixel_at (&on, x, y), pixel_at (&off, x, y), 4) == 0)
          continue;

        for (guint i = 0; i < detections->n_faces && !near_face; i++)
          {
            const graphene_rect_t *b = &boxes[i];

            near_face = x >= b->origin.x - 4 && x <= b->origin.x + MAX (b->size.width, 120) + 4 &&
                        y >= b->origin.y - 40 && y <= b->origin.y + b->size.height + 4;
          }
        stray += !near_face;
      }
  g_assert_cmpuint (stray, ==, 0);

  /* And explicitly: the point of the frame farthest from every face shows no box colour. */
  g_assert_true (attest_video_view_get_video_rect (view, &video));
  for (double y = video.origin.y + 10; y < video.origin.y + video.size.height - 10; y += 8)
    for (double x = video.origin.x + 10; x < video.origin.x + video.size.width - 10; x += 8)
      {
        double distance = G_MAXDOUBLE;

        for (guint i = 0; i < detections->n_faces; i++)
          {
            double dx = MAX (MAX (boxes[i].origin.x - x, 0), x - (boxes[i].origin.x + boxes[i].size.width));
            double dy = MAX (MAX (boxes[i].origin.y - y, 0), y - (boxes[i].origin.y + boxes[i].size.height));

            distance = MIN (distance, sqrt (dx * dx + dy * dy));
          }
        if (distance > best_distance)
          {
            best_distance = distance;
            best_x = x;
            best_y = y;
          }
      }
  g_test_message ("emptiest point %.0f,%.0f, %.0f px from the nearest face", best_x, best_y, best_distance);
  g_assert_cmpfloat (best_distance, >, 50);
  g_assert_false (blue_near (&on, best_x, best_y));
  g_assert_cmpmem (pixel_at (&on, best_x, best_y), 4, pixel_at (&off, best_x, best_y), 4);

  /* One frame back: an earlier frame than the analysed one never gets its boxes (checked
   * by the watch on every frame), and once it is analysed it has boxes again. */
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "video.step-back", NULL);
  wait.target = truth.pts - 40 * GST_MSECOND;
  g_assert_true (wait_for (boxes_on_target_frame, &wait));

  /* A frame without faces, reached through the seek bar as a user would: analysed, and
   * the window says there are none. */
  {
    GtkWidget *scale = find_widget (GTK_WIDGET (window), GTK_TYPE_SCALE, NULL, NULL);
    gboolean handled = FALSE;

    g_assert_true (gtk_widget_get_sensitive (scale));
    g_signal_emit_by_name (scale, "change-value", GTK_SCROLL_JUMP,
                           (double) truth.empty_pts / GST_SECOND, &handled);
  }
  wait.target = truth.empty_pts;
  g_assert_true (wait_for (boxes_on_target_frame, &wait));
  g_assert_cmpuint (attest_video_view_get_visible_faces (view), ==, 0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "No faces"));

  /* Play a moment through the main loop so the rule is checked on moving video too. */
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "video.toggle-play", NULL);
  watch.target_checked = watch.frames_checked + 25;
  g_assert_true (wait_for (watch_reached_target, &watch));
  g_test_message ("PTS rule held on %u frames shown, %u of them with boxes; analysis interval "
                  "%" G_GUINT64_FORMAT " ms, shown frame %" G_GUINT64_FORMAT " ms after the "
                  "analysed one on average",
                  watch.frames_checked, watch.frames_with_boxes,
                  attest_video_view_get_analysis_interval (view) / GST_MSECOND,
                  watch.lag_samples ? watch.lag_sum / watch.lag_samples / GST_MSECOND : 0);
  g_assert_cmpuint (watch.frames_with_boxes, >, 0);

  g_signal_handler_disconnect (attest_video_view_get_paintable (view), watch_id);
  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* ---- boxes while the video plays ------------------------------------------------------ */

typedef struct
{
  GstClockTime pts;
  guint        n_faces;
  gboolean     all_whole;  /* every face fully in view and at least 40 px */
  AttestBox    faces[16];
} SampleFrame;

/* Every frame of the sample's ground truth, indexed by frame number. */
static GArray *
load_sample_frames (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (SampleFrame));
  JsonArray *frames;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  frames = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "frames");
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *frame = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (frame, "faces");
      SampleFrame f = { 0 };

      f.pts = (GstClockTime) json_object_get_int_member (frame, "pts_ms") * GST_MSECOND;
      f.all_whole = json_array_get_length (faces) > 0;
      for (guint j = 0; j < json_array_get_length (faces) && f.n_faces < G_N_ELEMENTS (f.faces); j++)
        {
          JsonObject *face = json_array_get_object_element (faces, j);
          AttestBox *box = &f.faces[f.n_faces++];

          box->x = json_object_get_double_member (face, "x");
          box->y = json_object_get_double_member (face, "y");
          box->w = json_object_get_double_member (face, "w");
          box->h = json_object_get_double_member (face, "h");
          f.all_whole = f.all_whole && json_object_get_double_member (face, "visible") >= 1.0 &&
                        box->w >= 40 && box->h >= 40;
        }
      g_assert_cmpint (json_object_get_int_member (frame, "frame"), ==, (gint64) i);
      g_array_append_val (out, f);
    }

  return out;
}

/* The view drawn as it is now, with no main loop iteration in between (which could show
 * the next frame): what is on screen for the frame whose PTS the caller just read. */
static GdkTexture *
render_view_now (GtkWidget *view)
{
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (view));
  int width = gtk_widget_get_width (view);
  int height = gtk_widget_get_height (view);

  GTK_WIDGET_GET_CLASS (view)->snapshot (view, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Box-blue pixels in the band around a face's edges (a quarter of its size either side): a
 * box drawn on this face, not on where it was some frames ago. */
static double
blue_around_face (const Pixels          *pixels,
                  const graphene_rect_t *face)
{
  double band_x = face->size.width / 4, band_y = face->size.height / 4;
  graphene_rect_t inner, outer;
  guint blue = 0;

  graphene_rect_inset_r (face, band_x, band_y, &inner);
  graphene_rect_inset_r (face, -band_x, -band_y, &outer);
  for (int y = MAX (0, (int) outer.origin.y); y < MIN (pixels->height, outer.origin.y + outer.size.height); y++)
    for (int x = MAX (0, (int) outer.origin.x); x < MIN (pixels->width, outer.origin.x + outer.size.width); x++)
      if (!graphene_rect_contains_point (&inner, &GRAPHENE_POINT_INIT (x, y)) &&
          is_box_blue (pixel_at (pixels, x, y)))
        blue++;

  /* As a fraction of the face's perimeter: a whole 3 px outline gives about 3. */
  return blue / (2 * (face->size.width + face->size.height));
}

typedef struct
{
  AttestVideoPaintable *paintable;
  GstClockTime          after;
} NewFrameWait;

static gboolean
newer_frame_shown (gpointer data)
{
  NewFrameWait *wait = data;
  GstClockTime shown = attest_video_paintable_get_pts (wait->paintable);

  return GST_CLOCK_TIME_IS_VALID (shown) &&
         (!GST_CLOCK_TIME_IS_VALID (wait->after) || shown > wait->after);
}

static void
test_boxes_while_playing (void)
{
  AttestWindow *window = new_window ();
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  g_autoptr (GArray) frames = load_sample_frames ();
  AttestVideoPaintable *paintable;
  AttestPipeline *pipeline;
  TruthFrame most_faces;
  NewFrameWait wait;
  GstClockTime start;
  guint rendered = 0, rendered_with_faces = 0, on_faces = 0;

  load_truth_frame (&most_faces);
  open_sample (window);
  pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  paintable = ATTEST_VIDEO_PAINTABLE (attest_video_view_get_paintable (view));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), >, 0);

  /* Opening plays. Jump, still playing, to shortly before the frame with the most faces. */
  g_assert_true (attest_pipeline_get_playing (pipeline));
  start = most_faces.pts - GST_SECOND / 2;
  attest_pipeline_seek (pipeline, start);
  wait = (NewFrameWait) { paintable, GST_CLOCK_TIME_NONE };

  /* Frame after frame as they come, for three seconds of video: faces moving in, then
   * still. */
  while (rendered < 2 || attest_video_paintable_get_pts (paintable) < start + 3 * GST_SECOND)
    {
      g_autoptr (GdkTexture) texture = NULL;
      g_auto (Pixels) pixels = { 0 };
      GstClockTime shown;
      SampleFrame *truth;
      graphene_rect_t video;
      gboolean all_boxed = TRUE;
      int number;

      g_assert_true (wait_for (newer_frame_shown, &wait));
      g_assert_true (attest_pipeline_get_playing (pipeline));
      shown = attest_video_paintable_get_pts (paintable);
      wait.after = shown;
      if (shown < start)
        continue;  /* the seek has not shown its frame yet */

      texture = render_view_now (GTK_WIDGET (view));
      rendered++;

      number = (int) gst_util_uint64_scale_round (shown, 25, GST_SECOND);
      g_assert_cmpint (number, <, (int) frames->len);
      truth = &g_array_index (frames, SampleFrame, number);
      if (!truth->all_whole)
        continue;
      rendered_with_faces++;

      pixels_from_texture (&pixels, texture);
      g_assert_true (attest_video_view_get_video_rect (view, &video));
      for (guint i = 0; i < truth->n_faces && all_boxed; i++)
        {
          const AttestBox *face = &truth->faces[i];
          double x0, y0, x1, y1;
          graphene_rect_t rect;

          g_assert_true (attest_video_view_stream_to_widget (view, face->x, face->y, &x0, &y0));
          g_assert_true (attest_video_view_stream_to_widget (view, face->x + face->w,
                                                             face->y + face->h, &x1, &y1));
          rect = GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0);
          all_boxed = blue_around_face (&pixels, &rect) >= 1.5;
        }

      if (all_boxed && on_faces++ == 0)
        {
          g_autofree char *png = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"),
                                                   "test-window-playing.png", NULL);

          g_assert_true (gdk_texture_save_to_png (texture, png));
          g_test_message ("frame %d (%u faces) drawn with a box on every face while playing: %s",
                          number, truth->n_faces, png);
        }
    }

  g_test_message ("%u frames rendered while playing, %u with whole faces, %u with all boxed",
                  rendered, rendered_with_faces, on_faces);
  g_assert_cmpuint (on_faces, >=, 1);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static gboolean
toast_naming (gpointer data)
{
  AttestWindow *window = ((gpointer *) data)[0];
  const char *name = ((gpointer *) data)[1];
  const char *title = _attest_window_get_last_toast_title (window);

  return title != NULL && strstr (title, name) != NULL;
}

static void
test_bad_file_keeps_video (void)
{
  AttestWindow *window = new_window ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("attest-test-window-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *uri = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFile) missing_file = NULL;
  AttestPipeline *pipeline;
  gpointer toast_wait[2];

  g_assert_no_error (error);
  path = g_build_filename (dir, "x.mp4", NULL);
  g_file_set_contents (path, "This is a text file, not a video.\n", -1, &error);
  g_assert_no_error (error);

  open_sample (window);
  pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  uri = g_strdup (attest_pipeline_get_uri (pipeline));

  file = g_file_new_for_path (path);
  attest_window_open_file (window, file);
  toast_wait[0] = window;
  toast_wait[1] = "x.mp4";
  g_assert_true (wait_for (toast_naming, toast_wait));
  g_test_message ("toast: %s", _attest_window_get_last_toast_title (window));

  /* The toast is on screen, and the video that was open still is. */
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "x.mp4"));
  g_assert_true (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)) == pipeline);
  g_assert_cmpstr (attest_pipeline_get_uri (pipeline), ==, uri);
  g_assert_cmpstr (visible_page (GTK_WIDGET (window)), ==, "video");
  g_assert_cmpstr (window_subtitle (GTK_WIDGET (window)), ==, "attest-sample.mp4");
  g_assert_true (GST_CLOCK_TIME_IS_VALID (attest_video_paintable_get_pts (
    ATTEST_VIDEO_PAINTABLE (attest_video_view_get_paintable (_attest_video_page_get_video_view (_attest_window_get_video_page (window)))))));

  /* A file that is not there says so, by name. */
  missing = g_build_filename (dir, "gone.mp4", NULL);
  missing_file = g_file_new_for_path (missing);
  attest_window_open_file (window, missing_file);
  toast_wait[1] = "gone.mp4";
  g_assert_true (wait_for (toast_naming, toast_wait));
  g_test_message ("toast: %s", _attest_window_get_last_toast_title (window));
  g_assert_true (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)) == pipeline);

  destroy_and_check_finalized (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
showing_video (gpointer window)
{
  return _attest_video_page_get_pipeline (_attest_window_get_video_page (window)) != NULL &&
         g_strcmp0 (visible_page (window), "video") == 0;
}

static void
test_drop_opens_video (void)
{
  AttestWindow *window = new_window ();
  g_autoptr (GFile) file = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_auto (GValue) value = G_VALUE_INIT;
  GSList files = { file, NULL };
  gboolean accepted = FALSE;
  guint n_targets = 0;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &files);

  /* What GTK does when a file manager drops a file on the window. */
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_DROP_TARGET (controller))
        continue;
      n_targets++;
      g_signal_emit_by_name (controller, "drop", &value, 100.0, 100.0, &accepted);
    }
  g_assert_cmpuint (n_targets, ==, 1);
  g_assert_true (accepted);

  g_assert_true (wait_for (showing_video, window));
  g_assert_cmpstr (window_subtitle (GTK_WIDGET (window)), ==, "attest-sample.mp4");
  g_assert_null (_attest_window_get_last_toast_title (window));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_window_size_saved (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  AttestWindow *window = attest_window_new (NULL, settings);
  gpointer weak = window;
  int width, height;
  gboolean maximized;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (wait_for (pointer_is_null, &weak));

  attest_settings_get_window_state (settings, &width, &height, &maximized);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 600);
  g_assert_false (maximized);

  /* The next window opens at that size. */
  window = attest_window_new (NULL, settings);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 600);
  destroy_and_check_finalized (GTK_WINDOW (window));

  g_object_set (settings, "window-width", 1100, "window-height", 720, NULL);
}

static void
test_no_camera (void)
{
  AttestWindow *window;
  const char *toast;

  if (g_file_test ("/dev/video0", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has a camera");
      return;
    }

  window = new_window ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-camera", NULL);

  toast = _attest_window_get_last_toast_title (window);
  g_assert_nonnull (toast);
  g_test_message ("toast: %s", toast);
  g_assert_true (g_str_has_prefix (toast, "No camera was found"));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "No camera was found"));
  g_assert_cmpstr (visible_page (GTK_WIDGET (window)), ==, "empty");
  g_assert_null (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static gboolean
banner_shown (gpointer window)
{
  return find_mapped_label (window, "Face detection is off") != NULL;
}

static void
test_models_banner (void)
{
  AttestWindow *window = new_window ();
  g_autoptr (GError) error = NULL;
  g_autofree char *empty_dir = g_dir_make_tmp ("attest-no-models-XXXXXX", &error);
  AttestVision *none;
  GtkLabel *label;

  g_assert_no_error (error);
  none = attest_vision_new (empty_dir, &error);
  g_assert_null (none);
  g_assert_error (error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_MODEL_MISSING);

  /* What the application does when the models cannot be loaded. */
  attest_window_set_models_error (window, error->message);
  g_assert_true (wait_for (banner_shown, window));
  label = find_mapped_label (GTK_WIDGET (window), "Face detection is off");
  g_test_message ("banner: %s", gtk_label_get_text (label));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "fr_detect.onnx"));

  destroy_and_check_finalized (GTK_WINDOW (window));
  g_rmdir (empty_dir);
}

static void
test_preferences (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  g_autoptr (GSettings) gsettings = g_settings_new (APP_ID);
  GtkWidget *preferences = attest_preferences_window_new (NULL, settings);
  GtkWidget *spin;
  GtkWidget *entry;

  gtk_window_present (GTK_WINDOW (preferences));
  gtk_test_widget_wait_for_draw (preferences);

  spin = find_widget (preferences, GTK_TYPE_SPIN_BUTTON, NULL, NULL);
  g_assert_nonnull (spin);
  g_assert_true (gtk_widget_get_mapped (spin));
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), 0.45, 1e-9);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "0.45");
  /* The threshold is explained, not shown bare. */
  g_assert_nonnull (find_mapped_label (preferences, "8,092 different-person pairs"));

  /* Edits are saved at once. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 0.5);
  g_assert_cmpfloat_with_epsilon (attest_settings_get_match_threshold (settings), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (gsettings, "match-threshold"), 0.5, 1e-9);
  g_settings_reset (gsettings, "match-threshold");
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin)), 0.45, 1e-9);

  entry = find_widget (preferences, ADW_TYPE_ENTRY_ROW, NULL, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Ada Reviewer");
  g_assert_cmpstr (g_settings_get_string (gsettings, "reviewer-name") , ==, "Ada Reviewer");
  g_settings_reset (gsettings, "reviewer-name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  destroy_and_check_finalized (GTK_WINDOW (preferences));
}

/* ---- the video view on its own, with frames whose PTS the test chooses -------------- */

static GstSample *
grey_sample (GstClockTime pts)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-raw,format=RGBA,width=64,height=48,framerate=25/1");
  g_autoptr (GstBuffer) buffer = gst_buffer_new_allocate (NULL, 64 * 48 * 4, NULL);
  GstMapInfo map;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  memset (map.data, 0x80, map.size);
  gst_buffer_unmap (buffer, &map);
  GST_BUFFER_PTS (buffer) = pts;

  return gst_sample_new (buffer, caps, NULL, NULL);
}

static gboolean
paintable_shows (gpointer data)
{
  AttestVideoPaintable *paintable = ((gpointer *) data)[0];
  GstClockTime *pts = ((gpointer *) data)[1];

  return attest_video_paintable_get_pts (paintable) == *pts;
}

static void
show_frame (AttestVideoPaintable *paintable,
            GstClockTime          pts)
{
  g_autoptr (GstSample) sample = grey_sample (pts);
  gpointer data[2] = { paintable, &pts };

  attest_video_paintable_push_sample (paintable, sample);
  g_assert_true (wait_for (paintable_shows, data));
}

static guint
count_blue (GtkWidget *view)
{
  g_autoptr (GdkTexture) texture = render_widget (view);
  g_auto (Pixels) pixels = { 0 };
  guint n = 0;

  pixels_from_texture (&pixels, texture);
  for (int y = 0; y < pixels.height; y++)
    for (int x = 0; x < pixels.width; x++)
      n += is_box_blue (pixel_at (&pixels, x, y));

  return n;
}

static void
on_stream_clicked (AttestVideoView *view,
                   double           sx,
                   double           sy,
                   double          *out)
{
  out[0] = sx;
  out[1] = sy;
}

static void
test_view_pts_rule_and_mapping (void)
{
  const GstClockTime t = 2 * GST_SECOND;
  const AttestBox box = { 16, 12, 16, 12, 0.98f };
  g_autoptr (AttestVideoPaintable) paintable = attest_video_paintable_new ();
  g_autoptr (AttestDetections) detections = attest_detections_new (t, 50, 64, 48, &box, 1);
  g_autoptr (GListModel) controllers = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = attest_video_view_new ();
  AttestVideoView *v = ATTEST_VIDEO_VIEW (view);
  graphene_rect_t rect;
  double x, y, clicked[2] = { -1, -1 };

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 240);
  gtk_window_set_child (GTK_WINDOW (window), view);
  attest_video_view_set_paintable (v, GDK_PAINTABLE (paintable));
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  g_assert_cmpint (gtk_widget_get_width (view), ==, 400);
  g_assert_cmpint (gtk_widget_get_height (view), ==, 240);

  /* No frame yet: nothing to map. */
  g_assert_false (attest_video_view_get_video_rect (v, &rect));

  show_frame (paintable, t);

  /* 4:3 in 400x240: 320x240 with 40 px bars left and right. */
  g_assert_true (attest_video_view_get_video_rect (v, &rect));
  g_assert_cmpfloat (rect.origin.x, ==, 40);
  g_assert_cmpfloat (rect.origin.y, ==, 0);
  g_assert_cmpfloat (rect.size.width, ==, 320);
  g_assert_cmpfloat (rect.size.height, ==, 240);
  g_assert_true (attest_video_view_stream_to_widget (v, 32, 24, &x, &y));
  g_assert_cmpfloat (x, ==, 200);
  g_assert_cmpfloat (y, ==, 120);
  g_assert_true (attest_video_view_widget_to_stream (v, 120, 60, &x, &y));
  g_assert_cmpfloat (x, ==, 16);
  g_assert_cmpfloat (y, ==, 12);
  g_assert_false (attest_video_view_widget_to_stream (v, 20, 120, &x, &y));  /* black bar */

  /* A click on the frame reports stream pixels. */
  g_signal_connect (view, "stream-clicked", G_CALLBACK (on_stream_clicked), clicked);
  controllers = gtk_widget_observe_controllers (view);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        g_signal_emit_by_name (controller, "pressed", 1, 200.0, 120.0);
    }
  g_assert_cmpfloat (clicked[0], ==, 32);
  g_assert_cmpfloat (clicked[1], ==, 24);

  /* No detections: no boxes. */
  g_assert_false (attest_video_view_get_boxes_shown (v));
  g_assert_cmpuint (count_blue (view), ==, 0);

  /* Detections of the frame on screen: one box, drawn. */
  attest_video_view_set_analysis_interval (v, 80 * GST_MSECOND);
  attest_video_view_set_detections (v, detections);
  g_assert_true (attest_video_view_get_boxes_shown (v));
  g_assert_cmpuint (attest_video_view_get_visible_faces (v), ==, 1);
  g_assert_cmpuint (count_blue (view), >, 4 * 50);

  /* A later frame within one analysis interval keeps the box... */
  show_frame (paintable, t + 40 * GST_MSECOND);
  g_assert_true (attest_video_view_get_boxes_shown (v));
  g_assert_cmpuint (count_blue (view), >, 4 * 50);

  /* ...a later one beyond it does not... */
  show_frame (paintable, t + 200 * GST_MSECOND);
  g_assert_false (attest_video_view_get_boxes_shown (v));
  g_assert_cmpuint (attest_video_view_get_visible_faces (v), ==, 0);
  g_assert_cmpuint (count_blue (view), ==, 0);

  /* ...nor an earlier frame, however close. */
  show_frame (paintable, t - 40 * GST_MSECOND);
  g_assert_false (attest_video_view_get_boxes_shown (v));
  g_assert_cmpuint (count_blue (view), ==, 0);

  /* Without a measured interval only the analysed frame itself gets boxes. */
  attest_video_view_set_analysis_interval (v, 0);
  show_frame (paintable, t + 40 * GST_MSECOND);
  g_assert_false (attest_video_view_get_boxes_shown (v));
  show_frame (paintable, t);
  g_assert_true (attest_video_view_get_boxes_shown (v));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* The video page's layout on its own: the panel beside the main widget in a wide window (at
 * most a third of it, never past its natural width), below it in a narrow one. */
static void
test_side_layout (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *main_child = gtk_drawing_area_new ();
  GtkWidget *side = gtk_label_new ("A side panel with some words in it");
  AttestSideLayout *layout;
  graphene_rect_t m, p;

  gtk_widget_set_layout_manager (box, attest_side_layout_new ());
  layout = ATTEST_SIDE_LAYOUT (gtk_widget_get_layout_manager (box));
  gtk_widget_set_size_request (main_child, 200, 150);
  gtk_widget_set_size_request (side, 300, 120);
  gtk_box_append (GTK_BOX (box), main_child);
  gtk_box_append (GTK_BOX (box), side);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);

  /* Narrow: below, full width. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_true (gtk_widget_compute_bounds (main_child, box, &m));
  g_assert_true (gtk_widget_compute_bounds (side, box, &p));
  g_test_message ("360x640: main %.0fx%.0f, side %.0fx%.0f at %.0f,%.0f", m.size.width,
                  m.size.height, p.size.width, p.size.height, p.origin.x, p.origin.y);
  g_assert_true (attest_side_layout_get_stacked (layout));
  g_assert_cmpfloat (p.size.width, ==, 360);
  g_assert_cmpfloat (p.origin.y, ==, m.size.height);
  g_assert_cmpfloat (p.size.height, >=, 120);
  g_assert_cmpfloat (p.size.height, <=, 640 * 0.45 + 1);
  g_assert_cmpfloat (m.size.height + p.size.height, ==, 640);

  /* Wide: beside, bounded. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_test_widget_wait_for_draw (window);
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_true (gtk_widget_compute_bounds (main_child, box, &m));
  g_assert_true (gtk_widget_compute_bounds (side, box, &p));
  g_test_message ("1200x800: main %.0fx%.0f, side %.0fx%.0f at %.0f,%.0f", m.size.width,
                  m.size.height, p.size.width, p.size.height, p.origin.x, p.origin.y);
  g_assert_false (attest_side_layout_get_stacked (layout));
  g_assert_cmpfloat (p.origin.x, ==, m.size.width);
  g_assert_cmpfloat (p.size.width, >=, 300);
  g_assert_cmpfloat (p.size.width, <=, 1200 / 3.0);
  g_assert_cmpfloat (m.size.width + p.size.width, ==, 1200);
  g_assert_cmpfloat (p.size.height, ==, 800);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Buttons in a row that wraps: one row when they fit, more when not, none cut; an expanding
 * spacer takes a row's spare width. */
static void
test_wrap_layout (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *spring = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *buttons[4];
  graphene_rect_t b[4], sp;
  int min = 0;

  gtk_widget_set_layout_manager (box, attest_wrap_layout_new (8));
  buttons[0] = gtk_button_new_with_label ("Undo");
  gtk_box_append (GTK_BOX (box), buttons[0]);
  gtk_widget_set_hexpand (spring, TRUE);
  gtk_box_append (GTK_BOX (box), spring);
  for (int i = 1; i < 4; i++)
    {
      buttons[i] = gtk_button_new_with_label ("A Decision");
      gtk_widget_set_size_request (buttons[i], 120, -1);
      gtk_box_append (GTK_BOX (box), buttons[i]);
    }
  gtk_widget_set_valign (box, GTK_ALIGN_START);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_assert_cmpint (min, ==, 120);

  /* Wide: one row, Undo at the start, the decisions at the end. */
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 200);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  while (g_main_context_iteration (NULL, FALSE));
  for (int i = 0; i < 4; i++)
    g_assert_true (gtk_widget_compute_bounds (buttons[i], box, &b[i]));
  g_assert_true (gtk_widget_compute_bounds (spring, box, &sp));
  g_assert_cmpfloat (b[0].origin.x, ==, 0);
  for (int i = 1; i < 4; i++)
    g_assert_cmpfloat (b[i].origin.y, ==, b[0].origin.y);
  g_assert_cmpfloat (b[3].origin.x + b[3].size.width, ==, 900);
  g_assert_cmpfloat (sp.size.width, >, 300);

  /* Narrow: rows, every button whole and inside. */
  gtk_window_set_default_size (GTK_WINDOW (window), 260, 200);
  gtk_test_widget_wait_for_draw (window);
  while (g_main_context_iteration (NULL, FALSE));
  for (int i = 0; i < 4; i++)
    {
      g_assert_true (gtk_widget_compute_bounds (buttons[i], box, &b[i]));
      g_test_message ("260 wide: button %d %.0fx%.0f at %.0f,%.0f", i, b[i].size.width,
                      b[i].size.height, b[i].origin.x, b[i].origin.y);
      g_assert_cmpfloat (b[i].origin.x + b[i].size.width, <=, 260);
      g_assert_cmpfloat (b[i].size.width, >=, i == 0 ? 1 : 120);
    }
  g_assert_cmpfloat (b[3].origin.y, >, b[1].origin.y);
  g_assert_cmpfloat (gtk_widget_get_height (box), >=, b[3].origin.y + b[3].size.height);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int result;

  if (!ui_test_init (&argc, &argv))
    return 0;

  vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_assert_no_error (error);

  g_test_add_func ("/window/empty", test_empty_window);
  g_test_add_func ("/window/side-layout", test_side_layout);
  g_test_add_func ("/window/wrap-layout", test_wrap_layout);
  g_test_add_func ("/window/video-boxes", test_video_boxes);
  g_test_add_func ("/window/boxes-while-playing", test_boxes_while_playing);
  g_test_add_func ("/window/bad-file-keeps-video", test_bad_file_keeps_video);
  g_test_add_func ("/window/drop-opens-video", test_drop_opens_video);
  g_test_add_func ("/window/size-saved", test_window_size_saved);
  g_test_add_func ("/window/no-camera", test_no_camera);
  g_test_add_func ("/window/models-banner", test_models_banner);
  g_test_add_func ("/preferences/threshold", test_preferences);
  g_test_add_func ("/video-view/pts-rule-and-mapping", test_view_pts_rule_and_mapping);

  result = g_test_run ();

  g_clear_pointer (&vision, attest_vision_free);
  return result;
}

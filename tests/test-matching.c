/* test-matching.c: live matching in the video view, under a real display (xvfb-run), on the
 * real sample video, with a real gallery of the five johns enrolled from their photos that
 * the video does NOT use. What is asserted is what a reviewer sees: the label of each face,
 * the colour and dashes of its box, the candidate panel's rows and the false-match text. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/attest-preferences-window.h"
#include "media/attest-video-paintable.h"
#include "app/attest-enrol-dialog-private.h"
#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "review/attest-importer.h"
#include "review/attest-review-queue.h"
#include "review/attest-search.h"
#include "store/attest-gallery.h"
#include "store/attest-review.h"
#include <sqlite3.h>
#include "widgets/attest-candidate-panel.h"
#include "widgets/attest-candidate-row.h"
#include "widgets/attest-match-text.h"
#include "widgets/attest-video-view.h"

#define WAIT_SECONDS 90

#include "test-sample-gallery.h"
#include "test-ui-helpers.h"

static AttestVision *vision;
static AttestStore *store;
static AttestMatcher *matcher;
static GHashTable *names;
static AttestImpostorStats stats;
static gboolean stats_enough;
static char *tmp_dir;
static JsonObject *truth;  /* the sample's ground truth */
static SampleTruth *sample_truth;

/* ---- helpers ---------------------------------------------------------------------- */

/* The suggestion amber #f5c211. */
static gboolean
is_amber (const guchar *p)
{
  return ABS (p[2] - 0xf5) <= 14 && ABS (p[1] - 0xc2) <= 14 && ABS (p[0] - 0x11) <= 20;
}

/* The neutral grey #c0bfbc of "No match" and "too poor to compare". */
static gboolean
is_neutral (const guchar *p)
{
  return ABS (p[2] - 0xc0) <= 8 && ABS (p[1] - 0xbf) <= 8 && ABS (p[0] - 0xbc) <= 8;
}

/* Fraction of points along the edges of r (1 px apart) with the colour within `radius`. A
 * solid outline scores ~1 at radius 2; a dashed one (10 on, 6 off) ~0.6 at radius 0. */
static double
outline_fraction (const Pixels          *pixels,
                  const graphene_rect_t *r,
                  int                    radius,
                  ColourTest             test)
{
  int hits = 0, total = 0;

  for (double t = 4; t < r->size.width - 4; t += 1)
    {
      hits += colour_near (pixels, r->origin.x + t, r->origin.y - 0.5, radius, test);
      hits += colour_near (pixels, r->origin.x + t, r->origin.y + r->size.height + 0.5, radius, test);
      total += 2;
    }
  for (double t = 4; t < r->size.height - 4; t += 1)
    {
      hits += colour_near (pixels, r->origin.x - 0.5, r->origin.y + t, radius, test);
      hits += colour_near (pixels, r->origin.x + r->size.width + 0.5, r->origin.y + t, radius, test);
      total += 2;
    }
  return total > 0 ? (double) hits / total : 0;
}

/* ---- the gallery: every johns photo the sample video does not show ------------------ */

static void
build_gallery (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;
  g_autoptr (AttestImporter) importer = NULL;
  guint enrolled, skipped = 0;

  sample_truth = sample_truth_load ();
  truth = sample_truth->root;

  tmp_dir = g_dir_make_tmp ("attest-matching-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmp_dir, "gallery.db", NULL);
  store = attest_store_open (db, &error);
  g_assert_no_error (error);

  importer = attest_importer_new (store, vision, "Test Reviewer",
                                  "dlib example photos, labelled by folder");
  enrolled = sample_gallery_import (sample_truth, importer, &skipped);
  g_test_message ("gallery: %u faces enrolled, %u photos skipped", enrolled, skipped);
  g_assert_cmpuint (enrolled, >=, 10);

  matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
  g_assert_cmpint (attest_matcher_load_from_store (matcher, store,
                                                   attest_vision_get_model_id (vision), &error),
                   ==, enrolled);
  g_assert_no_error (error);

  names = sample_identity_names (store);
  g_assert_cmpuint (g_hash_table_size (names), ==, 5);

  stats_enough = attest_matcher_impostor_stats (matcher, ATTEST_MATCHER_DEFAULT_THRESHOLD, &stats);
  g_assert_true (stats_enough);
  g_test_message ("impostor stats at 0.45: %u of %u probes matched another person, "
                  "upper 95%% %.3f", stats.n_probes_matched, stats.n_probes,
                  stats.gallery_fmr_upper95);
}

/* The person the ground truth puts under `box` at pts (NULL: none overlaps). */
static const char *
truth_person (GstClockTime     pts,
              const AttestBox *box)
{
  JsonArray *frames = json_object_get_array_member (truth, "frames");
  const char *best_person = NULL;
  float best = 0.3f;

  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *frame = json_array_get_object_element (frames, i);
      JsonArray *faces;

      if ((GstClockTime) json_object_get_int_member (frame, "pts_ms") * GST_MSECOND != pts)
        continue;
      faces = json_object_get_array_member (frame, "faces");
      for (guint j = 0; j < json_array_get_length (faces); j++)
        {
          JsonObject *face = json_array_get_object_element (faces, j);
          AttestBox t = { json_object_get_double_member (face, "x"),
                          json_object_get_double_member (face, "y"),
                          json_object_get_double_member (face, "w"),
                          json_object_get_double_member (face, "h"), 1 };
          float iou = attest_box_iou (&t, box);

          if (iou > best)
            {
              best = iou;
              best_person = json_object_get_string_member (face, "person");
            }
        }
    }
  return best_person;
}

/* ---- the window --------------------------------------------------------------------- */

static AttestWindow *
new_window (void)
{
  AttestWindow *window = attest_window_new (NULL, NULL);

  attest_window_set_vision (window, vision);
  attest_window_set_store (window, store);
  attest_window_set_matcher (window, matcher, names);
  attest_window_set_impostor_stats (window, &stats, stats_enough);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 720);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

/* The view shows boxes computed for the target frame, every face compared or judged. */
static gboolean
matched_on_target (gpointer data)
{
  FrameWait *wait = data;
  AttestDetections *d = attest_video_view_get_detections (wait->view);
  GdkPaintable *paintable = attest_video_view_get_paintable (wait->view);

  if (d == NULL || d->pts != wait->target || d->info == NULL || d->n_faces == 0 ||
      attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (paintable)) != wait->target ||
      !attest_video_view_get_boxes_shown (wait->view))
    return FALSE;
  for (guint i = 0; i < d->n_faces; i++)
    if (!d->info[i].compared && d->info[i].quality_reason == NULL)
      return FALSE;
  return TRUE;
}

/* The frame nearest `ms` in the sample (frames are 40 ms apart). */
static GstClockTime
frame_pts (guint ms)
{
  return (GstClockTime) (ms / 40 * 40) * GST_MSECOND;
}

static AttestWindow *
open_at (GstClockTime pts)
{
  AttestWindow *window = new_window ();
  g_autoptr (GFile) file = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  FrameWait wait = { view, pts };

  open_paused_at (window, file, pts);
  g_assert_cmpstr (_attest_window_get_last_toast_title (window), ==, NULL);
  g_assert_true (wait_for (matched_on_target, &wait));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

static void
click_view (AttestVideoView *view,
            int              n_press,
            double           x,
            double           y)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        g_signal_emit_by_name (controller, "pressed", n_press, x, y);
    }
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
on_face_activated (AttestVideoView *view,
                   guint            track_id,
                   int              index,
                   int             *out)
{
  out[0] = (int) track_id;
  out[1] = index;
}

static void
on_box_drawn (AttestVideoView *view,
              double           x,
              double           y,
              double           w,
              double           h,
              double          *out)
{
  out[0] = x;
  out[1] = y;
  out[2] = w;
  out[3] = h;
}

static gboolean
label_is_score (GtkWidget     *widget,
                gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
has_more_than_one (gpointer data)
{
  return g_list_model_get_n_items (data) > 1;
}

static void
test_suggestion_and_panel (void)
{
  /* 3 s: John_Salley (175 px) and John_Savage (130 px) cards, both whole. */
  GstClockTime pts = frame_pts (3000);
  AttestWindow *window = open_at (pts);
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  AttestDetections *d = attest_video_view_get_detections (view);
  AttestCandidatePanel *panel = _attest_video_page_get_candidate_panel (window->video_page);
  g_autoptr (GdkTexture) texture = NULL;
  g_auto (Pixels) pixels = { 0 };
  graphene_rect_t rect;
  guint suggestions = 0;
  int activated[2] = { -1, -1 };
  int selected = -1;

  for (guint i = 0; i < d->n_faces; i++)
    {
      const char *person = truth_person (pts, &d->faces[i]);
      const AttestFaceInfo *info = attest_detections_get_info (d, i);
      g_autofree char *label = attest_video_view_get_face_label (view, i);
      g_autofree char *expected = NULL;

      g_test_message ("face %u (%s, %.0f px, track %u): %s", i, person, d->faces[i].w,
                      info->track_id, label);
      if (person == NULL)
        continue;

      /* The right person is suggested, with the score beside the threshold. */
      g_assert_cmpint (attest_video_view_get_face_state (view, i), ==,
                       ATTEST_FACE_STATE_SUGGESTION);
      g_assert_cmpuint (info->n_candidates, >=, 1);
      g_assert_cmpstr (info->candidates[0].name, ==, person);
      g_assert_cmpfloat (info->candidates[0].score, >=, 0.45);
      g_assert_cmpuint (info->track_id, >, 0);
      expected = g_strdup_printf ("Suggestion: %s · %.2f (threshold 0.45)", person,
                                  info->candidates[0].score);
      g_assert_cmpstr (label, ==, expected);
      suggestions++;
      selected = (int) i;
    }
  g_assert_cmpuint (suggestions, ==, 2);

  /* Dashed amber outlines on the suggested faces: amber all round within a dash gap, with
   * gaps along the edge. */
  texture = render_widget (GTK_WIDGET (view));
  save_png (texture, "test-matching-suggestion.png");
  pixels_from_texture (&pixels, texture);
  for (guint i = 0; i < d->n_faces; i++)
    {
      double near, on;

      if (attest_video_view_get_face_state (view, i) != ATTEST_FACE_STATE_SUGGESTION)
        continue;
      g_assert_true (attest_video_view_get_face_rect (view, i, &rect));
      near = outline_fraction (&pixels, &rect, 5, is_amber);
      on = outline_fraction (&pixels, &rect, 0, is_amber);
      g_test_message ("face %u outline: amber within 5 px %.0f%%, on the line %.0f%%, blue %.0f%%",
                      i, 100 * near, 100 * on, 100 * outline_fraction (&pixels, &rect, 2, is_box_blue));
      g_assert_cmpfloat (near, >=, 0.9);
      g_assert_cmpfloat (on, >=, 0.35);
      g_assert_cmpfloat (on, <=, 0.85);  /* dashed, not solid */
      g_assert_cmpfloat (outline_fraction (&pixels, &rect, 2, is_box_blue), <, 0.05);
    }

  /* The panel sits beside the video, saying what a suggestion is, before any face is picked. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_false (attest_candidate_panel_get_has_face (panel));

  /* A click on a face selects it: the panel lists its candidates, best first. */
  g_assert_true (attest_video_view_get_face_rect (view, (guint) selected, &rect));
  click_view (view, 1, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_cmpint (attest_video_view_get_selected_face (view), ==, selected);
  g_assert_true (attest_candidate_panel_get_has_face (panel));
  g_assert_cmpuint (attest_candidate_panel_get_n_rows (panel), >=, 1);
  g_assert_cmpuint (attest_candidate_panel_get_n_rows (panel), <=, 5);
  for (guint r = 0; r < attest_candidate_panel_get_n_rows (panel); r++)
    {
      AttestCandidateRow *row = ATTEST_CANDIDATE_ROW (attest_candidate_panel_get_row (panel, r));
      double score = attest_candidate_row_get_score (row);

      g_test_message ("row %u: %u %s %s, %s", r, attest_candidate_row_get_rank (row),
                      attest_candidate_row_get_name (row),
                      attest_candidate_row_get_score_text (row),
                      attest_candidate_row_get_status_text (row));
      g_assert_cmpuint (attest_candidate_row_get_rank (row), ==, r + 1);
      g_assert_true (g_str_has_suffix (attest_candidate_row_get_score_text (row),
                                       "(threshold 0.45)"));
      /* The score's meaning, as a tooltip on it. */
      {
        GtkWidget *score_label = find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL,
                                              label_is_score,
                                              attest_candidate_row_get_score_text (row));

        g_assert_nonnull (score_label);
        g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (score_label),
                                  "only a reviewer's confirmation makes a match"));
      }
      if (r > 0)
        g_assert_cmpfloat (score, <=, attest_candidate_row_get_score (
                             ATTEST_CANDIDATE_ROW (attest_candidate_panel_get_row (panel, r - 1))));
      g_assert_cmpint (attest_candidate_row_get_suggested (row), ==, score >= 0.45);
      if (score < 0.45)
        g_assert_cmpstr (attest_candidate_row_get_status_text (row), ==,
                         "below threshold — not a match");
    }
  g_assert_cmpstr (attest_candidate_row_get_name (ATTEST_CANDIDATE_ROW (
                     attest_candidate_panel_get_row (panel, 0))), ==,
                   truth_person (pts, &d->faces[selected]));
  g_assert_true (g_str_has_prefix (attest_candidate_panel_get_fmr_text (panel), "At 0.45, "));
  g_assert_nonnull (strstr (attest_candidate_panel_get_fmr_text (panel),
                            "gallery faces matched another person"));
  g_assert_true (g_str_has_prefix (attest_candidate_panel_get_state_text (panel), "Suggestion: "));
  /* Counted among the faces on screen, not by track number. */
  {
    g_autofree char *title = g_strdup_printf ("Face %d of 2", selected + 1);

    g_assert_cmpstr (attest_candidate_panel_get_title_text (panel), ==, title);
  }

  /* Let thumbnails arrive, then look at the window. */
  for (int k = 0; k < 50; k++)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
  g_clear_object (&texture);
  texture = render_widget (GTK_WIDGET (window));
  save_png (texture, "test-matching-panel.png");

  /* A double click asks for enrolment of that face. */
  g_signal_connect (view, "face-activated", G_CALLBACK (on_face_activated), activated);
  click_view (view, 2, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_cmpint (activated[1], ==, selected);
  g_assert_cmpint (activated[0], ==, (int) attest_detections_get_info (d, selected)->track_id);
  /* The enrol dialog it opens offers the suggested person first, not "New Person". */
  {
    AttestEnrolDialog *dialog = NULL;
    AdwComboRow *row;
    GListModel *people;

    for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
      if (ATTEST_IS_ENROL_DIALOG (l->data))
        dialog = l->data;
    g_assert_nonnull (dialog);
    row = _attest_enrol_dialog_get_identity_row (dialog);
    people = adw_combo_row_get_model (row);
    g_assert_true (wait_for (has_more_than_one, people));
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (people),
                                                 adw_combo_row_get_selected (row)), ==,
                     truth_person (pts, &d->faces[selected]));
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  /* Paused, a drag away from the boxes draws one by hand, reported in stream pixels. */
  {
    GtkGesture *drag = GTK_GESTURE (find_controller (GTK_WIDGET (view), GTK_TYPE_GESTURE_DRAG));
    double drawn[4] = { -1, -1, -1, -1 };
    graphene_rect_t video;
    double x, y;

    g_assert_nonnull (drag);
    g_assert_true (attest_video_view_get_can_draw_box (view));
    g_assert_true (attest_video_view_get_video_rect (view, &video));
    g_signal_connect (view, "box-drawn", G_CALLBACK (on_box_drawn), drawn);
    x = video.origin.x + video.size.width - 120;
    y = video.origin.y + video.size.height - 120;
    g_signal_emit_by_name (drag, "drag-begin", x, y);
    g_signal_emit_by_name (drag, "drag-update", 60.0, 80.0);
    g_signal_emit_by_name (drag, "drag-end", 60.0, 80.0);
    g_assert_cmpfloat (drawn[2], >, 0);
    g_assert_cmpfloat (fabs (drawn[2] - 60.0 * 1280 / video.size.width), <, 1.0);
    g_assert_cmpfloat (fabs (drawn[3] - 80.0 * 720 / video.size.height), <, 1.0);
    g_assert_cmpfloat (fabs (drawn[0] - (x - video.origin.x) * 1280 / video.size.width), <, 1.0);
  }

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* The panel shows someone only while they are there: a seek to a frame without the selected
 * face clears it, and so does opening another video. */
static void
test_panel_follows_face (void)
{
  GstClockTime pts = frame_pts (3000);
  AttestWindow *window = open_at (pts);
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  AttestCandidatePanel *panel = _attest_video_page_get_candidate_panel (window->video_page);
  g_autoptr (GFile) file = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  GstClockTime group = frame_pts (18500);
  FrameWait wait = { view, group };
  graphene_rect_t rect;

  /* John_Salley's or John_Savage's card, selected. */
  g_assert_true (attest_video_view_get_face_rect (view, 0, &rect));
  click_view (view, 1, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_true (attest_candidate_panel_get_has_face (panel));
  g_assert_cmpuint (attest_video_view_get_selected_track (view), >, 0);

  /* 18.5 s, paused: the group photo; the selected card is not on this frame. */
  attest_pipeline_seek (_attest_video_page_get_pipeline (_attest_window_get_video_page (window)), group);
  g_assert_true (wait_for (matched_on_target, &wait));
  while (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpint (attest_video_view_get_selected_face (view), ==, -1);
  g_assert_cmpuint (attest_video_view_get_selected_track (view), ==, 0);
  g_assert_false (attest_candidate_panel_get_has_face (panel));

  /* A face of the group, selected; then another video: nobody from this one stays. */
  g_assert_true (attest_video_view_get_face_rect (view, 0, &rect));
  click_view (view, 1, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_true (attest_candidate_panel_get_has_face (panel));
  attest_window_open_file (window, file);
  g_assert_true (wait_for (window_done_opening, window));
  g_assert_cmpuint (attest_video_view_get_selected_track (view), ==, 0);
  g_assert_false (attest_candidate_panel_get_has_face (panel));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

/* ---- sizes ---------------------------------------------------------------------------- */

/* Whether `widget`'s allocation lies inside `window` and is at least its minimum size. */
static gboolean
fits (GtkWidget  *widget,
      GtkWidget  *window,
      const char *what,
      GString    *problems)
{
  graphene_rect_t bounds;
  int min_w = 0, min_h = 0;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    {
      g_string_append_printf (problems, "\n  %s: not laid out", what);
      return FALSE;
    }
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, (int) bounds.size.width, &min_h, NULL,
                      NULL, NULL);
  if (bounds.origin.x < -0.5 || bounds.origin.y < -0.5 ||
      bounds.origin.x + bounds.size.width > gtk_widget_get_width (window) + 0.5 ||
      bounds.origin.y + bounds.size.height > gtk_widget_get_height (window) + 0.5 ||
      bounds.size.width + 0.5 < min_w || bounds.size.height + 0.5 < min_h ||
      bounds.size.width < 1 || bounds.size.height < 1)
    {
      g_string_append_printf (problems, "\n  %s: %.0fx%.0f at %.0f,%.0f (needs %dx%d) in %dx%d",
                              what, bounds.size.width, bounds.size.height, bounds.origin.x,
                              bounds.origin.y, min_w, min_h, gtk_widget_get_width (window),
                              gtk_widget_get_height (window));
      return FALSE;
    }
  return TRUE;
}

/* From a narrow window to a 4K screen, the video page shows the video and the selected face's
 * candidates whole: the panel beside the video, at most a third of the width, or below it
 * in a narrow window. Screenshots: test-matching-size-WxH.png. */
static void
test_window_sizes (void)
{
  static const int sizes[][2] = { { 360, 640 }, { 800, 600 }, { 1366, 768 }, { 2560, 1440 } };
  AttestWindow *window = open_at (frame_pts (3000));
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  GtkWidget *panel = GTK_WIDGET (_attest_video_page_get_candidate_panel (window->video_page));
  g_autoptr (GString) problems = g_string_new (NULL);
  graphene_rect_t rect;

  g_assert_true (attest_video_view_get_face_rect (view, 0, &rect));
  click_view (view, 1, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_true (attest_candidate_panel_get_has_face (_attest_video_page_get_candidate_panel (window->video_page)));

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *name = g_strdup_printf ("test-matching-size-%dx%d.png", sizes[i][0],
                                               sizes[i][1]);
      GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));
      graphene_rect_t video, side;
      int min_w = 0;

      {
        GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
        GdkMonitor *monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
        GdkRectangle screen;

        gdk_monitor_get_geometry (monitor, &screen);
        g_object_unref (monitor);
        if (screen.width < sizes[i][0] || screen.height < sizes[i][1])
          {
            g_test_message ("%dx%d: larger than this screen (%dx%d), not tried", sizes[i][0],
                            sizes[i][1], screen.width, screen.height);
            continue;
          }
      }
      gtk_window_set_default_size (GTK_WINDOW (window), sizes[i][0], sizes[i][1]);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      /* The header's switcher cross-fades to the title in a narrow window: let the picture
       * settle (only the screenshot depends on it, no assertion). */
      {
        gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

        while (g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, FALSE);
      }
      gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL,
                          NULL, NULL);
      save_widget_png (GTK_WIDGET (window), name);
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (view), content, &video));
      g_assert_true (gtk_widget_compute_bounds (panel, content, &side));
      g_test_message ("%dx%d: window %dx%d (at least %d wide), video %.0fx%.0f, panel %.0fx%.0f"
                      " at %.0f,%.0f", sizes[i][0], sizes[i][1], gtk_widget_get_width (content),
                      gtk_widget_get_height (content), min_w, video.size.width,
                      video.size.height, side.size.width, side.size.height, side.origin.x,
                      side.origin.y);
      /* The window is the size asked for: nothing in it needs more. */
      if (min_w > sizes[i][0])
        g_string_append_printf (problems, "\n  %dx%d: the window needs %d px", sizes[i][0],
                                sizes[i][1], min_w);
      fits (GTK_WIDGET (view), content, "video", problems);
      fits (panel, content, "candidate panel", problems);
      /* A wide window gives the room to the video: the panel beside it takes at most a
       * third of a wide window, and never more than the video. */
      if (side.origin.x > 0 &&
          side.size.width > gtk_widget_get_width (content) /
                            (gtk_widget_get_width (content) >= 1200 ? 3.0 : 2.0) + 1)
        g_string_append_printf (problems, "\n  %dx%d: the panel takes %.0f of %d px",
                                sizes[i][0], sizes[i][1], side.size.width,
                                gtk_widget_get_width (content));
    }
  if (problems->len > 0)
    g_error ("cut off or badly shared:%s", problems->str);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_group_no_match (void)
{
  /* 18.5 s: the group photo, three people who are not in the gallery. */
  GstClockTime pts = frame_pts (18500);
  AttestWindow *window = open_at (pts);
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  AttestDetections *d = attest_video_view_get_detections (view);
  g_autoptr (GdkTexture) texture = NULL;
  g_auto (Pixels) pixels = { 0 };
  guint no_match = 0;

  texture = render_widget (GTK_WIDGET (view));
  save_png (texture, "test-matching-no-match.png");
  pixels_from_texture (&pixels, texture);

  for (guint i = 0; i < d->n_faces; i++)
    {
      const AttestFaceInfo *info = attest_detections_get_info (d, i);
      g_autofree char *label = attest_video_view_get_face_label (view, i);
      graphene_rect_t rect;

      g_test_message ("face %u (%.0f px): %s; best %s %.2f", i, d->faces[i].w, label,
                      info->n_candidates > 0 ? info->candidates[0].name : "-",
                      info->n_candidates > 0 ? info->candidates[0].score : NAN);
      g_assert_cmpint (attest_video_view_get_face_state (view, i), ==,
                       ATTEST_FACE_STATE_NO_MATCH);
      g_assert_cmpstr (label, ==, "No match");
      g_assert_true (info->compared);
      g_assert_true (info->n_candidates == 0 || info->candidates[0].score < 0.45);

      /* A solid neutral outline, no amber. */
      g_assert_true (attest_video_view_get_face_rect (view, i, &rect));
      g_assert_cmpfloat (outline_fraction (&pixels, &rect, 2, is_neutral), >=, 0.9);
      g_assert_cmpfloat (outline_fraction (&pixels, &rect, 2, is_amber), <, 0.05);
      no_match++;
    }
  g_assert_cmpuint (no_match, >=, 3);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_small_cards (void)
{
  /* 24.5 s: three small cards, faces ~43-51 px wide. */
  GstClockTime pts = frame_pts (24500);
  AttestWindow *window = open_at (pts);
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  AttestDetections *d = attest_video_view_get_detections (view);
  g_autoptr (GdkTexture) texture = NULL;
  guint judged = 0;

  texture = render_widget (GTK_WIDGET (view));
  save_png (texture, "test-matching-small.png");

  for (guint i = 0; i < d->n_faces; i++)
    {
      const char *person = truth_person (pts, &d->faces[i]);
      const AttestFaceInfo *info = attest_detections_get_info (d, i);
      AttestFaceState state = attest_video_view_get_face_state (view, i);
      g_autofree char *label = attest_video_view_get_face_label (view, i);

      g_test_message ("face %u (%s, %.0f px): %s", i, person, d->faces[i].w, label);
      if (person == NULL)
        continue;
      judged++;

      if (state == ATTEST_FACE_STATE_SUGGESTION)
        {
          /* Matched: then to the right person. */
          g_assert_cmpstr (info->candidates[0].name, ==, person);
          continue;
        }

      /* Otherwise too poor, with the gate's own reason and figures. */
      g_assert_cmpint (state, ==, ATTEST_FACE_STATE_POOR);
      g_assert_true (g_str_has_prefix (label, "Too poor to compare: "));
      g_assert_true (info->assessed);
      g_assert_cmpint (info->quality.issue, !=, ATTEST_QUALITY_OK);
      if (info->quality.issue == ATTEST_QUALITY_TOO_SMALL)
        {
          const char *needs = strstr (label, "needs ");
          g_autofree char *px = g_strdup_printf ("(%.0f px;", info->quality.width);

          g_assert_nonnull (needs);
          g_assert_nonnull (strstr (label, px));
          g_assert_cmpfloat (info->quality.width, <, g_ascii_strtod (needs + 6, NULL));
        }
    }
  g_assert_cmpuint (judged, >=, 2);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_fmr_texts (void)
{
  g_autoptr (AttestSettings) settings = attest_settings_new ();
  GtkWidget *preferences = attest_preferences_window_new (NULL, settings);
  AttestImpostorStats few = { 0 };
  g_autofree char *expected = NULL;
  const char *text;

  gtk_window_present (GTK_WINDOW (preferences));
  gtk_test_widget_wait_for_draw (preferences);

  /* Before the gallery is in, and on a gallery too small to say anything. */
  g_assert_nonnull (strstr (attest_preferences_window_get_fmr_text (
                              ATTEST_PREFERENCES_WINDOW (preferences)), "Estimating"));
  few.threshold = 0.45;
  attest_preferences_window_set_impostor_stats (ATTEST_PREFERENCES_WINDOW (preferences), &few, FALSE);
  g_assert_cmpstr (attest_preferences_window_get_fmr_text (ATTEST_PREFERENCES_WINDOW (preferences)),
                   ==, "Not enough gallery faces to estimate the false-match rate (needs 2 people "
                   "and 10 faces)");

  /* This gallery: the measured counts and the rounded-up 95% bound. */
  attest_preferences_window_set_impostor_stats (ATTEST_PREFERENCES_WINDOW (preferences),
                                                &stats, stats_enough);
  text = attest_preferences_window_get_fmr_text (ATTEST_PREFERENCES_WINDOW (preferences));
  g_test_message ("%s", text);
  if (stats.n_probes_matched == 0)
    expected = g_strdup_printf ("At 0.45, 0 of %u gallery faces matched another person "
                                "(estimated false-match rate under %.1f%%, 95%% bound)",
                                stats.n_probes, ceil (stats.gallery_fmr_upper95 * 1000) / 10);
  else
    expected = attest_match_text_fmr (&stats, TRUE);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpfloat (ceil (stats.gallery_fmr_upper95 * 1000) / 10, >=,
                     100.0 * stats.gallery_fmr_upper95);

  destroy_and_check_finalized (GTK_WINDOW (preferences));
}

/* ---- review queue from playback ----------------------------------------------------- */

static gboolean
position_reached (gpointer data)
{
  FrameWait *wait = data;
  AttestWindow *window = ATTEST_WINDOW (gtk_widget_get_root (GTK_WIDGET (wait->view)));
  AttestPipeline *pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));

  return attest_pipeline_get_position (pipeline) >= wait->target;
}

static gint64
count_rows (const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (attest_store_get_path (store), &db, SQLITE_OPEN_READONLY,
                                    NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

typedef struct
{
  guint      n;
  GPtrArray *summaries;
} Ended;

static void
on_track_ended (AttestPipeline     *pipeline,
                AttestTrackSummary *summary,
                const char         *uri,
                Ended              *ended)
{
  ended->n++;
  g_ptr_array_add (ended->summaries, attest_track_summary_ref (summary));
}

static const AttestTrackSummary *
summary_for (GPtrArray  *summaries,
             const char *person)
{
  for (guint i = 0; i < summaries->len; i++)
    {
      const AttestTrackSummary *summary = g_ptr_array_index (summaries, i);

      if (summary->n_candidates > 0 && g_str_equal (summary->candidates[0].name, person))
        return summary;
    }
  return NULL;
}

/* Pending items of the sample that name `person` first and overlap [from_ms, to_ms]. */
static guint
items_for (GPtrArray  *items,
           const char *person,
           gint64      from_ms,
           gint64      to_ms)
{
  guint n = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const AttestReviewItem *item = g_ptr_array_index (items, i);

      if (item->n_candidates > 0 && g_strcmp0 (item->candidates[0].name, person) == 0 &&
          item->start_ms <= to_ms && from_ms <= item->end_ms)
        n++;
    }
  return n;
}

static gint64
items_candidate (GPtrArray *items,
                 gint64     item_id)
{
  for (guint i = 0; i < items->len; i++)
    {
      const AttestReviewItem *item = g_ptr_array_index (items, i);

      if (item->id == item_id)
        return item->candidates[0].identity_id;
    }
  g_assert_not_reached ();
}

static void
play_until (AttestWindow *window,
            guint         ms)
{
  AttestPipeline *pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  FrameWait wait = { _attest_video_page_get_video_view (_attest_window_get_video_page (window)), frame_pts (ms) };

  attest_pipeline_play (pipeline);
  g_assert_true (wait_for (position_reached, &wait));
  attest_pipeline_pause (pipeline);
  g_assert_true (wait_for (not_playing, pipeline));
}

/* Every face on its way into the queue (written off the main thread) has been written. */
static gboolean
queue_written (gpointer data)
{
  return _attest_video_page_get_queue_in_flight (_attest_window_get_video_page (data)) == 0;
}

typedef struct
{
  AttestWindow *window;
  const char   *prefix;
  const char   *suffix;
} ToastWait;

static gboolean
toast_shown (gpointer data)
{
  ToastWait *wait = data;
  const char *title = _attest_window_get_last_toast_title (wait->window);

  return title != NULL && (wait->prefix == NULL || g_str_has_prefix (title, wait->prefix)) &&
         (wait->suffix == NULL || g_str_has_suffix (title, wait->suffix));
}

static void
test_queue_from_playback (void)
{
  /* 8 s to 15 s: John_Shimkus (8.7-12.9 s) and John_Simm (9.5-13.3 s) come and go. */
  AttestWindow *window = open_at (frame_pts (8000));
  AttestPipeline *pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) summaries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) attest_track_summary_unref);
  Ended ended = { 0, summaries };
  guint before_replay;

  g_signal_connect (pipeline, "track-ended", G_CALLBACK (on_track_ended), &ended);
  play_until (window, 15000);
  /* Whatever is still in view ends with a seek (and is queued too): then everything that was
   * watched is on its way, and the test waits until it is written, not for a guessed time. */
  attest_pipeline_seek (pipeline, frame_pts (15000));
  g_assert_true (wait_for (queue_written, window));

  items = attest_store_list_review_items (store, "pending", &error);
  g_assert_no_error (error);
  g_test_message ("%u tracks ended as suggestions, %u pending items", ended.n, items->len);
  g_assert_cmpuint (ended.n, >=, 2);
  g_assert_cmpuint (items_for (items, "John_Shimkus", 8700, 12900), ==, 1);
  g_assert_cmpuint (items_for (items, "John_Simm", 9500, 13300), ==, 1);

  for (guint i = 0; i < items->len; i++)
    {
      const AttestReviewItem *item = g_ptr_array_index (items, i);
      AttestBox box = { item->box_x, item->box_y, item->box_w, item->box_h, 1 };
      const char *person = truth_person ((GstClockTime) item->best_ms * GST_MSECOND, &box);
      g_autoptr (GFile) sample = g_file_new_for_path (g_getenv ("ATTEST_SAMPLE_VIDEO"));
      g_autofree char *uri = g_file_get_uri (sample);

      g_test_message ("item %" G_GINT64_FORMAT ": %s %.2f, %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                      " ms, best %" G_GINT64_FORMAT " ms (truth: %s)", item->id,
                      item->candidates[0].name, item->candidates[0].score, item->start_ms,
                      item->end_ms, item->best_ms, person);
      /* What a reviewer will see: the right face, its crop, the file it came from. */
      g_assert_cmpstr (item->candidates[0].name, ==, person);
      g_assert_cmpfloat (item->candidates[0].score, >=, item->threshold);
      g_assert_cmpfloat (item->threshold, ==, 0.45);
      g_assert_nonnull (item->probe_png);
      g_assert_nonnull (item->probe_embedding);
      g_assert_cmpstr (item->source_uri, ==, uri);
      g_assert_cmpuint (strlen (item->source_sha256), ==, 64);
    }

  /* Watching the same stretch again queues nothing new. */
  before_replay = items->len;
  attest_pipeline_seek (pipeline, frame_pts (8000));
  play_until (window, 15000);
  attest_pipeline_seek (pipeline, frame_pts (15000));
  g_assert_true (wait_for (queue_written, window));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = attest_store_list_review_items (store, "pending", &error);
  g_assert_cmpuint (items->len, ==, before_replay);

  /* Rejected: the same face in another recording (a copy with other bytes) is not
   * suggested as that person again, while the other, not rejected, still is. */
  {
    g_autofree char *copy = g_build_filename (tmp_dir, "other-recording.mp4", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *copy_uri = NULL;
    const AttestTrackSummary *shimkus = summary_for (summaries, "John_Shimkus");
    const AttestTrackSummary *simm = summary_for (summaries, "John_Simm");
    AttestReviewQueueOutcome outcome;
    gsize length;
    gint64 item_id = -1;

    g_assert_nonnull (shimkus);
    g_assert_nonnull (simm);
    for (guint i = 0; i < items->len; i++)
      {
        const AttestReviewItem *item = g_ptr_array_index (items, i);

        if (g_str_equal (item->candidates[0].name, "John_Shimkus"))
          item_id = item->id;
      }
    g_assert_true (attest_store_reject_review_item (store, item_id,
                                                    items_candidate (items, item_id),
                                                    "Test Reviewer", "not him", &error));
    g_assert_no_error (error);

    g_assert_true (g_file_get_contents (g_getenv ("ATTEST_SAMPLE_VIDEO"), &contents, &length,
                                        &error));
    g_assert_true (g_file_set_contents (copy, contents, (gssize) length - 1, &error));
    copy_uri = g_filename_to_uri (copy, NULL, &error);
    g_assert_no_error (error);

    g_assert_true (attest_review_queue_add_track (store, shimkus, copy_uri,
                                                  attest_vision_get_model_id (vision), FALSE,
                                                  &outcome, &item_id, &error));
    g_assert_no_error (error);
    g_assert_cmpint (outcome, ==, ATTEST_REVIEW_QUEUE_NOT_SUGGESTED);
    g_assert_true (attest_review_queue_add_track (store, simm, copy_uri,
                                                  attest_vision_get_model_id (vision), FALSE,
                                                  &outcome, &item_id, &error));
    g_assert_cmpint (outcome, ==, ATTEST_REVIEW_QUEUE_ADDED);
    g_unlink (copy);
  }

  /* Proposals only: watching never writes a match or an audit entry. */
  g_assert_cmpint (count_rows ("SELECT count(*) FROM matches"), ==, 0);
  g_assert_cmpint (count_rows ("SELECT count(*) FROM audit WHERE action NOT IN "
                               "('enrol', 'import', 'reject')"), ==, 0);

  destroy_and_check_finalized (GTK_WINDOW (window));
}

typedef struct
{
  AttestVideoView *view;
  const char      *person;
  gboolean         suggested;
} LabelWait;

/* The face of `person` (by the ground truth) is labelled as a suggestion of them, or not. */
static gboolean
person_labelled (gpointer data)
{
  LabelWait *wait = data;
  AttestDetections *d = attest_video_view_get_detections (wait->view);

  for (guint i = 0; d != NULL && d->info != NULL && i < d->n_faces; i++)
    {
      const AttestFaceInfo *info = attest_detections_get_info (d, i);
      gboolean suggested;

      if (g_strcmp0 (truth_person (d->pts, &d->faces[i]), wait->person) != 0 || !info->compared)
        continue;
      suggested = attest_video_view_get_face_state (wait->view, i) == ATTEST_FACE_STATE_SUGGESTION &&
                  g_str_equal (info->candidates[0].name, wait->person);
      return suggested == wait->suggested;
    }
  return FALSE;
}

static void
test_rejected_not_suggested_live (void)
{
  /* 10.04 s: the frame the reviewer rejected "John_Shimkus" on (queue-from-playback). */
  AttestWindow *window = open_at (frame_pts (10040));
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  LabelWait shimkus = { view, "John_Shimkus", FALSE };
  LabelWait simm = { view, "John_Simm", TRUE };
  g_autoptr (GError) error = NULL;
  gint64 item_id = -1;

  /* Not offered again on that face; the person next to it still is. */
  g_assert_true (wait_for (person_labelled, &shimkus));
  g_assert_true (person_labelled (&simm));
  /* Hidden, not dropped: the face still carries who rejected whom, and when. */
  {
    AttestDetections *d = attest_video_view_get_detections (view);
    gboolean found = FALSE;

    for (guint i = 0; i < d->n_faces; i++)
      {
        const AttestFaceInfo *info = attest_detections_get_info (d, i);

        if (g_strcmp0 (truth_person (d->pts, &d->faces[i]), "John_Shimkus") != 0)
          continue;
        g_assert_cmpuint (info->n_hidden, >=, 1);
        g_assert_cmpstr (info->hidden[0].candidate.name, ==, "John_Shimkus");
        g_assert_cmpstr (info->hidden[0].rejected_by, ==, "Test Reviewer");
        g_assert_cmpfloat (info->hidden[0].candidate.score, >=, 0.45);
        g_assert_cmpint (info->hidden[0].rejected_ms, >, 8000);
        found = TRUE;

        /* Selected, the panel lists it apart, saying why it is not offered. */
        {
          AttestCandidatePanel *panel = _attest_video_page_get_candidate_panel (window->video_page);
          graphene_rect_t rect;
          gboolean listed = FALSE;

          g_assert_true (attest_video_view_get_face_rect (view, i, &rect));
          click_view (view, 1, rect.origin.x + rect.size.width / 2,
                      rect.origin.y + rect.size.height / 2);
          for (guint r = 0; r < attest_candidate_panel_get_n_rows (panel); r++)
            {
              AttestCandidateRow *row = ATTEST_CANDIDATE_ROW (attest_candidate_panel_get_row (panel, r));

              if (g_str_equal (attest_candidate_row_get_name (row), "John_Shimkus"))
                {
                  g_assert_false (attest_candidate_row_get_suggested (row));
                  g_assert_true (g_str_has_prefix (attest_candidate_row_get_status_text (row),
                                                   "Hidden: rejected by Test Reviewer at 0:"));
                  listed = TRUE;
                }
            }
          g_assert_true (listed);
        }
      }
    g_assert_true (found);
  }

  /* Undo the rejection (a new audited reversal): the suggestion comes back. */
  g_assert_true (attest_store_undo_last_decision (store, "Test Reviewer", &item_id, &error));
  g_assert_no_error (error);
  {
    g_autoptr (AttestRejections) left = attest_rejections_load_from_store (
      store, attest_vision_get_model_id (vision), &error);

    g_assert_no_error (error);
    g_assert_cmpuint (attest_rejections_get_n (left), ==, 0);
  }
  _attest_video_page_reload_rejections (_attest_window_get_video_page (window));
  shimkus.suggested = TRUE;
  g_assert_true (wait_for (person_labelled, &shimkus));

  destroy_and_check_finalized (GTK_WINDOW (window));
}

static void
test_send_to_review (void)
{
  /* 18.5 s: the group photo, three people who are not in the gallery ("No match"). */
  GstClockTime pts = frame_pts (18500);
  AttestWindow *window = open_at (pts);
  AttestVideoView *view = _attest_video_page_get_video_view (_attest_window_get_video_page (window));
  g_autoptr (GPtrArray) before = attest_store_list_review_items (store, NULL, NULL);
  g_autoptr (GPtrArray) after = NULL;
  const AttestReviewItem *item;
  graphene_rect_t rect;
  ToastWait sent = { window, "Sent to review: the face on screen 0:18", NULL };
  ToastWait again = { window, NULL, "is in the review queue already" };

  /* Nothing selected: the action says what to do. */
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "face.send-to-review", NULL);
  g_assert_cmpstr (_attest_window_get_last_toast_title (window), ==,
                   "Select a face first: click its box");

  g_assert_true (attest_video_view_get_face_rect (view, 0, &rect));
  click_view (view, 1, rect.origin.x + rect.size.width / 2, rect.origin.y + rect.size.height / 2);
  g_assert_cmpint (attest_video_view_get_face_state (view, 0), ==, ATTEST_FACE_STATE_NO_MATCH);
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "face.send-to-review", NULL);
  g_assert_true (wait_for (toast_shown, &sent));
  g_assert_true (wait_for (queue_written, window));

  after = attest_store_list_review_items (store, NULL, NULL);
  g_assert_cmpuint (after->len, ==, before->len + 1);
  item = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpstr (item->status, ==, "pending");
  g_assert_nonnull (item->probe_png);
  g_assert_cmpint (item->best_ms, ==, 18480);
  /* Its candidates are kept, all below the threshold: the reviewer sees that they are. */
  for (guint c = 0; c < item->n_candidates; c++)
    g_assert_cmpfloat (item->candidates[c].score, <, item->threshold);

  /* Sent twice: said, not queued again. */
  gtk_widget_activate_action (GTK_WIDGET (window->video_page), "face.send-to-review", NULL);
  g_assert_true (wait_for (toast_shown, &again));
  g_assert_true (wait_for (queue_written, window));
  g_clear_pointer (&after, g_ptr_array_unref);
  after = attest_store_list_review_items (store, NULL, NULL);
  g_assert_cmpuint (after->len, ==, before->len + 1);

  destroy_and_check_finalized (GTK_WINDOW (window));
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
  build_gallery ();

  g_test_add_func ("/matching/suggestion-and-panel", test_suggestion_and_panel);
  g_test_add_func ("/matching/group-no-match", test_group_no_match);
  g_test_add_func ("/matching/panel-follows-face", test_panel_follows_face);
  g_test_add_func ("/matching/window-sizes", test_window_sizes);
  g_test_add_func ("/matching/small-cards", test_small_cards);
  g_test_add_func ("/matching/false-match-rate-text", test_fmr_texts);
  g_test_add_func ("/matching/queue-from-playback", test_queue_from_playback);
  g_test_add_func ("/matching/rejected-not-suggested-live", test_rejected_not_suggested_live);
  g_test_add_func ("/matching/send-to-review", test_send_to_review);

  result = g_test_run ();

  g_clear_pointer (&matcher, attest_matcher_unref);
  g_clear_pointer (&names, g_hash_table_unref);
  g_clear_object (&store);
  g_clear_pointer (&sample_truth, sample_truth_free);
  if (tmp_dir != NULL)
    {
      remove_gallery_db_dir (tmp_dir);
      g_free (tmp_dir);
    }
  g_clear_pointer (&vision, attest_vision_free);
  return result;
}

/* test-ui-helpers.h: what the UI tests (test-window.c, test-matching.c, test-gallery-ui.c,
 * test-review-ui.c, test-audit-ui.c) share: running the main loop until something holds,
 * checking a destroyed window is finalized, finding widgets, rendering a widget to pixels or
 * a PNG, reading those pixels, the video view's frame waits, and the start of main().
 *
 * Static functions in a header, as tests/test-sample-gallery.h: each test is one file; this
 * is included by each that needs it. A test defines WAIT_SECONDS first: the limit of
 * wait_for(), which only guards against a hang (it is not a timing test). The tests' limits
 * differ (60 s, 90 s, 120 s) and stay each test's own. */
#pragma once

#ifndef WAIT_SECONDS
#error "define WAIT_SECONDS (how long wait_for() waits before giving up) before including test-ui-helpers.h"
#endif

#include <adwaita.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/attest-window-private.h"
#include "widgets/attest-video-page-private.h"
#include "media/attest-video-paintable.h"
#include "widgets/attest-video-view.h"

/* ---- start-up --------------------------------------------------------------------- */

/* Initializes GStreamer, GTK for tests (gtk_test_init) and libadwaita. FALSE without a
 * display, a TAP plan saying SKIP printed: main() then returns 0 (meson's TAP parser counts
 * exit status 77 as an error; an empty plan with a SKIP directive is how TAP says
 * "skipped"). */
G_GNUC_UNUSED static gboolean
ui_test_init (int    *argc,
              char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return FALSE;
    }
  gst_init (argc, argv);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  /* No blinking cursor: its timeout, firing on a loaded machine just as xdotool moves the X
   * focus between windows, makes GtkText warn that it "did not receive a focus-out event"
   * (fatal under G_DEBUG=fatal-warnings). A test asserts what a user sees, not the blink. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  return TRUE;
}

/* ---- the main loop ------------------------------------------------------------------ */

typedef gboolean (*Condition) (gpointer data);

/* A source that keeps g_main_context_iteration (NULL, TRUE) from blocking for long. */
G_GNUC_UNUSED static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until cond holds. The limit (WAIT_SECONDS) only guards against a hang. */
G_GNUC_UNUSED static gboolean
wait_for (Condition cond,
          gpointer  data)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, tick_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick);
  return ok;
}

G_GNUC_UNUSED static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Destroys a window and checks that nothing keeps it alive. */
G_GNUC_UNUSED static void
destroy_and_check_finalized (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  g_assert_true (wait_for (pointer_is_null, &weak));
}

/* ---- widgets ------------------------------------------------------------------------- */

typedef gboolean (*WidgetPredicate) (GtkWidget *widget, gconstpointer data);

/* The first widget of `type` (depth first, root included) for which predicate holds. */
G_GNUC_UNUSED static GtkWidget *
find_widget (GtkWidget       *root,
             GType            type,
             WidgetPredicate  predicate,
             gconstpointer    data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (predicate == NULL || predicate (root, data)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, predicate, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A WidgetPredicate for labels: mapped, its text containing `text`. */
G_GNUC_UNUSED static gboolean
label_mapped_containing (GtkWidget     *widget,
                         gconstpointer  text)
{
  return gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

/* A WidgetPredicate: an actionable whose action is `name`. */
G_GNUC_UNUSED static gboolean
has_action_name (GtkWidget     *widget,
                 gconstpointer  name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), name) == 0;
}

/* The widget's first event controller of `type` (a GtkGestureClick, GtkGestureDrag…), or NULL. */
G_GNUC_UNUSED static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return GTK_EVENT_CONTROLLER (controller);  /* the widget holds it */
    }
  return NULL;
}

/* ---- rendering ------------------------------------------------------------------------ */

/* Renders a widget the way the window draws it and returns its pixels. */
G_GNUC_UNUSED static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  /* The paintable takes the widget's image when the widget draws, in an idle. */
  gtk_widget_queue_draw (widget);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (gtk_widget_get_root (widget)));
  while (g_main_context_iteration (NULL, FALSE));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves a texture as `name` in the test output ($ATTEST_TEST_OUTPUT). */
G_GNUC_UNUSED static void
save_png (GdkTexture *texture,
          const char *name)
{
  g_autofree char *png = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"), name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, png));
  g_test_message ("rendered: %s", png);
}

/* Renders a widget the way its window draws it and saves it as a PNG in the test output; of
 * a window, its content without the window's own shadow and frame, on the window's
 * background. */
G_GNUC_UNUSED static void
save_widget_png (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("ATTEST_TEST_OUTPUT"), name, NULL);
  GskRenderer *renderer;
  int width, height;

  if (ADW_IS_APPLICATION_WINDOW (widget))
    widget = adw_application_window_get_content (ADW_APPLICATION_WINDOW (widget));
  else if (ADW_IS_WINDOW (widget))
    widget = adw_window_get_content (ADW_WINDOW (widget));
  paintable = gtk_widget_paintable_new (widget);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gtk_widget_queue_draw (widget);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (gtk_widget_get_root (widget)));
  while (g_main_context_iteration (NULL, FALSE));
  /* (a window just presented is allocated by its first frame) */
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  /* The window's background is drawn by the window, not by its content. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.98f, 0.98f, 0.98f, 1.f },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("rendered %s", path);
}

/* ---- pixels ---------------------------------------------------------------------------- */

typedef struct
{
  int     width;
  int     height;
  guchar *data;  /* B, G, R, A (GDK_MEMORY_DEFAULT on little endian) */
} Pixels;

G_GNUC_UNUSED static void
pixels_clear (Pixels *pixels)
{
  g_clear_pointer (&pixels->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

G_GNUC_UNUSED static void
pixels_from_texture (Pixels     *pixels,
                     GdkTexture *texture)
{
  pixels->width = gdk_texture_get_width (texture);
  pixels->height = gdk_texture_get_height (texture);
  pixels->data = g_malloc ((gsize) pixels->width * pixels->height * 4);
  gdk_texture_download (texture, pixels->data, (gsize) pixels->width * 4);
}

G_GNUC_UNUSED static const guchar *
pixel_at (const Pixels *pixels,
          int           x,
          int           y)
{
  return pixels->data + ((gsize) y * pixels->width + x) * 4;
}

typedef gboolean (*ColourTest) (const guchar *bgra);

/* The box colour of "detected, not compared yet" faces: #3584e4. */
G_GNUC_UNUSED static gboolean
is_box_blue (const guchar *p)
{
  return ABS (p[2] - 0x35) <= 12 && ABS (p[1] - 0x84) <= 12 && ABS (p[0] - 0xe4) <= 12;
}

/* Whether a pixel within `radius` (a square) of (x, y) passes `test`. */
G_GNUC_UNUSED static gboolean
colour_near (const Pixels *pixels,
             double        x,
             double        y,
             int           radius,
             ColourTest    test)
{
  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      {
        int px = (int) floor (x) + dx, py = (int) floor (y) + dy;

        if (px >= 0 && py >= 0 && px < pixels->width && py < pixels->height &&
            test (pixel_at (pixels, px, py)))
          return TRUE;
      }
  return FALSE;
}

/* ---- the window and its video view ------------------------------------------------------ */

/* Conditions for wait_for (). */
G_GNUC_UNUSED static gboolean
window_done_opening (gpointer data)
{
  return !attest_video_page_get_opening (_attest_window_get_video_page (data));
}

G_GNUC_UNUSED static gboolean
not_playing (gpointer data)
{
  return !attest_pipeline_get_playing (data);
}

/* Opens `file` in the window, pauses it and seeks to pts (the caller waits for that frame's
 * boxes). Returns the window's pipeline. */
G_GNUC_UNUSED static AttestPipeline *
open_paused_at (AttestWindow *window,
                GFile        *file,
                GstClockTime  pts)
{
  AttestPipeline *pipeline;

  attest_window_open_file (window, file);
  g_assert_true (wait_for (window_done_opening, window));
  pipeline = _attest_video_page_get_pipeline (_attest_window_get_video_page (window));
  g_assert_nonnull (pipeline);
  if (attest_pipeline_get_playing (pipeline))
    gtk_widget_activate_action (GTK_WIDGET (window->video_page), "video.toggle-play", NULL);
  g_assert_true (wait_for (not_playing, pipeline));
  attest_pipeline_seek (pipeline, pts);
  return pipeline;
}

typedef struct
{
  AttestVideoView *view;
  GstClockTime     target;
} FrameWait;

/* The view shows boxes for the frame it shows, that frame within 20 ms of the target; with
 * `need_faces`, at least one face was found on it. */
G_GNUC_UNUSED static gboolean
boxes_on_frame (FrameWait *wait,
                gboolean   need_faces)
{
  GdkPaintable *paintable = attest_video_view_get_paintable (wait->view);
  AttestDetections *detections = attest_video_view_get_detections (wait->view);
  GstClockTime shown;

  if (paintable == NULL || detections == NULL || !attest_video_view_get_boxes_shown (wait->view))
    return FALSE;

  shown = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (paintable));
  return shown == detections->pts && (!need_faces || detections->n_faces > 0) &&
         (GstClockTimeDiff) shown - (GstClockTimeDiff) wait->target < 20 * GST_MSECOND &&
         (GstClockTimeDiff) wait->target - (GstClockTimeDiff) shown < 20 * GST_MSECOND;
}

/* ---- files ------------------------------------------------------------------------------ */

/* Removes a folder and what it holds (symbolic links themselves, not what they point to). */
G_GNUC_UNUSED static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Removes a folder holding a gallery.db (and the -wal and -shm files SQLite keeps beside it):
 * those files, then the folder, which is left if anything else is in it. */
G_GNUC_UNUSED static void
remove_gallery_db_dir (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "gallery.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (dir);
}

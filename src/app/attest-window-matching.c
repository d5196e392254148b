/* attest-window-matching.c: the window's part in live matching: hands the search index and
 * the threshold to each pipeline, and shows the selected face's candidates in the side panel.
 * Nothing here records a match: the panel only offers suggestions. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "attest-window-private.h"

/* The probe crop: the face box grown by this factor, as the gallery thumbnails are. */
#define PROBE_MARGIN 1.5

/* A copy of the face's square surroundings from the frame on screen, or NULL. */
static GdkTexture *
crop_face (AttestWindow           *self,
           const AttestDetections *detections,
           guint                   i)
{
  GdkPaintable *paintable = attest_video_view_get_paintable (self->video_view);
  g_autoptr (GdkPaintable) image = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree guchar *pixels = NULL;
  const AttestBox *box = &detections->faces[i];
  int tw, th, x0, y0, x1, y1;
  double sx, sy, side, cx, cy;
  gsize stride, row;
  guchar *out;

  if (paintable == NULL || detections->width <= 0 || detections->height <= 0)
    return NULL;
  image = gdk_paintable_get_current_image (paintable);
  if (!GDK_IS_TEXTURE (image))
    return NULL;

  tw = gdk_texture_get_width (GDK_TEXTURE (image));
  th = gdk_texture_get_height (GDK_TEXTURE (image));
  sx = (double) tw / detections->width;
  sy = (double) th / detections->height;
  side = MAX (box->w * sx, box->h * sy) * PROBE_MARGIN;
  cx = (box->x + box->w / 2) * sx;
  cy = (box->y + box->h / 2) * sy;
  x0 = CLAMP ((int) floor (cx - side / 2), 0, tw);
  y0 = CLAMP ((int) floor (cy - side / 2), 0, th);
  x1 = CLAMP ((int) ceil (cx + side / 2), 0, tw);
  y1 = CLAMP ((int) ceil (cy + side / 2), 0, th);
  if (x1 - x0 < 2 || y1 - y0 < 2)
    return NULL;

  /* One download of the frame when a face is selected, not per frame. */
  stride = (gsize) tw * 4;
  pixels = g_malloc (stride * th);
  gdk_texture_download (GDK_TEXTURE (image), pixels, stride);

  row = (gsize) (x1 - x0) * 4;
  out = g_malloc (row * (y1 - y0));
  for (int y = y0; y < y1; y++)
    memcpy (out + (gsize) (y - y0) * row, pixels + (gsize) y * stride + (gsize) x0 * 4, row);
  bytes = g_bytes_new_take (out, row * (y1 - y0));

  return gdk_memory_texture_new (x1 - x0, y1 - y0, GDK_MEMORY_DEFAULT, bytes, row);
}

static void
update_panel (AttestWindow *self,
              gboolean      crop)
{
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);
  int i = attest_video_view_get_selected_face (self->video_view);
  g_autoptr (GdkTexture) probe = NULL;

  if (i < 0)
    {
      /* A tracked face out of view for a moment keeps its last candidates (see
       * on_detections_changed); no selection clears them. */
      if (attest_video_view_get_selected_track (self->video_view) == 0)
        attest_candidate_panel_set_face (self->candidate_panel, FALSE, NULL, NULL, NULL);
      return;
    }

  if (crop)
    probe = crop_face (self, detections, (guint) i);
  attest_candidate_panel_set_position (self->candidate_panel, (guint) i + 1,
                                       attest_video_view_get_visible_faces (self->video_view));
  attest_candidate_panel_set_face (self->candidate_panel, TRUE,
                                   attest_detections_get_info (detections, (guint) i),
                                   &detections->faces[i], GDK_PAINTABLE (probe));
}

static void
update_revealer (AttestWindow *self)
{
  /* Beside the video whenever there is something to compare with, or a face to show: the
   * video does not jump sideways on every click. */
  gtk_revealer_set_reveal_child (self->panel_revealer,
                                 self->matcher != NULL ||
                                 attest_candidate_panel_get_has_face (self->candidate_panel));
}

static void
on_face_selected (AttestWindow    *self,
                  guint            track_id,
                  int              face_index,
                  AttestVideoView *view)
{
  update_panel (self, TRUE);
  update_revealer (self);
}

/* A face that left stays selected for this long (a head turned away for a moment keeps its
 * track); longer, or on a paused frame without it, the panel stops showing someone who is
 * not there. */
#define GONE_CLEARS_NS (G_GINT64_CONSTANT (1000000000))

static void
on_detections_changed (AttestWindow *self)
{
  gboolean playing = self->pipeline != NULL && attest_pipeline_get_playing (self->pipeline);
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);

  if (attest_video_view_get_selected_face (self->video_view) < 0)
    {
      gint64 pts;

      if (attest_video_view_get_selected_track (self->video_view) == 0)
        return;
      pts = detections != NULL && GST_CLOCK_TIME_IS_VALID (detections->pts)
            ? (gint64) detections->pts : -1;
      if (self->selected_gone_at < 0 || pts < self->selected_gone_at)
        self->selected_gone_at = pts;
      if (!playing || pts < 0 || pts - self->selected_gone_at >= GONE_CLEARS_NS)
        attest_video_view_select_face (self->video_view, -1);
      return;
    }
  self->selected_gone_at = -1;
  /* While playing the crop stays the one taken at the click (a copy of the frame per
   * analysed frame would cost more than it shows). */
  update_panel (self, !playing);
}

static void
on_threshold_changed (AttestWindow *self)
{
  double threshold = attest_settings_get_match_threshold (self->settings);

  attest_video_view_set_match_threshold (self->video_view, threshold);
  attest_candidate_panel_set_threshold (self->candidate_panel, threshold);
}

void
_attest_window_class_init_matching (GtkWidgetClass *widget_class)
{
  g_type_ensure (ATTEST_TYPE_CANDIDATE_PANEL);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, panel_revealer);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, candidate_panel);
}

/* Every pipeline that comes on screen gets the index and the rejections as they are now: one
 * opened while either was loading was set up with what was there before. */
static void
on_pipeline_bind (GSignalGroup *group,
                  GObject      *pipeline,
                  AttestWindow *self)
{
  attest_pipeline_set_matcher (ATTEST_PIPELINE (pipeline), self->matcher, self->identity_names);
  attest_pipeline_set_rejections (ATTEST_PIPELINE (pipeline), self->rejections);
}

void
_attest_window_init_matching (AttestWindow *self)
{
  self->selected_gone_at = -1;
  g_signal_connect (self->pipeline_signals, "bind", G_CALLBACK (on_pipeline_bind), self);
  g_signal_connect_swapped (self->video_view, "face-selected",
                            G_CALLBACK (on_face_selected), self);
  g_signal_connect_swapped (self->video_view, "notify::detections",
                            G_CALLBACK (on_detections_changed), self);
  /* A box may be drawn by hand only on a paused frame. */
  g_binding_group_bind (self->pipeline_bindings, "playing",
                        self->video_view, "can-draw-box",
                        G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  attest_candidate_panel_set_impostor_stats (self->candidate_panel, NULL, FALSE);
}

void
_attest_window_dispose_matching (AttestWindow *self)
{
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_func (self->settings, on_threshold_changed, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
}

void
_attest_window_setup_pipeline (AttestWindow   *self,
                               AttestPipeline *pipeline)
{
  /* The settings are only known once the window is constructed: connect on first use. */
  if (!self->threshold_connected)
    {
      self->threshold_connected = TRUE;
      g_signal_connect_swapped (self->settings, "notify::match-threshold",
                                G_CALLBACK (on_threshold_changed), self);
      on_threshold_changed (self);
    }

  g_object_bind_property (self->settings, "match-threshold", pipeline, "match-threshold",
                          G_BINDING_SYNC_CREATE);
  attest_pipeline_set_matcher (pipeline, self->matcher, self->identity_names);
  _attest_window_setup_pipeline_queue (self, pipeline);
}

void
attest_window_set_store (AttestWindow *self,
                         AttestStore  *store)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  attest_candidate_panel_set_store (self->candidate_panel, store);
  /* Whoever wrote (this window, another window, the CLI beside the app), what shows the
   * store follows it. The gallery's search index is the application's (it listens too). */
  if (store != NULL)
    {
      g_signal_connect_object (store, "changed::review",
                               G_CALLBACK (_attest_window_review_reload), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "changed::audit",
                               G_CALLBACK (_attest_window_audit_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "changed::rejections",
                               G_CALLBACK (_attest_window_rejections_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "changed::gallery",
                               G_CALLBACK (_attest_window_gallery_changed), self,
                               G_CONNECT_SWAPPED);
    }
  _attest_window_rejections_changed (self);
  _attest_window_review_sync (self);
}

void
attest_window_set_matcher (AttestWindow  *self,
                           AttestMatcher *matcher,
                           GHashTable    *identity_names)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  if (matcher != NULL)
    attest_matcher_ref (matcher);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  self->matcher = matcher;
  if (identity_names != NULL)
    g_hash_table_ref (identity_names);
  g_clear_pointer (&self->identity_names, g_hash_table_unref);
  self->identity_names = identity_names;

  /* The video on screen is compared with the new gallery from its next analysed frame (a
   * paused frame at once). */
  if (self->pipeline != NULL)
    attest_pipeline_set_matcher (self->pipeline, matcher, identity_names);
  update_revealer (self);
}

void
attest_window_set_impostor_stats (AttestWindow              *self,
                                  const AttestImpostorStats *stats,
                                  gboolean                   enough)
{
  g_return_if_fail (ATTEST_IS_WINDOW (self));

  self->have_stats = stats != NULL;
  if (stats != NULL)
    self->stats = *stats;
  self->stats_enough = stats != NULL && enough;
  attest_candidate_panel_set_impostor_stats (self->candidate_panel, stats, enough);
  _attest_window_review_sync (self);
}

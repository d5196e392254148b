/* attest-video-page-faces.c: the Video page's faces: the selected face's candidates in the
 * side panel, every tracked face that leaves the screen as a suggestion ("track-ended") queued
 * for review, any selected face sent there by hand (face.send-to-review, even one labelled "No
 * match"), the standing rejections live matching applies, and enrolling a face (face.enrol, a
 * double click on a box, or a box drawn on a paused frame). All of it only proposes: nothing
 * here records a match. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "media/attest-video-paintable.h"
#include "review/attest-review-queue.h"
#include "review/attest-search.h"
#include "attest-video-page-private.h"

/* The probe crop: the face box grown by this factor, as the gallery thumbnails are. */
#define PROBE_MARGIN 1.5
/* A face that left stays selected for this long (a head turned away for a moment keeps its
 * track); longer, or on a paused frame without it, the panel stops showing someone who is
 * not there. */
#define GONE_CLEARS_NS (G_GINT64_CONSTANT (1000000000))

static void
toast (AttestVideoPage *self,
       const char      *message)
{
  _attest_video_page_toast (self, message);
}

/* ---- the candidate panel ---- */

/* A copy of the face's square surroundings from the frame on screen, or NULL. */
static GdkTexture *
crop_face (AttestVideoPage        *self,
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
update_panel (AttestVideoPage *self,
              gboolean         crop)
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

void
_attest_video_page_update_revealer (AttestVideoPage *self)
{
  /* Beside the video whenever there is something to compare with, or a face to show: the
   * video does not jump sideways on every click. */
  gtk_revealer_set_reveal_child (self->panel_revealer,
                                 self->matcher != NULL ||
                                 attest_candidate_panel_get_has_face (self->candidate_panel));
}

static void
on_face_selected (AttestVideoPage *self)
{
  update_panel (self, TRUE);
  _attest_video_page_update_revealer (self);
}

static void
on_detections_changed (AttestVideoPage *self)
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

/* ---- the review queue ---- */

typedef struct
{
  AttestVideoPage *self;
  gboolean         by_hand;
  char            *time_text;
} QueueRequest;

static void
queue_request_free (QueueRequest *request)
{
  g_object_unref (request->self);
  g_free (request->time_text);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueueRequest, queue_request_free)

static char *
format_span (const AttestTrackSummary *summary)
{
  guint64 a = GST_CLOCK_TIME_IS_VALID (summary->first_pts) ? summary->first_pts / GST_SECOND : 0;
  guint64 b = GST_CLOCK_TIME_IS_VALID (summary->last_pts) ? summary->last_pts / GST_SECOND : a;

  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT
                          ":%02" G_GUINT64_FORMAT, a / 60, a % 60, b / 60, b % 60);
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (QueueRequest) request = user_data;
  AttestVideoPage *self = request->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  AttestReviewQueueOutcome outcome;
  gint64 item_id;
  gboolean ok = attest_review_queue_add_track_finish (result, &outcome, &item_id, &error);

  self->queue_in_flight--;
  /* The page went away meanwhile (its last faces are queued as it closes): nothing to say.
   * The store's "changed" signal tells the Review page. */
  if (self->video_view == NULL)
    return;
  if (!ok)
    {
      /* One toast per kind of failure, not one per face leaving the screen. */
      if (request->by_hand || g_strcmp0 (self->last_queue_error, error->message) != 0)
        toast (self, error->message);
      g_free (self->last_queue_error);
      self->last_queue_error = g_strdup (error->message);
      return;
    }
  if (!request->by_hand)
    return;
  if (outcome == ATTEST_REVIEW_QUEUE_DUPLICATE)
    text = g_strdup_printf (_("This face (%s) is in the review queue already"), request->time_text);
  else
    text = g_strdup_printf (_("Sent to review: the face on screen %s"), request->time_text);
  toast (self, text);
}

static void
queue_summary (AttestVideoPage    *self,
               AttestTrackSummary *summary,
               const char         *uri,
               gboolean            by_hand)
{
  QueueRequest *request = g_new0 (QueueRequest, 1);

  request->self = g_object_ref (self);
  request->by_hand = by_hand;
  request->time_text = format_span (summary);
  self->queue_in_flight++;
  attest_review_queue_add_track_async (self->store, summary, uri,
                                       attest_vision_get_model_id (self->vision), by_hand,
                                       NULL, queued_cb, request);
}

static void
on_track_ended (AttestVideoPage    *self,
                AttestTrackSummary *summary,
                const char         *uri,
                AttestPipeline     *pipeline)
{
  if (self->store == NULL || self->vision == NULL || uri == NULL)
    return;
  queue_summary (self, summary, uri, FALSE);
}

static void
rejections_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (AttestVideoPage) self = user_data;
  g_autoptr (GError) error = NULL;
  AttestRejections *rejections = attest_rejections_load_finish (ATTEST_STORE (source), result,
                                                                &error);

  if (rejections == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->rejections, attest_rejections_unref);
  self->rejections = rejections;
  if (self->pipeline != NULL)
    attest_pipeline_set_rejections (self->pipeline, rejections);
}

/* A rejected identity is not offered again for a face like that probe. */
void
_attest_video_page_reload_rejections (AttestVideoPage *self)
{
  g_cancellable_cancel (self->rejections_cancellable);
  g_clear_object (&self->rejections_cancellable);
  if (self->store == NULL || self->vision == NULL)
    return;
  self->rejections_cancellable = g_cancellable_new ();
  attest_rejections_load_async (self->store, attest_vision_get_model_id (self->vision),
                                self->rejections_cancellable, rejections_loaded_cb,
                                g_object_ref (self));
}

/* A new pipeline, before it opens: the index, the threshold, the rejections, and its faces
 * queued for review for its whole life (the faces still in view when it is replaced or
 * closed end then, and are queued too). */
void
_attest_video_page_setup_pipeline (AttestVideoPage *self,
                                   AttestPipeline  *pipeline)
{
  g_object_bind_property (self, "match-threshold", pipeline, "match-threshold",
                          G_BINDING_SYNC_CREATE);
  attest_pipeline_set_matcher (pipeline, self->matcher, self->identity_names);
  attest_pipeline_set_rejections (pipeline, self->rejections);
  g_signal_connect_object (pipeline, "track-ended", G_CALLBACK (on_track_ended), self,
                           G_CONNECT_SWAPPED);
}

/* ---- enrolling a face from the frame on screen ---- */

/* Says why nothing can be enrolled now; FALSE then. */
static gboolean
check_can_enrol (AttestVideoPage *self)
{
  if (self->store == NULL)
    {
      toast (self, _("The gallery is not available: nothing can be enrolled"));
      return FALSE;
    }
  if (self->vision == NULL)
    {
      toast (self, _("Face detection is off: faces cannot be enrolled"));
      return FALSE;
    }
  return TRUE;
}

/* box: in stream pixels (the frame's own pixels); proposed_id: the person the face is
 * suggested as (-1: none). */
static void
request_enrol (AttestVideoPage *self,
               const AttestBox *box,
               gboolean         hand_drawn,
               gint64           proposed_id)
{
  GdkPaintable *paintable = attest_video_view_get_paintable (self->video_view);
  g_autoptr (GdkPaintable) image = NULL;
  GstClockTime pts = GST_CLOCK_TIME_NONE;

  if (!check_can_enrol (self))
    return;
  if (ATTEST_IS_VIDEO_PAINTABLE (paintable))
    pts = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (paintable));
  if (paintable != NULL)
    image = gdk_paintable_get_current_image (paintable);
  /* A frame shown stretched (non-square pixels) is not a plain texture: its pixels would
   * not be the stream pixels the box is in. */
  if (image == NULL || !GDK_IS_TEXTURE (image))
    {
      toast (self, _("This frame cannot be used for enrolment"));
      return;
    }

  /* The reviewer is looking at this frame: keep it there. */
  attest_video_page_pause (self);
  g_signal_emit_by_name (self, "enrol-face", image, box, hand_drawn,
                 self->pipeline != NULL ? attest_pipeline_get_uri (self->pipeline) : NULL,
                 GST_CLOCK_TIME_IS_VALID (pts) ? (gint64) (pts / GST_MSECOND) : (gint64) -1,
                 proposed_id);
}

/* Face i of the detections on screen, in stream pixels. */
static gboolean
get_face_box (AttestVideoPage *self,
              int              i,
              AttestBox       *out)
{
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);
  GdkPaintable *paintable = attest_video_view_get_paintable (self->video_view);
  int frame_w = 0, frame_h = 0;
  double sx, sy;

  if (detections == NULL || i < 0 || (guint) i >= detections->n_faces ||
      !attest_video_view_get_boxes_shown (self->video_view) ||
      !ATTEST_IS_VIDEO_PAINTABLE (paintable))
    return FALSE;

  /* Detections may be computed on a scaled copy of the frame. */
  attest_video_paintable_get_frame_size (ATTEST_VIDEO_PAINTABLE (paintable), &frame_w, &frame_h);
  if (frame_w <= 0 || frame_h <= 0 || detections->width <= 0 || detections->height <= 0)
    return FALSE;
  sx = (double) frame_w / detections->width;
  sy = (double) frame_h / detections->height;

  *out = detections->faces[i];
  out->x *= sx;
  out->y *= sy;
  out->w *= sx;
  out->h *= sy;
  return TRUE;
}

/* The person face i on screen is suggested as, or -1: "Enrol As" offers them first, not
 * "New Person". */
static gint64
suggested_identity (AttestVideoPage *self,
                    int              i)
{
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);
  const AttestFaceInfo *info = NULL;

  if (detections != NULL && i >= 0 && (guint) i < detections->n_faces)
    info = attest_detections_get_info (detections, (guint) i);
  if (info != NULL && info->n_candidates > 0 &&
      attest_face_info_get_state (info, self->match_threshold) == ATTEST_FACE_STATE_SUGGESTION)
    return info->candidates[0].identity_id;
  return -1;
}

static void
on_face_activated (AttestVideoPage *self,
                   guint            track_id,
                   int              face_index)
{
  AttestBox box;

  if (get_face_box (self, face_index, &box))
    request_enrol (self, &box, FALSE, suggested_identity (self, face_index));
}

static void
on_box_drawn (AttestVideoPage *self,
              double           x,
              double           y,
              double           width,
              double           height)
{
  AttestBox box = { (float) x, (float) y, (float) width, (float) height, 1.0f };

  request_enrol (self, &box, TRUE, -1);
}

/* ---- actions ---- */

void
_attest_video_page_enrol_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (widget);
  int selected = attest_video_view_get_selected_face (self->video_view);
  AttestBox box;

  if (!get_face_box (self, selected, &box))
    {
      toast (self, _("Select a face first: click its box on a paused frame, or drag a box "
                     "around it"));
      return;
    }
  request_enrol (self, &box, FALSE, suggested_identity (self, selected));
}

void
_attest_video_page_send_to_review_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  AttestVideoPage *self = ATTEST_VIDEO_PAGE (widget);
  guint track = attest_video_view_get_selected_track (self->video_view);
  g_autoptr (AttestTrackSummary) summary = NULL;
  const char *uri;

  if (self->store == NULL)
    {
      toast (self, _("The gallery database is not available: nothing can be queued for review"));
      return;
    }
  if (self->pipeline == NULL || self->vision == NULL)
    {
      toast (self, _("Open a video with face detection on to send a face to review"));
      return;
    }
  uri = attest_pipeline_get_uri (self->pipeline);
  if (uri == NULL)
    {
      toast (self, _("Faces seen by a camera cannot be reviewed later: record the camera to a "
                     "file and open that"));
      return;
    }
  if (track == 0)
    {
      toast (self, _("Select a face first: click its box"));
      return;
    }
  summary = attest_pipeline_get_track_summary (self->pipeline, track);
  if (summary == NULL || summary->probe_png == NULL)
    {
      toast (self, _("This face is not followed yet: let the video play a moment, or select a "
                     "face on screen"));
      return;
    }
  queue_summary (self, summary, uri, TRUE);
}


void
_attest_video_page_init_faces (AttestVideoPage *self)
{
  self->selected_gone_at = -1;
  g_signal_connect_swapped (self->video_view, "face-selected",
                            G_CALLBACK (on_face_selected), self);
  g_signal_connect_swapped (self->video_view, "notify::detections",
                            G_CALLBACK (on_detections_changed), self);
  g_signal_connect_swapped (self->video_view, "face-activated",
                            G_CALLBACK (on_face_activated), self);
  g_signal_connect_swapped (self->video_view, "box-drawn", G_CALLBACK (on_box_drawn), self);
}

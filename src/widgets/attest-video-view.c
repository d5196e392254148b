/* attest-video-view.c: letterboxed video with face boxes (Clapper's paintable + stream
 * coordinate mapping ideas, drawn in our own snapshot).
 *
 * The PTS rule (a product requirement): boxes are drawn over the frame on screen only when
 * the detections were computed for that very frame, or for an earlier frame no more than
 * one analysis interval before it (the analyser skips frames while busy, so a box may stay
 * up until the next analysed frame). Never over a frame that comes before the analysed one,
 * which is what a seek backwards or a step back shows. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "media/attest-video-paintable.h"
#include "analysis/attest-matcher.h"
#include "attest-match-text.h"
#include "attest-video-view.h"

#define BOX_LINE_WIDTH 3.0f
#define BOX_RADIUS     3.0f
#define LABEL_PAD_X    4.0f
#define LABEL_PAD_Y    1.0f
#define DASH_LENGTH    10.0f
#define DASH_GAP       6.0f
#define DOT_GAP        4.0f
#define HALO_WIDTH     2.0f
/* A drag shorter than this is a click, not a box. */
#define MIN_DRAWN_BOX  8.0

struct _AttestVideoView
{
  GtkWidget         parent_instance;

  GdkPaintable     *paintable;
  gulong            contents_handler;
  gulong            size_handler;

  AttestDetections *detections;
  guint64           analysis_interval;

  gboolean          boxes_shown;
  guint             visible_faces;

  double            match_threshold;
  guint             selected_track;  /* follows the face across frames */
  int               selected_index;  /* in self->detections; -1: none */
  gboolean          can_draw_box;
  gboolean          drawing;         /* a drag is drawing a box */
  double            drag_x, drag_y, drag_dx, drag_dy;  /* widget coordinates */
};

G_DEFINE_FINAL_TYPE (AttestVideoView, attest_video_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAINTABLE,
  PROP_DETECTIONS,
  PROP_ANALYSIS_INTERVAL,
  PROP_VISIBLE_FACES,
  PROP_BOXES_SHOWN,
  PROP_MATCH_THRESHOLD,
  PROP_CAN_DRAW_BOX,
  N_PROPS
};

enum {
  STREAM_CLICKED,
  FACE_SELECTED,
  FACE_ACTIVATED,
  BOX_DRAWN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* "Detected, not compared yet": GNOME blue 3, readable on light and dark footage. */
static const GdkRGBA detected_colour = { 0x35 / 255.f, 0x84 / 255.f, 0xe4 / 255.f, 1.f };
/* Suggestion: amber, dashed, so a candidate never looks like a confirmed match. */
static const GdkRGBA suggestion_colour = { 0xf5 / 255.f, 0xc2 / 255.f, 0x11 / 255.f, 1.f };
/* "No match" and "too poor to compare": neutral grey, solid and dotted. */
static const GdkRGBA neutral_colour = { 0xc0 / 255.f, 0xbf / 255.f, 0xbc / 255.f, 1.f };
/* Confirmed by a reviewer (issue 4). */
static const GdkRGBA confirmed_colour = { 0x33 / 255.f, 0xd1 / 255.f, 0x7a / 255.f, 1.f };
static const GdkRGBA halo_colour = { 1.f, 1.f, 1.f, 1.f };
static const GdkRGBA drawn_colour = { 1.f, 1.f, 1.f, 0.9f };
static const GdkRGBA label_background = { 0.f, 0.f, 0.f, 0.65f };
static const GdkRGBA label_foreground = { 1.f, 1.f, 1.f, 1.f };
static const GdkRGBA black = { 0.f, 0.f, 0.f, 1.f };

static void
get_frame_size (AttestVideoView *self,
                int             *width,
                int             *height)
{
  *width = 0;
  *height = 0;

  if (self->paintable == NULL)
    return;

  if (ATTEST_IS_VIDEO_PAINTABLE (self->paintable))
    attest_video_paintable_get_frame_size (ATTEST_VIDEO_PAINTABLE (self->paintable), width, height);
  else
    {
      *width = gdk_paintable_get_intrinsic_width (self->paintable);
      *height = gdk_paintable_get_intrinsic_height (self->paintable);
    }

  if (*width <= 0 || *height <= 0)
    *width = *height = 0;
}

static gboolean
detections_belong_to_shown_frame (AttestVideoView *self)
{
  GstClockTime shown, analysed;

  if (self->detections == NULL || self->paintable == NULL)
    return FALSE;

  /* Any other paintable (a still image) has a single frame, so nothing to compare. */
  if (!ATTEST_IS_VIDEO_PAINTABLE (self->paintable))
    return TRUE;

  shown = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (self->paintable));
  analysed = self->detections->pts;

  if (!GST_CLOCK_TIME_IS_VALID (shown) || !GST_CLOCK_TIME_IS_VALID (analysed))
    return FALSE;
  if (shown == analysed)
    return TRUE;

  return shown > analysed && shown - analysed <= self->analysis_interval;
}

static void
update_accessible_label (AttestVideoView *self)
{
  g_autofree char *label = NULL;

  if (self->paintable == NULL)
    label = g_strdup (_("No video"));
  else if (self->visible_faces == 0)
    label = g_strdup (_("Video frame, no faces marked"));
  else
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Video frame, %u face marked",
                                          "Video frame, %u faces marked",
                                          self->visible_faces),
                             self->visible_faces);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

/* Re-evaluates the PTS rule: called whenever the frame, the detections or the interval
 * change. */
static void
update_state (AttestVideoView *self)
{
  gboolean shown = detections_belong_to_shown_frame (self);
  guint n_faces = shown ? self->detections->n_faces : 0;

  /* The selection follows its track; a face without a track is only selected on the frame
   * it was clicked on. */
  if (self->selected_track != 0)
    self->selected_index = shown ? attest_detections_find_track (self->detections,
                                                                 self->selected_track) : -1;
  else if (self->selected_index >= (int) n_faces)
    self->selected_index = -1;

  g_object_freeze_notify (G_OBJECT (self));

  if (shown != self->boxes_shown)
    {
      self->boxes_shown = shown;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOXES_SHOWN]);
    }

  if (n_faces != self->visible_faces)
    {
      self->visible_faces = n_faces;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_FACES]);
    }

  update_accessible_label (self);
  g_object_thaw_notify (G_OBJECT (self));

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_paintable_contents (GdkPaintable    *paintable,
                       AttestVideoView *self)
{
  update_state (self);
}

static void
on_paintable_size (GdkPaintable    *paintable,
                   AttestVideoView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static const AttestFaceInfo *
face_info (AttestVideoView *self,
           guint            i)
{
  return attest_detections_get_info (self->detections, i);
}

static AttestFaceState
face_state (AttestVideoView *self,
            guint            i)
{
  return attest_face_info_get_state (face_info (self, i), self->match_threshold);
}

/* Dashes (or dots) of `length` along one edge, each a filled rectangle: GSK 4.8 has no
 * dashed stroke. */
static void
append_dashes (GtkSnapshot   *snapshot,
               const GdkRGBA *colour,
               float          x,
               float          y,
               float          length,
               gboolean       horizontal,
               float          dash,
               float          gap)
{
  for (float t = 0; t < length; t += dash + gap)
    {
      float d = MIN (dash, length - t);

      if (horizontal)
        gtk_snapshot_append_color (snapshot, colour,
                                   &GRAPHENE_RECT_INIT (x + t, y, d, BOX_LINE_WIDTH));
      else
        gtk_snapshot_append_color (snapshot, colour,
                                   &GRAPHENE_RECT_INIT (x, y + t, BOX_LINE_WIDTH, d));
    }
}

static void
append_outline (GtkSnapshot           *snapshot,
                const graphene_rect_t *outer,
                const GdkRGBA         *colour,
                float                  dash,
                float                  gap)
{
  float x = outer->origin.x, y = outer->origin.y;
  float w = outer->size.width, h = outer->size.height;

  if (dash <= 0)
    {
      const float widths[4] = { BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH };
      const GdkRGBA colours[4] = { *colour, *colour, *colour, *colour };
      GskRoundedRect outline;

      gsk_rounded_rect_init_from_rect (&outline, outer, BOX_RADIUS);
      gtk_snapshot_append_border (snapshot, &outline, widths, colours);
      return;
    }

  append_dashes (snapshot, colour, x, y, w, TRUE, dash, gap);
  append_dashes (snapshot, colour, x, y + h - BOX_LINE_WIDTH, w, TRUE, dash, gap);
  append_dashes (snapshot, colour, x, y, h, FALSE, dash, gap);
  append_dashes (snapshot, colour, x + w - BOX_LINE_WIDTH, y, h, FALSE, dash, gap);
}

static void
draw_face (AttestVideoView       *self,
           GtkSnapshot           *snapshot,
           const graphene_rect_t *video,
           guint                  index,
           double                 scale_x,
           double                 scale_y)
{
  const AttestBox *box = &self->detections->faces[index];
  AttestFaceState state = face_state (self, index);
  g_autoptr (PangoLayout) layout = NULL;
  g_autofree char *text = NULL;
  graphene_rect_t face, outer, label;
  PangoRectangle logical;

  face = GRAPHENE_RECT_INIT (video->origin.x + box->x * scale_x,
                             video->origin.y + box->y * scale_y,
                             box->w * scale_x,
                             box->h * scale_y);

  /* The 3 px line straddles the box edge, so the face itself stays visible inside. */
  graphene_rect_inset_r (&face, -BOX_LINE_WIDTH / 2.f, -BOX_LINE_WIDTH / 2.f, &outer);

  if ((int) index == self->selected_index)
    {
      graphene_rect_t halo;
      const float widths[4] = { HALO_WIDTH, HALO_WIDTH, HALO_WIDTH, HALO_WIDTH };
      const GdkRGBA colours[4] = { halo_colour, halo_colour, halo_colour, halo_colour };
      GskRoundedRect outline;

      graphene_rect_inset_r (&outer, -HALO_WIDTH - 1.f, -HALO_WIDTH - 1.f, &halo);
      gsk_rounded_rect_init_from_rect (&outline, &halo, BOX_RADIUS + HALO_WIDTH);
      gtk_snapshot_append_border (snapshot, &outline, widths, colours);
    }

  switch (state)
    {
    case ATTEST_FACE_STATE_SUGGESTION:
      append_outline (snapshot, &outer, &suggestion_colour, DASH_LENGTH, DASH_GAP);
      break;
    case ATTEST_FACE_STATE_NO_MATCH:
      append_outline (snapshot, &outer, &neutral_colour, 0, 0);
      break;
    case ATTEST_FACE_STATE_POOR:
      append_outline (snapshot, &outer, &neutral_colour, BOX_LINE_WIDTH, DOT_GAP);
      break;
    case ATTEST_FACE_STATE_CONFIRMED:
      append_outline (snapshot, &outer, &confirmed_colour, 0, 0);
      break;
    case ATTEST_FACE_STATE_NOT_COMPARED:
    default:
      append_outline (snapshot, &outer, &detected_colour, 0, 0);
      break;
    }

  text = attest_match_text_label (face_info (self, index), box, state, self->match_threshold);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_extents (layout, NULL, &logical);

  label = GRAPHENE_RECT_INIT (outer.origin.x,
                              outer.origin.y - logical.height - 2 * LABEL_PAD_Y,
                              logical.width + 2 * LABEL_PAD_X,
                              logical.height + 2 * LABEL_PAD_Y);
  /* No room above the box: put the label inside its top edge. */
  if (label.origin.y < video->origin.y)
    label.origin.y = outer.origin.y + BOX_LINE_WIDTH;
  /* Long labels stay on the frame. */
  if (label.origin.x + label.size.width > video->origin.x + video->size.width)
    label.origin.x = MAX (video->origin.x, video->origin.x + video->size.width - label.size.width);

  gtk_snapshot_append_color (snapshot, &label_background, &label);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (label.origin.x + LABEL_PAD_X - logical.x,
                                                label.origin.y + LABEL_PAD_Y - logical.y));
  gtk_snapshot_append_layout (snapshot, layout, &label_foreground);
  gtk_snapshot_restore (snapshot);
}

static void
draw_drawn_box (AttestVideoView *self,
                GtkSnapshot     *snapshot)
{
  graphene_rect_t rect;

  rect = GRAPHENE_RECT_INIT (MIN (self->drag_x, self->drag_x + self->drag_dx),
                             MIN (self->drag_y, self->drag_y + self->drag_dy),
                             fabs (self->drag_dx), fabs (self->drag_dy));
  append_outline (snapshot, &rect, &drawn_colour, DASH_LENGTH / 2, DASH_GAP / 2);
}

static void
attest_video_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  AttestVideoView *self = ATTEST_VIDEO_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t video;
  int frame_w, frame_h;

  gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (!attest_video_view_get_video_rect (self, &video))
    return;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &video.origin);
  gdk_paintable_snapshot (self->paintable, snapshot, video.size.width, video.size.height);
  gtk_snapshot_restore (snapshot);

  if (self->drawing)
    draw_drawn_box (self, snapshot);

  if (!self->boxes_shown || self->detections->n_faces == 0)
    return;

  get_frame_size (self, &frame_w, &frame_h);
  if (self->detections->width <= 0 || self->detections->height <= 0)
    return;

  /* Box coordinates are in pixels of the analysed frame, which may be scaled relative to
   * the shown one; the frame maps onto the letterboxed rect. */
  gtk_snapshot_push_clip (snapshot, &video);
  for (guint i = 0; i < self->detections->n_faces; i++)
    draw_face (self, snapshot, &video, i,
               video.size.width / self->detections->width,
               video.size.height / self->detections->height);
  gtk_snapshot_pop (snapshot);
}

static void
attest_video_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  /* The view fills what it is given; the letterbox keeps the aspect. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 640;
    }
  else
    {
      *minimum = 90;
      *natural = 360;
    }
}

/* The face under a widget point: the smallest box holding it (faces can overlap), or -1. */
static int
face_at (AttestVideoView *self,
         double           wx,
         double           wy)
{
  int found = -1;
  float found_area = G_MAXFLOAT;

  if (!self->boxes_shown)
    return -1;

  for (guint i = 0; i < self->detections->n_faces; i++)
    {
      graphene_rect_t rect;
      float area;

      if (!attest_video_view_get_face_rect (self, i, &rect))
        continue;
      graphene_rect_inset (&rect, -BOX_LINE_WIDTH, -BOX_LINE_WIDTH);
      area = rect.size.width * rect.size.height;
      if (graphene_rect_contains_point (&rect, &GRAPHENE_POINT_INIT (wx, wy)) && area < found_area)
        {
          found = (int) i;
          found_area = area;
        }
    }

  return found;
}

static guint
track_of (AttestVideoView *self,
          int              i)
{
  const AttestFaceInfo *info = i >= 0 ? face_info (self, (guint) i) : NULL;

  return info != NULL ? info->track_id : 0;
}

static void
on_click_pressed (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  AttestVideoView *self)
{
  double sx, sy;
  int face;

  if (!attest_video_view_widget_to_stream (self, x, y, &sx, &sy))
    return;

  face = face_at (self, x, y);

  if (n_press == 2)
    {
      if (face >= 0)
        {
          gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
          g_signal_emit (self, signals[FACE_ACTIVATED], 0, track_of (self, face), face);
        }
      return;
    }
  if (n_press != 1)
    return;

  /* Where a box may be drawn, the drag gesture needs the press too. */
  if (face >= 0 || !self->can_draw_box)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[STREAM_CLICKED], 0, sx, sy);
  attest_video_view_select_face (self, face);
}

static void
on_drag_begin (GtkGestureDrag  *gesture,
               double           x,
               double           y,
               AttestVideoView *self)
{
  /* Drawing by hand is for faces the detector missed: a paused frame, away from boxes. */
  if (!self->can_draw_box || face_at (self, x, y) >= 0 ||
      !attest_video_view_widget_to_stream (self, x, y, NULL, NULL))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
}

static void
on_drag_update (GtkGestureDrag  *gesture,
                double           dx,
                double           dy,
                AttestVideoView *self)
{
  if (!self->drawing && MAX (fabs (dx), fabs (dy)) < MIN_DRAWN_BOX)
    return;

  if (!self->drawing)
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->drawing = TRUE;
  self->drag_dx = dx;
  self->drag_dy = dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_end (GtkGestureDrag  *gesture,
             double           dx,
             double           dy,
             AttestVideoView *self)
{
  double x0, y0, x1, y1, sx0, sy0, sx1, sy1;
  graphene_rect_t video;

  if (!self->drawing)
    return;
  self->drawing = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (fabs (dx) < MIN_DRAWN_BOX || fabs (dy) < MIN_DRAWN_BOX ||
      !attest_video_view_get_video_rect (self, &video))
    return;

  /* Clamped to the frame: the box is in stream pixels of the frame on screen. */
  x0 = CLAMP (MIN (self->drag_x, self->drag_x + dx), video.origin.x, video.origin.x + video.size.width);
  x1 = CLAMP (MAX (self->drag_x, self->drag_x + dx), video.origin.x, video.origin.x + video.size.width);
  y0 = CLAMP (MIN (self->drag_y, self->drag_y + dy), video.origin.y, video.origin.y + video.size.height);
  y1 = CLAMP (MAX (self->drag_y, self->drag_y + dy), video.origin.y, video.origin.y + video.size.height);
  /* The far edge itself lies just outside the rect widget_to_stream() accepts. */
  if (!attest_video_view_widget_to_stream (self, x0, y0, &sx0, &sy0) ||
      !attest_video_view_widget_to_stream (self, MAX (x1 - 0.01, x0), MAX (y1 - 0.01, y0),
                                           &sx1, &sy1))
    return;

  g_signal_emit (self, signals[BOX_DRAWN], 0, sx0, sy0, sx1 - sx0, sy1 - sy0);
}

static void
on_drag_cancel (GtkGesture       *gesture,
                GdkEventSequence *sequence,
                AttestVideoView  *self)
{
  self->drawing = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
attest_video_view_dispose (GObject *object)
{
  AttestVideoView *self = ATTEST_VIDEO_VIEW (object);

  if (self->paintable != NULL)
    {
      g_clear_signal_handler (&self->contents_handler, self->paintable);
      g_clear_signal_handler (&self->size_handler, self->paintable);
      g_clear_object (&self->paintable);
    }
  g_clear_pointer (&self->detections, attest_detections_unref);

  G_OBJECT_CLASS (attest_video_view_parent_class)->dispose (object);
}

static void
attest_video_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  AttestVideoView *self = ATTEST_VIDEO_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;
    case PROP_DETECTIONS:
      g_value_set_boxed (value, self->detections);
      break;
    case PROP_ANALYSIS_INTERVAL:
      g_value_set_uint64 (value, self->analysis_interval);
      break;
    case PROP_VISIBLE_FACES:
      g_value_set_uint (value, self->visible_faces);
      break;
    case PROP_BOXES_SHOWN:
      g_value_set_boolean (value, self->boxes_shown);
      break;
    case PROP_MATCH_THRESHOLD:
      g_value_set_double (value, self->match_threshold);
      break;
    case PROP_CAN_DRAW_BOX:
      g_value_set_boolean (value, self->can_draw_box);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_video_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  AttestVideoView *self = ATTEST_VIDEO_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      attest_video_view_set_paintable (self, g_value_get_object (value));
      break;
    case PROP_DETECTIONS:
      attest_video_view_set_detections (self, g_value_get_boxed (value));
      break;
    case PROP_ANALYSIS_INTERVAL:
      attest_video_view_set_analysis_interval (self, g_value_get_uint64 (value));
      break;
    case PROP_MATCH_THRESHOLD:
      attest_video_view_set_match_threshold (self, g_value_get_double (value));
      break;
    case PROP_CAN_DRAW_BOX:
      attest_video_view_set_can_draw_box (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_video_view_class_init (AttestVideoViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = attest_video_view_dispose;
  object_class->get_property = attest_video_view_get_property;
  object_class->set_property = attest_video_view_set_property;

  widget_class->snapshot = attest_video_view_snapshot;
  widget_class->measure = attest_video_view_measure;

  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, GDK_TYPE_PAINTABLE, rw);
  properties[PROP_DETECTIONS] =
    g_param_spec_boxed ("detections", NULL, NULL, ATTEST_TYPE_DETECTIONS, rw);
  properties[PROP_ANALYSIS_INTERVAL] =
    g_param_spec_uint64 ("analysis-interval", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  properties[PROP_VISIBLE_FACES] =
    g_param_spec_uint ("visible-faces", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BOXES_SHOWN] =
    g_param_spec_boolean ("boxes-shown", NULL, NULL, FALSE, ro);
  properties[PROP_MATCH_THRESHOLD] =
    g_param_spec_double ("match-threshold", NULL, NULL, -1.0, 1.0,
                         ATTEST_MATCHER_DEFAULT_THRESHOLD, rw);
  properties[PROP_CAN_DRAW_BOX] =
    g_param_spec_boolean ("can-draw-box", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STREAM_CLICKED] =
    g_signal_new ("stream-clicked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  signals[FACE_SELECTED] =
    g_signal_new ("face-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);
  signals[FACE_ACTIVATED] =
    g_signal_new ("face-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);
  signals[BOX_DRAWN] =
    g_signal_new ("box-drawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "attest-video-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
attest_video_view_init (AttestVideoView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  self->match_threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  self->selected_index = -1;

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  g_signal_connect (drag, "cancel", G_CALLBACK (on_drag_cancel), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  update_accessible_label (self);
}

GtkWidget *
attest_video_view_new (void)
{
  return g_object_new (ATTEST_TYPE_VIDEO_VIEW, NULL);
}

GdkPaintable *
attest_video_view_get_paintable (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), NULL);

  return self->paintable;
}

void
attest_video_view_set_paintable (AttestVideoView *self,
                                 GdkPaintable    *paintable)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  if (self->paintable == paintable)
    return;

  if (self->paintable != NULL)
    {
      g_clear_signal_handler (&self->contents_handler, self->paintable);
      g_clear_signal_handler (&self->size_handler, self->paintable);
    }

  g_set_object (&self->paintable, paintable);

  if (paintable != NULL)
    {
      self->contents_handler = g_signal_connect (paintable, "invalidate-contents",
                                                 G_CALLBACK (on_paintable_contents), self);
      self->size_handler = g_signal_connect (paintable, "invalidate-size",
                                             G_CALLBACK (on_paintable_size), self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTABLE]);
  update_state (self);
}

AttestDetections *
attest_video_view_get_detections (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), NULL);

  return self->detections;
}

void
attest_video_view_set_detections (AttestVideoView  *self,
                                  AttestDetections *detections)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));

  if (self->detections == detections)
    return;

  g_clear_pointer (&self->detections, attest_detections_unref);
  if (detections != NULL)
    self->detections = attest_detections_ref (detections);
  if (self->selected_track == 0)
    self->selected_index = -1;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETECTIONS]);
  update_state (self);
}

guint64
attest_video_view_get_analysis_interval (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), 0);

  return self->analysis_interval;
}

void
attest_video_view_set_analysis_interval (AttestVideoView *self,
                                         guint64          interval_ns)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));

  /* GST_CLOCK_TIME_NONE from a pipeline that has not measured it yet: exact frames only. */
  if (!GST_CLOCK_TIME_IS_VALID (interval_ns))
    interval_ns = 0;

  if (self->analysis_interval == interval_ns)
    return;

  self->analysis_interval = interval_ns;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS_INTERVAL]);
  update_state (self);
}

guint
attest_video_view_get_visible_faces (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), 0);

  return self->visible_faces;
}

gboolean
attest_video_view_get_boxes_shown (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);

  return self->boxes_shown;
}

gboolean
attest_video_view_get_video_rect (AttestVideoView *self,
                                  graphene_rect_t *rect)
{
  int width, height, frame_w, frame_h;
  double aspect, w, h;

  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  graphene_rect_init (rect, 0, 0, 0, 0);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  height = gtk_widget_get_height (GTK_WIDGET (self));
  get_frame_size (self, &frame_w, &frame_h);
  if (width <= 0 || height <= 0 || frame_w == 0)
    return FALSE;

  /* The paintable's own ratio accounts for non-square pixels; fall back to the frame's. */
  aspect = gdk_paintable_get_intrinsic_aspect_ratio (self->paintable);
  if (aspect <= 0)
    aspect = (double) frame_w / frame_h;

  if ((double) width / height > aspect)
    {
      h = height;
      w = h * aspect;
    }
  else
    {
      w = width;
      h = w / aspect;
    }

  graphene_rect_init (rect, (width - w) / 2.0, (height - h) / 2.0, w, h);
  return TRUE;
}

gboolean
attest_video_view_widget_to_stream (AttestVideoView *self,
                                    double           wx,
                                    double           wy,
                                    double          *sx,
                                    double          *sy)
{
  graphene_rect_t video;
  int frame_w, frame_h;

  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);

  if (!attest_video_view_get_video_rect (self, &video))
    return FALSE;
  if (!graphene_rect_contains_point (&video, &GRAPHENE_POINT_INIT (wx, wy)))
    return FALSE;

  get_frame_size (self, &frame_w, &frame_h);
  if (sx)
    *sx = (wx - video.origin.x) * frame_w / video.size.width;
  if (sy)
    *sy = (wy - video.origin.y) * frame_h / video.size.height;

  return TRUE;
}

gboolean
attest_video_view_stream_to_widget (AttestVideoView *self,
                                    double           sx,
                                    double           sy,
                                    double          *wx,
                                    double          *wy)
{
  graphene_rect_t video;
  int frame_w, frame_h;

  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);

  if (!attest_video_view_get_video_rect (self, &video))
    return FALSE;

  get_frame_size (self, &frame_w, &frame_h);
  if (wx)
    *wx = video.origin.x + sx * video.size.width / frame_w;
  if (wy)
    *wy = video.origin.y + sy * video.size.height / frame_h;

  return TRUE;
}

double
attest_video_view_get_match_threshold (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), ATTEST_MATCHER_DEFAULT_THRESHOLD);

  return self->match_threshold;
}

void
attest_video_view_set_match_threshold (AttestVideoView *self,
                                       double           threshold)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));

  if (self->match_threshold == threshold)
    return;

  self->match_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_THRESHOLD]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

AttestFaceState
attest_video_view_get_face_state (AttestVideoView *self,
                                  guint            i)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), ATTEST_FACE_STATE_NOT_COMPARED);
  g_return_val_if_fail (i < self->visible_faces, ATTEST_FACE_STATE_NOT_COMPARED);

  return face_state (self, i);
}

char *
attest_video_view_get_face_label (AttestVideoView *self,
                                  guint            i)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), NULL);
  g_return_val_if_fail (i < self->visible_faces, NULL);

  return attest_match_text_label (face_info (self, i), &self->detections->faces[i],
                                  face_state (self, i), self->match_threshold);
}

gboolean
attest_video_view_get_face_rect (AttestVideoView *self,
                                 guint            i,
                                 graphene_rect_t *rect)
{
  graphene_rect_t video;
  const AttestBox *box;
  double sx, sy;

  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);
  g_return_val_if_fail (rect != NULL, FALSE);

  if (!self->boxes_shown || i >= self->detections->n_faces ||
      self->detections->width <= 0 || self->detections->height <= 0 ||
      !attest_video_view_get_video_rect (self, &video))
    return FALSE;

  box = &self->detections->faces[i];
  sx = video.size.width / self->detections->width;
  sy = video.size.height / self->detections->height;
  graphene_rect_init (rect, video.origin.x + box->x * sx, video.origin.y + box->y * sy,
                      box->w * sx, box->h * sy);
  return TRUE;
}

void
attest_video_view_select_face (AttestVideoView *self,
                               int              i)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));

  if (i < 0 || i >= (int) self->visible_faces)
    i = -1;

  self->selected_index = i;
  self->selected_track = track_of (self, i);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[FACE_SELECTED], 0, self->selected_track, i);
}

int
attest_video_view_get_selected_face (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), -1);

  return self->selected_index;
}

guint
attest_video_view_get_selected_track (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), 0);

  return self->selected_track;
}

gboolean
attest_video_view_get_can_draw_box (AttestVideoView *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_VIEW (self), FALSE);

  return self->can_draw_box;
}

void
attest_video_view_set_can_draw_box (AttestVideoView *self,
                                    gboolean         can_draw)
{
  g_return_if_fail (ATTEST_IS_VIDEO_VIEW (self));

  can_draw = !!can_draw;
  if (self->can_draw_box == can_draw)
    return;

  self->can_draw_box = can_draw;
  if (!can_draw && self->drawing)
    {
      self->drawing = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_DRAW_BOX]);
}

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

#include "media/attest-video-paintable.h"
#include "attest-video-view.h"

#define BOX_LINE_WIDTH 3.0f
#define BOX_RADIUS     3.0f
#define LABEL_PAD_X    4.0f
#define LABEL_PAD_Y    1.0f

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
};

G_DEFINE_FINAL_TYPE (AttestVideoView, attest_video_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAINTABLE,
  PROP_DETECTIONS,
  PROP_ANALYSIS_INTERVAL,
  PROP_VISIBLE_FACES,
  PROP_BOXES_SHOWN,
  N_PROPS
};

enum {
  STREAM_CLICKED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* "Detected, not compared yet": GNOME blue 3, readable on light and dark footage. */
static const GdkRGBA detected_colour = { 0x35 / 255.f, 0x84 / 255.f, 0xe4 / 255.f, 1.f };
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

static void
draw_face (AttestVideoView       *self,
           GtkSnapshot           *snapshot,
           const graphene_rect_t *video,
           const AttestBox       *box,
           double                 scale_x,
           double                 scale_y)
{
  const float widths[4] = { BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH, BOX_LINE_WIDTH };
  const GdkRGBA colours[4] = { detected_colour, detected_colour, detected_colour, detected_colour };
  g_autoptr (PangoLayout) layout = NULL;
  g_autofree char *text = NULL;
  graphene_rect_t face, outer, label;
  GskRoundedRect outline;
  PangoRectangle logical;

  face = GRAPHENE_RECT_INIT (video->origin.x + box->x * scale_x,
                             video->origin.y + box->y * scale_y,
                             box->w * scale_x,
                             box->h * scale_y);

  /* The 3 px line straddles the box edge, so the face itself stays visible inside. */
  graphene_rect_inset_r (&face, -BOX_LINE_WIDTH / 2.f, -BOX_LINE_WIDTH / 2.f, &outer);
  gsk_rounded_rect_init_from_rect (&outline, &outer, BOX_RADIUS);
  gtk_snapshot_append_border (snapshot, &outline, widths, colours);

  /* Translators: detector confidence of a face box, not a match score. */
  text = g_strdup_printf (_("face %.2f"), box->score);
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  pango_layout_get_pixel_extents (layout, NULL, &logical);

  label = GRAPHENE_RECT_INIT (outer.origin.x,
                              outer.origin.y - logical.height - 2 * LABEL_PAD_Y,
                              logical.width + 2 * LABEL_PAD_X,
                              logical.height + 2 * LABEL_PAD_Y);
  /* No room above the box: put the label inside its top edge. */
  if (label.origin.y < video->origin.y)
    label.origin.y = outer.origin.y + BOX_LINE_WIDTH;

  gtk_snapshot_append_color (snapshot, &label_background, &label);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (label.origin.x + LABEL_PAD_X - logical.x,
                                                label.origin.y + LABEL_PAD_Y - logical.y));
  gtk_snapshot_append_layout (snapshot, layout, &label_foreground);
  gtk_snapshot_restore (snapshot);
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

  if (!self->boxes_shown || self->detections->n_faces == 0)
    return;

  get_frame_size (self, &frame_w, &frame_h);
  if (self->detections->width <= 0 || self->detections->height <= 0)
    return;

  /* Box coordinates are in pixels of the analysed frame, which may be scaled relative to
   * the shown one; the frame maps onto the letterboxed rect. */
  gtk_snapshot_push_clip (snapshot, &video);
  for (guint i = 0; i < self->detections->n_faces; i++)
    draw_face (self, snapshot, &video, &self->detections->faces[i],
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

static void
on_click_pressed (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  AttestVideoView *self)
{
  double sx, sy;

  if (n_press != 1)
    return;

  if (attest_video_view_widget_to_stream (self, x, y, &sx, &sy))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      g_signal_emit (self, signals[STREAM_CLICKED], 0, sx, sy);
    }
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STREAM_CLICKED] =
    g_signal_new ("stream-clicked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);

  gtk_widget_class_set_css_name (widget_class, "attest-video-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
attest_video_view_init (AttestVideoView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

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

/* attest-video-paintable.c: the latest appsink frame as a GdkPaintable (Clapper's pattern).
 *
 * Streaming threads only touch `pending` (under the lock) and schedule at most one idle on
 * the main context captured at construction; everything else is main-thread state. */
#include "attest-video-paintable.h"
#include "attest-video-paintable-private.h"

#include <gst/video/video.h>
#include <gtk/gtk.h>

struct _AttestVideoPaintable
{
  GObject       parent_instance;

  GMainContext *context;

  GMutex        lock;
  GstSample    *pending;       /* under lock */
  GSource      *swap_source;   /* under lock: the one idle that swaps `pending` in */

  /* Main thread */
  GstSample    *current;
  GstVideoInfo  info;
  GstClockTime  pts;             /* stream time of the shown frame */
  int           display_width;   /* intrinsic size, pixel-aspect-ratio applied */
  int           display_height;
  GdkTexture   *texture;         /* built on first snapshot of `current`, then reused */
};

static void attest_video_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AttestVideoPaintable, attest_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      attest_video_paintable_iface_init))

static GdkMemoryFormat
memory_format_for (GstVideoFormat format,
                   gboolean      *ok)
{
  *ok = TRUE;

  switch (format)
    {
    case GST_VIDEO_FORMAT_RGBA:
      return GDK_MEMORY_R8G8B8A8;
    case GST_VIDEO_FORMAT_BGRA:
      return GDK_MEMORY_B8G8R8A8;
    case GST_VIDEO_FORMAT_RGB:
      return GDK_MEMORY_R8G8B8;
    case GST_VIDEO_FORMAT_BGR:
      return GDK_MEMORY_B8G8R8;
    default:
      *ok = FALSE;
      return GDK_MEMORY_R8G8B8A8;
    }
}

static void
video_frame_free (gpointer data)
{
  GstVideoFrame *frame = data;

  /* Unmapping also drops the buffer ref that gst_video_frame_map took. */
  gst_video_frame_unmap (frame);
  g_free (frame);
}

static GdkTexture *
texture_from_sample (GstSample          *sample,
                     const GstVideoInfo *info)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  g_autofree GstVideoFrame *frame = g_new0 (GstVideoFrame, 1);
  g_autoptr(GBytes) bytes = NULL;
  GdkMemoryFormat memory_format;
  gboolean ok;
  int width, height, stride, bpp;
  gsize size;

  memory_format = memory_format_for (GST_VIDEO_INFO_FORMAT (info), &ok);
  if (!ok || buffer == NULL)
    return NULL;

  if (!gst_video_frame_map (frame, (GstVideoInfo *) info, buffer, GST_MAP_READ))
    return NULL;

  width = GST_VIDEO_FRAME_WIDTH (frame);
  height = GST_VIDEO_FRAME_HEIGHT (frame);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  bpp = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, 0);
  /* The last row need not be padded to the stride. */
  size = (gsize) stride * (height - 1) + (gsize) width * bpp;

  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (frame, 0), size,
                                      video_frame_free, frame);
  g_steal_pointer (&frame);

  return gdk_memory_texture_new (width, height, memory_format, bytes, stride);
}

static gboolean
set_current (AttestVideoPaintable *self,
             GstSample            *sample)
{
  GstVideoInfo info;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  gboolean ok;
  int display_width, display_height;
  gboolean size_changed;

  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return FALSE;

  memory_format_for (GST_VIDEO_INFO_FORMAT (&info), &ok);
  if (!ok)
    return FALSE;

  display_width = GST_VIDEO_INFO_WIDTH (&info);
  display_height = GST_VIDEO_INFO_HEIGHT (&info);
  if (GST_VIDEO_INFO_PAR_N (&info) > 0 && GST_VIDEO_INFO_PAR_D (&info) > 0 &&
      GST_VIDEO_INFO_PAR_N (&info) != GST_VIDEO_INFO_PAR_D (&info))
    display_width = (int) gst_util_uint64_scale_int_round (display_width,
                                                           GST_VIDEO_INFO_PAR_N (&info),
                                                           GST_VIDEO_INFO_PAR_D (&info));

  size_changed = display_width != self->display_width || display_height != self->display_height;

  gst_mini_object_replace ((GstMiniObject **) &self->current, GST_MINI_OBJECT_CAST (sample));
  g_clear_object (&self->texture);
  self->info = info;
  /* The frame's place on the stream's timeline (what seeks and the truth use), not the raw
   * buffer PTS: with B-frames an MP4's first buffer may carry 80 ms for time 0. */
  self->pts = GST_BUFFER_PTS (buffer);
  if (segment != NULL && segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (self->pts))
    self->pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, self->pts);
  self->display_width = display_width;
  self->display_height = display_height;

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));

  return TRUE;
}

static GstSample *
take_pending (AttestVideoPaintable *self)
{
  GstSample *sample;

  g_mutex_lock (&self->lock);
  sample = g_steal_pointer (&self->pending);
  if (self->swap_source != NULL)
    {
      g_source_destroy (self->swap_source);
      g_clear_pointer (&self->swap_source, g_source_unref);
    }
  g_mutex_unlock (&self->lock);

  return sample;
}

static gboolean
swap_in_pending_cb (gpointer user_data)
{
  AttestVideoPaintable *self = user_data;
  g_autoptr(GstSample) sample = take_pending (self);

  if (sample != NULL)
    set_current (self, sample);

  return G_SOURCE_REMOVE;
}

static void
attest_video_paintable_snapshot (GdkPaintable *paintable,
                                 GdkSnapshot  *snapshot,
                                 double        width,
                                 double        height)
{
  AttestVideoPaintable *self = ATTEST_VIDEO_PAINTABLE (paintable);

  if (self->current == NULL)
    return;

  if (self->texture == NULL)
    self->texture = texture_from_sample (self->current, &self->info);

  if (self->texture != NULL)
    gtk_snapshot_append_texture (GTK_SNAPSHOT (snapshot), self->texture,
                                 &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static GdkPaintable *
attest_video_paintable_get_current_image (GdkPaintable *paintable)
{
  AttestVideoPaintable *self = ATTEST_VIDEO_PAINTABLE (paintable);

  if (self->current != NULL && self->texture == NULL)
    self->texture = texture_from_sample (self->current, &self->info);

  if (self->texture != NULL &&
      self->display_width == gdk_texture_get_width (self->texture) &&
      self->display_height == gdk_texture_get_height (self->texture))
    return g_object_ref (GDK_PAINTABLE (self->texture));

  if (self->texture != NULL)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      attest_video_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                                       self->display_width, self->display_height);
      return gtk_snapshot_free_to_paintable (g_steal_pointer (&snapshot),
                                             &GRAPHENE_SIZE_INIT (self->display_width,
                                                                  self->display_height));
    }

  return gdk_paintable_new_empty (self->display_width, self->display_height);
}

static int
attest_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return ATTEST_VIDEO_PAINTABLE (paintable)->display_width;
}

static int
attest_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return ATTEST_VIDEO_PAINTABLE (paintable)->display_height;
}

static double
attest_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  AttestVideoPaintable *self = ATTEST_VIDEO_PAINTABLE (paintable);

  if (self->display_width <= 0 || self->display_height <= 0)
    return 0.0;

  return (double) self->display_width / self->display_height;
}

static void
attest_video_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = attest_video_paintable_snapshot;
  iface->get_current_image = attest_video_paintable_get_current_image;
  iface->get_intrinsic_width = attest_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = attest_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = attest_video_paintable_get_intrinsic_aspect_ratio;
}

static void
attest_video_paintable_dispose (GObject *object)
{
  AttestVideoPaintable *self = ATTEST_VIDEO_PAINTABLE (object);
  g_autoptr(GstSample) pending = take_pending (self);

  g_clear_pointer (&self->current, gst_sample_unref);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (attest_video_paintable_parent_class)->dispose (object);
}

static void
attest_video_paintable_finalize (GObject *object)
{
  AttestVideoPaintable *self = ATTEST_VIDEO_PAINTABLE (object);

  g_mutex_clear (&self->lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (attest_video_paintable_parent_class)->finalize (object);
}

static void
attest_video_paintable_class_init (AttestVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attest_video_paintable_dispose;
  object_class->finalize = attest_video_paintable_finalize;
}

static void
attest_video_paintable_init (AttestVideoPaintable *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->pts = GST_CLOCK_TIME_NONE;
  gst_video_info_init (&self->info);
}

AttestVideoPaintable *
attest_video_paintable_new (void)
{
  return g_object_new (ATTEST_TYPE_VIDEO_PAINTABLE, NULL);
}

void
attest_video_paintable_push_sample (AttestVideoPaintable *self,
                                    GstSample            *sample)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (GST_IS_SAMPLE (sample));

  g_mutex_lock (&self->lock);

  /* A newer frame replaces one not yet shown: the screen only ever wants the latest. */
  gst_mini_object_replace ((GstMiniObject **) &self->pending, GST_MINI_OBJECT_CAST (sample));

  if (self->swap_source == NULL)
    {
      self->swap_source = g_idle_source_new ();
      g_source_set_priority (self->swap_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->swap_source, swap_in_pending_cb, self, NULL);
      g_source_set_static_name (self->swap_source, "[attest] video frame");
      g_source_attach (self->swap_source, self->context);
    }

  g_mutex_unlock (&self->lock);
}

GstClockTime
attest_video_paintable_get_pts (AttestVideoPaintable *self)
{
  g_return_val_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self), GST_CLOCK_TIME_NONE);

  return self->pts;
}

void
attest_video_paintable_get_frame_size (AttestVideoPaintable *self,
                                       int                  *width,
                                       int                  *height)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self));

  if (width != NULL)
    *width = self->current != NULL ? GST_VIDEO_INFO_WIDTH (&self->info) : 0;
  if (height != NULL)
    *height = self->current != NULL ? GST_VIDEO_INFO_HEIGHT (&self->info) : 0;
}

void
attest_video_paintable_clear (AttestVideoPaintable *self)
{
  g_autoptr(GstSample) pending = NULL;
  gboolean had_frame;

  g_return_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self));

  pending = take_pending (self);
  had_frame = self->current != NULL;

  g_clear_pointer (&self->current, gst_sample_unref);
  g_clear_object (&self->texture);
  gst_video_info_init (&self->info);
  self->pts = GST_CLOCK_TIME_NONE;

  if (self->display_width != 0 || self->display_height != 0)
    {
      self->display_width = 0;
      self->display_height = 0;
      gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
    }
  if (had_frame)
    gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

void
_attest_video_paintable_flush (AttestVideoPaintable *self)
{
  g_autoptr(GstSample) sample = NULL;

  g_return_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self));

  sample = take_pending (self);
  if (sample != NULL)
    set_current (self, sample);
}

void
_attest_video_paintable_get_framerate (AttestVideoPaintable *self,
                                       int                  *fps_n,
                                       int                  *fps_d)
{
  g_return_if_fail (ATTEST_IS_VIDEO_PAINTABLE (self));

  *fps_n = self->current != NULL ? GST_VIDEO_INFO_FPS_N (&self->info) : 0;
  *fps_d = self->current != NULL ? GST_VIDEO_INFO_FPS_D (&self->info) : 1;
}

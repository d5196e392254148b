/* attest-pipeline-analysis.c: the detection worker of AttestPipeline and its history.
 *
 * Why frames are analysed ahead of the screen: a result for frame p takes one detection
 * (~0.1-0.3 s on 2 cores) to compute, so if the worker only saw the frame on screen its boxes
 * would always arrive over a later frame. Playback decodes ahead instead (the display branch
 * queues ~1.5 s, attest-pipeline.c), the analysis branch hands every decoded frame here
 * (shared buffers, no copy), and the worker picks, from those, the earliest frame its result
 * can still reach before the screen does. Results go into a short history ordered by PTS;
 * the main thread looks up the entry for each frame it shows. So boxes are drawn on the frame
 * they were computed for, and in between on later frames for at most one analysis interval.
 *
 * One worker thread, skipping frames while busy (GNOME Snapshot's QR detector pattern): it
 * never falls behind the video. A paused frame (open, seek, step, pause) comes from the
 * display branch's preroll and is analysed before anything else, so it gets exact boxes.
 *
 * A camera cannot decode ahead: the worker then takes the newest frame, and its boxes reach
 * the screen one detection late (still drawn, within one analysis interval, by the view's
 * rule). */
#include "attest-pipeline-private.h"

#include <gst/video/video.h>

/* ~6 s of results at 10 a second: far more than the display branch's look-ahead. */
#define HISTORY_SIZE 64
/* Bounds the frames held for the worker's choice (they share buffers with the display
 * queue, so this is refs, not memory). */
#define MAX_AHEAD_FRAMES 120
/* How far ahead of the screen a frame must be for its result to arrive in time: one
 * detection (measured), a quarter more for jitter, and this for the hand-over. */
#define LEAD_MARGIN (60 * GST_MSECOND)
#define FIRST_DETECTION_GUESS (250 * GST_MSECOND)
/* A file with nothing far enough ahead has usually just started decoding: wait this long
 * for a better frame before taking the newest. */
#define LATE_WAIT_US (40 * G_TIME_SPAN_MILLISECOND)
/* Consecutive analysed frames further apart than this are not playback (a seek, a pause). */
#define MAX_INTERVAL (2 * GST_SECOND)

typedef struct
{
  GstSample    *sample;
  GstClockTime  pts;  /* stream time */
} AheadFrame;

/* The worker's converter from the decoder's format to BGR (what the detector reads without
 * a copy); rebuilt when the format changes. */
typedef struct
{
  GstVideoConverter *convert;
  GstVideoInfo       in_info;
  GstVideoInfo       out_info;
  GstBuffer         *out_buffer;
} Converter;

static void
ahead_frame_free (AheadFrame *frame)
{
  gst_sample_unref (frame->sample);
  g_free (frame);
}

/* Stamped like the paintable's frames: stream time, so boxes meet the frame they are for. */
static GstClockTime
sample_stream_time (GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  GstClockTime pts = buffer != NULL ? GST_BUFFER_PTS (buffer) : GST_CLOCK_TIME_NONE;

  if (segment != NULL && segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (pts))
    pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);

  return pts;
}

/* ---- History (under lock) ---- */

static AttestDetections *
history_at (AttestPipeline *self,
            guint           index)
{
  return g_ptr_array_index (self->history, index);
}

/* Index of the first entry with pts > `pts` (so the one before it is the newest <= pts). */
static guint
history_upper_bound_locked (AttestPipeline *self,
                            GstClockTime    pts)
{
  guint lo = 0, hi = self->history->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (history_at (self, mid)->pts <= pts)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static void
history_insert_locked (AttestPipeline   *self,
                       AttestDetections *detections)
{
  guint index = history_upper_bound_locked (self, detections->pts);

  /* The same frame analysed twice (paused on a frame already analysed ahead): keep one. */
  if (index > 0 && history_at (self, index - 1)->pts == detections->pts)
    {
      attest_detections_unref (history_at (self, index - 1));
      g_ptr_array_index (self->history, index - 1) = attest_detections_ref (detections);
      return;
    }

  g_ptr_array_insert (self->history, (int) index, attest_detections_ref (detections));

  /* The oldest frames are those the screen has passed. */
  while (self->history->len > HISTORY_SIZE)
    g_ptr_array_remove_index (self->history, 0);
}

static void
clear_pending_locked (AttestPipeline *self)
{
  AheadFrame *frame;

  self->generation++;
  g_clear_pointer (&self->preroll_sample, gst_sample_unref);
  g_clear_pointer (&self->paused_sample, gst_sample_unref);
  while ((frame = g_queue_pop_head (&self->ahead)) != NULL)
    ahead_frame_free (frame);
  g_ptr_array_set_size (self->history, 0);
  self->last_analysed_pts = GST_CLOCK_TIME_NONE;
  self->last_ahead_pts = GST_CLOCK_TIME_NONE;
}

AttestDetections *
attest_pipeline_lookup_detections (AttestPipeline *self,
                                   GstClockTime    shown_pts)
{
  AttestDetections *found = NULL;
  guint index;

  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), NULL);

  if (!GST_CLOCK_TIME_IS_VALID (shown_pts))
    return NULL;

  g_mutex_lock (&self->lock);
  index = history_upper_bound_locked (self, shown_pts);
  if (index > 0)
    found = attest_detections_ref (history_at (self, index - 1));
  g_mutex_unlock (&self->lock);

  return found;
}

/* ---- Main thread ---- */

static void
set_detections (AttestPipeline   *self,
                AttestDetections *detections)
{
  if (self->detections == detections)
    return;

  g_clear_pointer (&self->detections, attest_detections_unref);
  if (detections != NULL)
    self->detections = attest_detections_ref (detections);
  g_object_notify (G_OBJECT (self), "detections");
}

void
_attest_pipeline_update_detections (AttestPipeline *self)
{
  GstClockTime shown = attest_video_paintable_get_pts (self->paintable);
  g_autoptr(AttestDetections) detections = attest_pipeline_lookup_detections (self, shown);

  set_detections (self, detections);
}

void
_attest_pipeline_set_analysis_interval (AttestPipeline *self,
                                        GstClockTime    interval)
{
  if (self->analysis_interval == interval)
    return;

  self->analysis_interval = interval;
  g_object_notify (G_OBJECT (self), "analysis-interval");
}

static gboolean
history_changed_cb (gpointer user_data)
{
  AttestPipeline *self = user_data;
  GstClockTime interval;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->result_source, g_source_unref);
  interval = self->measured_interval;
  g_mutex_unlock (&self->lock);

  /* Interval first: the view judges the new detections by it. */
  if (interval != 0)
    _attest_pipeline_set_analysis_interval (self, interval);
  _attest_pipeline_update_detections (self);

  return G_SOURCE_REMOVE;
}

static void
add_stride_locked (AttestPipeline *self,
                   GstClockTime    stride)
{
  self->strides[self->next_stride] = stride;
  self->next_stride = (self->next_stride + 1) % G_N_ELEMENTS (self->strides);
  self->n_strides = MIN (self->n_strides + 1, G_N_ELEMENTS (self->strides));

  self->measured_interval = 0;
  for (guint i = 0; i < self->n_strides; i++)
    self->measured_interval = MAX (self->measured_interval, self->strides[i]);
}

void
_attest_pipeline_analysis_set_playing (AttestPipeline *self,
                                       gboolean        playing)
{
  GstClockTime interval;

  g_mutex_lock (&self->lock);
  self->worker_playing = playing;
  /* The first frame analysed ahead after a pause is one lead past the paused frame: a gap
   * of the start, not the cadence. */
  if (playing)
    self->last_ahead_pts = GST_CLOCK_TIME_NONE;
  /* Until playback has measured strides, expect one per detection (the worker analyses
   * back to back), so the frames right after the paused one keep its boxes. */
  if (playing && self->n_strides == 0 && self->detection_time != 0)
    add_stride_locked (self, self->detection_time);
  interval = self->measured_interval;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (interval != 0)
    _attest_pipeline_set_analysis_interval (self, interval);
}

/* ---- Worker ---- */

static void
converter_clear (Converter *converter)
{
  g_clear_pointer (&converter->convert, gst_video_converter_free);
  gst_clear_buffer (&converter->out_buffer);
}

static gboolean
converter_prepare (Converter          *converter,
                   const GstVideoInfo *in_info)
{
  GstStructure *config;

  if (converter->convert != NULL && gst_video_info_is_equal (&converter->in_info, in_info))
    return TRUE;

  converter_clear (converter);
  if (!gst_video_info_set_format (&converter->out_info, GST_VIDEO_FORMAT_BGR,
                                  GST_VIDEO_INFO_WIDTH (in_info),
                                  GST_VIDEO_INFO_HEIGHT (in_info)))
    return FALSE;
  /* Same timing and field order, only the pixels change (the converter insists). */
  GST_VIDEO_INFO_FPS_N (&converter->out_info) = GST_VIDEO_INFO_FPS_N (in_info);
  GST_VIDEO_INFO_FPS_D (&converter->out_info) = GST_VIDEO_INFO_FPS_D (in_info);
  GST_VIDEO_INFO_PAR_N (&converter->out_info) = GST_VIDEO_INFO_PAR_N (in_info);
  GST_VIDEO_INFO_PAR_D (&converter->out_info) = GST_VIDEO_INFO_PAR_D (in_info);
  GST_VIDEO_INFO_INTERLACE_MODE (&converter->out_info) = GST_VIDEO_INFO_INTERLACE_MODE (in_info);

  /* The detector uses both cores as well; this runs between detections. */
  config = gst_structure_new ("attest-converter",
                              GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 2,
                              NULL);
  converter->convert = gst_video_converter_new ((GstVideoInfo *) in_info,
                                                &converter->out_info, config);
  if (converter->convert == NULL)
    return FALSE;

  converter->in_info = *in_info;
  converter->out_buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&converter->out_info),
                                                   NULL);
  return TRUE;
}

static gboolean
pixel_format_for (GstVideoFormat     format,
                  AttestPixelFormat *out)
{
  switch (format)
    {
    case GST_VIDEO_FORMAT_RGBA:
      *out = ATTEST_PIXELS_RGBA;
      return TRUE;
    case GST_VIDEO_FORMAT_BGRA:
      *out = ATTEST_PIXELS_BGRA;
      return TRUE;
    case GST_VIDEO_FORMAT_RGB:
      *out = ATTEST_PIXELS_RGB;
      return TRUE;
    case GST_VIDEO_FORMAT_BGR:
      *out = ATTEST_PIXELS_BGR;
      return TRUE;
    default:
      return FALSE;
    }
}

/* The display branch's RGBA frames are read as they are; the analysis branch's decoded
 * frames (I420 and the like) are converted here, so only the frames analysed pay for it. */
static AttestDetections *
analyse (AttestPipeline *self,
         Converter      *converter,
         GstSample      *sample,
         GstClockTime    pts,
         guint           generation,
         gboolean        is_camera)
{
  AttestDetections *detections;
  GstVideoInfo info;
  GstVideoFrame decoded, converted;
  GstVideoFrame *frame = &decoded;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  AttestImageView view;
  guint64 frame_number = G_MAXUINT64;

  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;
  if (!gst_video_frame_map (&decoded, &info, buffer, GST_MAP_READ))
    return NULL;

  if (!pixel_format_for (GST_VIDEO_INFO_FORMAT (&info), &view.format))
    {
      if (!converter_prepare (converter, &info) ||
          !gst_video_frame_map (&converted, &converter->out_info, converter->out_buffer,
                                GST_MAP_WRITE))
        {
          g_debug ("Cannot convert %s frames for face detection",
                   gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info)));
          gst_video_frame_unmap (&decoded);
          return NULL;
        }
      gst_video_converter_frame (converter->convert, &decoded, &converted);
      gst_video_frame_unmap (&decoded);
      frame = &converted;
      view.format = ATTEST_PIXELS_BGR;
    }

  view.data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  view.width = GST_VIDEO_FRAME_WIDTH (frame);
  view.height = GST_VIDEO_FRAME_HEIGHT (frame);
  view.stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

  /* A file's frames are numbered from its start; a camera's have no stable number. */
  if (!is_camera && GST_VIDEO_INFO_FPS_N (&info) > 0 && GST_VIDEO_INFO_FPS_D (&info) > 0)
    frame_number = gst_util_uint64_scale_round (pts, GST_VIDEO_INFO_FPS_N (&info),
                                                (guint64) GST_VIDEO_INFO_FPS_D (&info) *
                                                GST_SECOND);

  /* Detected, and with a gallery assessed, embedded, tracked and searched, while the pixels
   * are still mapped. */
  detections = _attest_pipeline_analyse_view (self, &view, pts, frame_number, generation);
  gst_video_frame_unmap (frame);
  return detections;
}

static void
drop_ahead_head_locked (AttestPipeline *self)
{
  ahead_frame_free (g_queue_pop_head (&self->ahead));
}

static GstSample *
take_ahead_locked (AttestPipeline *self,
                   GList          *link,
                   GstClockTime   *pts)
{
  AheadFrame *frame = link->data;
  GstSample *sample = g_steal_pointer (&frame->sample);

  /* Everything before the chosen frame has been skipped. */
  while (g_queue_peek_head_link (&self->ahead) != link)
    drop_ahead_head_locked (self);
  g_queue_delete_link (&self->ahead, link);

  *pts = frame->pts;
  g_free (frame);

  return sample;
}

/* The next frame to analyse, or NULL and how long to wait (0: until signalled). */
static GstSample *
choose_frame_locked (AttestPipeline *self,
                     gint64         *late_since,
                     GstClockTime   *pts,
                     gboolean       *ahead,
                     gint64         *wait_until)
{
  GstClockTime floor = GST_CLOCK_TIME_NONE;
  GstClockTime target = 0;
  GstClockTime lead;
  AheadFrame *newest;
  gint64 now;

  *wait_until = 0;

  /* The frame on screen while paused comes first: the user is looking at it. */
  if (self->preroll_sample != NULL)
    {
      *ahead = FALSE;
      *pts = sample_stream_time (self->preroll_sample);
      return g_steal_pointer (&self->preroll_sample);
    }

  /* Paused, the frames ahead wait for playback: no work for frames nobody may see. */
  if (!self->worker_playing || g_queue_is_empty (&self->ahead))
    return NULL;

  *ahead = TRUE;

  /* Frames already on screen, or not after the last one analysed, come too late. The newest
   * stays: when decoding cannot run ahead (a camera), it is the only choice. */
  if (GST_CLOCK_TIME_IS_VALID (self->shown_pts))
    floor = self->shown_pts;
  if (GST_CLOCK_TIME_IS_VALID (self->last_analysed_pts) &&
      (!GST_CLOCK_TIME_IS_VALID (floor) || self->last_analysed_pts > floor))
    floor = self->last_analysed_pts;
  while (self->ahead.length > 1 && GST_CLOCK_TIME_IS_VALID (floor) &&
         ((AheadFrame *) g_queue_peek_head (&self->ahead))->pts <= floor)
    drop_ahead_head_locked (self);

  newest = g_queue_peek_tail (&self->ahead);
  if (GST_CLOCK_TIME_IS_VALID (self->last_analysed_pts) && newest->pts <= self->last_analysed_pts)
    {
      drop_ahead_head_locked (self);  /* the only one left */
      return NULL;
    }

  /* The earliest frame whose result is ready before it is shown. */
  lead = self->detection_time != 0 ? self->detection_time : FIRST_DETECTION_GUESS;
  if (GST_CLOCK_TIME_IS_VALID (self->shown_pts))
    target = self->shown_pts + lead + lead / 4 + LEAD_MARGIN;
  for (GList *l = g_queue_peek_head_link (&self->ahead); l != NULL; l = l->next)
    if (((AheadFrame *) l->data)->pts >= target)
      {
        *late_since = 0;
        return take_ahead_locked (self, l, pts);
      }

  /* Nothing far enough ahead. A file has usually just started decoding: give it a moment.
   * A camera never decodes ahead, nor does a file decoded slower than real time: their
   * boxes lag, so take the newest. */
  now = g_get_monotonic_time ();
  if (!self->is_camera)
    {
      if (*late_since == 0)
        *late_since = now;
      if (now - *late_since < LATE_WAIT_US)
        {
          *wait_until = *late_since + LATE_WAIT_US;
          return NULL;
        }
    }

  *late_since = 0;
  return take_ahead_locked (self, g_queue_peek_tail_link (&self->ahead), pts);
}

/* The analysis interval: the stream time from the analysed frame before `detections` (in
 * stream order, so a paused frame analysed in between counts) to it, between frames
 * analysed one after the other during playback. How long a box may stand for the frames
 * after it; the longest of the last few, since one detection may take longer than the one
 * before (a busy machine), and the boxes of the frame before must stay up until then. */
static void
measure_interval_locked (AttestPipeline   *self,
                         AttestDetections *detections)
{
  guint index = history_upper_bound_locked (self, detections->pts);
  gboolean follows = GST_CLOCK_TIME_IS_VALID (self->last_ahead_pts);
  GstClockTime previous;

  self->last_ahead_pts = detections->pts;

  /* `detections` is at index - 1. */
  if (!follows || index < 2)
    return;

  previous = history_at (self, index - 2)->pts;
  if (detections->pts - previous < MAX_INTERVAL)
    add_stride_locked (self, detections->pts - previous);
}

static gpointer
worker_thread (gpointer user_data)
{
  AttestPipeline *self = user_data;
  Converter converter = { 0 };
  gint64 late_since = 0;

  g_mutex_lock (&self->lock);

  while (!self->worker_quit)
    {
      g_autoptr(GstSample) sample = NULL;
      g_autoptr(AttestDetections) detections = NULL;
      GstClockTime pts = GST_CLOCK_TIME_NONE;
      gboolean ahead = FALSE;
      gint64 wait_until, started;
      GstClockTime took;
      guint generation;
      gboolean is_camera;

      sample = choose_frame_locked (self, &late_since, &pts, &ahead, &wait_until);
      if (sample == NULL)
        {
          if (wait_until != 0)
            g_cond_wait_until (&self->cond, &self->lock, wait_until);
          else
            g_cond_wait (&self->cond, &self->lock);
          continue;
        }

      if (!GST_CLOCK_TIME_IS_VALID (pts))
        continue;

      self->last_analysed_pts = pts;
      generation = self->generation;
      is_camera = self->is_camera;
      g_mutex_unlock (&self->lock);

      started = g_get_monotonic_time ();
      detections = analyse (self, &converter, sample, pts, generation, is_camera);
      took = (GstClockTime) (g_get_monotonic_time () - started) * GST_USECOND;
      g_debug ("Analysed the %s frame at %" GST_TIME_FORMAT " in %" G_GUINT64_FORMAT " ms",
               ahead ? "ahead" : "paused", GST_TIME_ARGS (pts), took / GST_MSECOND);

      g_mutex_lock (&self->lock);
      self->detection_time = self->detection_time == 0 ? took :
                             (3 * self->detection_time + took) / 4;
      if (detections == NULL || generation != self->generation)
        continue;

      history_insert_locked (self, detections);
      if (ahead)
        measure_interval_locked (self, detections);
      /* Playing since before the first detection (a file opened to play): the same guess
       * as when playback starts (see _attest_pipeline_analysis_set_playing). */
      if (self->worker_playing && self->n_strides == 0)
        add_stride_locked (self, self->detection_time);

      /* One idle for any number of results: the main thread looks the history up. */
      if (self->result_source == NULL)
        {
          self->result_source = g_idle_source_new ();
          g_source_set_priority (self->result_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (self->result_source, history_changed_cb, self, NULL);
          g_source_set_static_name (self->result_source, "[attest] detections");
          g_source_attach (self->result_source, self->context);
        }
    }

  g_mutex_unlock (&self->lock);
  converter_clear (&converter);

  return NULL;
}

/* ---- Any thread ---- */

void
_attest_pipeline_analysis_frame_due (AttestPipeline *self,
                                     GstSample      *sample)
{
  GstClockTime pts = sample_stream_time (sample);

  g_mutex_lock (&self->lock);
  self->shown_pts = pts;
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_offer_preroll (AttestPipeline *self,
                                         GstSample      *sample)
{
  if (self->vision == NULL)
    return;

  g_mutex_lock (&self->lock);
  gst_mini_object_replace ((GstMiniObject **) &self->preroll_sample, GST_MINI_OBJECT_CAST (sample));
  gst_mini_object_replace ((GstMiniObject **) &self->paused_sample, GST_MINI_OBJECT_CAST (sample));
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_offer_ahead (AttestPipeline *self,
                                       GstSample      *sample)
{
  GstClockTime pts = sample_stream_time (sample);
  AheadFrame *frame;
  AheadFrame *last;

  if (self->vision == NULL || !GST_CLOCK_TIME_IS_VALID (pts))
    return;

  frame = g_new (AheadFrame, 1);
  frame->sample = gst_sample_ref (sample);
  frame->pts = pts;

  g_mutex_lock (&self->lock);

  /* Going back in time means a new segment (a seek): what was queued is from before it. */
  last = g_queue_peek_tail (&self->ahead);
  if (last != NULL && last->pts >= pts)
    while (!g_queue_is_empty (&self->ahead))
      drop_ahead_head_locked (self);

  g_queue_push_tail (&self->ahead, frame);
  while (self->ahead.length > MAX_AHEAD_FRAMES)
    drop_ahead_head_locked (self);

  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* ---- Life cycle (main thread) ---- */

void
_attest_pipeline_analysis_reset (AttestPipeline *self,
                                 gboolean        is_camera)
{
  g_mutex_lock (&self->lock);
  clear_pending_locked (self);
  self->is_camera = is_camera;
  self->shown_pts = GST_CLOCK_TIME_NONE;
  self->n_strides = 0;
  self->next_stride = 0;
  self->measured_interval = 0;
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_flush (AttestPipeline *self,
                                 GstClockTime    position)
{
  g_mutex_lock (&self->lock);
  clear_pending_locked (self);
  /* The frame about to be shown: frames decoded after the seek are judged against it. */
  self->shown_pts = position;
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_start (AttestPipeline *self)
{
  g_assert (self->worker == NULL);

  if (self->vision != NULL)
    {
      /* The overlay shows every face's quality, not only the embedded ones'. */
      self->analysis = attest_analysis_new (self->vision, ATTEST_ANALYSIS_GATE_EVERY_FACE);
      attest_analysis_set_threshold (self->analysis, self->match_threshold);
      self->worker = g_thread_new ("attest-analysis", worker_thread, self);
    }
}

void
_attest_pipeline_analysis_stop (AttestPipeline *self)
{
  if (self->worker != NULL)
    {
      g_mutex_lock (&self->lock);
      self->worker_quit = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      /* Waits for a detection in progress (a fraction of a second at most). */
      g_thread_join (g_steal_pointer (&self->worker));
    }

  g_mutex_lock (&self->lock);
  if (self->result_source != NULL)
    {
      g_source_destroy (self->result_source);
      g_clear_pointer (&self->result_source, g_source_unref);
    }
  clear_pending_locked (self);
  g_mutex_unlock (&self->lock);
}

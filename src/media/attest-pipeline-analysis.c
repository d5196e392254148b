/* attest-pipeline-analysis.c: the detection worker of AttestPipeline.
 *
 * One thread, one pending frame: a newer frame replaces the pending one while the worker is
 * busy, so it never falls behind the video, it skips frames (GNOME Snapshot's QR detector
 * pattern). Results go to the main context through one coalescing idle, stamped with the
 * frame's stream time and a generation so a result for media closed meanwhile is dropped. */
#include "attest-pipeline-private.h"

#include <gst/video/video.h>

#define MAX_FACES 64

void
_attest_pipeline_set_detections (AttestPipeline   *self,
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
_attest_pipeline_set_analysis_interval (AttestPipeline *self,
                                        GstClockTime    interval)
{
  if (self->analysis_interval == interval)
    return;

  self->analysis_interval = interval;
  g_object_notify (G_OBJECT (self), "analysis-interval");
}

static gboolean
deliver_result_cb (gpointer user_data)
{
  AttestPipeline *self = user_data;
  g_autoptr(AttestDetections) detections = NULL;
  guint generation;

  g_mutex_lock (&self->lock);
  detections = g_steal_pointer (&self->result);
  generation = self->result_generation;
  g_clear_pointer (&self->result_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  if (detections == NULL || generation != self->generation)
    return G_SOURCE_REMOVE;

  /* How far apart in stream time two analysed frames are while playing: how long a box may
   * stand for the frames after it. Paused seeks say nothing about it. */
  if (self->playing && self->detections != NULL &&
      GST_CLOCK_TIME_IS_VALID (detections->pts) &&
      GST_CLOCK_TIME_IS_VALID (self->detections->pts) &&
      detections->pts > self->detections->pts &&
      detections->pts - self->detections->pts < 2 * GST_SECOND)
    {
      GstClockTime delta = detections->pts - self->detections->pts;

      if (self->analysis_interval == 0)
        _attest_pipeline_set_analysis_interval (self, delta);
      else
        _attest_pipeline_set_analysis_interval (self, (3 * self->analysis_interval + delta) / 4);
    }

  _attest_pipeline_set_detections (self, detections);

  return G_SOURCE_REMOVE;
}

static AttestDetections *
analyse (AttestPipeline *self,
         GstSample      *sample,
         gboolean        is_camera)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  const GstSegment *segment = gst_sample_get_segment (sample);
  AttestBox boxes[MAX_FACES];
  AttestImageView view;
  GstClockTime pts;
  guint64 frame_number = G_MAXUINT64;
  int n;

  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;
  if (GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_RGBA)
    return NULL;
  if (!gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ))
    return NULL;

  view.data = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
  view.width = GST_VIDEO_FRAME_WIDTH (&frame);
  view.height = GST_VIDEO_FRAME_HEIGHT (&frame);
  view.stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
  view.format = ATTEST_PIXELS_RGBA;

  n = attest_vision_detect (self->vision, &view, boxes, MAX_FACES);
  gst_video_frame_unmap (&frame);

  /* Stamped like the paintable's frames: stream time, so boxes meet the frame they are for. */
  pts = GST_BUFFER_PTS (buffer);
  if (segment != NULL && segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (pts))
    pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);

  /* A file's frames are numbered from its start; a camera's have no stable number. */
  if (!is_camera && GST_CLOCK_TIME_IS_VALID (pts) &&
      GST_VIDEO_INFO_FPS_N (&info) > 0 && GST_VIDEO_INFO_FPS_D (&info) > 0)
    frame_number = gst_util_uint64_scale_round (pts, GST_VIDEO_INFO_FPS_N (&info),
                                                (guint64) GST_VIDEO_INFO_FPS_D (&info) *
                                                GST_SECOND);

  return attest_detections_new (pts, frame_number, view.width, view.height,
                                boxes, (guint) CLAMP (n, 0, MAX_FACES));
}

static gpointer
worker_thread (gpointer user_data)
{
  AttestPipeline *self = user_data;

  g_mutex_lock (&self->lock);

  for (;;)
    {
      g_autoptr(GstSample) sample = NULL;
      g_autoptr(AttestDetections) detections = NULL;
      guint generation;
      gboolean is_camera;

      while (self->work_sample == NULL && !self->worker_quit)
        g_cond_wait (&self->cond, &self->lock);

      if (self->worker_quit)
        break;

      sample = g_steal_pointer (&self->work_sample);
      generation = self->work_generation;
      is_camera = self->is_camera;
      g_mutex_unlock (&self->lock);

      detections = analyse (self, sample, is_camera);

      g_mutex_lock (&self->lock);
      if (detections == NULL || generation != self->generation)
        continue;

      /* Coalesce: if the main thread has not taken the last result yet, only the newest
       * matters. */
      g_clear_pointer (&self->result, attest_detections_unref);
      self->result = g_steal_pointer (&detections);
      self->result_generation = generation;
      if (self->result_source == NULL)
        {
          self->result_source = g_idle_source_new ();
          g_source_set_priority (self->result_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (self->result_source, deliver_result_cb, self, NULL);
          g_source_set_static_name (self->result_source, "[attest] detections");
          g_source_attach (self->result_source, self->context);
        }
    }

  g_mutex_unlock (&self->lock);

  return NULL;
}

void
_attest_pipeline_analysis_offer (AttestPipeline *self,
                                 GstSample      *sample)
{
  if (self->vision == NULL)
    return;

  g_mutex_lock (&self->lock);
  gst_mini_object_replace ((GstMiniObject **) &self->work_sample, GST_MINI_OBJECT_CAST (sample));
  self->work_generation = self->generation;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_reset (AttestPipeline *self,
                                 gboolean        is_camera)
{
  g_mutex_lock (&self->lock);
  self->generation++;
  self->is_camera = is_camera;
  g_clear_pointer (&self->work_sample, gst_sample_unref);
  g_clear_pointer (&self->result, attest_detections_unref);
  g_mutex_unlock (&self->lock);
}

void
_attest_pipeline_analysis_start (AttestPipeline *self)
{
  g_assert (self->worker == NULL);

  if (self->vision != NULL)
    self->worker = g_thread_new ("attest-analysis", worker_thread, self);
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
  g_clear_pointer (&self->result, attest_detections_unref);
  g_clear_pointer (&self->work_sample, gst_sample_unref);
  g_mutex_unlock (&self->lock);
}

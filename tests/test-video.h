/* test-video.h: decoding a video file into BGR frames with GStreamer itself, for tests that
 * link no media layer (test-tracker, test-analysis): what they test is the analysis, and the
 * frames must not come from the code under test. Static functions in a header: each test is
 * one file.
 *
 * uridecodebin ! videoconvert ! BGR appsink, pulled one frame at a time (no clock), so every
 * frame of the file comes out in order. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "vision/attest-vision.h"

typedef struct
{
  GstElement   *pipeline;
  GstElement   *sink;
  GstSample    *sample;   /* the frame handed out last */
  GstVideoFrame frame;
  gboolean      mapped;
  guint64       count;    /* frames handed out */
} TestVideo;

static void
test_video_free (TestVideo *v)
{
  if (v == NULL)
    return;
  if (v->mapped)
    gst_video_frame_unmap (&v->frame);
  g_clear_pointer (&v->sample, gst_sample_unref);
  if (v->pipeline != NULL)
    gst_element_set_state (v->pipeline, GST_STATE_NULL);
  g_clear_object (&v->pipeline);
  g_clear_object (&v->sink);
  g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestVideo, test_video_free)

G_GNUC_UNUSED static TestVideo *
test_video_open (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *launch = g_strdup_printf ("uridecodebin uri=\"%s\" ! videoconvert ! "
                                             "video/x-raw,format=BGR ! appsink name=sink "
                                             "sync=false max-buffers=4", uri);
  TestVideo *v = g_new0 (TestVideo, 1);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  v->pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  g_object_ref_sink (v->pipeline);
  v->sink = gst_bin_get_by_name (GST_BIN (v->pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (v->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  return v;
}

/* The next frame (FALSE at the end of the stream). The view stays valid until the next call.
 * pts: stream time (0 at the file's first frame); number: 0, 1, 2, ... in decoding order. */
G_GNUC_UNUSED static gboolean
test_video_next (TestVideo       *v,
                 AttestImageView *view,
                 GstClockTime    *pts,
                 guint64         *number)
{
  GstVideoInfo info;
  GstBuffer *buffer;
  const GstSegment *segment;

  if (v->mapped)
    gst_video_frame_unmap (&v->frame);
  v->mapped = FALSE;
  g_clear_pointer (&v->sample, gst_sample_unref);

  v->sample = gst_app_sink_try_pull_sample (GST_APP_SINK (v->sink), 60 * GST_SECOND);
  if (v->sample == NULL)
    {
      g_assert_true (gst_app_sink_is_eos (GST_APP_SINK (v->sink)));
      return FALSE;
    }
  buffer = gst_sample_get_buffer (v->sample);
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (v->sample)));
  g_assert_true (gst_video_frame_map (&v->frame, &info, buffer, GST_MAP_READ));
  v->mapped = TRUE;

  view->data = GST_VIDEO_FRAME_PLANE_DATA (&v->frame, 0);
  view->width = GST_VIDEO_FRAME_WIDTH (&v->frame);
  view->height = GST_VIDEO_FRAME_HEIGHT (&v->frame);
  view->stride = GST_VIDEO_FRAME_PLANE_STRIDE (&v->frame, 0);
  view->format = ATTEST_PIXELS_BGR;
  *pts = GST_BUFFER_PTS (buffer);
  segment = gst_sample_get_segment (v->sample);
  if (segment != NULL && segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (*pts))
    *pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, *pts);
  *number = v->count++;
  return TRUE;
}

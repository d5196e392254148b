/* attest-frame-reader.c: uridecodebin → videoconvert → BGR appsink, pulled as fast as the
 * CPU allows (sync=false) without dropping frames (drop=false), for the CLI and scans. */
#include "attest-frame-reader.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "attest-media-errors-private.h"
#include "attest-pipeline.h"

/* Opening waits for the first frame; a file that gives none in this time is broken. */
#define PREROLL_TIMEOUT (10 * GST_SECOND)
/* Polling interval while waiting for a frame, so a streaming error is noticed. */
#define PULL_POLL (200 * GST_MSECOND)
/* No frame and no error for this long: the stream is stuck. */
#define STALL_TIMEOUT (30 * GST_SECOND)

struct _AttestFrameReader
{
  GObject       parent_instance;

  char         *uri;
  char         *display_name;
  GCancellable *cancellable;    /* opening and every next() stop within 0.2 s of a cancel */
  GstElement   *pipeline;
  GstElement   *convert;
  GstElement   *appsink;
  gint          video_linked;   /* atomic: set from the streaming thread */

  GstSample    *sample;         /* the frame handed out by the last next() */
  GstVideoFrame frame;
  gboolean      mapped;

  GstClockTime  duration;
  double        framerate;
  guint64       count;
  GstClockTime  last_pts;
  gboolean      eos;
};

G_DEFINE_FINAL_TYPE (AttestFrameReader, attest_frame_reader, G_TYPE_OBJECT)

static void
release_frame (AttestFrameReader *self)
{
  if (self->mapped)
    {
      gst_video_frame_unmap (&self->frame);
      self->mapped = FALSE;
    }
  g_clear_pointer (&self->sample, gst_sample_unref);
}

static void
attest_frame_reader_finalize (GObject *object)
{
  AttestFrameReader *self = ATTEST_FRAME_READER (object);

  release_frame (self);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_clear_object (&self->appsink);
  gst_clear_object (&self->convert);
  gst_clear_object (&self->pipeline);
  g_free (self->uri);
  g_free (self->display_name);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (attest_frame_reader_parent_class)->finalize (object);
}

static void
attest_frame_reader_class_init (AttestFrameReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = attest_frame_reader_finalize;
}

static void
attest_frame_reader_init (AttestFrameReader *self)
{
  self->duration = GST_CLOCK_TIME_NONE;
  self->last_pts = GST_CLOCK_TIME_NONE;
}

/* Streaming thread: the first raw video stream goes to the converter; anything else
 * (sound, a second video) to a fakesink so it cannot stall the decoder. */
static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    user_data)
{
  AttestFrameReader *self = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  GstElement *fakesink;
  GstPad *sinkpad;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);

  s = caps != NULL && gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  if (s != NULL && gst_structure_has_name (s, "video/x-raw") &&
      g_atomic_int_compare_and_exchange (&self->video_linked, FALSE, TRUE))
    {
      sinkpad = gst_element_get_static_pad (self->convert, "sink");
      if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
        g_atomic_int_set (&self->video_linked, FALSE);
      gst_object_unref (sinkpad);
      return;
    }

  fakesink = gst_element_factory_make ("fakesink", NULL);
  if (fakesink == NULL)
    return;
  g_object_set (fakesink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), fakesink);
  gst_element_sync_state_with_parent (fakesink);
  sinkpad = gst_element_get_static_pad (fakesink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static void
on_no_more_pads (GstElement *decodebin,
                 gpointer    user_data)
{
  AttestFrameReader *self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_atomic_int_get (&self->video_linked))
    return;

  error = g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                       _("“%s” holds no video"), self->display_name);
  gst_element_post_message (decodebin,
                            gst_message_new_error (GST_OBJECT (decodebin), error, NULL));
}

static gboolean
error_from_message (AttestFrameReader  *self,
                    GstMessage         *message,
                    GError            **error)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("Frame reader error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (message),
           gst_error->message, debug != NULL ? debug : "");
  g_propagate_error (error, _attest_media_error_from_gst (gst_error, self->display_name, NULL));

  return FALSE;
}

/* Defence in depth: the URI is a local file's, so this is filesrc; anything else is refused. */
static void
on_source_setup (GstElement *decodebin,
                 GstElement *source,
                 gpointer    user_data)
{
  AttestFrameReader *self = user_data;

  if (!_attest_media_source_is_local (source))
    {
      g_autoptr(GError) refused = _attest_media_error_network (self->display_name);

      gst_element_post_message (decodebin,
                                gst_message_new_error (GST_OBJECT (decodebin), refused, NULL));
    }
}

static gboolean
build (AttestFrameReader  *self,
       GError            **error)
{
  g_autoptr(GstCaps) caps = NULL;
  GstElement *decodebin;

  _attest_media_local_only ();
  decodebin = gst_element_factory_make ("uridecodebin", NULL);
  GstElement *filter = gst_element_factory_make ("capsfilter", NULL);

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("attest-frame-reader"));
  self->convert = gst_element_factory_make ("videoconvert", NULL);
  self->appsink = gst_element_factory_make ("appsink", NULL);

  if (decodebin == NULL || filter == NULL || self->convert == NULL || self->appsink == NULL)
    {
      g_clear_object (&decodebin);
      g_clear_object (&filter);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("Videos cannot be read: a GStreamer base plugin is missing"));
      return FALSE;
    }
  gst_object_ref_sink (self->convert);
  gst_object_ref_sink (self->appsink);

  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "BGR", NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (self->appsink,
                "sync", FALSE,
                "emit-signals", FALSE,
                "max-buffers", 4,
                "drop", FALSE,
                "enable-last-sample", FALSE,
                NULL);
  g_object_set (decodebin, "uri", self->uri, NULL);

  gst_bin_add_many (GST_BIN (self->pipeline), decodebin, self->convert, filter, self->appsink,
                    NULL);
  gst_element_link_many (self->convert, filter, self->appsink, NULL);

  g_signal_connect (decodebin, "source-setup", G_CALLBACK (on_source_setup), self);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (decodebin, "no-more-pads", G_CALLBACK (on_no_more_pads), self);

  return TRUE;
}

static gboolean
preroll (AttestFrameReader  *self,
         GError            **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstVideoInfo info;
  gint64 duration;

  gst_element_set_state (self->pipeline, GST_STATE_PAUSED);

  message = _attest_media_bus_wait (bus, PREROLL_TIMEOUT,
                                    GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR,
                                    self->cancellable);
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (message == NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” is damaged or incomplete and cannot be played"),
                   self->display_name);
      return FALSE;
    }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    return error_from_message (self, message, error);

  if (gst_element_query_duration (self->pipeline, GST_FORMAT_TIME, &duration) && duration > 0)
    self->duration = (GstClockTime) duration;

  pad = gst_element_get_static_pad (self->appsink, "sink");
  caps = gst_pad_get_current_caps (pad);
  if (caps != NULL && gst_video_info_from_caps (&info, caps) &&
      GST_VIDEO_INFO_FPS_N (&info) > 0 && GST_VIDEO_INFO_FPS_D (&info) > 0)
    self->framerate = (double) GST_VIDEO_INFO_FPS_N (&info) / GST_VIDEO_INFO_FPS_D (&info);

  /* The prerolled frame comes out again as the first sample once playing. */
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_clear_pointer (&message, gst_message_unref);
      message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (message != NULL)
        return error_from_message (self, message, error);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” cannot be played"), self->display_name);
      return FALSE;
    }

  return TRUE;
}

AttestFrameReader *
attest_frame_reader_new (const char    *path_or_uri,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(AttestFrameReader) self = NULL;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (path_or_uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gst_init (NULL, NULL);

  self = g_object_new (ATTEST_TYPE_FRAME_READER, NULL);
  g_set_object (&self->cancellable, cancellable);

  /* An existing path wins: "clip:1.mp4" is a valid URI too. */
  if (!g_file_test (path_or_uri, G_FILE_TEST_EXISTS) && gst_uri_is_valid (path_or_uri))
    {
      file = g_file_new_for_uri (path_or_uri);
      self->uri = g_strdup (path_or_uri);
    }
  else
    {
      file = g_file_new_for_commandline_arg (path_or_uri);
      self->uri = g_file_get_uri (file);
    }
  self->display_name = _attest_media_display_name (file);

  /* Local files get the clear "not found" / "empty" messages before GStreamer sees them. */
  if (g_file_is_native (file) &&
      !_attest_media_check_file (file, self->display_name, error))
    return NULL;

  /* The same checks, in the same order, as AttestPipeline: same file, same message. */
  if (!_attest_media_discover (self->uri, self->display_name, TRUE, cancellable, error) ||
      !_attest_media_check_complete (self->uri, self->display_name, cancellable, error) ||
      !build (self, error) || !preroll (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
attest_frame_reader_next (AttestFrameReader  *self,
                          AttestImageView    *frame,
                          GstClockTime       *pts,
                          guint64            *frame_number,
                          GError            **error)
{
  g_autoptr(GstBus) bus = NULL;
  GstClockTime waited = 0;
  GstVideoInfo info;
  GstBuffer *buffer;
  GstClockTime buffer_pts;
  const GstSegment *segment;

  g_return_val_if_fail (ATTEST_IS_FRAME_READER (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  release_frame (self);

  if (self->eos)
    return FALSE;

  bus = gst_element_get_bus (self->pipeline);

  while (self->sample == NULL)
    {
      g_autoptr(GstMessage) message = NULL;

      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        {
          self->eos = TRUE;
          return FALSE;
        }
      self->sample = gst_app_sink_try_pull_sample (GST_APP_SINK (self->appsink), PULL_POLL);
      if (self->sample != NULL)
        break;

      if (gst_app_sink_is_eos (GST_APP_SINK (self->appsink)))
        {
          self->eos = TRUE;
          /* Cut short after the open-time check: an error, not a normal end. */
          if (GST_CLOCK_TIME_IS_VALID (self->duration) &&
              GST_CLOCK_TIME_IS_VALID (self->last_pts) &&
              self->last_pts + GST_SECOND < self->duration)
            {
              g_propagate_error (error, _attest_media_error_ends_early (self->display_name,
                                                                        self->last_pts));
              return FALSE;
            }
          return FALSE;
        }

      message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (message != NULL)
        {
          self->eos = TRUE;
          return error_from_message (self, message, error);
        }

      waited += PULL_POLL;
      if (waited >= STALL_TIMEOUT)
        {
          self->eos = TRUE;
          g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                       _("Reading “%s” stopped: no frame came for %u seconds"),
                       self->display_name, (guint) (STALL_TIMEOUT / GST_SECOND));
          return FALSE;
        }
    }

  buffer = gst_sample_get_buffer (self->sample);
  if (buffer == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (self->sample)) ||
      !gst_video_frame_map (&self->frame, &info, buffer, GST_MAP_READ))
    {
      release_frame (self);
      self->eos = TRUE;
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("A frame of “%s” could not be read"), self->display_name);
      return FALSE;
    }
  self->mapped = TRUE;

  frame->data = GST_VIDEO_FRAME_PLANE_DATA (&self->frame, 0);
  frame->width = GST_VIDEO_FRAME_WIDTH (&self->frame);
  frame->height = GST_VIDEO_FRAME_HEIGHT (&self->frame);
  frame->stride = GST_VIDEO_FRAME_PLANE_STRIDE (&self->frame, 0);
  frame->format = ATTEST_PIXELS_BGR;

  /* Stream time, as the pipeline stamps frames: an MP4 with B-frames may start its buffers
   * at 80 ms for time 0. */
  buffer_pts = GST_BUFFER_PTS (buffer);
  segment = gst_sample_get_segment (self->sample);
  if (segment != NULL && segment->format == GST_FORMAT_TIME && GST_CLOCK_TIME_IS_VALID (buffer_pts))
    buffer_pts = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, buffer_pts);
  /* A still image has no timestamp: it is the frame at 0. */
  if (!GST_CLOCK_TIME_IS_VALID (buffer_pts) && self->count == 0)
    buffer_pts = 0;

  self->last_pts = buffer_pts;
  if (pts != NULL)
    *pts = buffer_pts;
  if (frame_number != NULL)
    *frame_number = self->count;
  self->count++;

  return TRUE;
}

GstClockTime
attest_frame_reader_get_duration (AttestFrameReader *self)
{
  g_return_val_if_fail (ATTEST_IS_FRAME_READER (self), GST_CLOCK_TIME_NONE);

  return self->duration;
}

double
attest_frame_reader_get_framerate (AttestFrameReader *self)
{
  g_return_val_if_fail (ATTEST_IS_FRAME_READER (self), 0.0);

  return self->framerate;
}

const char *
attest_frame_reader_get_uri (AttestFrameReader *self)
{
  g_return_val_if_fail (ATTEST_IS_FRAME_READER (self), NULL);

  return self->uri;
}

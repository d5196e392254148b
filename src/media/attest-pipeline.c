/* attest-pipeline.c: playbin into an AttestVideoPaintable, face detection on a worker thread.
 *
 * The video sink splits after decoding (house-style "frames to the screen"):
 *
 *   tee ─ queue (~1.5 s, not leaky) ─ videoconvert ─ RGBA ─ appsink sync=true   (display)
 *       └ queue (leaky) ─ appsink sync=false async=false                         (analysis)
 *
 * The display queue lets decoding run ahead of the clock, so the analysis branch sees each
 * frame well before it is shown and its boxes are ready in time (attest-pipeline-analysis.c
 * explains the worker's choice of frames). The analysis sink neither syncs nor takes part in
 * prerolling, and its leaky queue never holds the display back.
 *
 * Threads: streaming threads hand display samples to the paintable, prerolled display
 * samples (the paused frame) and analysis samples to the worker, each under its own lock.
 * The worker writes results into a PTS-ordered history and wakes the main context through
 * one coalescing idle; "detections" is the history's entry for the frame on screen, updated
 * whenever a frame is shown or a result arrives. The bus watch, the position timeout and
 * every signal and notify run on the main context captured at construction. */
#include "attest-pipeline.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "attest-media-errors-private.h"
#include "attest-pipeline-private.h"
#include "attest-video-paintable-private.h"

/* playbin's GstPlayFlags: video only, no audio, subtitles or visualisations. */
#define PLAY_FLAG_VIDEO (1 << 0)

#define POSITION_INTERVAL_MS 100

/* How far decoding may run ahead of the screen. Several detections' worth on 2 cores, so
 * results are ready before their frames are shown even when the machine is busy. The byte cap
 * bounds memory for very large frames (4K: ~20 frames), at the cost of a shorter lead. */
#define DISPLAY_LEAD (1500 * GST_MSECOND)
#define DISPLAY_LEAD_MAX_BYTES (256 * 1024 * 1024)

enum
{
  PROP_0,
  PROP_VISION,
  PROP_PAINTABLE,
  PROP_PLAYING,
  PROP_SEEKABLE,
  PROP_POSITION,
  PROP_DURATION,
  PROP_URI,
  PROP_DETECTIONS,
  PROP_ANALYSIS_INTERVAL,
  PROP_MATCH_THRESHOLD,
  N_PROPS
};

enum
{
  SIGNAL_ERROR,
  SIGNAL_EOS,
  SIGNAL_TRACK_ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AttestPipeline, attest_pipeline, G_TYPE_OBJECT)



/* ---- Small state setters (main thread) ---- */

void
_attest_pipeline_set_playing (AttestPipeline *self,
                              gboolean        playing)
{
  _attest_pipeline_analysis_set_playing (self, playing);

  if (self->playing == playing)
    return;

  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
set_position (AttestPipeline *self,
              GstClockTime    position)
{
  if (self->position == position)
    return;

  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static GstClockTime
frame_duration (AttestPipeline *self)
{
  int fps_n, fps_d;

  _attest_video_paintable_get_framerate (self->paintable, &fps_n, &fps_d);
  if (fps_n <= 0 || fps_d <= 0)
    return GST_CLOCK_TIME_NONE;

  return gst_util_uint64_scale_int (GST_SECOND, fps_d, fps_n);
}

/* ---- Streaming threads ---- */

/* appsink hands out its own cached GstSample, and GStreamer 1.22.0 sets caps on it after a
 * flush without making it writable first: a critical on a seek while playing if the last
 * sample is still held (the paintable holds the frame on screen). So keep a sample of our
 * own, holding the same buffer, caps and segment (no pixel copy). */
static GstSample *
detach_sample (GstSample *sample)
{
  GstSample *own;

  if (sample == NULL)
    return NULL;

  own = gst_sample_new (gst_sample_get_buffer (sample), gst_sample_get_caps (sample),
                        gst_sample_get_segment (sample), NULL);
  gst_sample_unref (sample);

  return own;
}

/* Display branch, playing: the frame due on screen now. Its analysis happened ahead. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    user_data)
{
  AttestPipeline *self = user_data;
  g_autoptr(GstSample) sample = detach_sample (gst_app_sink_pull_sample (sink));

  if (sample != NULL)
    {
      _attest_pipeline_analysis_frame_due (self, sample);
      attest_video_paintable_push_sample (self->paintable, sample);
    }

  return GST_FLOW_OK;
}

/* Display branch, prerolled (opened, seeked, stepped, paused): the frame that stays on
 * screen, analysed before anything else so it gets its exact boxes. */
static GstFlowReturn
on_new_preroll (GstAppSink *sink,
                gpointer    user_data)
{
  AttestPipeline *self = user_data;
  g_autoptr(GstSample) sample = detach_sample (gst_app_sink_pull_preroll (sink));

  if (sample != NULL)
    {
      _attest_pipeline_analysis_frame_due (self, sample);
      attest_video_paintable_push_sample (self->paintable, sample);
      _attest_pipeline_analysis_offer_preroll (self, sample);
    }

  return GST_FLOW_OK;
}

/* Analysis branch: a frame decoded ahead of the screen. */
static GstFlowReturn
on_analysis_sample (GstAppSink *sink,
                    gpointer    user_data)
{
  g_autoptr(GstSample) sample = detach_sample (gst_app_sink_pull_sample (sink));

  if (sample != NULL)
    _attest_pipeline_analysis_offer_ahead (user_data, sample);

  return GST_FLOW_OK;
}

/* ---- Main thread: media life cycle ---- */

static void
stop_position_updates (AttestPipeline *self)
{
  if (self->position_source != NULL)
    {
      g_source_destroy (self->position_source);
      g_clear_pointer (&self->position_source, g_source_unref);
    }
}

static void
update_position_from_query (AttestPipeline *self)
{
  gint64 position;

  /* Ask the display sink: playbin answers with the furthest sink, and the analysis sink
   * runs up to DISPLAY_LEAD ahead of the screen. */
  if (self->appsink != NULL &&
      gst_element_query_position (self->appsink, GST_FORMAT_TIME, &position) &&
      position >= 0)
    set_position (self, (GstClockTime) position);
}

static gboolean
position_tick_cb (gpointer user_data)
{
  update_position_from_query (user_data);

  return G_SOURCE_CONTINUE;
}

static void
start_position_updates (AttestPipeline *self)
{
  if (self->position_source != NULL)
    return;

  self->position_source = g_timeout_source_new (POSITION_INTERVAL_MS);
  g_source_set_callback (self->position_source, position_tick_cb, self, NULL);
  g_source_set_static_name (self->position_source, "[attest] position");
  g_source_attach (self->position_source, self->context);
}

static void
update_duration_and_seekable (AttestPipeline *self)
{
  g_autoptr(GstQuery) query = NULL;
  gint64 duration;
  GstClockTime new_duration = GST_CLOCK_TIME_NONE;
  gboolean seekable = FALSE;

  if (self->playbin == NULL)
    return;

  if (gst_element_query_duration (self->playbin, GST_FORMAT_TIME, &duration) && duration > 0)
    new_duration = (GstClockTime) duration;

  query = gst_query_new_seeking (GST_FORMAT_TIME);
  if (self->device == NULL && gst_element_query (self->playbin, query))
    gst_query_parse_seeking (query, NULL, &seekable, NULL, NULL);

  if (new_duration != self->duration)
    {
      self->duration = new_duration;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }
  if (seekable != self->seekable)
    {
      self->seekable = seekable;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEKABLE]);
    }
}

/* Stops the media; the paintable keeps its last frame (callers clear it when they must). */
void
_attest_pipeline_teardown (AttestPipeline *self)
{
  stop_position_updates (self);

  if (self->bus_source != NULL)
    {
      g_source_destroy (self->bus_source);
      g_clear_pointer (&self->bus_source, g_source_unref);
    }

  if (self->playbin != NULL)
    {
      /* Joins the streaming threads: no callback runs after this. */
      gst_element_set_state (self->playbin, GST_STATE_NULL);
      gst_clear_object (&self->appsink);
      gst_clear_object (&self->playbin);
    }

  _attest_pipeline_end_live_tracks (self, NULL);
  _attest_pipeline_analysis_reset (self, FALSE);

  self->pending_step = 0;
  self->at_eos = FALSE;
  _attest_pipeline_set_playing (self, FALSE);
  if (self->seekable)
    {
      self->seekable = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEEKABLE]);
    }
}

GTask *
_attest_pipeline_steal_open_task (AttestPipeline *self)
{
  if (self->open_timeout != NULL)
    {
      g_source_destroy (self->open_timeout);
      g_clear_pointer (&self->open_timeout, g_source_unref);
    }

  return g_steal_pointer (&self->open_task);
}

void
_attest_pipeline_fail_open (AttestPipeline *self,
                            GError         *error)
{
  g_autoptr(GTask) task = _attest_pipeline_steal_open_task (self);

  g_object_freeze_notify (G_OBJECT (self));
  _attest_pipeline_teardown (self);
  attest_video_paintable_clear (self->paintable);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
  g_object_thaw_notify (G_OBJECT (self));

  g_task_return_error (task, error);
}

static void
handle_error (AttestPipeline *self,
              GstMessage     *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;
  g_autoptr(GError) error = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("GStreamer error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (message),
           gst_error->message, debug != NULL ? debug : "");

  error = self->stream
          ? _attest_media_error_from_camera (gst_error, debug, self->display_name)
          : _attest_media_error_from_gst (gst_error,
                                          self->display_name != NULL ? self->display_name : "",
                                          self->device);

  if (self->open_task != NULL)
    {
      /* Failing before the first frame is a failure to open, whatever the element said. */
      if (error->code != ATTEST_MEDIA_ERROR_NOT_VIDEO &&
          error->code != ATTEST_MEDIA_ERROR_NOT_FOUND)
        error->code = ATTEST_MEDIA_ERROR_UNPLAYABLE;
      _attest_pipeline_fail_open (self, g_steal_pointer (&error));
      return;
    }

  /* The last frame stays on screen; the media is stopped. */
  _attest_pipeline_teardown (self);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

static void
do_step (AttestPipeline *self,
         int             direction)
{
  if (direction > 0)
    {
      self->at_eos = FALSE;
      gst_element_send_event (self->appsink,
                              gst_event_new_step (GST_FORMAT_BUFFERS, 1, 1.0, TRUE, FALSE));
    }
  else
    {
      GstClockTime shown = attest_video_paintable_get_pts (self->paintable);
      GstClockTime one = frame_duration (self);
      GstClockTime target;

      if (!GST_CLOCK_TIME_IS_VALID (shown) || !GST_CLOCK_TIME_IS_VALID (one) || shown == 0)
        return;

      target = shown > one ? shown - one : 0;
      attest_pipeline_seek (self, target);
    }
}

static void
on_async_done (AttestPipeline *self)
{
  g_autoptr(GTask) task = NULL;
  GstState state = GST_STATE_NULL;

  /* Show the prerolled frame now, so "opened" and "seeked" mean it is on screen. */
  _attest_video_paintable_flush (self->paintable);
  update_duration_and_seekable (self);

  gst_element_get_state (self->playbin, &state, NULL, 0);
  if (state != GST_STATE_PLAYING)
    {
      GstClockTime shown = attest_video_paintable_get_pts (self->paintable);

      if (GST_CLOCK_TIME_IS_VALID (shown))
        set_position (self, shown);
      else
        update_position_from_query (self);
    }

  if (self->open_task != NULL)
    {
      task = _attest_pipeline_steal_open_task (self);
      g_task_return_boolean (task, TRUE);
    }

  if (self->pending_step != 0 && state == GST_STATE_PAUSED)
    {
      int direction = self->pending_step;

      self->pending_step = 0;
      do_step (self, direction);
    }
}

static void
on_eos (AttestPipeline *self)
{
  GstClockTime shown = attest_video_paintable_get_pts (self->paintable);
  g_autoptr(GError) error = NULL;

  /* A file cut short past the open-time check just stops: say so rather than pretend it
   * ended. */
  if (self->device == NULL && GST_CLOCK_TIME_IS_VALID (self->duration) &&
      GST_CLOCK_TIME_IS_VALID (shown) && shown + GST_SECOND < self->duration)
    error = _attest_media_error_ends_early (self->display_name, shown);

  /* Every face still on screen has left it. */
  _attest_pipeline_end_live_tracks (self, self->uri);

  /* Stay on the last frame, paused, so it can be reviewed. */
  self->at_eos = TRUE;
  gst_element_set_state (self->playbin, GST_STATE_PAUSED);
  stop_position_updates (self);
  _attest_pipeline_set_playing (self, FALSE);
  if (error == NULL && GST_CLOCK_TIME_IS_VALID (self->duration))
    set_position (self, self->duration);
  else if (GST_CLOCK_TIME_IS_VALID (shown))
    set_position (self, shown);

  if (error != NULL)
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
  g_signal_emit (self, signals[SIGNAL_EOS], 0);
}

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  /* A handler of what is emitted here may drop the last reference. */
  g_autoptr(AttestPipeline) self = g_object_ref (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      handle_error (self, message);
      break;

    case GST_MESSAGE_EOS:
      on_eos (self);
      break;

    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->playbin))
        {
          GstState old_state, new_state, pending;

          gst_message_parse_state_changed (message, &old_state, &new_state, &pending);
          /* A late message from before a pause must not mark the paused video playing. */
          if (new_state == GST_STATE_PLAYING && pending == GST_STATE_VOID_PENDING &&
              GST_STATE_TARGET (self->playbin) == GST_STATE_PLAYING)
            _attest_pipeline_set_playing (self, TRUE);
        }
      break;

    case GST_MESSAGE_DURATION_CHANGED:
      update_duration_and_seekable (self);
      break;

    case GST_MESSAGE_ASYNC_DONE:
      on_async_done (self);
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static GstElement *
make_element (GstElement *bin,
              const char *factory,
              const char *name,
              gboolean   *ok)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    {
      *ok = FALSE;
      return NULL;
    }

  gst_bin_add (GST_BIN (bin), element);
  return element;
}

static GstElement *
make_video_sink (AttestPipeline *self)
{
  g_autoptr(GstCaps) display_caps = NULL;
  g_autoptr(GstCaps) analysis_caps = NULL;
  GstElement *bin;
  GstElement *tee, *display_queue, *convert, *filter, *sink;
  GstElement *analysis_queue = NULL, *analysis_sink = NULL;
  gboolean ok = TRUE;
  GstPad *pad;
  GstAppSinkCallbacks display_callbacks = { NULL, on_new_preroll, on_new_sample };
  GstAppSinkCallbacks analysis_callbacks = { NULL, NULL, on_analysis_sample };

  bin = gst_bin_new ("attest-video-sink");
  tee = make_element (bin, "tee", NULL, &ok);
  display_queue = make_element (bin, "queue", "attest-display-queue", &ok);
  convert = make_element (bin, "videoconvert", NULL, &ok);
  filter = make_element (bin, "capsfilter", NULL, &ok);
  sink = make_element (bin, "appsink", "attest-appsink", &ok);
  if (self->vision != NULL)
    {
      analysis_queue = make_element (bin, "queue", "attest-analysis-queue", &ok);
      analysis_sink = make_element (bin, "appsink", "attest-analysis-sink", &ok);
    }
  if (!ok)
    {
      gst_object_unref (bin);
      return NULL;
    }

  /* Without a detector there is nothing to look ahead for: a plain short queue. */
  if (self->vision != NULL)
    g_object_set (display_queue,
                  "max-size-time", (guint64) DISPLAY_LEAD,
                  "max-size-buffers", 0,
                  "max-size-bytes", DISPLAY_LEAD_MAX_BYTES,
                  NULL);

  /* GTK 4.8 has no padded (x) texture formats: RGBA maps straight to GDK_MEMORY_R8G8B8A8,
   * and the worker reads the same pixels of a paused frame. */
  display_caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGBA", NULL);
  g_object_set (filter, "caps", display_caps, NULL);
  g_object_set (sink,
                "sync", TRUE,
                "max-buffers", 2,
                "drop", TRUE,
                "enable-last-sample", FALSE,
                "qos", TRUE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &display_callbacks, self, NULL);

  ok = gst_element_link_many (tee, display_queue, convert, filter, sink, NULL);

  if (analysis_sink != NULL)
    {
      /* The analysis branch holds the same decoded buffers as the display queue (the tee
       * does not copy) and converts only the frames it analyses. Leaky, so a paused or busy
       * analysis sink never blocks the tee; deep enough to hold the display's look-ahead. */
      g_object_set (analysis_queue,
                    "leaky", 2 /* downstream: drop the oldest */,
                    "max-size-time", (guint64) (DISPLAY_LEAD + GST_SECOND / 2),
                    "max-size-buffers", 0,
                    "max-size-bytes", 0,
                    NULL);
      /* System memory, so the worker can map it. */
      analysis_caps = gst_caps_new_empty_simple ("video/x-raw");
      g_object_set (analysis_sink,
                    "caps", analysis_caps,
                    "sync", FALSE,
                    "async", FALSE,
                    "max-buffers", 1,
                    "drop", TRUE,
                    "enable-last-sample", FALSE,
                    NULL);
      gst_app_sink_set_callbacks (GST_APP_SINK (analysis_sink), &analysis_callbacks, self, NULL);

      ok = ok && gst_element_link_many (tee, analysis_queue, analysis_sink, NULL);
    }

  if (!ok)
    {
      gst_object_unref (bin);
      return NULL;
    }

  pad = gst_element_get_static_pad (tee, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);

  self->appsink = gst_object_ref (sink);

  return bin;
}

gboolean
_attest_pipeline_build_playbin (AttestPipeline *self,
                                const char     *uri,
                                gboolean        is_camera)
{
  g_autoptr(GstBus) bus = NULL;
  GstElement *video_sink;

  _attest_media_local_only ();
  self->playbin = gst_element_factory_make ("playbin", "attest-playbin");
  if (self->playbin == NULL)
    return FALSE;
  gst_object_ref_sink (self->playbin);

  _attest_pipeline_end_live_tracks (self, is_camera ? NULL : uri);
  _attest_pipeline_analysis_reset (self, is_camera);

  video_sink = make_video_sink (self);
  if (video_sink == NULL)
    {
      gst_clear_object (&self->playbin);
      return FALSE;
    }

  g_object_set (self->playbin,
                "flags", PLAY_FLAG_VIDEO,
                "video-sink", video_sink,
                "uri", uri,
                NULL);

  bus = gst_element_get_bus (self->playbin);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, G_SOURCE_FUNC (bus_cb), self, NULL);
  g_source_set_static_name (self->bus_source, "[attest] bus");
  g_source_attach (self->bus_source, self->context);

  return TRUE;
}

static void
reset_media_state (AttestPipeline *self)
{
  set_position (self, 0);
  if (self->duration != GST_CLOCK_TIME_NONE)
    {
      self->duration = GST_CLOCK_TIME_NONE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
    }
  _attest_pipeline_update_detections (self);
  _attest_pipeline_set_analysis_interval (self, 0);
}

void
_attest_pipeline_clear_stream (AttestPipeline *self)
{
  self->stream = FALSE;
  g_clear_pointer (&self->stream_user, g_free);
  g_clear_pointer (&self->stream_password, g_free);
}

/* ---- Public controls ---- */

void
attest_pipeline_close (AttestPipeline *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  task = _attest_pipeline_steal_open_task (self);

  g_object_freeze_notify (G_OBJECT (self));

  _attest_pipeline_teardown (self);
  attest_video_paintable_clear (self->paintable);
  reset_media_state (self);
  g_clear_pointer (&self->device, g_free);
  _attest_pipeline_clear_stream (self);
  g_clear_pointer (&self->display_name, g_free);
  if (self->uri != NULL)
    {
      g_clear_pointer (&self->uri, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URI]);
    }

  g_object_thaw_notify (G_OBJECT (self));

  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Opening was cancelled"));
}

void
attest_pipeline_play (AttestPipeline *self)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  if (self->playbin == NULL || self->open_task != NULL)
    return;

  self->pending_step = 0;

  /* Play after the end starts again from the beginning. */
  if (self->at_eos && self->seekable)
    attest_pipeline_seek (self, 0);
  self->at_eos = FALSE;

  gst_element_set_state (self->playbin, GST_STATE_PLAYING);
  _attest_pipeline_set_playing (self, TRUE);
  start_position_updates (self);
}

void
attest_pipeline_pause (AttestPipeline *self)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  if (self->playbin == NULL || self->open_task != NULL)
    return;

  gst_element_set_state (self->playbin, GST_STATE_PAUSED);
  stop_position_updates (self);
  _attest_pipeline_set_playing (self, FALSE);
  update_position_from_query (self);
}

void
attest_pipeline_toggle_play (AttestPipeline *self)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));

  if (self->playing)
    attest_pipeline_pause (self);
  else
    attest_pipeline_play (self);
}

void
attest_pipeline_seek (AttestPipeline *self,
                      GstClockTime    position)
{
  g_return_if_fail (ATTEST_IS_PIPELINE (self));
  g_return_if_fail (GST_CLOCK_TIME_IS_VALID (position));

  if (self->playbin == NULL || self->open_task != NULL || !self->seekable)
    return;

  /* Past the last frame there is nothing to show or analyse: stop at the last one. */
  if (GST_CLOCK_TIME_IS_VALID (self->duration) && position >= self->duration)
    {
      GstClockTime one = frame_duration (self);

      position = GST_CLOCK_TIME_IS_VALID (one) && self->duration > one ?
                 self->duration - one : self->duration;
    }

  self->at_eos = FALSE;

  /* Before the seek, so the target frame the flush lets through is not thrown away with
   * the frames and results from before it. */
  _attest_pipeline_end_live_tracks (self, self->uri);
  _attest_pipeline_analysis_flush (self, position);
  _attest_pipeline_update_detections (self);

  if (gst_element_seek_simple (self->playbin, GST_FORMAT_TIME,
                               GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, (gint64) position))
    set_position (self, position);
}

void
attest_pipeline_step (AttestPipeline *self,
                      int             direction)
{
  GstState state = GST_STATE_NULL;
  GstStateChangeReturn ret;

  g_return_if_fail (ATTEST_IS_PIPELINE (self));
  g_return_if_fail (direction == 1 || direction == -1);

  if (self->playbin == NULL || self->open_task != NULL || self->device != NULL)
    return;

  if (self->playing)
    attest_pipeline_pause (self);

  /* A step needs a prerolled sink: if the pause is still in flight, step at ASYNC_DONE. */
  ret = gst_element_get_state (self->playbin, &state, NULL, 0);
  if (ret == GST_STATE_CHANGE_ASYNC || state != GST_STATE_PAUSED)
    {
      self->pending_step = direction;
      return;
    }

  do_step (self, direction);
}

/* ---- Getters ---- */

AttestVideoPaintable *
attest_pipeline_get_paintable (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), NULL);

  return self->paintable;
}

gboolean
attest_pipeline_get_playing (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), FALSE);

  return self->playing;
}

gboolean
attest_pipeline_get_seekable (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), FALSE);

  return self->seekable;
}

GstClockTime
attest_pipeline_get_position (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), GST_CLOCK_TIME_NONE);

  return self->position;
}

GstClockTime
attest_pipeline_get_duration (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), GST_CLOCK_TIME_NONE);

  return self->duration;
}

const char *
attest_pipeline_get_uri (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), NULL);

  return self->uri;
}

AttestDetections *
attest_pipeline_get_detections (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), NULL);

  return self->detections;
}

GstClockTime
attest_pipeline_get_analysis_interval (AttestPipeline *self)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), 0);

  return self->analysis_interval;
}

/* ---- GObject ---- */

/* Every frame shown: its detections, the history's newest entry not after it. */
static void
on_paintable_contents (AttestPipeline *self)
{
  GstClockTime shown = attest_video_paintable_get_pts (self->paintable);

  _attest_pipeline_update_detections (self);

  /* Paused (after a seek or a step) the position is the frame on screen. */
  if (!self->playing && self->playbin != NULL && GST_CLOCK_TIME_IS_VALID (shown))
    set_position (self, shown);
}

static void
attest_pipeline_constructed (GObject *object)
{
  AttestPipeline *self = ATTEST_PIPELINE (object);

  G_OBJECT_CLASS (attest_pipeline_parent_class)->constructed (object);

  _attest_pipeline_analysis_start (self);
}

static void
attest_pipeline_dispose (GObject *object)
{
  AttestPipeline *self = ATTEST_PIPELINE (object);

  if (self->paintable != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->paintable, self);
      attest_pipeline_close (self);
    }

  _attest_pipeline_analysis_stop (self);

  g_clear_pointer (&self->detections, attest_detections_unref);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (attest_pipeline_parent_class)->dispose (object);
}

static void
attest_pipeline_finalize (GObject *object)
{
  AttestPipeline *self = ATTEST_PIPELINE (object);

  _attest_pipeline_analysis_finalize (self);
  g_clear_pointer (&self->vision, attest_vision_free);
  g_ptr_array_unref (self->history);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (attest_pipeline_parent_class)->finalize (object);
}

static void
attest_pipeline_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  AttestPipeline *self = ATTEST_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_VISION:
      g_value_set_pointer (value, self->vision);
      break;
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_SEEKABLE:
      g_value_set_boolean (value, self->seekable);
      break;
    case PROP_POSITION:
      g_value_set_uint64 (value, self->position);
      break;
    case PROP_DURATION:
      g_value_set_uint64 (value, self->duration);
      break;
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_DETECTIONS:
      g_value_set_boxed (value, self->detections);
      break;
    case PROP_ANALYSIS_INTERVAL:
      g_value_set_uint64 (value, self->analysis_interval);
      break;
    case PROP_MATCH_THRESHOLD:
      g_value_set_double (value, attest_pipeline_get_match_threshold (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_pipeline_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  AttestPipeline *self = ATTEST_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_VISION:
      /* Its worker thread analyses with it until the pipeline is gone. */
      self->vision = g_value_get_pointer (value) != NULL
                     ? attest_vision_ref (g_value_get_pointer (value)) : NULL;
      break;
    case PROP_PLAYING:
      if (g_value_get_boolean (value))
        attest_pipeline_play (self);
      else
        attest_pipeline_pause (self);
      break;
    case PROP_MATCH_THRESHOLD:
      attest_pipeline_set_match_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_pipeline_class_init (AttestPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = attest_pipeline_constructed;
  object_class->dispose = attest_pipeline_dispose;
  object_class->finalize = attest_pipeline_finalize;
  object_class->get_property = attest_pipeline_get_property;
  object_class->set_property = attest_pipeline_set_property;

  properties[PROP_VISION] =
    g_param_spec_pointer ("vision", NULL, NULL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, ATTEST_TYPE_VIDEO_PAINTABLE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEEKABLE] =
    g_param_spec_boolean ("seekable", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint64 ("position", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION] =
    g_param_spec_uint64 ("duration", NULL, NULL, 0, G_MAXUINT64, GST_CLOCK_TIME_NONE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETECTIONS] =
    g_param_spec_boxed ("detections", NULL, NULL, ATTEST_TYPE_DETECTIONS,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANALYSIS_INTERVAL] =
    g_param_spec_uint64 ("analysis-interval", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MATCH_THRESHOLD] =
    g_param_spec_double ("match-threshold", NULL, NULL, -1.0, 1.0,
                         ATTEST_MATCHER_DEFAULT_THRESHOLD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A failure after opening (e.g. a file truncated mid-way); the message is for a toast. */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_EOS] =
    g_signal_new ("eos", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A tracked face that was a suggestion left the screen: a proposal for the review queue. */
  signals[SIGNAL_TRACK_ENDED] =
    g_signal_new ("track-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  ATTEST_TYPE_TRACK_SUMMARY | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);
}

static void
attest_pipeline_init (AttestPipeline *self)
{
  /* GStreamer may not be initialised by the caller (tests, CLI); this is idempotent. */
  gst_init (NULL, NULL);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_ref_thread_default ();
  self->duration = GST_CLOCK_TIME_NONE;
  self->shown_pts = GST_CLOCK_TIME_NONE;
  self->last_analysed_pts = GST_CLOCK_TIME_NONE;
  self->last_ahead_pts = GST_CLOCK_TIME_NONE;
  self->match_threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) attest_detections_unref);
  self->live_tracks = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) attest_track_summary_unref);
  g_queue_init (&self->ahead);
  self->paintable = attest_video_paintable_new ();
  g_signal_connect_swapped (self->paintable, "invalidate-contents",
                            G_CALLBACK (on_paintable_contents), self);
}

AttestPipeline *
attest_pipeline_new (AttestVision *vision)
{
  return g_object_new (ATTEST_TYPE_PIPELINE, "vision", vision, NULL);
}

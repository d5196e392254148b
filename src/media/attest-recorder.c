/* attest-recorder.c: see attest-recorder.h.
 *
 *   rtspsrc | souphttpsrc → parsebin → splitmuxsink (matroskamux)
 *
 * parsebin depayloads and parses without decoding, so the camera's frames are stored as they
 * came; splitmuxsink starts a new file at the first key frame past the segment length and
 * posts "splitmuxsink-fragment-closed" once a file is complete. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "media/attest-media-error.h"
#include "media/attest-recorder.h"
#include "attest-media-errors-private.h"

/* The free space a recording stops at, unless told otherwise. */
#define DEFAULT_MIN_FREE (G_GUINT64_CONSTANT (512) * 1024 * 1024)
/* Waits between attempts to reconnect after a drop: 1, 2, 4, ... up to 30 s. */
#define RECONNECT_MAX_S 30
/* How long a stop waits for the last segment to be closed before it lets go: the next key
 * frame ends it, and cameras send one every few seconds. */
#define STOP_GRACE_MS 12000
/* A network that does not answer: a message after this, not a hang. */
#define CONNECT_TIMEOUT_S 10

struct _AttestRecorder
{
  GObject       parent_instance;

  char         *location;      /* the URL without user and password */
  char         *user;
  char         *password;
  char         *display_name;  /* host[:port] */
  gboolean      rtsp;
  char         *folder;
  char         *prefix;
  GstClockTime  segment_length;

  GstElement   *pipeline;
  GstElement   *parse;
  GstElement   *sink;
  gboolean      video_linked;
  GstPad       *video_pad;     /* parsebin's video pad, linked to the segments */
  gboolean      eos_sent;      /* a stop has ended the stream at a key frame */
  guint         bus_watch;
  guint         stop_timeout;
  gboolean      recording;
  gboolean      stopping;
  GstClockTime  opened_at;     /* running time the open segment started at */
  char         *open_path;     /* the segment being written, or NULL */
  gboolean      streamed;      /* this connection has written a segment: a drop reconnects */
  guint         attempt;       /* reconnections since the last segment was written */
  guint         reconnect_id;
  guint64       min_free;      /* bytes: below this, the recording stops */
  GError       *pending;       /* why a stop was made (the disk): said as "failed" */
};

G_DEFINE_FINAL_TYPE (AttestRecorder, attest_recorder, G_TYPE_OBJECT)

enum {
  SIGNAL_SEGMENT_CLOSED,
  SIGNAL_FAILED,
  SIGNAL_STOPPED,
  SIGNAL_DROPPED,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- ending ---- */

static void
close_pipeline (AttestRecorder *self)
{
  g_clear_handle_id (&self->stop_timeout, g_source_remove);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
    }
  self->parse = self->sink = NULL;
  g_clear_object (&self->video_pad);
}

static void
teardown (AttestRecorder *self)
{
  close_pipeline (self);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_pointer (&self->open_path, g_free);
  if (self->recording && self->pending != NULL)
    {
      g_autoptr (GError) why = g_steal_pointer (&self->pending);

      g_signal_emit (self, signals[SIGNAL_FAILED], 0, why);
    }
  if (self->recording)
    {
      self->recording = FALSE;
      g_signal_emit (self, signals[SIGNAL_STOPPED], 0);
    }
}

static void
fail (AttestRecorder *self,
      GError         *error)
{
  g_object_ref (self);
  if (self->recording)
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
  teardown (self);
  g_object_unref (self);
}

GError *
_attest_media_error_from_camera (const GError *gst_error,
                                 const char   *debug,
                                 const char   *host)
{
  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED) ||
      (debug != NULL && strstr (debug, "401") != NULL))
    return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                        _("“%s” refused the user name or password"), host);
  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND) ||
      (debug != NULL && strstr (debug, "404") != NULL))
    return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_FOUND,
                        _("“%s” has no stream at that address"), host);
  if (gst_error->domain == GST_RESOURCE_ERROR)
    return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                        _("Cannot reach “%s”: the camera or the network does not answer"), host);
  if (gst_error->domain == GST_STREAM_ERROR || gst_error->domain == GST_CORE_ERROR)
    return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                        _("“%s” sends no video Attest can record"), host);
  return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                      _("The video from “%s” stopped: %s"), host, gst_error->message);
}

static gboolean build_and_play (AttestRecorder *self, GError **error);

static gboolean
on_reconnect (gpointer data)
{
  AttestRecorder *self = data;
  g_autoptr (GError) error = NULL;

  self->reconnect_id = 0;
  g_debug ("recorder: reconnecting to %s (attempt %u)", self->display_name, self->attempt);
  if (!build_and_play (self, &error))
    fail (self, error);
  return G_SOURCE_REMOVE;
}

/* The stream stopped after it had been recorded (the server went away, the network was cut):
 * the segment being written is kept (it ends where the stream did), and the recorder tries
 * again, waiting longer each time, until it is stopped. */
static void
drop (AttestRecorder *self,
      const GError   *error)
{
  guint delay = MIN (1u << MIN (self->attempt, 5u), (guint) RECONNECT_MAX_S);
  g_autofree char *cut = g_steal_pointer (&self->open_path);

  close_pipeline (self);
  if (cut != NULL && g_file_test (cut, G_FILE_TEST_IS_REGULAR))
    g_signal_emit (self, signals[SIGNAL_SEGMENT_CLOSED], 0, cut,
                   (guint64) (GST_CLOCK_TIME_IS_VALID (self->opened_at) ? self->opened_at : 0),
                   (guint64) 0);
  self->streamed = FALSE;
  self->attempt++;
  g_signal_emit (self, signals[SIGNAL_DROPPED], 0, error, delay);
  self->reconnect_id = g_timeout_add_seconds (delay, on_reconnect, self);
}

static gboolean
on_stop_timeout (gpointer data)
{
  AttestRecorder *self = data;

  self->stop_timeout = 0;
  g_message ("The last segment of “%s” was not closed in time", self->display_name);
  teardown (self);
  return G_SOURCE_REMOVE;
}

/* Before the disk fills: at each new segment, a recording with less than min_free left ends
 * (the segment just begun is closed at the next key frame) and says why. */
static void
check_free_space (AttestRecorder *self)
{
  g_autoptr (GFile) folder = g_file_new_for_path (self->folder);
  g_autoptr (GFileInfo) info = g_file_query_filesystem_info (folder,
                                                             G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                                             NULL, NULL);
  guint64 free_bytes;
  g_autofree char *free_text = NULL;

  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) ||
      self->stopping)
    return;
  free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  if (free_bytes >= self->min_free)
    return;
  free_text = g_format_size (free_bytes);
  g_clear_error (&self->pending);
  self->pending = g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("Recording stopped: the disk holding “%s” has only %s free. "
                                 "The segments recorded so far are kept."), self->folder,
                               free_text);
  attest_recorder_stop (self);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    data)
{
  AttestRecorder *self = data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) gst_error = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("recorder: %s (%s)", gst_error->message, debug != NULL ? debug : "");
        self->bus_watch = 0;
        /* The segment files, not the camera: the disk is full or the folder went away.
         * Trying again would not help. */
        if (GST_IS_OBJECT (GST_MESSAGE_SRC (message)) && self->sink != NULL &&
            gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (self->sink)))
          {
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("Cannot write the recording to “%s”: %s; the segments "
                                   "closed so far are kept"), self->folder, gst_error->message);
            fail (self, error);
            return G_SOURCE_REMOVE;
          }
        error = _attest_media_error_from_camera (gst_error, debug, self->display_name);
        /* Once it has recorded, a lost stream is tried again; a first connection that fails
         * is said at once. */
        if ((self->streamed || self->attempt > 0) && !self->stopping)
          drop (self, error);
        else
          fail (self, error);
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      self->bus_watch = 0;
      if (!self->stopping)
        {
          /* A camera does not end: the server stopped sending. */
          g_autoptr (GError) error = g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                                                  _("“%s” stopped sending"), self->display_name);

          drop (self, error);
          return G_SOURCE_REMOVE;
        }
      teardown (self);
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *s = gst_message_get_structure (message);
        GstClockTime at = GST_CLOCK_TIME_NONE;

        if (s == NULL)
          break;
        gst_structure_get_clock_time (s, "running-time", &at);
        if (gst_structure_has_name (s, "splitmuxsink-fragment-opened"))
          {
            self->opened_at = at;
            g_free (self->open_path);
            self->open_path = g_strdup (gst_structure_get_string (s, "location"));
            check_free_space (self);
            if (!self->streamed)
              {
                self->streamed = TRUE;
                if (self->attempt > 0)
                  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0);
                self->attempt = 0;
              }
          }
        else if (gst_structure_has_name (s, "splitmuxsink-fragment-closed"))
          {
            const char *path = gst_structure_get_string (s, "location");
            /* A segment's close may come after the next one opened: only the open one is
             * the last, once the stop's end of stream is in. */
            gboolean open = path != NULL && g_strcmp0 (path, self->open_path) == 0;
            gboolean last = open && self->stopping && g_atomic_int_get (&self->eos_sent);

            if (open)
              g_clear_pointer (&self->open_path, g_free);
            guint64 start = GST_CLOCK_TIME_IS_VALID (self->opened_at) ? self->opened_at : 0;
            guint64 duration = GST_CLOCK_TIME_IS_VALID (at) && at > start ? at - start : 0;

            if (path != NULL)
              g_signal_emit (self, signals[SIGNAL_SEGMENT_CLOSED], 0, path, start, duration);
            /* The stop's end of stream reached the last segment: done (the drained pads
             * would keep the pipeline's own EOS from coming). */
            if (last)
              {
                self->bus_watch = 0;
                teardown (self);
                return G_SOURCE_REMOVE;
              }
          }
        break;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- building ---- */

/* A pad nobody records (audio, a second video): drained, so it never blocks the stream. */
static void
drain (AttestRecorder *self,
       GstPad         *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sink_pad = NULL;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sink_pad);
}

static gboolean
is_video_pad (GstPad     *pad,
              const char *also)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  const char *media;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  if (g_str_has_prefix (gst_structure_get_name (s), "video/") ||
      g_str_has_prefix (gst_structure_get_name (s), "image/"))
    return TRUE;
  media = gst_structure_get_string (s, "media");
  return also != NULL && g_strcmp0 (gst_structure_get_name (s), also) == 0 &&
         g_strcmp0 (media, "video") == 0;
}

/* rtspsrc: the video's RTP to parsebin, the rest drained. Streaming thread. */
static void
on_source_pad (GstElement     *source,
               GstPad         *pad,
               AttestRecorder *self)
{
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->parse, "sink");

  if (is_video_pad (pad, "application/x-rtp") && !gst_pad_is_linked (sink_pad) &&
      gst_pad_link (pad, sink_pad) == GST_PAD_LINK_OK)
    return;
  drain (self, pad);
}

/* parsebin: the parsed video to the segment files, the rest drained. Streaming thread. */
static void
on_parsed_pad (GstElement     *parse,
               GstPad         *pad,
               AttestRecorder *self)
{
  if (!self->video_linked && is_video_pad (pad, NULL))
    {
      g_autoptr (GstPad) video = gst_element_request_pad_simple (self->sink, "video");

      if (video != NULL && gst_pad_link (pad, video) == GST_PAD_LINK_OK)
        {
          self->video_linked = TRUE;
          g_set_object (&self->video_pad, pad);
          return;
        }
    }
  drain (self, pad);
}

static gboolean
build (AttestRecorder *self,
       GError        **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *name = g_strdup_printf ("%s-%s-%%05d.mkv", self->prefix, stamp);
  g_autofree char *pattern = g_build_filename (self->folder, name, NULL);
  GstElement *source;

  if (g_mkdir_with_parents (self->folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot make the recordings folder “%s”: %s"), self->folder,
                   g_strerror (saved));
      return FALSE;
    }

  self->pipeline = gst_pipeline_new ("attest-recorder");
  source = gst_element_factory_make (self->rtsp ? "rtspsrc" : "souphttpsrc", "source");
  self->parse = gst_element_factory_make ("parsebin", "parse");
  self->sink = gst_element_factory_make ("splitmuxsink", "segments");
  if (source == NULL || self->parse == NULL || self->sink == NULL)
    {
      g_clear_object (&source);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("Recording needs GStreamer's %s, parsebin and splitmuxsink"),
                   self->rtsp ? "rtspsrc" : "souphttpsrc");
      return FALSE;
    }
  if (self->rtsp)
    {
      /* TCP: one connection to the address typed, through firewalls; no UDP ports opened. */
      gst_util_set_object_arg (G_OBJECT (source), "protocols", "tcp");
      g_object_set (source, "location", self->location, "latency", 200,
                    "tcp-timeout", (guint64) CONNECT_TIMEOUT_S * G_USEC_PER_SEC, NULL);
      g_signal_connect (source, "pad-added", G_CALLBACK (on_source_pad), self);
    }
  else
    g_object_set (source, "location", self->location, "is-live", TRUE,
                  "timeout", CONNECT_TIMEOUT_S, NULL);
  if (self->user != NULL)
    g_object_set (source, "user-id", self->user, "user-pw", self->password, NULL);
  g_object_set (self->sink, "location", pattern, "max-size-time", (guint64) self->segment_length,
                NULL);
  gst_util_set_object_arg (G_OBJECT (self->sink), "muxer-factory", "matroskamux");
  g_signal_connect (self->parse, "pad-added", G_CALLBACK (on_parsed_pad), self);

  gst_bin_add_many (GST_BIN (self->pipeline), source, self->parse, self->sink, NULL);
  if (!self->rtsp && !gst_element_link (source, self->parse))
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("Cannot record “%s”"), self->display_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
build_and_play (AttestRecorder *self,
                GError        **error)
{
  g_autoptr (GstBus) bus = NULL;

  self->video_linked = FALSE;
  self->eos_sent = FALSE;
  self->opened_at = GST_CLOCK_TIME_NONE;
  if (!build (self, error))
    {
      g_clear_object (&self->pipeline);
      return FALSE;
    }
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_debug ("recorder: the state change failed; the bus says why");
  return TRUE;
}

void
attest_recorder_start (AttestRecorder *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (ATTEST_IS_RECORDER (self));
  g_return_if_fail (!self->recording && self->pipeline == NULL);

  self->recording = TRUE;
  self->stopping = FALSE;
  self->streamed = FALSE;
  self->attempt = 0;
  if (!build_and_play (self, &error))
    fail (self, error);
}

/* While stopping: the first key frame ends the stream before it, so the last segment holds
 * whole groups of pictures only (an end of stream sent into the source cuts a frame in two,
 * and a segment of that frame alone does not decode). Streaming thread. */
static GstPadProbeReturn
on_stop_probe (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         data)
{
  AttestRecorder *self = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (!g_atomic_int_get (&self->eos_sent) && !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    {
      g_autoptr (GstPad) peer = gst_pad_get_peer (pad);

      g_atomic_int_set (&self->eos_sent, TRUE);
      if (peer != NULL)
        gst_pad_send_event (peer, gst_event_new_eos ());
    }
  return g_atomic_int_get (&self->eos_sent) ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

void
attest_recorder_stop (AttestRecorder *self)
{
  g_return_if_fail (ATTEST_IS_RECORDER (self));

  if (self->stopping || !self->recording)
    return;
  self->stopping = TRUE;
  /* Waiting to reconnect: nothing is being written. */
  if (self->pipeline == NULL)
    {
      teardown (self);
      return;
    }
  /* Video flowing: it ends at the next key frame (on_stop_probe), and splitmuxsink closes the
   * segment. Else EOS through the pipeline. Either way the grace period bounds the wait. */
  g_atomic_int_set (&self->eos_sent, FALSE);
  if (self->video_pad != NULL)
    gst_pad_add_probe (self->video_pad, GST_PAD_PROBE_TYPE_BUFFER, on_stop_probe, self, NULL);
  else
    gst_element_send_event (self->pipeline, gst_event_new_eos ());
  self->stop_timeout = g_timeout_add (STOP_GRACE_MS, on_stop_timeout, self);
}

/* ---- object ---- */

gboolean
attest_recorder_get_recording (AttestRecorder *self)
{
  g_return_val_if_fail (ATTEST_IS_RECORDER (self), FALSE);

  return self->recording;
}

const char *
attest_recorder_get_display_name (AttestRecorder *self)
{
  g_return_val_if_fail (ATTEST_IS_RECORDER (self), NULL);

  return self->display_name;
}

void
attest_recorder_set_min_free (AttestRecorder *self,
                              guint64         bytes)
{
  g_return_if_fail (ATTEST_IS_RECORDER (self));

  self->min_free = bytes;
}

void
attest_recorder_set_credentials (AttestRecorder *self,
                                 const char     *user,
                                 const char     *password)
{
  g_return_if_fail (ATTEST_IS_RECORDER (self));

  g_free (self->user);
  self->user = g_strdup (user);
  g_free (self->password);
  self->password = g_strdup (password);
}

static void
attest_recorder_dispose (GObject *object)
{
  AttestRecorder *self = ATTEST_RECORDER (object);

  self->recording = FALSE;
  teardown (self);

  G_OBJECT_CLASS (attest_recorder_parent_class)->dispose (object);
}

static void
attest_recorder_finalize (GObject *object)
{
  AttestRecorder *self = ATTEST_RECORDER (object);

  g_free (self->location);
  g_free (self->user);
  g_free (self->password);
  g_free (self->display_name);
  g_free (self->folder);
  g_free (self->prefix);
  g_clear_error (&self->pending);

  G_OBJECT_CLASS (attest_recorder_parent_class)->finalize (object);
}

static void
attest_recorder_class_init (AttestRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = attest_recorder_dispose;
  object_class->finalize = attest_recorder_finalize;

  signals[SIGNAL_SEGMENT_CLOSED] =
    g_signal_new ("segment-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64);
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_DROPPED] =
    g_signal_new ("dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_UINT);
  signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
attest_recorder_init (AttestRecorder *self)
{
  self->min_free = DEFAULT_MIN_FREE;
}

gboolean
_attest_media_parse_camera_url (const char  *uri,
                                char       **location,
                                char       **user,
                                char       **password,
                                char       **display_name,
                                gboolean    *rtsp,
                                GError     **error)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  const char *scheme = parsed != NULL ? g_uri_get_scheme (parsed) : NULL;

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
      (g_ascii_strcasecmp (scheme, "rtsp") != 0 && g_ascii_strcasecmp (scheme, "rtsps") != 0 &&
       g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error_literal (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                           _("A camera address starts with rtsp://, rtsps://, http:// or "
                             "https:// and names a host, e.g. rtsp://192.168.1.20:554/stream"));
      return FALSE;
    }
  *rtsp = g_ascii_strncasecmp (scheme, "rtsp", 4) == 0;
  *location = g_uri_to_string_partial (parsed, G_URI_HIDE_USERINFO);
  *user = g_strdup (g_uri_get_user (parsed));
  *password = g_strdup (g_uri_get_password (parsed));
  *display_name = g_uri_get_port (parsed) > 0
                  ? g_strdup_printf ("%s:%d", g_uri_get_host (parsed), g_uri_get_port (parsed))
                  : g_strdup (g_uri_get_host (parsed));
  return TRUE;
}

AttestRecorder *
attest_recorder_new (const char    *uri,
                     const char    *folder,
                     const char    *prefix,
                     GstClockTime   segment_length,
                     GError       **error)
{
  g_autoptr (AttestRecorder) self = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ATTEST_TYPE_RECORDER, NULL);
  if (!_attest_media_parse_camera_url (uri, &self->location, &self->user, &self->password,
                                       &self->display_name, &self->rtsp, error))
    return NULL;
  self->folder = g_strdup (folder);
  /* A file name, whatever the camera is called. */
  self->prefix = g_strdup (prefix != NULL && *prefix != '\0' ? prefix : "camera");
  g_strcanon (self->prefix, G_CSET_A_2_Z G_CSET_a_2_z G_CSET_DIGITS "._-", '-');
  if (self->prefix[0] == '.')
    self->prefix[0] = '-';
  self->segment_length = segment_length > 0 ? segment_length : 300 * GST_SECOND;
  return g_steal_pointer (&self);
}

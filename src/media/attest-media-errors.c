/* attest-media-errors.c: what went wrong with a file or a camera, in words for a toast. */
#include "attest-media-errors-private.h"

#include <glib/gi18n.h>
#include <gst/app/gstappsink.h>
#include <string.h>

#include "media/attest-media-error.h"
#include "vision/attest-vision.h"

G_DEFINE_QUARK (attest-media-error-quark, attest_media_error)

/* Long enough for a slow disk, short enough that a file that never prerolls does not leave
 * the user waiting. */
#define DISCOVER_TIMEOUT (5 * GST_SECOND)
/* How often a blocking wait looks at its GCancellable: a cancel is honoured this quickly. */
#define CANCEL_POLL (100 * GST_MSECOND)

GstMessage *
_attest_media_bus_wait (GstBus         *bus,
                        GstClockTime    timeout,
                        GstMessageType  types,
                        GCancellable   *cancellable)
{
  GstClockTime waited = 0;

  g_return_val_if_fail (GST_IS_BUS (bus), NULL);

  while (!g_cancellable_is_cancelled (cancellable))
    {
      GstClockTime slice = MIN (CANCEL_POLL, timeout - waited);
      GstMessage *message = gst_bus_timed_pop_filtered (bus, slice, types);

      if (message != NULL)
        return message;
      waited += slice;
      if (waited >= timeout)
        break;
    }
  return NULL;
}

char *
_attest_media_display_name (GFile *file)
{
  g_autofree char *basename = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  basename = g_file_get_basename (file);
  if (basename == NULL)
    return g_file_get_parse_name (file);

  return g_filename_display_name (basename);
}

/* An MP4/MOV (ISO base media file) cut short before its index ("moov" box, written last by
 * most recorders) cannot be played at all. Walking the top-level box headers finds that at
 * once, where GStreamer may take its full discovery timeout (decodebin can lose qtdemux's
 * error in a race). Anything that is not such a file passes. */
static gboolean
check_iso_index (GFile       *file,
                 const char  *display_name,
                 GError     **error)
{
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, NULL);
  goffset offset = 0;
  gboolean first = TRUE;

  if (stream == NULL)
    return TRUE;  /* the discoverer will say what is wrong */

  for (;;)
    {
      guint8 header[16];
      gsize got = 0;
      guint64 size;

      if (!g_seekable_seek (G_SEEKABLE (stream), offset, G_SEEK_SET, NULL, NULL) ||
          !g_input_stream_read_all (G_INPUT_STREAM (stream), header, 8, &got, NULL, NULL))
        return TRUE;
      if (got < 8)
        break;  /* end of file, no index seen */

      if (first && memcmp (header + 4, "ftyp", 4) != 0)
        return TRUE;  /* not an ISO base media file */
      first = FALSE;

      if (memcmp (header + 4, "moov", 4) == 0)
        return TRUE;

      size = GST_READ_UINT32_BE (header);
      if (size == 1)
        {
          if (!g_input_stream_read_all (G_INPUT_STREAM (stream), header + 8, 8, &got, NULL, NULL) ||
              got < 8)
            break;
          size = GST_READ_UINT64_BE (header + 8);
        }
      if (size == 0)
        break;  /* the last box runs to the end of the file */
      if (size < 8 || size > (guint64) G_MAXINT64 - offset)
        return TRUE;  /* not something to judge here */

      offset += (goffset) size;
    }

  g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
               _("“%s” is incomplete: its index is missing. It may not have finished "
                 "downloading or copying."), display_name);
  return FALSE;
}

gboolean
_attest_media_check_file (GFile       *file,
                          const char  *display_name,
                          GError     **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!g_file_is_native (file))
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” is not on this computer: Attest opens only local files"),
                   display_name);
      return FALSE;
    }

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_ACCESS_CAN_READ,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_FOUND,
                     _("“%s” was not found. It may have been moved or deleted."), display_name);
      else
        g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                     _("“%s” could not be read: %s"), display_name, local_error->message);
      return FALSE;
    }

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” is a folder, not a video file"), display_name);
      return FALSE;
    }

  /* A pipe or a device would be read for ever (or block on open): files only. */
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” is not a regular file (a pipe, a device or a socket): Attest opens "
                     "only files"), display_name);
      return FALSE;
    }

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ) &&
      !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ))
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("“%s” could not be read: permission denied"), display_name);
      return FALSE;
    }

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
      g_file_info_get_size (info) == 0)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” is empty"), display_name);
      return FALSE;
    }

  return check_iso_index (file, display_name, error);
}

/* The installer detail is "gstreamer|1.0|app|H.265 (Main Profile) decoder|decoder-video/...":
 * the fourth field is a readable description of what is missing. */
static char *
describe_missing (GstDiscovererInfo *info)
{
  const char **details = gst_discoverer_info_get_missing_elements_installer_details (info);

  for (guint i = 0; details != NULL && details[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (details[i], "|", 5);

      if (g_strv_length (fields) >= 4 && *fields[3] != '\0')
        return g_strdup (fields[3]);
    }

  return NULL;
}

static void
set_missing_decoder_error (GError            **error,
                           GstDiscovererInfo  *info,
                           const char         *display_name)
{
  g_autofree char *missing = info != NULL ? describe_missing (info) : NULL;

  if (missing != NULL)
    g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                 _("“%s” cannot be played: %s is not installed"), display_name, missing);
  else
    g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                 _("“%s” cannot be played: a decoder for its format is not installed"),
                 display_name);
}

/* ---- the frame size, before anything is decoded ---- */

static void
on_parsed_pad (GstElement *parsebin,
               GstPad     *pad,
               GstElement *pipeline)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstPad) sink_pad = NULL;

  if (sink == NULL)
    return;
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sink_pad);
  gst_element_sync_state_with_parent (sink);
}

/* The largest video frame a file's streams say they have, read by parsebin (demuxers and
 * parsers only: no decoder, no frame buffer). FALSE when it cannot be told this way. */
static gboolean
probe_parsed_size (const char   *uri,
                   GCancellable *cancellable,
                   int          *width,
                   int          *height)
{
  g_autoptr(GstElement) pipeline = gst_pipeline_new (NULL);
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstIterator) pads = NULL;
  GstElement *source = gst_element_make_from_uri (GST_URI_SRC, uri, NULL, &error);
  GstElement *parsebin = gst_element_factory_make ("parsebin", NULL);
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE;

  *width = *height = 0;
  if (source == NULL || parsebin == NULL || !_attest_media_source_is_local (source))
    {
      g_clear_object (&source);
      g_clear_object (&parsebin);
      return FALSE;
    }
  gst_bin_add_many (GST_BIN (pipeline), source, parsebin, NULL);
  if (!gst_element_link (source, parsebin))
    return FALSE;
  g_signal_connect (parsebin, "pad-added", G_CALLBACK (on_parsed_pad), pipeline);

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  message = _attest_media_bus_wait (bus, 2 * GST_SECOND,
                                    GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR, cancellable);
  if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ASYNC_DONE)
    {
      pads = gst_element_iterate_src_pads (parsebin);
      while (gst_iterator_next (pads, &item) == GST_ITERATOR_OK)
        {
          g_autoptr(GstCaps) caps = gst_pad_get_current_caps (g_value_get_object (&item));
          GstStructure *st = caps != NULL && gst_caps_get_size (caps) > 0
                             ? gst_caps_get_structure (caps, 0) : NULL;
          int w = 0, h = 0;

          if (st != NULL && g_str_has_prefix (gst_structure_get_name (st), "video/") &&
              gst_structure_get_int (st, "width", &w) && gst_structure_get_int (st, "height", &h) &&
              (double) w * h > (double) *width * *height)
            {
              *width = w;
              *height = h;
              found = TRUE;
            }
          g_value_reset (&item);
        }
      g_value_unset (&item);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return found;
}

static gboolean
check_frame_size (const char    *uri,
                  const char    *display_name,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GError) size_error = NULL;
  int width, height;

  if (probe_parsed_size (uri, cancellable, &width, &height) &&
      !attest_vision_check_size (width, height, display_name, &size_error))
    {
      g_set_error_literal (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                           size_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- the discoverer, cancellable ---- */

/* A discovery in its own thread. gst_discoverer_stop() during a discovery deadlocks in
 * GStreamer 1.22 (it holds the discoverer's lock while its pipeline removes pads, whose
 * handler takes that lock), so a cancelled discovery is left to end by itself, within the
 * discoverer's timeout, and whoever finishes last frees it. */
typedef struct
{
  gatomicrefcount    ref;
  GMutex             lock;
  GCond              cond;
  gboolean           done;
  char              *uri;
  GstDiscovererInfo *info;
  GError            *gst_error;
  GError            *fatal;
} Discovery;

static void
discovery_unref (Discovery *discovery)
{
  if (!g_atomic_ref_count_dec (&discovery->ref))
    return;
  g_mutex_clear (&discovery->lock);
  g_cond_clear (&discovery->cond);
  g_free (discovery->uri);
  g_clear_object (&discovery->info);
  g_clear_error (&discovery->gst_error);
  g_clear_error (&discovery->fatal);
  g_free (discovery);
}

static gpointer
discovery_thread (gpointer user_data)
{
  Discovery *discovery = user_data;
  g_autoptr(GstDiscoverer) discoverer = NULL;
  GstDiscovererInfo *info = NULL;
  GError *gst_error = NULL;
  GError *fatal = NULL;

  discoverer = gst_discoverer_new (DISCOVER_TIMEOUT, &gst_error);
  if (discoverer == NULL)
    {
      fatal = g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                           _("Videos cannot be checked: %s"), gst_error->message);
      g_clear_error (&gst_error);
    }
  else
    info = gst_discoverer_discover_uri (discoverer, discovery->uri, &gst_error);

  g_mutex_lock (&discovery->lock);
  discovery->info = info;
  discovery->gst_error = gst_error;
  discovery->fatal = fatal;
  discovery->done = TRUE;
  g_cond_signal (&discovery->cond);
  g_mutex_unlock (&discovery->lock);
  discovery_unref (discovery);
  return NULL;
}

/* gst_discoverer_discover_uri(), but a cancel ends the wait within 0.1 s. NULL info when
 * cancelled or when the discoverer could not be made (error set), or when it gave none
 * (*gst_error may be set). */
static GstDiscovererInfo *
discover_uri (const char    *uri,
              GCancellable  *cancellable,
              GError       **gst_error,
              GError       **error)
{
  Discovery *discovery = g_new0 (Discovery, 1);
  GstDiscovererInfo *info = NULL;
  g_autoptr(GThread) thread = NULL;

  g_atomic_ref_count_init (&discovery->ref);
  g_mutex_init (&discovery->lock);
  g_cond_init (&discovery->cond);
  discovery->uri = g_strdup (uri);
  g_atomic_ref_count_inc (&discovery->ref);
  thread = g_thread_new ("attest-discover", discovery_thread, discovery);

  g_mutex_lock (&discovery->lock);
  while (!discovery->done && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&discovery->cond, &discovery->lock,
                       g_get_monotonic_time () + CANCEL_POLL / GST_USECOND);
  if (discovery->done)
    {
      info = g_steal_pointer (&discovery->info);
      if (discovery->gst_error != NULL)
        g_propagate_error (gst_error, g_steal_pointer (&discovery->gst_error));
      if (discovery->fatal != NULL)
        g_propagate_error (error, g_steal_pointer (&discovery->fatal));
    }
  g_mutex_unlock (&discovery->lock);
  discovery_unref (discovery);

  if (info == NULL && *error == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, error);
  return info;
}

gboolean
_attest_media_discover (const char    *uri,
                        const char    *display_name,
                        gboolean       allow_images,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) fatal = NULL;
  GList *videos;
  GList *audios;
  gboolean is_image;

  g_return_val_if_fail (uri != NULL, FALSE);

  _attest_media_local_only ();
  /* A frame Attest would refuse is refused before the discoverer decodes one (an 8000x8000
   * H.264 file took 2 GB there). */
  if (!check_frame_size (uri, display_name, cancellable, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  info = discover_uri (uri, cancellable, &local_error, &fatal);
  if (fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&fatal));
      return FALSE;
    }
  if (info == NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” cannot be played: it is damaged or not a video"), display_name);
      return FALSE;
    }

  switch (gst_discoverer_info_get_result (info))
    {
    case GST_DISCOVERER_OK:
      break;

    case GST_DISCOVERER_MISSING_PLUGINS:
      {
        const char **details = gst_discoverer_info_get_missing_elements_installer_details (info);

        for (guint i = 0; details != NULL && details[i] != NULL; i++)
          if (_attest_media_is_network_caps (details[i]))
            {
              g_propagate_error (error, _attest_media_error_network (display_name));
              return FALSE;
            }
      }
      set_missing_decoder_error (error, info, display_name);
      return FALSE;

    case GST_DISCOVERER_TIMEOUT:
      /* Also what a demuxer error lost inside decodebin looks like (a GStreamer race), so
       * say the same as for that error. */
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” is damaged or incomplete and cannot be played"), display_name);
      return FALSE;

    case GST_DISCOVERER_URI_INVALID:
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_FOUND,
                   _("“%s” was not found"), display_name);
      return FALSE;

    case GST_DISCOVERER_BUSY:
    case GST_DISCOVERER_ERROR:
    default:
      {
        g_autoptr(GError) mapped = NULL;

        if (local_error == NULL)
          {
            g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                         _("“%s” cannot be played: it is damaged or not a video"),
                         display_name);
            return FALSE;
          }

        mapped = _attest_media_error_from_gst (local_error, display_name, NULL);
        g_propagate_error (error, g_steal_pointer (&mapped));
        return FALSE;
      }
    }

  videos = gst_discoverer_info_get_video_streams (info);
  audios = gst_discoverer_info_get_audio_streams (info);
  is_image = videos != NULL && gst_discoverer_video_info_is_image (videos->data);
  gst_discoverer_stream_info_list_free (videos);
  gst_discoverer_stream_info_list_free (audios);

  if (videos == NULL && audios != NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” holds only sound, no video"), display_name);
      return FALSE;
    }

  if (videos == NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                   _("“%s” is not a video file"), display_name);
      return FALSE;
    }

  if (videos != NULL)
    {
      GList *streams = gst_discoverer_info_get_video_streams (info);
      GstDiscovererVideoInfo *video = streams->data;
      g_autoptr(GError) size_error = NULL;
      int width = (int) gst_discoverer_video_info_get_width (video);
      int height = (int) gst_discoverer_video_info_get_height (video);

      gst_discoverer_stream_info_list_free (streams);
      /* Known from the container and parser, before any frame is decoded: a frame Attest
       * would refuse never gets a buffer. 0x0: not said; the decoded frames are checked. */
      if (width > 0 && height > 0 &&
          !attest_vision_check_size (width, height, display_name, &size_error))
        {
          g_set_error_literal (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                               size_error->message);
          return FALSE;
        }
    }

  if (is_image && !allow_images)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_STILL_IMAGE,
                   _("“%s” is a still image, not a video"), display_name);
      return FALSE;
    }

  return TRUE;
}

/* Waits for the end of a (re)preroll. FALSE with error on an error message or timeout. */
static gboolean
wait_preroll (GstElement    *pipeline,
              const char    *display_name,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) gst_error = NULL;

  message = _attest_media_bus_wait (bus, DISCOVER_TIMEOUT,
                                    GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (message == NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” is damaged or incomplete and cannot be played"), display_name);
      return FALSE;
    }

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &gst_error, NULL);
      g_propagate_error (error, _attest_media_error_from_gst (gst_error, display_name, NULL));
      return FALSE;
    }

  return TRUE;
}

gboolean
_attest_media_check_complete (const char    *uri,
                              const char    *display_name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GstElement) playbin = NULL;
  g_autoptr(GstSample) sample = NULL;
  GstElement *sink;
  gint64 duration = -1;
  GstClockTime target;
  gboolean ok = FALSE;

  g_return_val_if_fail (uri != NULL, FALSE);

  playbin = gst_element_factory_make ("playbin", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  if (playbin == NULL || sink == NULL)
    {
      g_clear_object (&sink);
      return TRUE;  /* nothing to check with; opening will say what is missing */
    }
  gst_object_ref_sink (playbin);

  g_object_set (sink, "sync", FALSE, "max-buffers", 1, "enable-last-sample", FALSE, NULL);
  /* Video only (GstPlayFlags video = 1), and never probe a sound device for a check. */
  g_object_set (playbin,
                "uri", uri,
                "video-sink", sink,
                "audio-sink", gst_element_factory_make ("fakesink", NULL),
                "flags", 1,
                NULL);

  gst_element_set_state (playbin, GST_STATE_PAUSED);
  if (!wait_preroll (playbin, display_name, cancellable, error))
    goto out;

  if (!gst_element_query_duration (playbin, GST_FORMAT_TIME, &duration) ||
      duration < 2 * GST_SECOND)
    {
      ok = TRUE;
      goto out;
    }

  /* A keyframe before the last second: cheap to decode, and absent when the file is cut. */
  target = (GstClockTime) duration - GST_SECOND;
  if (!gst_element_seek_simple (playbin, GST_FORMAT_TIME,
                                GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT |
                                GST_SEEK_FLAG_SNAP_BEFORE, (gint64) target))
    {
      ok = TRUE;  /* not seekable: nothing to learn here */
      goto out;
    }

  if (!wait_preroll (playbin, display_name, cancellable, error))
    goto out;

  sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 0);
  if (sample == NULL)
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                   _("“%s” is incomplete: its end is missing. It may not have finished "
                     "downloading or copying."), display_name);
      goto out;
    }

  ok = TRUE;

out:
  gst_element_set_state (playbin, GST_STATE_NULL);
  return ok;
}

GError *
_attest_media_error_ends_early (const char   *display_name,
                                GstClockTime  at)
{
  guint seconds = GST_CLOCK_TIME_IS_VALID (at) ? (guint) (at / GST_SECOND) : 0;

  return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                      _("“%s” stops at %u:%02u: the rest of the file is missing or damaged"),
                      display_name, seconds / 60, seconds % 60);
}

GError *
_attest_media_error_from_gst (const GError *gst_error,
                              const char   *display_name,
                              const char   *device)
{
  g_return_val_if_fail (gst_error != NULL, NULL);

  /* Posted by our own code with the message already written for the user. */
  if (gst_error->domain == ATTEST_MEDIA_ERROR)
    return g_error_copy (gst_error);

  if (device != NULL)
    {
      if (gst_error->domain == GST_RESOURCE_ERROR &&
          gst_error->code == GST_RESOURCE_ERROR_BUSY)
        return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA,
                            _("The camera “%s” is in use by another application"), device);
      if (gst_error->domain == GST_RESOURCE_ERROR)
        return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA,
                            _("The camera “%s” could not be opened. Check that it is "
                              "connected."), device);
      return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                          _("The camera “%s” stopped working"), device);
    }

  if (gst_error->domain == GST_RESOURCE_ERROR)
    {
      switch (gst_error->code)
        {
        case GST_RESOURCE_ERROR_NOT_FOUND:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_FOUND,
                              _("“%s” was not found. It may have been moved or deleted."),
                              display_name);
        case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
        case GST_RESOURCE_ERROR_OPEN_READ:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                              _("“%s” could not be opened"), display_name);
        default:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                              _("“%s” could not be read to the end"), display_name);
        }
    }

  if (gst_error->domain == GST_STREAM_ERROR)
    {
      switch (gst_error->code)
        {
        case GST_STREAM_ERROR_TYPE_NOT_FOUND:
        case GST_STREAM_ERROR_WRONG_TYPE:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NOT_VIDEO,
                              _("“%s” is not a video file"), display_name);
        case GST_STREAM_ERROR_CODEC_NOT_FOUND:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                              _("“%s” cannot be played: a decoder for its format is not "
                                "installed"), display_name);
        default:
          return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                              _("“%s” is damaged or incomplete and cannot be played"),
                              display_name);
        }
    }

  if (gst_error->domain == GST_CORE_ERROR && gst_error->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                        _("“%s” cannot be played: a decoder for its format is not installed"),
                        display_name);

  /* Whatever else GStreamer said: its own words, after ours, as the reason. */
  return g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                      _("“%s” cannot be played: it is damaged or not a video (%s)"),
                      display_name, gst_error->message);
}

/* attest-pipeline-open.c: opening a file, a camera or a network camera in AttestPipeline.
 *
 * A file is checked off the main thread first (exists, not empty, GstDiscoverer says it is a
 * video, its end is there), so the common mistakes get a clear message before any playback
 * starts; then it prerolls paused and the open completes at ASYNC_DONE (attest-pipeline.c). */
#include "attest-pipeline-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "attest-media-errors-private.h"

/* The file passed the checks, so its first frame should come quickly. */
#define PREROLL_TIMEOUT_S 10

typedef struct
{
  GFile *file;
  char  *uri;
  char  *display_name;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->file);
  g_free (data->uri);
  g_free (data->display_name);
  g_free (data);
}

static void
check_file_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;

  if (!_attest_media_check_file (data->file, data->display_name, &error) ||
      !_attest_media_discover (data->uri, data->display_name, FALSE, cancellable, &error) ||
      !_attest_media_check_complete (data->uri, data->display_name, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
preroll_timeout_cb (gpointer user_data)
{
  AttestPipeline *self = user_data;
  GError *error;

  g_clear_pointer (&self->open_timeout, g_source_unref);
  error = g_error_new (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_UNPLAYABLE,
                       _("“%s” is damaged or incomplete and cannot be played"),
                       self->display_name);
  _attest_pipeline_fail_open (self, error);

  return G_SOURCE_REMOVE;
}

static void
file_checked_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AttestPipeline *self = ATTEST_PIPELINE (source_object);
  g_autoptr(GTask) outer = user_data;
  OpenData *data = g_task_get_task_data (outer);
  GError *error = NULL;
  GstStateChangeReturn ret;

  /* Closed or replaced by a newer open meanwhile: that already completed `outer`. */
  if (self->open_task != outer)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _attest_pipeline_fail_open (self, error);
      return;
    }

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (outer), &error))
    {
      _attest_pipeline_fail_open (self, error);
      return;
    }

  if (!_attest_pipeline_build_playbin (self, data->uri, FALSE))
    {
      error = g_error_new_literal (ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                                   _("Videos cannot be played: GStreamer’s playbin is missing"));
      _attest_pipeline_fail_open (self, error);
      return;
    }

  /* Completes in on_async_done (first frame shown) or handle_error; the timeout covers an
   * error that never reaches the bus (decodebin can drop a demuxer's error posted while it
   * is still bringing the demuxer up). */
  ret = gst_element_set_state (self->playbin, GST_STATE_PAUSED);
  if (ret == GST_STATE_CHANGE_FAILURE)
    g_debug ("Setting %s to PAUSED failed; waiting for the bus error", data->uri);

  self->open_timeout = g_timeout_source_new_seconds (PREROLL_TIMEOUT_S);
  g_source_set_callback (self->open_timeout, preroll_timeout_cb, self, NULL);
  g_source_set_static_name (self->open_timeout, "[attest] preroll timeout");
  g_source_attach (self->open_timeout, self->context);
}

void
attest_pipeline_open_file_async (AttestPipeline      *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) check = NULL;
  OpenData *data;

  g_return_if_fail (ATTEST_IS_PIPELINE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_pipeline_open_file_async);

  data = g_new0 (OpenData, 1);
  data->file = g_object_ref (file);
  data->uri = g_file_get_uri (file);
  data->display_name = _attest_media_display_name (file);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);

  attest_pipeline_close (self);

  g_object_freeze_notify (G_OBJECT (self));
  self->uri = g_strdup (data->uri);
  self->display_name = g_strdup (data->display_name);
  g_object_notify (G_OBJECT (self), "uri");
  g_object_thaw_notify (G_OBJECT (self));

  self->open_task = g_object_ref (task);

  check = g_task_new (self, cancellable, file_checked_cb, g_object_ref (task));
  g_task_set_source_tag (check, check_file_thread);
  g_task_set_task_data (check, data, NULL);  /* owned by `task`, which outlives `check` */
  g_task_run_in_thread (check, check_file_thread);
}

gboolean
attest_pipeline_open_file_finish (AttestPipeline  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Camera ---- */

static char *
find_first_camera (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev", 0, NULL);
  const char *name;
  int best = -1;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint64 index;

      if (g_str_has_prefix (name, "video") &&
          g_ascii_string_to_unsigned (name + strlen ("video"), 10, 0, G_MAXINT, &index, NULL) &&
          (best < 0 || (int) index < best))
        best = (int) index;
    }

  if (best < 0)
    return NULL;

  return g_strdup_printf ("/dev/video%d", best);
}

gboolean
attest_pipeline_open_camera (AttestPipeline  *self,
                             const char      *device,
                             GError         **error)
{
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  int fd;

  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = device != NULL ? g_strdup (device) : find_first_camera ();
  if (path == NULL)
    {
      g_set_error_literal (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA,
                           _("No camera was found. Connect a camera and try again."));
      return FALSE;
    }

  /* Open it once here so a missing or busy device fails now, with its name, rather than
   * later on the bus. */
  fd = g_open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA,
                   _("The camera “%s” could not be opened: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  attest_pipeline_close (self);

  uri = g_strconcat ("v4l2://", path, NULL);
  self->device = g_strdup (path);
  self->display_name = g_strdup (path);

  if (!_attest_pipeline_build_playbin (self, uri, TRUE))
    {
      g_clear_pointer (&self->device, g_free);
      g_clear_pointer (&self->display_name, g_free);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("The camera “%s” cannot be used: GStreamer’s playbin is missing"), path);
      return FALSE;
    }

  if (gst_element_set_state (self->playbin, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      _attest_pipeline_teardown (self);
      g_clear_pointer (&self->device, g_free);
      g_clear_pointer (&self->display_name, g_free);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_NO_CAMERA,
                   _("The camera “%s” could not be opened"), path);
      return FALSE;
    }

  _attest_pipeline_set_playing (self, TRUE);

  return TRUE;
}


/* ---- network cameras ---- */

/* playbin chose the source for the address: TCP to it, the credentials given apart. */
static void
on_stream_source (GstElement     *playbin,
                  GstElement     *source,
                  AttestPipeline *self)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (source);

  if (g_object_class_find_property (klass, "protocols") != NULL)
    gst_util_set_object_arg (G_OBJECT (source), "protocols", "tcp");
  if (self->stream_user != NULL && g_object_class_find_property (klass, "user-id") != NULL)
    g_object_set (source, "user-id", self->stream_user, "user-pw", self->stream_password, NULL);
}

gboolean
attest_pipeline_open_stream (AttestPipeline  *self,
                             const char      *uri,
                             const char      *user,
                             const char      *password,
                             GError         **error)
{
  g_autofree char *location = NULL;
  g_autofree char *url_user = NULL;
  g_autofree char *url_password = NULL;
  g_autofree char *host = NULL;
  gboolean rtsp;

  g_return_val_if_fail (ATTEST_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_attest_media_parse_camera_url (uri, &location, &url_user, &url_password, &host, &rtsp,
                                       error))
    return FALSE;

  attest_pipeline_close (self);
  /* Live like a camera: not seekable, no file to review later (recording makes one). */
  self->device = g_strdup (host);
  self->display_name = g_strdup (host);
  self->stream = TRUE;
  self->stream_user = g_strdup (user != NULL ? user : url_user);
  self->stream_password = g_strdup (user != NULL ? password : url_password);

  if (!_attest_pipeline_build_playbin (self, location, TRUE))
    {
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("“%s” cannot be watched: GStreamer’s playbin is missing"), host);
      _attest_pipeline_clear_stream (self);
      return FALSE;
    }
  g_signal_connect (self->playbin, "source-setup", G_CALLBACK (on_stream_source), self);
  if (gst_element_set_state (self->playbin, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      _attest_pipeline_teardown (self);
      g_set_error (error, ATTEST_MEDIA_ERROR, ATTEST_MEDIA_ERROR_FAILED,
                   _("Cannot reach “%s”: the camera or the network does not answer"), host);
      _attest_pipeline_clear_stream (self);
      return FALSE;
    }
  _attest_pipeline_set_playing (self, TRUE);
  return TRUE;
}

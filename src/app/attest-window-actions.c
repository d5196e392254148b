/* attest-window-actions.c: the window's actions (win.*, video.*) and the video keys. */
#include "config.h"

#include <glib/gi18n.h>

#include "attest-window-private.h"

#define SEEK_STEP (5 * GST_SECOND)

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     AttestWindow    *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  g_clear_object (&self->chooser);

  if (file != NULL)
    {
      g_autoptr (GFile) folder = g_file_get_parent (file);

      if (folder != NULL)
        {
          g_autofree char *uri = g_file_get_uri (folder);

          attest_settings_set_last_folder (self->settings, uri);
        }

      attest_window_open_file (self, file);
    }
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  g_autoptr (GtkFileFilter) videos = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();
  const char *last_folder;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Open Video"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  gtk_file_filter_set_name (videos, _("Videos"));
  gtk_file_filter_add_mime_type (videos, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), videos);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), videos);

  last_folder = attest_settings_get_last_folder (self->settings);
  if (last_folder != NULL && *last_folder != '\0')
    {
      g_autoptr (GFile) folder = g_file_new_for_uri (last_folder);

      /* A folder that has gone away is not worth an error: the chooser picks its default. */
      if (g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }

  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_camera_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  attest_window_open_camera (ATTEST_WINDOW (widget));
}

static void
toggle_play_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  if (self->pipeline != NULL)
    attest_pipeline_toggle_play (self->pipeline);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  if (_attest_window_pipeline_seekable (self))
    attest_pipeline_step (self->pipeline, g_str_equal (action_name, "video.step-forward") ? 1 : -1);
}

static void
seek_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  GstClockTime position, duration, target;

  if (!_attest_window_pipeline_seekable (self))
    return;

  position = attest_pipeline_get_position (self->pipeline);
  duration = attest_pipeline_get_duration (self->pipeline);
  if (!GST_CLOCK_TIME_IS_VALID (position))
    position = 0;

  if (g_str_equal (action_name, "video.seek-forward"))
    {
      target = position + SEEK_STEP;
      if (GST_CLOCK_TIME_IS_VALID (duration) && target > duration)
        target = duration;
    }
  else
    target = position > SEEK_STEP ? position - SEEK_STEP : 0;

  attest_pipeline_seek (self->pipeline, target);
}

/* Space, arrows, comma and period drive the video from anywhere in the window (capture
 * phase, before a focused button takes them), except where typing or a menu needs them. */
static gboolean
video_shortcut_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  const char *action = g_variant_get_string (args, NULL);

  if (focus != NULL &&
      (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;

  if (self->pipeline == NULL)
    return FALSE;
  if (!g_str_equal (action, "video.toggle-play") && !_attest_window_pipeline_seekable (self))
    return FALSE;

  return gtk_widget_activate_action (widget, action, NULL);
}

void
_attest_window_add_shortcuts (AttestWindow *self)
{
  static const struct { guint key; const char *action; } keys[] = {
    { GDK_KEY_space, "video.toggle-play" },
    { GDK_KEY_period, "video.step-forward" },
    { GDK_KEY_comma, "video.step-back" },
    { GDK_KEY_Right, "video.seek-forward" },
    { GDK_KEY_Left, "video.seek-back" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcut *shortcut =
        gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (keys[i].key, 0),
                                         gtk_callback_action_new (video_shortcut_cb, NULL, NULL),
                                         "s", keys[i].action);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

void
_attest_window_class_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-camera", NULL, open_camera_action);
  gtk_widget_class_install_action (widget_class, "video.toggle-play", NULL, toggle_play_action);
  gtk_widget_class_install_action (widget_class, "video.step-forward", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "video.step-back", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "video.seek-forward", NULL, seek_action);
  gtk_widget_class_install_action (widget_class, "video.seek-back", NULL, seek_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);

  _attest_window_class_install_gallery_actions (widget_class);
}

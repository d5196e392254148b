/* attest-window-actions.c: the window-wide actions and the dialogs they open: opening a video
 * or a camera (win.open, win.open-camera), the pages (win.show-*), scanning a video into the
 * review queue (win.scan asks which file, win.scan-video takes the one on screen), importing
 * people (win.import, win.import-photos), exporting evidence (win.export), and the enrol
 * dialog for a face the Video page hands over. Each hands its file to the page it is for. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "app/attest-enrol-dialog.h"
#include "app/attest-import-dialog.h"
#include "attest-window-private.h"

typedef enum
{
  CHOOSE_VIDEO,
  CHOOSE_SCAN,
  CHOOSE_PEOPLE_FOLDER,
  CHOOSE_PHOTOS,
} Purpose;

static void
close_chooser (AttestWindow *self)
{
  if (self->chooser == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
}

/* Says why nothing can be enrolled or imported now; FALSE then. */
static gboolean
check_can_enrol (AttestWindow *self)
{
  if (self->store == NULL)
    {
      attest_window_show_toast (self, _("The gallery is not available: nothing can be enrolled"));
      return FALSE;
    }
  if (self->vision == NULL)
    {
      attest_window_show_toast (self, _("Face detection is off: faces cannot be enrolled"));
      return FALSE;
    }
  return TRUE;
}

static void
remember_folder (AttestWindow *self,
                 GFile        *file)
{
  g_autoptr (GFile) folder = g_file_get_parent (file);
  g_autofree char *uri = NULL;

  if (folder == NULL)
    return;
  uri = g_file_get_uri (folder);
  attest_settings_set_last_folder (self->settings, uri);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     AttestWindow    *self)
{
  Purpose purpose = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "attest-purpose"));
  g_autoptr (GListModel) files = NULL;
  g_autoptr (GPtrArray) picked = g_ptr_array_new_with_free_func (g_object_unref);
  AttestImportDialog *dialog = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  g_object_ref (chooser);
  close_chooser (self);
  g_object_unref (chooser);
  for (guint i = 0; files != NULL && i < g_list_model_get_n_items (files); i++)
    g_ptr_array_add (picked, g_list_model_get_item (files, i));
  if (picked->len == 0)
    return;

  switch (purpose)
    {
    case CHOOSE_VIDEO:
      remember_folder (self, picked->pdata[0]);
      attest_window_open_file (self, picked->pdata[0]);
      break;
    case CHOOSE_SCAN:
      adw_view_stack_set_visible_child_name (self->view_stack, "review");
      attest_review_page_scan_file (self->review_page, picked->pdata[0]);
      break;
    case CHOOSE_PEOPLE_FOLDER:
      if (check_can_enrol (self))
        dialog = attest_import_dialog_new_for_folder (GTK_WINDOW (self), self->store, self->vision,
                                                      self->settings, picked->pdata[0]);
      break;
    case CHOOSE_PHOTOS:
      if (check_can_enrol (self))
        dialog = attest_import_dialog_new_for_files (GTK_WINDOW (self), self->store, self->vision,
                                                     self->settings, (GFile **) picked->pdata,
                                                     picked->len);
      break;
    default:
      g_assert_not_reached ();
    }
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static GtkFileFilter *
filter_new (const char *name,
            const char *mime_type,
            const char *mime_type2)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  if (mime_type2 != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type2);
  return filter;
}

/* A new modal chooser for `purpose` (replacing one still open). */
static GtkFileChooser *
new_chooser (AttestWindow         *self,
             Purpose               purpose,
             const char           *title,
             GtkFileChooserAction  action,
             const char           *accept)
{
  close_chooser (self);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept,
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_object_set_data (G_OBJECT (self->chooser), "attest-purpose", GINT_TO_POINTER (purpose));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  return GTK_FILE_CHOOSER (self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  g_autoptr (GtkFileFilter) videos = filter_new (_("Videos"), "video/*", NULL);
  g_autoptr (GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooser *chooser;
  const char *last_folder;

  chooser = new_chooser (self, CHOOSE_VIDEO, _("Open Video"), GTK_FILE_CHOOSER_ACTION_OPEN,
                         _("_Open"));
  gtk_file_chooser_add_filter (chooser, videos);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);
  gtk_file_chooser_set_filter (chooser, videos);

  last_folder = attest_settings_get_last_folder (self->settings);
  if (last_folder != NULL && *last_folder != '\0')
    {
      g_autoptr (GFile) folder = g_file_new_for_uri (last_folder);

      /* A folder that has gone away is not worth an error: the chooser picks its default. */
      if (g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
        gtk_file_chooser_set_current_folder (chooser, folder, NULL);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_camera_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  attest_window_open_camera (ATTEST_WINDOW (widget));
}

/* ---- network cameras ---- */

static char *
entry_text (GtkWidget *entry)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));

  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
on_stream_response (AdwMessageDialog *dialog,
                    const char       *response,
                    AttestWindow     *self)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkWidget *url_entry = gtk_widget_get_first_child (box);
  GtkWidget *user_entry = gtk_widget_get_next_sibling (url_entry);
  GtkWidget *password_entry = gtk_widget_get_next_sibling (user_entry);
  g_autofree char *url = entry_text (url_entry);
  g_autofree char *user = entry_text (user_entry);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "attest", "recordings", NULL);
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (response, "watch"))
    return;
  if (url == NULL ||
      !attest_video_page_open_stream (self->video_page, url, user,
                                      gtk_editable_get_text (GTK_EDITABLE (password_entry)),
                                      folder, &error))
    {
      attest_window_show_toast (self, error != NULL ? error->message
                                                    : _("Type the camera’s address"));
      return;
    }
  adw_view_stack_set_visible_child_name (self->view_stack, "video");
}

/* win.open-stream: "Watch Network Camera…". */
static void
open_stream_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  GtkWidget *dialog, *box, *url, *user, *password;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Watch a Network Camera"),
                                   _("Attest connects only to the address typed here. What the "
                                     "camera shows is recorded to your recordings folder as it "
                                     "is watched, and the faces in it are queued for review "
                                     "from the recording. The password is used for this "
                                     "session and not stored."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  url = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (url), "rtsp://192.168.1.20:554/stream");
  gtk_entry_set_activates_default (GTK_ENTRY (url), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (url), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Camera address"), -1);
  user = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (user), _("User name (if the camera asks)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (user), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("User name"), -1);
  password = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (password), TRUE);
  g_object_set (password, "placeholder-text", _("Password"), "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (password), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  gtk_box_append (GTK_BOX (box), url);
  gtk_box_append (GTK_BOX (box), user);
  gtk_box_append (GTK_BOX (box), password);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "watch", _("_Watch and Record"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "watch",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "watch");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stream_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A segment of the network camera on screen is on disk: its faces go to the review queue. */
static void
on_segment_recorded (AttestVideoPage *page,
                     const char      *path,
                     AttestWindow    *self)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);

  attest_review_page_queue_scan (self->review_page, file);
}

/* win.show-video, win.show-gallery, win.show-review, win.show-audit: the page named after
 * "win.show-". */
static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  g_assert (g_str_has_prefix (action_name, "win.show-"));
  adw_view_stack_set_visible_child_name (self->view_stack, action_name + strlen ("win.show-"));
}

/* ---- scanning ---- */

/* win.scan: "Scan Video…" always asks which file, the one on screen chosen to start with. */
static void
scan_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  g_autoptr (GtkFileFilter) videos = filter_new (_("Videos"), "video/*", NULL);
  const char *shown = attest_video_page_get_file_uri (self->video_page);
  GtkFileChooser *chooser;

  chooser = new_chooser (self, CHOOSE_SCAN, _("Scan a Video for Faces"),
                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Scan"));
  gtk_file_chooser_add_filter (chooser, videos);
  if (shown != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (shown);

      gtk_file_chooser_set_file (chooser, file, NULL);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* win.scan-video: "Scan This Video", the file on screen (disabled without one). */
static void
scan_video_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  const char *uri = attest_video_page_get_file_uri (self->video_page);
  g_autoptr (GFile) file = NULL;

  if (uri == NULL)
    return;
  file = g_file_new_for_uri (uri);
  attest_video_page_pause (self->video_page);
  adw_view_stack_set_visible_child_name (self->view_stack, "review");
  attest_review_page_scan_file (self->review_page, file);
}

/* ---- the gallery ---- */

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  GtkFileChooser *chooser;

  if (!check_can_enrol (self))
    return;

  if (g_str_equal (action_name, "win.import"))
    new_chooser (self, CHOOSE_PEOPLE_FOLDER,
                 _("Import People: Choose a Folder With One Folder per Person"),
                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Import"));
  else
    {
      g_autoptr (GtkFileFilter) images = filter_new (_("Photos (JPEG, PNG)"), "image/jpeg",
                                                     "image/png");

      chooser = new_chooser (self, CHOOSE_PHOTOS, _("Import Photos for One Person"),
                             GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"));
      gtk_file_chooser_set_select_multiple (chooser, TRUE);
      gtk_file_chooser_add_filter (chooser, images);
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_face_enrolled (AttestEnrolDialog *dialog,
                  gint64             face_id,
                  const char        *name,
                  AttestWindow      *self)
{
  g_autofree char *message = g_strdup_printf (_("Face enrolled for %s"), name);

  attest_window_show_toast (self, message);
}

/* The Video page's "enrol-face": the enrol dialog for that face, on that frame. */
static void
on_enrol_face (AttestVideoPage *page,
               GdkTexture      *frame,
               gconstpointer    box,
               gboolean         hand_drawn,
               const char      *uri,
               gint64           ms,
               gint64           proposed_id,
               AttestWindow    *self)
{
  AttestEnrolDialog *dialog;

  if (!check_can_enrol (self))
    return;
  dialog = attest_enrol_dialog_new (GTK_WINDOW (self), self->store, self->vision, self->settings);
  g_signal_connect_object (dialog, "enrolled", G_CALLBACK (on_face_enrolled), self, 0);
  attest_enrol_dialog_propose_identity (dialog, proposed_id);
  attest_enrol_dialog_set_face (dialog, frame, box, hand_drawn, uri, ms);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- export ---- */

static void
on_exported (AttestExportDialog *dialog,
             AttestExportResult *result,
             AttestWindow       *self)
{
  g_autoptr (GFile) folder = g_file_new_for_path (result->folder);
  g_autofree char *uri = g_file_get_uri (folder);
  g_autofree char *title = NULL;
  g_autofree char *markup = NULL;
  AdwToast *toast;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u match",
                                        "Exported %u matches", result->n_matches),
                           result->n_matches);
  markup = g_markup_escape_text (title, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("Open Folder"));
  adw_toast_set_action_name (toast, "win.open-export-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  _attest_window_add_toast (self, toast, title);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  if (self->export_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->export_dialog));
      return;
    }
  if (self->store == NULL)
    {
      attest_window_show_toast (self, _("The gallery is not available: nothing can be exported"));
      return;
    }
  self->export_dialog = attest_export_dialog_new (GTK_WINDOW (self), self->store, self->settings,
                                                  attest_video_page_get_file_uri (self->video_page));
  g_object_add_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
  g_signal_connect_object (self->export_dialog, "exported", G_CALLBACK (on_exported), self, 0);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

static void
open_export_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  /* GtkFileLauncher is GTK 4.10; the file manager opens the folder. */
  gtk_show_uri (GTK_WINDOW (widget), g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
}

AttestExportDialog *
_attest_window_get_export_dialog (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->export_dialog;
}

/* ---- set-up ---- */

void
_attest_window_class_init_actions (GtkWidgetClass *widget_class)
{
  static const struct { const char *name; guint key; GdkModifierType mods; } pages[] = {
    { "win.show-video", GDK_KEY_1, GDK_ALT_MASK },
    { "win.show-gallery", GDK_KEY_2, GDK_ALT_MASK },
    { "win.show-review", GDK_KEY_3, GDK_ALT_MASK },
    { "win.show-audit", GDK_KEY_4, GDK_ALT_MASK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      gtk_widget_class_install_action (widget_class, pages[i].name, NULL, show_page_action);
      gtk_widget_class_add_binding_action (widget_class, pages[i].key, pages[i].mods,
                                           pages[i].name, NULL);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK,
                                       "win.show-gallery", NULL);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-camera", NULL, open_camera_action);
  gtk_widget_class_install_action (widget_class, "win.open-stream", NULL, open_stream_action);
  gtk_widget_class_install_action (widget_class, "win.scan", NULL, scan_action);
  gtk_widget_class_install_action (widget_class, "win.scan-video", NULL, scan_video_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.import-photos", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.open-export-folder", "s",
                                   open_export_folder_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.import-photos", NULL);
  /* Ctrl+E enrols the selected face (the Video page). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export", NULL);
}

void
_attest_window_init_actions (AttestWindow *self)
{
  g_signal_connect_object (self->video_page, "enrol-face", G_CALLBACK (on_enrol_face), self, 0);
  g_signal_connect_object (self->video_page, "segment-recorded", G_CALLBACK (on_segment_recorded),
                           self, 0);
}

void
_attest_window_dispose_actions (AttestWindow *self)
{
  close_chooser (self);
  if (self->export_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
      gtk_window_destroy (GTK_WINDOW (self->export_dialog));
      self->export_dialog = NULL;
    }
}

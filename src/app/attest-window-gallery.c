/* attest-window-gallery.c: the window's gallery side: the Gallery page, importing
 * (win.import, win.import-photos) and enrolling a face from the frame on screen (face.enrol,
 * a double click on a box, or a box drawn by hand on a paused frame). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "app/attest-application.h"
#include "app/attest-enrol-dialog.h"
#include "app/attest-import-dialog.h"
#include "media/attest-video-paintable.h"
#include "attest-window-private.h"

static AttestStore *
get_store (AttestWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->store != NULL)
    return self->store;
  if (ATTEST_IS_APPLICATION (app))
    return attest_application_get_store (ATTEST_APPLICATION (app));
  return NULL;
}

/* The page lists from the window's store; the store may open after the window does. */
static void
sync_gallery_page (AttestWindow *self)
{
  attest_gallery_page_set_store (self->gallery_page, get_store (self));
}

/* The store's gallery changed (by anyone): the page lists it again. The search index is the
 * application's, which hears the same signal. */
void
_attest_window_gallery_changed (AttestWindow *self)
{
  sync_gallery_page (self);
  attest_gallery_page_reload (self->gallery_page);
}

static void
on_visible_page_changed (AttestWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "gallery") == 0)
    {
      sync_gallery_page (self);
      attest_gallery_page_reload (self->gallery_page);
    }
}

/* Says why nothing can be enrolled or imported now; FALSE then. */
static gboolean
check_can_enrol (AttestWindow *self)
{
  if (get_store (self) == NULL)
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

/* ---- enrolling a face from the frame on screen -------------------------------------- */

static void
on_face_enrolled (AttestEnrolDialog *dialog,
                  gint64             face_id,
                  const char        *name,
                  AttestWindow      *self)
{
  g_autofree char *message = g_strdup_printf (_("Face enrolled for %s"), name);

  attest_window_show_toast (self, message);
}

/* box: in stream pixels (the frame's own pixels). */
/* proposed_id: the person the face is suggested as (-1: none). */
static void
open_enrol_dialog (AttestWindow    *self,
                   const AttestBox *box,
                   gboolean         hand_drawn,
                   gint64           proposed_id)
{
  GdkPaintable *paintable = attest_video_view_get_paintable (self->video_view);
  g_autoptr (GdkPaintable) image = NULL;
  AttestEnrolDialog *dialog;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  gint64 source_ms = -1;

  if (!check_can_enrol (self))
    return;

  if (ATTEST_IS_VIDEO_PAINTABLE (paintable))
    pts = attest_video_paintable_get_pts (ATTEST_VIDEO_PAINTABLE (paintable));
  if (paintable != NULL)
    image = gdk_paintable_get_current_image (paintable);
  /* A frame shown stretched (non-square pixels) is not a plain texture: its pixels would
   * not be the stream pixels the box is in. */
  if (image == NULL || !GDK_IS_TEXTURE (image))
    {
      attest_window_show_toast (self, _("This frame cannot be used for enrolment"));
      return;
    }

  /* The reviewer is looking at this frame: keep it there. */
  if (self->pipeline != NULL && attest_pipeline_get_playing (self->pipeline))
    attest_pipeline_pause (self->pipeline);

  if (GST_CLOCK_TIME_IS_VALID (pts))
    source_ms = (gint64) (pts / GST_MSECOND);

  dialog = attest_enrol_dialog_new (GTK_WINDOW (self), get_store (self), self->vision,
                                    self->settings);
  g_signal_connect_object (dialog, "enrolled", G_CALLBACK (on_face_enrolled), self, 0);
  attest_enrol_dialog_propose_identity (dialog, proposed_id);
  attest_enrol_dialog_set_face (dialog, GDK_TEXTURE (image), box, hand_drawn,
                                self->pipeline != NULL ? attest_pipeline_get_uri (self->pipeline) : NULL,
                                source_ms);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Face i of the detections on screen, in stream pixels. */
static gboolean
get_face_box (AttestWindow *self,
              int           i,
              AttestBox    *out)
{
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);
  GdkPaintable *paintable = attest_video_view_get_paintable (self->video_view);
  int frame_w = 0, frame_h = 0;
  double sx, sy;

  if (detections == NULL || i < 0 || (guint) i >= detections->n_faces ||
      !attest_video_view_get_boxes_shown (self->video_view) ||
      !ATTEST_IS_VIDEO_PAINTABLE (paintable))
    return FALSE;

  /* Detections may be computed on a scaled copy of the frame. */
  attest_video_paintable_get_frame_size (ATTEST_VIDEO_PAINTABLE (paintable), &frame_w, &frame_h);
  if (frame_w <= 0 || frame_h <= 0 || detections->width <= 0 || detections->height <= 0)
    return FALSE;
  sx = (double) frame_w / detections->width;
  sy = (double) frame_h / detections->height;

  *out = detections->faces[i];
  out->x *= sx;
  out->y *= sy;
  out->w *= sx;
  out->h *= sy;
  return TRUE;
}

/* The person face i on screen is suggested as, or -1: "Enrol As" offers them first, not
 * "New Person". */
static gint64
suggested_identity (AttestWindow *self,
                    int           i)
{
  AttestDetections *detections = attest_video_view_get_detections (self->video_view);
  const AttestFaceInfo *info = NULL;

  if (detections != NULL && i >= 0 && (guint) i < detections->n_faces)
    info = attest_detections_get_info (detections, (guint) i);
  if (info != NULL && info->n_candidates > 0 &&
      attest_face_info_get_state (info, attest_settings_get_match_threshold (self->settings)) ==
        ATTEST_FACE_STATE_SUGGESTION)
    return info->candidates[0].identity_id;
  return -1;
}

static void
on_face_activated (AttestVideoView *view,
                   guint            track_id,
                   int              face_index,
                   AttestWindow    *self)
{
  AttestBox box;

  if (get_face_box (self, face_index, &box))
    open_enrol_dialog (self, &box, FALSE, suggested_identity (self, face_index));
}

static void
on_box_drawn (AttestVideoView *view,
              double           x,
              double           y,
              double           width,
              double           height,
              AttestWindow    *self)
{
  AttestBox box = { (float) x, (float) y, (float) width, (float) height, 1.0f };

  open_enrol_dialog (self, &box, TRUE, -1);
}

static void
enrol_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  int selected = attest_video_view_get_selected_face (self->video_view);
  AttestBox box;

  if (!get_face_box (self, selected, &box))
    {
      attest_window_show_toast (self, _("Select a face first: click its box on a paused frame, "
                                        "or drag a box around it"));
      return;
    }
  open_enrol_dialog (self, &box, FALSE, suggested_identity (self, selected));
}

/* ---- importing --------------------------------------------------------------------- */

static void
present_import_dialog (AttestWindow       *self,
                       AttestImportDialog *dialog)
{
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_chooser_response (GtkNativeDialog *chooser,
                            int              response,
                            AttestWindow    *self)
{
  gboolean folder = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) ==
                    GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
  g_autoptr (GListModel) files = NULL;
  g_autoptr (GPtrArray) picked = g_ptr_array_new_with_free_func (g_object_unref);

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

  g_clear_object (&self->import_chooser);

  if (files == NULL || g_list_model_get_n_items (files) == 0 || !check_can_enrol (self))
    return;

  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    g_ptr_array_add (picked, g_list_model_get_item (files, i));

  if (folder)
    present_import_dialog (self, attest_import_dialog_new_for_folder (GTK_WINDOW (self),
                                                                      get_store (self),
                                                                      self->vision,
                                                                      self->settings,
                                                                      picked->pdata[0]));
  else
    present_import_dialog (self, attest_import_dialog_new_for_files (GTK_WINDOW (self),
                                                                     get_store (self),
                                                                     self->vision,
                                                                     self->settings,
                                                                     (GFile **) picked->pdata,
                                                                     picked->len));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  gboolean folder = g_str_equal (action_name, "win.import");

  if (!check_can_enrol (self))
    return;

  if (self->import_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->import_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));
      g_clear_object (&self->import_chooser);
    }

  if (folder)
    self->import_chooser = gtk_file_chooser_native_new (_("Import People: Choose a Folder With "
                                                          "One Folder per Person"),
                                                        GTK_WINDOW (self),
                                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                        _("_Import"), _("_Cancel"));
  else
    {
      g_autoptr (GtkFileFilter) images = gtk_file_filter_new ();

      self->import_chooser = gtk_file_chooser_native_new (_("Import Photos for One Person"),
                                                          GTK_WINDOW (self),
                                                          GTK_FILE_CHOOSER_ACTION_OPEN,
                                                          _("_Import"), _("_Cancel"));
      gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->import_chooser), TRUE);
      gtk_file_filter_set_name (images, _("Photos (JPEG, PNG)"));
      gtk_file_filter_add_mime_type (images, "image/jpeg");
      gtk_file_filter_add_mime_type (images, "image/png");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), images);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->import_chooser), TRUE);
  g_signal_connect (self->import_chooser, "response", G_CALLBACK (on_import_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->import_chooser));
}

/* win.show-video, win.show-gallery, win.show-review, win.show-audit: the page named after
 * "win.show-". */
void
_attest_window_show_page_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  AttestWindow *self = ATTEST_WINDOW (widget);

  g_assert (g_str_has_prefix (action_name, "win.show-"));
  adw_view_stack_set_visible_child_name (self->view_stack,
                                         action_name + strlen ("win.show-"));
}

void
_attest_window_class_install_gallery_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-video", NULL,
                                   _attest_window_show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-gallery", NULL,
                                   _attest_window_show_page_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.import-photos", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "face.enrol", NULL, enrol_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-video", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-gallery", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.show-gallery", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.import-photos", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "face.enrol", NULL);
}

void
_attest_window_init_gallery (AttestWindow *self)
{
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (on_visible_page_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->video_view, "face-activated",
                           G_CALLBACK (on_face_activated), self, 0);
  g_signal_connect_object (self->video_view, "box-drawn", G_CALLBACK (on_box_drawn), self, 0);
}

void
_attest_window_dispose_gallery (AttestWindow *self)
{
  if (self->import_chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->import_chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));
      g_clear_object (&self->import_chooser);
    }
}

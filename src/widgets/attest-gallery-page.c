/* attest-gallery-page.c: people on the left (search, cover, name, face count), the selected
 * person's faces with their provenance on the right, and the edits.
 *
 * The store sends no change notification and its identities and faces are snapshots, so
 * after every edit the page lists again; the selection is kept by identity id. Reads and
 * writes are the store's _async calls: the page never waits on the disk. */
#include "config.h"

#include <glib/gi18n.h>

#include "store/attest-gallery.h"
#include "attest-gallery-page.h"
#include "attest-gallery-page-private.h"
#include "attest-side-layout.h"
#include "attest-wrap-layout.h"

#define COVER_SIZE     40
#define DETAIL_SIZE    96
#define FACE_SIZE      64


G_DEFINE_FINAL_TYPE (AttestGalleryPage, attest_gallery_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_REVIEWER_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_GALLERY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void load_faces (AttestGalleryPage *self);

/* ---- helpers ----------------------------------------------------------------------- */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

static GdkPaintable *
paintable_from_png (GBytes *png)
{
  if (png == NULL)
    return NULL;
  /* A damaged thumbnail is not worth an error: the avatar's initials stand in. */
  return (GdkPaintable *) gdk_texture_new_from_bytes (png, NULL);
}

void
_attest_gallery_page_show_message (AttestGalleryPage *self,
              const char        *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_free (self->last_message);
  self->last_message = g_strdup (message);

  if (overlay != NULL)
    {
      g_autofree char *markup = g_markup_escape_text (message, -1);
      AdwToast *toast = adw_toast_new (markup);

      adw_toast_set_timeout (toast, 8);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
}

/* The reviewer's name for the audit log, or NULL after saying how to set it. */
const char *
_attest_gallery_page_get_actor (AttestGalleryPage *self)
{
  const char *actor = self->reviewer_name;

  if (is_blank (actor))
    {
      _attest_gallery_page_show_message (self, _("Enter your name as reviewer in Preferences first: every change "
                            "to the gallery is recorded with it"));
      return NULL;
    }
  return actor;
}

AttestIdentity *
_attest_gallery_page_get_selected (AttestGalleryPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static char *
source_title (AttestFace *face)
{
  const char *uri = attest_face_get_source_uri (face);
  gint64 ms = attest_face_get_source_ms (face);
  g_autofree char *name = NULL;

  if (uri == NULL)
    name = g_strdup (_("Unknown source"));
  else
    {
      g_autoptr (GFile) file = g_file_new_for_uri (uri);
      g_autofree char *basename = g_file_get_basename (file);

      name = basename != NULL ? g_filename_display_name (basename) : g_strdup (uri);
    }

  if (ms < 0)
    return g_steal_pointer (&name);

  {
    gint64 s = ms / 1000;
    g_autofree char *time = s >= 3600
      ? g_strdup_printf ("%d:%02d:%02d.%d", (int) (s / 3600), (int) (s / 60 % 60), (int) (s % 60),
                         (int) (ms % 1000 / 100))
      : g_strdup_printf ("%d:%02d.%d", (int) (s / 60), (int) (s % 60), (int) (ms % 1000 / 100));

    /* Translators: "video.mp4 at 0:12.4" */
    return g_strdup_printf (_("%s at %s"), name, time);
  }
}

static char *
format_when (gint64 us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%x %H:%M") : g_strdup ("?");
}

/* ---- the faces of the selected person ----------------------------------------------- */

static GtkWidget *
create_face_row (gpointer item,
                 gpointer user_data)
{
  AttestFace *face = item;
  g_autoptr (GdkPaintable) thumbnail = paintable_from_png (attest_face_get_thumbnail (face));
  g_autofree char *title = source_title (face);
  g_autofree char *when = format_when (attest_face_get_enrolled_at (face));
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *prefix;
  GtkWidget *button;

  subtitle = g_strdup_printf (_("Enrolled by %s on %s\nBasis: %s"),
                              attest_face_get_enrolled_by (face), when,
                              attest_face_get_basis (face));
  tooltip = g_strdup_printf (_("Source: %s\nSHA-256: %s"),
                             attest_face_get_source_uri (face) ? attest_face_get_source_uri (face) : "—",
                             attest_face_get_source_sha256 (face) ? attest_face_get_source_sha256 (face) : "—");

  {
    g_autofree char *title_markup = g_markup_escape_text (title, -1);
    g_autofree char *subtitle_markup = g_markup_escape_text (subtitle, -1);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_markup);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle_markup);
  }
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_tooltip_text (row, tooltip);

  if (thumbnail != NULL)
    {
      prefix = gtk_picture_new_for_paintable (thumbnail);
      gtk_picture_set_can_shrink (GTK_PICTURE (prefix), TRUE);
      gtk_widget_set_size_request (prefix, FACE_SIZE, FACE_SIZE);
      gtk_widget_add_css_class (prefix, "card");
      gtk_widget_set_overflow (prefix, GTK_OVERFLOW_HIDDEN);
    }
  else
    prefix = adw_avatar_new (FACE_SIZE, attest_face_get_identity_name (face), TRUE);
  gtk_widget_set_valign (prefix, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (prefix, 6);
  gtk_widget_set_margin_bottom (prefix, 6);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), prefix);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Delete This Face"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Delete This Face"), -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "gallery.delete-face");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (attest_face_get_id (face)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
faces_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GListStore) faces = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  self->busy--;
  faces = attest_store_list_faces_finish (ATTEST_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (faces == NULL)
    {
      _attest_gallery_page_show_message (self, error->message);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (faces));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (faces), i));
  g_list_store_splice (self->faces, 0, g_list_model_get_n_items (G_LIST_MODEL (self->faces)),
                       items->pdata, items->len);
}

static void
load_faces (AttestGalleryPage *self)
{
  AttestIdentity *identity = _attest_gallery_page_get_selected (self);

  g_cancellable_cancel (self->faces_cancellable);
  g_clear_object (&self->faces_cancellable);

  if (identity == NULL || self->store == NULL)
    {
      g_list_store_remove_all (self->faces);
      return;
    }

  self->faces_cancellable = g_cancellable_new ();
  self->busy++;
  attest_store_list_faces_async (self->store, attest_identity_get_id (identity),
                                 self->faces_cancellable, faces_done, g_object_ref (self));
}

static void
update_detail (AttestGalleryPage *self)
{
  AttestIdentity *identity = _attest_gallery_page_get_selected (self);
  g_autoptr (GdkPaintable) cover = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *faces_text = NULL;
  const char *notes;
  guint n_faces, n_matches;
  gboolean selected = identity != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.rename", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.merge", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.delete", selected);

  if (!selected)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      load_faces (self);
      return;
    }

  n_faces = attest_identity_get_n_faces (identity);
  n_matches = attest_identity_get_n_matches (identity);
  faces_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u enrolled face",
                                             "%u enrolled faces", n_faces), n_faces);
  if (n_matches > 0)
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u confirmed match",
                                           "%s · %u confirmed matches", n_matches),
                              faces_text, n_matches);
  else
    counts = g_steal_pointer (&faces_text);

  gtk_label_set_text (self->name_label, attest_identity_get_name (identity));
  gtk_label_set_text (self->counts_label, counts);
  notes = attest_identity_get_notes (identity);
  gtk_label_set_text (self->notes_label, notes != NULL ? notes : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), !is_blank (notes));

  cover = paintable_from_png (attest_identity_get_cover (identity));
  adw_avatar_set_text (self->detail_avatar, attest_identity_get_name (identity));
  adw_avatar_set_custom_image (self->detail_avatar, cover);

  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
  load_faces (self);
}

static void
on_selection_changed (AttestGalleryPage *self)
{
  update_detail (self);
}

/* ---- the people list --------------------------------------------------------------- */

static void
setup_identity_item (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *avatar = adw_avatar_new (COVER_SIZE, NULL, TRUE);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "caption");

  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), count);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), labels);

  g_object_set_data (G_OBJECT (box), "avatar", avatar);
  g_object_set_data (G_OBJECT (box), "name", name);
  g_object_set_data (G_OBJECT (box), "count", count);
  gtk_list_item_set_child (item, box);
}

static void
bind_identity_item (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  AttestIdentity *identity = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  g_autoptr (GdkPaintable) cover = paintable_from_png (attest_identity_get_cover (identity));
  guint n = attest_identity_get_n_faces (identity);
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u face", "%u faces", n), n);
  AdwAvatar *avatar = g_object_get_data (G_OBJECT (box), "avatar");

  adw_avatar_set_text (avatar, attest_identity_get_name (identity));
  adw_avatar_set_custom_image (avatar, cover);
  gtk_label_set_text (g_object_get_data (G_OBJECT (box), "name"), attest_identity_get_name (identity));
  gtk_label_set_text (g_object_get_data (G_OBJECT (box), "count"), count);
}

static void
update_pages (AttestGalleryPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->identities));
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->store == NULL)
    gtk_stack_set_visible_child_name (self->stack, "unavailable");
  else if (n == 0 && is_blank (search))
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "people");

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "no-results");
}

static void
identities_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GListStore) identities = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  AttestIdentity *selected;
  gint64 keep_id;
  guint n, position = 0;

  self->busy--;
  identities = attest_store_list_identities_finish (ATTEST_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (identities == NULL)
    {
      _attest_gallery_page_show_message (self, error->message);
      return;
    }

  selected = _attest_gallery_page_get_selected (self);
  keep_id = self->select_id >= 0 ? self->select_id
            : selected != NULL ? attest_identity_get_id (selected) : -1;
  self->select_id = -1;

  n = g_list_model_get_n_items (G_LIST_MODEL (identities));
  for (guint i = 0; i < n; i++)
    {
      AttestIdentity *identity = g_list_model_get_item (G_LIST_MODEL (identities), i);

      if (attest_identity_get_id (identity) == keep_id)
        position = i;
      g_ptr_array_add (items, identity);
    }

  /* One change signal for the whole list; the selection then names the same person. */
  g_signal_handlers_block_by_func (self->selection, on_selection_changed, self);
  g_list_store_splice (self->identities, 0, g_list_model_get_n_items (G_LIST_MODEL (self->identities)),
                       items->pdata, items->len);
  if (n > 0)
    gtk_single_selection_set_selected (self->selection, position);
  g_signal_handlers_unblock_by_func (self->selection, on_selection_changed, self);

  update_pages (self);
  update_detail (self);
}

void
attest_gallery_page_reload (AttestGalleryPage *self)
{
  const char *search;

  g_return_if_fail (ATTEST_IS_GALLERY_PAGE (self));

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);

  if (self->store == NULL)
    {
      g_list_store_remove_all (self->identities);
      update_pages (self);
      update_detail (self);
      return;
    }

  search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  self->list_cancellable = g_cancellable_new ();
  self->busy++;
  attest_store_list_identities_async (self->store, is_blank (search) ? NULL : search,
                                      self->list_cancellable, identities_done,
                                      g_object_ref (self));
}

static void
on_search_changed (AttestGalleryPage *self)
{
  attest_gallery_page_reload (self);
}

/* ---- edits ------------------------------------------------------------------------- */

void
_attest_gallery_page_edit_finished (AttestGalleryPage *self,
               gboolean           ok,
               GError            *error)
{
  self->busy--;
  if (!ok)
    {
      _attest_gallery_page_show_message (self, error->message);
      self->select_id = -1;
      /* A refusal may come from a change made elsewhere: show what is there now. */
      attest_gallery_page_reload (self);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_GALLERY_CHANGED], 0);
  attest_gallery_page_reload (self);
}

static void
rename_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = attest_store_rename_identity_finish (ATTEST_STORE (source), result, &error);

  _attest_gallery_page_edit_finished (self, ok, error);
}

static void
delete_identity_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = attest_store_delete_identity_finish (ATTEST_STORE (source), result, &error);

  _attest_gallery_page_edit_finished (self, ok, error);
}

static void
delete_face_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AttestGalleryPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = attest_store_delete_face_finish (ATTEST_STORE (source), result, &error);

  _attest_gallery_page_edit_finished (self, ok, error);
}

AdwMessageDialog *
_attest_gallery_page_new_dialog (AttestGalleryPage *self,
            const char        *heading,
            const char        *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_set_weak_pointer (&self->dialog, ADW_MESSAGE_DIALOG (dialog));
  g_clear_weak_pointer (&self->dialog_input);

  return ADW_MESSAGE_DIALOG (dialog);
}

static void
on_rename_entry_changed (GtkEditable       *entry,
                         AttestGalleryPage *self)
{
  if (self->dialog != NULL)
    adw_message_dialog_set_response_enabled (self->dialog, "rename",
                                             !is_blank (gtk_editable_get_text (entry)));
}

static void
on_rename_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    AttestGalleryPage *self)
{
  g_autofree char *name = NULL;
  const char *actor;

  if (!g_str_equal (response, "rename") || self->store == NULL)
    return;
  if ((actor = _attest_gallery_page_get_actor (self)) == NULL)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dialog_input))));
  self->busy++;
  attest_store_rename_identity_async (self->store, self->dialog_subject, name, actor, NULL,
                                      rename_done, g_object_ref (self));
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (widget);
  AttestIdentity *identity = _attest_gallery_page_get_selected (self);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (identity == NULL || _attest_gallery_page_get_actor (self) == NULL)
    return;

  heading = g_strdup_printf (_("Rename “%s”"), attest_identity_get_name (identity));
  dialog = _attest_gallery_page_new_dialog (self, heading, _("The new name is recorded in the audit log."));
  adw_message_dialog_add_response (dialog, "rename", _("_Rename"));
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), attest_identity_get_name (identity));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_rename_entry_changed), self, 0);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_set_weak_pointer (&self->dialog_input, entry);

  self->dialog_subject = attest_identity_get_id (identity);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_rename_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_delete_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    AttestGalleryPage *self)
{
  const char *actor;

  if (!g_str_equal (response, "delete") || self->store == NULL)
    return;
  if ((actor = _attest_gallery_page_get_actor (self)) == NULL)
    return;

  self->busy++;
  attest_store_delete_identity_async (self->store, self->dialog_subject, actor, NULL,
                                      delete_identity_done, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (widget);
  AttestIdentity *identity = _attest_gallery_page_get_selected (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *faces = NULL;
  AdwMessageDialog *dialog;
  guint n;

  if (identity == NULL || _attest_gallery_page_get_actor (self) == NULL)
    return;

  n = attest_identity_get_n_faces (identity);
  heading = g_strdup_printf (_("Delete “%s”?"), attest_identity_get_name (identity));
  faces = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u enrolled face", "%u enrolled faces", n), n);
  /* Translators: "“Ana” and her 3 enrolled faces ..." — the first %s is the name, the
   * second the face count */
  body = g_strdup_printf (_("“%s” and %s are removed from the gallery. The deletion is "
                            "recorded in the audit log."),
                          attest_identity_get_name (identity), faces);
  dialog = _attest_gallery_page_new_dialog (self, heading, body);
  adw_message_dialog_add_response (dialog, "delete", _("_Delete"));
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);

  self->dialog_subject = attest_identity_get_id (identity);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_delete_face_response (AdwMessageDialog  *dialog,
                         const char        *response,
                         AttestGalleryPage *self)
{
  const char *actor;

  if (!g_str_equal (response, "delete") || self->store == NULL)
    return;
  if ((actor = _attest_gallery_page_get_actor (self)) == NULL)
    return;

  self->busy++;
  attest_store_delete_face_async (self->store, self->dialog_subject, actor, NULL,
                                  delete_face_done, g_object_ref (self));
}

static void
delete_face_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (widget);
  gint64 face_id = g_variant_get_int64 (param);
  AttestFace *face = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *source = NULL;
  AdwMessageDialog *dialog;

  if (_attest_gallery_page_get_actor (self) == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->faces)) && face == NULL; i++)
    {
      g_autoptr (AttestFace) candidate = g_list_model_get_item (G_LIST_MODEL (self->faces), i);

      if (attest_face_get_id (candidate) == face_id)
        face = candidate;
    }
  if (face == NULL)
    return;

  source = source_title (face);
  heading = g_strdup_printf (_("Delete This Face of “%s”?"), attest_face_get_identity_name (face));
  body = g_strdup_printf (_("The face enrolled from %s is removed from the gallery. The "
                            "deletion is recorded in the audit log."), source);
  dialog = _attest_gallery_page_new_dialog (self, heading, body);
  adw_message_dialog_add_response (dialog, "delete", _("_Delete"));
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);

  self->dialog_subject = face_id;
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_face_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ----------------------------------------------------------------------- */

static void
attest_gallery_page_dispose (GObject *object)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (object);

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->faces_cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  g_clear_weak_pointer (&self->dialog);
  g_clear_weak_pointer (&self->dialog_input);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_GALLERY_PAGE);

  G_OBJECT_CLASS (attest_gallery_page_parent_class)->dispose (object);
}

static void
attest_gallery_page_finalize (GObject *object)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (object);

  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->faces_cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->reviewer_name, g_free);
  g_clear_object (&self->selection);
  g_clear_object (&self->identities);
  g_clear_object (&self->faces);
  _attest_gallery_page_dispose_merge (self);
  g_clear_pointer (&self->last_message, g_free);

  G_OBJECT_CLASS (attest_gallery_page_parent_class)->finalize (object);
}

static void
attest_gallery_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (object);

  switch (prop_id)
    {
    case PROP_REVIEWER_NAME:
      g_value_set_string (value, self->reviewer_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_gallery_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  AttestGalleryPage *self = ATTEST_GALLERY_PAGE (object);

  switch (prop_id)
    {
    case PROP_REVIEWER_NAME:
      attest_gallery_page_set_reviewer_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
attest_gallery_page_class_init (AttestGalleryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = attest_gallery_page_dispose;
  object_class->finalize = attest_gallery_page_finalize;
  object_class->get_property = attest_gallery_page_get_property;
  object_class->set_property = attest_gallery_page_set_property;

  /* The actor of every edit: the reviewer's name (the window binds it to the settings). */
  properties[PROP_REVIEWER_NAME] =
    g_param_spec_string ("reviewer-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_GALLERY_CHANGED] =
    g_signal_new ("gallery-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ATTEST_TYPE_SIDE_LAYOUT);
  g_type_ensure (ATTEST_TYPE_WRAP_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-gallery-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, identity_list);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, detail_avatar);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, notes_label);
  gtk_widget_class_bind_template_child (widget_class, AttestGalleryPage, faces_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "gallery.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "gallery.merge", NULL,
                                   _attest_gallery_page_merge_action);
  gtk_widget_class_install_action (widget_class, "gallery.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "gallery.delete-face", "x", delete_face_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "gallery.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "gallery.delete", NULL);
}

static void
attest_gallery_page_init (AttestGalleryPage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The gallery as it is whenever the page comes on screen. */
  g_signal_connect (self, "map", G_CALLBACK (attest_gallery_page_reload), NULL);
  self->undo_from = self->undo_into = -1;
  /* Not a bound template child: AdwBin owns and unparents its child, and
   * gtk_widget_dispose_template would unparent it a second time. */
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  self->select_id = -1;
  self->identities = g_list_store_new (ATTEST_TYPE_IDENTITY);
  self->faces = g_list_store_new (ATTEST_TYPE_FACE);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->identities)));
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (on_selection_changed), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_identity_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_identity_item), NULL);
  gtk_list_view_set_factory (self->identity_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->identity_list, GTK_SELECTION_MODEL (self->selection));

  gtk_list_box_bind_model (self->faces_list, G_LIST_MODEL (self->faces), create_face_row, NULL, NULL);

  update_pages (self);
  update_detail (self);
}

GtkWidget *
attest_gallery_page_new (void)
{
  return g_object_new (ATTEST_TYPE_GALLERY_PAGE, NULL);
}

void
attest_gallery_page_set_store (AttestGalleryPage *self,
                               AttestStore       *store)
{
  g_return_if_fail (ATTEST_IS_GALLERY_PAGE (self));
  g_return_if_fail (store == NULL || ATTEST_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, attest_gallery_page_reload, self);
  g_set_object (&self->store, store);
  /* Whoever changed the gallery (this window, another, the CLI beside the app), the page
   * lists it again. */
  if (store != NULL)
    g_signal_connect_object (store, "changed::gallery", G_CALLBACK (attest_gallery_page_reload),
                             self, G_CONNECT_SWAPPED);
  attest_gallery_page_reload (self);
}

AttestStore *
attest_gallery_page_get_store (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return self->store;
}

void
attest_gallery_page_set_reviewer_name (AttestGalleryPage *self,
                                       const char        *reviewer_name)
{
  g_return_if_fail (ATTEST_IS_GALLERY_PAGE (self));

  if (g_strcmp0 (self->reviewer_name, reviewer_name) == 0)
    return;
  g_free (self->reviewer_name);
  self->reviewer_name = g_strdup (reviewer_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVIEWER_NAME]);
}

const char *
attest_gallery_page_get_reviewer_name (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);

  return self->reviewer_name;
}

/* ---- for tests --------------------------------------------------------------------- */

gboolean
_attest_gallery_page_get_busy (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), FALSE);
  return self->busy > 0;
}

GListModel *
_attest_gallery_page_get_identities (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return G_LIST_MODEL (self->identities);
}

GListModel *
_attest_gallery_page_get_faces (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return G_LIST_MODEL (self->faces);
}

gint64
_attest_gallery_page_get_selected_id (AttestGalleryPage *self)
{
  AttestIdentity *identity;

  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), -1);
  identity = _attest_gallery_page_get_selected (self);
  return identity != NULL ? attest_identity_get_id (identity) : -1;
}

gboolean
_attest_gallery_page_select (AttestGalleryPage *self,
                             gint64             identity_id)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (self->identities), i);

      if (attest_identity_get_id (identity) == identity_id)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

GtkEditable *
_attest_gallery_page_get_search_entry (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return GTK_EDITABLE (self->search_entry);
}

AdwMessageDialog *
_attest_gallery_page_get_dialog (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return self->dialog;
}

GtkWidget *
_attest_gallery_page_get_dialog_input (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return self->dialog_input;
}

const char *
_attest_gallery_page_get_last_message (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return self->last_message;
}

const char *
_attest_gallery_page_get_detail_name (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return gtk_label_get_text (self->name_label);
}

const char *
_attest_gallery_page_get_visible_page (AttestGalleryPage *self)
{
  g_return_val_if_fail (ATTEST_IS_GALLERY_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

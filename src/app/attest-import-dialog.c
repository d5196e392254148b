/* attest-import-dialog.c: import photos with progress and skipped reasons (see
 * attest-import-dialog.h).
 *
 * The importer reports each image ("result", then "progress") on this thread before it goes
 * on to the next, so Cancel stops right after the image being imported; what was enrolled
 * stays. Closing the dialog during an import cancels it and closes once it has stopped. */
#include "config.h"

#include <glib/gi18n.h>

#include "widgets/attest-a11y.h"
#include "review/attest-importer.h"
#include "store/attest-gallery.h"
#include "attest-import-dialog.h"
#include "attest-import-dialog-private.h"

struct _AttestImportDialog
{
  AdwWindow       parent_instance;

  /* template */
  GtkButton      *cancel_button;
  GtkButton      *start_button;
  GtkStack       *stack;
  GtkLabel       *what_label;
  AdwEntryRow    *name_row;
  AdwEntryRow    *basis_row;
  AdwEntryRow    *reviewer_row;
  AdwPreferencesGroup *people_group;
  GtkListBox     *people_list;
  GtkLabel       *status_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *skipped_heading;
  GtkListBox     *skipped_list;

  AttestStore    *store;
  AttestVision   *vision;          /* not owned */
  AttestSettings *settings;

  GFile          *folder;          /* a folder import, or ... */
  GPtrArray      *files;           /* ... photos for one person */

  AttestImporter *importer;
  GCancellable   *cancellable;
  gboolean        running;
  gboolean        finished;
  gboolean        close_when_done;
  guint           n_enrolled;
  guint           n_skipped;
};

G_DEFINE_FINAL_TYPE (AttestImportDialog, attest_import_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

static char *
stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
update_state (AttestImportDialog *self)
{
  gboolean ready = !self->running && !self->finished &&
                   !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->basis_row))) &&
                   !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->reviewer_row))) &&
                   (self->folder != NULL ||
                    !is_blank (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.start", ready);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), !self->running && !self->finished);
  gtk_button_set_label (self->cancel_button, self->finished ? _("_Close") : _("_Cancel"));
}

static void
on_entry_changed (AttestImportDialog *self)
{
  update_state (self);
}

static char *
summary_text (AttestImportDialog *self)
{
  /* Translators: the import summary, e.g. "50 enrolled, 5 skipped" */
  return g_strdup_printf (_("%u enrolled, %u skipped"), self->n_enrolled, self->n_skipped);
}

static void
on_progress (AttestImporter     *importer,
             guint               done,
             guint               total,
             AttestImportDialog *self)
{
  g_autofree char *text = NULL;

  /* Translators: import progress, e.g. "12 of 55 photos" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u photo", "%u of %u photos", total),
                          done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
}

static void
on_result (AttestImporter           *importer,
           const AttestImportResult *result,
           AttestImportDialog       *self)
{
  g_autofree char *basename = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (result->status == ATTEST_IMPORT_ENROLLED)
    {
      self->n_enrolled++;
      return;
    }

  self->n_skipped++;
  basename = g_path_get_basename (result->file);
  title = g_markup_escape_text (basename, -1);
  if (result->identity != NULL && *result->identity != '\0')
    {
      g_autofree char *text = g_strdup_printf ("%s — %s", result->identity, result->reason);

      subtitle = g_markup_escape_text (text, -1);
    }
  else
    subtitle = g_markup_escape_text (result->reason, -1);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_tooltip_text (row, result->file);
  gtk_list_box_append (self->skipped_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_heading), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->skipped_list), TRUE);
}

static void
import_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AttestImportDialog) self = user_data;
  AttestImporter *importer = ATTEST_IMPORTER (source);
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = summary_text (self);
  g_autofree char *text = NULL;

  if (self->folder != NULL)
    results = attest_importer_import_folder_finish (importer, result, &error);
  else
    results = attest_importer_import_files_finish (importer, result, &error);

  self->running = FALSE;
  self->finished = TRUE;

  if (results != NULL)
    text = g_steal_pointer (&summary);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: %s is the summary, "3 enrolled, 1 skipped" */
    text = g_strdup_printf (_("Cancelled: %s"), summary);
  else
    text = g_strdup_printf (_("Import stopped: %s (%s)"), error->message, summary);

  gtk_label_set_text (self->status_label, text);
  update_state (self);

  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, self->n_enrolled, self->n_skipped);

  if (self->close_when_done)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  AttestImportDialog *self = ATTEST_IMPORT_DIALOG (widget);
  g_autofree char *basis = stripped_text (self->basis_row);
  g_autofree char *actor = stripped_text (self->reviewer_row);
  g_autofree char *name = stripped_text (self->name_row);

  if (self->running || self->finished || *basis == '\0' || *actor == '\0')
    return;
  if (self->folder == NULL && *name == '\0')
    return;

  /* The reviewer typed their name here because the settings had none: keep it. */
  if (is_blank (attest_settings_get_reviewer_name (self->settings)))
    attest_settings_set_reviewer_name (self->settings, actor);

  self->importer = attest_importer_new (self->store, self->vision, actor, basis);
  g_signal_connect_object (self->importer, "progress", G_CALLBACK (on_progress), self, 0);
  g_signal_connect_object (self->importer, "result", G_CALLBACK (on_result), self, 0);

  self->running = TRUE;
  gtk_label_set_text (self->status_label, _("Importing…"));
  gtk_progress_bar_set_text (self->progress_bar, _("Looking for photos…"));
  gtk_stack_set_visible_child_name (self->stack, "progress");
  update_state (self);

  if (self->folder != NULL)
    attest_importer_import_folder_async (self->importer, self->folder, self->cancellable,
                                         import_done, g_object_ref (self));
  else
    attest_importer_import_files_async (self->importer, (GFile **) self->files->pdata,
                                        self->files->len, name, self->cancellable,
                                        import_done, g_object_ref (self));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  AttestImportDialog *self = ATTEST_IMPORT_DIALOG (widget);

  if (self->running)
    {
      gtk_label_set_text (self->status_label, _("Cancelling…"));
      g_cancellable_cancel (self->cancellable);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
attest_import_dialog_close_request (GtkWindow *window)
{
  AttestImportDialog *self = ATTEST_IMPORT_DIALOG (window);

  if (self->running)
    {
      self->close_when_done = TRUE;
      g_cancellable_cancel (self->cancellable);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (attest_import_dialog_parent_class)->close_request (window);
}

static void
attest_import_dialog_dispose (GObject *object)
{
  AttestImportDialog *self = ATTEST_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (attest_import_dialog_parent_class)->dispose (object);
}

static void
attest_import_dialog_finalize (GObject *object)
{
  AttestImportDialog *self = ATTEST_IMPORT_DIALOG (object);

  g_clear_object (&self->importer);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->files, g_ptr_array_unref);

  G_OBJECT_CLASS (attest_import_dialog_parent_class)->finalize (object);
}

static void
attest_import_dialog_class_init (AttestImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = attest_import_dialog_dispose;
  object_class->finalize = attest_import_dialog_finalize;
  window_class->close_request = attest_import_dialog_close_request;

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/attest-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, what_label);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, basis_row);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, reviewer_row);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, people_group);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, people_list);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, skipped_heading);
  gtk_widget_class_bind_template_child (widget_class, AttestImportDialog, skipped_list);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);

  gtk_widget_class_install_action (widget_class, "import.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
}

static void
attest_import_dialog_init (AttestImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  attest_a11y_fix_mnemonic_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

static AttestImportDialog *
import_dialog_new (GtkWindow      *parent,
                   AttestStore    *store,
                   AttestVision   *vision,
                   AttestSettings *settings)
{
  AttestImportDialog *self;
  const char *reviewer = attest_settings_get_reviewer_name (settings);

  self = g_object_new (ATTEST_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->vision = vision;
  self->settings = g_object_ref (settings);

  gtk_editable_set_text (GTK_EDITABLE (self->reviewer_row), reviewer != NULL ? reviewer : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reviewer_row), is_blank (reviewer));

  return self;
}

/* ---- a folder import's preview ---- */

typedef struct
{
  char  *name;        /* the folder's name: the person's */
  guint  n_photos;
  char  *existing;    /* the stored name of the person it adds to, or NULL: a new person */
  guint  n_faces;     /* ... and their faces now */
  char  *like;        /* a new person whose name looks like this stored one, or NULL */
} PersonPreview;

static void
person_preview_free (gpointer data)
{
  PersonPreview *p = data;

  g_free (p->name);
  g_free (p->existing);
  g_free (p->like);
  g_free (p);
}

static gboolean
is_photo_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return name[0] != '.' && (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") ||
                            g_str_has_suffix (lower, ".png"));
}

static int
compare_previews (gconstpointer a,
                  gconstpointer b)
{
  return g_strcmp0 ((*(PersonPreview **) a)->name, (*(PersonPreview **) b)->name);
}

/* On the store's worker: the person folders as the importer will see them (hidden ones left
 * out), each with its photos and whom it adds to. */
static gpointer
read_preview (AttestStore  *store,
              gpointer      data,
              GError      **error)
{
  GFile *folder = data;
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) people = g_ptr_array_new_with_free_func (person_preview_free);
  GFileInfo *info;

  children = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return NULL;
  while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr (GFileInfo) owned = info;
      g_autoptr (GFile) dir = NULL;
      g_autoptr (GFileEnumerator) photos = NULL;
      g_autoptr (GListStore) found = NULL;
      PersonPreview *p;
      GFileInfo *photo;

      if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY || g_file_info_get_is_hidden (info))
        continue;
      p = g_new0 (PersonPreview, 1);
      p->name = g_strdup (g_file_info_get_name (info));
      g_ptr_array_add (people, p);
      dir = g_file_get_child (folder, p->name);
      photos = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NONE, NULL, NULL);
      while (photos != NULL && (photo = g_file_enumerator_next_file (photos, NULL, NULL)) != NULL)
        {
          if (g_file_info_get_file_type (photo) == G_FILE_TYPE_REGULAR &&
              is_photo_name (g_file_info_get_name (photo)))
            p->n_photos++;
          g_object_unref (photo);
        }
      /* Names are one person ignoring case, as the store has them. */
      found = attest_store_list_identities (store, p->name, error);
      if (found == NULL)
        return NULL;
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (found)); i++)
        {
          g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (found), i);
          g_autofree char *a = g_utf8_casefold (attest_identity_get_name (identity), -1);
          g_autofree char *b = g_utf8_casefold (p->name, -1);

          if (g_strcmp0 (a, b) == 0)
            {
              p->existing = g_strdup (attest_identity_get_name (identity));
              p->n_faces = attest_identity_get_n_faces (identity);
            }
        }
      if (p->existing == NULL)
        p->like = attest_store_find_name_like (store, p->name, -1, NULL);
    }
  g_ptr_array_sort (people, compare_previews);
  return g_steal_pointer (&people);
}

static void
on_preview_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (AttestImportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) people = attest_store_read_finish (ATTEST_STORE (source), result, &error);

  if (people == NULL || self->people_list == NULL)
    return;  /* the import itself says what is wrong with the folder */
  for (guint i = 0; i < people->len; i++)
    {
      PersonPreview *p = people->pdata[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *photos = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u photo",
                                                              "%u photos", p->n_photos),
                                                 p->n_photos);
      g_autofree char *subtitle = NULL;

      if (p->existing != NULL)
        /* Translators: "3 photos, added to “Ann Jones” (2 faces now)". */
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "%s, added to “%s” (%u face now)",
                                                 "%s, added to “%s” (%u faces now)", p->n_faces),
                                    photos, p->existing, p->n_faces);
      else if (p->like != NULL)
        subtitle = g_strdup_printf (_("%s, a new person — “%s” is already in the gallery: the "
                                      "same person under another name?"), photos, p->like);
      else
        subtitle = g_strdup_printf (_("%s, a new person"), photos);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), p->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (p->like != NULL)
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Name like another person’s"), -1);
          gtk_widget_add_css_class (icon, "warning");
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
        }
      gtk_list_box_append (self->people_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->people_group), people->len > 0);
}

AttestImportDialog *
attest_import_dialog_new_for_folder (GtkWindow      *parent,
                                     AttestStore    *store,
                                     AttestVision   *vision,
                                     AttestSettings *settings,
                                     GFile          *folder)
{
  AttestImportDialog *self;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (ATTEST_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  self = import_dialog_new (parent, store, vision, settings);
  self->folder = g_object_ref (folder);

  name = g_file_get_parse_name (folder);
  text = g_strdup_printf (_("Each folder in “%s” is one person, named after the folder. Every "
                            "photo in it showing exactly one clear face is enrolled for that "
                            "person; the others are listed with the reason."), name);
  gtk_label_set_text (self->what_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), FALSE);
  gtk_window_set_title (GTK_WINDOW (self), _("Import People"));
  update_state (self);
  attest_store_read_async (store, read_preview, g_object_ref (folder), g_object_unref,
                           (GDestroyNotify) g_ptr_array_unref, self->cancellable,
                           on_preview_read, g_object_ref (self));

  return self;
}

AttestImportDialog *
attest_import_dialog_new_for_files (GtkWindow      *parent,
                                    AttestStore    *store,
                                    AttestVision   *vision,
                                    AttestSettings *settings,
                                    GFile         **files,
                                    guint           n_files)
{
  AttestImportDialog *self;
  g_autofree char *text = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (ATTEST_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (files != NULL && n_files > 0, NULL);

  self = import_dialog_new (parent, store, vision, settings);
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (self->files, g_object_ref (files[i]));

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u photo of one person. It is enrolled when it shows "
                                       "exactly one clear face; otherwise it is listed with "
                                       "the reason.",
                                       "%u photos of one person. Each is enrolled when it "
                                       "shows exactly one clear face; the others are listed "
                                       "with the reason.", n_files), n_files);
  gtk_label_set_text (self->what_label, text);
  gtk_window_set_title (GTK_WINDOW (self), _("Import Photos"));
  update_state (self);

  return self;
}

/* ---- for tests --------------------------------------------------------------------- */

GtkListBox *
_attest_import_dialog_get_people_list (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->people_group)) ? self->people_list : NULL;
}

GtkEditable *
_attest_import_dialog_get_basis_row (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->basis_row);
}

GtkEditable *
_attest_import_dialog_get_name_row (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->name_row);
}

GtkEditable *
_attest_import_dialog_get_reviewer_row (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->reviewer_row);
}

GtkProgressBar *
_attest_import_dialog_get_progress_bar (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return self->progress_bar;
}

const char *
_attest_import_dialog_get_status_text (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return gtk_label_get_text (self->status_label);
}

GtkListBox *
_attest_import_dialog_get_skipped_list (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), NULL);
  return self->skipped_list;
}

gboolean
_attest_import_dialog_get_running (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), FALSE);
  return self->running;
}

gboolean
_attest_import_dialog_get_finished (AttestImportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_IMPORT_DIALOG (self), FALSE);
  return self->finished;
}

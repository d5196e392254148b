/* attest-export-dialog.c: see attest-export-dialog.h. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "widgets/attest-a11y.h"
#include "app/attest-export-dialog.h"
#include "store/attest-matches.h"

struct _AttestExportDialog
{
  AdwWindow             parent_instance;

  /* template */
  GtkButton            *cancel_button;
  GtkButton            *export_button;
  GtkStack             *export_button_stack;
  GtkSpinner           *spinner;
  GtkBox               *error_box;
  GtkLabel             *error_label;
  AdwPreferencesPage   *page;
  AdwComboRow          *scope_row;
  AdwComboRow          *source_row;
  GtkStringList        *source_labels;
  AdwActionRow         *from_row;
  AdwActionRow         *to_row;
  GtkAdjustment        *from_adjustment;
  GtkAdjustment        *to_adjustment;
  AdwActionRow         *summary_row;
  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  AdwEntryRow          *reviewer_row;

  AttestStore          *store;
  AttestSettings       *settings;
  char                 *current_source_uri;
  GPtrArray            *sources;       /* AttestMatchSource*, NULL until read */
  guint                 n_all;         /* standing matches in every source */
  GFile                *folder;
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  gboolean              loading;
  gboolean              exporting;
  char                 *error;
};

G_DEFINE_FINAL_TYPE (AttestExportDialog, attest_export_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_EXPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
source_label (const AttestMatchSource *s)
{
  g_autofree char *path = s->uri != NULL ? g_filename_from_uri (s->uri, NULL, NULL) : NULL;
  g_autofree char *name = path != NULL ? g_path_get_basename (path)
                                       : g_strdup (s->uri != NULL ? s->uri : s->sha256);

  return g_steal_pointer (&name);
}

static const AttestMatchSource *
selected_source (AttestExportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->source_row);

  if (self->sources == NULL || i >= self->sources->len)
    return NULL;
  return g_ptr_array_index (self->sources, i);
}

static AttestExportScope
get_scope (AttestExportDialog *self)
{
  return (AttestExportScope) adw_combo_row_get_selected (self->scope_row);
}

static void
set_error (AttestExportDialog *self,
           const char         *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_box), message != NULL);
}

static const char *
reviewer_name (AttestExportDialog *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->reviewer_row));
}

static gboolean
is_blank (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  return *copy == '\0';
}

/* Rows, the summary and whether Export can run follow the choices. */
static void
update (AttestExportDialog *self)
{
  AttestExportScope scope = get_scope (self);
  const AttestMatchSource *source = selected_source (self);
  gboolean per_source = scope != ATTEST_EXPORT_SCOPE_ALL;
  gboolean busy = self->loading || self->exporting;
  gboolean can_export;
  g_autofree char *summary = NULL;
  g_autofree char *folder_text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->source_row), per_source);
  gtk_widget_set_visible (GTK_WIDGET (self->from_row), scope == ATTEST_EXPORT_SCOPE_TIME_RANGE);
  gtk_widget_set_visible (GTK_WIDGET (self->to_row), scope == ATTEST_EXPORT_SCOPE_TIME_RANGE);

  if (self->loading)
    summary = g_strdup (_("Counting…"));
  else if (scope == ATTEST_EXPORT_SCOPE_ALL && self->n_all == 0)
    summary = g_strdup (_("No confirmed matches yet: confirm suggestions in the review first"));
  else if (scope == ATTEST_EXPORT_SCOPE_ALL)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u confirmed match", "%u confirmed matches",
                                            self->n_all), self->n_all);
  else if (source == NULL)
    summary = g_strdup (_("No source has confirmed matches"));
  else if (scope == ATTEST_EXPORT_SCOPE_SOURCE)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u confirmed match", "%u confirmed matches",
                                            source->n_matches), source->n_matches);
  else
    summary = g_strdup_printf (_("Confirmed matches of this source from %.1f s to %.1f s"),
                               gtk_adjustment_get_value (self->from_adjustment),
                               gtk_adjustment_get_value (self->to_adjustment));
  adw_action_row_set_subtitle (self->summary_row, summary);
  if (source != NULL)
    {
      g_autofree char *span = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u confirmed match, at %.1f s",
                                                            "%u confirmed matches, from %.1f s to %.1f s",
                                                            source->n_matches),
                                               source->n_matches, source->first_ms / 1000.0,
                                               source->last_ms / 1000.0);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->source_row), span);
    }

  if (self->folder != NULL)
    folder_text = g_file_get_parse_name (self->folder);
  adw_action_row_set_subtitle (self->folder_row, folder_text != NULL ? folder_text : _("None chosen"));

  if (is_blank (reviewer_name (self)))
    gtk_widget_add_css_class (GTK_WIDGET (self->reviewer_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->reviewer_row), "error");

  can_export = !busy && self->folder != NULL && !is_blank (reviewer_name (self)) &&
               (scope == ATTEST_EXPORT_SCOPE_ALL ? self->n_all > 0 : source != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.run", can_export);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !self->exporting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !self->exporting);
  gtk_stack_set_visible_child_name (self->export_button_stack, self->exporting ? "spinner" : "label");
  gtk_spinner_set_spinning (self->spinner, self->exporting);
}

static void
on_source_selected (AttestExportDialog *self)
{
  const AttestMatchSource *source = selected_source (self);

  /* The range starts as the whole span of the source's matches (rounded outwards). */
  if (source != NULL)
    {
      gtk_adjustment_set_value (self->from_adjustment, floor (source->first_ms / 100.0) / 10.0);
      gtk_adjustment_set_value (self->to_adjustment, ceil (source->last_ms / 100.0) / 10.0);
    }
  update (self);
}

/* ---- reading the sources ---- */

static void
on_sources_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (AttestExportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) sources = attest_store_list_sources_with_matches_finish (
    ATTEST_STORE (object), result, &error);
  guint selected = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (sources == NULL)
    {
      set_error (self, error->message);
      update (self);
      return;
    }
  self->sources = g_steal_pointer (&sources);
  self->n_all = 0;
  for (guint i = 0; i < self->sources->len; i++)
    self->n_all += ((AttestMatchSource *) g_ptr_array_index (self->sources, i))->n_matches;
  for (guint i = 0; i < self->sources->len; i++)
    {
      AttestMatchSource *s = g_ptr_array_index (self->sources, i);
      g_autofree char *label = source_label (s);

      gtk_string_list_append (self->source_labels, label);
      if (self->current_source_uri != NULL && g_strcmp0 (s->uri, self->current_source_uri) == 0)
        selected = i;
    }
  adw_combo_row_set_selected (self->source_row, selected);
  on_source_selected (self);
}

/* ---- choosing the folder ---- */

static void
on_chooser_response (AttestExportDialog   *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      attest_export_dialog_set_folder (self, folder);
    }
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->chooser);
}

static void
on_choose_folder (AttestExportDialog *self)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export Evidence: Choose a Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (self->folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), self->folder, NULL);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- exporting ---- */

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (AttestExportDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestExportResult) exported = attest_exporter_export_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->exporting = FALSE;
  if (exported == NULL)
    {
      set_error (self, error->message);
      update (self);
      return;
    }
  set_error (self, NULL);
  update (self);
  g_signal_emit (self, signals[SIGNAL_EXPORTED], 0, exported);
  /* A focused text entry being destroyed warns that it never lost focus. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
attest_export_dialog_export (AttestExportDialog *self)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  AttestExportScope scope;
  const AttestMatchSource *source;
  g_autofree char *actor = NULL;

  g_return_if_fail (ATTEST_IS_EXPORT_DIALOG (self));

  if (self->exporting || self->loading || self->folder == NULL)
    return;
  actor = g_strstrip (g_strdup (reviewer_name (self)));
  if (*actor == '\0')
    {
      set_error (self, _("Enter your name: the export is recorded under it"));
      gtk_widget_grab_focus (GTK_WIDGET (self->reviewer_row));
      return;
    }
  scope = get_scope (self);
  source = selected_source (self);
  if (scope == ATTEST_EXPORT_SCOPE_ALL ? self->n_all == 0 : source == NULL)
    return;

  /* The name asked for here becomes the reviewer name when none was set. */
  if (self->settings != NULL && is_blank (attest_settings_get_reviewer_name (self->settings)))
    attest_settings_set_reviewer_name (self->settings, actor);

  options.actor = actor;
  if (scope != ATTEST_EXPORT_SCOPE_ALL)
    options.source_sha256 = source->sha256;
  if (scope == ATTEST_EXPORT_SCOPE_TIME_RANGE)
    {
      options.from_ms = (gint64) llround (gtk_adjustment_get_value (self->from_adjustment) * 1000.0);
      options.to_ms = (gint64) llround (gtk_adjustment_get_value (self->to_adjustment) * 1000.0);
    }
  self->exporting = TRUE;
  set_error (self, NULL);
  update (self);
  attest_exporter_export_full_async (self->store, self->folder, &options, self->cancellable,
                                     on_exported, g_object_ref (self));
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  attest_export_dialog_export (ATTEST_EXPORT_DIALOG (widget));
}

/* ---- GObject ---- */

static gboolean
attest_export_dialog_close_request (GtkWindow *window)
{
  AttestExportDialog *self = ATTEST_EXPORT_DIALOG (window);

  /* Once the export has started it finishes (it is short): closing waits for it. */
  if (self->exporting)
    return TRUE;
  return GTK_WINDOW_CLASS (attest_export_dialog_parent_class)->close_request (window);
}

static void
attest_export_dialog_dispose (GObject *object)
{
  AttestExportDialog *self = ATTEST_EXPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), ATTEST_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (attest_export_dialog_parent_class)->dispose (object);
}

static void
attest_export_dialog_finalize (GObject *object)
{
  AttestExportDialog *self = ATTEST_EXPORT_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->folder);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->sources, g_ptr_array_unref);
  g_free (self->current_source_uri);
  g_free (self->error);
  G_OBJECT_CLASS (attest_export_dialog_parent_class)->finalize (object);
}

static void
attest_export_dialog_class_init (AttestExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = attest_export_dialog_dispose;
  object_class->finalize = attest_export_dialog_finalize;
  window_class->close_request = attest_export_dialog_close_request;

  signals[SIGNAL_EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/gnome/Attest/attest-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, export_button_stack);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, page);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, scope_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, source_labels);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, from_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, from_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, to_adjustment);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, summary_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, AttestExportDialog, reviewer_row);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);

  gtk_widget_class_install_action (widget_class, "export.run", NULL, run_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
attest_export_dialog_init (AttestExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  attest_a11y_fix_mnemonic_names (GTK_WIDGET (self));
  /* Folder and file names are shown as typed, never read as markup ('&', '<'). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->folder_row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->summary_row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->source_row), FALSE);

  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->scope_row, "notify::selected", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->source_row, "notify::selected", G_CALLBACK (on_source_selected), self);
  g_signal_connect_swapped (self->from_adjustment, "value-changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->to_adjustment, "value-changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->reviewer_row, "changed", G_CALLBACK (update), self);
}

AttestExportDialog *
attest_export_dialog_new (GtkWindow      *parent,
                          AttestStore    *store,
                          AttestSettings *settings,
                          const char     *current_source_uri)
{
  AttestExportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || ATTEST_IS_SETTINGS (settings), NULL);

  self = g_object_new (ATTEST_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->current_source_uri = g_strdup (current_source_uri);
  if (settings != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->reviewer_row), attest_settings_get_reviewer_name (settings));
  /* A source on screen is what "this source" most likely means. */
  if (current_source_uri != NULL)
    adw_combo_row_set_selected (self->scope_row, ATTEST_EXPORT_SCOPE_SOURCE);

  self->loading = TRUE;
  attest_store_list_sources_with_matches_async (store, self->cancellable, on_sources_read,
                                                g_object_ref (self));
  update (self);
  return self;
}

void
attest_export_dialog_set_folder (AttestExportDialog *self,
                                 GFile              *folder)
{
  g_return_if_fail (ATTEST_IS_EXPORT_DIALOG (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  g_set_object (&self->folder, folder);
  set_error (self, NULL);
  update (self);
}

GFile *
attest_export_dialog_get_folder (AttestExportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_EXPORT_DIALOG (self), NULL);

  return self->folder;
}

void
attest_export_dialog_set_scope (AttestExportDialog *self,
                                AttestExportScope   scope)
{
  g_return_if_fail (ATTEST_IS_EXPORT_DIALOG (self));

  adw_combo_row_set_selected (self->scope_row, scope);
}

void
attest_export_dialog_set_range (AttestExportDialog *self,
                                double              from_s,
                                double              to_s)
{
  g_return_if_fail (ATTEST_IS_EXPORT_DIALOG (self));

  gtk_adjustment_set_value (self->from_adjustment, from_s);
  gtk_adjustment_set_value (self->to_adjustment, to_s);
}

gboolean
attest_export_dialog_get_busy (AttestExportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_EXPORT_DIALOG (self), FALSE);

  return self->loading || self->exporting;
}

const char *
attest_export_dialog_get_error (AttestExportDialog *self)
{
  g_return_val_if_fail (ATTEST_IS_EXPORT_DIALOG (self), NULL);

  return self->error;
}

/* attest-window-audit.c: the window's audit side: the Audit page (listed again whenever it is
 * shown and after gallery changes while it is on screen) and exporting evidence (win.export,
 * Ctrl+E: the export dialog; a toast with "Open Folder" when it is done). */
#include "config.h"

#include <glib/gi18n.h>

#include "app/attest-application.h"
#include "app/attest-export-dialog.h"
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

static gboolean
audit_page_visible (AttestWindow *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "audit") == 0;
}

void
_attest_window_audit_changed (AttestWindow *self)
{
  attest_audit_page_set_store (self->audit_page, get_store (self));
  if (audit_page_visible (self))
    attest_audit_page_reload (self->audit_page);
}

static void
on_visible_page_changed (AttestWindow *self)
{
  if (audit_page_visible (self))
    {
      attest_audit_page_set_store (self->audit_page, get_store (self));
      attest_audit_page_reload (self->audit_page);
    }
}

/* ---- export ---- */

static void
on_exported (AttestExportDialog *dialog,
             AttestExportResult *result,
             AttestWindow       *self)
{
  g_autoptr (GFile) folder = g_file_new_for_path (result->folder);
  g_autofree char *uri = g_file_get_uri (folder);
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_free (self->last_toast_title);
  self->last_toast_title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u match",
                                                         "Exported %u matches", result->n_matches),
                                            result->n_matches);
  markup = g_markup_escape_text (self->last_toast_title, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("Open Folder"));
  adw_toast_set_action_name (toast, "win.open-export-folder");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  _attest_window_audit_changed (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  AttestWindow *self = ATTEST_WINDOW (widget);
  AttestStore *store = get_store (self);
  const char *uri = self->pipeline != NULL ? attest_pipeline_get_uri (self->pipeline) : NULL;

  if (self->export_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->export_dialog));
      return;
    }
  if (store == NULL)
    {
      attest_window_show_toast (self, _("The gallery is not available: nothing can be exported"));
      return;
    }
  self->export_dialog = attest_export_dialog_new (GTK_WINDOW (self), store, self->settings, uri);
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

/* ---- set-up ---- */

void
_attest_window_class_init_audit (GtkWidgetClass *widget_class)
{
  g_type_ensure (ATTEST_TYPE_AUDIT_PAGE);
  gtk_widget_class_bind_template_child (widget_class, AttestWindow, audit_page);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.show-audit", NULL,
                                   _attest_window_show_page_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-audit", NULL);
  gtk_widget_class_install_action (widget_class, "win.open-export-folder", "s", open_export_folder_action);
  /* Ctrl+E already enrols the selected face (attest-window-gallery.c). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export", NULL);
}

void
_attest_window_init_audit (AttestWindow *self)
{
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name",
                            G_CALLBACK (on_visible_page_changed), self);
}

void
_attest_window_dispose_audit (AttestWindow *self)
{
  if (self->export_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
      gtk_window_destroy (GTK_WINDOW (self->export_dialog));
      self->export_dialog = NULL;
    }
}

AttestAuditPage *
_attest_window_get_audit_page (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->audit_page;
}

AttestExportDialog *
_attest_window_get_export_dialog (AttestWindow *self)
{
  g_return_val_if_fail (ATTEST_IS_WINDOW (self), NULL);

  return self->export_dialog;
}
